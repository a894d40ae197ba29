#!/usr/bin/env python3
"""SQS conformance through boto3 against $ENDPOINT (sqs-api.md §13.4 extended to §13.6).

Run with Debian's /usr/bin/python3 (python3-boto3 1.26, Query protocol) and with a
pip boto3 >= 1.34.9x (JSON protocol).  Every check prints FAIL with what was expected
and what came back; the exit status is 1 if any check failed.  Actions that Debian's
botocore lacks (message move tasks) are sent as raw Query requests in the Query run.
Timing checks are loose (seconds, not milliseconds) and every wait is bounded.
"""
import base64
import hashlib
import json
import os
import re
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import boto3
import botocore
from botocore.config import Config

E = os.environ.get("ENDPOINT", "http://127.0.0.1:9324").rstrip("/")
for i, a in enumerate(sys.argv):
    if a == "--endpoint" and i + 1 < len(sys.argv):
        E = sys.argv[i + 1].rstrip("/")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ACCOUNT = "000000000000"
CFG = Config(retries={"mode": "standard", "total_max_attempts": 1}, parameter_validation=False,
             connect_timeout=5, read_timeout=40)


def client():
    return boto3.client("sqs", endpoint_url=E, region_name=REGION, config=CFG,
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "AKIDEBBTEST"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "x"))


c = client()
PROTO = c.meta.service_model.protocol
JSON = PROTO == "json"
print("botocore", botocore.__version__, "protocol", PROTO, "endpoint", E, flush=True)
p = "v" + uuid.uuid4().hex[:8]
FAILED = []
PASSED = [0]
HEADER_PROBLEMS = []
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


# ------------------------------------------------------------------ helpers
def _headers_hook(http_response, parsed, model, **kw):
    h = {k.lower(): v for k, v in http_response.headers.items()}
    op = model.name
    rid = h.get("x-amzn-requestid", "")
    if not UUID_RE.match(rid):
        HEADER_PROBLEMS.append(f"{op}: x-amzn-RequestId {rid!r} is not a lower-case UUID v4")
    if "date" not in h:
        HEADER_PROBLEMS.append(f"{op}: no Date header")
    ct = h.get("content-type", "")
    want = "application/x-amz-json-1.0" if JSON else "text/xml"
    if not ct.startswith(want):
        HEADER_PROBLEMS.append(f"{op}: Content-Type {ct!r}, expected {want}")
    if JSON and http_response.status_code >= 400 and "x-amzn-query-error" not in h:
        HEADER_PROBLEMS.append(f"{op}: JSON error {http_response.status_code} without x-amzn-query-error")


def attach_hooks(cl):
    cl.meta.events.register("after-call.sqs", _headers_hook)
    return cl


attach_hooks(c)


def fail(label, detail):
    FAILED.append(label)
    print(f"FAIL {label}: {detail}", flush=True)


def check(label, fn, detail=None):
    """fn() must return True; on False/exception prints detail (a callable or str)."""
    try:
        ok = fn()
        why = ""
    except Exception as e:  # noqa: BLE001 - report and continue
        ok, why = False, f"{type(e).__name__}: {e}"
    if ok:
        PASSED[0] += 1
        return True
    d = detail() if callable(detail) else detail
    fail(label, "; ".join(x for x in (d, why) if x) or "condition false")
    return False


def eq(label, got_fn, want):
    """got_fn() must equal want."""
    box = {}

    def run():
        box["got"] = got_fn()
        return box["got"] == want
    return check(label, run, lambda: f"expected {want!r}, got {box.get('got', '<exception>')!r}")


class Err:
    def __init__(self, e=None):
        r = e.response if e is not None else {}
        self.code = r.get("Error", {}).get("Code")
        self.qcode = r.get("Error", {}).get("QueryErrorCode")
        self.type = r.get("Error", {}).get("Type")
        self.message = r.get("Error", {}).get("Message")
        self.status = r.get("ResponseMetadata", {}).get("HTTPStatusCode")
        self.headers = {k.lower(): v for k, v in r.get("ResponseMetadata", {}).get("HTTPHeaders", {}).items()}

    def __repr__(self):
        return (f"(code={self.code!r}, status={self.status}, message={self.message!r}"
                + (f", __type={self.qcode!r}, x-amzn-query-error={self.headers.get('x-amzn-query-error')!r}" if JSON else "") + ")")


def err(fn, **kw):
    """The Err of the ClientError fn(**kw) raises, or None if it succeeds."""
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return Err(e)
    return None


# Query code -> (JSON __type fragment, HTTP status), sqs-api.md §5.2
ERRORS = {
    "AWS.SimpleQueueService.NonExistentQueue": ("QueueDoesNotExist", 400),
    "QueueAlreadyExists": ("QueueNameExists", 400),
    "InvalidParameterValue": ("InvalidParameterValueException", 400),
    "MissingParameter": ("MissingRequiredParameterException", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 404),
    "AWS.SimpleQueueService.EmptyBatchRequest": ("EmptyBatchRequest", 400),
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest": ("TooManyEntriesInBatchRequest", 400),
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct": ("BatchEntryIdsNotDistinct", 400),
    "AWS.SimpleQueueService.InvalidBatchEntryId": ("InvalidBatchEntryId", 400),
    "AWS.SimpleQueueService.BatchRequestTooLong": ("BatchRequestTooLong", 400),
    "AWS.SimpleQueueService.UnsupportedOperation": ("UnsupportedOperation", 400),
    "ResourceNotFoundException": ("ResourceNotFoundException", 404),
    "InvalidAddress": ("InvalidAddress", 404),
}


def expect_err(label, fn, code, message=None, message_json=None, **kw):
    """The call must fail with `code` (Query code, which boto3 must surface in both
    protocols), the §5.2 status, on JSON the x-amzn-query-error header and __type,
    and (if given) the exact message."""
    e = err(fn, **kw)
    if e is None:
        fail(label, f"expected error {code}, the call succeeded")
        return None
    jtype, status = ERRORS[code]
    problems = []
    if e.code != code:
        problems.append(f"Error.Code {e.code!r} != {code!r}")
    if e.status != status:
        problems.append(f"HTTP status {e.status} != {status}")
    if JSON:
        if e.headers.get("x-amzn-query-error") != f"{code};Sender":
            problems.append(f"x-amzn-query-error {e.headers.get('x-amzn-query-error')!r} != '{code};Sender'")
        if e.qcode is not None and e.qcode != jtype:
            problems.append(f"__type fragment {e.qcode!r} != {jtype!r}")
    if problems:
        fail(label, "; ".join(problems) + f" — got {e!r}")
    else:
        PASSED[0] += 1
    want_msg = message_json if (JSON and message_json is not None) else message
    if want_msg is not None:
        if e.message == want_msg:
            PASSED[0] += 1
        else:
            fail(label + " [message]", f"expected message {want_msg!r}, got {e.message!r}")
    return e


def attr_md5(attrs):
    h = hashlib.md5()
    for name in sorted(attrs, key=lambda n: n.encode()):
        a = attrs[name]
        for s in (name.encode(), a["DataType"].encode()):
            h.update(struct.pack(">I", len(s)) + s)
        v, t = (a["BinaryValue"], 2) if "BinaryValue" in a else (a["StringValue"].encode(), 1)
        h.update(bytes([t]) + struct.pack(">I", len(v)) + v)
    return h.hexdigest()


def md5(s):
    return hashlib.md5(s.encode() if isinstance(s, str) else s).hexdigest()


def qattrs(url, *names):
    return c.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"]).get("Attributes", {})


def counts(url):
    a = qattrs(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
               "ApproximateNumberOfMessagesDelayed")
    return (int(a.get("ApproximateNumberOfMessages", -1)), int(a.get("ApproximateNumberOfMessagesNotVisible", -1)),
            int(a.get("ApproximateNumberOfMessagesDelayed", -1)))


def arn(name):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def receive(url, **kw):
    return c.receive_message(QueueUrl=url, **kw).get("Messages", [])


def drain(url, limit=50, wait=0):
    """Receives (and deletes) until empty; bounded by `limit` calls."""
    out = []
    for _ in range(limit):
        ms = receive(url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, AttributeNames=["All"],
                     MessageAttributeNames=["All"])
        if not ms:
            break
        out += ms
        c.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                      for i, m in enumerate(ms)])
    return out


def wait_until(fn, timeout=10.0, step=0.2):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


CREATED = []


def create(name, **kw):
    url = c.create_queue(QueueName=name, **kw)["QueueUrl"]
    CREATED.append(url)
    return url


SECTIONS = []


def section(fn):
    SECTIONS.append(fn)
    return fn


