#!/usr/bin/python3
"""Formatting tests for the `ebb` CLI's schedule, cronjob and job commands (get,
describe, delete, logs job/, wait, create job --from, trigger, suspend/resume),
against a fake API server.

Usage: cli_batch_test.py PATH/TO/ebb

The fake (http.server on 127.0.0.1:0, in a thread) serves canned JSON in the shapes
of docs/api.md "Jobs, CronJobs and Schedules" and records every request, so the
tests check what `ebb` prints, its exit codes (0 ok, 1 refused, 2 usage, 3
unreachable) and the bodies it sends. Same style as cli_services_test.py.
"""
import copy
import datetime
import json
import socket
import sys
import time

from fake_api import FakeApi, cells, cli, error_body, expect, run_tests

EBB = sys.argv[1] if len(sys.argv) > 1 else "ebb"
NOW = datetime.datetime.now(datetime.timezone.utc)


def ts(seconds_ago):
    t = NOW - datetime.timedelta(seconds=seconds_ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")



def make_state():
    nightly = {
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly-reindex", "creationTimestamp": ts(10800)},
        "spec": {"schedule": "0 2 * * *", "timeZone": "America/New_York", "concurrencyPolicy": "Forbid",
                 "jobTemplate": {"spec": {"completions": 8, "parallelism": 4, "template": {"spec": {
                     "restartPolicy": "Never", "containers": [{"name": "r", "command": ["/opt/reindex"]}]}}}}},
        "status": {"active": [{"name": "nightly-reindex-29000000"}], "lastScheduleTime": ts(900),
                   "nextScheduleTime": ts(-3600 * 5 - 30),
                   "runs": [{"slot": ts(900), "start": ts(900), "latenessMs": 12, "outcome": "Started",
                             "job": "nightly-reindex-29000000"}]}}
    report = {
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "daily-report", "creationTimestamp": ts(900)},
        "spec": {"schedule": "@daily", "suspend": True, "jobTemplate": {"spec": {"template": {"spec": {}}}}},
        "status": {"active": [], "lastScheduleTime": None, "runs": []}}
    sales = {
        "apiVersion": "ebb/v1", "kind": "Schedule",
        "metadata": {"name": "daily-sales-report", "creationTimestamp": ts(36000)},
        "spec": {"expression": "cron(0 6 * * ? *)", "timeZone": "UTC",
                 "flexibleTimeWindow": {"maximumWindowMinutes": 15},
                 "target": {"task": {"command": ["/opt/reports/bin/daily-sales", "--date=yesterday"]}}},
        "status": {"nextScheduleTime": ts(-3600 * 3 - 30), "lastScheduleTime": ts(1200),
                   "runs": [{"slot": ts(1200), "start": ts(1199), "latenessMs": 1500, "outcome": "Succeeded",
                             "job": "daily-sales-report-1"}]}}
    sweep = {
        "apiVersion": "ebb/v1", "kind": "Schedule",
        "metadata": {"name": "hourly-sweep", "creationTimestamp": ts(660)},
        "spec": {"expression": "rate(1 hour)", "target": {"queue": "thumbnails", "message": {"body": "{}"}}},
        "status": {"nextScheduleTime": None, "lastScheduleTime": None, "runs": []}}
    done = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "data-processing-job", "creationTimestamp": ts(4200)},
        "spec": {"completions": 8, "parallelism": 4, "completionMode": "Indexed", "backoffLimit": 3,
                 "template": {"spec": {"restartPolicy": "Never",
                                       "containers": [{"name": "p", "image": "proc:1", "command": ["/bin/proc"]}]}}},
        "status": {"active": 0, "succeeded": 8, "failed": 1, "startTime": ts(4000), "completionTime": ts(3700),
                   "completedIndexes": "0-7",
                   "conditions": [{"type": "Complete", "status": "True", "reason": "CompletionsReached",
                                   "message": "", "lastTransitionTime": ts(3700)}]}}
    running = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "work-queue", "creationTimestamp": ts(900)},
        "spec": {"parallelism": 3, "template": {"spec": {"containers": [{"name": "w", "command": ["./w"]}]}}},
        "status": {"active": 3, "succeeded": 0, "failed": 0, "startTime": ts(900), "conditions": []}}
    failed = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "broken", "creationTimestamp": ts(660)},
        "spec": {"backoffLimit": 1, "template": {"spec": {"containers": [{"name": "b", "command": ["false"]}]}}},
        "status": {"active": 0, "succeeded": 0, "failed": 2, "startTime": ts(600), "completionTime": ts(540),
                   "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                   "message": "Job has reached the specified backoff limit"}]}}
    task = {
        "apiVersion": "ebb/v1", "kind": "Task",
        "metadata": {"name": "data-processing-job-0", "creationTimestamp": ts(4000)},
        "spec": {"owner": "job/data-processing-job", "attempt": 1},
        "status": {"state": "Succeeded", "exitCode": 0, "startedAt": ts(4000), "endedAt": ts(3900)}}
    return {
        "cronjobs": {"nightly-reindex": nightly, "daily-report": report},
        "schedules": {"daily-sales-report": sales, "hourly-sweep": sweep},
        "jobs": {"data-processing-job": done, "work-queue": running, "broken": failed},
        "tasks": {"data-processing-job-0": task},
        "events": {"jobs/data-processing-job": [
            {"time": ts(3700), "type": "Normal", "reason": "Completed", "object": "job/data-processing-job",
             "message": "Job completed"}]},
        "logs": {"job/work-queue": [("work-queue-0", "zero\n"), ("work-queue-1", "one\n")]},
        "hooks": [], "counts": {}, "requests": [], "fail": {},
    }


class Fake(FakeApi):
    def dispatch(self, method, path, query, body):
        s = self.state
        parts = path.strip("/").split("/")
        if parts[:2] != ["api", "v1"] or len(parts) < 3:
            return 404, error_body("NotFound", "no such path")
        coll = parts[2]
        name = parts[3] if len(parts) > 3 else None
        sub = parts[4] if len(parts) > 4 else None
        listing = lambda items: {"apiVersion": "ebb/v1", "kind": "List", "items": items}
        if coll == "logs" and method == "POST":
            chunks = s["logs"].get(body["target"])
            if chunks is None:
                return 404, error_body("NotFound", "%s not found" % body["target"])
            if body.get("cursor") is not None:
                return 200, {"chunks": [], "cursor": body["cursor"]}
            return 200, {"chunks": [{"task": t, "data": d} for t, d in chunks], "cursor": {"n": 1}}
        if coll == "tasks" and method == "GET" and name is None:
            owner = query.get("owner", [None])[0]
            return 200, listing([t for t in s["tasks"].values() if owner is None or t["spec"]["owner"] == owner])
        if coll in ("cronjobs", "schedules", "jobs"):
            objs = s[coll]
            if name is None and method == "GET":
                return 200, listing([objs[k] for k in sorted(objs)])
            if name not in objs:
                return 404, error_body("NotFound", "%s %s not found" % (coll[:-1], name))
            if method == "GET" and sub is None:
                return 200, objs[name]
            if method == "GET" and sub == "events":
                return 200, {"items": s["events"].get("%s/%s" % (coll, name), [])}
            if method == "DELETE" and sub is None:
                del objs[name]
                return 200, {"deleted": "%s/%s" % (coll[:-1], name)}
            if method == "POST" and sub in ("suspend", "resume"):
                objs[name]["spec"]["suspend"] = sub == "suspend"
                return 200, objs[name]
            if method == "POST" and coll == "cronjobs" and sub == "jobs":
                job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": body["name"]},
                       "spec": copy.deepcopy(objs[name]["spec"]["jobTemplate"]["spec"]), "status": {}}
                s["jobs"][body["name"]] = job
                return 201, job
            if method == "POST" and coll == "schedules" and sub == "trigger":
                return 200, objs[name]
        return 404, error_body("NotFound", "no route for %s %s" % (method, path))


