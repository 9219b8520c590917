#!/usr/bin/env bash
# Installs the benchmark tools (nginx, wrk), builds loadgrid and runs the engine benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench
bash scripts/build.sh
python3 bench/engine_bench.py "$@"
