#!/usr/bin/env python3
"""Arrival-rate accuracy (issue 7): does the open model deliver the planned rate grid-wide?

For each planned rate N in --rates (default 200, 1000, 3000 iterations/s) it runs one
open-model campaign, `stages = 2s:N, STEADYs:N, 1s:0` (ramp 0 -> N in 2 s, hold N for
--steady seconds, ramp down to 0 in 1 s), `max_users = 2000`, one request to nginx, on a
real grid: `loadgrid broker` <- one `loadgrid relay` <- two `loadgrid agent`s with one
engine thread each. So the rate is split by the broker, split again by the relay and
spaced by each agent on its own.

The achieved rate is measured by a source we did not write: nginx (Debian's
/usr/sbin/nginx, one worker, a fixed small body, loopback, a free port) logs `$msec` for
every request. Counted are the requests whose `$msec` falls in the inner part of the
steady stage: [start + 2 s + 1 s, start + 2 s + STEADY - 1 s) (the first and last second
are skipped to avoid edge effects), divided by that span. `start` is `started_unix_ms` of
the broker's summary.json: the plan's start instant (broker/broker_node.cpp sets it from
`plan_.start_unix_us`, the instant the running phase begins), on the same clock as
nginx's since everything runs on this machine. `$msec` is when nginx logged the request
(its response sent); on loopback that is well under a millisecond after the arrival.

From summary.json it also reads total requests, `total.dropped_iterations` (an arrival
that found no free user) and failures, and compares the broker's total with the number
of lines nginx logged for the run: they must be equal. Prints one row per rate: planned
and achieved rate, ratio, error %, dropped, failures, both totals, and PASS when the
achieved rate is within --goal (1 %) of the plan, MISS otherwise. Exit status 1 on any
MISS, totals mismatch or failed run. Below the table, per rate: the smallest and largest
count of the window's whole seconds and the longest gap between two logged requests in
it; latency (from the intended start) and service time, p99 and max; the whole run against the plan (requests + dropped
must equal the planned iterations: one request per iteration); the first request's
offset from the start instant beside the ramp's first arrival (~sqrt(4/N) s); and the
CPU of broker, relay, agents and nginx's worker over the window (/proc: the cores are
shared, so a MISS at a high rate may be a saturated machine).

Every process is started here, on 127.0.0.1, bounded in time, and ended by PID (SIGTERM,
then SIGKILL). Nothing is written outside a temp directory (removed unless --keep) except
with --markdown FILE, which appends the table, the command line, `uname -a` and the date.
stdlib only.

    python3 bench/arrival_rate_bench.py                  # 200, 1000, 3000/s; 10 s steady (~1.5 min)
    python3 bench/arrival_rate_bench.py --quick          # 200, 1000/s; 5 s steady
    python3 bench/arrival_rate_bench.py --rates 500,5000 --steady 20 --markdown bench/results/X.md
"""
import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.25  # CPU sampling period while a campaign runs

RAMP_UP_S = 2      # the first stage: 0 -> N
RAMP_DOWN_S = 1    # the last stage: N -> 0
EDGE_S = 1         # skipped at each end of the steady stage
MAX_USERS = 2000
EXPECT_AGENTS = 2
EXPECT_TIMEOUT_S = 30
DRAIN_BOUND_S = 60  # the broker may take this long beyond waiting + the campaign (lead time, drain, report)

NGINX_BODY = "loadgrid arrival-rate benchmark: a fixed small body.\n"
NGINX_CONF = """# nginx for bench/arrival_rate_bench.py: loopback only, one worker, a fixed small body,
# one access-log line per request with the time nginx logged it ($msec, ms resolution).
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; }}
worker_rlimit_nofile 10000;
http {{
  log_format arrival '$msec $status $request_uri';
  access_log {dir}/access.log arrival;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      default_type text/plain;
      return 200 "{body}";
    }}
  }}
}}
"""


# ---------------------------------------------------------------- processes

