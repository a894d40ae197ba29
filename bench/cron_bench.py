#!/usr/bin/env python3
"""Schedule lateness, ebb side by side with Debian's cron (issue 4 "Speed").

    python3 bench/cron_bench.py --ebbd build/src/ebbd [--minutes 6] [--docs]

Needs root (it writes /etc/cron.d/ and runs cron). Installs Debian's `cron` package
with apt-get if it is missing (bench only, not a CI dependency); starts `cron -f` if
no cron daemon runs, and stops it again.

For --minutes whole minutes, three schedulers fire the same command every minute:
  cron      /etc/cron.d entry `* * * * * root date +%s.%N >> FILE`
  CronJob   ebb batch/v1 CronJob, schedule "* * * * *"
  Schedule  ebb ebb/v1 Schedule, expression cron(* * * * ? *)
The command appends its own start time; lateness = that time − the minute it belongs
to. p50 and max (= p99 for this few samples) per scheduler, with the load average.
With --docs the section replaces <!-- bench-cron:begin --> … <!-- bench-cron:end -->
in docs/benchmarks.md.
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "services"))
import harness  # noqa: E402
from services_it import Api  # noqa: E402
from common import machine, pct, write_section  # noqa: E402

BEGIN, END = "<!-- bench-cron:begin -->", "<!-- bench-cron:end -->"
CMD = 'date +%s.%N >> "{f}"'


def ensure_cron():
    if not shutil.which("cron"):
        subprocess.run(["apt-get", "install", "-y", "-q", "cron"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    running = subprocess.run(["pgrep", "-x", "cron"], capture_output=True).returncode == 0
    return None if running else subprocess.Popen(["cron", "-f"], stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL)


def lateness_ms(path, t0, t1):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            try:
                t = float(line.strip())
            except ValueError:
                continue
            slot = int(t // 60) * 60
            if t0 < slot <= t1:
                out.append((t - slot) * 1000.0)
    return out


def row(name, xs, note):
    if not xs:
        return f"| {name} | 0 | – | – | {note} |"
    return f"| {name} | {len(xs)} | {statistics.median(xs):.1f} ms | {max(xs):.1f} ms | {note} |"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--minutes", type=int, default=6)
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("cron_bench needs root (/etc/cron.d, cron)", file=sys.stderr)
        return 2
    tmp = harness.make_tmp("ebb-bench-cron-")
    os.chmod(tmp, 0o755)
    files = {k: os.path.join(tmp, k) for k in ("cron", "cronjob", "schedule")}
    for k in ("cronjob", "schedule"):
        harness.task_file(files[k])  # ebb's tasks run as the task user (nobody) when ebbd is root
    crontab = f"/etc/cron.d/ebb-bench-{os.getpid()}"
    e = harness.Ebbd(os.path.abspath(args.ebbd), os.path.join(tmp, "data"), tmp)
    cron = None
    try:
        cron = ensure_cron()
        api = Api(e.start())
        cmd = lambda f: ["/bin/sh", "-c", CMD.format(f=f)]  # noqa: E731
        api.ok("POST", "/apply", {"items": [
            {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "every-minute"},
             "spec": {"schedule": "* * * * *", "successfulJobsHistoryLimit": 1,
                      "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                          {"name": "mark", "command": cmd(files["cronjob"])}]}}}}}},
            {"apiVersion": "ebb/v1", "kind": "Schedule", "metadata": {"name": "each-minute"},  # Jobs are NAME-<minute>: no clash
             "spec": {"expression": "cron(* * * * ? *)", "timeZone": "UTC",
                      "target": {"task": {"command": cmd(files["schedule"])}}}}]})
        with open(crontab, "w") as f:
            # cron.d lines name the user; % is special in crontab lines.
            f.write("* * * * * root " + CMD.format(f=files["cron"]).replace("%", "\\%") + "\n")
        os.chmod(crontab, 0o644)
        # Measure whole minutes from the next boundary on (cron rereads cron.d each minute).
        t0 = (int(time.time()) // 60 + 1) * 60
        t1 = t0 + 60 * args.minutes
        load0 = os.getloadavg()
        time.sleep(max(0, t1 - time.time()) + 5)
        load1 = os.getloadavg()
    finally:
        if os.path.exists(crontab):
            os.remove(crontab)
        if cron:
            cron.terminate()
            cron.wait(10)
        e.stop(grace_s=30)
    res = {k: lateness_ms(f, t0 - 1, t1) for k, f in files.items()}
    shutil.rmtree(tmp, ignore_errors=True)
    ratio = (statistics.median(res["cron"]) / statistics.median(res["cronjob"])
             if res["cron"] and res["cronjob"] and statistics.median(res["cronjob"]) > 0 else float("nan"))
    lines = [BEGIN, "",
             f"Machine: {machine()}. Command: `sudo python3 bench/cron_bench.py --ebbd build/src/ebbd --minutes "
             f"{args.minutes} --docs` (RelWithDebInfo build), {datetime.date.today().isoformat()}; load average "
             f"(1 min) {load0[0]:.1f} at the start, {load1[0]:.1f} at the end — other work shared the 2 cores.", "",
             "Every scheduler fires `date +%s.%N >> FILE` once a minute over the same minutes; lateness = the "
             "command's own start time − the minute. With this few slots p99 is the maximum.", "",
             "| scheduler | slots | p50 | p99 (max) | |", "|---|---|---|---|---|",
             row("Debian `cron` (`/etc/cron.d`, `* * * * *`)", res["cron"], "whole-minute granularity"),
             row("ebb CronJob `* * * * *`", res["cronjob"], "Job + task start"),
             row("ebb Schedule `cron(* * * * ? *)`", res["schedule"], "Job + task start"),
             "",
             f"cron's median lateness is {ratio:.0f}× ebb's CronJob's in this run. Goal (issue 4): ebb p99 ≤ 20 ms.",
             "", END]
    text = "\n".join(lines)
    print(text)
    if args.docs:
        write_section(BEGIN, END, "Schedules against Debian cron", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
