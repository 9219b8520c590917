#!/usr/bin/env python3
"""Coordination benchmark: what the broker pays to coordinate N agents, direct or via relays.

For each N in --agents (default 1000, 5000, 10000) and each topology:
  direct  all N simulated agents directly under the broker (one `loadgrid-swarm`);
  relays  N spread evenly over --relays `loadgrid relay` processes, each with its own
          swarm of N/relays agents;
runs a campaign (users = 10 per agent, --duration, --interval, --names requests to
http://127.0.0.1:9/, never contacted: the swarm only simulates) and measures the broker:
CPU % of one core over the running phase (/proc/PID/stat), peak RSS (VmHWM and the
ru_maxrss of os.wait4), and from summary.json the freshness p50/p99 (window end ->
counted at the broker), counted/duplicate windows and rejected frames. It checks that
nothing was dropped: counted windows == the windows the swarms say they sent (== N x
windows per agent), and total requests == the sum the swarms claim.

Every process is started here, on 127.0.0.1, bounded in time, and ended by PID.
Everything shares this machine's cores: relays and swarms compete with the broker.
stdlib only.  python3 bench/coordination_bench.py [--quick] [--agents 1000,5000] [--perf]
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.2

# The goal for the grid's coordination path (10,000 agents through relays, 1 s windows).
GOAL_AGENTS = 10000
GOAL_CPU_PERCENT = 25.0
GOAL_P99_MS = 2000.0


# ---------------------------------------------------------------- processes

class Child:
    """One process this script started: log files, CPU samples, reaped with wait4."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.argv = argv
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self.status = None      # wait status once reaped
        self.rusage = None
        self.hwm_kib = 0

    def alive(self):
        return self.status is None

    def poll(self):
        """Reaps the process if it has exited. Returns True while it runs."""
        if self.status is not None:
            return False
        try:
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.status = 0
            return False
        if pid == 0:
            return True
        self.status, self.rusage = status, rusage
        self.proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        return False

    def exit_code(self):
        return None if self.status is None else os.waitstatus_to_exitcode(self.status)

    def ticks(self):
        """utime + stime in clock ticks, or None once gone."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                data = f.read()
        except OSError:
            return None
        fields = data[data.rindex(")") + 2:].split()  # fields[0] is field 3, state
        return int(fields[11]) + int(fields[12])

    def sample_hwm(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.hwm_kib = max(self.hwm_kib, int(line.split()[1]))
        except OSError:
            pass

    def peak_rss_mib(self):
        rss = self.hwm_kib
        if self.rusage is not None:
            rss = max(rss, self.rusage.ru_maxrss)  # KiB on Linux
        return rss / 1024.0

    def wait(self, timeout):
        deadline = time.time() + timeout
        while self.poll():
            if time.time() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def end(self, grace=10.0):
        """SIGTERM, then SIGKILL after `grace` seconds; always by PID."""
        if not self.poll():
            return
        os.kill(self.pid, signal.SIGTERM)
        if not self.wait(grace):
            os.kill(self.pid, signal.SIGKILL)
            self.wait(5)

    def stderr_text(self):
        with open(self.err_path) as f:
            return f.read()


def end_all(children, grace=10.0):
    """SIGTERM every child still running, then SIGKILL whoever outlives `grace`; by PID."""
    running = [c for c in children if c.poll()]
    for c in running:
        os.kill(c.pid, signal.SIGTERM)
    deadline = time.time() + grace
    for c in running:
        if not c.wait(max(0.0, deadline - time.time())):
            os.kill(c.pid, signal.SIGKILL)
            c.wait(5)


LISTENING = re.compile(r"listening on (tcp://127\.0\.0\.1:[0-9]+,[0-9]+)")


def listening_address(child, timeout=20.0):
    """The address a broker or relay started with `--listen tcp://127.0.0.1:0` bound, read
    from its "listening on tcp://127.0.0.1:PLANS,REPORTS" log line (no port is probed)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = LISTENING.search(child.stderr_text())
        if m:
            return m.group(1)
        if not child.poll():
            break
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} did not say where it listens; stderr:\n{child.stderr_text()}")


def split_evenly(total, parts):
    q, r = divmod(total, parts)
    return [q + (1 if i < r else 0) for i in range(parts)]


# ---------------------------------------------------------------- one run