FAKE = None
ebb = None


# ---- get ------------------------------------------------------------------------

def test_get_cronjobs():
    rc, out, err = ebb("get", "cronjobs")
    expect(rc == 0, "rc %d" % rc, err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"], "header", out)
    expect(cells(lines[1]) == ["daily-report", "@daily", "UTC", "True", "0", "<none>", "15m"], "daily-report", out)
    expect(cells(lines[2]) == ["nightly-reindex", "0 2 * * *", "America/New_York", "False", "1", "15m", "3h"],
           "nightly", out)
    rc, out2, _ = ebb("get", "cj", "-o", "name")
    expect(out2 == "cronjob/daily-report\ncronjob/nightly-reindex\n", "-o name", out2)


def test_get_schedules():
    rc, out, err = ebb("get", "sched", "-o", "wide")
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "EXPRESSION", "TIMEZONE", "SUSPEND", "NEXT", "LAST", "AGE", "TARGET", "LATENESS"],
           "header", out)
    expect(cells(lines[1]) == ["daily-sales-report", "cron(0 6 * * ? *)", "UTC", "False", "in 3h", "20m", "10h", "task",
                               "1.5s"], "sales", out)
    expect(cells(lines[2]) == ["hourly-sweep", "rate(1 hour)", "UTC", "False", "<none>", "<none>", "11m",
                               "queue/thumbnails", "<none>"], "sweep", out)
    rc, out, err = ebb("get", "schedule/hourly-sweep", "-o", "json")
    expect(rc == 0 and json.loads(out)["spec"]["expression"] == "rate(1 hour)", "json", out, err)


