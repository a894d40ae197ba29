#!/usr/bin/env python3
"""/metrics and cost accounting against a real ebbd with real tasks (issue 5 parts 1, 5).

One ebbd (127.0.0.1:0, temp data dir) runs a service (one long task), a Job of two
CPU-burning tasks, a Schedule whose at() slot runs a task, and SQS traffic including
a message dead-lettered. Then:

  - GET /metrics passes `promtool check metrics`, has no family twice, keeps each
    family's samples together, and shows the traffic (queue, DLQ, task starts for
    every kind, job completions, schedule fires, HTTP latency, store commits);
  - the families filled by rarer events count real traffic: a redrive of 3
    dead-lettered messages (ebb_queue_messages_redriven_total = 3), a delete with a
    superseded receipt handle (ebb_stale_receipt_total), bad SQS requests over both
    protocols (ebb_sqs_errors_total by action and Query error code), the sizes of the
    sends (ebb_queue_sent_message_size_bytes), and a cron Schedule's next slot
    (ebb_schedule_next_fire_timestamp_seconds = its nextScheduleTime);
  - gzip is served when asked;
  - `ebb cost -o json` agrees with the tasks' own start/end times (vCPU-s, GB-s,
    per-second billing with a one-minute minimum at $0.04048/vCPU-h, $0.004445/GB-h)
    and with the CPU they used;
  - the usage survives an ebbd restart.

    metrics_it.py --ebbd build/src/ebbd --ebb build/src/ebb [--promtool promtool]
"""
import argparse
import datetime
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "services"))
import harness  # noqa: E402
from services_it import Server, check, queue_doc, service_doc, wait_for, FAILS  # noqa: E402

VCPU_HOUR, GB_HOUR = 0.04048, 0.004445
BURN = "end=$(($(date +%s)+2)); while [ $(date +%s) -lt $end ]; do :; done"  # ~1-2 s of CPU


# Every family of ecosystem.md §3.3 (the catalogue and the process metrics of its rules).
SPEC_FAMILIES = [
    "ebb_alarm_state", "ebb_alarm_transitions_total", "ebb_cost_estimate_usd_total",
    "ebb_http_request_duration_seconds", "ebb_http_requests_total", "ebb_jobs_finished_total",
    "ebb_queue_dead_letter_messages", "ebb_queue_empty_receives_total",
    "ebb_queue_messages_dead_lettered_total", "ebb_queue_messages_deduplicated_total",
    "ebb_queue_messages_delayed", "ebb_queue_messages_deleted_total", "ebb_queue_messages_in_flight",
    "ebb_queue_messages_received_total", "ebb_queue_messages_redriven_total", "ebb_queue_messages_sent_total",
    "ebb_queue_messages_visible", "ebb_queue_oldest_message_age_seconds", "ebb_queue_receive_waiters",
    "ebb_queue_sent_message_size_bytes", "ebb_schedule_fires_total",
    "ebb_schedule_last_fire_timestamp_seconds", "ebb_schedule_lateness_seconds",
    "ebb_schedule_next_fire_timestamp_seconds", "ebb_service_backlog_per_task",
    "ebb_service_backlog_per_task_target", "ebb_service_last_scaling_timestamp_seconds",
    "ebb_service_scaling_events_total", "ebb_service_scaling_suppressed_total", "ebb_service_tasks_desired",
    "ebb_service_tasks_pending", "ebb_service_tasks_running", "ebb_sqs_errors_total",
    "ebb_stale_receipt_total", "ebb_store_commit_duration_seconds", "ebb_store_size_bytes",
    "ebb_task_cpu_allocated_seconds_total", "ebb_task_cpu_used_seconds_total", "ebb_task_duration_seconds",
    "ebb_task_failures_total", "ebb_task_memory_allocated_byte_seconds_total",
    "ebb_task_start_latency_seconds", "ebb_task_starts_total", "ebb_tasks_running",
    "ebb_webhook_deliveries_total", "process_cpu_seconds_total", "process_resident_memory_bytes",
    "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
    "ebb_build_info",
]


def at_expr(seconds_ahead):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    return t.strftime("at(%Y-%m-%dT%H:%M:%S)")


