#!/usr/bin/python3
"""Formatting tests for the `ebb` CLI's service, task, event-source, logs, scale,
suspend/resume and --watch commands, against a fake API server.

Usage: cli_services_test.py PATH/TO/ebb

The fake (http.server on 127.0.0.1:0, in a thread) serves canned JSON in the shapes
of docs/api.md and records every request, so the tests check what `ebb` prints, its
exit codes (0 ok, 1 refused, 2 usage, 3 unreachable) and the bodies it sends. The
real server is exercised by the integration tests, not here.
"""
import copy
import datetime
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

from fake_api import FakeApi, cells, cli, error_body, expect, run_tests

EBB = sys.argv[1] if len(sys.argv) > 1 else "ebb"
NOW = datetime.datetime.now(datetime.timezone.utc)  # reset before each test


# Ages are chosen to print the same for a minute ("15m", "3h"): kubectl's format
# shows seconds below 10 minutes ("5m4s").
def ts(seconds_ago):
    t = NOW - datetime.timedelta(seconds=seconds_ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")



def make_state():
    thumbnailer = {
        "apiVersion": "ebb/v1", "kind": "Service",
        "metadata": {"name": "thumbnailer", "creationTimestamp": ts(900), "labels": {"app": "thumbnails"}},
        "spec": {"template": {"command": ["python3", "worker.py"], "resources": {"cpu": "500m", "memory": "1Gi"}},
                 "scaling": {"queue": "thumbnails", "maxTasks": 10}},
        "status": {"desired": 10, "running": 8, "starting": 2, "draining": 0, "stopping": 0, "paused": False,
                   "backlog": 412, "backlogPerTask": 51.5, "target": 5, "minTasks": 0, "maxTasks": 10,
                   "triggers": [{"queue": "thumbnails", "visible": 392, "inFlight": 20, "delayed": 0,
                                 "activeGroups": 0, "backlog": 412, "recommendation": 83}],
                   "lastScaleTime": ts(1200), "lastReason": "CappedAtMax", "restartBackoffSeconds": 0,
                   "limits": {"runtime": "process", "cgroup": "v1", "memory": True, "pids": True, "cpu": False,
                              "notes": ["cpu.max is not available on cgroup v1"]},
                   "decisions": []}}
    multi = {
        "apiVersion": "ebb/v1", "kind": "Service",
        "metadata": {"name": "multi", "creationTimestamp": ts(10800)},
        "spec": {"template": {"command": ["./work"]},
                 "scaling": {"triggers": [{"queue": "a", "targetBacklogPerTask": 5},
                                          {"queue": "b", "targetBacklogPerTask": 5}],
                             "minTasks": 1, "maxTasks": 3}},
        "status": {"desired": 1, "running": 1, "starting": 0, "draining": 0, "stopping": 0, "paused": False,
                   "backlog": 0, "backlogPerTask": 0, "target": 5, "minTasks": 1, "maxTasks": 3,
                   "triggers": [], "lastScaleTime": None, "lastReason": None}}
    running = {
        "apiVersion": "ebb/v1", "kind": "Task",
        "metadata": {"name": "thumbnailer-7f3a9c2e", "creationTimestamp": ts(900)},
        "spec": {"owner": "service/thumbnailer", "command": ["python3", "worker.py"], "cpu": "500m", "memory": "1Gi"},
        "status": {"state": "Running", "pid": 4242, "startedAt": ts(900), "endedAt": None, "exitCode": None,
                   "signal": None, "reason": None, "message": None, "cpuSeconds": 0.4, "peakRssBytes": 31457280,
                   "leases": 1, "draining": False, "logPath": "/data/tasks/thumbnailer-7f3a9c2e/output.log",
                   "stopReason": None}}
    second = copy.deepcopy(running)
    second["metadata"]["name"] = "thumbnailer-0b1c2d3e"
    second["status"]["pid"] = 4243
    finished = {
        "apiVersion": "ebb/v1", "kind": "Task",
        "metadata": {"name": "thumbnailer-00000001", "creationTimestamp": ts(4200)},
        "spec": {"owner": "service/thumbnailer", "command": ["python3", "worker.py"]},
        "status": {"state": "Failed", "pid": 4000, "startedAt": ts(3900), "endedAt": ts(3800), "exitCode": None,
                   "signal": 9, "reason": "OOMKilled", "message": "memory.max reached", "cpuSeconds": 12,
                   "peakRssBytes": 268435456, "leases": 0, "draining": False, "logPath": "x", "stopReason": None}}
    inbox = {
        "apiVersion": "ebb/v1", "kind": "EventSource",
        "metadata": {"name": "inbox", "creationTimestamp": ts(36000)},
        "spec": {"directory": "/srv/inbox", "queue": "thumbnails", "body": "s3"},
        "status": {"announced": 200, "pending": 0, "lastFile": "cat.jpg", "lastAnnouncedAt": ts(30), "error": None}}
    events = []
    for i in range(25):
        events.append({"time": ts(14400 + 25 - i), "timeMs": 0, "type": "Normal", "reason": "ScaleOut",
                       "object": "service/thumbnailer", "message": "decision %d: backlog 412 -> desired 10" % i})
    events.append({"time": ts(7200), "timeMs": 0, "type": "Warning", "reason": "TaskExited",
                   "object": "task/thumbnailer-7f3a9c2e", "message": "exit 0 after 200s"})
    queue = {
        "apiVersion": "ebb/v1", "kind": "Queue",
        "metadata": {"name": "thumbnails", "creationTimestamp": ts(660)},
        "spec": {"fifo": False, "visibilityTimeoutSeconds": 30},
        "status": {"visible": 3, "inFlight": 1, "delayed": 0, "oldestAgeSeconds": 12}}
    return {
        "services": {"thumbnailer": thumbnailer, "multi": multi},
        "tasks": {t["metadata"]["name"]: t for t in (running, second, finished)},
        "eventsources": {"inbox": inbox},
        "events": {"thumbnailer": events},
        "queues": {"thumbnails": queue},
        "logs": {"thumbnailer-7f3a9c2e": "line one\nline two\nline three\n",
                 "thumbnailer-0b1c2d3e": "other task\npartial"},
        "hooks": [],      # (method, path, n, function): see Fake.after
        "counts": {},
        "requests": [],   # (method, path with query, parsed body or None)
        "fail": {},       # path -> (status, body)
    }


class Fake(FakeApi):
    def dispatch(self, method, path, query, body):
        s = self.state
        parts = path.strip("/").split("/")  # api v1 collection [name [sub]]
        if parts[:2] != ["api", "v1"] or len(parts) < 3:
            return 404, error_body("NotFound", "no such path")
        coll = parts[2]
        name = parts[3] if len(parts) > 3 else None
        sub = parts[4] if len(parts) > 4 else None
        listing = lambda items: {"apiVersion": "ebb/v1", "kind": "List", "items": items}

        if coll == "logs" and method == "POST":
            return self.logs(body)
        if coll == "tasks" and method == "GET":
            if name is None:
                items = sorted(s["tasks"].values(), key=lambda t: t["metadata"]["name"])
                owner = query.get("owner", [None])[0]
                if owner:
                    items = [t for t in items if t["spec"]["owner"] == owner]
                if query.get("all", [""])[0] != "true":
                    items = [t for t in items if t["status"]["state"] not in ("Succeeded", "Failed", "Lost")]
                return 200, listing(items)
            if name in s["tasks"]:
                return 200, s["tasks"][name]
            return 404, error_body("NotFound", "task %s not found" % name)
        if coll in ("services", "eventsources", "queues"):
            objs = s[coll]
            if name is None and method == "GET":
                return 200, listing([objs[k] for k in sorted(objs)])
            if name not in objs:
                return 404, error_body("NotFound", "%s %s not found" % (coll[:-1], name))
            if method == "GET" and sub is None:
                return 200, objs[name]
            if method == "GET" and sub == "events" and coll == "services":
                return 200, {"items": s["events"].get(name, [])}
            if method == "DELETE" and sub is None:
                del objs[name]
                return 200, {"deleted": "%s/%s" % (coll[:-1], name)}
            if method == "POST" and coll == "services" and sub in ("scale", "suspend", "resume"):
                st = objs[name]["status"]
                if sub == "scale":
                    if "min" in body:
                        st["minTasks"] = body["min"]
                    if "max" in body:
                        st["maxTasks"] = body["max"]
                else:
                    st["paused"] = sub == "suspend"
                return 200, objs[name]
        return 404, error_body("NotFound", "no route for %s %s" % (method, path))

    def logs(self, body):
        s = self.state
        target = body.get("target", "")
        kind, _, name = target.partition("/")
        if kind == "task":
            if name not in s["tasks"]:
                return 404, error_body("NotFound", "task %s not found" % name)
            ids = [name]
        elif kind == "service":
            if name not in s["services"]:
                return 404, error_body("NotFound", "service %s not found" % name)
            ids = sorted(t for t in s["logs"] if t.startswith(name + "-"))
        else:
            return 400, error_body("Invalid", "bad target")
        cursor = body.get("cursor")
        chunks, new_cursor = [], {}
        for tid in ids:
            text = s["logs"].get(tid, "")
            if cursor is not None:
                data = text[cursor.get(tid, 0):]
            elif body.get("tail") is not None:
                lines = text.splitlines(True)
                data = "".join(lines[len(lines) - body["tail"]:]) if body["tail"] else ""
            else:
                data = text
            if data:
                chunks.append({"task": tid, "data": data})
            new_cursor[tid] = len(text)
        return 200, {"chunks": chunks, "cursor": new_cursor}


FAKE = None
ebb = None


# ---- get ------------------------------------------------------------------------

def test_get_services_table():
    rc, out, err = ebb("get", "services")
    expect(rc == 0, "rc %d" % rc, err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "QUEUE", "DESIRED", "RUNNING", "BACKLOG/TASK", "TARGET", "AGE"], "header", out)
    expect(cells(lines[1]) == ["multi", "a,b", "1", "1", "0", "5", "3h"], "multi row", out)
    expect(cells(lines[2]) == ["thumbnailer", "thumbnails", "10", "8", "51.5", "5", "15m"], "thumbnailer row", out)
    # Columns separated by at least three spaces and aligned.
    expect(lines[0].index("QUEUE") == lines[1].index("a,b") == lines[2].index("thumbnails"), "alignment", out)
    rc, out2, _ = ebb("get", "svc", "--no-headers")
    expect([cells(l) for l in out2.splitlines()] == [cells(l) for l in lines[1:]], "--no-headers", out2)


