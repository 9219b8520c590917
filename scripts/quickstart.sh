#!/usr/bin/env bash
# The README's main job: install, build, start the built-in target on loopback, run the
# demo campaign against it (live progress, final report, results in results/demo), stop
# the target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh loadgrid   # the demo needs the binary alone; tests build with scripts/test.sh
port=${LOADGRID_DEMO_PORT:-18080}
./build/cli/loadgrid target --listen "127.0.0.1:${port}" > /tmp/loadgrid-target.$$.log 2>&1 &
target_pid=$!
trap 'kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q '^listening' /tmp/loadgrid-target.$$.log 2>/dev/null && break
  kill -0 "$target_pid" 2>/dev/null || { cat /tmp/loadgrid-target.$$.log; exit 3; }
  sleep 0.1
done
./build/cli/loadgrid run configs/local-target.ini --results results/demo