def write_campaign(path, name, agents, args):
    lines = ["[campaign]", f"name = {name}", f"duration = {args.duration}s", f"interval = {args.interval_ms}ms",
             "[load]", f"users = {agents * 10}"]
    for i in range(args.names):
        lines += [f"[request.r{i}]", "url = http://127.0.0.1:9/"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def parse_swarm_stats(child):
    with open(child.out_path) as f:
        for line in f:
            if line.startswith("swarm-stats "):
                stats = {}
                for kv in line.split()[1:]:
                    k, _, v = kv.partition("=")
                    stats[k] = v
                return stats
    return None


def cpu_percent(samples, key, t0, t1):
    """CPU % of one core of `key` between the samples nearest inside [t0, t1]."""
    inside = [s for s in samples if t0 <= s["t"] <= t1 and s.get(key) is not None]
    if len(inside) < 2 or inside[-1]["t"] - inside[0]["t"] < 1.0:
        return None
    return (inside[-1][key] - inside[0][key]) / CLK_TCK / (inside[-1]["t"] - inside[0]["t"]) * 100.0


def start_perf(target, workdir, seconds):
    path = os.path.join(workdir, f"perf-{target.name}.data")
    # DWARF unwinding: the build keeps no frame pointers, so -g alone cannot name callers.
    perf = Child(f"perf-{target.name}", ["perf", "record", "--call-graph", "dwarf,16384", "-F", "199", "-o", path,
                                         "-p", str(target.pid),
                          "--", "sleep", str(seconds)], workdir)
    return perf, path


def perf_summary(path, workdir, who):
    """Top symbols, self and inclusive (grid:: frames), as text; full reports saved next to the data."""
    out = []
    for title, extra in (("self", ["--no-children"]), ("inclusive", ["--children"])):
        try:
            text = subprocess.run(["perf", "report", "-i", path, "--stdio", "--sort", "symbol", "-g", "none",
                                   "--percent-limit", "1.5"] + extra,
                                  capture_output=True, text=True, timeout=180).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            text = f"perf report failed: {e}"
        with open(os.path.join(workdir, f"perf-{who}-{title}.txt"), "w") as f:
            f.write(text)
        rows = [" ".join(l.split()).removesuffix(" - -") for l in text.splitlines()
                if l.strip() and not l.startswith("#")]
        if title == "inclusive":  # our frames only: the rest is inlined msgpack and std templates
            rows = [r for r in rows if "grid::" in r.split("]", 1)[-1][:40] and "(inlined)" not in r]
        out.append(f"  perf {who}, {title} time:\n" + "\n".join("    " + r[:150] for r in rows[:16]))
    return "\n".join(out)


def run_one(topology, agents, args, outdir):
    name = f"coord-{topology}-{agents}"
    workdir = os.path.join(outdir, name)
    os.makedirs(workdir, exist_ok=True)
    campaign = os.path.join(workdir, "campaign.ini")
    write_campaign(campaign, name, agents, args)
    relays_n = args.relays if topology == "relays" else 0
    results = os.path.join(workdir, "results")
    loadgrid, swarm_bin = args.loadgrid, args.swarm
    expect_timeout = 60
    children, perfs = [], []  # perfs: (Child, data path, who)
    broker = Child("broker", [loadgrid, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--expect-agents",
                              str(agents), "--expect-timeout", f"{expect_timeout}s", "--results", results, "-q"], workdir)
    relays, swarms = [], []
    swarm_common = ["--names", str(args.names), "--region", "default", "--duration", f"{args.swarm_bound}s",
                    "--rps-per-agent", str(args.rps_per_agent), "--stats"]
    try:
        broker_addr = listening_address(broker)
        if topology == "direct":
            swarms.append(Child("swarm", [swarm_bin, "--parent", broker_addr, "--agents", str(agents),
                                          "--prefix", "d-"] + swarm_common, workdir))
        else:
            for j, share in enumerate(split_evenly(agents, relays_n)):
                relays.append(Child(f"relay{j}", [loadgrid, "relay", "--parent", broker_addr, "--listen",
                                                  "tcp://127.0.0.1:0", "--id", f"relay-{j}", "--region", "default"],
                                    workdir))
                relay_addr = listening_address(relays[-1])
                swarms.append(Child(f"swarm{j}", [swarm_bin, "--parent", relay_addr, "--agents", str(share),
                                                  "--prefix", f"r{j}-"] + swarm_common, workdir))
        children = [broker] + relays + swarms
        samples = []
        want_perf = args.perf and agents in args.perf_agents
        hard_deadline = time.time() + expect_timeout + args.duration + args.drain_bound
        while broker.poll():
            now = time.time()
            if now >= hard_deadline:
                print(f"  {name}: broker still running at the time bound; ending it", file=sys.stderr)
                broker.end()
                break
            s = {"t": now, "broker": broker.ticks(),
                 "relays": sum(t for t in (r.ticks() for r in relays) if t is not None) if relays else None,
                 "swarms": sum(t for t in (w.ticks() for w in swarms) if t is not None)}
            samples.append(s)
            broker.sample_hwm()
            if want_perf and not perfs and "running:" in swarms[0].stderr_text():
                perfs = [start_perf(c, workdir, args.duration) + (c.name,) for c in [broker] + relays[:1]]
            for c in relays + swarms:
                c.poll()
            time.sleep(SAMPLE_S)
        # The broker is done: swarms exit on its finished plan (or their linger); relays on SIGTERM.
        deadline = time.time() + 30
        for w in swarms:
            if not w.wait(max(0.0, deadline - time.time())):
                print(f"  {name}: {w.name} did not exit; ending it", file=sys.stderr)
        end_all(swarms + relays)
        for perf, _, _ in perfs:
            if not perf.wait(30):
                os.kill(perf.pid, signal.SIGINT)
                perf.wait(30)
    finally:
        end_all((children or [broker]) + [p for p, _, _ in perfs], grace=5)

    row = {"topology": topology, "agents": agents, "broker_exit": broker.exit_code(), "workdir": workdir}
    row["broker_rss_mib"] = broker.peak_rss_mib()
    summary_path = os.path.join(results, "summary.json")
    try:
        with open(summary_path) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        row["error"] = f"no summary.json ({e}); see {workdir}"
        return row
    health = summary.get("health", {})
    start = summary.get("started_unix_ms", 0) / 1000.0
    end = start + summary.get("duration_s", 0)
    row["broker_cpu"] = cpu_percent(samples, "broker", start, end)
    row["relays_cpu"] = cpu_percent(samples, "relays", start, end) if relays else None
    row["swarms_cpu"] = cpu_percent(samples, "swarms", start, end)
    row["fresh_p50"] = health.get("freshness_ms", {}).get("p50")
    row["fresh_p99"] = health.get("freshness_ms", {}).get("p99")
    row["fresh_max"] = health.get("freshness_ms", {}).get("max")
    row["counted"] = health.get("counted_windows", 0)
    row["duplicates"] = health.get("duplicate_windows", 0)
    row["rejected"] = health.get("rejected_frames", 0)
    row["lost_agents"] = health.get("lost_agents", 0)
    row["requests_counted"] = summary.get("total", {}).get("requests", 0)
    stats = [parse_swarm_stats(w) for w in swarms]
    if any(s is None for s in stats):
        row["error"] = f"a swarm printed no stats; see {workdir}"
        return row
    total = lambda key: sum(int(s[key]) for s in stats)
    row["sent"] = total("windows")
    row["send_blocked"] = total("send_blocked")
    row["requests_sent"] = total("requests")
    row["agents_ran"] = total("agents_ran")
    lo = min(int(s["min_agent_windows"]) for s in stats)
    hi = max(int(s["max_agent_windows"]) for s in stats)
    row["per_agent"] = f"{lo}" if lo == hi else f"{lo}-{hi}"
    # Expected: every agent ran and sent the same number of windows, which the swarms sent.
    row["expected"] = agents * lo if lo == hi and row["agents_ran"] == agents else row["sent"]
    row["dropped"] = row["expected"] - row["counted"]
    row["ok"] = (row["dropped"] == 0 and row["sent"] == row["expected"] and row["send_blocked"] == 0 and
                 row["duplicates"] == 0 and row["rejected"] == 0 and row["requests_counted"] == row["requests_sent"]
                 and row["agents_ran"] == agents)
    if perfs:
        row["perf"] = "\n".join(perf_summary(path, workdir, who) for _, path, who in perfs)
    return row


# ---------------------------------------------------------------- report

def fmt(v, spec="{:.1f}"):
    return "-" if v is None else spec.format(v)


def print_table(rows):
    head = ["topology", "agents", "broker CPU %", "broker RSS MiB", "fresh p50 ms", "fresh p99 ms",
            "windows expected/counted", "dropped", "requests ok", "relays CPU %", "swarms CPU %"]
    lines = []
    for r in rows:
        if "error" in r:
            lines.append([r["topology"], str(r["agents"]), "error: " + r["error"]] + [""] * (len(head) - 3))
            continue
        lines.append([r["topology"], str(r["agents"]), fmt(r["broker_cpu"]), fmt(r["broker_rss_mib"]),
                      fmt(r["fresh_p50"]), fmt(r["fresh_p99"]), f"{r['expected']}/{r['counted']}",
                      str(r["dropped"]), "yes" if r["requests_counted"] == r["requests_sent"] else
                      f"no ({r['requests_counted']}/{r['requests_sent']})",
                      fmt(r["relays_cpu"]), fmt(r["swarms_cpu"])])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    print("\n".join(out))


def print_goals(rows):
    print(f"\ngoal: {GOAL_AGENTS} agents through relays at 1 s windows: broker < {GOAL_CPU_PERCENT:.0f}% of one core, "
          f"freshness p99 < {GOAL_P99_MS / 1000:.0f} s, nothing dropped")
    goal = [r for r in rows if r["topology"] == "relays" and r["agents"] == GOAL_AGENTS and "error" not in r]
    if not goal:
        print("  (not measured in this run: needs --agents with 10000 and the relays topology)")
        return
    for r in goal:
        checks = [("broker CPU", r["broker_cpu"] is not None and r["broker_cpu"] < GOAL_CPU_PERCENT,
                   f"{fmt(r['broker_cpu'])}%"),
                  ("freshness p99", r["fresh_p99"] is not None and r["fresh_p99"] < GOAL_P99_MS,
                   f"{fmt(r['fresh_p99'])} ms"),
                  ("nothing dropped", r["ok"], f"dropped {r['dropped']}, blocked {r['send_blocked']}, "
                                               f"duplicates {r['duplicates']}, rejected {r['rejected']}")]
        for what, passed, value in checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {what}: {value}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", default="1000,5000,10000", help="comma-separated agent counts")
    ap.add_argument("--quick", action="store_true", help="only 1000 agents")
    ap.add_argument("--topologies", default="direct,relays", help="direct, relays or both")
    ap.add_argument("--relays", type=int, default=10)
    ap.add_argument("--duration", type=int, default=20, help="campaign running phase, seconds")
    ap.add_argument("--interval-ms", type=int, default=1000, help="stats window")
    ap.add_argument("--names", type=int, default=10, help="request names per window")
    ap.add_argument("--rps-per-agent", type=float, default=500)
    ap.add_argument("--drain-bound", type=int, default=60, help="seconds allowed after the running phase")
    ap.add_argument("--perf", action="store_true", help="perf record the broker (and relay0) over the running phase; prints top symbols")
    ap.add_argument("--perf-agents", default="10000", help="agent counts to profile with --perf")
    ap.add_argument("--out", help="directory for logs and results (default: a new temp dir)")
    ap.add_argument("--loadgrid", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    ap.add_argument("--swarm", default=os.path.join(ROOT, "build", "bench", "loadgrid-swarm"))
    args = ap.parse_args()
    args.agent_counts = [1000] if args.quick else [int(a) for a in args.agents.split(",") if a]
    args.perf_agents = [int(a) for a in args.perf_agents.split(",") if a]
    args.swarm_bound = 60 + args.duration + args.drain_bound + 30
    topologies = [t for t in args.topologies.split(",") if t]
    for t in topologies:
        if t not in ("direct", "relays"):
            sys.exit(f"unknown topology {t!r}")
    for path in (args.loadgrid, args.swarm):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build first (cmake -S . -B build && cmake --build build -j2)")
    outdir = args.out or tempfile.mkdtemp(prefix="loadgrid-coordbench-")
    os.makedirs(outdir, exist_ok=True)
    print(f"coordination bench: agents {args.agent_counts}, topologies {topologies}, {args.relays} relays, "
          f"{args.duration}s at {args.interval_ms} ms windows, {os.cpu_count()} cores shared by everything; "
          f"logs in {outdir}", flush=True)
    rows = []
    for agents in args.agent_counts:
        for topology in topologies:
            t0 = time.time()
            row = run_one(topology, agents, args, outdir)
            rows.append(row)
            brief = row.get("error") or (f"broker {fmt(row['broker_cpu'])}% CPU, p99 {fmt(row['fresh_p99'])} ms, "
                                         f"counted {row['counted']}/{row['expected']}")
            print(f"  {topology:7} {agents:6}: {brief} ({time.time() - t0:.0f}s)", flush=True)
            if row.get("perf"):
                print(row["perf"], flush=True)
    print()
    print_table(rows)
    print_goals(rows)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump([{k: v for k, v in r.items() if k != "perf"} for r in rows], f, indent=2)
    bad = [r for r in rows if "error" in r or not r.get("ok")]
    if bad:
        print("\nruns where something was dropped or miscounted: " + ", ".join(
            f"{r['topology']}-{r['agents']}" for r in bad) + f" (logs under {outdir})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