def test_get_services_wide():
    rc, out, err = ebb("get", "svc", "thumbnailer", "-o", "wide")
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(cells(lines[0])[7:] == ["MIN", "MAX", "CPU", "MEMORY", "LAST-SCALE"], "wide header", out)
    expect(cells(lines[1])[7:] == ["0", "10", "500m", "1Gi", "20m"], "wide row", out)
    rc, out, err = ebb("get", "service/multi", "-o", "wide")
    expect(cells(out.splitlines()[1])[7:] == ["1", "3", "<none>", "<none>", "<none>"], "wide row without resources", out)


def test_get_json_name():
    rc, out, err = ebb("get", "svc", "thumbnailer", "-o", "json")
    expect(rc == 0, "rc", err)
    expect(json.loads(out) == FAKE.state["services"]["thumbnailer"], "single object", out)
    rc, out, err = ebb("get", "svc", "-o", "json")
    doc = json.loads(out)
    expect(doc["kind"] == "List" and [i["metadata"]["name"] for i in doc["items"]] == ["multi", "thumbnailer"], "list", out)
    rc, out, err = ebb("get", "svc", "-o", "name")
    expect(out == "service/multi\nservice/thumbnailer\n", "-o name", out)
    rc, out, err = ebb("get", "es", "-o", "name")
    expect(out == "eventsource/inbox\n", "-o name es", out)
    rc, out, err = ebb("get", "svc", "thumbnailer", "-o", "yaml")
    expect(rc == 0 and "kind: Service" in out and "backlogPerTask: 51.5" in out, "yaml", out)