def test_get_jobs():
    rc, out, err = ebb("get", "jobs")
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], "header", out)
    rows = {cells(l)[0]: cells(l) for l in lines[1:]}
    expect(rows["data-processing-job"] == ["data-processing-job", "Complete", "8/8", "5m", "70m"], "complete", out)
    expect(rows["work-queue"] == ["work-queue", "Running", "0/1 of 3", "15m", "15m"], "running", out)
    expect(rows["broken"] == ["broken", "Failed", "0/1", "60s", "11m"], "failed", out)
    rc, out, err = ebb("get", "job", "nope")
    expect(rc == 1 and 'job "nope" not found' in err, "missing", err)


# ---- describe ---------------------------------------------------------------------

def test_describe_job():
    rc, out, err = ebb("describe", "job/data-processing-job")
    expect(rc == 0, "rc", err)
    for text in ("Name:                   data-processing-job", "Status:                 Complete",
                 "Completions:            8/8", "Completion mode:        Indexed", "Completed indexes:      0-7",
                 "Tasks statuses:         0 Active / 8 Succeeded / 1 Failed", "  Image:                proc:1",
                 "  Command:              /bin/proc", "Conditions:", "CompletionsReached", "Tasks:",
                 "data-processing-job-0", "Events:", "Job completed"):
        expect(text in out, "missing %r" % text, out)
    events = out[out.index("Events:"):].splitlines()
    expect(cells(events[1]) == ["TYPE", "REASON", "AGE", "MESSAGE"], "events header", out)
    owner = [r[1] for r in FAKE.requests("GET", "/api/v1/tasks?")]
    expect(any("owner=job%2Fdata-processing-job" in p for p in owner), "tasks of the job", owner)


def test_describe_cronjob_and_schedule():
    rc, out, err = ebb("describe", "cj", "nightly-reindex")
    expect(rc == 0, "rc", err)
    for text in ("Schedule:               0 2 * * *", "Time zone:              America/New_York",
                 "Concurrency policy:     Forbid", "Active jobs:            nightly-reindex-29000000", "Runs:",
                 "12ms", "Events:                 <none>"):
        expect(text in out, "missing %r" % text, out)
    rc, out, err = ebb("describe", "schedule", "daily-sales-report")
    expect(rc == 0, "rc", err)
    for text in ("Expression:             cron(0 6 * * ? *)", "Flexible window:        15m", "Target:                 task",
                 "  Command:              /opt/reports/bin/daily-sales --date=yesterday",
                 "  Maximum attempts:     185", "Runs:", "Succeeded", "Events:"):
        expect(text in out, "missing %r" % text, out)
    rc, out, err = ebb("describe", "sched", "nope")
    expect(rc == 1 and 'schedule "nope" not found' in err, "missing", err)


# ---- delete, suspend, resume, trigger, create ------------------------------------------

