#!/usr/bin/env python3
"""What watching ebbd costs the queue (issue 5): SQS throughput with and without a
Prometheus-style scraper at 1 s and the dashboard open.

    bench/metrics_bench.py --ebbd build/src/ebbd [--runs 4] [--duration 20] [--docs]

Arms, run interleaved (rotated A B C, B C A, C A B, ...) so machine noise hits all:
  none     the queue workload alone;
  replay   + GET /metrics every --scrape-interval s (Accept-Encoding: gzip, as Prometheus
           sends) + the dashboard queue page's own requests replayed at its poll interval
           (web/ui/app.js POLL_MS = 2 s: GET /api/v1/queues/NAME and its three charts'
           /api/v1/series calls, range 10m; the page's one peek when it opens);
  browser  + the same scraper + the real dashboard queue page open in headless Chromium
           (bench/dashboard_open.mjs: Debian's chromium driven by playwright-core from
           web/node_modules), which polls by itself. Chromium runs on the same 2 cores, so
           this arm also charges the browser's rendering to the machine.
Each run starts a fresh ebbd (127.0.0.1:0, temp data dir, --auth none), creates the queue,
starts the watchers, waits 3 s, then runs sqsload's send workload (SendMessageBatch of
10 x 256 B, --connections 64, 1 s warmup + --duration s measured). It records sqsload's
msg/s, ebbd's CPU over the load (/proc/PID/stat), the 1-min load average before the run,
and the scrapes and dashboard requests made. Prints a Markdown section; --docs writes it
into docs/benchmarks.md between <!-- bench-metrics:begin --> and <!-- bench-metrics:end -->.

sqsload (../shared/tools/sqsload, never copied into the repo) is found as --sqsload,
else $EBB_SQSLOAD, else build/sqsload/sqsload; if missing it is built there from
${EBB_SHARED:-<repo>/../shared}/tools/sqsload with CMake (as bench/run.sh does).
Everything listens on 127.0.0.1; every phase is bounded (sqsload --max-time, timeouts).
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from common import cpu_seconds, loadavg, machine, write_section

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
QUEUE = "bench-metrics"
POLL_S = 2.0  # web/ui/app.js POLL_MS
CHARTS = ["queue_visible,queue_in_flight,queue_delayed", "queue_oldest_age_seconds",
          "queue_sent_per_second,queue_received_per_second,queue_deleted_per_second"]
ARMS = ["none", "replay", "browser"]


def log(msg):
    print(f"[metrics_bench] {msg}", file=sys.stderr, flush=True)


def find_sqsload(arg):
    path = arg or os.environ.get("EBB_SQSLOAD") or os.path.join(REPO, "build", "sqsload", "sqsload")
    if os.path.exists(path):
        return path
    src = os.path.join(os.environ.get("EBB_SHARED", os.path.join(REPO, "..", "shared")), "tools", "sqsload")
    if not os.path.exists(os.path.join(src, "CMakeLists.txt")):
        sys.exit(f"sqsload not found at {path} and no source at {src} (set EBB_SHARED or --sqsload)")
    out = os.path.join(REPO, "build", "sqsload")
    log(f"building sqsload from {src}")
    subprocess.run(["cmake", "-S", src, "-B", out, "-DCMAKE_BUILD_TYPE=Release"], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", out, "-j2"], check=True, timeout=600, stdout=subprocess.DEVNULL)
    return os.path.join(out, "sqsload")




def http(method, url, data=None, headers=None, timeout=20):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


class Watcher(threading.Thread):
    """Calls fn every period seconds (on a fixed grid) until stopped; counts calls and errors."""

    def __init__(self, period, fn):
        super().__init__(daemon=True)
        self.period, self.fn = period, fn
        self.stop_ev = threading.Event()
        self.calls = self.errors = 0
        self.seconds = []

    def run(self):
        nxt = time.monotonic()
        while not self.stop_ev.is_set():
            t0 = time.monotonic()
            try:
                self.fn()
            except Exception:  # noqa: BLE001 - counted, the run reports it
                self.errors += 1
            self.calls += 1
            self.seconds.append(time.monotonic() - t0)
            nxt += self.period
            self.stop_ev.wait(max(0.0, nxt - time.monotonic()))

    def stop(self):
        self.stop_ev.set()
        self.join(timeout=30)


def one_run(a, sqsload, arm):
    tmp = tempfile.mkdtemp(prefix="ebb-metrics-bench-")
    port_file = os.path.join(tmp, "port")
    errlog = open(os.path.join(tmp, "ebbd.log"), "w")
    p = subprocess.Popen([a.ebbd, "--listen", "127.0.0.1:0", "--data-dir", os.path.join(tmp, "data"),
                          "--auth", "none", "--port-file", port_file], stdout=errlog, stderr=errlog)
    browser = None
    watchers = []
    res = {"arm": arm}
    try:
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.monotonic() > deadline or p.poll() is not None:
                raise RuntimeError("ebbd did not start")
            time.sleep(0.05)
        base = "http://" + open(port_file).read().strip()
        while True:  # the port file comes before the listener is ready
            try:
                if http("GET", base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or p.poll() is not None:
                raise RuntimeError("ebbd did not answer /healthz")
            time.sleep(0.05)
        http("POST", base + "/", json.dumps({"QueueName": QUEUE}).encode(),
             {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"})
        scrape_bytes = []
        if arm != "none":
            def scrape():
                _, body = http("GET", base + "/metrics", headers={"Accept-Encoding": "gzip"})
                scrape_bytes.append(len(body))
            watchers.append(Watcher(a.scrape_interval, scrape))
        if arm == "replay":
            qs = urllib.parse.quote(QUEUE)
            urls = [f"{base}/api/v1/queues/{qs}"] + [
                f"{base}/api/v1/series?name={n}&queue={qs}&range=10m" for n in CHARTS]
            http("GET", f"{base}/api/v1/queues/{qs}/peek?max=20")  # once, when the page opens

            def dashboard():
                for u in urls:
                    http("GET", u)
            watchers.append(Watcher(POLL_S, dashboard))
        if arm == "browser":
            browser = subprocess.Popen(["node", os.path.join(HERE, "dashboard_open.mjs"),
                                        f"{base}/ui/#/queues/{urllib.parse.quote(QUEUE)}"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = browser.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"the dashboard did not open ({line!r})")
        for w in watchers:
            w.start()
        time.sleep(3)
        res["load1"] = loadavg()
        c0 = cpu_seconds(p.pid)
        t0 = time.monotonic()
        cmd = [sqsload, "--endpoint", base, "--queue-name", QUEUE, "--keep-queue", "--body-bytes", "256",
               "--timeout", "10", "--max-time", str(a.duration + 60), "--workload", "send", "--batch", "10",
               "--connections", str(a.connections), "--warmup", "1", "--duration", str(a.duration)]
        res["command"] = " ".join(["sqsload"] + cmd[1:]).replace(base, "http://127.0.0.1:$P")
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=a.duration + 120)
        wall = time.monotonic() - t0
        used = cpu_seconds(p.pid) - c0
        res["ebbd_cpu_pct"] = 100 * used / wall
        r = json.loads(out.stdout.strip().splitlines()[-1])
        res["msg_s"] = r["messages_per_s"]
        # ebbd CPU per message over the whole sqsload run (warmup and measured window;
        # the watchers' requests included: that is their cost).
        res["cpu_us_per_msg"] = 1e6 * used / max(1.0, r["messages_per_s"] * (a.duration + 1))
        res["ok"] = bool(r.get("ok"))
        res["p99_ms"] = r["send"]["lat_us"]["p99"] / 1000
        for w in watchers:
            w.stop()
        if arm != "none":
            sc = watchers[0]
            res["scrapes"] = sc.calls
            res["scrape_errors"] = sc.errors
            res["scrape_ms_p50"] = 1000 * statistics.median(sc.seconds) if sc.seconds else None
            res["scrape_kib"] = statistics.median(scrape_bytes) / 1024 if scrape_bytes else None
        if arm == "replay":
            res["dash_requests"] = watchers[1].calls * (1 + len(CHARTS))
            res["dash_errors"] = watchers[1].errors
        if browser:
            browser.stdin.close()
            tail = browser.stdout.read().strip().splitlines()
            browser.wait(timeout=30)
            st = json.loads(tail[-1]) if tail else {}
            res["dash_requests"], res["dash_errors"] = st.get("requests"), st.get("failed")
            browser = None
        return res
    finally:
        for w in watchers:
            w.stop()
        if browser:
            browser.kill()
            browser.wait(timeout=30)
        p.terminate()
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        errlog.close()
        shutil.rmtree(tmp, ignore_errors=True)



def report(a, runs, started):
    by = {arm: [r for r in runs if r["arm"] == arm] for arm in a.arms}
    med = {arm: statistics.median(r["msg_s"] for r in rs) for arm, rs in by.items()}
    base = med.get("none")
    lines = [
        f"Machine: {machine()}; the machine is shared "
        f"(other engineers build): 1-min load average before each run is in the table. "
        f"Command: `python3 bench/metrics_bench.py --ebbd {a.ebbd_shown} --runs {a.runs} --duration {a.duration}"
        f"{' --docs' if a.docs else ''}`, {started} UTC; ebb {git_rev()}.",
        "",
        f"Load per run: `{runs[0]['command']}` against a fresh ebbd (`--auth none`, durable default). "
        f"Watchers: `/metrics` every {a.scrape_interval:g} s with gzip; dashboard = the queue page "
        f"(`#/queues/{QUEUE}`, three charts), polled every 2 s — replayed request by request (`replay`) or "
        "the real page in headless Chromium on the same machine (`browser`). Arms interleaved, rotated each round.",
        "",
        "| arm | median msg/s | runs (msg/s @ load1) | ratio to none | ebbd CPU µs per message (median) | scrapes / dashboard requests per run | /metrics p50, size (gzip) |",
        "|---|---|---|---|---|---|---|",
    ]
    for arm, rs in by.items():
        runs_txt = ", ".join(f"{r['msg_s']:,.0f} @ {r['load1']:.1f}" for r in rs)
        ratio = f"{med[arm] / base:.3f} ({100 * (med[arm] / base - 1):+.1f}%)" if base else "—"
        cpu = statistics.median(r["cpu_us_per_msg"] for r in rs)
        if arm == "none":
            w, sc = "—", "—"
        else:
            w = f"{statistics.median(r['scrapes'] for r in rs):.0f} / {statistics.median(r['dash_requests'] or 0 for r in rs):.0f}"
            sc = f"{statistics.median(r['scrape_ms_p50'] for r in rs):.1f} ms, {statistics.median(r['scrape_kib'] for r in rs):.1f} KiB"
        bad = sum(1 for r in rs if not r["ok"]) + sum(1 for r in rs if r.get("scrape_errors") or r.get("dash_errors"))
        lines.append(f"| {arm} | {med[arm]:,.0f} | {runs_txt} | {ratio} | {cpu:.1f} | {w} | {sc} |"
                     + (f" ⚠ {bad} run(s) with errors" if bad else ""))
    return "\n".join(lines) + "\n"


def git_rev():
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except OSError:
        return "unknown"



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--sqsload")
    ap.add_argument("--runs", type=int, default=4, help="runs per arm (default 4)")
    ap.add_argument("--duration", type=int, default=20, help="measured seconds per run (default 20)")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--scrape-interval", type=float, default=1.0)
    ap.add_argument("--arms", default=",".join(ARMS), help="subset of none,replay,browser")
    ap.add_argument("--docs", action="store_true", help="write the section into docs/benchmarks.md")
    a = ap.parse_args()
    a.arms = a.arms.split(",")
    a.ebbd_shown = os.path.relpath(a.ebbd, REPO) if os.path.isabs(a.ebbd) else a.ebbd
    if "browser" in a.arms and not shutil.which("node"):
        sys.exit("the browser arm needs node and web/node_modules (scripts/install-deps.sh)")
    sqsload = find_sqsload(a.sqsload)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    runs = []
    for i in range(a.runs):
        order = a.arms[i % len(a.arms):] + a.arms[:i % len(a.arms)]
        for arm in order:
            r = one_run(a, sqsload, arm)
            log(json.dumps(r))
            runs.append(r)
    text = report(a, runs, started)
    print(text)
    with open(os.path.join(tempfile.gettempdir(), "ebb-metrics-bench-runs.json"), "w") as f:
        json.dump(runs, f)
    if a.docs:
        write_section("<!-- bench-metrics:begin -->", "<!-- bench-metrics:end -->",
                      "Metrics: the cost of a scraper and the dashboard",
                      f"<!-- bench-metrics:begin -->\n\n{text}\n<!-- bench-metrics:end -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