def test_get_missing():
    rc, out, err = ebb("get", "svc", "thumbnailer", "nope")
    expect(rc == 1, "rc %d" % rc, err)
    expect('error: service "nope" not found' in err, "message", err)
    expect("thumbnailer" in out, "others still shown", out)


def test_get_tasks():
    rc, out, err = ebb("get", "tasks")
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "OWNER", "STATUS", "EXIT", "ATTEMPT", "AGE"], "header", out)
    expect(len(lines) == 3, "finished tasks hidden", out)
    expect(cells(lines[2]) == ["thumbnailer-7f3a9c2e", "service/thumbnailer", "Running", "<none>", "-", "15m"], "row", out)
    rc, out, err = ebb("get", "tasks", "-a", "--owner", "service/thumbnailer", "-o", "wide")
    expect(rc == 0, "rc", err)
    last = FAKE.requests("GET", "/api/v1/tasks")[-1][1]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(last).query)
    expect(q == {"owner": ["service/thumbnailer"], "all": ["true"]}, "query " + last)
    lines = out.splitlines()
    expect(cells(lines[0])[6:] == ["PID", "RUNTIME", "CPU", "MEMORY"], "wide header", out)
    rows = {cells(l)[0]: cells(l) for l in lines[1:]}
    expect(rows["thumbnailer-00000001"][1:] == ["service/thumbnailer", "Failed (OOMKilled)", "signal 9", "-", "70m",
                                                "4000", "100s", "12s", "256Mi"], "finished row", out)
    expect(rows["thumbnailer-7f3a9c2e"][6:9] == ["4242", "15m", "0.4s"] and rows["thumbnailer-7f3a9c2e"][9] == "30Mi",
           "running row", out)
    rc, out, err = ebb("get", "svc", "--owner", "service/x")
    expect(rc == 2, "--owner on services is a usage error", err)
    rc, out, err = ebb("get", "tasks", "--owner", "thumbnailer")
    expect(rc == 2 and "service/NAME" in err, "--owner needs service/NAME", err)


