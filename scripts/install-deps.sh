#!/usr/bin/env bash
# Installs everything loadgrid needs to build, test and benchmark, from Debian 12's
# packages only. Run as root (or with sudo). Safe to run again.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libcurl4-openssl-dev
  libboost-program-options-dev libboost-test-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev clang-format
  python3
)
if [ "${1:-}" = "--bench" ]; then packages+=(nginx-light wrk); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
