#!/usr/bin/env python3
"""The report of bench/soak.sh (issue 8): reads a soak run's directory and prints, per
process, RSS first/last/max, the RSS slope per hour and the average CPU; the campaign's
summary; and the totals check (the broker's total against the target's own count).

Input, all in --dir (written by soak.sh): samples.csv (one row per process and sample:
unix_ms, process, pid, vmrss_kib, rssanon_kib, utime_ticks, stime_ticks, threads, load1),
summary.json (the broker's), target_stats.json (`loadgrid target`'s /__stats after the
broker ended) and campaign.ini.

The slope is an ordinary least-squares fit of VmRSS (MiB) against time (hours) over the
samples inside the steady window: from the campaign's start instant (`started_unix_ms`)
plus --warmup seconds to its planned end. It is printed in MiB/h, in %/h of the mean RSS
in the window, and with its standard error (samples are not independent, so the error is
rather too small); the second half of the window is fitted alone too (a bounded warm-up
flattens there, a leak keeps its slope); the same fit of RssAnon (the heap and other
private memory, without the mapped binary and libraries) is shown beside it. A process
"rises" when its VmRSS slope is above --goal %/h and above twice its standard error (the
growth is both material and not noise). The verdict: "grows" when both the whole window
and its second half rise (a steady climb); "settles" when only the whole window does (the
growth happened early and stopped: allocator and histogram high-water marks filling up,
see bench/README.md); otherwise "flat". CPU % is of one core,
(utime + stime) between the first and last sample of the window over the time between them.

Exit status 1 when the broker failed, the totals differ, a request failed or a process
grows; else 0. --markdown FILE appends the table, the command, the date, `uname -a` and
the load averages. stdlib only.

    python3 bench/soak_report.py --dir results/soak-20261201T120000Z --warmup 60
"""
import argparse
import csv
import datetime
import json
import math
import os
import subprocess
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")
ORDER = ["broker", "relay", "agent-a", "agent-b", "target"]


def read_samples(path):
    """{process: [(unix s, vmrss MiB, rssanon MiB, cpu ticks, threads)]} and the load averages."""
    by_process, loads = {}, []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                t = int(row["unix_ms"]) / 1000.0
                rss = int(row["vmrss_kib"]) / 1024.0
                anon = int(row["rssanon_kib"]) / 1024.0
                ticks = int(row["utime_ticks"]) + int(row["stime_ticks"])
                threads = int(row["threads"])
            except (ValueError, TypeError):
                continue  # a process caught between its exit and our read
            by_process.setdefault(row["process"], []).append((t, rss, anon, ticks, threads))
            loads.append((t, float(row["load1"])))
    return by_process, loads


def fit(points):
    """Least squares y = a + b x: (b, standard error of b), or None below 3 points."""
    n = len(points)
    if n < 3:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    a = my - b * mx
    ssr = sum((y - a - b * x) ** 2 for x, y in points)
    return b, math.sqrt(ssr / (n - 2) / sxx)


def analyse(samples, t0, t1, goal):
    """One row of the table for one process's samples; [t0, t1] is the steady window."""
    row = {"samples": len(samples), "first": samples[0][1], "last": samples[-1][1],
           "max": max(s[1] for s in samples), "threads": samples[-1][4]}
    inside = [s for s in samples if t0 <= s[0] <= t1]
    row["fitted"] = len(inside)
    rss = fit([((s[0] - t0) / 3600.0, s[1]) for s in inside])
    anon = fit([((s[0] - t0) / 3600.0, s[2]) for s in inside])
    if rss is not None:
        mean = sum(s[1] for s in inside) / len(inside)
        row["slope"], row["se"] = rss
        row["pct"] = row["slope"] / mean * 100.0
        row["window_change"] = row["slope"] * (inside[-1][0] - inside[0][0]) / 3600.0
        row["anon_slope"] = anon[0] if anon else None
        # The second half of the window alone: a bounded warm-up flattens there, a leak does not.
        mid = (inside[0][0] + inside[-1][0]) / 2.0
        late = fit([((s[0] - t0) / 3600.0, s[1]) for s in inside if s[0] >= mid])
        row["late_slope"] = late[0] if late else None
        rising = row["pct"] > goal and row["slope"] > 2 * row["se"]
        late_rising = late is not None and late[0] / mean * 100.0 > goal and late[0] > 2 * late[1]
        row["verdict"] = "grows" if rising and late_rising else "settles" if rising else "flat"
    if len(inside) >= 2 and inside[-1][0] > inside[0][0]:
        row["cpu"] = (inside[-1][3] - inside[0][3]) / CLK_TCK / (inside[-1][0] - inside[0][0]) * 100.0
    return row


def fmt(v, spec):
    return "-" if v is None else spec.format(v)


