#!/usr/bin/env python3
"""Does serving the HTTP API slow the broker's loop? (issue 10: the server "never slowing
the broker's loop (it reads snapshots)").

One invocation, three modes, alternated over --rounds, against the built-in target:

  off       `loadgrid run` without --http (the reference)
  idle      the same with --http 127.0.0.1:0 and nobody asking
  hammered  the same with two `wrk -t1 -c2` clients fetching /api/v1/stats and /metrics
            as fast as the broker answers, for the whole run

The campaign is light on purpose (--users users with --think think time each, one engine
thread), so the machine has CPU to spare and a slower loop shows up as such, not as CPU
contention. The loop's responsiveness is `health.freshness_ms` in summary.json: from the
end of a window to the moment the broker's loop counted it (the loop's own latency plus
the merge grace), and the campaign's achieved req/s. Prints one row per run, then the
medians per mode with the ratios against `off`.

    python3 bench/http_api_bench.py --duration 10 --rounds 3

Everything is on loopback; every process it starts is ended by PID; each run is bounded
by its duration plus 30 s.
"""
import argparse
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from latency_accuracy import ROOT, RUN_MARGIN_S, start_target, stop  # noqa: E402


def wait_for_http(proc, deadline):
    """Reads the run's stderr until `http listening HOST:PORT`; returns the address."""
    data = b""
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([proc.stderr], [], [], 0.1)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            data += chunk
            match = re.search(rb"http listening (\S+)", data)
            if match:
                return match.group(1).decode()
    sys.exit(f"loadgrid run did not say where it listens: {data.decode(errors='replace')}")


def drain(proc):
    """Discards what the run writes to stderr, so its pipe never fills."""
    while True:
        ready, _, _ = select.select([proc.stderr], [], [], 0)
        if not ready or not os.read(proc.stderr.fileno(), 65536):
            return


def wrk_rps(out):
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


def run(binary, workdir, url, mode, args, index):
    campaign = os.path.join(workdir, "bench.ini")
    results = os.path.join(workdir, f"results-{mode}-{index}")
    with open(campaign, "w") as f:
        f.write(f"[campaign]\nname = http-bench\nduration = {args.duration}s\ninterval = 1s\n"
                f"[load]\nusers = {args.users}\nthink_time = {args.think}\n"
                f"[request.home]\nurl = {url}\ntimeout = 10s\n"
                f"[request.slow]\nurl = {url}delay/2\ntimeout = 10s\n")
    argv = [binary, "run", campaign, "--threads", "1", "--results", results, "-q"]
    if mode != "off":
        argv += ["--http", "127.0.0.1:0"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + args.duration + RUN_MARGIN_S
    clients = []
    api_rps = 0.0
    try:
        if mode != "off":
            address = wait_for_http(proc, deadline)
        if mode == "hammered":
            for path in ("/api/v1/stats", "/metrics"):
                clients.append(subprocess.Popen(
                    ["wrk", "-t1", "-c2", f"-d{args.duration}s", f"http://{address}{path}"],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        while proc.poll() is None and time.monotonic() < deadline:
            drain(proc)
            time.sleep(0.1)
        for c in clients:
            out, _ = c.communicate(timeout=max(1, deadline - time.monotonic()))
            api_rps += wrk_rps(out)
    finally:
        for c in clients:
            stop(c)
        stop(proc)
    if proc.returncode != 0:
        sys.exit(f"loadgrid run ({mode}) exited {proc.returncode}")
    with open(os.path.join(results, "summary.json")) as f:
        summary = json.load(f)
    shutil.rmtree(results, ignore_errors=True)
    return {
        "mode": mode,
        "rps": summary["total"]["rps"],
        "p99_ms": summary["total"]["latency_ms"]["p99"],
        "fresh_p50": summary["health"]["freshness_ms"]["p50"],
        "fresh_p99": summary["health"]["freshness_ms"]["p99"],
        "fresh_max": summary["health"]["freshness_ms"]["max"],
        "api_rps": api_rps,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--think", default="5ms")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: bash scripts/install-deps.sh --bench")
    workdir = tempfile.mkdtemp(prefix="lg-http-bench-")
    target, port = start_target(args.binary, 1)
    url = f"http://127.0.0.1:{port}/"
    rows = []
    try:
        print(f"{'mode':<9} {'req/s':>9} {'p99 ms':>8} {'fresh p50':>10} {'fresh p99':>10} {'fresh max':>10}"
              f" {'api req/s':>10}")
        for r in range(args.rounds):
            modes = ["off", "idle", "hammered"] if r % 2 == 0 else ["hammered", "idle", "off"]
            for mode in modes:
                row = run(args.binary, workdir, url, mode, args, r)
                rows.append(row)
                print(f"{row['mode']:<9} {row['rps']:>9.1f} {row['p99_ms']:>8.3f} {row['fresh_p50']:>10.1f}"
                      f" {row['fresh_p99']:>10.1f} {row['fresh_max']:>10.1f} {row['api_rps']:>10.1f}", flush=True)
    finally:
        stop(target)
        shutil.rmtree(workdir, ignore_errors=True)

    def median(mode, key):
        return statistics.median(row[key] for row in rows if row["mode"] == mode)

    print("\nmedians, and ratios against off:")
    print(f"{'mode':<9} {'req/s':>9} {'ratio':>6} {'fresh p99':>10} {'ratio':>6} {'fresh max':>10} {'api req/s':>10}")
    for mode in ("off", "idle", "hammered"):
        rps, p99, mx = median(mode, "rps"), median(mode, "fresh_p99"), median(mode, "fresh_max")
        print(f"{mode:<9} {rps:>9.1f} {rps / median('off', 'rps'):>6.2f} {p99:>10.1f}"
              f" {p99 / median('off', 'fresh_p99'):>6.2f} {mx:>10.1f} {median(mode, 'api_rps'):>10.1f}")


if __name__ == "__main__":
    main()
