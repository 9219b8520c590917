#!/usr/bin/env bash
# CI: checks that every tracked *.cpp/*.hpp is formatted as .clang-format says. Exits 1 naming
# the files that are not (fix them with `bash scripts/format.sh`), 2 when it cannot check.
# Arguments narrow the check to git pathspecs (`bash scripts/check-format.sh cli/`); --diff also
# prints what the formatter would change. CLANG_FORMAT selects the binary (default clang-format).
# The format was tuned with clang-format 14 (Debian 12's package `clang-format`); other versions
# lay out some lines differently, so CI should run 14.
set -euo pipefail
cd "$(dirname "$0")/.."

show_diff=0
pathspecs=()
for arg in "$@"; do
  case "$arg" in
    --diff) show_diff=1 ;;
    *) pathspecs+=("$arg") ;;
  esac
done

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check-format: $clang_format not found (Debian: apt-get install clang-format)" >&2
  exit 2
fi
version=$("$clang_format" --version)
major=$(sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p' <<<"$version")
if [ "${major:-0}" -lt 14 ]; then
  echo "check-format: needs clang-format 14 or newer, found: $version" >&2
  exit 2
fi
if [ "$major" -ne 14 ]; then
  echo "check-format: note: the format was tuned with clang-format 14; this is $version" >&2
fi
if [ ! -f .clang-format ]; then
  echo "check-format: no .clang-format at the repository root" >&2
  exit 2
fi
# A config this clang-format cannot read would make every file look unformatted: say so instead.
if ! config_error=$("$clang_format" --style=file --assume-filename=probe.cpp --dump-config 2>&1 </dev/null >/dev/null) ||
  [ -n "$config_error" ]; then
  echo "check-format: $clang_format cannot read .clang-format:" >&2
  echo "$config_error" >&2
  exit 2
fi

files=()
while IFS= read -r -d '' f; do
  case "$f" in
    *.cpp | *.hpp) [ -f "$f" ] && files+=("$f") ;;
  esac
done < <(git ls-files -z -- ${pathspecs[@]+"${pathspecs[@]}"})
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-format: no tracked *.cpp/*.hpp files${pathspecs[*]:+ under ${pathspecs[*]}}" >&2
  exit 2
fi

# One clang-format run for all files; --ferror-limit=1 keeps it to one message per file.
status=0
report=$("$clang_format" --style=file --dry-run --Werror --ferror-limit=1 "${files[@]}" 2>&1) || status=$?
unformatted=()
while IFS= read -r f; do
  [ -n "$f" ] && unformatted+=("$f")
done < <(sed -nE 's/^(.*):[0-9]+:[0-9]+: (error|warning): .*\[-Wclang-format-violations\]$/\1/p' <<<"$report" | sort -u)
if [ "$status" -ne 0 ] && [ "${#unformatted[@]}" -eq 0 ]; then
  echo "check-format: $clang_format failed:" >&2
  echo "$report" >&2
  exit 2
fi
if [ "$show_diff" -eq 1 ]; then
  for f in ${unformatted[@]+"${unformatted[@]}"}; do
    "$clang_format" --style=file "$f" | diff -u --label "a/$f" --label "b/$f" "$f" - || true
  done
fi

if [ "${#unformatted[@]}" -gt 0 ]; then
  echo "check-format: ${#unformatted[@]} of ${#files[@]} files are not formatted:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  echo "Fix: bash scripts/format.sh   (see what changes: bash scripts/check-format.sh --diff)" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