def test_get_eventsources():
    rc, out, err = ebb("get", "eventsources")
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(cells(lines[0]) == ["NAME", "DIRECTORY", "QUEUE", "ANNOUNCED", "PENDING", "AGE"], "header", out)
    expect(cells(lines[1]) == ["inbox", "/srv/inbox", "thumbnails", "200", "0", "10h"], "row", out)


def test_get_queues_still_work():
    rc, out, err = ebb("get", "q")
    expect(rc == 0, "rc", err)
    expect(cells(out.splitlines()[1]) == ["thumbnails", "3", "1", "0", "12s", "<none>", "11m"], "queue row", out)


def test_empty_list():
    with FAKE.lock:
        FAKE.state["eventsources"].clear()
    rc, out, err = ebb("get", "es")
    expect(rc == 0 and out == "" and "No eventsources found." in err, "empty", out, err)


# ---- describe ---------------------------------------------------------------------

def test_describe_service():
    rc, out, err = ebb("describe", "service", "thumbnailer")
    expect(rc == 0, "rc", err)
    for text in ("Name:                   thumbnailer", "Command:                python3 worker.py",
                 "Resources:              cpu 500m, memory 1Gi", "  Queue:                thumbnails",
                 "  Max tasks:            10", "  Paused:               false", "  Backlog per task:     51.5",
                 "CappedAtMax", "Limits enforced:", "  Runtime:              process", "  Memory:               enforced",
                 "  CPU:                  not enforced", "cpu.max is not available on cgroup v1", "Tasks:",
                 "thumbnailer-7f3a9c2e", "Triggers:", "RECOMMENDATION", "Events:"):
        expect(text in out, "missing %r" % text, out)
    events = out[out.index("Events:"):].splitlines()
    expect(cells(events[1]) == ["TYPE", "REASON", "AGE", "MESSAGE"], "events header", out)
    expect(len(events) == 22, "last 20 events", out)
    expect("decision 5:" not in out and "decision 6:" in out, "oldest dropped", out)
    expect(cells(events[-1])[:3] == ["Warning", "TaskExited", "120m"], "last event", out)
    owner_q = [r[1] for r in FAKE.requests("GET", "/api/v1/tasks?")]
    expect(any("owner=service%2Fthumbnailer" in p for p in owner_q), "tasks of the service fetched", owner_q)


