#!/usr/bin/env python3
"""Jobs, CronJobs and Schedules with real processes (issue 4).

Each scenario starts its own ebbd (127.0.0.1:0, temp data dir) and drives it through
the native API:

  indexed     an Indexed Job of 50 completions, parallelism 10, where every 7th index
              fails once: retried, final status, per-index output in the logs
  seed        the seed article's Job and CronJob documents (tests/batch/seed/, with
              `command` added) are accepted; the Job runs to completion
  queue       a Schedule whose target sends a message to a queue: at() a few seconds
              ahead fires once; `trigger` fires at once
  restart     ebbd killed before an at() slot and restarted after it: the slot runs
              exactly once (catch-up), never twice
  forbid      a CronJob (every minute) with concurrencyPolicy Forbid whose run outlasts
              the period: the next slot is deferred until the run ends, never two runs at
              once (scheduling.md D6; takes ~2.5 minutes)

    batch_it.py --ebbd build/src/ebbd [--only NAME]
"""
import argparse
import datetime
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "services"))
import harness  # noqa: E402
from services_it import Server, check, queue_doc, wait_for, FAILS  # noqa: E402


def job_doc(name, command, completions=1, parallelism=1, indexed=False, backoff=6, env=None):
    spec = {"completions": completions, "parallelism": parallelism, "backoffLimit": backoff,
            "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "main", "command": command,
                 "env": [{"name": k, "value": str(v)} for k, v in (env or {}).items()]}]}}}
    if indexed:
        spec["completionMode"] = "Indexed"
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec}


def job_status(api, name):
    return api.ok("GET", f"/jobs/{name}")["status"]


def condition(st, kind):
    return any(c.get("type") == kind and c.get("status") == "True" for c in st.get("conditions", []))


def scenario_indexed(ebbd):
    s = Server(ebbd).start()
    marks = os.path.join(s.tmp, "marks")
    os.makedirs(marks)
    try:
        script = ('i=$JOB_COMPLETION_INDEX; '
                  'if [ $((i % 7)) -eq 3 ] && [ ! -e "$MARKS/$i" ]; then touch "$MARKS/$i"; echo "index $i fails once"; exit 1; fi; '
                  'echo "index $i done"')
        s.api.apply(job_doc("etl", ["/bin/sh", "-c", script], completions=50, parallelism=10, indexed=True,
                            backoff=20, env={"MARKS": marks}))
        st = wait_for(lambda: (lambda x: x if condition(x, "Complete") or condition(x, "Failed") else None)(
            job_status(s.api, "etl")), 150, 0.5)
        check(bool(st) and condition(st, "Complete"), f"indexed job complete ({st and st.get('conditions')})")
        if st:
            check(st.get("succeeded") == 50, f"50 completions ({st.get('succeeded')})")
            check(st.get("failed") == 7, f"7 failed attempts retried ({st.get('failed')})")
            check(st.get("completedIndexes") == "0-49", f"completedIndexes 0-49 ({st.get('completedIndexes')})")
        logs = s.api.ok("POST", "/logs", {"target": "job/etl"})
        text = "".join(c["data"] for c in logs["chunks"])
        check(all(f"index {i} done" in text for i in range(50)), "every index's output is in the job's logs")
        check(text.count("fails once") == 7, "the failed attempts' output is kept too")
        tasks = s.api.ok("GET", "/tasks?owner=job/etl&all=true")["items"]
        check(len(tasks) == 57, f"57 attempts recorded ({len(tasks)})")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_seed(ebbd):
    s = Server(ebbd).start()
    ebb = os.path.join(os.path.dirname(ebbd), "ebb")
    try:
        import subprocess
        for f in ("job.yaml", "parallel-job.yaml", "cronjob.yaml", "etl-job.yaml"):
            r = subprocess.run([ebb, "--server", s.api.base[:-7], "apply", "-f", os.path.join(HERE, "seed", f)],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, f"seed {f} applied: {r.stdout.strip()} {r.stderr.strip()}")
        for name, n in (("data-processing-job", 1), ("parallel-data-job", 100), ("nightly-etl", 50)):
            st = wait_for(lambda: (lambda x: x if condition(x, "Complete") or condition(x, "Failed") else None)(
                job_status(s.api, name)), 150, 0.5)
            check(bool(st) and condition(st, "Complete") and st.get("succeeded") == n,
                  f"seed job {name} ran to completion ({st and st.get('succeeded')}/{n})")
        cj = s.api.ok("GET", "/cronjobs/daily-report")
        check(bool(cj["status"].get("nextScheduleTime")), f"seed cronjob scheduled (next {cj['status'].get('nextScheduleTime')})")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def at_expr(seconds_ahead):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    return t.strftime("at(%Y-%m-%dT%H:%M:%S)")