def table(rows, goal):
    head = ["process", "samples (fit)", "RSS first MiB", "RSS last MiB", "RSS max MiB", "slope MiB/h",
            "± SE", "slope %/h", "change in fit", "2nd half MiB/h", "anon MiB/h", "CPU % avg", "threads", "verdict"]
    lines = []
    for name, r in rows:
        lines.append([name, f"{r['samples']} ({r['fitted']})", f"{r['first']:.1f}", f"{r['last']:.1f}",
                      f"{r['max']:.1f}", fmt(r.get("slope"), "{:+.3f}"), fmt(r.get("se"), "{:.3f}"),
                      fmt(r.get("pct"), "{:+.2f}"), fmt(r.get("window_change"), "{:+.2f} MiB"),
                      fmt(r.get("late_slope"), "{:+.3f}"),
                      fmt(r.get("anon_slope"), "{:+.3f}"), fmt(r.get("cpu"), "{:.1f}"), str(r["threads"]),
                      r.get("verdict", "-")])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="the soak run's directory (soak.sh --out)")
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds after the start left out of the fit")
    ap.add_argument("--goal", type=float, default=1.0, help="%%/h above which a significant slope is growth")
    ap.add_argument("--broker-exit", default="0", help="the broker's exit status, as soak.sh saw it")
    ap.add_argument("--load", nargs=2, default=["?", "?"], metavar=("BEFORE", "AFTER"),
                    help="/proc/loadavg's first three fields before and after the run")
    ap.add_argument("--build-type", default="unknown")
    ap.add_argument("--markdown", metavar="FILE", help="append the report to FILE")
    ap.add_argument("--command", default="bash bench/soak.sh", help="the command line, for --markdown")
    args = ap.parse_args()

    problems = []
    if args.broker_exit != "0":
        problems.append(f"the broker exited {args.broker_exit} (see logs/broker.err)")
    try:
        with open(os.path.join(args.dir, "summary.json")) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        summary = {}
        problems.append(f"no summary.json: {e}")
    try:
        with open(os.path.join(args.dir, "target_stats.json")) as f:
            target = json.load(f)
    except (OSError, ValueError) as e:
        target = {}
        problems.append(f"no target_stats.json: {e}")
    samples, loads = read_samples(os.path.join(args.dir, "samples.csv"))

    started = summary.get("started_unix_ms")
    duration = summary.get("duration_s") or 0.0
    if started:
        t0 = started / 1000.0 + args.warmup
        t1 = started / 1000.0 + duration
    else:  # never started: fit over everything sampled, for what it is worth
        problems.append("summary.json has no started_unix_ms: the campaign never started")
        t0, t1 = 0.0, float("inf")
    order = [p for p in ORDER if p in samples] + sorted(p for p in samples if p not in ORDER)
    rows = [(p, analyse(samples[p], t0, t1, args.goal)) for p in order]

    total = summary.get("total", {})
    health = summary.get("health", {})
    requests, failures = total.get("requests"), total.get("failures")
    served = target.get("requests")
    if requests is None or served is None or requests != served:
        problems.append(f"totals differ: broker {requests}, target {served}")
    if failures:
        problems.append(f"{failures} failed requests: {total.get('failures_by_kind')}")
    growing = [p for p, r in rows if r.get("verdict") == "grows"]
    if growing:
        problems.append("RSS grows: " + ", ".join(growing))

    load_values = [l for _, l in loads]
    lines = table(rows, args.goal)
    facts = [
        f"campaign: state {summary.get('state')}, {duration:.0f} s planned, elapsed {summary.get('elapsed_s')} s; "
        f"requests {requests}, failures {failures}, rps {fmt(total.get('rps'), '{:.1f}')}, "
        f"dropped iterations {total.get('dropped_iterations')}; latency p50/p99/max "
        + "/".join(fmt(total.get('latency_ms', {}).get(k), '{:.2f}') for k in ('p50', 'p99', 'max'))
        + f" ms; windows counted {health.get('counted_windows')}, lost agents {health.get('lost_agents')}, "
        f"rejected/dropped frames {health.get('rejected_frames')}/{health.get('dropped_frames')}, "
        f"warnings {len(summary.get('warnings', []))}",
        f"totals: broker summary.json total.requests {requests}, target /__stats requests {served}: "
        + ("equal" if requests is not None and requests == served else "DIFFERENT"),
        f"fit window: {args.warmup:.0f} s after the start to the planned end "
        f"({(t1 - t0) / 60.0:.1f} min); slope and SE from least squares on VmRSS, "
        f"'2nd half' the same on the second half of the window alone, 'anon' on RssAnon; "
        f"CPU % of one core over the fit window; verdict: 'grows' when the slope of the window "
        f"and of its second half both exceed {args.goal:g} %/h and twice their SE, 'settles' "
        f"when only the window's does, else 'flat'",
        f"machine: {os.cpu_count()} cores shared with other work; 1-minute load average "
        f"{min(load_values, default=0):.2f}..{max(load_values, default=0):.2f} while sampling "
        f"(mean {sum(load_values) / max(1, len(load_values)):.2f}); /proc/loadavg before {args.load[0]}, "
        f"after {args.load[1]}",
    ]
    print()
    print("\n".join(lines))
    print()
    print("\n".join(facts))
    print(f"samples: {os.path.join(args.dir, 'samples.csv')}")
    print("verdict: " + ("; ".join(problems) if problems else
                         f"no process grows by more than {args.goal:g} %/h beyond noise; totals equal"))

    if args.markdown:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short",
                                 "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
        start = (datetime.datetime.fromtimestamp(started / 1000.0).astimezone().strftime("%Y-%m-%d %H:%M %Z")
                 if started else "?")
        with open(args.markdown, "a") as f:
            f.write(f"\n## Soak (issue 8)\n\nCampaign started {start}, commit {commit}, {args.build_type} build:\n\n"
                    f"```sh\n{args.command}\n```\n\n`{uname}`\n\n" + "\n".join(lines) + "\n\n"
                    + "\n".join("- " + l for l in facts) + "\n- verdict: "
                    + ("; ".join(problems) if problems else
                       f"no process grows by more than {args.goal:g} %/h beyond noise; totals equal") + "\n")
        print(f"appended to {args.markdown}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