def test_delete():
    rc, out, err = ebb("delete", "job", "broken")
    expect(rc == 0 and out == 'job "broken" deleted\n', "job", out, err)
    rc, out, err = ebb("delete", "cronjob/daily-report")
    expect(rc == 0 and out == 'cronjob "daily-report" deleted\n', "cronjob", out, err)
    rc, out, err = ebb("delete", "sched", "hourly-sweep", "nope")
    expect(rc == 1 and out == 'schedule "hourly-sweep" deleted\n' and 'schedule "nope" not found' in err, "schedule",
           out, err)
    expect([r[1] for r in FAKE.requests("DELETE")] == ["/api/v1/jobs/broken", "/api/v1/cronjobs/daily-report",
                                                       "/api/v1/schedules/hourly-sweep", "/api/v1/schedules/nope"],
           "paths", FAKE.requests("DELETE"))


def test_suspend_resume():
    for target, path, word in (("cronjob/nightly-reindex", "/api/v1/cronjobs/nightly-reindex", "cronjob"),
                               ("schedule/daily-sales-report", "/api/v1/schedules/daily-sales-report", "schedule"),
                               ("job/work-queue", "/api/v1/jobs/work-queue", "job")):
        rc, out, err = ebb("suspend", target)
        expect(rc == 0 and out == "%s/%s suspended\n" % (word, target.split("/")[1]), "suspend " + target, out, err)
        expect(FAKE.requests("POST", path + "/suspend")[-1][2] == {}, "suspend body " + target)
        rc, out, err = ebb("resume", target)
        expect(rc == 0 and out.endswith("resumed\n"), "resume " + target, out, err)
        expect(len(FAKE.requests("POST", path + "/resume")) == 1, "resume request " + target)
    rc, out, err = ebb("suspend", "cj", "nope")
    expect(rc == 1 and 'cronjob "nope" not found' in err, "404", err)
    rc, out, err = ebb("suspend", "queue/thumbnails")
    expect(rc == 2, "queues cannot be suspended", err)


def test_trigger():
    rc, out, err = ebb("trigger", "schedule/daily-sales-report")
    expect(rc == 0 and out == "schedule/daily-sales-report triggered\n", "trigger", out, err)
    expect(FAKE.requests("POST", "/api/v1/schedules/daily-sales-report/trigger")[-1][2] == {}, "body")
    rc, out, err = ebb("trigger", "cronjob/nightly-reindex")
    expect(rc == 2 and "create job" in err, "cronjobs use create job", err)
    rc, out, err = ebb("trigger", "sched/nope")
    expect(rc == 1 and 'schedule "nope" not found' in err, "404", err)


def test_create_job_from_cronjob():
    rc, out, err = ebb("create", "job", "manual-1", "--from=cronjob/nightly-reindex")
    expect(rc == 0 and out == "job/manual-1 created\n", "created", out, err)
    expect(FAKE.requests("POST", "/api/v1/cronjobs/nightly-reindex/jobs")[-1][2] == {"name": "manual-1"}, "body")
    rc, out, err = ebb("create", "job", "manual-2", "--from", "cj/nightly-reindex")
    expect(rc == 0, "cj alias", err)
    n = len(FAKE.requests("POST"))
    for args in (["create", "job", "Bad_Name", "--from=cronjob/x"], ["create", "job", "m"],
                 ["create", "job", "m", "--from=schedule/x"], ["create", "job", "m", "--from=cronjob/"]):
        rc, out, err = ebb(*args)
        expect(rc == 2, "usage error for %s: rc %d" % (args, rc), err)
    expect(len(FAKE.requests("POST")) == n, "usage errors send nothing")
    rc, out, err = ebb("create", "job", "m", "--from=cronjob/nope")
    expect(rc == 1 and 'cronjob "nope" not found' in err, "404", err)


# ---- logs and wait ------------------------------------------------------------------------

def test_logs_job():
    rc, out, err = ebb("logs", "job/work-queue")
    expect(rc == 0 and out == "[work-queue-0] zero\n[work-queue-1] one\n", "prefixed", out, err)
    expect(FAKE.requests("POST", "/api/v1/logs")[-1][2] == {"target": "job/work-queue"}, "body")
    rc, out, err = ebb("logs", "job/nope")
    expect(rc == 1, "404", err)


