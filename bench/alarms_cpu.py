#!/usr/bin/python3
"""ebbd's CPU spent on alarms (issue 5): what 100 alarms cost over 1,000 queues.

    bench/alarms_cpu.py --ebbd build/src/ebbd [--runs 3] [--queues 1000] [--alarms 100] [--window 20]

Each run starts a fresh ebbd (127.0.0.1:0, temp data dir, --auth none), creates
--queues queues, then measures ebbd's CPU time (utime + stime from /proc/PID/stat)
over --window seconds twice: without alarms, then with --alarms alarms applied (each
on one queue's ebb_queue_messages_visible, periodSeconds 10, so every alarm samples
the whole /metrics page every 2 s — the shortest interval a 10 s period uses). The
difference is the alarms' cost: rendering /metrics, parsing the families they use and
evaluating. Prints medians over the runs as Markdown table rows.
"""
import argparse
import json
import statistics
import time
import urllib.request

from common import cpu_seconds, fresh_ebbd

def post(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.loads(r.read())


def window(pid, seconds):
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def one_run(ebbd, queues, alarms, seconds):
    with fresh_ebbd(ebbd) as (p, base):
        post(base, "/api/v1/apply", {"items": [
            {"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": f"q{i:05d}"}} for i in range(queues)]})
        time.sleep(3)
        base_cpu = window(p.pid, seconds)
        post(base, "/api/v1/apply", {"items": [
            {"apiVersion": "ebb/v1", "kind": "Alarm", "metadata": {"name": f"a{i:04d}"},
             "spec": {"metric": "ebb_queue_messages_visible", "labels": {"queue": f"q{i % queues:05d}"},
                      "statistic": "Maximum", "comparison": "GreaterThanThreshold", "threshold": 100,
                      "periodSeconds": 10, "notify": [{"log": {}}]}} for i in range(alarms)]})
        time.sleep(3)
        alarm_cpu = window(p.pid, seconds)
        states = {a["status"]["state"] for a in get(base, "/api/v1/alarms")["items"]}
        if states != {"OK"}:
            raise RuntimeError(f"alarms did not all settle to OK: {states}")
        with urllib.request.urlopen(base + "/metrics", timeout=30) as r:
            page = len(r.read())
        return base_cpu, alarm_cpu, page


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queues", type=int, default=1000)
    ap.add_argument("--alarms", type=int, default=100)
    ap.add_argument("--window", type=float, default=20)
    a = ap.parse_args()
    runs = [one_run(a.ebbd, a.queues, a.alarms, a.window) for _ in range(a.runs)]
    base = statistics.median(r[0] for r in runs) * 100
    with_alarms = statistics.median(r[1] for r in runs) * 100
    delta = statistics.median((r[1] - r[0]) for r in runs) * 100
    print(f"| ebbd CPU, % of one core (median of {a.runs}, {a.window:.0f} s windows) | value |")
    print("|---|---|")
    print(f"| {a.queues} queues, no alarm | {base:.2f} |")
    print(f"| {a.queues} queues, {a.alarms} alarms sampling every 2 s | {with_alarms:.2f} |")
    print(f"| the alarms' share (paired difference) | {delta:.2f} |")
    print(f"| /metrics page sampled | {runs[0][2] / 1024:.0f} KiB |")


if __name__ == "__main__":
    main()
