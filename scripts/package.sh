#!/usr/bin/env bash
# Builds the Debian package: dist/loadgrid_VERSION_ARCH.deb (and loadgrid-dbgsym_...,
# its debug symbols), with debhelper (debian/; docs/adr/0022).
#
#   bash scripts/package.sh                    # from source: a Release build with Debian's
#                                              # build flags in obj-*/, no tests (~10 min)
#   bash scripts/package.sh --build-dir build  # package what ./build already built (the
#                                              # test suite does this: no second compile)
#   --out DIR                                  # where the .deb files go (default dist/)
#   --lintian                                  # then run lintian on the package; its
#                                              # errors fail the script
#
# Installs what packaging needs first when it is missing: debian/control's Build-Depends
# (apt-get build-dep, so that list is the only one) and, for --lintian, lintian. The
# version is
# debian/changelog's, which must equal CMakeLists.txt's project(VERSION): a mismatch is
# an error here, so `loadgrid --version` and the package's version cannot differ.
# Prints the path of the .deb on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=""
out_dir="$PWD/dist"
run_lintian=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$(realpath "${2:?--build-dir needs a directory}")"; shift 2 ;;
    --out) mkdir -p "${2:?--out needs a directory}"; out_dir="$(realpath "$2")"; shift 2 ;;
    --lintian) run_lintian=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg-checkbuilddeps > /dev/null || ! dpkg-checkbuilddeps 2> /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get build-dep -y -qq --no-install-recommends ./
fi
if [ "$run_lintian" = 1 ] && ! command -v lintian > /dev/null; then
  apt-get install -y -qq --no-install-recommends lintian
fi

cmake_version=$(sed -n 's/^project(loadgrid VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb_version=$(dpkg-parsechangelog -S Version)
if [ "$cmake_version" != "$deb_version" ]; then
  echo "package.sh: debian/changelog says version $deb_version, CMakeLists.txt says" \
       "$cmake_version: add a debian/changelog entry (dch -v $cmake_version)" >&2
  exit 1
fi

if [ -n "$build_dir" ]; then
  # Package an existing tree: make sure it is current (a no-op when it is).
  cmake --build "$build_dir" -j2 --target loadgrid loadgrid_docs
  export LOADGRID_PREBUILT="$build_dir"
fi
export LOADGRID_DEB_DIR="$out_dir"
# debhelper stages the package in debian/ of this tree: one build at a time (two test
# suites, or a user and a test, may package at once).
exec 9> debian/.package.lock
flock 9
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb="$out_dir/loadgrid_${deb_version}_${arch}.deb"
rm -f "$deb" "$out_dir/loadgrid-dbgsym_${deb_version}_${arch}.deb"
debian/rules clean
debian/rules binary
debian/rules clean
if [ "$run_lintian" = 1 ]; then
  # --fail-on error: warnings are reported, errors fail. The overrides and the reasons
  # for the warnings that remain: debian/loadgrid.lintian-overrides and ADR 0022.
  lintian --fail-on error --display-info "$deb"
fi
echo "$deb"