def test_describe_task_and_eventsource():
    rc, out, err = ebb("describe", "task/thumbnailer-7f3a9c2e")
    expect(rc == 0, "rc", err)
    for text in ("Owner:                  service/thumbnailer", "State:                  Running",
                 "PID:                    4242", "Peak memory:            30Mi (31457280 bytes)", "TaskExited"):
        expect(text in out, "missing %r" % text, out)
    expect("ScaleOut" not in out, "only this task's events", out)
    rc, out, err = ebb("describe", "es", "inbox")
    expect(rc == 0 and "Directory:              /srv/inbox" in out and "  Announced:            200" in out,
           "eventsource page", out, err)
    rc, out, err = ebb("describe", "svc", "nope")
    expect(rc == 1 and 'service "nope" not found' in err, "missing", err)
    rc, out, err = ebb("describe", "svc")
    expect(rc == 2, "describe without a name", err)


# ---- delete ---------------------------------------------------------------------------

def test_delete():
    rc, out, err = ebb("delete", "service", "multi", "nope")
    expect(rc == 1, "rc", err)
    expect(out == 'service "multi" deleted\n', "output", out)
    expect('service "nope" not found' in err, "missing", err)
    expect(("DELETE", "/api/v1/services/multi", None) in FAKE.requests("DELETE"), "request", FAKE.requests("DELETE"))
    rc, out, err = ebb("delete", "eventsource/inbox")
    expect(rc == 0 and out == 'eventsource "inbox" deleted\n', "es", out, err)
    rc, out, err = ebb("delete", "task", "thumbnailer-7f3a9c2e")
    expect(rc == 2, "tasks cannot be deleted", err)


# ---- scale, suspend, resume ---------------------------------------------------------------

def test_scale():
    rc, out, err = ebb("scale", "service/thumbnailer", "--min", "2", "--max", "2")
    expect(rc == 0 and out == "service/thumbnailer scaled\n", "output", out, err)
    expect(FAKE.requests("POST", "/api/v1/services/thumbnailer/scale")[-1][2] == {"min": 2, "max": 2}, "body")
    rc, out, err = ebb("scale", "svc", "thumbnailer", "--max", "4")
    expect(rc == 0 and FAKE.requests("POST", "/api/v1/services/thumbnailer/scale")[-1][2] == {"max": 4}, "only max", err)
    n = len(FAKE.requests("POST"))
    for args in (["--min", "5", "--max", "2"], [], ["--min", "0x10"], ["--min", "-1"], ["--max", "0"]):
        rc, out, err = ebb("scale", "service/thumbnailer", *args)
        expect(rc == 2, "usage error for %s: rc %d" % (args, rc), err)
    rc, out, err = ebb("scale", "queue/thumbnails", "--min", "1")
    expect(rc == 2, "only services scale", err)
    expect(len(FAKE.requests("POST")) == n, "usage errors send nothing")
    rc, out, err = ebb("scale", "service/nope", "--min", "1")
    expect(rc == 1 and 'service "nope" not found' in err, "404", err)


def test_suspend_resume():
    rc, out, err = ebb("suspend", "service/thumbnailer")
    expect(rc == 0 and out == "service/thumbnailer suspended\n", "suspend", out, err)
    expect(FAKE.requests("POST", "/api/v1/services/thumbnailer/suspend")[-1][2] == {}, "suspend body")
    expect(FAKE.state["services"]["thumbnailer"]["status"]["paused"] is True, "paused")
    rc, out, err = ebb("resume", "svc/thumbnailer")
    expect(rc == 0 and out == "service/thumbnailer resumed\n", "resume", out, err)
    expect(FAKE.requests("POST", "/api/v1/services/thumbnailer/resume")[-1][2] == {}, "resume body")
    rc, out, err = ebb("suspend", "queue/thumbnails")
    expect(rc == 2, "queues cannot be suspended", err)


