#!/usr/bin/env bash
# The fuzz stage of the test command (scripts/test.sh): builds the libFuzzer harnesses of
# tests/fuzz/ with clang into ./build-fuzz (its own tree: the main build uses g++) and runs
# each for a short, bounded time from the seed corpus committed in tests/fuzz/corpus/.
# Any finding (crash, broken promise, leak, slow input, memory blow-up) fails the stage and
# prints the path of the input that caused it; replay it with `HARNESS PATH`.
#
#   LOADGRID_FUZZ_SECONDS  seconds per long run (codec, campaign), default 25; the short
#                          runs (checks, template, csv, native_exchange) get a third of it. 0 skips the stage.
#
# The two long runs go side by side (two cores), then the three short ones; see
# tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${LOADGRID_FUZZ_SECONDS:-25}"
if [ "$seconds" = 0 ]; then
  echo "fuzz-smoke: skipped (LOADGRID_FUZZ_SECONDS=0)"
  exit 0
fi
short=$(( seconds / 3 > 0 ? seconds / 3 : 1 ))
started=$(date +%s)

# -O1 with line tables only: enough for readable ASan/libFuzzer stack traces, and it keeps
# the instrumented build of the wire, campaign and workload sources short.
CXX=clang++ cmake -S . -B build-fuzz -DLOADGRID_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" >/dev/null
cmake --build build-fuzz -j2 --target codec_fuzz campaign_fuzz checks_fuzz template_fuzz csv_fuzz \
  native_exchange_fuzz
built=$(date +%s)

bin=build-fuzz/tests/fuzz
out=build-fuzz/fuzz-smoke
rm -rf "$out"
mkdir -p "$out"

# run NAME SECONDS EXTRA...: one bounded libFuzzer run in the background. New inputs go to
# a scratch corpus under build-fuzz, never into the committed seeds; findings to
# $out/NAME-findings/.
run() {
  local name=$1 time=$2
  shift 2
  local seeds=tests/fuzz/corpus/${name%_fuzz}
  if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
    echo "fuzz-smoke: $name: the seed corpus $seeds is missing or empty" >&2
    return 1
  fi
  mkdir -p "$out/$name-corpus" "$out/$name-findings"
  "$bin/$name" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$name-findings/" "$@" "$out/$name-corpus" "$seeds" >"$out/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

failed=0
# wait_all: waits for the runs started since the last call; reports each.
wait_all() {
  for i in "${!pids[@]}"; do
    local name=${names[$i]} log=$out/${names[$i]}.log
    if wait "${pids[$i]}"; then
      echo "fuzz-smoke: $name: no finding ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs)"
    else
      failed=1
      echo "fuzz-smoke: $name: FINDING; its log ($log) ends:" >&2
      tail -n 40 "$log" >&2
      for f in "$out/$name-findings"/*; do
        [ -e "$f" ] && echo "fuzz-smoke: $name: input that fails: $f (replay: $bin/$name $f)" >&2
      done
    fi
  done
  pids=()
  names=()
}

pids=()
names=()
run codec_fuzz "$seconds" -max_len=16384
run campaign_fuzz "$seconds" -max_len=8192 -dict=tests/fuzz/campaign.dict
wait_all
run checks_fuzz "$short"
run template_fuzz "$short"
run csv_fuzz "$short"
wait_all
run native_exchange_fuzz "$short" -max_len=4096
wait_all

echo "fuzz-smoke: build $((built - started)) s, runs $(( $(date +%s) - built )) s"
exit "$failed"
