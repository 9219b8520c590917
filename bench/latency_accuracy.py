#!/usr/bin/env python3
"""Latency accuracy: does loadgrid report the latency a target really adds?

Starts `loadgrid target` on 127.0.0.1 (ephemeral port, read from its "listening" line),
then for each delay D (default 0, 5, 20, 50 ms) runs a short `loadgrid run` campaign
against /delay/D and reads results/summary.json. Prints, per delay, loadgrid's p50 and
p99, the error of p50 against D and a verdict: PASS when D <= p50 <= D + tolerance
(3 ms by default; the target never answers early, so p50 < D is a bug, not noise).
When `wrk` is installed (`bash scripts/install-deps.sh --bench`), a reference run of
`wrk --latency` against the same URL, with as many connections as loadgrid has users,
prints wrk's p50 beside ours and the ratio.

This is a benchmark, not a test: it depends on how busy the machine is, so it is never
run by ctest. Exit status 1 when any delay fails. All traffic stays on 127.0.0.1; every
run is bounded (--duration, plus a fixed margin); the script ends only the processes it
started, by PID.

    python3 bench/latency_accuracy.py
    python3 bench/latency_accuracy.py --delays 0,20 --duration 5 --users 8
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_MARGIN_S = 30  # a run may take this long beyond its duration (start, drain, report)


def start_target(binary, threads):
    """Starts `loadgrid target` on an ephemeral loopback port; returns (process, port)."""
    proc = subprocess.Popen([binary, "target", "--listen", "127.0.0.1:0", "--threads", str(threads)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    # Its first stdout line is "listening 127.0.0.1:PORT". Wait for it, bounded.
    deadline = time.monotonic() + 10
    data = b""
    while b"\n" not in data and proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            data += chunk
    line = data.decode(errors="replace").split("\n")[0]
    match = re.fullmatch(r"listening 127\.0\.0\.1:(\d+)", line.strip())
    if not match:
        stop(proc)
        sys.exit(f"loadgrid target did not start (stdout {line!r})")
    # It prints nothing more until it exits ("served N requests"); the pipe cannot fill.
    return proc, int(match.group(1))


def stop(proc):
    """Ends a process this script started: SIGTERM, then SIGKILL after 5 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_loadgrid(binary, url, users, duration_s, threads, workdir):
    """One bounded `loadgrid run` campaign against `url`; returns summary.json's total."""
    os.makedirs(workdir, exist_ok=True)
    campaign = os.path.join(workdir, "campaign.ini")
    with open(campaign, "w") as f:
        f.write(f"[campaign]\nname = latency-accuracy\nduration = {duration_s}s\ninterval = 1s\n"
                f"[load]\nusers = {users}\n"
                f"[request.delay]\nurl = {url}\ntimeout = 5s\n")
    results = os.path.join(workdir, "results")
    out = subprocess.run([binary, "run", campaign, "--results", results, "--threads", str(threads), "-q"],
                         capture_output=True, text=True, timeout=duration_s + RUN_MARGIN_S)
    if out.returncode != 0:
        sys.exit(f"loadgrid run failed ({out.returncode}):\n{out.stderr}")
    with open(os.path.join(results, "summary.json")) as f:
        return json.load(f)["total"]


