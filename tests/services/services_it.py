#!/usr/bin/env python3
"""Services with real processes (issue 3, autoscaling.md §12 "Integration").

Each scenario starts its own ebbd (127.0.0.1:0, temp data dir; the launcher is the
ebb-launcher next to ebbd) and drives it through the native API and real workers
(tests/services/worker.py, Debian's boto3):

  burst      100 messages, worker ~1 s each, max 10 → 10 tasks, queue drained, no
             message processed twice while its lease was live, back to min after
             the (shortened) window
  crashloop  a task that exits at once is restarted with back-off (1, 2, 4 … s)
  stoptimeout a worker ignoring SIGTERM is SIGKILLed after stopTimeoutSeconds
  kill9      ebbd SIGKILLed with tasks running: restarted ebbd re-adopts them, no
             message lost; killed and NOT restarted: the launcher stops the tasks
             after --orphan-grace, no orphan left
  hostile    memory hog (OOMKilled when a memory cgroup works), huge output (log
             capped), closed stdout, fork bomb: contained and reported; ebbd healthy

    services_it.py --ebbd build/src/ebbd [--only NAME]

Every wait has a deadline. Times are asserted only as generous bounds.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

WORKER = os.path.join(HERE, "worker.py")
FAILS = []


def check(cond, what):
    print(("  ok   " if cond else "  FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
    return cond


class Api:
    def __init__(self, endpoint):
        self.base = endpoint + "/api/v1"

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def ok(self, method, path, body=None):
        status, out = self.call(method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} {path} → {status} {out}")
        return out

    def apply(self, *docs):
        return self.ok("POST", "/apply", {"items": list(docs)})

    def service(self, name):
        return self.ok("GET", f"/services/{name}")

    def tasks(self, owner, all_=True):
        return self.ok("GET", f"/tasks?owner=service/{owner}&all={'true' if all_ else 'false'}")["items"]

    def send(self, queue, body):
        return self.ok("POST", f"/queues/{queue}/messages", {"body": body})

    def queue(self, name):
        return self.ok("GET", f"/queues/{name}")


def queue_doc(name, visibility=30):
    return {"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": name},
            "spec": {"visibilityTimeoutSeconds": visibility}}


def service_doc(name, queue, command, env=None, **scaling):
    sc = {"queue": queue, "targetBacklogPerTask": 5, "minTasks": 1, "maxTasks": 10}
    sc.update(scaling)
    tmpl = {"command": command, "env": [{"name": k, "value": str(v)} for k, v in (env or {}).items()]}
    for k in ("stopTimeoutSeconds", "resources"):
        if k in sc:
            tmpl[k] = sc.pop(k)
    return {"apiVersion": "ebb/v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"template": tmpl, "scaling": sc}}


def wait_for(pred, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def read_journal(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Server:
    def __init__(self, ebbd, extra=()):
        self.tmp = harness.make_tmp("ebb-svc-")
        self.data = os.path.join(self.tmp, "data")
        self.e = harness.Ebbd(ebbd, self.data, self.tmp, extra_args=list(extra))
        self.api = None

    def start(self, port=0):
        endpoint = self.e.start(port=port)
        self.api = Api(endpoint)
        return self

    def close(self):
        status = self.e.stop(grace_s=60)
        if status != 0:
            print(self.e.log_tail(), flush=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return status


# ------------------------------------------------------------------ scenarios
def scenario_burst(ebbd):
    s = Server(ebbd).start()
    journal = harness.task_file(os.path.join(s.tmp, "journal"))
    try:
        s.api.apply(queue_doc("work"), service_doc(
            "pool", "work", ["/usr/bin/python3", WORKER], env={"JOURNAL": journal, "WORK_SECONDS": 1},
            minTasks=1, maxTasks=10, scaleInCooldownSeconds=5, scaleToZeroDelaySeconds=5))
        check(wait_for(lambda: s.api.service("pool")["status"]["running"] == 1, 20), "min 1 task running at rest")
        ids = {s.api.send("work", f"m{i}")["MessageId"] for i in range(100)}
        peak = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            st = s.api.service("pool")["status"]
            peak = max(peak, st["running"])
            q = s.api.queue("work")["status"]
            if q["visible"] == 0 and q["inFlight"] == 0:
                break
            time.sleep(0.1)
        check(peak == 10, f"service reached max 10 running tasks (peak {peak})")
        q = s.api.queue("work")["status"]
        check(q["visible"] == 0 and q["inFlight"] == 0, "queue drained")
        ev = read_journal(journal)
        done = {e["id"] for e in ev if e["ev"] == "done"}
        check(done == ids, f"every message processed ({len(done)}/100)")
        starts = {}
        overlap = 0
        for e in ev:
            if e["ev"] != "start":
                continue
            prev = starts.get(e["id"])
            if prev and e["t"] < prev["deadline"]:
                overlap += 1  # a second start while the first lease was live
            starts[e["id"]] = e
        check(overlap == 0, "no message started twice while its lease was live")
        back = wait_for(lambda: s.api.service("pool")["status"]["desired"] == 1 and
                        s.api.service("pool")["status"]["running"] == 1, 60, 0.5)
        check(bool(back), "back to min 1 task after the scale-in window")
        reasons = [d["reason"] for d in s.api.ok("GET", "/services/pool/events")["items"]]
        check(any(r in ("ScaleOut", "CappedAtMax") for r in reasons), f"scale-out decision recorded ({reasons[:6]})")
        check("ScaleIn" in reasons, "scale-in decision recorded")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_crashloop(ebbd):
    s = Server(ebbd).start()
    try:
        s.api.apply(queue_doc("q"), service_doc("crashy", "q", ["/bin/sh", "-c", "echo boom; exit 3"], minTasks=1))
        time.sleep(9)
        tasks = s.api.tasks("crashy")
        starts = sorted(t["metadata"]["creationTimestamp"] for t in tasks)
        check(2 <= len(tasks) <= 6, f"crashing task restarted with back-off, not in a tight loop ({len(tasks)} in 9 s)")
        failed = [t for t in tasks if t["status"]["state"] == "Failed"]
        check(all(t["status"]["exitCode"] == 3 for t in failed) and failed, "exit code 3 recorded")
        st = s.api.service("crashy")["status"]
        check(st["restartBackoffSeconds"] >= 2, f"back-off grows (now {st['restartBackoffSeconds']} s)")
        reasons = [d["reason"] for d in s.api.ok("GET", "/services/crashy/events")["items"]]
        check("BackOff" in reasons, "BackOff events recorded")
        logs = s.api.ok("POST", "/logs", {"target": "service/crashy"})
        check(any("boom" in c["data"] for c in logs["chunks"]), "task output captured in its log")
        del starts
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_stoptimeout(ebbd):
    s = Server(ebbd).start()
    try:
        s.api.apply(queue_doc("q"), service_doc(
            "stubborn", "q", ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"],
            minTasks=1, stopTimeoutSeconds=2, scaleInCooldownSeconds=0, scaleToZeroDelaySeconds=0))
        t = wait_for(lambda: [x for x in s.api.tasks("stubborn", False) if x["status"]["state"] == "Running"], 20)
        check(bool(t), "task running")
        pid = t[0]["status"]["pid"]
        tid = t[0]["metadata"]["name"]
        t0 = time.monotonic()
        s.api.ok("POST", "/services/stubborn/scale", {"min": 0})  # scale to zero: the idle task is stopped
        gone = wait_for(lambda: not pid_alive(pid), 20)
        took = time.monotonic() - t0
        check(gone, "task gone after scaling to zero")
        check(1.5 <= took <= 10, f"SIGKILL came after the 2 s stop timeout ({took:.1f} s)")
        task = wait_for(lambda: (lambda t: t if t["status"]["state"] in ("Failed", "Succeeded") else None)(
            s.api.ok("GET", f"/tasks/{tid}")), 10)
        check(bool(task) and task["status"]["signal"] == 9, f"recorded as killed by SIGKILL ({task and task['status']})")
        s.api.ok("DELETE", "/services/stubborn")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_kill9(ebbd):
    s = Server(ebbd, extra=["--orphan-grace", "30"]).start()
    journal = harness.task_file(os.path.join(s.tmp, "journal"))
    try:
        s.api.apply(queue_doc("work", visibility=20), service_doc(
            "pool", "work", ["/usr/bin/python3", WORKER], env={"JOURNAL": journal, "WORK_SECONDS": 0.5,
                                                               "VISIBILITY": 20},
            minTasks=2, maxTasks=4))
        ids = {s.api.send("work", f"m{i}")["MessageId"] for i in range(40)}
        running = wait_for(lambda: [t for t in s.api.tasks("pool", False) if t["status"]["state"] == "Running"], 20)
        pids_before = {t["metadata"]["name"]: t["status"]["pid"] for t in running}
        time.sleep(1.5)
        port = s.e.port
        s.e.kill()
        check(all(pid_alive(p) for p in pids_before.values()), "tasks survive the ebbd SIGKILL (launcher keeps them)")
        s.e.start(port=port)
        after = wait_for(lambda: [t for t in s.api.tasks("pool", False) if t["status"]["state"] == "Running"], 20)
        adopted = {t["metadata"]["name"]: t["status"]["pid"] for t in after}
        check(all(adopted.get(k) == v for k, v in pids_before.items()),
              f"restarted ebbd re-adopted the same tasks ({len(pids_before)} → {len(adopted)})")
        check(len(after) <= 4, f"no doubled tasks ({len(after)} running)")
        drained = wait_for(lambda: (lambda q: q["visible"] == 0 and q["inFlight"] == 0)(s.api.queue("work")["status"]),
                           90, 0.5)
        check(bool(drained), "queue drained after the restart")
        done = {e["id"] for e in read_journal(journal) if e["ev"] == "done"}
        check(done == ids, f"no message lost ({len(done & ids)}/{len(ids)})")
        # SIGKILL again and do not restart: after the orphan grace the launcher stops all.
        pids = [t["status"]["pid"] for t in s.api.tasks("pool", False) if t["status"]["pid"]]
        s.e.kill()
        s.e.extra_args = []
    finally:
        if s.e.alive():
            s.e.stop(grace_s=60)
    gone = wait_for(lambda: not any(pid_alive(p) for p in pids), 60, 0.5)
    check(gone, "no orphan task left once the launcher's orphan grace passed")
    shutil.rmtree(s.tmp, ignore_errors=True)


def scenario_hostile(ebbd):
    s = Server(ebbd).start()
    try:
        limits = s.api.ok("GET", "/runtime")
        print(f"  runtime limits: {limits}", flush=True)
        docs = [queue_doc("q"),
                service_doc("hog", "q", ["/usr/bin/python3", "-c", "b = bytearray(512 << 20); b[::4096] = b'x' * len(b[::4096])"],
                            minTasks=1, resources={"memory": "64Mi"}),
                service_doc("chatty", "q", ["/bin/sh", "-c", "yes 'a line of output that goes on and on' | head -c 40000000; sleep 60"],
                            minTasks=1),
                service_doc("mute", "q", ["/bin/sh", "-c", "exec 1>&- 2>&-; sleep 60"], minTasks=1),
                service_doc("forky", "q", ["/bin/sh", "-c", "f() { f | f & }; f; sleep 5"], minTasks=1)]
        s.api.apply(*docs)

        def failed(name, reason=None):
            for t in s.api.tasks(name):
                st = t["status"]
                if st["state"] == "Failed" and (reason is None or st["reason"] == reason):
                    return st
            return None
        if limits.get("memory"):
            st = wait_for(lambda: failed("hog", "OOMKilled"), 30, 0.5)
            check(bool(st), f"memory hog OOMKilled under memory 64Mi ({st})")
        else:
            st = wait_for(lambda: failed("hog"), 30, 0.5)
            check(bool(st), f"memory hog fails under the address-space rlimit ({st})")
        t = wait_for(lambda: [x for x in s.api.tasks("chatty", False) if x["status"]["state"] == "Running"], 20)
        time.sleep(4)
        if t:
            log = t[0]["status"]["logPath"]
            size = os.path.getsize(log) + (os.path.getsize(log + ".1") if os.path.exists(log + ".1") else 0)
            check(size <= 10 * 1024 * 1024 + 4096, f"huge output capped at 10 MiB ({size} bytes kept)")
        mute = wait_for(lambda: [x for x in s.api.tasks("mute", False) if x["status"]["state"] == "Running"], 20)
        check(bool(mute), "a task that closes its stdout keeps running")
        time.sleep(3)
        with urllib.request.urlopen(s.api.base.replace("/api/v1", "") + "/healthz", timeout=2) as r:
            check(r.status == 200, "ebbd healthy throughout (fork bomb contained)")
        forky = s.api.tasks("forky")
        check(bool(forky), f"fork bomb task recorded ({[x['status']['state'] for x in forky][:3]})")
        for name in ("hog", "chatty", "mute", "forky"):
            s.api.ok("DELETE", f"/services/{name}")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


SCENARIOS = {"burst": scenario_burst, "crashloop": scenario_crashloop, "stoptimeout": scenario_stoptimeout,
             "kill9": scenario_kill9, "hostile": scenario_hostile}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--only", choices=sorted(SCENARIOS))
    args = ap.parse_args()
    for name, fn in SCENARIOS.items():
        if args.only and name != args.only:
            continue
        print(f"== {name}", flush=True)
        try:
            fn(os.path.abspath(args.ebbd))
        except Exception as e:  # a scenario that crashed is a failure, the others still run
            check(False, f"{name}: {type(e).__name__}: {e}")
    if FAILS:
        print(f"{len(FAILS)} failure(s):\n  " + "\n  ".join(FAILS))
        return 1
    print("all service scenarios passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
