#!/usr/bin/env python3
"""Alarms with a real ebbd, a real boto3 worker and a real webhook receiver (issue 5).

A poison message dead-letters after its worker (boto3, Query protocol) fails to
process it twice; the DLQ alarm of the seed article (ebb_queue_dead_letter_messages >
0) goes to ALARM; a webhook receiver on loopback (http.server) gets the JSON payload
signed with HMAC-SHA256 under a secret kept in the data directory (the first attempt
is answered 500 and retried); the queue action puts the same payload on an `alerts`
queue; `ebb get alarms` / `ebb describe alarm/X` show the state and its history;
draining the DLQ brings the alarm back to OK (notified too); after a restart the
state, the history and /metrics' ebb_alarm_state are kept.

    alarms_it.py --ebbd build/src/ebbd [--ebb build/src/ebb]
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "services"))
import harness  # noqa: E402
from services_it import Api, check, wait_for, FAILS  # noqa: E402

import boto3  # noqa: E402  (Debian's python3-boto3: the Query protocol)
from botocore.config import Config  # noqa: E402

SECRET = "whsec-7d1c0e5f-alarm-signing"


class Receiver:
    """A webhook endpoint on 127.0.0.1:0 that records every request; answers 500 to
    the first one (so the retry path runs), 200 afterwards."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body, "path": self.path, "t": time.monotonic()})
                    first = len(outer.requests) == 1
                self.send_response(500 if first else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ebb"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def states(self):
        with self.lock:
            return [json.loads(r["body"])["state"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def ebb_cli(ebb, endpoint, *args):
    r = subprocess.run([ebb, "--server", endpoint, *args], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def metrics(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--ebb", default=None)
    a = ap.parse_args()
    ebb = a.ebb or os.path.join(os.path.dirname(os.path.abspath(a.ebbd)), "ebb")
    started = time.monotonic()
    tmp = harness.make_tmp("ebb-alarms-")
    data = os.path.join(tmp, "data")
    outdir = harness.task_dir(os.path.join(tmp, "out"))  # the alarm's task action writes here (as nobody under root)
    os.makedirs(os.path.join(data, "secrets"), mode=0o700)
    with open(os.path.join(data, "secrets", "ebb-webhook-signing-key"), "w") as f:
        f.write(SECRET + "\n")
    os.chmod(os.path.join(data, "secrets", "ebb-webhook-signing-key"), 0o600)
    os.chmod(data, 0o700)
    e = harness.Ebbd(a.ebbd, data, tmp)
    hook = Receiver()
    try:
        endpoint = e.start()
        api = Api(endpoint)
        alarm = {"apiVersion": "ebb/v1", "kind": "Alarm", "metadata": {"name": "work-dlq-not-empty"},
                 "spec": {"description": "Messages in the DLQ of work",
                          "metric": "ebb_queue_dead_letter_messages", "labels": {"queue": "work"},
                          "statistic": "Maximum", "comparison": "GreaterThanThreshold", "threshold": 0,
                          "periodSeconds": 2, "evaluationPeriods": 1,
                          "notify": [
                              {"states": ["ALARM", "OK"],
                               "webhook": {"url": hook.url, "secretRef": {"name": "ebb-webhook-signing-key"},
                                           "timeoutSeconds": 5}},
                              {"queue": {"name": "alerts"}},
                              {"task": {"command": ["/bin/sh", "-c",
                                                    'printf "%s %s" "$EBB_ALARM_NAME" "$EBB_ALARM_STATE" > "$OUT"'],
                                        "env": [{"name": "OUT", "value": os.path.join(outdir, "task-ran")}]}},
                              {"log": {"level": "warning"}}]}}
        # A reference to a missing secret is refused before anything changes.
        bad = json.loads(json.dumps(alarm))
        bad["spec"]["notify"][0]["webhook"]["secretRef"]["name"] = "no-such-secret"
        st, body = api.call("POST", "/apply", {"items": [bad]})
        check(st == 400 and "no-such-secret" in json.dumps(body), f"missing secret refused at apply ({st})")

        docs = [{"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": "work-dlq"}},
                {"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": "alerts"}},
                {"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": "work"},
                 "spec": {"visibilityTimeoutSeconds": 1, "deadLetter": {"queue": "work-dlq", "maxReceiveCount": 2}}},
                alarm]
        manifest = os.path.join(tmp, "stack.json")
        with open(manifest, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, f)
        rc, out, err = ebb_cli(ebb, endpoint, "apply", "-f", manifest)
        check(rc == 0 and "alarm/work-dlq-not-empty created" in out, f"ebb apply: {out.strip()} {err.strip()}")

        ok = wait_for(lambda: api.ok("GET", "/alarms/work-dlq-not-empty")["status"]["state"] == "OK", 10, 0.2)
        check(bool(ok), "the alarm settles to OK while the DLQ is empty")
        # INSUFFICIENT_DATA -> OK runs the OK actions (CloudWatch does too); the
        # receiver answers that first request 500: it is retried after ~1 s.
        got = wait_for(lambda: len(hook.requests) >= 2, 10, 0.1)
        check(bool(got) and hook.states()[:2] == ["OK", "OK"], f"OK notified, retried after a 500 ({hook.states()})")
        if got:
            first, second = hook.requests[0], hook.requests[1]
            check(first["body"] == second["body"], "the retry carries the same payload")
            check(first["headers"].get("x-ebb-delivery") == second["headers"].get("x-ebb-delivery"),
                  "…and the same X-Ebb-Delivery id")
            check(second["headers"].get("x-ebb-attempt") == "2", "X-Ebb-Attempt: 2 on the retry")
            check(second["t"] - first["t"] >= 0.9, f"the retry waited ~1 s ({second['t'] - first['t']:.2f} s)")
            check(json.loads(second["body"])["previousState"] == "INSUFFICIENT_DATA", "from INSUFFICIENT_DATA")

        # The real worker: boto3 over the Query protocol, failing every receive.
        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="AKIDEBBTEST", aws_secret_access_key="x",
                           config=Config(retries={"max_attempts": 1}))
        url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody='{"image": "corrupt.jpg"}')
        fired_at = None
        receives = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
            receives += len(msgs)  # processing fails: never deleted, back after 1 s
            dlq = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="work-dlq")["QueueUrl"],
                                           AttributeNames=["ApproximateNumberOfMessages"])
            if dlq["Attributes"]["ApproximateNumberOfMessages"] == "1":
                fired_at = time.monotonic()
                break
        check(receives == 2 and fired_at is not None, f"the poison message dead-lettered after 2 receives ({receives})")

        got = wait_for(lambda: "ALARM" in hook.states(), 15, 0.1)
        check(bool(got), f"the webhook got ALARM ({hook.states()})")
        if got:
            with hook.lock:
                req = [r for r in hook.requests if json.loads(r["body"])["state"] == "ALARM"][0]
            want = "sha256=" + hmac.new(SECRET.encode(), req["body"], hashlib.sha256).hexdigest()
            check(hmac.compare_digest(req["headers"].get("x-ebb-signature-256", ""), want),
                  "X-Ebb-Signature-256 verifies with the shared secret")
            wrong = "sha256=" + hmac.new(b"another", req["body"], hashlib.sha256).hexdigest()
            check(req["headers"].get("x-ebb-signature-256") != wrong, "…and not with another one")
            p = json.loads(req["body"])
            check(p["alarm"] == "work-dlq-not-empty" and p["previousState"] == "OK" and p["state"] == "ALARM",
                  f"payload names the alarm and the change ({p['previousState']} -> {p['state']})")
            check(p["datapoints"] and p["datapoints"][-1]["value"] == 1, f"datapoint value 1 ({p['datapoints']})")
            check("greater than the threshold (0)" in p["reason"], f"reason: {p['reason']}")
            check(req["headers"].get("content-type") == "application/json", "Content-Type application/json")
            check(req["headers"].get("x-ebb-attempt") == "1", "delivered at the first attempt")
            check(req["t"] - fired_at < 6, f"notified {req['t'] - fired_at:.1f} s after the dead-letter")

        alerts = sqs.get_queue_url(QueueName="alerts")["QueueUrl"]
        m = sqs.receive_message(QueueUrl=alerts, MaxNumberOfMessages=1, WaitTimeSeconds=5,
                                MessageAttributeNames=["All"]).get("Messages", [])
        check(len(m) == 1, "the queue action put one message on alerts")
        if m:
            body = json.loads(m[0]["Body"])
            check(body["state"] == "ALARM" and body["alarm"] == "work-dlq-not-empty", "…with the payload")
            check(m[0].get("MessageAttributes", {}).get("ebb.alarmState", {}).get("StringValue") == "ALARM",
                  "…and the ebb.alarmState attribute")

        ran = wait_for(lambda: os.path.exists(os.path.join(outdir, "task-ran")), 15, 0.2)
        check(bool(ran), "the task action ran a task")
        if ran:
            with open(os.path.join(outdir, "task-ran")) as f:
                text = f.read()
            check(text == "work-dlq-not-empty ALARM", f"…with EBB_ALARM_NAME and EBB_ALARM_STATE ({text!r})")
        jobs = [j["metadata"]["name"] for j in api.ok("GET", "/jobs")["items"]]
        check(any(j.startswith("work-dlq-not-empty-alarm-") for j in jobs), f"…as a Job owned by the alarm ({jobs})")

        rc, out, err = ebb_cli(ebb, endpoint, "get", "alarms")
        check(rc == 0 and "work-dlq-not-empty" in out and "ALARM" in out, f"ebb get alarms:\n{out}{err}")
        rc, out, err = ebb_cli(ebb, endpoint, "describe", "alarm/work-dlq-not-empty")
        check(rc == 0 and "StateUpdate" in out and "OK -> ALARM" in out, f"ebb describe shows the history:\n{out}{err}")
        page = metrics(endpoint)
        check('ebb_alarm_state{alarm="work-dlq-not-empty",state="ALARM"} 1' in page, "/metrics: ebb_alarm_state ALARM 1")
        check('ebb_webhook_deliveries_total{alarm="work-dlq-not-empty",result="failure"} 1' in page,
              "/metrics: one failed webhook attempt counted")
        if shutil.which("promtool"):
            r = subprocess.run(["promtool", "check", "metrics"], input=page, capture_output=True, text=True, timeout=30)
            problems = [l for l in (r.stdout + r.stderr).splitlines() if "alarm" in l or "webhook" in l]
            check(not problems, f"promtool check metrics: nothing about the alarm families {problems}")
        examples = os.path.join(HERE, "..", "..", "examples", "alarms")
        rc, out, err = ebb_cli(ebb, endpoint, "apply", "-f", examples, "--dry-run=client")
        check(rc == 0 and out.count("valid") == 5, f"examples/alarms validate: {out}{err}")

        # Fixed: the DLQ is drained, the alarm recovers and says so.
        dlq_url = sqs.get_queue_url(QueueName="work-dlq")["QueueUrl"]
        for msg in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=msg["ReceiptHandle"])
        got = wait_for(lambda: hook.states()[-1:] == ["OK"], 10, 0.1)
        check(bool(got), f"back to OK, notified ({hook.states()})")

        before = api.ok("GET", "/alarms/work-dlq-not-empty")["status"]
        check(e.stop() == 0, "ebbd stops cleanly")
        endpoint = e.start()
        api = Api(endpoint)
        after = api.ok("GET", "/alarms/work-dlq-not-empty")["status"]
        check(after["state"] == "OK" and after["transitions"] == before["transitions"] and
              len(after["history"]) == len(before["history"]),
              f"state and history survive a restart ({after['state']}, {after['transitions']} transitions, "
              f"{len(after['history'])} entries)")
        check('ebb_alarm_transitions_total{alarm="work-dlq-not-empty",to="ALARM"} 1' in metrics(endpoint),
              "/metrics after restart: one transition to ALARM")
        rc, out, err = ebb_cli(ebb, endpoint, "delete", "alarm/work-dlq-not-empty")
        check(rc == 0, f"ebb delete alarm: {out.strip()} {err.strip()}")
        st, _ = api.call("GET", "/alarms/work-dlq-not-empty")
        check(st == 404, f"deleted alarm is gone ({st})")
    except Exception as ex:  # noqa: BLE001
        check(False, f"unexpected error: {ex!r}")
    finally:
        hook.close()
        status = e.stop()
        if FAILS or status != 0:
            print(e.log_tail(), flush=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"alarms: {time.monotonic() - started:.1f} s, {len(FAILS)} failure(s)", flush=True)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