def wrk_ms(value):
    """wrk prints latencies as 512.00us, 20.12ms or 1.02s."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, connections, duration_s):
    """A bounded `wrk --latency` run; returns its p50 and p99 in ms."""
    out = subprocess.run(["wrk", "--latency", "-t1", f"-c{connections}", f"-d{duration_s}s", "--timeout", "5s", url],
                         capture_output=True, text=True, timeout=duration_s + RUN_MARGIN_S)
    if out.returncode != 0:
        sys.exit(f"wrk failed ({out.returncode}):\n{out.stderr}")
    p50 = re.search(r"^\s+50%\s+(\S+)", out.stdout, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out.stdout, re.M)
    if not p50 or not p99:
        sys.exit("cannot read wrk's latency distribution:\n" + out.stdout)
    return wrk_ms(p50.group(1)), wrk_ms(p99.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    parser.add_argument("--delays", default="0,5,20,50", help="target delays in ms, comma-separated")
    parser.add_argument("--duration", type=int, default=3, help="seconds per run (loadgrid and wrk each)")
    parser.add_argument("--users", type=int, default=4, help="loadgrid users = wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="loadgrid engine threads")
    parser.add_argument("--target-threads", type=int, default=1)
    parser.add_argument("--tolerance-ms", type=float, default=3.0, help="PASS when delay <= p50 <= delay + this")
    parser.add_argument("--no-wrk", action="store_true", help="skip the wrk reference runs")
    parser.add_argument("--keep", action="store_true", help="keep the campaign and results files")
    args = parser.parse_args()
    delays = [int(d) for d in args.delays.split(",")]
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} not found: build first (scripts/build.sh)")
    if not 1 <= args.duration <= 60 or not 1 <= args.users <= 1000:
        sys.exit("--duration must be 1 to 60 s and --users 1 to 1000")
    wrk = None if args.no_wrk else shutil.which("wrk")

    workdir = tempfile.mkdtemp(prefix="loadgrid-latency-")
    target, port = start_target(args.binary, args.target_threads)
    rows = []
    try:
        for delay in delays:
            url = f"http://127.0.0.1:{port}/delay/{delay}"
            total = run_loadgrid(args.binary, url, args.users, args.duration, args.threads,
                                 os.path.join(workdir, f"delay-{delay}"))
            latency = total["latency_ms"]
            row = {"delay": delay, "requests": total["requests"], "failures": total["failures"],
                   "p50": latency["p50"], "p99": latency["p99"], "min": latency["min"]}
            row["error"] = row["p50"] - delay
            row["pass"] = row["failures"] == 0 and row["requests"] > 0 and \
                delay <= row["p50"] <= delay + args.tolerance_ms
            if wrk:
                row["wrk_p50"], row["wrk_p99"] = run_wrk(url, args.users, args.duration)
            rows.append(row)
    finally:
        stop(target)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"loadgrid latency accuracy: {args.users} users, {args.threads} thread(s), {args.duration} s per delay, "
          f"target /delay/<ms> on 127.0.0.1:{port}; PASS when delay <= p50 <= delay + {args.tolerance_ms:g} ms")
    header = f"{'delay_ms':>8} {'requests':>9} {'fail':>5} {'min_ms':>8} {'p50_ms':>8} {'p99_ms':>8} {'p50_err':>8}"
    if wrk:
        header += f" {'wrk_p50':>8} {'wrk_p99':>8} {'p50/wrk':>8}"
    print(header + "  verdict")
    for r in rows:
        line = (f"{r['delay']:>8} {r['requests']:>9} {r['failures']:>5} {r['min']:>8.3f} {r['p50']:>8.3f} "
                f"{r['p99']:>8.3f} {r['error']:>+8.3f}")
        if wrk:
            ratio = r["p50"] / r["wrk_p50"] if r["wrk_p50"] > 0 else float("nan")
            line += f" {r['wrk_p50']:>8.3f} {r['wrk_p99']:>8.3f} {ratio:>8.3f}"
        print(line + ("  PASS" if r["pass"] else "  FAIL"))
    if not wrk:
        print("(wrk not run: " + ("--no-wrk" if args.no_wrk else "not installed; bash scripts/install-deps.sh --bench")
              + ")")
    failed = [r["delay"] for r in rows if not r["pass"]]
    if failed:
        print(f"verdict: FAIL (delays {', '.join(map(str, failed))} ms outside [delay, delay + "
              f"{args.tolerance_ms:g} ms], or failures)")
        return 1
    print(f"verdict: PASS (every p50 within [delay, delay + {args.tolerance_ms:g} ms])")
    return 0


if __name__ == "__main__":
    sys.exit(main())
