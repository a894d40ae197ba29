#!/usr/bin/env python3
"""SigV4 with real signing clients (reliability.md §3, issue 6).

Runs under tests/integration/harness.py --auth sigv4: ENDPOINT is a fresh ebbd that
verifies signatures, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY hold the admin key it
generated. With /usr/bin/python3 boto3 speaks the Query protocol, with a newer boto3
the JSON protocol; the script checks which and covers both the same way:

  right key passes (send, receive, delete); no signature -> 403
  MissingAuthenticationToken; wrong secret, tampered body, tampered target/action,
  timestamp 20 min in the past and in the future -> 403 SignatureDoesNotMatch;
  unknown key and any session token -> 403 InvalidClientTokenId; malformed header ->
  400 IncompleteSignature; presigned URL (Query) passes, tampered one fails;
  `curl --aws-sigv4` passes with the right key and fails with a wrong one; every
  response carries a Date header. The server stays healthy throughout.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ENDPOINT"]
KEY = os.environ["AWS_ACCESS_KEY_ID"]
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def client(key=KEY, secret=SECRET, token=None):
    return boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error_of(fn):
    """(code, HTTP status) of a ClientError, or ("<no error>", 200)."""
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return "<no error>", 200


def expect(fn, code, status, what):
    got = error_of(fn)
    check(got == (code, status), f"{what}: {code} {status} (got {got[0]} {got[1]})")


def skewed(minutes):
    """Patches botocore's clock so the signature carries now + minutes."""
    real = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    fake = mock.MagicMock(wraps=datetime.datetime)
    fake.utcnow.return_value = real
    fake.now.return_value = real.replace(tzinfo=datetime.timezone.utc)
    return mock.patch.object(botocore.auth.datetime, "datetime", fake)


def tamper(c, fn):
    """Registers a before-send hook that edits the signed request, then runs fn."""
    def hook(request, **_):
        fn(request)
    c.meta.events.register("before-send.sqs", hook)


def main():
    good = client()
    proto = good.meta.service_model.protocol
    print(f"boto3 {boto3.__version__} botocore {botocore.__version__}: protocol {proto}", flush=True)
    url = good.create_queue(QueueName=f"auth-{proto}")["QueueUrl"]
    mid = good.send_message(QueueUrl=url, MessageBody="signed hello")["MessageId"]
    msgs = good.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
    check(len(msgs) == 1 and msgs[0]["MessageId"] == mid, "right key: send and receive work")
    if msgs:
        good.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])

    expect(lambda: client(secret=SECRET[:-1] + ("A" if SECRET[-1] != "A" else "B")).list_queues(),
           "SignatureDoesNotMatch", 403, "wrong secret")
    expect(lambda: client(key="AKIANOSUCHKEY0000000").list_queues(), "InvalidClientTokenId", 403, "unknown key")
    expect(lambda: client(token="FQoGZXIvYXdzEXAMPLE").list_queues(), "InvalidClientTokenId", 403,
           "session token")
    with skewed(-20):
        expect(lambda: client().list_queues(), "SignatureDoesNotMatch", 403, "timestamp 20 min in the past")
    with skewed(+20):
        expect(lambda: client().list_queues(), "SignatureDoesNotMatch", 403, "timestamp 20 min in the future")
    with skewed(-10):
        check(error_of(lambda: client().list_queues())[0] == "<no error>", "timestamp 10 min old still accepted")

    c = client()
    def body_edit(r):
        b = r.body.decode() if isinstance(r.body, bytes) else r.body
        r.body = b.replace("hello", "hellX").encode()
    tamper(c, body_edit)
    expect(lambda: c.send_message(QueueUrl=url, MessageBody="signed hello"), "SignatureDoesNotMatch", 403,
           "tampered body")

    c = client()
    if proto == "json":
        def target_edit(r):
            r.headers["X-Amz-Target"] = "AmazonSQS.PurgeQueue"
        tamper(c, target_edit)
        expect(lambda: c.get_queue_url(QueueName=f"auth-{proto}"), "SignatureDoesNotMatch", 403, "tampered X-Amz-Target")
    else:
        def action_edit(r):
            b = r.body.decode() if isinstance(r.body, bytes) else r.body
            r.body = b.replace("Action=GetQueueUrl", "Action=DeleteQueue").encode()
        tamper(c, action_edit)
        expect(lambda: c.get_queue_url(QueueName=f"auth-{proto}"), "SignatureDoesNotMatch", 403, "tampered Action")
    check(client().get_queue_url(QueueName=f"auth-{proto}")["QueueUrl"] == url, "queue survived the tampering")

    c = client()
    def header_edit(r):
        v = r.headers["Authorization"]
        v = v.decode() if isinstance(v, bytes) else v
        r.headers["Authorization"] = v.replace("SignedHeaders=", "SignedHeaders=;")
    tamper(c, header_edit)
    expect(lambda: c.list_queues(), "IncompleteSignature", 400, "malformed Authorization header")

    # No signature at all, each protocol's raw form; Date header on the answer.
    if proto == "json":
        req = urllib.request.Request(ENDPOINT + "/", data=b"{}", method="POST", headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
    else:
        req = urllib.request.Request(ENDPOINT + "/", data=b"Action=ListQueues&Version=2012-11-05", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(req, timeout=10)
        check(False, "unsigned request refused")
    except urllib.error.HTTPError as e:
        body = e.read().decode()
        code = (e.headers.get("x-amzn-query-error", "").split(";")[0] if proto == "json"
                else body.split("<Code>")[1].split("</Code>")[0] if "<Code>" in body else body)
        check(e.code == 403 and code == "MissingAuthenticationToken",
              f"unsigned request: 403 MissingAuthenticationToken (got {e.code} {code})")
        check(bool(e.headers.get("Date")), "error response carries a Date header")

    if proto == "query":
        presign = good.generate_presigned_url("list_queues", Params={}, ExpiresIn=60, HttpMethod="GET")
        with urllib.request.urlopen(presign, timeout=10) as r:
            check(r.status == 200 and url in r.read().decode(), "presigned GET URL works")
        bad = presign.replace("Action=ListQueues", "Action=ListQueues&QueueNamePrefix=x")
        try:
            urllib.request.urlopen(bad, timeout=10)
            check(False, "tampered presigned URL refused")
        except urllib.error.HTTPError as e:
            check(e.code == 403 and b"SignatureDoesNotMatch" in e.read(), f"tampered presigned URL: 403 ({e.code})")

    curl = shutil.which("curl")
    if curl and proto == "query":
        def run_curl(secret):
            return subprocess.run(
                [curl, "-s", "-o", "-", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:sqs",
                 "--user", f"{KEY}:{secret}", "-H", "Content-Type: application/x-www-form-urlencoded",
                 "--data", "Action=ListQueues&Version=2012-11-05", ENDPOINT + "/"],
                capture_output=True, text=True, timeout=20).stdout
        out = run_curl(SECRET)
        check(out.endswith("\n200") and url in out, f"curl --aws-sigv4 with the right key: 200 ({out[-3:]})")
        out = run_curl("wrong" + SECRET[5:])
        check(out.endswith("\n403") and "SignatureDoesNotMatch" in out, f"curl --aws-sigv4 wrong secret: 403 ({out[-3:]})")
    elif proto == "query":
        check(False, "curl is installed (scripts/install-deps.sh)")

    with urllib.request.urlopen(ENDPOINT + "/healthz", timeout=5) as r:
        check(r.status == 200, "/healthz public and healthy after all of it")
    print(json.dumps({"failures": failures}), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