def test_logs_follow_job_ends():
    def finish(s):
        s["jobs"]["work-queue"]["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    FAKE.after("POST", "/api/v1/logs", 2, finish)
    t0 = time.monotonic()
    rc, out, err = ebb("logs", "-f", "job/work-queue", env={"EBB_WATCH_MAX_SECONDS": "20"})
    expect(rc == 0 and out.startswith("[work-queue-0] zero\n"), "output", out, err)
    expect(time.monotonic() - t0 < 10, "stopped when the job ended")


def test_wait_complete():
    rc, out, err = ebb("wait", "job/data-processing-job", "--for=condition=Complete")
    expect(rc == 0 and out == "job/data-processing-job condition met\n", "met at once", out, err)
    def finish(s):
        s["jobs"]["work-queue"]["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    FAKE.after("GET", "/api/v1/jobs/work-queue", 2, finish)
    t0 = time.monotonic()
    rc, out, err = ebb("wait", "job", "work-queue", "--for", "condition=complete", "--timeout", "10s")
    expect(rc == 0 and out == "job/work-queue condition met\n", "met later", out, err)
    expect(0.8 < time.monotonic() - t0 < 8, "polled every 500 ms")
    expect(len(FAKE.requests("GET", "/api/v1/jobs/work-queue")) == 3, "three polls",
           FAKE.requests("GET", "/api/v1/jobs/work-queue"))


def test_wait_other_condition_and_timeout():
    rc, out, err = ebb("wait", "job/broken", "--for=condition=Complete")
    expect(rc == 1 and "job/broken is Failed (BackoffLimitExceeded), not Complete" in err, "failed instead", err)
    rc, out, err = ebb("wait", "job/broken", "--for=condition=Failed")
    expect(rc == 0, "failed is met", err)
    t0 = time.monotonic()
    rc, out, err = ebb("wait", "job/work-queue", "--for=condition=Complete", "--timeout=1s")
    expect(rc == 1 and "error: timed out waiting for the condition on jobs/work-queue" in err, "timeout", err)
    expect(0.9 < time.monotonic() - t0 < 5, "took the timeout")
    rc, out, err = ebb("wait", "job/nope", "--for=condition=Complete")
    expect(rc == 1 and 'job "nope" not found' in err, "404", err)
    for args in (["job/x"], ["job/x", "--for=delete"], ["job/x", "--for=condition=Ready"],
                 ["job/x", "--for=condition=Complete", "--timeout", "10"],
                 ["job/x", "--for=condition=Complete", "--timeout", "-1s"], ["cronjob/x", "--for=condition=Complete"]):
        rc, out, err = ebb("wait", *args)
        expect(rc == 2, "usage error for %s: rc %d" % (args, rc), err)


# ---- errors ------------------------------------------------------------------------------

def test_exit_codes():
    rc, out, err = ebb("get", "widgets")
    expect(rc == 2 and "schedules (sched)" in err and "cronjobs (cj)" in err and "jobs" in err, "types listed", err)
    expect("secrets" in err, "secrets listed among the types", err)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for args in (["get", "cj"], ["wait", "job/x", "--for=condition=Complete"], ["trigger", "sched/x"],
                 ["create", "job", "m", "--from=cj/x"]):
        rc, out, err = ebb(*args, "--server", "http://127.0.0.1:%d" % port, server=False)
        expect(rc == 3 and "cannot reach" in err, "unreachable %s: rc %d" % (args, rc), err)
    with FAKE.lock:
        FAKE.state["fail"]["/api/v1/schedules/daily-sales-report/trigger"] = (409, error_body("Conflict", "suspended"))
    rc, out, err = ebb("trigger", "schedule/daily-sales-report")
    expect(rc == 1 and "Conflict" in err, "refusal shows the code", err)


def fresh_state():
    global NOW
    NOW = datetime.datetime.now(datetime.timezone.utc)
    return make_state()


def main():
    global FAKE, ebb
    FAKE = Fake(fresh_state)
    ebb = cli(EBB, FAKE)
    return run_tests(FAKE, globals())


if __name__ == "__main__":
    sys.exit(main())
