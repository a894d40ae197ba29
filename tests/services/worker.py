#!/usr/bin/python3
"""Test worker for services: receive, "work" for WORK_SECONDS, delete; journal it.

Uses Debian's boto3 (Query protocol) with the per-task credentials and endpoint ebb
puts in the environment (autoscaling.md §5.1). Every step is appended to JOURNAL as
one JSON line, so the test can check who processed what and when:
  {"ev": "start"|"done", "id": MessageId, "task": EBB_TASK_ID, "rc": receive count,
   "t": wall time, "deadline": lease end}
Exits on SIGTERM once the current message is finished (an idle worker at once).
"""
import json
import os
import signal
import sys
import time

import boto3

QUEUE_URL = os.environ["EBB_QUEUE_URL"]
JOURNAL = os.environ["JOURNAL"]
WORK = float(os.environ.get("WORK_SECONDS", "1"))
VISIBILITY = int(os.environ.get("VISIBILITY", "30"))

busy = False
stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True
    if not busy:
        raise SystemExit(0)


signal.signal(signal.SIGTERM, on_term)


def journal(**ev):
    ev["task"] = os.environ.get("EBB_TASK_ID")
    ev["t"] = time.time()
    with open(JOURNAL, "a") as f:
        f.write(json.dumps(ev) + "\n")


sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
journal(ev="boot", pid=os.getpid())
while not stopping:
    resp = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=1, WaitTimeSeconds=5,
                               VisibilityTimeout=VISIBILITY, AttributeNames=["ApproximateReceiveCount"])
    for m in resp.get("Messages", []):
        busy = True
        now = time.time()
        journal(ev="start", id=m["MessageId"], rc=int(m["Attributes"]["ApproximateReceiveCount"]),
                deadline=now + VISIBILITY)
        time.sleep(WORK)
        sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=m["ReceiptHandle"])
        journal(ev="done", id=m["MessageId"])
        busy = False
sys.exit(0)
