#!/usr/bin/env python3
"""Engine benchmark: loadgrid against wrk on one generator thread, plus scaling and memory.

Starts nginx on loopback (fixed ~100-byte body, keep-alive), then in one invocation:
  1. alternates `wrk -t1 -c50`, the naive libcurl multi loop (bench/naive_curl_loop.cpp,
     50 handles) and `loadgrid run` (50 users, --threads 1) for --rounds rounds, printing
     req/s of each, the ratios loadgrid/wrk and loadgrid/naive, and loadgrid's p50/p99;
  2. runs loadgrid and the naive loop with 5,000 busy users and compares with 50;
  3. measures loadgrid's peak RSS with 1,000 and 10,000 concurrent users that think
     for 1 s between requests (so the target is not the limit).
All traffic stays on 127.0.0.1; every run is bounded by --duration.
"""
import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, port):
    with open(os.path.join(ROOT, "bench", "nginx.conf")) as f:
        conf = f.read().replace("NGINX_DIR", workdir).replace("NGINX_PORT", str(port))
    path = os.path.join(workdir, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["nginx", "-c", path, "-p", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("nginx did not start: " + proc.stderr.read().decode())


def stop_nginx(proc, workdir):
    """Ends the nginx this script started (graceful SIGQUIT, then SIGKILL) and removes its dir."""
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def run_wrk(url, connections, seconds):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def run_naive(binary, url, connections, seconds):
    out = subprocess.run([binary, url, str(connections), str(seconds)], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"rps=([\d.]+)", out).group(1))


def steady_rps(results):
    """Mean req/s of the full windows: the first and last windows of a run are partial."""
    with open(os.path.join(results, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    full = rows[1:-1] if len(rows) > 2 else rows
    return statistics.mean(float(r["rps"]) for r in full) if full else 0.0


def run_loadgrid(binary, workdir, url, users, seconds, think="0s", spawn_rate=0, threads=1, extra=()):
    campaign = os.path.join(workdir, "bench.ini")
    results = os.path.join(workdir, "results")
    with open(campaign, "w") as f:
        f.write(f"[campaign]\nname = bench\nduration = {seconds}s\ninterval = 1s\n"
                f"[load]\nusers = {users}\nspawn_rate = {spawn_rate}\nthink_time = {think}\n"
                f"[request.root]\nurl = {url}\ntimeout = 30s\n")
    proc = subprocess.Popen([binary, "run", campaign, "--threads", str(threads), "--results", results, "-q", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"loadgrid run failed ({proc.returncode}): {proc.stderr.read().decode()}")
    with open(os.path.join(results, "summary.json")) as f:
        total = json.load(f)["total"]
    return {
        "rps": steady_rps(results),
        "requests": total["requests"],
        "p50": total["latency_ms"]["p50"],
        "p99": total["latency_ms"]["p99"],
        "failures": total["failures"],
        "rss_kib": usage.ru_maxrss,  # Linux: KiB
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    ap.add_argument("--naive", default=os.path.join(ROOT, "build", "bench", "naive-curl-loop"))
    ap.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: bash scripts/install-deps.sh --bench")

    workdir = tempfile.mkdtemp(prefix="loadgrid-bench-")
    port = free_port()
    nginx = start_nginx(workdir, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        print(f"engine benchmark: nginx on {url}, one generator thread, 50 connections/users, "
              f"{args.duration}s runs, {os.cpu_count()} cores\n")
        print("loadgrid req/s is the mean of its full stats windows (timeseries.csv without the partial")
        print("first and last); wrk and the naive loop report their own whole-run figure.\n")
        print(f"{'round':>5} {'wrk':>9} {'naive':>9} {'loadgrid':>9} {'lg/wrk':>7} {'lg/naive':>9} {'lg p50 ms':>10} {'lg p99 ms':>10}")
        ratios, naive_ratios, lg50 = [], [], []
        for r in range(1, args.rounds + 1):
            w = run_wrk(url, 50, args.duration)
            n = run_naive(args.naive, url, 50, args.duration)
            lg = run_loadgrid(args.binary, workdir, url, 50, args.duration)
            ratios.append(lg["rps"] / w)
            naive_ratios.append(lg["rps"] / n)
            lg50.append(lg["rps"])
            print(f"{r:>5} {w:>9.0f} {n:>9.0f} {lg['rps']:>9.0f} {lg['rps'] / w:>7.2f} {lg['rps'] / n:>9.2f}"
                  f" {lg['p50']:>10.3f} {lg['p99']:>10.3f}")
        print(f"{'median':>5} {'':>9} {'':>9} {statistics.median(lg50):>9.0f} {statistics.median(ratios):>7.2f}"
              f" {statistics.median(naive_ratios):>9.2f}   (goal lg/wrk >= 0.60)\n")

        seconds = max(args.duration, 8)
        busy = run_loadgrid(args.binary, workdir, url, 5000, seconds, spawn_rate=2500)
        few = run_loadgrid(args.binary, workdir, url, 50, seconds)
        naive_busy = run_naive(args.naive, url, 5000, seconds)
        naive_few = run_naive(args.naive, url, 50, seconds)
        wrk_busy = run_wrk(url, 5000, seconds)
        wrk_few = run_wrk(url, 50, seconds)
        print(f"{'busy users':>10} {'loadgrid':>9} {'p50 ms':>8} {'p99 ms':>8} {'failures':>9} {'naive':>9} {'wrk':>9}")
        for users, res, naive, w in ((50, few, naive_few, wrk_few), (5000, busy, naive_busy, wrk_busy)):
            print(f"{users:>10} {res['rps']:>9.0f} {res['p50']:>8.2f} {res['p99']:>8.2f} {res['failures']:>9}"
                  f" {naive:>9.0f} {w:>9.0f}")
        print(f"5,000/50 throughput: loadgrid {busy['rps'] / few['rps']:.2f} (goal >= 0.80), "
              f"naive loop {naive_busy / naive_few:.2f}, wrk {wrk_busy / wrk_few:.2f} "
              f"(the same nginx and kernel carry 100x the connections)\n")

        if not args.skip_memory:
            print(f"{'users':>7} {'think':>6} {'req/s':>8} {'peak RSS MiB':>13} {'KiB/user':>9} {'failures':>9}")
            for n in (1000, 10000):
                res = run_loadgrid(args.binary, workdir, url, n, 10, think="1s", spawn_rate=5000)
                print(f"{n:>7} {'1s':>6} {res['rps']:>8.0f} {res['rss_kib'] / 1024:>13.1f} "
                      f"{res['rss_kib'] / n:>9.1f} {res['failures']:>9}")
            print("(goal: <= 32 KiB per user at 10,000 users)")
    finally:
        stop_nginx(nginx, workdir)


if __name__ == "__main__":
    main()