# ---- logs ---------------------------------------------------------------------------------

def test_logs():
    rc, out, err = ebb("logs", "task/thumbnailer-7f3a9c2e")
    expect(rc == 0 and out == "line one\nline two\nline three\n", "task logs", out, err)
    expect(FAKE.requests("POST", "/api/v1/logs")[-1][2] == {"target": "task/thumbnailer-7f3a9c2e"}, "body")
    rc, out, err = ebb("logs", "service/thumbnailer", "--tail", "1")
    expect(FAKE.requests("POST", "/api/v1/logs")[-1][2] == {"target": "service/thumbnailer", "tail": 1}, "tail body")
    # A partial line waits for its end (here: the end of the output), so lines never mix.
    expect(out == "[thumbnailer-7f3a9c2e] line three\n[thumbnailer-0b1c2d3e] partial\n", "prefixed", out, err)
    rc, out, err = ebb("logs", "service/thumbnailer")
    expect(out == "[thumbnailer-0b1c2d3e] other task\n[thumbnailer-7f3a9c2e] line one\n"
                  "[thumbnailer-7f3a9c2e] line two\n[thumbnailer-7f3a9c2e] line three\n[thumbnailer-0b1c2d3e] partial\n",
           "service logs", out)
    rc, out, err = ebb("logs", "task/nope")
    expect(rc == 1 and "NotFound" in err, "404 shows the server's code", err)
    rc, out, err = ebb("logs", "queue/thumbnails")
    expect(rc == 2, "queues have no logs", err)
    rc, out, err = ebb("logs", "task/x", "--tail", "abc")
    expect(rc == 2, "bad --tail", err)


def test_logs_follow():
    def grow(s):
        s["logs"]["thumbnailer-7f3a9c2e"] += "line four\n"
        s["logs"]["thumbnailer-0b1c2d3e"] += " end\n"
    FAKE.after("POST", "/api/v1/logs", 2, grow)  # after the first cursor poll
    t0 = time.monotonic()
    rc, out, err = ebb("logs", "-f", "service/thumbnailer", env={"EBB_WATCH_MAX_SECONDS": "3"})
    expect(rc == 0, "rc %d" % rc, err)
    expect(2.5 < time.monotonic() - t0 < 10, "ran until the bound")
    expect(out.endswith("[thumbnailer-0b1c2d3e] partial end\n[thumbnailer-7f3a9c2e] line four\n"), "followed", out)
    posts = [r[2] for r in FAKE.requests("POST", "/api/v1/logs")]
    expect(len(posts) >= 4, "polled", posts)
    expect(posts[1] == {"target": "service/thumbnailer",
                        "cursor": {"thumbnailer-0b1c2d3e": 18, "thumbnailer-7f3a9c2e": 29}}, "first cursor", posts)
    expect(posts[-1]["cursor"] == {"thumbnailer-0b1c2d3e": 23, "thumbnailer-7f3a9c2e": 39}, "cursor advanced", posts)


def test_logs_follow_task_ends():
    def finish(s):
        s["logs"]["thumbnailer-7f3a9c2e"] += "bye\n"
        s["tasks"]["thumbnailer-7f3a9c2e"]["status"]["state"] = "Succeeded"
    FAKE.after("POST", "/api/v1/logs", 2, finish)
    t0 = time.monotonic()
    rc, out, err = ebb("logs", "-f", "task/thumbnailer-7f3a9c2e", env={"EBB_WATCH_MAX_SECONDS": "20"})
    expect(rc == 0 and out.endswith("line three\nbye\n"), "output", out, err)
    expect(time.monotonic() - t0 < 10, "stopped when the task ended")


# ---- watch ----------------------------------------------------------------------------------

