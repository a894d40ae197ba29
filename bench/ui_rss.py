#!/usr/bin/python3
"""ebbd's resident memory with the dashboard assets loaded (issue 5, goal < 30 MB idle).

    bench/ui_rss.py --ebbd build/src/ebbd [--runs 3] [--queues 1000]

Each run starts a fresh ebbd (127.0.0.1:0, temp data dir, --auth none), waits 3 s,
fetches every dashboard asset and the overview's API calls three times, waits for
the series sampler to tick, and reads VmRSS from /proc. Then it creates --queues
queues, lets the sampler run for 5 s (7 series per queue) and reads VmRSS again.
Prints the median over the runs as one Markdown table row per state.
"""
import argparse
import json
import statistics
import time
import urllib.request

from common import fresh_ebbd


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def get(base, path, data=None):
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def one_run(ebbd, queues):
    with fresh_ebbd(ebbd) as (p, base):
        time.sleep(3)
        idle = rss_kib(p.pid)
        for _ in range(3):
            for a in ("/ui/", "/ui/app.js", "/ui/app.css", "/ui/vendor/uplot-1.6.32/uPlot.iife.min.js",
                      "/ui/vendor/uplot-1.6.32/uPlot.min.css", "/api/v1/queues?limit=50&sort=visible",
                      "/api/v1/services", "/api/v1/series?name=queue_visible,queue_in_flight&range=10m"):
                get(base, a)
        time.sleep(2)
        loaded = rss_kib(p.pid)
        items = [{"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": f"q{i:05d}"}} for i in range(queues)]
        get(base, "/api/v1/apply", json.dumps({"items": items}).encode())
        time.sleep(5)
        many = rss_kib(p.pid)
        series = json.loads(get(base, "/api/v1/series?limit=1"))["total"]
        return idle, loaded, many, series


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queues", type=int, default=1000)
    a = ap.parse_args()
    runs = [one_run(a.ebbd, a.queues) for _ in range(a.runs)]
    med = lambda i: statistics.median(r[i] for r in runs) / 1024
    print("| state | RSS (MiB, median of %d) | goal |" % a.runs)
    print("|---|---|---|")
    print(f"| idle, before any request | {med(0):.1f} | |")
    print(f"| dashboard assets and overview API served 3× | {med(1):.1f} | < 30 MB ({med(1) / 28.6:.2f}× of the goal) |")
    print(f"| + {a.queues} queues sampled ({runs[0][3]} series) | {med(2):.1f} | — |")


if __name__ == "__main__":
    main()
