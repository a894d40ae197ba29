#!/usr/bin/python3
"""Worker for the dashboard's browser test: receive, print the body, work a little, delete.

Debian's boto3 (Query protocol) with the endpoint and credentials ebb gives tasks.
Prints one line per message (the test watches them stream into the task log page).
"""
import os
import signal
import sys
import time

import boto3

stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
url = os.environ["EBB_QUEUE_URL"]
work = float(os.environ.get("WORK_SECONDS", "0.5"))
print(f"worker {os.environ.get('EBB_TASK_ID')} ready", flush=True)
while not stopping:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=2)
    for m in got.get("Messages", []):
        print(f"processing {m['Body']}", flush=True)
        time.sleep(work)
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
sys.exit(0)
