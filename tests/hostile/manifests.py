#!/usr/bin/env python3
"""T4 hostile input, reliability.md §5.4 (manifests) and §5.5 (schedules and time
zones), through the real CLI (`ebb apply -f`) against the running server ($ENDPOINT).

Each row is a manifest file; rejected rows must exit 1 with an error that names the
problem (a regular expression per row) and change nothing; accepted rows must apply.
At the end the server's lists hold exactly the objects of the accepted rows (deleted
again), the guard queue still holds its message, and /healthz answers.

    ENDPOINT=http://127.0.0.1:PORT python3 manifests.py --cli build/src/ebb

Deliberate differences from the §5.5 table, decided by the scheduling spec and
docs/jobs.md: `@every 90m` is accepted for CronJobs (Kubernetes' robfig/cron syntax).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

E = os.environ.get("ENDPOINT", "http://127.0.0.1:9324").rstrip("/")
CLI = None
for i, a in enumerate(sys.argv):
    if a == "--cli" and i + 1 < len(sys.argv):
        CLI = sys.argv[i + 1]
    if a == "--endpoint" and i + 1 < len(sys.argv):
        E = sys.argv[i + 1].rstrip("/")
assert E.startswith("http://127.0.0.1:"), "hostile tests only run against loopback"
if not CLI:
    CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "src", "ebb")
FAILED, PASSED = [], [0]
TMP = tempfile.mkdtemp(prefix="ebb-hostile-manifests-")

POD = "{spec: {restartPolicy: Never, containers: [{name: a, command: [/bin/true]}]}}"


def job(spec_extra="", name="j", container=None):
    c = container or "{name: a, command: [/bin/true]}"
    return f"""apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
{spec_extra}  template: {{spec: {{restartPolicy: Never, containers: [{c}]}}}}
"""


def cronjob(schedule, tz=None, name="c"):
    tzl = f"  timeZone: {json.dumps(tz)}\n" if tz is not None else ""
    return f"""apiVersion: batch/v1
kind: CronJob
metadata: {{name: {name}}}
spec:
  schedule: {json.dumps(schedule)}
{tzl}  jobTemplate: {{spec: {{template: {POD}}}}}
"""


def schedule(expr, tz=None, name="s", queue="guard"):
    tzl = f"  timeZone: {json.dumps(tz)}\n" if tz is not None else ""
    return f"""apiVersion: ebb/v1