def scrape(endpoint, gz=False):
    req = urllib.request.Request(endpoint + "/metrics", headers={"Accept-Encoding": "gzip"} if gz else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        return r.headers, (gzip.decompress(body) if r.headers.get("Content-Encoding") == "gzip" else body).decode()


def families_ok(text):
    """No family declared twice; a family's samples contiguous; every sample declared."""
    declared, order, problems = set(), [], []
    types = {}
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            if m.group(1) in declared:
                problems.append("duplicate family " + m.group(1))
            declared.add(m.group(1))
            types[m.group(1)] = m.group(2)
            order.append(m.group(1))
            continue
        if not line or line.startswith("#"):
            continue
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        fam = name
        if fam not in types:
            fam = re.sub(r"_(bucket|sum|count)$", "", name)
        if fam not in types:
            problems.append("sample without a family: " + name)
        elif order[-1] != fam:
            problems.append(f"sample of {fam} outside its family block")
    return problems


def value(text, metric, labels=None):
    want = ",".join(f'{k}="{v}"' for k, v in (labels or {}).items())
    for line in text.splitlines():
        if line.startswith(metric + ("{" + want + "}" if want else "") + " ") or (
                labels is None and line.startswith(metric + "{")):
            return float(line.rsplit(" ", 1)[1])
    return None


def sqs_json(endpoint, action, body):
    """One SQS JSON-protocol call (ebbd runs with --auth none here); (status, answer)."""
    req = urllib.request.Request(endpoint + "/", data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + action})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def sqs_query(endpoint, params):
    """One SQS Query-protocol call; the HTTP status."""
    req = urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(params).encode(), method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def ebb_cost(ebb, endpoint, *args):
    out = subprocess.run([ebb, "--server", endpoint, "cost", *args], capture_output=True, text=True, timeout=30)
    return out


def item(report, kind, name):
    for it in report["items"]:
        if it["kind"] == kind and it["name"] == name:
            return it
    return None


