#!/usr/bin/env python3
"""Transport benchmark (issue 9): the native HTTP/1.1 transport and libcurl against wrk.

One invocation, every reference run beside what it judges, ratios printed:
  1. rounds of `wrk -t1 -c50`, `loadgrid run --transport native` and `--transport curl`
     (50 users, one engine thread) against nginx (bench/nginx.conf: one worker, ~100-byte
     body, keep-alive); with --baseline, also that older loadgrid binary (curl only), so
     "the curl transport must not get slower" is measured, not remembered.
     Goal: native/wrk >= 0.80 (median).
  2. 5,000 busy users against 50, per transport. Goal: >= 0.85.
  3. peak RSS with 10,000 users thinking 1 s, per transport. Goal: native <= 16 KiB/user.
  4. scaling: 1 and 2 engine threads. On a 2-core machine nginx needs a core too, so the
     throughput of 2 threads is capped by the target; what is compared is the CPU each
     request costs (user+sys of the generator process / requests), for loadgrid and for
     wrk -t1/-t2 the same way: a cost per request that does not grow with threads means
     the engine scales with the cores it is given (2 threads >= 1.8x needs cost(2) <=
     cost(1) / 0.9). This VM exposes no hardware counters to `perf stat`, so CPU time
     stands in for instructions.
  5. latency truth: against the built-in target's /delay/20 (a fixed 20 ms), p50 of
     native and curl and the difference to each other and to the delay. Goal: within 1 ms.
All traffic stays on 127.0.0.1; every run is bounded by --duration.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import engine_bench
import latency_accuracy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wrk_run(url, connections, seconds, threads=1):
    """wrk's whole-run req/s, its requests and the CPU it used (from the kernel's rusage)."""
    proc = subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=seconds + 60)
    # communicate() reaped it; the CPU of the child comes from the children's rusage delta.
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def children_cpu():
    ru = os.times()
    return ru.children_user + ru.children_system


def measured(fn, *args, **kwargs):
    before = children_cpu()
    res = fn(*args, **kwargs)
    res["cpu_s"] = children_cpu() - before
    return res


def lg(binary, workdir, url, users, seconds, transport, **kwargs):
    extra = ("--transport", transport) if transport else ()
    return measured(engine_bench.run_loadgrid, binary, workdir, url, users, seconds, extra=extra, **kwargs)


def us_per_request(res):
    return res["cpu_s"] / res["requests"] * 1e6 if res["requests"] else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    ap.add_argument("--baseline", help="an older loadgrid binary (before issue 9: curl only) to compare curl with")
    ap.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: busy,memory,scaling,latency")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: bash scripts/install-deps.sh --bench")
    if not 1 <= args.duration <= 60 or not 1 <= args.rounds <= 20:
        sys.exit("--duration must be 1 to 60 s and --rounds 1 to 20")

    workdir = tempfile.mkdtemp(prefix="loadgrid-transport-bench-")
    port = engine_bench.free_port()
    nginx = engine_bench.start_nginx(workdir, port)
    url = f"http://127.0.0.1:{port}/"
    target = None
    try:
        print(f"transport benchmark: nginx (1 worker) on {url}, one generator thread, 50 connections/users, "
              f"{args.duration}s runs, {os.cpu_count()} cores\n")
        head = f"{'round':>5} {'wrk':>9} {'native':>9} {'curl':>9} {'nat/wrk':>8} {'curl/wrk':>9} {'nat p50':>8} {'curl p50':>9}"
        if args.baseline:
            head += f" {'baseline':>9} {'curl/base':>10}"
        print(head)
        nat_r, curl_r, base_r = [], [], []
        for r in range(1, args.rounds + 1):
            w = wrk_run(url, 50, args.duration)
            n = lg(args.binary, workdir, url, 50, args.duration, "native")
            c = lg(args.binary, workdir, url, 50, args.duration, "curl")
            nat_r.append(n["rps"] / w["rps"])
            curl_r.append(c["rps"] / w["rps"])
            line = (f"{r:>5} {w['rps']:>9.0f} {n['rps']:>9.0f} {c['rps']:>9.0f} {nat_r[-1]:>8.2f} {curl_r[-1]:>9.2f}"
                    f" {n['p50']:>8.3f} {c['p50']:>9.3f}")
            if args.baseline:
                b = lg(args.baseline, workdir, url, 50, args.duration, None)
                base_r.append(c["rps"] / b["rps"])
                line += f" {b['rps']:>9.0f} {base_r[-1]:>10.2f}"
            print(line)
        summary = (f"median: native/wrk {statistics.median(nat_r):.2f} (goal >= 0.80), "
                   f"curl/wrk {statistics.median(curl_r):.2f}")
        if base_r:
            summary += f", curl/baseline {statistics.median(base_r):.2f} (goal >= 1.00 within noise)"
        print(summary + "\n")

        if "busy" not in skip:
            seconds = max(args.duration, 8)
            print(f"{'transport':>9} {'50 users':>9} {'5000 users':>11} {'5000/50':>8} {'p99 ms @5000':>13} {'failures':>9}"
                  f" {'CPU us/req @50':>15} {'@5000':>7}")
            for t in ("native", "curl"):
                few = lg(args.binary, workdir, url, 50, seconds, t)
                busy = lg(args.binary, workdir, url, 5000, seconds, t, spawn_rate=2500)
                print(f"{t:>9} {few['rps']:>9.0f} {busy['rps']:>11.0f} {busy['rps'] / few['rps']:>8.2f}"
                      f" {busy['p99']:>13.2f} {busy['failures']:>9} {us_per_request(few):>15.2f} {us_per_request(busy):>7.2f}")
            w_few = measured(wrk_run, url, 50, seconds)
            w_busy = measured(wrk_run, url, 5000, seconds)
            print(f"{'wrk':>9} {w_few['rps']:>9.0f} {w_busy['rps']:>11.0f} {w_busy['rps'] / w_few['rps']:>8.2f}"
                  f" {'':>13} {'':>9} {us_per_request(w_few):>15.2f} {us_per_request(w_busy):>7.2f}")
            print("(goal: 5000/50 >= 0.85 per transport; CPU us/req is the generator's own cost per request,\n"
                  " which tells the generator's share of a drop from the target's and the kernel's)\n")

        if "memory" not in skip:
            print(f"{'transport':>9} {'users':>7} {'req/s':>8} {'peak RSS MiB':>13} {'KiB/user':>9} {'failures':>9}")
            runs = [("native", args.binary, "native"), ("curl", args.binary, "curl")]
            if args.baseline:
                runs.append(("baseline", args.baseline, None))
            for name, binary, t in runs:
                res = lg(binary, workdir, url, 10000, 10, t, think="1s", spawn_rate=5000)
                print(f"{name:>9} {10000:>7} {res['rps']:>8.0f} {res['rss_kib'] / 1024:>13.1f} "
                      f"{res['rss_kib'] / 10000:>9.1f} {res['failures']:>9}")
            print("(goal: native <= 16 KiB per user; curl no more than the baseline's)\n")

        if "scaling" not in skip:
            print(f"{'generator':>16} {'threads':>7} {'req/s':>9} {'CPU us/req':>11} {'cost 2/1':>9}")
            for name, runner in (
                ("loadgrid native", lambda th: lg(args.binary, workdir, url, 50, args.duration, "native", threads=th)),
                ("loadgrid curl", lambda th: lg(args.binary, workdir, url, 50, args.duration, "curl", threads=th)),
                ("wrk", lambda th: measured(wrk_run, url, 50, args.duration, threads=th)),
            ):
                one, two = runner(1), runner(2)
                ratio = us_per_request(two) / us_per_request(one)
                print(f"{name:>16} {1:>7} {one['rps']:>9.0f} {us_per_request(one):>11.2f}")
                print(f"{name:>16} {2:>7} {two['rps']:>9.0f} {us_per_request(two):>11.2f} {ratio:>9.2f}")
            print("(2 threads >= 1.8x one where the cores exist  <=>  cost 2/1 <= 1.11; the target shares these cores)\n")

        if "latency" not in skip:
            target, tport = latency_accuracy.start_target(args.binary, 1)
            durl = f"http://127.0.0.1:{tport}/delay/20"
            print(f"{'transport':>9} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'p50-20':>7}")
            p50 = {}
            for t in ("native", "curl"):
                res = lg(args.binary, workdir, durl, 8, args.duration, t)
                p50[t] = res["p50"]
                print(f"{t:>9} {res['requests']:>9} {res['p50']:>8.3f} {res['p99']:>8.3f} {res['p50'] - 20:>7.3f}")
            print(f"native p50 - curl p50 = {p50['native'] - p50['curl']:+.3f} ms (goal: within 1 ms of curl's and of "
                  f"the 20 ms delay)")
    finally:
        if target:
            latency_accuracy.stop(target)
        engine_bench.stop_nginx(nginx, workdir)


if __name__ == "__main__":
    main()
