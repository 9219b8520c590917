#!/usr/bin/env bash
# Formats every tracked *.cpp/*.hpp in place with .clang-format (what scripts/check-format.sh
# checks). Arguments narrow it to git pathspecs, e.g. `bash scripts/format.sh target/`.
# CLANG_FORMAT selects the binary (default clang-format; CI checks with clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "format: $clang_format not found (Debian: apt-get install clang-format)" >&2
  exit 2
fi
if [ ! -f .clang-format ]; then
  echo "format: no .clang-format at the repository root" >&2
  exit 2
fi

files=()
while IFS= read -r -d '' f; do
  case "$f" in
    *.cpp | *.hpp) [ -f "$f" ] && files+=("$f") ;;
  esac
done < <(git ls-files -z -- "$@")
if [ "${#files[@]}" -eq 0 ]; then
  echo "format: no tracked *.cpp/*.hpp files${*:+ under $*}" >&2
  exit 2
fi

"$clang_format" --style=file -i "${files[@]}"
echo "format: formatted ${#files[@]} files with $("$clang_format" --version | sed 's/^.*clang-format/clang-format/')"
