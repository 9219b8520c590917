#!/usr/bin/env bash
# Soak (issue 8): a steady campaign for a long time through a real grid — `loadgrid broker`,
# one `loadgrid relay`, two `loadgrid agent`s, against `loadgrid target` — sampling the RSS
# and CPU of every process from /proc at a fixed interval. At the end bench/soak_report.py
# prints, per process, RSS first/last/max, the RSS slope per hour (least squares over the
# samples after a warm-up) and the average CPU; the campaign's summary; and whether the
# broker's total equals the target's own count (/__stats). Goal: no RSS growth beyond noise.
#
#   bash bench/soak.sh                         # 10 minutes, 250 iterations/s (500 requests/s)
#   bash bench/soak.sh --minutes 60 --markdown bench/results/DATE.md
#   SOAK_MINUTES=2 SOAK_INTERVAL=5 bash bench/soak.sh
#
# Everything is on 127.0.0.1 with ports the processes bind themselves (:0). Every process is
# started here and ended by its PID (SIGTERM, then SIGKILL), on every exit path (trap); the
# run is bounded (waiting for agents + the campaign + a drain bound). See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: bash bench/soak.sh [options]

  --minutes N     campaign length in whole minutes, 1..1440 (env SOAK_MINUTES; default 10)
  --interval S    seconds between samples, 1..600 (env SOAK_INTERVAL; default 10)
  --warmup S      seconds after the campaign's start left out of the slope fit and the CPU
                  average (env SOAK_WARMUP; default 60, capped at half the campaign)
  --rate N        open-model iterations/s, 1..5000; one iteration = GET / then a think of
                  ~20 ms then POST /echo, so 2N requests/s (env SOAK_RATE; default 250)
  --goal PCT      a process "grows" when its RSS slope is above PCT %/h and above twice its
                  standard error (default 1)
  --binary PATH   the loadgrid binary (default build/cli/loadgrid, the RelWithDebInfo build,
                  configured and built — the loadgrid target only — when missing)
  --out DIR       results, samples.csv, logs (default results/soak-<UTC time>)
  --markdown FILE append the table, the command and the date to FILE
  -h, --help      this text

Exit status: 0 when the run finished, totals are equal and nothing grows; 1 otherwise;
2 for a bad command line.
EOF
}

die_usage() {
  echo "soak.sh: $1" >&2
  echo "try: bash bench/soak.sh --help" >&2
  exit 2
}