def cpu_ticks(pid):
    """utime + stime of `pid` in clock ticks, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()  # fields[0] is field 3, state
    return int(fields[11]) + int(fields[12])


class Child:
    """One process this script started, with its output in files; ended by PID."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.argv = argv
        self.err_path = os.path.join(workdir, name + ".err")
        with open(os.path.join(workdir, name + ".out"), "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        try:
            self.proc.wait(timeout=max(0.0, timeout))
            return True
        except subprocess.TimeoutExpired:
            return False

    def exit_code(self):
        return self.proc.returncode

    def stderr_text(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def stderr_tail(self, lines=15):
        return "\n".join(self.stderr_text().splitlines()[-lines:])


def end_all(children, grace=10.0):
    """SIGTERM every child still running, then SIGKILL whoever outlives `grace`; by PID."""
    running = [c for c in children if c is not None and c.running()]
    for c in running:
        os.kill(c.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for c in running:
        if not c.wait(deadline - time.monotonic()):
            print(f"  {c.name} (pid {c.pid}) outlived SIGTERM by {grace:.0f} s: SIGKILL", file=sys.stderr)
            os.kill(c.pid, signal.SIGKILL)
            c.wait(5)


LISTENING = re.compile(r"listening on (tcp://127\.0\.0\.1:[0-9]+,[0-9]+)")


def listening_address(child, timeout=20.0):
    """The address a broker or relay started with `--listen tcp://127.0.0.1:0` bound, read
    from its "listening on tcp://127.0.0.1:PLANS,REPORTS" log line (no port is probed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = LISTENING.search(child.stderr_text())
        if m:
            return m.group(1)
        if not child.running():
            break
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} did not say where it listens (exit {child.exit_code()}); stderr:\n"
                       f"{child.stderr_tail()}")


# ---------------------------------------------------------------- nginx

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_children(pid):
    """PIDs of nginx's workers (children of its master), from /proc."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Nginx:
    """nginx on 127.0.0.1:port with its config, pid file and logs in `workdir`."""

    def __init__(self, binary, workdir):
        self.workdir = workdir
        self.access_log = os.path.join(workdir, "access.log")
        self.proc = None
        for _ in range(5):  # the free port may be taken between the probe and nginx's bind
            self.port = free_port()
            conf = os.path.join(workdir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(NGINX_CONF.format(dir=workdir, port=self.port, body=NGINX_BODY.replace("\n", "\\n")))
            # -e: the error log before the config is read, so nothing goes to /var/log/nginx.
            self.proc = subprocess.Popen([binary, "-p", workdir, "-c", conf, "-e", os.path.join(workdir, "error.log")],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            if self._wait_listening(10):
                return
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
            self.stop()
            if "Address already in use" not in err:
                raise RuntimeError(f"nginx did not start: {err}")
        raise RuntimeError("nginx did not start: no free port after 5 tries")

    def _wait_listening(self, timeout):
        # A bare connect and close makes no access-log line (nginx logs requests, not connections).
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def log_size(self):
        try:
            return os.path.getsize(self.access_log)
        except OSError:
            return 0

    def stop(self):
        """SIGQUIT (graceful), then SIGKILL master and workers by PID after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        workers = nginx_children(self.proc.pid)
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            pass
        for pid in [self.proc.pid] + workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=5)


def read_access_log(path, offset):
    """(unix ms, status) of every request nginx logged after byte `offset`.
    A line is `$msec $status $request_uri`, $msec being seconds with a 3-digit fraction."""
    entries = []
    with open(path, "rb") as f:
        f.seek(offset)
        for raw in f:
            fields = raw.split()
            if len(fields) < 2:
                continue
            sec, _, frac = fields[0].partition(b".")
            entries.append((int(sec) * 1000 + int(frac.ljust(3, b"0")[:3]), int(fields[1])))
    return entries


# ---------------------------------------------------------------- measurement

def steady_window_ms(started_unix_ms, steady_s):
    """[from, to) in unix ms: the steady stage without its first and last EDGE_S seconds."""
    begin = started_unix_ms + (RAMP_UP_S + EDGE_S) * 1000
    end = started_unix_ms + (RAMP_UP_S + steady_s - EDGE_S) * 1000
    return begin, end


def measure(entries, begin_ms, end_ms):
    """Requests logged in [begin_ms, end_ms), the rate over that span, the smallest and
    largest count of its whole seconds, and the longest gap between two logged requests
    (a stall of the target or the machine shows here)."""
    inside = sorted(t for t, _ in entries if begin_ms <= t < end_ms)
    span_s = (end_ms - begin_ms) / 1000.0
    per_second = [0] * int(span_s)
    for t in inside:
        i = (t - begin_ms) // 1000
        if i < len(per_second):
            per_second[i] += 1
    return {"count": len(inside), "span_s": span_s, "achieved": len(inside) / span_s,
            "sec_min": min(per_second) if per_second else None, "sec_max": max(per_second) if per_second else None,
            "max_gap_ms": max((b - a for a, b in zip(inside, inside[1:])), default=None)}


def planned_total(rate, steady_s):
    """Iterations the plan asks for over the whole campaign: both ramps are linear."""
    return rate * (RAMP_UP_S / 2.0 + steady_s + RAMP_DOWN_S / 2.0)


# ---------------------------------------------------------------- one run

def write_campaign(path, name, rate, steady_s, url):
    with open(path, "w") as f:
        f.write(f"[campaign]\nname = {name}\ninterval = 1s\n"
                f"[load]\nmodel = open\n"
                f"stages = {RAMP_UP_S}s:{rate}, {steady_s}s:{rate}, {RAMP_DOWN_S}s:0\n"
                f"max_users = {MAX_USERS}\n"
                f"[request.home]\nurl = {url}\ntimeout = 5s\n")


def run_one(rate, args, nginx, outdir):
    name = f"arrival-{rate}"
    workdir = os.path.join(outdir, name)
    os.makedirs(workdir)
    campaign = os.path.join(workdir, "campaign.ini")
    write_campaign(campaign, name, rate, args.steady, nginx.url())
    results = os.path.join(workdir, "results")
    row = {"rate": rate}
    log_offset = nginx.log_size()
    broker = relay = None
    agents = []
    samples = []  # (unix s, {process name: CPU ticks})
    lg = args.binary
    try:
        broker = Child("broker", [lg, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results", results,
                                  "--expect-agents", str(EXPECT_AGENTS), "--expect-timeout", f"{EXPECT_TIMEOUT_S}s",
                                  "-q"], workdir)
        broker_addr = listening_address(broker)
        relay = Child("relay", [lg, "relay", "--parent", broker_addr, "--listen", "tcp://127.0.0.1:0", "--id", "relay"],
                      workdir)
        relay_addr = listening_address(relay)
        for agent_id in ("agent-a", "agent-b"):
            agents.append(Child(agent_id, [lg, "agent", "--parent", relay_addr, "--id", agent_id, "--threads", "1"],
                                workdir))
        bound = EXPECT_TIMEOUT_S + RAMP_UP_S + args.steady + RAMP_DOWN_S + DRAIN_BOUND_S
        deadline = time.monotonic() + bound
        # Who used the cores during the window: everything here shares them.
        watched = [(c.name, c.pid) for c in [broker, relay] + agents] + \
                  [("nginx", pid) for pid in nginx_children(nginx.proc.pid)]
        while not broker.wait(SAMPLE_S):
            samples.append((time.time(), {name: cpu_ticks(pid) for name, pid in watched}))
            if time.monotonic() >= deadline:
                row["error"] = f"broker still running after {bound} s: ended it"
                end_all([broker])
                break
    except RuntimeError as e:
        row["error"] = str(e)
    finally:
        # Relays and agents keep running across campaigns until signalled.
        end_all(agents + [relay, broker])
    if "error" not in row and broker.exit_code() != 0:
        row["error"] = f"broker exited {broker.exit_code()}: {broker.stderr_tail(5)}"
    try:
        with open(os.path.join(results, "summary.json")) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        row.setdefault("error", f"no summary.json ({e}); broker stderr:\n{broker.stderr_tail() if broker else ''}")
        return row
    entries = read_access_log(nginx.access_log, log_offset)
    total = summary.get("total", {})
    # started_unix_ms is the running phase's start instant, stage time 0 (BrokerNode sets it
    # from plan_.start_unix_us; agents place their arrivals from the same instant), not when
    # the broker process started: no need to derive it from the first request. Cross-check,
    # printed as "first request ... after the start instant": the ramp 0 -> N over 2 s puts
    # the grid's first arrival at sqrt(4 / N) s (141 ms at 200/s, 37 ms at 3000/s).
    started = summary.get("started_unix_ms")
    if not started:
        row["error"] = "summary.json has no started_unix_ms: the campaign never started"
        return row
    begin, end = steady_window_ms(started, args.steady)
    m = measure(entries, begin, end)
    row.update(m)
    row["expected"] = rate * m["span_s"]
    row["ratio"] = m["achieved"] / rate
    row["error_pct"] = (row["ratio"] - 1.0) * 100.0
    row["pass"] = abs(row["error_pct"]) <= args.goal and "error" not in row  # an overrun broker, say
    row["first_arrival_ms"] = (4.0 / rate) ** 0.5 * 1000.0  # planned: N t^2 / 4 = 1 arrival
    row["dropped"] = total.get("dropped_iterations")  # absent before the open model exists
    row["failures"] = total.get("failures")
    row["summary_total"] = total.get("requests")
    row["nginx_total"] = len(entries)
    row["nginx_non200"] = sum(1 for _, status in entries if status != 200)
    row["totals_equal"] = row["summary_total"] == row["nginx_total"]
    row["planned_total"] = planned_total(rate, args.steady)
    row["first_ms"] = entries[0][0] - started if entries else None   # first request, after the start instant
    row["last_ms"] = entries[-1][0] - started if entries else None
    row["broker_exit"] = broker.exit_code()
    row["warnings"] = summary.get("warnings", [])
    row["cpu"] = cpu_percent(samples, begin / 1000.0, end / 1000.0)
    # Open model: latency_ms is from the intended start (CO-corrected), service_ms from the send.
    row["latency_p99_max"] = [total.get("latency_ms", {}).get(k) for k in ("p99", "max")]
    row["service_p99_max"] = [total.get("service_ms", {}).get(k) for k in ("p99", "max")]
    return row


def cpu_percent(samples, t0, t1):
    """CPU % of one core per process between the first and last samples inside [t0, t1]."""
    inside = [s for s in samples if t0 <= s[0] <= t1]
    if len(inside) < 2 or inside[-1][0] - inside[0][0] < 1.0:
        return {}
    (ta, a), (tb, b) = inside[0], inside[-1]
    return {name: (b[name] - a[name]) / CLK_TCK / (tb - ta) * 100.0
            for name in a if a[name] is not None and b.get(name) is not None}


# ---------------------------------------------------------------- report

def fmt(v, spec="{:.1f}"):
    return "-" if v is None else spec.format(v)


def table_lines(rows, goal):
    head = ["planned/s", "window s", "expected", "counted", "achieved/s", "ratio", "error %", "dropped",
            "failures", "summary total", "nginx lines", f"within {goal:g}%"]
    lines = []
    for r in rows:
        if "count" not in r:
            lines.append([str(r["rate"]), "error (below)"] + [""] * (len(head) - 3) + ["MISS"])
            continue
        lines.append([str(r["rate"]), fmt(r["span_s"], "{:.0f}"), fmt(r["expected"], "{:.0f}"), str(r["count"]),
                      fmt(r["achieved"], "{:.1f}"),
                      fmt(r["ratio"], "{:.4f}"), fmt(r["error_pct"], "{:+.2f}"), fmt(r["dropped"], "{}"),
                      fmt(r["failures"], "{}"), fmt(r["summary_total"], "{}"),
                      f"{r['nginx_total']}" + ("" if r["totals_equal"] else " (differs)"),
                      "PASS" if r["pass"] else "MISS" + (" (error)" if "error" in r else "")])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)] if lines else [len(h) for h in head]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    return out


def detail_lines(rows):
    out = []
    for r in rows:
        if "count" not in r:
            out.append(f"  {r['rate']}/s: error: {r['error']}")
            continue
        ran_or_dropped = (r["summary_total"] or 0) + (r["dropped"] or 0)
        cpu = ", ".join(f"{name} {pct:.0f}" for name, pct in r["cpu"].items()) or "not sampled"
        lat, svc = r["latency_p99_max"], r["service_p99_max"]
        out.append(f"  {r['rate']}/s: per whole second of the window {r['sec_min']}..{r['sec_max']} requests, "
                   f"longest gap at nginx {fmt(r['max_gap_ms'], '{}')} ms; "
                   f"latency p99/max {fmt(lat[0], '{:.1f}')}/{fmt(lat[1], '{:.1f}')} ms, "
                   f"service {fmt(svc[0], '{:.1f}')}/{fmt(svc[1], '{:.1f}')} ms; "
                   f"whole run {r['nginx_total']} logged of {r['planned_total']:.0f} planned "
                   f"({r['nginx_total'] / r['planned_total']:.4f}), requests + dropped = {ran_or_dropped}; "
                   f"first request {fmt(r['first_ms'], '{}')} ms after the start instant "
                   f"(ramp's first arrival ~{r['first_arrival_ms']:.0f}), last "
                   f"{fmt(r['last_ms'], '{}')} ms; non-200 at nginx {r['nginx_non200']}; CPU % of a core in the "
                   f"window: {cpu}"
                   + (f"; {len(r['warnings'])} broker warning(s), first: {r['warnings'][0]}" if r["warnings"] else "")
                   + (f"; error: {r['error']}" if "error" in r else ""))
    return out


def load_average():
    """The 1-minute load average: the cores are shared, and a busy machine delays timers."""
    return f"{os.getloadavg()[0]:.2f}"


def append_markdown(path, args, table, details, load_before):
    """Appends a section: heading, date, command line, uname -a, load, table, details."""
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    with open(path, "a") as f:
        f.write(f"\n## Arrival rate accuracy (issue 7)\n\nMeasured {now} with `bench/arrival_rate_bench.py`:\n\n"
                f"```sh\n{command}\n```\n\n`{uname}`; {os.cpu_count()} cores shared by everything; "
                f"1-minute load average {load_before} before the runs, {load_average()} after\n\n"
                f"Open model, stages `2s:N, {args.steady}s:N, 1s:0`, broker <- relay <- 2 agents (1 thread each); "
                f"achieved = nginx access-log lines in the steady stage minus its first and last {EDGE_S} s.\n\n"
                + "\n".join(table) + "\n\n" + "\n".join("- " + d.strip() for d in details) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "cli", "loadgrid"))
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--rates", default="200,1000,3000", help="planned rates, iterations/s, comma-separated")
    ap.add_argument("--steady", type=int, default=10, help="steady stage, seconds (the inner steady-2 s are measured)")
    ap.add_argument("--quick", action="store_true", help="rates 200,1000 and a 5 s steady stage")
    ap.add_argument("--goal", type=float, default=1.0, help="PASS when |achieved/planned - 1| <= this, in %%")
    ap.add_argument("--markdown", metavar="FILE", help="append the table (with the command, uname -a, date) to FILE")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (campaigns, logs, results)")
    args = ap.parse_args()
    if args.quick:
        args.rates, args.steady = "200,1000", 5
    try:
        rates = [int(r) for r in args.rates.split(",") if r.strip()]
    except ValueError:
        sys.exit(f"--rates: {args.rates!r} is not a list of whole numbers")
    if not rates or any(r <= 0 for r in rates):
        sys.exit("--rates: give positive rates")
    if args.steady <= 2 * EDGE_S or args.steady > 600:
        sys.exit(f"--steady must be more than {2 * EDGE_S} s and at most 600 s")
    for path in (args.binary, args.nginx):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing (build: cmake --build build --target loadgrid; nginx: apt-get install nginx)")

    load_before = load_average()
    outdir = tempfile.mkdtemp(prefix="loadgrid-arrival-")
    rows = []
    nginx = None
    try:
        os.makedirs(os.path.join(outdir, "nginx"))
        nginx = Nginx(args.nginx, os.path.join(outdir, "nginx"))
        print(f"arrival-rate bench: rates {rates}/s, stages 2s:N, {args.steady}s:N, 1s:0, broker <- relay <- 2 agents "
              f"(1 thread each), nginx on {nginx.url()}, {os.cpu_count()} cores shared by everything, load average "
              f"{load_average()} at the start", flush=True)
        for rate in rates:
            t0 = time.monotonic()
            row = run_one(rate, args, nginx, outdir)
            rows.append(row)
            brief = row.get("error", "").splitlines()[0] if "count" not in row else \
                f"{row['achieved']:.1f}/s " \
                f"({row['error_pct']:+.2f}%)"
            print(f"  {rate:>6}/s: {brief} ({time.monotonic() - t0:.0f} s)", flush=True)
    finally:
        if nginx is not None:
            nginx.stop()
        if args.keep:
            print(f"kept {outdir}")
        else:
            shutil.rmtree(outdir, ignore_errors=True)

    table = table_lines(rows, args.goal)
    details = detail_lines(rows)
    print()
    print("\n".join(table))
    print("\n".join(details))
    print(f"\ngoal: achieved grid-wide rate within {args.goal:g}% of the plan in a steady stage "
          f"(nginx's count over the inner {args.steady - 2 * EDGE_S} s); the broker's total must equal nginx's lines")
    if args.markdown:
        append_markdown(args.markdown, args, table, details, load_before)
        print(f"appended to {args.markdown}")
    bad = [r for r in rows if "count" not in r or not r["pass"] or not r["totals_equal"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