# ------------------------------------------------------------------ 1, 2, 9: queues, attributes, tags, URLs
@section
def queues_attributes_tags():
    global dlq, dlq_arn, q
    dlq = create(p + "-dlq")
    eq("queue url built from Host", lambda: dlq, f"{E}/{ACCOUNT}/{p}-dlq")
    dlq_arn = qattrs(dlq, "QueueArn")["QueueArn"]
    eq("queue arn", lambda: dlq_arn, arn(p + "-dlq"))
    q = create(p, Attributes={"VisibilityTimeout": "2"}, tags={"team": "billing"})
    eq("create idempotent (same attributes)", lambda: c.create_queue(QueueName=p, Attributes={"VisibilityTimeout": "2"})["QueueUrl"], q)
    eq("create idempotent (no attributes given: compares only given ones)", lambda: c.create_queue(QueueName=p)["QueueUrl"], q)
    eq("create idempotent (integers compared by value)", lambda: c.create_queue(QueueName=p, Attributes={"VisibilityTimeout": "02"})["QueueUrl"], q)
    expect_err("create conflict", c.create_queue, "QueueAlreadyExists",
               "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
               QueueName=p, Attributes={"VisibilityTimeout": "3"})
    expect_err("FifoQueue=true for an existing standard name without .fifo", c.create_queue, "InvalidParameterValue",
               QueueName=p, Attributes={"FifoQueue": "true"})
    eq("get url", lambda: c.get_queue_url(QueueName=p)["QueueUrl"], q)
    expect_err("missing queue", c.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue",
               "The specified queue does not exist for this wsdl version.", "The specified queue does not exist.",
               QueueName=p + "-nope")
    expect_err("get url of another account", c.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue",
               QueueName=p, QueueOwnerAWSAccountId="111122223333")
    eq("get url with own account", lambda: c.get_queue_url(QueueName=p, QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"], q)

    # ListQueues
    lq = c.list_queues(QueueNamePrefix=p)
    eq("list prefix", lambda: sorted(lq.get("QueueUrls", [])), sorted([q, dlq]))
    check("list without MaxResults has no NextToken", lambda: "NextToken" not in lq, lambda: repr(lq))
    pg1 = c.list_queues(QueueNamePrefix=p, MaxResults=1)
    check("list paging: NextToken with MaxResults", lambda: "NextToken" in pg1 and len(pg1["QueueUrls"]) == 1, lambda: repr(pg1))
    if "NextToken" in pg1:
        pg2 = c.list_queues(QueueNamePrefix=p, MaxResults=1, NextToken=pg1["NextToken"])
        eq("list paging: second page (sorted by name)", lambda: pg1["QueueUrls"] + pg2.get("QueueUrls", []), [q, dlq])
        check("list paging: last page has no NextToken", lambda: "NextToken" not in pg2 or
              "QueueUrls" not in c.list_queues(QueueNamePrefix=p, MaxResults=1, NextToken=pg2["NextToken"]), lambda: repr(pg2))
    eq("list nothing -> no QueueUrls member", lambda: "QueueUrls" in c.list_queues(QueueNamePrefix=p + "zzz"), False)
    expect_err("list bad NextToken", c.list_queues, "InvalidParameterValue", "Invalid NextToken value.",
               QueueNamePrefix=p, MaxResults=1, NextToken="%%not-a-token%%")
    expect_err("list MaxResults 0", c.list_queues, "InvalidParameterValue", MaxResults=0)
    expect_err("list MaxResults 1001", c.list_queues, "InvalidParameterValue", MaxResults=1001)

    # GetQueueAttributes
    a = qattrs(q)
    std_names = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
                 "CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
                 "QueueArn", "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout"}
    eq("All on a standard queue: exactly the §7 names", lambda: set(a), std_names)
    eq("attribute defaults", lambda: {k: a.get(k) for k in ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
                                                            "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout",
                                                            "ApproximateNumberOfMessages")},
       {"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "false", "VisibilityTimeout": "2",
        "ApproximateNumberOfMessages": "0"})
    check("CreatedTimestamp in epoch seconds", lambda: abs(int(a["CreatedTimestamp"]) - time.time()) < 120, lambda: a.get("CreatedTimestamp"))
    check("LastModifiedTimestamp = CreatedTimestamp at creation", lambda: a["LastModifiedTimestamp"] == a["CreatedTimestamp"], lambda: repr(a))
    eq("no AttributeNames -> no Attributes", lambda: "Attributes" in c.get_queue_attributes(QueueUrl=q), False)
    eq("known name that does not apply is left out", lambda: "Attributes" in c.get_queue_attributes(QueueUrl=q, AttributeNames=["FifoQueue"]), False)
    expect_err("unknown attribute", c.get_queue_attributes, "InvalidAttributeName",
               "Unknown Attribute ApproximateAgeOfOldestMessage.", QueueUrl=q, AttributeNames=["ApproximateAgeOfOldestMessage"])

    # SetQueueAttributes / RedrivePolicy
    c.set_queue_attributes(QueueUrl=q, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})
    eq("redrive policy normalised (number, compact, ordered)", lambda: qattrs(q, "RedrivePolicy").get("RedrivePolicy"),
       '{"deadLetterTargetArn":"%s","maxReceiveCount":2}' % dlq_arn)
    eq("All includes RedrivePolicy when set", lambda: set(qattrs(q)) - std_names, {"RedrivePolicy"})
    eq("dlq sources", lambda: c.list_dead_letter_source_queues(QueueUrl=dlq).get("queueUrls"), [q])
    try:
        lds = c.list_dead_letter_source_queues(QueueUrl=q)
    except botocore.exceptions.ClientError as e:
        lds = {"error": repr(Err(e))}
    check("dlq sources of a queue nobody uses: empty" + (" (queueUrls always present in JSON)" if JSON else ""),
          lambda: lds.get("queueUrls", []) == [] and (not JSON or "queueUrls" in lds), lambda: repr(lds))
    for attrs, code, label in [
        ({"VisibilityTimeout": "43201"}, "InvalidAttributeValue", "VisibilityTimeout 43201"),
        ({"VisibilityTimeout": "-1"}, "InvalidAttributeValue", "VisibilityTimeout -1"),
        ({"VisibilityTimeout": "abc"}, "InvalidAttributeValue", "VisibilityTimeout abc"),
        ({"MessageRetentionPeriod": "59"}, "InvalidAttributeValue", "MessageRetentionPeriod 59"),
        ({"MessageRetentionPeriod": "1209601"}, "InvalidAttributeValue", "MessageRetentionPeriod 1209601"),
        ({"MaximumMessageSize": "1023"}, "InvalidAttributeValue", "MaximumMessageSize 1023"),
        ({"MaximumMessageSize": "1048577"}, "InvalidAttributeValue", "MaximumMessageSize 1048577"),
        ({"ReceiveMessageWaitTimeSeconds": "21"}, "InvalidAttributeValue", "ReceiveMessageWaitTimeSeconds 21"),
        ({"DelaySeconds": "901"}, "InvalidAttributeValue", "DelaySeconds 901"),
        ({"Foo": "1"}, "InvalidAttributeName", "unknown name Foo"),
        ({"QueueArn": "x"}, "InvalidAttributeName", "read-only QueueArn"),
        ({"ApproximateNumberOfMessages": "1"}, "InvalidAttributeName", "read-only ApproximateNumberOfMessages"),
        ({"FifoQueue": "true"}, "InvalidAttributeName", "FifoQueue on standard"),
        ({"ContentBasedDeduplication": "true"}, "InvalidAttributeName", "ContentBasedDeduplication on standard"),
        ({"DeduplicationScope": "queue"}, "InvalidAttributeName", "DeduplicationScope on standard"),
    ]:
        msg = None
        if label == "MessageRetentionPeriod 59":
            msg = "Invalid value for the parameter MessageRetentionPeriod. Reason: Must be between 60 and 1209600."
        if label == "unknown name Foo":
            msg = "Unknown Attribute Foo."
        if label == "DeduplicationScope on standard":
            msg = "You can specify the DeduplicationScope only when FifoQueue is set to true."
        expect_err("set " + label, c.set_queue_attributes, code, msg, QueueUrl=q, Attributes=attrs)
    expect_err("set is all-or-nothing", c.set_queue_attributes, "InvalidAttributeValue",
               QueueUrl=q, Attributes={"DelaySeconds": "5", "VisibilityTimeout": "99999"})
    eq("nothing applied after a failed set", lambda: qattrs(q, "DelaySeconds")["DelaySeconds"], "0")
    check("empty attribute map is a no-op 200", lambda: c.set_queue_attributes(QueueUrl=q, Attributes={}) is not None)
    rp = lambda d: {"RedrivePolicy": json.dumps(d)}  # noqa: E731
    fq_for_type = create(p + "-typedlq.fifo", Attributes={"FifoQueue": "true"})
    for d, label in [
        ({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 0}, "maxReceiveCount 0"),
        ({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001}, "maxReceiveCount 1001"),
        ({"deadLetterTargetArn": dlq_arn}, "no maxReceiveCount"),
        ({"maxReceiveCount": 3}, "no deadLetterTargetArn"),
        ({"deadLetterTargetArn": arn(p + "-nope"), "maxReceiveCount": 3}, "DLQ missing"),
        ({"deadLetterTargetArn": arn(p), "maxReceiveCount": 3}, "DLQ = itself"),
        ({"deadLetterTargetArn": arn(p + "-typedlq.fifo"), "maxReceiveCount": 3}, "DLQ of the other type"),
        ({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:111122223333:" + p + "-dlq", "maxReceiveCount": 3}, "DLQ in another account"),
    ]:
        expect_err("RedrivePolicy " + label, c.set_queue_attributes, "InvalidParameterValue", QueueUrl=q, Attributes=rp(d))
    expect_err("RedrivePolicy not JSON", c.set_queue_attributes, "InvalidParameterValue", QueueUrl=q, Attributes={"RedrivePolicy": "{nope"})
    eq("maxReceiveCount 1001 message", lambda: err(c.set_queue_attributes, QueueUrl=q, Attributes=rp({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001})).message,
       'Value {"deadLetterTargetArn": "%s", "maxReceiveCount": 1001} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.' % dlq_arn)
    eq("policy unchanged after failed sets", lambda: json.loads(qattrs(q, "RedrivePolicy")["RedrivePolicy"])["maxReceiveCount"], 2)
    # RedriveAllowPolicy
    deny = create(p + "-deny", Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})
    src2 = create(p + "-src2")
    expect_err("RedriveAllowPolicy denyAll forbids", c.set_queue_attributes, "InvalidParameterValue",
               QueueUrl=src2, Attributes=rp({"deadLetterTargetArn": arn(p + "-deny"), "maxReceiveCount": 3}))
    expect_err("RedriveAllowPolicy invalid", c.set_queue_attributes, "InvalidParameterValue",
               QueueUrl=deny, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "sometimes"})})
    c.set_queue_attributes(QueueUrl=deny, Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [arn(p + "-src2")]})})
    check("RedriveAllowPolicy byQueue allows the named source", lambda: c.set_queue_attributes(
        QueueUrl=src2, Attributes=rp({"deadLetterTargetArn": arn(p + "-deny"), "maxReceiveCount": 3})) is not None)
    c.set_queue_attributes(QueueUrl=src2, Attributes={"RedrivePolicy": ""})
    eq("RedrivePolicy '' removes it", lambda: "RedrivePolicy" in qattrs(src2), False)
    eq("… and the DLQ has no sources left", lambda: c.list_dead_letter_source_queues(QueueUrl=deny).get("queueUrls", []), [])

    # queue names
    for name, attrs, label in [("a" * 81, {}, "81 chars"), ("a b", {}, "space"), ("a/b", {}, "slash"), ("ü", {}, "non-ASCII"),
                               (p + "-x.fifo", {}, ".fifo without FifoQueue"), (p + "-y", {"FifoQueue": "true"}, "FifoQueue without .fifo")]:
        expect_err("queue name " + label, c.create_queue, "InvalidParameterValue", QueueName=name, Attributes=attrs)
    eq("queue name error message", lambda: err(c.create_queue, QueueName="a b").message,
       "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
    n80 = (p + "-" + "n" * 80)[:80]
    eq("queue name of 80 chars accepted", lambda: create(n80).rsplit("/", 1)[1], n80)
    expect_err("QueueName missing", c.create_queue, "MissingParameter", "The request must contain the parameter QueueName.", QueueName="")

    # tags
    c.tag_queue(QueueUrl=q, Tags={"env": "dev"})
    c.untag_queue(QueueUrl=q, TagKeys=["team", "never-there"])
    eq("tags", lambda: c.list_queue_tags(QueueUrl=q).get("Tags"), {"env": "dev"})
    eq("no tags -> no Tags member", lambda: "Tags" in c.list_queue_tags(QueueUrl=dlq), False)
    eq("create with existing name ignores request tags", lambda: (c.create_queue(QueueName=p, tags={"x": "y"})["QueueUrl"],
                                                                 c.list_queue_tags(QueueUrl=q).get("Tags")), (q, {"env": "dev"}))
    expect_err("tag key aws: rejected", c.tag_queue, "InvalidParameterValue", QueueUrl=q, Tags={"aws:x": "1"})
    expect_err("more than 50 tags", c.tag_queue, "InvalidParameterValue", QueueUrl=q, Tags={f"k{i}": "v" for i in range(51)})

    # queue URL forms (§6.3)
    host_forms = {
        "foreign host": f"http://example.invalid:1234/{ACCOUNT}/{p}",
        "https foreign host": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{p}",
        "ElasticMQ /queue/<name>": f"{E}/queue/{p}",
        "LocalStack /queue/<region>/<account>/<name>": f"{E}/queue/us-east-1/{ACCOUNT}/{p}",
        "trailing slash": q + "/",
        "bare name": p,
    }
    for label, url in host_forms.items():
        eq("QueueUrl form: " + label, lambda url=url: qattrs(url, "QueueArn").get("QueueArn"), arn(p))
    expect_err("QueueUrl of another account", c.get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue",
               QueueUrl=f"{E}/111122223333/{p}", AttributeNames=["QueueArn"])
    expect_err("QueueUrl '/'", c.get_queue_attributes, "InvalidAddress", QueueUrl=E + "/", AttributeNames=["QueueArn"])
    expect_err("QueueUrl dot-dot path", c.get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue",
               QueueUrl=f"{E}/123/../{p}-nope", AttributeNames=["QueueArn"])


# ------------------------------------------------------------------ 1-4: send, bodies, MD5s, sizes, batches
BODY_VECTORS = {"hello world": "5eb63bbbe01eeed093cb22bb8f5acdc3", "msg": "6e2baaf3b97dbeef01c0043275f9a0e7",
                "line1\r\nline2": "133faf504928b85572d6aae8fff988aa", "grüße 👋": "540178070b815959f92b43ab337f74b1"}
TRACE = "00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
ATTR_VECTORS = [
    ({"Foo": {"DataType": "String", "StringValue": "Bar"}}, "ae7155c6026991b6d54b11589678bf9c"),
    ({"General": {"DataType": "String", "StringValue": "Kenobi"}, "Hello": {"DataType": "String", "StringValue": "There"}},
     "fca026605781cb4126a1e9044df24232"),
    ({"Hello": {"DataType": "String", "StringValue": "There"}, "Help.Me": {"DataType": "String", "StringValue": "Me"}},
     "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ({"attr1": {"DataType": "Binary", "BinaryValue": b"traceparent\x1e" + TRACE.encode()}}, "8cbe4db156db8a94db8b801b7addb984"),
    ({"attempt": {"DataType": "Number", "StringValue": "3"}, "tenant": {"DataType": "String", "StringValue": "acme"}},
     "d6dc103c7801ca3ecaf5ca802c03c62c"),
    ({"timestamp": {"DataType": "Number.java.lang.Long", "StringValue": "1493147359900"}}, "2e2e4876d8e0bd6b8c2c8f556831c349"),
    ({"b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}, "973749046908c117819a7d5e12dac587"),
]
MAXB = 1048576


@section
def send_bodies_md5s_sizes_batches():
    bq = create(p + "-bodies")
    for vec_attrs, want in ATTR_VECTORS:   # the test's own digest must agree with the spec's vectors first
        if attr_md5(vec_attrs) != want:
            fail("test self-check attr_md5", f"{vec_attrs} -> {attr_md5(vec_attrs)} != {want}")
    for body, want in BODY_VECTORS.items():
        eq(f"MD5OfMessageBody vector {body!r}", lambda body=body: c.send_message(QueueUrl=bq, MessageBody=body)["MD5OfMessageBody"], want)
    for vec_attrs, want in ATTR_VECTORS:
        eq(f"MD5OfMessageAttributes vector {sorted(vec_attrs)}", lambda a=vec_attrs: c.send_message(
            QueueUrl=bq, MessageBody="x", MessageAttributes=a).get("MD5OfMessageAttributes"), want)
    tr = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    s = c.send_message(QueueUrl=bq, MessageBody="traced", MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": tr}})
    eq("MD5OfMessageSystemAttributes vector", lambda: s.get("MD5OfMessageSystemAttributes"), "5f48eef650c1d0207456969c85af2fdd")
    plain = c.send_message(QueueUrl=bq, MessageBody="plain")
    check("no attribute digests without attributes", lambda: "MD5OfMessageAttributes" not in plain and "MD5OfMessageSystemAttributes" not in plain
          and "SequenceNumber" not in plain, lambda: repr(plain))
    check("MessageId is a lower-case UUID v4", lambda: UUID_RE.match(plain["MessageId"]), lambda: plain["MessageId"])
    expect_err("system attribute other than AWSTraceHeader", c.send_message, "InvalidParameterValue", QueueUrl=bq, MessageBody="x",
               MessageSystemAttributes={"Foo": {"DataType": "String", "StringValue": "1"}})
    got = drain(bq)
    eq("drained every vector message", lambda: len(got), len(BODY_VECTORS) + len(ATTR_VECTORS) + 2)
    for m in got:
        if "MessageAttributes" in m:
            check(f"receive MD5OfMessageAttributes = digest of what came back ({m['MessageId']})",
                  lambda m=m: m.get("MD5OfMessageAttributes") == attr_md5(m["MessageAttributes"]), lambda m=m: repr(m))
        else:
            check(f"no MD5OfMessageAttributes without attributes ({m['Body']!r})", lambda m=m: "MD5OfMessageAttributes" not in m, lambda m=m: repr(m))
        if m["Body"] == "traced":
            eq("AWSTraceHeader returned", lambda m=m: m.get("Attributes", {}).get("AWSTraceHeader"), tr)
    rec_vec = [m for m in got if set(m.get("MessageAttributes", {})) == {"General", "Hello"}]
    eq("received attributes digest = spec vector", lambda: [m["MD5OfMessageAttributes"] for m in rec_vec], ["fca026605781cb4126a1e9044df24232"])
    bin_m = [m for m in got if set(m.get("MessageAttributes", {})) == {"b"}]
    eq("binary attribute round trip", lambda: [m["MessageAttributes"]["b"] for m in bin_m], [{"DataType": "Binary", "BinaryValue": b"\x00\x01"}])
    long_m = [m for m in got if "timestamp" in m.get("MessageAttributes", {})]
    eq("custom DataType label kept", lambda: [m["MessageAttributes"]["timestamp"]["DataType"] for m in long_m], ["Number.java.lang.Long"])

    # byte-exact bodies (CR, LF, tab, non-ASCII, non-BMP, XML specials)
    bodies = ["line1\r\nline2", "\r", "cr\ronly", "tab\there\t", "\n\nlf\n", "  spaces  ", "grüße 👋", "𝄞𝄞 \U0010fffd", "<&>]]>\"'",
              "\ufffd\ue000\ud7ff", "a+b=c&d=e%20f", "&#xD; literally"]
    sent_ids = {}
    for b in bodies:
        try:
            r = c.send_message(QueueUrl=bq, MessageBody=b)
        except botocore.exceptions.ClientError as e:
            fail(f"send body {b!r}", repr(Err(e)))
            continue
        sent_ids[r["MessageId"]] = b
        eq(f"send MD5 {b!r}", lambda r=r: r["MD5OfMessageBody"], md5(b))
    got = drain(bq)
    eq("bodies: all received", lambda: sorted(m["MessageId"] for m in got), sorted(sent_ids))
    for m in got:
        want = sent_ids.get(m["MessageId"])
        eq(f"body byte-exact {want!r}", lambda m=m: m["Body"], want)
        eq(f"MD5OfBody {want!r}", lambda m=m: m["MD5OfBody"], md5(m["Body"]))

    # sizes: exactly the limit accepted, one byte more rejected; bytes not characters
    big = "a" * MAXB
    r = c.send_message(QueueUrl=bq, MessageBody=big)
    eq("1,048,576-byte body accepted", lambda: r.get("MD5OfMessageBody"), md5(big))
    too_big_msg = "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    expect_err("1,048,577-byte body rejected", c.send_message, "InvalidParameterValue", too_big_msg, QueueUrl=bq, MessageBody=big + "a")
    check("1,048,576 bytes of 2-byte characters accepted", lambda: c.send_message(QueueUrl=bq, MessageBody="é" * (MAXB // 2)) is not None)
    expect_err("1,048,577 bytes of mostly 2-byte characters rejected", c.send_message, "InvalidParameterValue",
               QueueUrl=bq, MessageBody="é" * (MAXB // 2) + "a")
    at = {"k": {"DataType": "String", "StringValue": "v"}}
    check("body + attributes = limit accepted", lambda: c.send_message(QueueUrl=bq, MessageBody="a" * (MAXB - 8), MessageAttributes=at) is not None)
    expect_err("body + attributes = limit + 1 rejected", c.send_message, "InvalidParameterValue",
               QueueUrl=bq, MessageBody="a" * (MAXB - 7), MessageAttributes=at)
    got = drain(bq)
    eq("big messages: 3 stored", lambda: len(got), 3)
    eq("1 MiB body round trip byte-exact", lambda: sum(1 for m in got if m["Body"] == big and m["MD5OfBody"] == md5(big)), 1)
    small = create(p + "-small", Attributes={"MaximumMessageSize": "1024"})
    check("MaximumMessageSize 1024: 1024 bytes accepted", lambda: c.send_message(QueueUrl=small, MessageBody="b" * 1024) is not None)
    expect_err("MaximumMessageSize 1024: 1025 bytes rejected", c.send_message, "InvalidParameterValue",
               "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.", QueueUrl=small, MessageBody="b" * 1025)

    # forbidden characters, empty body
    inv = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
    for b, label in [("a\x00b", "U+0000"), ("\x08", "U+0008"), ("x\x1f", "U+001F"), ("\ufffe", "U+FFFE"), ("\uffff", "U+FFFF")]:
        expect_err("body with " + label, c.send_message, "InvalidMessageContents", inv, QueueUrl=bq, MessageBody=b)
    if JSON:  # botocore's JSON writer escapes a lone surrogate as \ud800
        expect_err("body with a lone surrogate", c.send_message, "InvalidMessageContents", QueueUrl=bq, MessageBody="a\ud800b")
    expect_err("empty body", c.send_message, "MissingParameter", "The request must contain the parameter MessageBody.", QueueUrl=bq, MessageBody="")
    expect_err("string attribute with U+0000", c.send_message, "InvalidMessageContents", QueueUrl=bq, MessageBody="x",
               MessageAttributes={"a": {"DataType": "String", "StringValue": "\x00"}})
    eq("nothing stored by rejected sends", lambda: counts(bq), (0, 0, 0))

    # message attribute validation (§8.2)
    S = lambda v="v": {"DataType": "String", "StringValue": v}  # noqa: E731
    for attrs, label in [
        ({f"a{i}": S() for i in range(11)}, "11 attributes"),
        ({"AWS.x": S()}, "name AWS."), ({"amazon.x": S()}, "name amazon. (any case)"), ({".x": S()}, "name starting with ."),
        ({"x.": S()}, "name ending with ."), ({"a..b": S()}, "name with .."), ({"n" * 257: S()}, "name of 257 chars"),
        ({"a b": S()}, "name with space"),
        ({"x": {"DataType": "Foo", "StringValue": "1"}}, "DataType Foo"),
        ({"x": {"DataType": "Stringy", "StringValue": "1"}}, "DataType Stringy"),
        ({"x": {"StringValue": "1"}}, "no DataType"),
        ({"x": {"DataType": "Number", "StringValue": "abc"}}, "Number abc"),
        ({"x": {"DataType": "Number", "StringValue": "1" * 39}}, "Number with 39 digits"),
        ({"x": {"DataType": "Number", "StringValue": "1e200"}}, "Number 1e200"),
        ({"x": {"DataType": "String", "StringValue": ""}}, "empty StringValue"),
        ({"x": {"DataType": "String"}}, "String without StringValue"),
        ({"x": {"DataType": "Binary", "BinaryValue": b""}}, "empty BinaryValue"),
        ({"x": {"DataType": "String", "StringValue": "a", "StringListValues": ["a"]}}, "StringListValues"),
    ]:
        expect_err("attribute " + label, c.send_message, "InvalidParameterValue", QueueUrl=bq, MessageBody="x", MessageAttributes=attrs)
    eq("11 attributes message", lambda: err(c.send_message, QueueUrl=bq, MessageBody="x", MessageAttributes={f"a{i}": S() for i in range(11)}).message,
       "Number of message attributes [11] exceeds the allowed maximum [10].")
    eq("invalid DataType message", lambda: err(c.send_message, QueueUrl=bq, MessageBody="x", MessageAttributes={"x": {"DataType": "Foo", "StringValue": "1"}}).message,
       "The message attribute 'x' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
    eq("empty value message", lambda: err(c.send_message, QueueUrl=bq, MessageBody="x", MessageAttributes={"x": {"DataType": "String", "StringValue": ""}}).message,
       "Message (user) attribute 'x' must contain a non-empty value of type 'String'.")
    ok_attrs = {"n": {"DataType": "Number", "StringValue": "1.50"}, "neg": {"DataType": "Number", "StringValue": "-1.5E+3"},
                f"{'n' * 256}": S(), "a.b-c_d": S(),
                "ten": {"DataType": "String.custom", "StringValue": "x"}, "bin": {"DataType": "Binary.png", "BinaryValue": b"\xff\x00"}}
    r = c.send_message(QueueUrl=bq, MessageBody="attrs", MessageAttributes=ok_attrs)
    eq("valid edge attributes accepted", lambda: r.get("MD5OfMessageAttributes"), attr_md5(ok_attrs))
    m = receive(bq, MessageAttributeNames=["All"], VisibilityTimeout=0)
    eq("attributes returned verbatim (Number '1.50' not reformatted)", lambda: m[0]["MessageAttributes"], ok_attrs)
    check("(SHOULD) attribute names with Latin-1 letters accepted", lambda: c.send_message(
        QueueUrl=small, MessageBody="x", MessageAttributes={"Éclair": S("latin-1")}) is not None)
    eq("selection 'ten.*' is a prefix", lambda: sorted(receive(bq, MessageAttributeNames=["ten.*"], VisibilityTimeout=0)[0].get("MessageAttributes", {})), ["ten"])
    eq("selection '.*' is all", lambda: len(receive(bq, MessageAttributeNames=[".*"], VisibilityTimeout=0)[0].get("MessageAttributes", {})), len(ok_attrs))
    mm = receive(bq, MessageAttributeNames=["nope", "a..b"], VisibilityTimeout=0)[0]
    check("selection of unknown/illegal names: no attributes, no digest, no error",
          lambda: "MessageAttributes" not in mm and "MD5OfMessageAttributes" not in mm, lambda: repr(mm))
    mm = receive(bq, VisibilityTimeout=0)[0]
    check("no names requested: no attributes, no Attributes map", lambda: "MessageAttributes" not in mm and "Attributes" not in mm, lambda: repr(mm))
    one = receive(bq, MessageAttributeNames=["n"], VisibilityTimeout=0)[0]
    eq("digest over the returned subset", lambda: one.get("MD5OfMessageAttributes"), attr_md5({"n": ok_attrs["n"]}))
    drain(bq)

    # batches (§10.9, §5.3)
    batch = c.send_message_batch(QueueUrl=bq, Entries=[{"Id": "a", "MessageBody": "hello world"},
                                                      {"Id": "b", "MessageBody": "later", "DelaySeconds": 901}])
    eq("batch partial failure: Successful", lambda: [(e["Id"], e["MD5OfMessageBody"]) for e in batch.get("Successful", [])],
       [("a", "5eb63bbbe01eeed093cb22bb8f5acdc3")])
    eq("batch partial failure: Failed", lambda: batch.get("Failed"), [{"Id": "b", "SenderFault": True, "Code": "InvalidParameterValue",
                                                                     "Message": "Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if provided."}])
    ok = c.send_message_batch(QueueUrl=bq, Entries=[{"Id": f"e-{i}_X", "MessageBody": f"m{i}", "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i)}}}
                                                   for i in range(10)])
    eq("batch of 10: all successful", lambda: [e["Id"] for e in ok.get("Successful", [])], [f"e-{i}_X" for i in range(10)])
    check("batch entry digests", lambda: all(e["MD5OfMessageAttributes"] == attr_md5({"i": {"DataType": "Number", "StringValue": str(i)}})
                                             and e["MD5OfMessageBody"] == md5(f"m{i}") for i, e in enumerate(ok["Successful"])), lambda: repr(ok))
    check("(SHOULD) all-success batch omits Failed", lambda: not ok.get("Failed") and (not JSON or "Failed" not in ok), lambda: repr(ok))
    allbad = c.send_message_batch(QueueUrl=bq, Entries=[{"Id": "x", "MessageBody": ""}, {"Id": "y", "MessageBody": "\x00"}])
    eq("batch where every entry fails is 200", lambda: sorted((e["Id"], e["Code"], e["SenderFault"]) for e in allbad.get("Failed", [])),
       [("x", "MissingParameter", True), ("y", "InvalidMessageContents", True)])
    expect_err("batch > 10", c.send_message_batch, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
               "Maximum number of entries per request are 10. You have sent 11.",
               QueueUrl=bq, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    expect_err("batch empty", c.send_message_batch, "AWS.SimpleQueueService.EmptyBatchRequest", QueueUrl=bq, Entries=[])
    expect_err("batch ids distinct", c.send_message_batch, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
               QueueUrl=bq, Entries=[{"Id": "a", "MessageBody": "x"}] * 2)
    for bad_id, label in [("a.b", "with ."), ("a b", "with space"), ("x" * 81, "of 81 chars"), ("é", "non-ASCII")]:
        expect_err("batch entry id " + label, c.send_message_batch, "AWS.SimpleQueueService.InvalidBatchEntryId",
                   QueueUrl=bq, Entries=[{"Id": bad_id, "MessageBody": "x"}])
    expect_err("batch total > 1 MiB", c.send_message_batch, "AWS.SimpleQueueService.BatchRequestTooLong",
               "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.",
               QueueUrl=bq, Entries=[{"Id": "a", "MessageBody": "a" * 600000}, {"Id": "b", "MessageBody": "b" * 600000}])
    expect_err("batch on a missing queue", c.send_message_batch, "AWS.SimpleQueueService.NonExistentQueue",
               QueueUrl=f"{E}/{ACCOUNT}/{p}-nope", Entries=[{"Id": "a", "MessageBody": "x"}])
    eq("batch requests stored exactly the successful entries", lambda: counts(bq), (11, 0, 0))

    # parameter ranges (§9.2, §9.4)
    for kw, label, msg in [
        ({"MaxNumberOfMessages": 11}, "MaxNumberOfMessages 11", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
        ({"MaxNumberOfMessages": 0}, "MaxNumberOfMessages 0", None),
        ({"WaitTimeSeconds": 21}, "WaitTimeSeconds 21", "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."),
        ({"WaitTimeSeconds": -1}, "WaitTimeSeconds -1", None),
        ({"VisibilityTimeout": 43201}, "receive VisibilityTimeout 43201", None),
        ({"ReceiveRequestAttemptId": "abc"}, "ReceiveRequestAttemptId on a standard queue", None),
    ]:
        expect_err(label, c.receive_message, "InvalidParameterValue", msg, QueueUrl=bq, **kw)
    for d in (-1, 901):
        expect_err(f"DelaySeconds {d}", c.send_message, "InvalidParameterValue", QueueUrl=bq, MessageBody="x", DelaySeconds=d)
    expect_err("MessageDeduplicationId on a standard queue", c.send_message, "InvalidParameterValue",
               "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.",
               QueueUrl=bq, MessageBody="x", MessageDeduplicationId="d1")
    c.purge_queue(QueueUrl=bq)
    r = c.send_message(QueueUrl=bq, MessageBody="fair", MessageGroupId="tenant-1")
    check("standard queue accepts MessageGroupId (fair queues)", lambda: "SequenceNumber" not in r, lambda: repr(r))
    mm = receive(bq, AttributeNames=["All"])
    eq("… and returns it as a system attribute", lambda: mm[0]["Attributes"].get("MessageGroupId"), "tenant-1")
    expect_err("send to missing queue", c.send_message, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=f"{E}/{ACCOUNT}/{p}-nope", MessageBody="x")


# ------------------------------------------------------------------ 5, 7: receive, visibility, handles, DLQ
@section
def receive_visibility_dlq():
    body = "line1\r\nline2 grüße"  # non-BMP bodies: send_bodies_md5s_sizes_batches
    attrs = {"tenant": {"DataType": "String", "StringValue": "acme"}, "n": {"DataType": "Number.int", "StringValue": "1.50"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
    t_send = time.time()
    sent = c.send_message(QueueUrl=q, MessageBody=body, MessageAttributes=attrs)
    c.send_message(QueueUrl=q, MessageBody="plain")
    c.send_message_batch(QueueUrl=q, Entries=[{"Id": "a", "MessageBody": "x"}])
    msgs = receive(q, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"])
    eq("short poll returns every receivable message (up to max)", lambda: len(msgs), 3)
    first = next(x for x in msgs if x["MessageId"] == sent["MessageId"])
    others = [x for x in msgs if x is not first]
    eq("body byte-exact", lambda: (first["Body"], first["MD5OfBody"]), (body, md5(body)))
    eq("receive attr md5", lambda: first["MD5OfMessageAttributes"], attr_md5(first["MessageAttributes"]))
    eq("attributes round trip", lambda: first["MessageAttributes"], attrs)
    sa = first.get("Attributes", {})
    eq("system attributes on a standard queue", lambda: set(sa), {"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"})
    eq("receive count", lambda: sa.get("ApproximateReceiveCount"), "1")
    check("SentTimestamp in epoch ms", lambda: abs(int(sa["SentTimestamp"]) / 1000 - t_send) < 60, lambda: repr(sa))
    check("ApproximateFirstReceiveTimestamp >= SentTimestamp", lambda: int(sa["ApproximateFirstReceiveTimestamp"]) >= int(sa["SentTimestamp"]), lambda: repr(sa))
    eq("counts: 3 in flight", lambda: counts(q), (0, 3, 0))
    eq("in flight invisible", lambda: receive(q), [])
    c.change_message_visibility(QueueUrl=q, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    cmb = c.change_message_visibility_batch(QueueUrl=q, Entries=[{"Id": "1", "ReceiptHandle": others[0]["ReceiptHandle"], "VisibilityTimeout": 30},
                                                                {"Id": "2", "ReceiptHandle": "garbage", "VisibilityTimeout": 30}])
    eq("change visibility batch: Successful", lambda: cmb.get("Successful"), [{"Id": "1"}])
    eq("change visibility batch: Failed", lambda: [(f["Id"], f["Code"], f["SenderFault"]) for f in cmb.get("Failed", [])], [("2", "ReceiptHandleIsInvalid", True)])
    again = receive(q, WaitTimeSeconds=1, AttributeNames=["ApproximateReceiveCount"])
    check("visibility 0 -> redelivered with new handle and count 2",
          lambda: again[0]["MessageId"] == first["MessageId"] and again[0]["ReceiptHandle"] != first["ReceiptHandle"]
          and again[0]["Attributes"]["ApproximateReceiveCount"] == "2", lambda: repr(again))
    dmb = c.delete_message_batch(QueueUrl=q, Entries=[{"Id": "1", "ReceiptHandle": others[0]["ReceiptHandle"]}, {"Id": "2", "ReceiptHandle": "garbage"}])
    eq("delete batch", lambda: (dmb.get("Successful"), [(f["Id"], f["Code"], f["SenderFault"]) for f in dmb.get("Failed", [])]),
       ([{"Id": "1"}], [("2", "ReceiptHandleIsInvalid", True)]))
    eq("delete batch failure message", lambda: dmb["Failed"][0]["Message"], 'The input receipt handle "garbage" is not a valid receipt handle.')
    expect_err("garbage handle", c.delete_message, "ReceiptHandleIsInvalid", 'The input receipt handle "garbage" is not a valid receipt handle.',
               QueueUrl=q, ReceiptHandle="garbage")
    c.delete_message(QueueUrl=q, ReceiptHandle=others[1]["ReceiptHandle"])
    check("delete twice is 200", lambda: c.delete_message(QueueUrl=q, ReceiptHandle=others[1]["ReceiptHandle"]) is not None)
    time.sleep(2.5)  # lease of `again` (2nd delivery, VisibilityTimeout 2) expires; maxReceiveCount 2 -> the 3rd attempt moves it
    eq("moved, not delivered", lambda: receive(q, WaitTimeSeconds=1), [])
    dl = receive(dlq, AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=2)
    check("dead-lettered: same id, body, attributes", lambda: dl[0]["MessageId"] == first["MessageId"] and dl[0]["Body"] == body
          and dl[0]["MessageAttributes"] == attrs, lambda: repr(dl))
    if dl:
        da = dl[0].get("Attributes", {})
        eq("DeadLetterQueueSourceArn", lambda: da.get("DeadLetterQueueSourceArn"), arn(p))
        eq("receive count continues in the DLQ", lambda: da.get("ApproximateReceiveCount"), "3")
        eq("SentTimestamp kept", lambda: da.get("SentTimestamp"), sa.get("SentTimestamp"))
        eq("ApproximateFirstReceiveTimestamp kept", lambda: da.get("ApproximateFirstReceiveTimestamp"), sa.get("ApproximateFirstReceiveTimestamp"))
        c.delete_message(QueueUrl=dlq, ReceiptHandle=dl[0]["ReceiptHandle"])
    check("old source handle is dead after the move (delete 200, no effect)", lambda: c.delete_message(QueueUrl=q, ReceiptHandle=again[0]["ReceiptHandle"]) is not None)
    eq("queue and DLQ empty", lambda: (counts(q), counts(dlq)), ((0, 0, 0), (0, 0, 0)))

    # §9.3, every row, standard queue
    rq = create(p + "-rh")
    other = create(p + "-rh-other")
    c.send_message(QueueUrl=other, MessageBody="o")
    foreign = receive(other)[0]["ReceiptHandle"]
    c.send_message(QueueUrl=rq, MessageBody="m1")
    h = receive(rq)[0]["ReceiptHandle"]
    tampered = h[:len(h) // 2] + ("A" if h[len(h) // 2] != "A" else "B") + h[len(h) // 2 + 1:]
    for label, bad in [("garbage", "garbage"), ("handle of another queue", foreign), ("tampered handle", tampered), ("truncated handle", h[:-4])]:
        expect_err(f"delete with {label}", c.delete_message, "ReceiptHandleIsInvalid", QueueUrl=rq, ReceiptHandle=bad)
        expect_err(f"change visibility with {label}", c.change_message_visibility, "ReceiptHandleIsInvalid", QueueUrl=rq, ReceiptHandle=bad, VisibilityTimeout=5)
    eq("message untouched by invalid handles", lambda: counts(rq), (0, 1, 0))
    check("current handle, live lease: extend", lambda: c.change_message_visibility(QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=60) is not None)
    expect_err("VisibilityTimeout 43201", c.change_message_visibility, "InvalidParameterValue",
               "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.",
               QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=43201)
    expect_err("VisibilityTimeout -1", c.change_message_visibility, "InvalidParameterValue", QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=-1)
    time.sleep(2.2)
    expect_err("12-hour cap counted from the delivery", c.change_message_visibility, "InvalidParameterValue",
               "Value 43199 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
               QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=43199)
    check("extension inside the 12-hour cap", lambda: c.change_message_visibility(QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=43000) is not None)
    eq("still in flight", lambda: counts(rq), (0, 1, 0))
    c.delete_message(QueueUrl=rq, ReceiptHandle=h)
    eq("current handle: deleted", lambda: counts(rq), (0, 0, 0))
    not_avail = "Value {h} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
    expect_err("change visibility of a deleted message", c.change_message_visibility, "InvalidParameterValue", not_avail.format(h=h),
               QueueUrl=rq, ReceiptHandle=h, VisibilityTimeout=5)
    check("delete of a deleted message: 200", lambda: c.delete_message(QueueUrl=rq, ReceiptHandle=h) is not None)
    # expired lease, nobody received since: delete succeeds
    c.send_message(QueueUrl=rq, MessageBody="m2")
    h2 = receive(rq, VisibilityTimeout=1)[0]["ReceiptHandle"]
    c.send_message(QueueUrl=rq, MessageBody="m3")
    h3 = receive(rq, VisibilityTimeout=1)[0]["ReceiptHandle"]
    time.sleep(1.6)
    c.delete_message(QueueUrl=rq, ReceiptHandle=h2)
    check("expired lease, not re-received: change visibility re-leases", lambda: c.change_message_visibility(QueueUrl=rq, ReceiptHandle=h3, VisibilityTimeout=30) is not None)
    eq("expired lease: delete removed m2, m3 leased again", lambda: counts(rq), (0, 1, 0))
    c.change_message_visibility(QueueUrl=rq, ReceiptHandle=h3, VisibilityTimeout=0)
    # superseded handle
    h4 = receive(rq, VisibilityTimeout=30)
    eq("m3 redelivered after visibility 0", lambda: [m["Body"] for m in h4], ["m3"])
    expect_err("superseded handle: change visibility", c.change_message_visibility, "InvalidParameterValue", not_avail.format(h=h3),
               QueueUrl=rq, ReceiptHandle=h3, VisibilityTimeout=5)
    check("superseded handle: delete is 200", lambda: c.delete_message(QueueUrl=rq, ReceiptHandle=h3) is not None)
    eq("superseded handle: delete had no effect", lambda: counts(rq), (0, 1, 0))
    c.delete_message(QueueUrl=rq, ReceiptHandle=h4[0]["ReceiptHandle"])
    eq("current handle after supersede: deleted", lambda: counts(rq), (0, 0, 0))
    expect_err("ReceiptHandle missing", c.delete_message, "MissingParameter", QueueUrl=rq, ReceiptHandle="")

    # visibility timeout from the receive vs the queue default
    c.send_message(QueueUrl=rq, MessageBody="vt")
    receive(rq, VisibilityTimeout=1)
    eq("receive VisibilityTimeout overrides the queue's 30 s", lambda: [m["Body"] for m in receive(rq, WaitTimeSeconds=5)], ["vt"])
    drain(rq)


# ------------------------------------------------------------------ 6: long polling (loose timing)
@section
def long_polling():
    lq = create(p + "-lp")
    c2 = attach_hooks(client())

    def later(delay, fn):
        t = threading.Timer(delay, fn)
        t.daemon = True
        t.start()
        return t

    t0 = time.monotonic()
    eq("long poll waits the full time when nothing comes", lambda: receive(lq, WaitTimeSeconds=2), [])
    check("… about 2 s", lambda: 1.8 <= time.monotonic() - t0 < 6, lambda: f"took {time.monotonic() - t0:.2f}s")

    t = later(1.0, lambda: c2.send_message(QueueUrl=lq, MessageBody="wake"))
    t0 = time.monotonic()
    got = receive(lq, WaitTimeSeconds=15)
    el = time.monotonic() - t0
    t.join(10)
    check("long poll wakes on send", lambda: [m["Body"] for m in got] == ["wake"] and 0.5 <= el < 8, lambda: f"{got!r} after {el:.2f}s")
    if got:
        c.delete_message(QueueUrl=lq, ReceiptHandle=got[0]["ReceiptHandle"])

    c.send_message(QueueUrl=lq, MessageBody="delayed", DelaySeconds=2)
    eq("delayed message counted as delayed", lambda: counts(lq), (0, 0, 1))
    eq("delayed message not receivable yet", lambda: receive(lq), [])
    t0 = time.monotonic()
    got = receive(lq, WaitTimeSeconds=15)
    el = time.monotonic() - t0
    check("long poll wakes on delay end", lambda: [m["Body"] for m in got] == ["delayed"] and 1.0 <= el < 8, lambda: f"{got!r} after {el:.2f}s")

    if got:
        t0 = time.monotonic()
        c.change_message_visibility(QueueUrl=lq, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=2)
        again = receive(lq, WaitTimeSeconds=15)
        el = time.monotonic() - t0
        check("long poll wakes on lease expiry", lambda: [m["Body"] for m in again] == ["delayed"] and 1.0 <= el < 8,
              lambda: f"{again!r} after {el:.2f}s")
        if again:
            h = again[0]["ReceiptHandle"]
            t = later(1.0, lambda: c2.change_message_visibility(QueueUrl=lq, ReceiptHandle=h, VisibilityTimeout=0))
            t0 = time.monotonic()
            third = receive(lq, WaitTimeSeconds=15)
            el = time.monotonic() - t0
            t.join(10)
            check("long poll wakes on visibility set to 0", lambda: [m["Body"] for m in third] == ["delayed"] and 0.5 <= el < 8,
                  lambda: f"{third!r} after {el:.2f}s")
    drain(lq)

    c.set_queue_attributes(QueueUrl=lq, Attributes={"ReceiveMessageWaitTimeSeconds": "2"})
    t0 = time.monotonic()
    eq("queue ReceiveMessageWaitTimeSeconds used when the receive gives none", lambda: receive(lq), [])
    check("… waited about 2 s", lambda: 1.8 <= time.monotonic() - t0 < 6, lambda: f"took {time.monotonic() - t0:.2f}s")
    t0 = time.monotonic()
    eq("WaitTimeSeconds 0 overrides the queue's", lambda: receive(lq, WaitTimeSeconds=0), [])
    check("… answered at once", lambda: time.monotonic() - t0 < 1.5, lambda: f"took {time.monotonic() - t0:.2f}s")

    # two parked receivers, two sends: each message goes to exactly one of them
    res = []

    def parked():
        res.append(attach_hooks(client()).receive_message(QueueUrl=lq, WaitTimeSeconds=10).get("Messages", []))
    ths = [threading.Thread(target=parked, daemon=True) for _ in range(2)]
    for th in ths:
        th.start()
    time.sleep(0.5)
    c.send_message_batch(QueueUrl=lq, Entries=[{"Id": "1", "MessageBody": "p1"}, {"Id": "2", "MessageBody": "p2"}])
    for th in ths:
        th.join(15)
    bodies = sorted(m["Body"] for r in res for m in r)
    check("parked receivers: no message given twice", lambda: len(bodies) == len(set(bodies)) and set(bodies) <= {"p1", "p2"} and bodies,
          lambda: repr(res))
    drain(lq)
    # a receive parked on a queue that gets deleted answers empty
    box = []
    th = threading.Thread(target=lambda: box.append(attach_hooks(client()).receive_message(QueueUrl=lq, WaitTimeSeconds=10)), daemon=True)
    t0 = time.monotonic()
    th.start()
    time.sleep(0.5)
    c.delete_queue(QueueUrl=lq)
    CREATED.remove(lq)
    th.join(15)
    check("queue deleted while a receive is parked: empty answer", lambda: box and "Messages" not in box[0], lambda: repr(box))


# ------------------------------------------------------------------ 8: FIFO
@section
def fifo():
    f = create(p + ".fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    fa = qattrs(f)
    eq("All on a FIFO queue adds the FIFO names", lambda: {k: fa.get(k) for k in ("ContentBasedDeduplication", "DeduplicationScope", "FifoQueue", "FifoThroughputLimit")},
       {"ContentBasedDeduplication": "true", "DeduplicationScope": "queue", "FifoQueue": "true", "FifoThroughputLimit": "perQueue"})
    expect_err("FifoQueue=false on a FIFO queue", c.set_queue_attributes, "InvalidAttributeValue",
               "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.", QueueUrl=f, Attributes={"FifoQueue": "false"})
    s1 = c.send_message(QueueUrl=f, MessageBody="a", MessageGroupId="g")
    check("SequenceNumber: decimal, no leading zeros", lambda: re.match(r"^[1-9][0-9]{0,38}$", s1.get("SequenceNumber", "")), lambda: repr(s1))
    d1 = c.send_message(QueueUrl=f, MessageBody="a", MessageGroupId="g")
    eq("content dedup returns original id and sequence number", lambda: (d1["MessageId"], d1.get("SequenceNumber")), (s1["MessageId"], s1.get("SequenceNumber")))
    s2 = c.send_message(QueueUrl=f, MessageBody="b", MessageGroupId="g")
    check("sequence numbers increase", lambda: int(s2["SequenceNumber"]) > int(s1["SequenceNumber"]), lambda: f"{s1} {s2}")
    expect_err("group id required", c.send_message, "MissingParameter", "The request must contain the parameter MessageGroupId.", QueueUrl=f, MessageBody="c")
    bb = c.send_message_batch(QueueUrl=f, Entries=[{"Id": "nog", "MessageBody": "c"}, {"Id": "ok", "MessageBody": "c2", "MessageGroupId": "h"}])
    eq("batch: missing group id fails only that entry", lambda: ([e["Id"] for e in bb.get("Successful", [])], [(e["Id"], e["Code"]) for e in bb.get("Failed", [])]),
       (["ok"], [("nog", "InvalidParameterValue")]))
    expect_err("per-message DelaySeconds on FIFO", c.send_message, "InvalidParameterValue",
               "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.",
               QueueUrl=f, MessageBody="d", MessageGroupId="g", DelaySeconds=5)
    check("DelaySeconds 0 allowed on FIFO", lambda: c.send_message(QueueUrl=f, MessageBody="zero-delay", MessageGroupId="z", DelaySeconds=0) is not None)
    for gid, label in [("a b", "space"), ("é", "non-ASCII"), ("g" * 129, "129 chars")]:
        expect_err(f"MessageGroupId with {label}", c.send_message, "InvalidParameterValue", QueueUrl=f, MessageBody="x", MessageGroupId=gid)
        expect_err(f"MessageDeduplicationId with {label}", c.send_message, "InvalidParameterValue", QueueUrl=f, MessageBody="x",
                   MessageGroupId="g", MessageDeduplicationId=gid)
    check("group id of 128 punctuation/alnum chars accepted", lambda: c.send_message(
        QueueUrl=f, MessageBody="punct", MessageGroupId=("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "A1" * 64)[:128]) is not None)
    got = receive(f, AttributeNames=["All"])
    check("FIFO order + sequence number attribute", lambda: got[0]["Body"] == "a" and got[0]["Attributes"]["SequenceNumber"] == s1["SequenceNumber"], lambda: repr(got))
    if got:
        ga = got[0]["Attributes"]
        eq("FIFO system attributes", lambda: (ga.get("MessageGroupId"), ga.get("MessageDeduplicationId")), ("g", hashlib.sha256(b"a").hexdigest()))
    nxt = receive(f, MaxNumberOfMessages=10)
    check("group g blocked while a is in flight", lambda: "b" not in [m["Body"] for m in nxt], lambda: repr(nxt))
    c.delete_message(QueueUrl=f, ReceiptHandle=got[0]["ReceiptHandle"])
    for m in nxt:
        c.delete_message(QueueUrl=f, ReceiptHandle=m["ReceiptHandle"])
    eq("group unblocked", lambda: [m["Body"] for m in drain(f)], ["b"])
    eq("dedup after delete: original id, nothing stored", lambda: (c.send_message(QueueUrl=f, MessageBody="a", MessageGroupId="g")["MessageId"], counts(f)),
       (s1["MessageId"], (0, 0, 0)))
    c.purge_queue(QueueUrl=f)
    eq("dedup survives purge", lambda: c.send_message(QueueUrl=f, MessageBody="b", MessageGroupId="g")["MessageId"], s2["MessageId"])

    # several groups, ordering, blocking (explicit dedup ids)
    f2 = create(p + "-ord.fifo", Attributes={"FifoQueue": "true"})
    expect_err("no dedup id and content dedup off", c.send_message, "InvalidParameterValue",
               "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
               QueueUrl=f2, MessageBody="x", MessageGroupId="A")
    seqs = []
    for grp, n in (("A", 3), ("B", 2)):
        for i in range(n):
            seqs.append(int(c.send_message(QueueUrl=f2, MessageBody=f"{grp}{i}", MessageGroupId=grp, MessageDeduplicationId=f"{grp}-{i}")["SequenceNumber"]))
    check("sequence numbers strictly increasing across sends", lambda: seqs == sorted(set(seqs)), lambda: repr(seqs))
    dup = c.send_message(QueueUrl=f2, MessageBody="different body", MessageGroupId="A", MessageDeduplicationId="A-0")
    eq("dedup by id (body ignored)", lambda: counts(f2)[0], 5)
    r1 = receive(f2)
    eq("first receive: head of the oldest group", lambda: [m["Body"] for m in r1], ["A0"])
    r2 = receive(f2)
    eq("second receive: group A blocked, B served", lambda: [m["Body"] for m in r2], ["B0"])
    eq("both groups blocked", lambda: receive(f2, MaxNumberOfMessages=10), [])
    c.delete_message(QueueUrl=f2, ReceiptHandle=r1[0]["ReceiptHandle"])
    r3 = receive(f2, MaxNumberOfMessages=10)
    eq("A unblocked: rest of A in order, B still blocked", lambda: [m["Body"] for m in r3], ["A1", "A2"])
    c.change_message_visibility(QueueUrl=f2, ReceiptHandle=r3[0]["ReceiptHandle"], VisibilityTimeout=0)
    eq("A1 visible but A2 in flight: group stays blocked", lambda: receive(f2, MaxNumberOfMessages=10), [])
    c.change_message_visibility(QueueUrl=f2, ReceiptHandle=r3[1]["ReceiptHandle"], VisibilityTimeout=0)
    eq("group unblocks only when none in flight; restarts at lowest", lambda: [m["Body"] for m in receive(f2, MaxNumberOfMessages=10, VisibilityTimeout=0)], ["A1", "A2"])
    c.delete_message(QueueUrl=f2, ReceiptHandle=r2[0]["ReceiptHandle"])
    eq("one receive takes consecutive messages per group", lambda: [m["Body"] for m in drain(f2)], ["A1", "A2", "B1"])
    check("dedup returned the original id", lambda: dup["MessageId"] != "" and dup.get("SequenceNumber") == str(seqs[0]), lambda: repr(dup))

    # DeduplicationScope=messageGroup
    f3 = create(p + "-scope.fifo", Attributes={"FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
    x1 = c.send_message(QueueUrl=f3, MessageBody="x", MessageGroupId="g1", MessageDeduplicationId="same")
    x2 = c.send_message(QueueUrl=f3, MessageBody="x", MessageGroupId="g2", MessageDeduplicationId="same")
    x3 = c.send_message(QueueUrl=f3, MessageBody="x", MessageGroupId="g1", MessageDeduplicationId="same")
    check("messageGroup scope: same id in two groups = two messages, same group = dedup",
          lambda: x1["MessageId"] != x2["MessageId"] and x3["MessageId"] == x1["MessageId"] and counts(f3)[0] == 2, lambda: f"{x1} {x2} {x3} {counts(f3)}")

    # ReceiveRequestAttemptId
    f4 = create(p + "-att.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for b in ("r1", "r2"):
        c.send_message(QueueUrl=f4, MessageBody=b, MessageGroupId="R")
    a1 = receive(f4, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1")
    a2 = receive(f4, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1")
    eq("ReceiveRequestAttemptId repeats: same messages, same handles", lambda: [(m["MessageId"], m["ReceiptHandle"]) for m in a2],
       [(m["MessageId"], m["ReceiptHandle"]) for m in a1])
    eq("… and returned both messages of the group", lambda: [m["Body"] for m in a1], ["r1", "r2"])
    eq("a different attempt id is a normal receive (group blocked)", lambda: receive(f4, ReceiveRequestAttemptId="attempt-2"), [])
    expect_err("ReceiveRequestAttemptId with a space", c.receive_message, "InvalidParameterValue", QueueUrl=f4, ReceiveRequestAttemptId="a b")

    # FIFO receipt handle rules (§9.3)
    f5 = create(p + "-rh.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    c.send_message(QueueUrl=f5, MessageBody="e1", MessageGroupId="G")
    h1 = receive(f5, VisibilityTimeout=1)[0]["ReceiptHandle"]
    time.sleep(1.5)
    expired = "Value {h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    expect_err("FIFO expired handle: delete", c.delete_message, "InvalidParameterValue", expired.format(h=h1), QueueUrl=f5, ReceiptHandle=h1)
    expect_err("FIFO expired handle: change visibility", c.change_message_visibility, "InvalidParameterValue", QueueUrl=f5, ReceiptHandle=h1, VisibilityTimeout=5)
    eq("FIFO expired handle: nothing deleted", lambda: counts(f5), (1, 0, 0))
    hs = receive(f5, VisibilityTimeout=2)
    h2 = hs[0]["ReceiptHandle"] if hs else ""
    expect_err("FIFO superseded handle: delete", c.delete_message, "InvalidParameterValue", QueueUrl=f5, ReceiptHandle=h1)
    c.change_message_visibility(QueueUrl=f5, ReceiptHandle=h2, VisibilityTimeout=30)
    time.sleep(2.3)
    check("FIFO lease extended: delete inside the extension", lambda: c.delete_message(QueueUrl=f5, ReceiptHandle=h2) is not None)
    eq("FIFO: deleted", lambda: counts(f5), (0, 0, 0))

    # FIFO DLQ
    fd = create(p + "-fdlq.fifo", Attributes={"FifoQueue": "true"})
    fs = create(p + "-fsrc.fifo", Attributes={"FifoQueue": "true", "VisibilityTimeout": "1", "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn(p + "-fdlq.fifo"), "maxReceiveCount": 1})})
    expect_err("FIFO source with a standard DLQ", c.set_queue_attributes, "InvalidParameterValue", QueueUrl=fs,
               Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})
    o1 = c.send_message(QueueUrl=fs, MessageBody="dl1", MessageGroupId="Q", MessageDeduplicationId="dd1")
    c.send_message(QueueUrl=fs, MessageBody="dl2", MessageGroupId="Q", MessageDeduplicationId="dd2")
    eq("FIFO DLQ: first delivery", lambda: [m["Body"] for m in receive(fs)], ["dl1"])
    time.sleep(1.5)
    nx = receive(fs, WaitTimeSeconds=2)
    eq("FIFO DLQ: dl1 moved at the second attempt, group continues with dl2", lambda: [m["Body"] for m in nx], ["dl2"])
    dm = receive(fd, AttributeNames=["All"], WaitTimeSeconds=2)
    check("FIFO DLQ: message keeps id, group and dedup id, gains source ARN",
          lambda: dm[0]["MessageId"] == o1["MessageId"] and dm[0]["Attributes"]["MessageGroupId"] == "Q"
          and dm[0]["Attributes"]["MessageDeduplicationId"] == "dd1" and dm[0]["Attributes"]["DeadLetterQueueSourceArn"] == arn(p + "-fsrc.fifo")
          and dm[0]["Attributes"]["ApproximateReceiveCount"] == "2" and "SequenceNumber" in dm[0]["Attributes"], lambda: repr(dm))


# ------------------------------------------------------------------ 7: message move tasks
def raw_query(params):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(E + "/", data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


INT_FIELDS = ("ApproximateNumberOfMessagesMoved", "ApproximateNumberOfMessagesToMove", "StartedTimestamp", "MaxNumberOfMessagesPerSecond")


def move_api(op, **params):
    """(result dict, None) or (None, Err-like) through boto3 (JSON run) or raw Query."""
    if JSON:
        fn = getattr(c, re.sub(r"(?<!^)([A-Z])", r"_\1", op).lower())
        try:
            r = fn(**params)
            r.pop("ResponseMetadata", None)
            return r, None
        except botocore.exceptions.ClientError as e:
            return None, Err(e)
    qp = {"Action": op, "Version": "2012-11-05"}
    qp.update({k: str(v) for k, v in params.items()})
    status, body = raw_query(qp)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise AssertionError(f"{op}: unparsable XML ({e}): {body[:300]!r}")
    if status >= 400:
        e = Err()
        e.status = status
        e.code = root.findtext(f"{NS}Error/{NS}Code")
        e.message = root.findtext(f"{NS}Error/{NS}Message")
        e.type = root.findtext(f"{NS}Error/{NS}Type")
        return None, e
    res = root.find(f"{NS}{op}Result")
    if res is None:
        raise AssertionError(f"{op}: no {op}Result element in {body[:300]!r}")
    if op == "ListMessageMoveTasks":
        out = []
        for ent in res.findall(f"{NS}ListMessageMoveTasksResultEntry"):
            d = {ch.tag[len(NS):]: ch.text for ch in ent}
            out.append({k: (int(v) if k in INT_FIELDS else v) for k, v in d.items()})
        return {"Results": out}, None
    d = {ch.tag[len(NS):]: ch.text for ch in res}
    return {k: (int(v) if k in INT_FIELDS else v) for k, v in d.items()}, None


def expect_move_err(label, op, code, message=None, **params):
    r, e = move_api(op, **params)
    if e is None:
        fail(label, f"expected {code}, got success {r!r}")
        return
    jtype, status = ERRORS[code]
    probs = []
    if e.code != code:
        probs.append(f"code {e.code!r} != {code!r}")
    if e.status != status:
        probs.append(f"status {e.status} != {status}")
    if JSON and e.headers.get("x-amzn-query-error") != f"{code};Sender":
        probs.append(f"x-amzn-query-error {e.headers.get('x-amzn-query-error')!r}")
    if message is not None and e.message != message:
        probs.append(f"message {e.message!r} != {message!r}")
    if probs:
        fail(label, "; ".join(probs))
    else:
        PASSED[0] += 1


@section
def move_tasks():
    how = "boto3" if JSON else "raw Query requests"
    if JSON and not hasattr(c, "start_message_move_task"):
        fail("move tasks", "this JSON botocore has no start_message_move_task")
        return
    print(f"move tasks through {how}", flush=True)
    md = create(p + "-mdlq")
    md_arn = arn(p + "-mdlq")
    ms = create(p + "-msrc", Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps({"deadLetterTargetArn": md_arn, "maxReceiveCount": 1})})
    mdest = create(p + "-mdest")

    def dead_letter_all(n):
        for _ in range(20):
            if not receive(ms, MaxNumberOfMessages=10):
                break
        time.sleep(1.2)
        receive(ms, MaxNumberOfMessages=10)
        return wait_until(lambda: counts(md)[0] == n, 5)

    c.send_message_batch(QueueUrl=ms, Entries=[{"Id": str(i), "MessageBody": f"mv{i}", "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i)}}}
                                              for i in range(3)])
    check("3 messages dead-lettered", lambda: dead_letter_all(3), lambda: f"DLQ counts {counts(md)}, source {counts(ms)}")
    t_start = time.time()
    r, e = move_api("StartMessageMoveTask", SourceArn=md_arn)
    check("start move task (to origin)", lambda: e is None and r.get("TaskHandle"), lambda: f"{r!r} {e!r}")
    th = (r or {}).get("TaskHandle", "")
    try:
        dec = json.loads(base64.b64decode(th + "=" * (-len(th) % 4)))
    except Exception:  # noqa: BLE001
        dec = None
    check("TaskHandle is base64 of {taskId, sourceArn}", lambda: dec["sourceArn"] == md_arn and UUID_RE.match(dec["taskId"]), lambda: f"{th!r} -> {dec!r}")

    def task(**kw):
        rr, ee = move_api("ListMessageMoveTasks", SourceArn=md_arn, **kw)
        return (rr or {}).get("Results", [None])[0] if ee is None else None
    done = wait_until(lambda: (task() or {}).get("Status") == "COMPLETED", 10)
    t = task(MaxResults=10) or {}
    check("move task completed", lambda: done, lambda: repr(t))
    eq("completed entry fields", lambda: {k: t.get(k) for k in ("Status", "SourceArn", "ApproximateNumberOfMessagesMoved", "ApproximateNumberOfMessagesToMove")},
       {"Status": "COMPLETED", "SourceArn": md_arn, "ApproximateNumberOfMessagesMoved": 3, "ApproximateNumberOfMessagesToMove": 3})
    check("completed entry has no TaskHandle, DestinationArn, rate or FailureReason",
          lambda: not {"TaskHandle", "DestinationArn", "MaxNumberOfMessagesPerSecond", "FailureReason"} & set(t), lambda: repr(t))
    check("StartedTimestamp in epoch ms", lambda: abs(t["StartedTimestamp"] / 1000 - t_start) < 30, lambda: repr(t))
    back = receive(ms, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=1)
    eq("back in the origin queue", lambda: sorted(m["Body"] for m in back), ["mv0", "mv1", "mv2"])
    check("receive count reset, no DeadLetterQueueSourceArn, attributes kept",
          lambda: all(m["Attributes"]["ApproximateReceiveCount"] == "1" and "DeadLetterQueueSourceArn" not in m["Attributes"]
                      and m["MessageAttributes"]["i"]["StringValue"] == m["Body"][2:] for m in back), lambda: repr(back))
    expect_move_err("cancel a finished task", "CancelMessageMoveTask", "ResourceNotFoundException", "Task does not exist.", TaskHandle=th)

    # with DestinationArn, rate-limited so that it can be cancelled while RUNNING
    check("dead-lettered again", lambda: dead_letter_all(3), lambda: f"DLQ counts {counts(md)}")
    r, e = move_api("StartMessageMoveTask", SourceArn=md_arn, DestinationArn=arn(p + "-mdest"), MaxNumberOfMessagesPerSecond=1)
    check("start move task with DestinationArn and rate 1/s", lambda: e is None and r.get("TaskHandle"), lambda: f"{r!r} {e!r}")
    th2 = (r or {}).get("TaskHandle", "")
    t = task() or {}
    check("running entry: TaskHandle, DestinationArn, rate", lambda: t.get("Status") == "RUNNING" and t.get("TaskHandle") == th2
          and t.get("DestinationArn") == arn(p + "-mdest") and t.get("MaxNumberOfMessagesPerSecond") == 1
          and t.get("ApproximateNumberOfMessagesToMove") == 3, lambda: repr(t))
    expect_move_err("second task while one runs", "StartMessageMoveTask", "InvalidParameterValue",
                    "There is already a task running. Only one active task is allowed for a source queue arn at a given time.", SourceArn=md_arn)
    eq("default MaxResults is 1", lambda: len(move_api("ListMessageMoveTasks", SourceArn=md_arn)[0]["Results"]), 1)
    eq("MaxResults 10 lists both, newest first", lambda: [x["Status"] for x in move_api("ListMessageMoveTasks", SourceArn=md_arn, MaxResults=10)[0]["Results"]][1:],
       ["COMPLETED"])
    r, e = move_api("CancelMessageMoveTask", TaskHandle=th2)
    check("cancel a running task returns ApproximateNumberOfMessagesMoved", lambda: e is None and isinstance(r.get("ApproximateNumberOfMessagesMoved"), int),
          lambda: f"{r!r} {e!r}")
    cancelled = wait_until(lambda: (task() or {}).get("Status") == "CANCELLED", 8)
    t = task() or {}
    check("task ends CANCELLED", lambda: cancelled and t.get("ApproximateNumberOfMessagesMoved", 99) < 3, lambda: repr(t))
    moved = t.get("ApproximateNumberOfMessagesMoved", 0)
    eq("cancelled task: moved ones in destination, rest still in DLQ", lambda: (counts(mdest)[0], counts(md)[0]), (moved, 3 - moved))
    r, e = move_api("StartMessageMoveTask", SourceArn=md_arn, DestinationArn=arn(p + "-mdest"))
    wait_until(lambda: (task() or {}).get("Status") == "COMPLETED", 10)
    eq("with DestinationArn: all in destination", lambda: (counts(mdest)[0], counts(md)[0], counts(ms)[0]), (3, 0, 0))
    arrived = receive(mdest, MaxNumberOfMessages=10, AttributeNames=["All"])
    check("destination messages: receive count reset", lambda: all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in arrived) and len(arrived) == 3,
          lambda: repr(arrived))

    # errors
    expect_move_err("source missing", "StartMessageMoveTask", "ResourceNotFoundException",
                    "The resource that you specified for the SourceArn parameter doesn't exist.", SourceArn=arn(p + "-nope"))
    expect_move_err("source not a DLQ", "StartMessageMoveTask", "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.",
                    SourceArn=arn(p + "-mdest"))
    expect_move_err("destination missing", "StartMessageMoveTask", "ResourceNotFoundException",
                    "The resource that you specified for the DestinationArn parameter doesn't exist.", SourceArn=md_arn, DestinationArn=arn(p + "-nope"))
    expect_move_err("rate 0", "StartMessageMoveTask", "InvalidParameterValue", SourceArn=md_arn, MaxNumberOfMessagesPerSecond=0)
    expect_move_err("rate 501", "StartMessageMoveTask", "InvalidParameterValue", SourceArn=md_arn, MaxNumberOfMessagesPerSecond=501)
    expect_move_err("malformed SourceArn", "StartMessageMoveTask", "InvalidParameterValue",
                    "You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>", SourceArn="nope")
    expect_move_err("list: unknown source", "ListMessageMoveTasks", "ResourceNotFoundException", SourceArn=arn(p + "-nope"))
    expect_move_err("list: malformed ARN", "ListMessageMoveTasks", "InvalidParameterValue", SourceArn="arn:aws:sqs")
    expect_move_err("list: MaxResults 11", "ListMessageMoveTasks", "InvalidParameterValue", SourceArn=md_arn, MaxResults=11)
    expect_move_err("cancel: undecodable handle", "CancelMessageMoveTask", "InvalidParameterValue", "Value for parameter TaskHandle is invalid.", TaskHandle="!!not base64!!")
    fake = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": md_arn}).encode()).decode()
    expect_move_err("cancel: unknown task id", "CancelMessageMoveTask", "ResourceNotFoundException", "Task does not exist.", TaskHandle=fake)
    fake2 = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": arn(p + "-nope")}).encode()).decode()
    expect_move_err("cancel: source missing", "CancelMessageMoveTask", "ResourceNotFoundException", TaskHandle=fake2)


# ------------------------------------------------------------------ permissions (optional), purge, delete
@section
def permissions_purge_delete():
    try:
        c.add_permission(QueueUrl=q, Label="p1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        pol = json.loads(qattrs(q, "Policy").get("Policy", "{}"))
        check("AddPermission writes a Policy statement", lambda: [s["Sid"] for s in pol.get("Statement", [])] == ["p1"], lambda: repr(pol))
        expect_err("AddPermission existing label", c.add_permission, "InvalidParameterValue",
                   "Value p1 for parameter Label is invalid. Reason: Already exists.", QueueUrl=q, Label="p1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        c.remove_permission(QueueUrl=q, Label="p1")
        eq("RemovePermission of the last statement removes Policy", lambda: "Policy" in qattrs(q), False)
        expect_err("RemovePermission unknown label", c.remove_permission, "InvalidParameterValue",
                   "Value p1 for parameter Label is invalid. Reason: can't find label.", QueueUrl=q, Label="p1")
    except botocore.exceptions.ClientError as e:
        ee = Err(e)
        check("permissions unsupported -> UnsupportedOperation 400", lambda: (ee.code, ee.status) == ("AWS.SimpleQueueService.UnsupportedOperation", 400), lambda: repr(ee))
    pq = create(p + "-purge", Attributes={"VisibilityTimeout": "60"})
    c.send_message_batch(QueueUrl=pq, Entries=[{"Id": "v", "MessageBody": "visible"}, {"Id": "d", "MessageBody": "delayed", "DelaySeconds": 60},
                                               {"Id": "f", "MessageBody": "inflight"}])
    fl = receive(pq, MaxNumberOfMessages=10)
    c.send_message(QueueUrl=pq, MessageBody="visible2")
    eq("before purge", lambda: counts(pq), (1, 2, 1))
    c.purge_queue(QueueUrl=pq)
    eq("purge removes visible, delayed and in-flight messages", lambda: counts(pq), (0, 0, 0))
    expect_err("handle of a purged message: change visibility", c.change_message_visibility, "InvalidParameterValue", QueueUrl=pq,
               ReceiptHandle=fl[0]["ReceiptHandle"], VisibilityTimeout=0)
    check("purge twice within 60 s is allowed by default", lambda: c.purge_queue(QueueUrl=pq) is not None)
    expect_err("purge a missing queue", c.purge_queue, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=f"{E}/{ACCOUNT}/{p}-nope")
    for u in list(CREATED):
        c.delete_queue(QueueUrl=u)
        CREATED.remove(u)
    expect_err("deleted", c.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue", QueueName=p)
    eq("list after delete", lambda: c.list_queues(QueueNamePrefix=p).get("QueueUrls", []), [])
    expect_err("delete a deleted queue", c.delete_queue, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=q)
    q_again = c.create_queue(QueueName=p)["QueueUrl"]
    eq("re-create at once after delete, empty", lambda: (q_again, counts(q_again)), (q, (0, 0, 0)))
    c.delete_queue(QueueUrl=q_again)


if __name__ == "__main__":
    t_all = time.monotonic()
    for fn in SECTIONS:
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - a section that crashes is one failure; the rest still run
            import traceback
            fail(f"section {fn.__name__}", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")
        print(f"-- {fn.__name__}: {time.monotonic() - t0:.1f}s", flush=True)
    for u in CREATED:  # best-effort cleanup
        try:
            c.delete_queue(QueueUrl=u)
        except Exception:  # noqa: BLE001
            pass
    if HEADER_PROBLEMS:
        uniq = sorted(set(HEADER_PROBLEMS))
        fail("response headers (x-amzn-RequestId, Date, Content-Type, x-amzn-query-error)", f"{len(HEADER_PROBLEMS)} problems: " + " | ".join(uniq[:15]))
    print(f"{PROTO}: {PASSED[0]} passed, {len(FAILED)} failed ({time.monotonic() - t_all:.0f}s)")
    if FAILED:
        print("failed checks:\n  " + "\n  ".join(FAILED))
    sys.exit(1 if FAILED else 0)