def test_watch_table():
    def change(s):
        s["services"]["thumbnailer"]["status"]["running"] = 9
    FAKE.after("GET", "/api/v1/services", 2, change)  # seen by the second poll
    rc, out, err = ebb("get", "svc", "-w", env={"EBB_WATCH_MAX_SECONDS": "4"})
    expect(rc == 0, "rc %d" % rc, err)
    lines = out.splitlines()
    expect(len(lines) == 4, "header, 2 rows, 1 change", out)
    expect(cells(lines[3])[:5] == ["thumbnailer", "thumbnails", "10", "9", "51.5"], "changed row", out)
    expect(lines[3].index("thumbnails") == lines[0].index("QUEUE"), "aligned with the table", out)
    expect(len(FAKE.requests("GET", "/api/v1/services")) >= 3, "polled")


def test_watch_json_and_delete():
    def change(s):
        s["services"]["multi"]["status"]["desired"] = 2
    def delete(s):
        del s["services"]["multi"]
    FAKE.after("GET", "/api/v1/services", 1, change)
    FAKE.after("GET", "/api/v1/services", 2, delete)
    rc, out, err = ebb("get", "svc", "-w", "-o", "json", env={"EBB_WATCH_MAX_SECONDS": "4"})
    expect(rc == 0, "rc", err)
    events = [json.loads(l) for l in out.splitlines()]
    summary = [(e["type"], e["object"]["metadata"]["name"]) for e in events]
    expect(summary == [("ADDED", "multi"), ("ADDED", "thumbnailer"), ("MODIFIED", "multi"), ("DELETED", "multi")],
           "events", summary)
    expect(events[2]["object"]["status"]["desired"] == 2, "modified object")
    expect(all("\n" not in l and l.startswith('{"') for l in out.splitlines()), "compact lines", out)


def test_watch_only_and_finished_task():
    def finish(s):
        t = s["tasks"]["thumbnailer-0b1c2d3e"]["status"]
        t["state"], t["exitCode"] = "Succeeded", 0
    FAKE.after("GET", "/api/v1/tasks", 1, finish)
    rc, out, err = ebb("get", "tasks", "--watch-only", env={"EBB_WATCH_MAX_SECONDS": "3"})
    expect(rc == 0, "rc", err)
    lines = out.splitlines()
    expect(len(lines) == 2 and lines[0].startswith("NAME"), "header then the change only", out)
    expect(cells(lines[1])[:4] == ["thumbnailer-0b1c2d3e", "service/thumbnailer", "Succeeded", "0"], "final row", out)


def test_watch_sigint():
    argv = [EBB, "get", "queues", "-w", "--server", FAKE.url]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    expect(p.returncode == 0, "Ctrl-C ends the watch with 0, got %d" % p.returncode, err)
    expect(out.startswith("NAME") and "thumbnails" in out, "table printed", out)


# ---- errors and exit codes --------------------------------------------------------------------

def test_exit_codes():
    rc, out, err = ebb("get", "widgets")
    expect(rc == 2 and 'unknown resource type "widgets"' in err, "unknown type", err)
    expect("services (svc)" in err and "eventsources (es)" in err and "tasks" in err, "supported types listed", err)
    expect("secrets" in err, "secrets listed among the types", err)
    rc, out, err = ebb("get", "svc", "--frobnicate")
    expect(rc == 2, "unknown flag", err)
    rc, out, err = ebb("get", "svc", "-w", env={"EBB_WATCH_MAX_SECONDS": "x"})
    expect(rc == 2, "bad bound", err)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for args in (["get", "svc"], ["logs", "task/x"], ["scale", "svc/x", "--min", "1"], ["describe", "es", "x"]):
        rc, out, err = ebb(*args, "--server", "http://127.0.0.1:%d" % port, server=False)
        expect(rc == 3 and "cannot reach" in err, "unreachable %s: rc %d" % (args, rc), err)
    with FAKE.lock:
        FAKE.state["fail"]["/api/v1/services/thumbnailer/scale"] = (400, error_body("Invalid", "maxTasks above the server cap 100"))
        FAKE.state["fail"]["/api/v1/services"] = (500, error_body("Internal", "boom"))
    rc, out, err = ebb("scale", "svc/thumbnailer", "--max", "1000")
    expect(rc == 1 and "error: Invalid: maxTasks above the server cap 100" in err, "refusal shows the code", err)
    rc, out, err = ebb("get", "svc")
    expect(rc == 3, "5xx: outcome unknown", err)


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
