#!/usr/bin/env bash
# Configures and builds loadgrid into ./build (Release with debug info), two jobs.
# With arguments, builds only those targets (the quick start builds `loadgrid` alone);
# without, everything: tests and benchmarks too. Both share one build tree, so the test
# command after the quick start compiles only what the quick start did not.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ "$#" -gt 0 ]; then
  for target in "$@"; do cmake --build build -j2 --target "$target"; done
else
  cmake --build build -j2
fi
