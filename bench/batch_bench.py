#!/usr/bin/env python3
"""Jobs and schedules benchmark (issue 4 "Speed").

    python3 bench/batch_bench.py --ebbd build/src/ebbd [--runs 3] [--slots 40] [--docs]

Against a fresh ebbd on 127.0.0.1:0 (temp data dir, its ebb-launcher next to it):

  throughput  --runs times: a Job of 1,000 completions of /bin/true with parallelism 10,
              from apply to the Complete condition → completions per second (goal ≥ 200/s)
  lateness    --slots Schedules with at() slots spread over the next ~slots seconds, each
              running a task that records its own start time; lateness = the task's
              process start − the slot (goal p99 ≤ 20 ms)

Prints a Markdown section; with --docs writes it into docs/benchmarks.md between
<!-- bench-batch:begin --> and <!-- bench-batch:end -->.
"""
import argparse
import datetime
import os
import shutil
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "services"))
sys.path.insert(0, os.path.join(REPO, "tests", "batch"))
import harness  # noqa: E402
from services_it import Api, wait_for  # noqa: E402
from batch_it import job_doc, condition  # noqa: E402
from common import machine, pct, write_section  # noqa: E402

BEGIN, END = "<!-- bench-batch:begin -->", "<!-- bench-batch:end -->"


def cpu_ms(pids):
    """User+system CPU milliseconds used so far by these processes (load-independent)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * 1000 // tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def launcher_pids(data_dir):
    """The ebb-launcher serving this data dir (ebbd starts it with --run-dir DATA/run)."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if argv[0].endswith(b"ebb-launcher") and any(a.startswith(data_dir.encode()) for a in argv):
                    out.append(int(p))
            except OSError:
                pass
    return out


CPU = []  # (ebbd ms, launcher ms) per 1,000 completions


def throughput(api, run, ebbd_pid=None, launchers=()):
    name = f"bulk-{run}"
    c0 = (cpu_ms([ebbd_pid]), cpu_ms(launchers)) if ebbd_pid else None
    t0 = time.monotonic()
    api.apply(job_doc(name, ["/bin/true"], completions=1000, parallelism=10, backoff=100))
    st = wait_for(lambda: (lambda s: s if condition(s, "Complete") or condition(s, "Failed") else None)(
        api.ok("GET", f"/jobs/{name}")["status"]), 120, 0.05)
    dt = time.monotonic() - t0
    if c0:
        CPU.append((cpu_ms([ebbd_pid]) - c0[0], cpu_ms(launchers) - c0[1]))
    ok = bool(st) and condition(st, "Complete") and st.get("succeeded") == 1000
    api.ok("DELETE", f"/jobs/{name}")
    return 1000 / dt if ok else None


def lateness(api, tmp, slots):
    marks = harness.task_dir(os.path.join(tmp, "starts"))  # tasks run as nobody when ebbd is root
    base = int(time.time()) + 5
    docs = []
    for i in range(slots):
        slot = base + i
        at = datetime.datetime.fromtimestamp(slot, datetime.timezone.utc).strftime("at(%Y-%m-%dT%H:%M:%S)")
        docs.append({"apiVersion": "ebb/v1", "kind": "Schedule", "metadata": {"name": f"late-{i}"},
                     "spec": {"expression": at, "timeZone": "UTC", "target": {"task": {
                         "command": ["/bin/sh", "-c", f'date +%s.%N > "{marks}/{slot}"']}}}})
    api.apply(*docs)
    wait_for(lambda: len(os.listdir(marks)) >= slots, slots + 30, 0.5)
    out = []
    for f in os.listdir(marks):
        with open(os.path.join(marks, f)) as fh:
            txt = fh.read().strip()
        if txt:
            out.append((float(txt) - int(f)) * 1000.0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slots", type=int, default=40)
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    tmp = harness.make_tmp("ebb-bench-batch-")
    e = harness.Ebbd(os.path.abspath(args.ebbd), os.path.join(tmp, "data"), tmp)
    try:
        api = Api(e.start())
        lp = launcher_pids(os.path.join(tmp, "data"))
        load0 = os.getloadavg()[0]
        rates = [r for r in (throughput(api, i, e.proc.pid, lp) for i in range(args.runs)) if r]
        load1 = os.getloadavg()[0]
        print(f"rates {[round(r) for r in rates]}/s; CPU ms per run (ebbd, launcher) {CPU}; "
              f"load average {load0:.1f} → {load1:.1f}", file=sys.stderr)
        late = lateness(api, tmp, args.slots)
    finally:
        e.stop(grace_s=60)
        shutil.rmtree(tmp, ignore_errors=True)
    rate = statistics.median(rates) if rates else float("nan")
    lines = [BEGIN, "",
             f"Machine: {machine()}. Command: `python3 bench/batch_bench.py --ebbd build/src/ebbd --runs {args.runs} "
             f"--slots {args.slots} --docs` (RelWithDebInfo build), {datetime.date.today().isoformat()}.", "",
             "| measure | result | goal | |", "|---|---|---|---|",
             f"| Job of 1,000 × `/bin/true`, parallelism 10 (median of {len(rates)}) | {rate:.0f} completions/s | ≥ 200/s | "
             f"{'met' if rate >= 200 else 'missed'} |",
             f"| Schedule lateness, task process start − slot, {len(late)} at() slots | p50 {statistics.median(late):.1f} ms, "
             f"p99 {pct(late, 99):.1f} ms | p99 ≤ 20 ms | {'met' if pct(late, 99) <= 20 else 'missed'} |" if late else
             "| Schedule lateness | no samples | | |",
             "",
             "Debian's cron, side by side with ebb over the same minutes: see \"Schedules against Debian cron\" "
             "below (`bench/cron_bench.py`).", "", END]
    text = "\n".join(lines)
    print(text)
    if args.docs:
        write_section(BEGIN, END, "Jobs and schedules: throughput and lateness", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