def ts(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--ebb", required=True)
    ap.add_argument("--promtool", default="promtool")
    a = ap.parse_args()
    if not shutil.which(a.promtool):
        print("promtool not found (Debian package prometheus; scripts/install-deps.sh installs it)")
        return 1

    s = Server(a.ebbd).start()
    try:
        ep = s.e.endpoint
        dlq = queue_doc("work-dlq")
        work = queue_doc("work", visibility=1)
        work["spec"]["deadLetter"] = {"queue": "work-dlq", "maxReceiveCount": 1}
        svc = service_doc("sleeper", "idle", ["/bin/sh", "-c", "sleep 600"], minTasks=1, maxTasks=1,
                          resources={"cpu": "500m", "memory": "1Gi"})
        job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "burn"},
               "spec": {"completions": 2, "parallelism": 2, "backoffLimit": 0,
                        "template": {"spec": {"restartPolicy": "Never", "containers": [
                            {"name": "main", "command": ["/bin/sh", "-c", BURN],
                             "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}]}}}}
        sched = {"apiVersion": "ebb/v1", "kind": "Schedule", "metadata": {"name": "report"},
                 "spec": {"expression": at_expr(3), "timeZone": "UTC",
                          "target": {"task": {"command": ["/bin/sh", "-c", "sleep 1"],
                                              "resources": {"cpu": "1", "memory": "2Gi"}}}}}
        # For the rarer families: 3 messages to dead-letter and redrive, a queue for a
        # stale receipt handle, and a cron Schedule that will not fire during the test.
        rdlq = queue_doc("redrive-dlq")
        rsrc = queue_doc("redrive-src", visibility=1)
        rsrc["spec"]["deadLetter"] = {"queue": "redrive-dlq", "maxReceiveCount": 1}
        nightly = {"apiVersion": "ebb/v1", "kind": "Schedule", "metadata": {"name": "nightly"},
                   "spec": {"expression": "cron(0 3 * * ? *)", "timeZone": "UTC",
                            "target": {"task": {"command": ["/bin/true"]}}}}
        s.api.apply(dlq, work, queue_doc("idle"), svc, job, sched, rdlq, rsrc, queue_doc("stale", visibility=1), nightly)

        # SQS traffic: sends, a receive, an empty receive, a message dead-lettered.
        s.api.send("work", "poison")
        s.api.ok("POST", "/queues/work/receive", {"max": 1, "waitSeconds": 0})
        for i in range(3):
            s.api.send("redrive-src", f"r{i}")
        got = s.api.ok("POST", "/queues/redrive-src/receive", {"max": 10, "waitSeconds": 0})
        check(len(got.get("Messages", [])) == 3, f"3 messages received from redrive-src ({got})")
        stale_url = sqs_json(ep, "GetQueueUrl", {"QueueName": "stale"})[1]["QueueUrl"]
        sqs_json(ep, "SendMessage", {"QueueUrl": stale_url, "MessageBody": "x" * 300})
        first = sqs_json(ep, "ReceiveMessage", {"QueueUrl": stale_url})[1]["Messages"][0]["ReceiptHandle"]
        time.sleep(1.5)  # the leases run out; the next receives move to the DLQs / re-deliver
        s.api.ok("POST", "/queues/work/receive", {"max": 1, "waitSeconds": 0})
        s.api.send("work", "keep")
        s.api.ok("POST", "/queues/redrive-src/receive", {"max": 10, "waitSeconds": 0})
        again = sqs_json(ep, "ReceiveMessage", {"QueueUrl": stale_url})[1].get("Messages", [])
        check(len(again) == 1, "the stale queue's message is received a second time")
        st, _ = sqs_json(ep, "DeleteMessage", {"QueueUrl": stale_url, "ReceiptHandle": first})
        check(st == 200, f"a delete with the superseded handle answers 200 ({st})")
        # Bad requests: a forged handle (JSON), a missing queue over JSON and over Query.
        st, body = sqs_json(ep, "DeleteMessage", {"QueueUrl": stale_url, "ReceiptHandle": "garbage"})
        check(st >= 400 and "ReceiptHandleIsInvalid" in body.get("__type", ""), f"a forged handle is refused ({st} {body})")
        st, body = sqs_json(ep, "GetQueueUrl", {"QueueName": "no-such-queue"})
        check(st == 400 and "QueueDoesNotExist" in body.get("__type", ""), f"JSON: missing queue ({st} {body})")
        st = sqs_query(ep, {"Action": "GetQueueUrl", "QueueName": "no-such-queue", "Version": "2012-11-05"})
        check(st == 400, f"Query: missing queue ({st})")
        # Redrive the 3 dead-lettered messages back to redrive-src (a move task).
        check(bool(wait_for(lambda: s.api.queue("redrive-dlq")["status"]["visible"] == 3, 10, 0.1)),
              "3 messages in redrive-dlq")
        s.api.ok("POST", "/queues/redrive-dlq/redrive", {})
        check(bool(wait_for(lambda: s.api.queue("redrive-src")["status"]["visible"] == 3, 20, 0.2)),
              "the redrive moved the 3 messages back")

        def job_done():
            st = s.api.ok("GET", "/jobs/burn")["status"]
            return any(c.get("type") == "Complete" and c.get("status") == "True" for c in st.get("conditions", []))
        check(bool(wait_for(job_done, 60, 0.3)), "job burn completed")

        def sched_done():
            runs = s.api.ok("GET", "/schedules/report")["status"].get("runs", [])
            return runs and runs[0].get("outcome") in ("Succeeded", "Failed")
        check(bool(wait_for(sched_done, 60, 0.3)), "the schedule's at() slot ran its task")
        check(bool(wait_for(lambda: s.api.service("sleeper")["status"].get("running", 0) >= 1, 30, 0.2)),
              "the service runs its task")

        # ---------------------------------------------------------------- /metrics
        headers, text = scrape(ep)
        check(headers.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8", "exposition content type")
        p = subprocess.run([a.promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, f"promtool check metrics passes ({(p.stdout + p.stderr).strip()[:500]})")
        problems = families_ok(text)
        check(not problems, f"each family once, samples contiguous ({problems[:5]})")
        declared = set(re.findall(r"^# TYPE (\S+)", text, re.M))
        missing = [f for f in SPEC_FAMILIES if f not in declared]
        check(not missing, f"every family of ecosystem.md §3.3 is exported (missing: {missing})")
        expect = [
            ("ebb_queue_messages_visible", {"queue": "work"}, 1),
            ("ebb_queue_dead_letter_messages", {"queue": "work", "dead_letter_queue": "work-dlq"}, 1),
            ("ebb_queue_messages_dead_lettered_total", {"queue": "work", "dead_letter_queue": "work-dlq"}, 1),
            ("ebb_queue_messages_sent_total", {"queue": "work"}, 2),
            ("ebb_queue_empty_receives_total", {"queue": "work"}, 1),
            ("ebb_task_starts_total", {"kind": "Job", "name": "burn"}, 2),
            ("ebb_task_starts_total", {"kind": "Schedule", "name": "report"}, 1),
            ("ebb_tasks_running", {"kind": "Service", "name": "sleeper"}, 1),
            ("ebb_jobs_finished_total", {"kind": "Job", "name": "burn", "result": "complete"}, 1),
            ("ebb_schedule_fires_total", {"kind": "Schedule", "name": "report", "result": "started"}, 1),
            ("ebb_task_duration_seconds_count", {"kind": "Job", "name": "burn", "result": "succeeded"}, 2),
            ("ebb_service_tasks_desired", {"service": "sleeper"}, 1),
            ("ebb_build_info", None, 1),
        ]
        expect += [
            ("ebb_queue_messages_redriven_total", {"queue": "redrive-dlq", "destination": "redrive-src"}, 3),
            ("ebb_queue_messages_dead_lettered_total", {"queue": "redrive-src", "dead_letter_queue": "redrive-dlq"}, 3),
            ("ebb_stale_receipt_total", {"queue": "stale"}, 1),
            ("ebb_stale_receipt_total", {"queue": "work"}, 0),
            ("ebb_sqs_errors_total", {"action": "DeleteMessage", "error_code": "ReceiptHandleIsInvalid"}, 1),
            ("ebb_sqs_errors_total", {"action": "GetQueueUrl", "error_code": "AWS.SimpleQueueService.NonExistentQueue"}, 2),
            ("ebb_queue_sent_message_size_bytes_count", {"queue": "work"}, 2),
            ("ebb_queue_sent_message_size_bytes_sum", {"queue": "work"}, len("poison") + len("keep")),
            ("ebb_queue_sent_message_size_bytes_bucket", {"queue": "work", "le": "256"}, 2),
            ("ebb_queue_sent_message_size_bytes_bucket", {"queue": "stale", "le": "256"}, 0),
            ("ebb_queue_sent_message_size_bytes_bucket", {"queue": "stale", "le": "1024"}, 1),
            ("ebb_queue_sent_message_size_bytes_bucket", {"queue": "stale", "le": "+Inf"}, 1),
        ]
        for name, labels, want in expect:
            got = value(text, name, labels)
            check(got == want, f"{name}{labels or ''} = {want} ({got})")
        nxt = s.api.ok("GET", "/schedules/nightly")["status"]["nextScheduleTime"]
        got = value(text, "ebb_schedule_next_fire_timestamp_seconds", {"kind": "Schedule", "name": "nightly"})
        check(got is not None and nxt and got == ts(nxt) and got > time.time(),
              f"next fire of the cron Schedule = its nextScheduleTime ({got} vs {nxt})")
        check(value(text, "ebb_schedule_next_fire_timestamp_seconds", {"kind": "Schedule", "name": "report"}) is None,
              "an at() Schedule that has fired has no next slot")
        lat = value(text, "ebb_schedule_lateness_seconds_count", {"kind": "Schedule", "name": "report"})
        check(lat == 1, f"the slot's lateness is observed ({lat})")
        sends = value(text, "ebb_http_request_duration_seconds_count", {"api": "native", "action": "send"})
        check(sends == 5, f"HTTP latency histogram counts the five native sends ({sends})")
        commits = value(text, "ebb_store_commit_duration_seconds_count", {"store": "sqlite"})
        check(commits is not None and commits > 5, f"store commits are timed ({commits})")
        rss = value(text, "process_resident_memory_bytes")
        check(rss is not None and 1e6 < rss < 1e9, f"process_resident_memory_bytes from procfs ({rss})")
        for leak in ("burn-", "report-"):  # generated Job names and task ids never become labels
            check(f'name="{leak}' not in text, f"no generated name starting {leak!r} in labels")

        gz_headers, gz_text = scrape(ep, gz=True)
        check(gz_headers.get("Content-Encoding") == "gzip", "gzip when the scraper accepts it")
        check("ebb_build_info" in gz_text, "the gzip body is the exposition")

        # ---------------------------------------------------------------- cost
        tasks = s.api.ok("GET", "/tasks?owner=job/burn&all=true")["items"]
        runs = [ts(t["status"]["endedAt"]) - ts(t["status"]["startedAt"]) for t in tasks]
        cpu_used = sum(t["status"]["cpuSeconds"] for t in tasks)
        out = ebb_cost(a.ebb, ep, "--since", "1h", "-o", "json")
        check(out.returncode == 0, f"ebb cost -o json exits 0 ({out.stderr.strip()})")
        rep = json.loads(out.stdout)
        burn = item(rep, "Job", "burn")
        check(burn is not None, "the Job is in the report")
        if burn:
            check(burn["tasks"] == 2, f"two finished tasks ({burn['tasks']})")
            check(abs(burn["runSeconds"] - sum(runs)) < 0.01, f"run seconds = the tasks' run times ({burn['runSeconds']} vs {sum(runs)})")
            check(abs(burn["vcpuSeconds"] - 0.25 * sum(runs)) < 0.01, f"vCPU-s = 0.25 × run ({burn['vcpuSeconds']})")
            check(abs(burn["gbSeconds"] - 0.5 * sum(runs)) < 0.01, f"GB-s = 0.5 × run ({burn['gbSeconds']})")
            billed = sum(max(60, math.ceil(r - 1e-9)) for r in runs)
            check(burn["billedSeconds"] == billed, f"billed with a one-minute minimum ({burn['billedSeconds']} vs {billed})")
            usd = billed / 3600 * (0.25 * VCPU_HOUR + 0.5 * GB_HOUR)
            check(abs(burn["fargateUsd"] - usd) < 1e-6, f"Fargate price ({burn['fargateUsd']} vs {usd:.6f})")
            check(abs(burn["cpuUsedSeconds"] - cpu_used) < 0.01 and cpu_used > 0.1,
                  f"measured CPU = the tasks' CPU ({burn['cpuUsedSeconds']} vs {cpu_used})")
        rpt = item(rep, "Schedule", "report")
        check(rpt is not None and rpt["tasks"] == 1 and rpt["fargateSize"] == {"vcpu": 1.0, "gb": 2.0, "usdPerHour": 0.04937},
              f"the schedule's run, priced at 1 vCPU + 2 GB ({rpt and rpt.get('fargateSize')})")
        slp = item(rep, "Service", "sleeper")
        check(slp is not None and slp["runningTasks"] == 1 and slp["runSeconds"] > 0,
              f"the running service task counts up to now ({slp and slp.get('runSeconds')})")
        tot = rep["totals"]
        check(tot["alwaysOn"]["instances"] >= 3, f"peak concurrency ≥ 3 (2 job tasks + the service) ({tot['alwaysOn']})")
        table = ebb_cost(a.ebb, ep, "--since", "1h")
        print(table.stdout, flush=True)
        check(table.returncode == 0 and "KIND" in table.stdout and "burn" in table.stdout and "always-on" in table.stdout,
              "ebb cost prints a table and the comparison")
        bad = ebb_cost(a.ebb, ep, "--since", "yesterday")
        check(bad.returncode == 2 and "--since" in bad.stderr, f"a bad --since is a usage error ({bad.returncode})")
        with urllib.request.urlopen(ep + "/api/v1/cost?since=1h", timeout=10) as r:
            check(r.status == 200, "GET /api/v1/cost")
        try:
            urllib.request.urlopen(ep + "/api/v1/cost?since=0d", timeout=10)
            check(False, "since=0d refused")
        except urllib.error.HTTPError as e:
            check(e.code == 400, f"since=0d refused with 400 ({e.code})")

        # ---------------------------------------------------------------- restart
        port = s.e.port
        check(s.e.stop(grace_s=60) == 0, "ebbd stopped")
        s.e.start(port=port)
        after = json.loads(ebb_cost(a.ebb, ep, "--since", "1h", "-o", "json").stdout)
        b2 = item(after, "Job", "burn")
        check(b2 is not None and burn is not None and b2["tasks"] == 2 and b2["fargateUsd"] == burn["fargateUsd"]
              and b2["runSeconds"] == burn["runSeconds"], "the usage survives a restart")
    finally:
        check(s.close() == 0, "ebbd stopped cleanly")
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