whole_in() { # NAME VALUE MIN MAX: VALUE must be a whole number in [MIN, MAX]
  if ! [[ $2 =~ ^[0-9]+$ ]] || ! ((10#$2 >= $3 && 10#$2 <= $4)); then
    die_usage "$1 must be a whole number from $3 to $4, not '$2'"
  fi
}

MINUTES=${SOAK_MINUTES:-10}
INTERVAL=${SOAK_INTERVAL:-10}
WARMUP=${SOAK_WARMUP:-60}
RATE=${SOAK_RATE:-250}
GOAL=1
BIN=$ROOT/build/cli/loadgrid
OUT=
MARKDOWN=
ARGS=("$@")
while (($#)); do
  case $1 in
    --minutes | --interval | --warmup | --rate | --goal | --binary | --out | --markdown)
      (($# >= 2)) || die_usage "$1 needs a value"
      case $1 in
        --minutes) MINUTES=$2 ;;
        --interval) INTERVAL=$2 ;;
        --warmup) WARMUP=$2 ;;
        --rate) RATE=$2 ;;
        --goal) GOAL=$2 ;;
        --binary) BIN=$2 ;;
        --out) OUT=$2 ;;
        --markdown) MARKDOWN=$2 ;;
      esac
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done
whole_in --minutes "$MINUTES" 1 1440
whole_in --interval "$INTERVAL" 1 600
whole_in --warmup "$WARMUP" 0 86400
whole_in --rate "$RATE" 1 5000
[[ $GOAL =~ ^[0-9]+([.][0-9]+)?$ ]] || die_usage "--goal must be a number of %/h, not '$GOAL'"
MINUTES=$((10#$MINUTES)) INTERVAL=$((10#$INTERVAL)) WARMUP=$((10#$WARMUP)) RATE=$((10#$RATE))
DURATION_S=$((MINUTES * 60))
((WARMUP <= DURATION_S / 2)) || WARMUP=$((DURATION_S / 2))
EXPECT_TIMEOUT_S=60
DRAIN_BOUND_S=120 # the broker's drain and report after the campaign's end, at most

if [[ ! -x $BIN ]]; then
  if [[ $BIN != "$ROOT/build/cli/loadgrid" ]]; then
    echo "soak.sh: $BIN is not an executable" >&2
    exit 2
  fi
  echo "soak.sh: building the RelWithDebInfo loadgrid in build/ (the loadgrid target only)" >&2
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$ROOT/build" -j2 --target loadgrid >/dev/null
fi
BUILD_TYPE=unknown
CACHE=$(dirname "$(dirname "$BIN")")/CMakeCache.txt
[[ -f $CACHE ]] && BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$CACHE")
[[ $BUILD_TYPE == RelWithDebInfo ]] || echo "soak.sh: warning: $BIN is a '$BUILD_TYPE' build, not RelWithDebInfo" >&2

[[ -n $OUT ]] || OUT=$ROOT/results/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
SAMPLES=$OUT/samples.csv

# ---------------------------------------------------------------- processes, ended by PID

NAMES=() # parallel arrays: what we started
PIDS=()

started_here() { # PID: still alive and our child (a reused PID is never signalled)
  [[ -r /proc/$1/stat ]] || return 1
  local stat rest f
  stat=$(<"/proc/$1/stat") || return 1
  rest=${stat##*) }
  read -ra f <<<"$rest"
  [[ ${f[1]} == "$$" && ${f[0]} != Z ]]
}

end_pids() { # GRACE PID...: SIGTERM each that still runs, SIGKILL whoever outlives GRACE s
  local grace=$1 pid deadline
  shift
  for pid in "$@"; do
    if started_here "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + grace))
  for pid in "$@"; do
    while started_here "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if started_here "$pid"; then
      echo "soak.sh: pid $pid outlived SIGTERM by $grace s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

# The broker first: on SIGTERM it stops the campaign on every agent and waits for their final
# windows (at most the longest request timeout + 3 windows + 2 s, 10 s here), then writes its
# results. Then the agents, the relay and the target (they keep running until signalled).
stop_all() {
  local i broker rest=()
  ((${#PIDS[@]})) || return 0
  if broker=$(pid_of broker); then end_pids 30 "$broker"; fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do [[ ${NAMES[i]} == broker ]] || rest+=("${PIDS[i]}"); done
  end_pids 10 "${rest[@]}"
  PIDS=()
}
trap stop_all EXIT
trap 'echo "soak.sh: interrupted" >&2; exit 1' INT TERM

start() { # NAME ARGS...: start in the background, stdout and stderr in logs/NAME.{out,err}
  local name=$1
  shift
  "$@" >"$OUT/logs/$name.out" 2>"$OUT/logs/$name.err" </dev/null &
  NAMES+=("$name")
  PIDS+=($!)
}

pid_of() {
  local i
  for i in "${!NAMES[@]}"; do
    if [[ ${NAMES[i]} == "$1" ]]; then
      echo "${PIDS[i]}"
      return 0
    fi
  done
  return 1
}

wait_for_line() { # NAME FILE REGEX: the first match of REGEX in FILE (a log line), within 20 s
  local deadline=$((SECONDS + 20)) line
  while ((SECONDS < deadline)); do
    line=$(grep -Eo -m1 "$3" "$2" 2>/dev/null || true)
    if [[ -n $line ]]; then
      echo "$line"
      return 0
    fi
    started_here "$(pid_of "$1")" || break
    sleep 0.05
  done
  echo "soak.sh: $1 did not say where it listens; its log:" >&2
  tail -n 15 "$2" >&2
  exit 1
}

# ---------------------------------------------------------------- sampling

# One CSV row per process and sample: wall clock (ms), process, pid, VmRSS and RssAnon (KiB,
# /proc/PID/status), utime and stime (clock ticks, fields 14 and 15 of /proc/PID/stat, every
# thread), threads (field 20) and the machine's 1-minute load average (the cores are shared).
sample() {
  local now i pid name stat rest f key value rss anon load
  now=$(date +%s%3N)
  read -r load _ </proc/loadavg
  for i in "${!NAMES[@]}"; do
    name=${NAMES[i]} pid=${PIDS[i]}
    started_here "$pid" || continue
    stat=$(<"/proc/$pid/stat") 2>/dev/null || continue
    rest=${stat##*) }
    read -ra f <<<"$rest"
    rss='' anon=''
    while read -r key value _; do
      case $key in
        VmRSS:) rss=$value ;;
        RssAnon:) anon=$value ;;
      esac
    done <"/proc/$pid/status" 2>/dev/null || continue
    echo "$now,$name,$pid,$rss,$anon,${f[11]},${f[12]},${f[17]},$load" >>"$SAMPLES"
  done
}

# ---------------------------------------------------------------- the run

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "soak: ${MINUTES} min at ${RATE} iterations/s ($((2 * RATE)) requests/s), a sample every ${INTERVAL} s," \
  "warm-up ${WARMUP} s; $BIN ($BUILD_TYPE); $(nproc) cores shared with everything else on this machine," \
  "load average $LOAD_BEFORE; results in $OUT"

start target "$BIN" target --listen 127.0.0.1:0 --threads 1
TARGET=$(wait_for_line target "$OUT/logs/target.out" 'listening 127\.0\.0\.1:[0-9]+')
TARGET=${TARGET#listening }

cat >"$OUT/campaign.ini" <<EOF
# Written by bench/soak.sh: a steady open-model load against loadgrid target.
[campaign]
name = soak
duration = ${MINUTES}m
interval = 1s

[load]
model = open
rate = ${RATE}
max_users = 200

[scenario.steady]
step = request home
step = think ~20ms
step = request echo

[request.home]
url = http://${TARGET}/
timeout = 5s

[request.echo]
method = POST
url = http://${TARGET}/echo
headers = X-Soak: \${agent}-\${user}-\${iteration}
body = {"soak": \${iteration}}
check = contains X-Soak:
timeout = 5s
EOF

start broker "$BIN" broker "$OUT/campaign.ini" --listen tcp://127.0.0.1:0 --results "$OUT" \
  --expect-agents 2 --expect-timeout "${EXPECT_TIMEOUT_S}s" -q
BROKER=$(wait_for_line broker "$OUT/logs/broker.err" 'listening on tcp://127\.0\.0\.1:[0-9]+,[0-9]+')
BROKER=${BROKER#listening on }
start relay "$BIN" relay --parent "$BROKER" --listen tcp://127.0.0.1:0 --id relay
RELAY=$(wait_for_line relay "$OUT/logs/relay.err" 'listening on tcp://127\.0\.0\.1:[0-9]+,[0-9]+')
RELAY=${RELAY#listening on }
start agent-a "$BIN" agent --parent "$RELAY" --id agent-a --threads 1
start agent-b "$BIN" agent --parent "$RELAY" --id agent-b --threads 1

echo "process,pid" >"$OUT/pids.csv"
for i in "${!NAMES[@]}"; do echo "${NAMES[i]},${PIDS[i]}" >>"$OUT/pids.csv"; done
echo "unix_ms,process,pid,vmrss_kib,rssanon_kib,utime_ticks,stime_ticks,threads,load1" >"$SAMPLES"

BROKER_PID=$(pid_of broker)
BOUND_S=$((EXPECT_TIMEOUT_S + DURATION_S + DRAIN_BOUND_S))
END=$((SECONDS + BOUND_S))
next=$SECONDS
progress=$((SECONDS + 60))
while started_here "$BROKER_PID"; do
  if ((SECONDS >= END)); then
    echo "soak.sh: the broker still runs after ${BOUND_S} s: ending everything" >&2
    break
  fi
  if ((SECONDS >= next)); then
    sample
    next=$((next + INTERVAL))
  fi
  if ((SECONDS >= progress)); then
    echo "  $(date -u +%H:%M:%S) $(($(wc -l <"$SAMPLES") - 1)) samples, load average $(cut -d' ' -f1 /proc/loadavg)"
    progress=$((SECONDS + 60))
  fi
  sleep 0.5
done
sample # the others, once more, after the broker's end
BROKER_EXIT=0
if started_here "$BROKER_PID"; then
  BROKER_EXIT=timeout
else
  wait "$BROKER_PID" || BROKER_EXIT=$?
fi

# The target's own count, after the broker has counted every final window.
curl -sS --max-time 10 "http://${TARGET}/__stats" >"$OUT/target_stats.json" || echo '{}' >"$OUT/target_stats.json"
stop_all
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

REPORT=(python3 "$ROOT/bench/soak_report.py" --dir "$OUT" --warmup "$WARMUP" --goal "$GOAL"
  --broker-exit "$BROKER_EXIT" --load "$LOAD_BEFORE" "$LOAD_AFTER" --build-type "$BUILD_TYPE")
if [[ -n $MARKDOWN ]]; then
  REPORT+=(--markdown "$MARKDOWN" --command "bash bench/soak.sh${ARGS[*]:+ ${ARGS[*]}}")
fi
"${REPORT[@]}"
