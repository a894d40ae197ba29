#!/usr/bin/env python3
"""Thumbnail worker: the seed article's image processor, run by an ebb Service.

Structured like the article's ECS worker (receive with long polling, process, delete
only on success, let failures return to the queue and end in the DLQ), with two
changes for running on one machine instead of S3:

* the "bucket" is a directory: messages come from an ebb EventSource, whose default
  body is the S3 event-notification shape (Records[0].s3.bucket.name / object.key,
  the bucket being the watched directory); the article's simpler {"bucket", "key"}
  body is accepted too;
* outputs go to OUTPUT_DIR/<size>/<key> instead of an output bucket.

ebb gives every task AWS_ENDPOINT_URL, AWS_REGION, per-task credentials and
EBB_QUEUE_URL. Debian 12's boto3 predates AWS_ENDPOINT_URL, so the endpoint is also
passed explicitly. SIGTERM (scale-in) lets the current image finish, then exits.
"""
import json
import os
import signal
import sys
import time
import urllib.parse

import boto3
from PIL import Image

QUEUE_URL = os.environ["EBB_QUEUE_URL"]
OUTPUT_DIR = os.environ["OUTPUT_DIR"]
MAX_MESSAGES = int(os.environ.get("MAX_MESSAGES", "0"))  # 0 = until stopped (the article uses 10)
FAIL_ON = os.environ.get("FAIL_ON", "")                  # demo: keys containing this fail (→ DLQ)
SIZES = {"thumbnail": (150, 150), "medium": (800, 800), "large": (1920, 1920)}

sqs = boto3.client("sqs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_SQS") or os.environ["AWS_ENDPOINT_URL"],
                   region_name=os.environ.get("AWS_REGION", "us-east-1"))
stopping = False
busy = False


def on_sigterm(signum, frame):
    """Scale-in: an idle worker leaves at once; a busy one finishes its image first."""
    global stopping
    stopping = True
    if not busy:
        raise SystemExit(0)


signal.signal(signal.SIGTERM, on_sigterm)


def log(level, message, **fields):
    print(json.dumps({"level": level, "message": message, "task": os.environ.get("EBB_TASK_ID"), **fields}),
          flush=True)


def locate(body):
    """(directory, key) from an S3 event notification or the article's simple body."""
    doc = json.loads(body)
    if "Records" in doc:
        s3 = doc["Records"][0]["s3"]
        return s3["bucket"]["name"], urllib.parse.unquote_plus(s3["object"]["key"])
    return doc["bucket"], doc["key"]


def process_image(bucket, key):
    if FAIL_ON and FAIL_ON in key:
        raise ValueError(f"refusing {key} (FAIL_ON={FAIL_ON})")
    results = []
    with Image.open(os.path.join(bucket, key)) as img:
        img.load()
        for size_name, dimensions in SIZES.items():
            resized = img.copy()
            resized.thumbnail(dimensions, Image.LANCZOS)
            out_dir = os.path.join(OUTPUT_DIR, size_name)
            os.makedirs(out_dir, exist_ok=True)
            out = os.path.join(out_dir, key)
            tmp = out + ".part"
            resized.convert("RGB").save(tmp, format="JPEG", quality=85, optimize=True)
            os.replace(tmp, out)  # readers never see half an image
            results.append({"size": size_name, "dimensions": list(resized.size)})
    return results


def main():
    global busy
    processed = 0
    while not stopping and (MAX_MESSAGES == 0 or processed < MAX_MESSAGES):
        response = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=1, WaitTimeSeconds=20,
                                       VisibilityTimeout=60)
        messages = response.get("Messages", [])
        if not messages:
            if MAX_MESSAGES:  # the article's worker exits when the queue is empty
                break
            continue
        busy = True
        for message in messages:
            started = time.monotonic()
            try:
                bucket, key = locate(message["Body"])
                results = process_image(bucket, key)
                sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
                processed += 1
                log("info", "processed", key=key, results=results,
                    seconds=round(time.monotonic() - started, 3))
            except Exception as e:  # the message returns after the visibility timeout; DLQ after maxReceiveCount
                log("error", "failed", error=str(e), messageId=message["MessageId"])
        busy = False
    log("info", "exiting", processed=processed, stopping=stopping)


if __name__ == "__main__":
    sys.exit(main())
