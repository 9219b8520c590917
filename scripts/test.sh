#!/usr/bin/env bash
# The README's test command: install, build, run every test (unit and integration).
# ctest runs two entries at a time (test_integration is split per suite, see
# tests/CMakeLists.txt); LOADGRID_TEST_JOBS overrides that. The suite takes well under
# 3 minutes on two cores, build excluded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh   # unformatted code fails the test command (and so CI)
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j "${LOADGRID_TEST_JOBS:-2}"
