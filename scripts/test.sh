#!/usr/bin/env bash
# The README's test command: install (Debian packages, then the browser tests' npm
# package), build, run every test (unit and integration),
# then the fuzz stage (scripts/fuzz-smoke.sh: short libFuzzer runs, built with clang in
# build-fuzz; LOADGRID_FUZZ_SECONDS=0 skips it). ctest runs two entries at a time
# (test_integration is split per suite, see tests/CMakeLists.txt); LOADGRID_TEST_JOBS
# overrides that. The suite takes about 5 minutes on two cores, build excluded; the
# fuzz stage about 2, its build included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/browser-deps.sh   # npm ci in tests/browser (playwright-core) and tests/deploy (Kubernetes schema validation)
bash scripts/check-format.sh   # unformatted code fails the test command (and so CI)
bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 900 -j "${LOADGRID_TEST_JOBS:-2}")
bash scripts/fuzz-smoke.sh