kind: Schedule
metadata: {{name: {name}}}
spec:
  expression: {json.dumps(expr)}
{tzl}  target: {{queue: {queue}, message: {{body: x}}}}
"""


REJECT = [
    # §5.4 manifests
    ("unknown field", job("  backofLimit: 3\n"), r"spec\.backofLimit: unknown field"),
    ("duplicate key", "apiVersion: batch/v1\nkind: Job\nkind: Job\nmetadata: {name: a}\n", r"line 3.*duplicate key"),
    ("alias bomb", "apiVersion: ebb/v1\nkind: Queue\nmetadata: {name: a}\na: &a [1,1,1,1,1,1,1,1,1,1]\n"
     "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", r"(?i)alias|expands"),
    ("YAML 1.1 'no' for a string", "apiVersion: ebb/v1\nkind: Queue\nmetadata: {name: no}\n", r"(?i)quote"),
    ("YAML 1.1 0755 for a string", job(container="{name: a, command: [/bin/echo, 0755]}"), r"(?i)quote"),
    ("multi-document all-or-nothing", "apiVersion: ebb/v1\nkind: Queue\nmetadata: {name: mgood}\n---\n"
     "apiVersion: ebb/v1\nkind: Queue\nmetadata: {name: Bad_Name}\n", r"nothing was applied"),
    ("unknown apiVersion/kind", "apiVersion: ebb/v9\nkind: Frob\nmetadata: {name: a}\n", r"supported:.*batch/v1 Job"),
    ("name not DNS-1123 (uppercase)", job(name="Bad"), r"metadata\.name"),
    ("name with _", job(name="a_b"), r"metadata\.name"),
    ("CronJob name > 52", cronjob("0 0 * * *", name="c" * 53), r"metadata\.name"),
    ("negative backoffLimit", job("  backoffLimit: -1\n"), r"backoffLimit"),
    ("overflowing parallelism", job("  parallelism: 99999999999999999999\n"), r"parallelism"),
    ("negative activeDeadlineSeconds", job("  activeDeadlineSeconds: -5\n"), r"activeDeadlineSeconds"),
    ("empty command", job(container="{name: a, command: []}"), r"command"),
    ("bad env name", job(container="{name: a, command: [/bin/true], env: [{name: 1A, value: x}]}"), r"env"),
    ("duplicate env", job(container="{name: a, command: [/bin/true], env: [{name: A, value: \"x\"}, {name: A, value: \"z\"}]}"), r"(?i)env.*(duplicate|twice|more than once)|(duplicate|twice).*A"),
    ("relative workingDir", job(container="{name: a, command: [/bin/true], workingDir: tmp/x}"), r"workingDir"),
    ("workingDir with ..", job(container="{name: a, command: [/bin/true], workingDir: /tmp/../etc}"), r"workingDir"),
    ("quantity 1GiB", job(container="{name: a, command: [/bin/true], resources: {limits: {memory: 1GiB}}}"), r"memory|quantity"),
    ("quantity -1Gi", job(container="{name: a, command: [/bin/true], resources: {limits: {memory: -1Gi}}}"), r"memory|quantity"),
    ("quantity 500mm", job(container="{name: a, command: [/bin/true], resources: {limits: {cpu: 500mm}}}"), r"cpu|quantity"),
    # §5.5 schedules and time zones
    ("K8s cron with 4 fields", cronjob("* * * *"), r"5 fields"),
    ("K8s cron with 7 fields", cronjob("* * * * * * *"), r"5 fields"),
    ("EventBridge cron with 5 fields", schedule("cron(0 0 * * ?)"), r"6 fields"),
    ("minute 60", cronjob("60 * * * *"), r"(?i)minute"),
    ("hour 24", cronjob("0 24 * * *"), r"(?i)hour"),
    ("day 0", cronjob("0 0 0 * *"), r"(?i)day"),
    ("day 32", cronjob("0 0 32 * *"), r"(?i)day"),
    ("month 13", cronjob("0 0 1 13 *"), r"(?i)month"),
    ("K8s weekday 8", cronjob("0 0 * * 8"), r"(?i)week"),
    ("EventBridge weekday 0", schedule("cron(0 0 ? * 0 *)"), r"(?i)week"),
    ("EventBridge year 1969", schedule("cron(0 0 * * ? 1969)"), r"(?i)year"),
    ("step */0", cronjob("*/0 * * * *"), r"(?i)step|zero|0"),
    ("reversed range 5-1", cronjob("5-1 * * * *"), r"(?i)range|revers"),
    ("30 February never fires", cronjob("0 0 30 2 *"), r"(?i)never"),
    ("31 April/June/Sept/Nov never fires", cronjob("0 0 31 4,6,9,11 *"), r"(?i)never"),
    ("EventBridge 30 February", schedule("cron(0 0 30 2 ? *)"), r"(?i)never"),
    ("EventBridge day-of-month and day-of-week", schedule("cron(0 0 1 * MON *)"), r"\?"),
    ("EventBridge two #", schedule("cron(0 0 ? * 2#1,3#2 *)"), r"#"),
    ("rate(0 minutes)", schedule("rate(0 minutes)"), r"(?i)rate"),
    ("rate(-5 minutes)", schedule("rate(-5 minutes)"), r"(?i)rate"),
    ("rate(1 minutes)", schedule("rate(1 minutes)"), r"(?i)minute"),
    ("rate(5 minute)", schedule("rate(5 minute)"), r"(?i)minutes"),
    ("rate(5 seconds)", schedule("rate(5 seconds)"), r"(?i)unit|second"),
    ("at() on 30 February", schedule("at(2025-02-30T10:00:00)"), r"(?i)date|day|exist"),
    ("at() in the past", schedule("at(2020-01-01T10:00:00)"), r"(?i)past"),
    ("@reboot", cronjob("@reboot"), r"(?i)reboot|not supported"),
    ("TZ= prefix", cronjob("TZ=UTC 0 0 * * *"), r"timeZone"),
    ("CRON_TZ= prefix", cronjob("CRON_TZ=UTC 0 0 * * *"), r"timeZone"),
    ("zone Mars/Olympus", cronjob("0 0 * * *", tz="Mars/Olympus"), r"timeZone"),
    ("zone UTC+3", cronjob("0 0 * * *", tz="UTC+3"), r"timeZone"),
    ("zone GMT+25", cronjob("0 0 * * *", tz="GMT+25"), r"timeZone"),
    ("zone ../../etc/passwd", cronjob("0 0 * * *", tz="../../etc/passwd"), r"timeZone"),
    ("zone absolute path", cronjob("0 0 * * *", tz="/usr/share/zoneinfo/UTC"), r"timeZone"),
    ("zone empty", cronjob("0 0 * * *", tz=""), r"timeZone"),
]

ACCEPT = [
    ("29 February (leap years)", cronjob("0 0 29 2 *", name="leap")),
    ("zone America/New_York", cronjob("0 0 * * *", tz="America/New_York", name="ny")),
    ("zone Etc/GMT-3", cronjob("0 0 * * *", tz="Etc/GMT-3", name="gmt3")),
    ("zone UTC", schedule("rate(5 minutes)", tz="UTC", name="utc", queue="sink")),  # may fire at once
]


def fail(label, detail):
    FAILED.append(label)
    print(f"FAIL {label}: {detail}", flush=True)


def apply(text, label):
    path = os.path.join(TMP, "m.yaml")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([CLI, "-s", E, "apply", "-f", path], capture_output=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def api(path, method="GET", body=None):
    req = urllib.request.Request(E + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {}


def names(kind):
    st, r = api(f"/api/v1/{kind}")
    return sorted(o["metadata"]["name"] for o in r.get("items", [])) if st == 200 else None


def sqs(op, body):
    req = urllib.request.Request(E + "/", method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{op}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def main():
    if not os.access(CLI, os.X_OK):
        print(f"FAIL: CLI {CLI} not executable")
        return 1
    t0 = time.monotonic()
    q = sqs("CreateQueue", {"QueueName": "guard"})["QueueUrl"]
    sqs("SendMessage", {"QueueUrl": q, "MessageBody": "guard-body"})
    sink = sqs("CreateQueue", {"QueueName": "sink"})["QueueUrl"]
    before = {k: names(k) for k in ("queues", "jobs", "cronjobs", "schedules")}
    for label, text, want in REJECT:
        rc, out = apply(text, label)
        if rc != 1:
            fail(label, f"exit {rc}, want 1 (server refused): {out[:300]!r}")
        elif not re.search(want, out):
            fail(label, f"error does not match /{want}/: {out[:300]!r}")
        else:
            PASSED[0] += 1
    # Bigger than the 1 MiB manifest limit: refused before it is all read or sent.
    big = "apiVersion: ebb/v1\nkind: Queue\nmetadata: {name: big}\n# " + "x" * (1 << 20) + "\n"
    rc, out = apply(big, "file > 1 MiB")
    if rc not in (1, 2) or not re.search(r"(?i)1 MiB|too large|limit|413", out):
        fail("file > 1 MiB", f"exit {rc}: {out[:300]!r}")
    else:
        PASSED[0] += 1
    after = {k: names(k) for k in ("queues", "jobs", "cronjobs", "schedules")}
    if after != before:
        fail("rejected manifests changed nothing", f"before {before}, after {after}")
    else:
        PASSED[0] += 1
    for label, text in ACCEPT:
        rc, out = apply(text, label)
        if rc != 0:
            fail(label, f"exit {rc}, want 0: {out[:300]!r}")
        else:
            PASSED[0] += 1
    got = {k: names(k) for k in ("cronjobs", "schedules")}
    want = {"cronjobs": sorted(before["cronjobs"] + ["gmt3", "leap", "ny"]), "schedules": sorted(before["schedules"] + ["utc"])}
    if got != want:
        fail("accepted manifests applied", f"want {want}, got {got}")
    else:
        PASSED[0] += 1
    for kind, n in (("cronjobs", "leap"), ("cronjobs", "ny"), ("cronjobs", "gmt3"), ("schedules", "utc")):
        api(f"/api/v1/{kind}/{n}", method="DELETE")
    r = sqs("ReceiveMessage", {"QueueUrl": q, "MaxNumberOfMessages": 10})
    bodies = [m["Body"] for m in r.get("Messages", [])]
    if bodies != ["guard-body"]:
        fail("guard queue intact", f"{bodies}")
    else:
        PASSED[0] += 1
    sqs("DeleteQueue", {"QueueUrl": q})
    sqs("DeleteQueue", {"QueueUrl": sink})
    with urllib.request.urlopen(E + "/healthz", timeout=5) as r:
        if r.status != 200:
            fail("server healthy", r.status)
    print(f"hostile manifests: {PASSED[0]} passed, {len(FAILED)} failed ({time.monotonic() - t0:.0f}s)")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