def schedule_doc(name, expression, queue, body):
    return {"apiVersion": "ebb/v1", "kind": "Schedule", "metadata": {"name": name},
            "spec": {"expression": expression, "timeZone": "UTC",
                     "target": {"queue": queue, "message": {"body": body}}}}


def drain(api, queue):
    got = []
    for _ in range(20):
        r = api.ok("POST", f"/queues/{queue}/receive", {"max": 10, "waitSeconds": 0, "delete": True})
        if not r.get("Messages"):
            break
        got += [m["Body"] for m in r["Messages"]]
    return got


def scenario_queue(ebbd):
    s = Server(ebbd).start()
    try:
        s.api.apply(queue_doc("ticks"), schedule_doc("tick", at_expr(4), "ticks", "hello from a schedule"))
        ok = wait_for(lambda: s.api.queue("ticks")["status"]["visible"] >= 1, 30, 0.2)
        check(bool(ok), "the at() slot sent its message")
        time.sleep(2)
        bodies = drain(s.api, "ticks")
        check(bodies == ["hello from a schedule"], f"exactly one message with the configured body ({bodies})")
        runs = s.api.ok("GET", "/schedules/tick")["status"].get("runs", [])
        check(len(runs) == 1 and runs[0].get("latenessMs", 10**9) < 2000,
              f"the run is recorded with its lateness ({runs})")
        s.api.ok("POST", "/schedules/tick/trigger", {})
        ok = wait_for(lambda: s.api.queue("ticks")["status"]["visible"] >= 1, 10, 0.1)
        check(bool(ok), "trigger fires the target at once")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_restart(ebbd):
    s = Server(ebbd).start()
    try:
        s.api.apply(queue_doc("ticks"), schedule_doc("once", at_expr(6), "ticks", "slot"))
        time.sleep(1)
        port = s.e.port
        s.e.kill()                      # down across the slot
        time.sleep(8)
        s.e.start(port=port)
        ok = wait_for(lambda: s.api.queue("ticks")["status"]["visible"] >= 1, 20, 0.2)
        check(bool(ok), "the slot missed while ebbd was down ran after the restart")
        # Kill and restart again right away: the claimed slot must not run twice.
        s.e.kill()
        s.e.start(port=port)
        time.sleep(3)
        bodies = drain(s.api, "ticks")
        check(bodies == ["slot"], f"the slot ran exactly once across two restarts ({bodies})")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


def scenario_forbid(ebbd):
    s = Server(ebbd).start()
    try:
        cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "slow"},
              "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Forbid",
                       "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                           {"name": "slow", "command": ["/bin/sleep", "75"]}]}}}}}}
        s.api.apply(cj)
        first = wait_for(lambda: s.api.ok("GET", "/cronjobs/slow")["status"].get("active"), 70, 0.5)
        check(bool(first), "the first slot started a Job")
        time.sleep(62)  # the next minute's slot comes while the first Job still runs
        st = s.api.ok("GET", "/cronjobs/slow")["status"]
        check(len(st.get("active", [])) == 1, f"never two Jobs at once ({st.get('active')})")
        # scheduling.md D6: Forbid defers the slot and starts it once the running Job ends.
        second = wait_for(lambda: (lambda r: r if len(r) >= 2 else None)(
            [x for x in s.api.ok("GET", "/cronjobs/slow")["status"].get("runs", []) if x.get("job")]), 40, 0.5)
        check(bool(second), "the deferred slot started after the first Job ended")
        if second:
            late = max(r.get("latenessMs", 0) for r in second)
            check(late >= 5000, f"the deferred run is recorded late ({late} ms)")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")


SCENARIOS = {"indexed": scenario_indexed, "seed": scenario_seed, "queue": scenario_queue,
             "restart": scenario_restart, "forbid": scenario_forbid}


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
        except Exception as e:
            check(False, f"{name}: {type(e).__name__}: {e}")
    if FAILS:
        print(f"{len(FAILS)} failure(s):\n  " + "\n  ".join(FAILS))
        return 1
    print("all batch scenarios passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
