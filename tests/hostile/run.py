#!/usr/bin/env python3
"""T4 hostile input (reliability.md §5.1, §5.2): every row sent as raw bytes over a
socket to $ENDPOINT, status and error code checked for the Query and the JSON
protocol where the row applies to both; afterwards the guard queues must hold exactly
what they held before (same ids, bodies, attributes, nothing in flight) and the
server must still answer.

Where reliability.md §5 and sqs-api.md disagree on a wire detail, sqs-api.md wins
(ARCHITECTURE.md "Decided"); those rows say so in their label.

    ENDPOINT=http://127.0.0.1:PORT python3 run.py [--slow]

--slow adds the full slowloris row (header deadline of 10 s); the default run only
checks, for 3 s, that slow clients do not hold up others.
"""
import base64
import json
import os
import re
import socket
import sys
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

E = os.environ.get("ENDPOINT", "http://127.0.0.1:9324").rstrip("/")
for i, a in enumerate(sys.argv):
    if a == "--endpoint" and i + 1 < len(sys.argv):
        E = sys.argv[i + 1].rstrip("/")
SLOW = "--slow" in sys.argv
_u = urllib.parse.urlsplit(E)
HOST, PORT = _u.hostname, _u.port
assert HOST == "127.0.0.1", "hostile tests only run against loopback"
HOSTHDR = f"{HOST}:{PORT}"
ACCOUNT = "000000000000"
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
P = "h" + uuid.uuid4().hex[:8]
FAILED, PASSED = [], [0]


def fail(label, detail):
    FAILED.append(label)
    print(f"FAIL {label}: {detail}", flush=True)


def ok():
    PASSED[0] += 1


# ------------------------------------------------------------------ raw HTTP
class Resp:
    def __init__(self):
        self.status, self.headers, self.body, self.closed, self.error = None, {}, b"", False, None

    def h(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    def __repr__(self):
        return f"<{self.status} {dict((k, v[0]) for k, v in self.headers.items() if k in ('content-type', 'x-amzn-query-error', 'connection'))} {self.body[:300]!r}{' closed' if self.closed else ''}{' ' + self.error if self.error else ''}>"


def _read_response(s, deadline):
    buf = b""
    r = Resp()

    def more():
        nonlocal buf
        s.settimeout(max(0.05, deadline - time.monotonic()))
        d = s.recv(65536)
        if not d:
            raise EOFError
        buf += d

    try:
        while b"\r\n\r\n" not in buf:
            more()
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
        r.status = int(m.group(1)) if m else -1
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            r.headers.setdefault(k.strip().lower(), []).append(v.strip())
        if r.status in (204, 304) or 100 <= r.status < 200:
            r.body = b""
        elif r.h("transfer-encoding") and "chunked" in r.h("transfer-encoding").lower():
            body = b""
            while True:
                while b"\r\n" not in buf:
                    more()
                size_line, _, buf = buf.partition(b"\r\n")
                n = int(size_line.split(b";")[0], 16)
                while len(buf) < n + 2:
                    more()
                body += buf[:n]
                buf = buf[n + 2:]
                if n == 0:
                    break
            r.body = body
        elif r.h("content-length") is not None:
            n = int(r.h("content-length"))
            while len(buf) < n:
                more()
            r.body = buf[:n]
        else:
            try:
                while True:
                    more()
            except EOFError:
                pass
            r.body = buf
    except EOFError:
        r.closed = True
        if r.status is None:
            r.error = "connection closed without a response"
    except (socket.timeout, TimeoutError):
        r.error = "timeout"
    except OSError as e:
        r.closed = True
        r.error = f"{type(e).__name__}: {e}"
    return r


def _closed_soon(s, within=2.0):
    """True if the peer closes (EOF/reset) within `within` seconds."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            d = s.recv(65536)
            if not d:
                return True
    except (socket.timeout, TimeoutError):
        return False
    except OSError:
        return True
    return False


def send_raw(data, timeout=10.0, check_close=False):
    r = Resp()
    try:
        s = socket.create_connection((HOST, PORT), timeout=5)
    except OSError as e:
        r.error = f"connect: {e}"
        return r
    try:
        try:
            s.sendall(data)
        except OSError as e:  # the server may close while we still write; read what it said
            r.error = f"send: {e}"
        r2 = _read_response(s, time.monotonic() + timeout)
        r2.error = r2.error or r.error
        r = r2
        if check_close and not r.closed:
            r.closed = _closed_soon(s)
    finally:
        s.close()
    return r


def http(method, path, headers, body=b"", **kw):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1"]
    names = {k.lower() for k, _ in headers}
    if "host" not in names:
        lines.append(f"Host: {HOSTHDR}")
    lines += [f"{k}: {v}" for k, v in headers]
    if "content-length" not in names and "transfer-encoding" not in names and (body or method == "POST"):
        lines.append(f"Content-Length: {len(body)}")
    return send_raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body, **kw)


def query(params, path="/", raw=None, headers=(), **kw):
    body = raw if raw is not None else urllib.parse.urlencode(params)
    return http("POST", path, [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")] + list(headers), body, **kw)


def jreq(op, body, headers=(), **kw):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return http("POST", "/", [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", f"AmazonSQS.{op}"),
                              ("x-amzn-query-mode", "true")] + list(headers), body, **kw)


def qcode(r):
    try:
        return ET.fromstring(r.body).findtext(f"{NS}Error/{NS}Code")
    except ET.ParseError:
        return None


def jtype(r):
    try:
        return json.loads(r.body).get("__type", "").split("#")[-1].split(":")[0]
    except (ValueError, AttributeError):
        return None


# Query code -> (JSON __type fragment, status); sqs-api.md §5.2
ERR = {
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
    "InvalidAddress": ("InvalidAddress", 404),
}


def expect_q(label, r, code, status=None):
    status = status or ERR.get(code, (None, 400))[1]
    got = qcode(r)
    if r.status == status and got == code and (r.h("content-type") or "").startswith("text/xml"):
        ok()
    else:
        why = ""
        if got is None and r.body:
            try:
                ET.fromstring(r.body)
            except ET.ParseError as e:
                why = f" — the response is not well-formed XML ({e})"
        fail(f"[query] {label}", f"expected {status} {code} (text/xml), got {r!r} code={got!r}{why}")


def expect_j(label, r, code, status=None, header=True):
    """code: the Query code for modelled SQS errors (checked in x-amzn-query-error, and
    its JSON fragment in __type), or a bare JSON type with header=False."""
    if header:
        jt, st = ERR[code]
    else:
        jt, st = code, 400
    status = status or st
    probs = []
    if r.status != status:
        probs.append(f"status {r.status} != {status}")
    if jtype(r) != jt:
        probs.append(f"__type {jtype(r)!r} != {jt!r}")
    qe = r.h("x-amzn-query-error")
    if header and qe != f"{code};Sender":
        probs.append(f"x-amzn-query-error {qe!r} != '{code};Sender'")
    if not header and qe is not None:
        probs.append(f"x-amzn-query-error {qe!r} should be absent")
    if not (r.h("content-type") or "").startswith("application/x-amz-json-1.0"):
        probs.append(f"content-type {r.h('content-type')!r}")
    if probs:
        fail(f"[json] {label}", "; ".join(probs) + f" — {r!r}")
    else:
        ok()


def expect_status(label, r, status, close=False):
    probs = []
    if r.status != status:
        probs.append(f"status {r.status} != {status}")
    if close and not r.closed:
        probs.append("connection not closed")
    if probs:
        fail(label, "; ".join(probs) + f" — {r!r}")
    else:
        ok()


# ------------------------------------------------------------------ Query flattening of JSON-shaped params
ENTRY_PREFIX = {"SendMessageBatch": "SendMessageBatchRequestEntry", "DeleteMessageBatch": "DeleteMessageBatchRequestEntry",
                "ChangeMessageVisibilityBatch": "ChangeMessageVisibilityBatchRequestEntry"}


def flat(op, d, prefix=""):
    out = []
    for k, v in d.items():
        if k == "Attributes" and isinstance(v, dict):
            for i, (n, val) in enumerate(v.items(), 1):
                out += [(f"{prefix}Attribute.{i}.Name", n), (f"{prefix}Attribute.{i}.Value", val)]
        elif k in ("tags", "Tags"):
            for i, (n, val) in enumerate(v.items(), 1):
                out += [(f"{prefix}Tag.{i}.Key", n), (f"{prefix}Tag.{i}.Value", val)]
        elif k in ("AttributeNames", "MessageAttributeNames", "TagKeys"):
            nm = {"AttributeNames": "AttributeName", "MessageAttributeNames": "MessageAttributeName", "TagKeys": "TagKey"}[k]
            out += [(f"{prefix}{nm}.{i}", x) for i, x in enumerate(v, 1)]
        elif k in ("MessageAttributes", "MessageSystemAttributes"):
            nm = "MessageAttribute" if k == "MessageAttributes" else "MessageSystemAttribute"
            for i, (n, val) in enumerate(v.items(), 1):
                out.append((f"{prefix}{nm}.{i}.Name", n))
                out += [(f"{prefix}{nm}.{i}.Value.{f}", x) for f, x in val.items()]
        elif k == "Entries":
            for i, e in enumerate(v, 1):
                out += flat(op, e, f"{ENTRY_PREFIX[op]}.{i}.")
        else:
            out.append((prefix + k, str(v).lower() if isinstance(v, bool) else str(v)))
    return out


def both(label, op, params, code, jparams=None):
    """Same request in both protocols; the same Query code expected."""
    expect_q(label, query([("Action", op), ("Version", "2012-11-05")] + flat(op, params)), code)
    expect_j(label, jreq(op, jparams if jparams is not None else params), code)


def ok_call(op, params):
    r = jreq(op, params)
    if r.status != 200:
        raise RuntimeError(f"setup {op} {params}: {r!r}")
    return json.loads(r.body or b"{}")


# ------------------------------------------------------------------ setup: guard queues
def url(name):
    return f"{E}/{ACCOUNT}/{name}"


def setup():
    global G, GF, RH, GUARD, GUARD_F, HANDLE, OTHER_HANDLE
    G = ok_call("CreateQueue", {"QueueName": P})["QueueUrl"]
    GF = ok_call("CreateQueue", {"QueueName": P + ".fifo", "Attributes": {"FifoQueue": "true"}})["QueueUrl"]
    RH = ok_call("CreateQueue", {"QueueName": P + "-rh"})["QueueUrl"]
    other = ok_call("CreateQueue", {"QueueName": P + "-other"})["QueueUrl"]
    GUARD = {}
    for body, attrs in [("guard one\r\n", {}), ("guard <two> & ]]> \ufffd 👋", {"k": {"DataType": "String", "StringValue": "v"}}),
                        ("x" * 5000, {"b": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x00\xff").decode()}})]:
        r = ok_call("SendMessage", {"QueueUrl": G, "MessageBody": body, **({"MessageAttributes": attrs} if attrs else {})})
        GUARD[r["MessageId"]] = (body, attrs)
    GUARD_F = {}
    for i in range(2):
        r = ok_call("SendMessage", {"QueueUrl": GF, "MessageBody": f"fifo {i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"})
        GUARD_F[r["MessageId"]] = (f"fifo {i}", {})
    ok_call("SendMessage", {"QueueUrl": RH, "MessageBody": "leased"})
    HANDLE = ok_call("ReceiveMessage", {"QueueUrl": RH, "VisibilityTimeout": 600})["Messages"][0]["ReceiptHandle"]
    ok_call("SendMessage", {"QueueUrl": other, "MessageBody": "other"})
    OTHER_HANDLE = ok_call("ReceiveMessage", {"QueueUrl": other, "VisibilityTimeout": 600})["Messages"][0]["ReceiptHandle"]


def counts(u):
    a = ok_call("GetQueueAttributes", {"QueueUrl": u, "AttributeNames": ["All"]}).get("Attributes", {})
    return tuple(int(a.get(k, -1)) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))


# ------------------------------------------------------------------ §5.1 HTTP layer
def http_layer():
    form = "Action=ListQueues"
    base = f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    cases = [
        ("Content-Length and Transfer-Encoding", base + f"Content-Length: {len(form)}\r\nTransfer-Encoding: chunked\r\n\r\n{len(form):x}\r\n{form}\r\n0\r\n\r\n"),
        ("two different Content-Lengths", base + f"Content-Length: {len(form)}\r\nContent-Length: {len(form) + 1}\r\n\r\n{form}x"),
        ("negative Content-Length", base + "Content-Length: -1\r\n\r\n" + form),
        ("Content-Length > 2^63", base + "Content-Length: 99999999999999999999\r\n\r\n" + form),
        ("chunk size overflowing 64 bits", base + "Transfer-Encoding: chunked\r\n\r\n10000000000000011\r\n" + form + "\r\n0\r\n\r\n"),
        ("chunk extension > 1 KiB", base + f"Transfer-Encoding: chunked\r\n\r\n{len(form):x};ext={'a' * 2000}\r\n{form}\r\n0\r\n\r\n"),
        ("NUL in a header value", base + f"X-Foo: a\x00b\r\nContent-Length: {len(form)}\r\n\r\n{form}"),
        ("NUL in a header name", base + f"X-F\x00oo: ab\r\nContent-Length: {len(form)}\r\n\r\n{form}"),
        ("bare CR in a header value", base + f"X-Foo: a\rb\r\nContent-Length: {len(form)}\r\n\r\n{form}"),
        ("obs-fold continuation line", base + f"X-Foo: a\r\n  folded\r\nContent-Length: {len(form)}\r\n\r\n{form}"),
    ]
    for label, raw in cases:
        expect_status(f"[http] {label}: 400 and close", send_raw(raw.encode("latin-1"), check_close=True), 400, close=True)
    expect_status("[http] duplicate Host: 400", send_raw(
        f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nHost: evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n{form}".encode()), 400)
    expect_status("[http] missing Host on HTTP/1.1: 400", send_raw(
        f"POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n{form}".encode()), 400)
    for m in ("PUT", "DELETE", "PATCH"):
        expect_status(f"[http] method {m} on the SQS API: 405", http(m, "/", [("Content-Type", "application/x-www-form-urlencoded")], form), 405)
    expect_status(f"[http] method PUT on a queue path: 405", http("PUT", f"/{ACCOUNT}/{P}", [("Content-Type", "application/x-www-form-urlencoded")], form), 405)
    expect_status("[http] Content-Encoding gzip: 415", query(None, raw=form, headers=[("Content-Encoding", "gzip")]), 415)
    expect_status("[http] Content-Encoding identity-free 'br': 415", jreq("ListQueues", "{}", headers=[("Content-Encoding", "br")]), 415)
    # content type contradicting the protocol (reliability §3.2 step 3, §5.1)
    r = http("POST", "/", [("Content-Type", "application/x-www-form-urlencoded"), ("X-Amz-Target", "AmazonSQS.ListQueues")], "Action=ListQueues")
    if r.status == 400 and (r.h("content-type") or "").startswith("application/x-amz-json-1.0") and jtype(r):
        ok()
    else:
        fail("[http] X-Amz-Target with a form content type: 400 JSON error", repr(r))
    r = http("POST", "/", [("Content-Type", "application/x-amz-json-1.0")], '{"QueueName":"x"}')
    expect_q("JSON content type without X-Amz-Target: Query protocol, 400 InvalidParameterValue (reliability §5.1)", r, "InvalidParameterValue")
    # request size limit: 4 MiB on the SQS API, 413 (announced length: no need to send it all)
    r = send_raw((f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  f"Content-Length: {5 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n").encode(), check_close=True)
    expect_status("[http] Expect: 100-continue with 5 MiB: 413 before the body", r, 413)
    r = send_raw((f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\n" + "".join(f"X-H{i}: {'v' * 100}\r\n" for i in range(200)) + "\r\n").encode(), check_close=True)
    expect_status("[http] 200 headers (> 64 / > 16 KiB): 431", r, 431)
    r = send_raw((f"GET /?{'a' * 9000} HTTP/1.1\r\nHost: {HOSTHDR}\r\n\r\n").encode(), check_close=True)
    expect_status("[http] request line > 8 KiB: 414", r, 414)
    # chunked and 100-continue must work for honest clients (sqs-api §2.1)
    body = "Action=ListQueues&QueueNamePrefix=" + P
    r = send_raw((f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
                  f"5\r\n{body[:5]}\r\n{len(body) - 5:x}\r\n{body[5:]}\r\n0\r\n\r\n").encode())
    expect_status("[http] honest chunked request: 200", r, 200)
    # keep-alive: two requests on one connection
    s = socket.create_connection((HOST, PORT), timeout=5)
    try:
        req = f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        s.sendall(req)
        r1 = _read_response(s, time.monotonic() + 5)
        s.sendall(req)
        r2 = _read_response(s, time.monotonic() + 5)
        expect_status("[http] keep-alive: second request on the same connection", r2, 200) if r1.status == 200 else fail("[http] keep-alive first", repr(r1))
    finally:
        s.close()


def slow_clients():
    """Slowloris bounded: a few connections drip header bytes while a probe works."""
    socks = []
    try:
        for _ in range(20):
            s = socket.create_connection((HOST, PORT), timeout=5)
            s.sendall(f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\n".encode())
            socks.append(s)
        deadline = time.monotonic() + (13 if SLOW else 3)
        t0 = time.monotonic()
        worst, n, bad = 0.0, 0, 0
        closed_at = None
        while time.monotonic() < deadline and n < 300:
            for s in socks:
                try:
                    s.send(b"X")
                except OSError:
                    pass
            t = time.monotonic()
            r = jreq("ListQueues", {"QueueNamePrefix": P})
            worst = max(worst, time.monotonic() - t)
            n += 1
            bad += r.status != 200
            if SLOW and closed_at is None:
                s0 = socks[0]
                s0.setblocking(False)
                try:
                    if s0.recv(1) == b"":
                        closed_at = time.monotonic() - t0
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at = time.monotonic() - t0
                s0.setblocking(True)
            time.sleep(0.1 if not SLOW else 1.0)
        if bad == 0 and worst < 1.0 and n > 0:
            ok()
        else:
            fail("[http] slow clients do not hold up others", f"{bad}/{n} probes failed, slowest {worst:.2f}s")
        if SLOW:
            if closed_at is not None and closed_at <= 12:
                ok()
            else:
                fail("[http] slowloris: connection closed at the 10 s header deadline", f"closed at {closed_at}")
    finally:
        for s in socks:
            s.close()


def connection_limit():
    """300 idle connections from 127.0.0.1: at most 256 kept; another address still served."""
    socks, refused = [], 0
    try:
        for _ in range(300):
            try:
                s = socket.create_connection((HOST, PORT), timeout=2)
                socks.append(s)
            except OSError:
                refused += 1
        time.sleep(0.5)
        alive = 0
        for s in socks:
            s.setblocking(False)
            try:
                d = s.recv(1)
                alive += d != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        if alive <= 256:
            ok()
        else:
            fail("[http] per-address connection limit 256", f"{alive} of 300 idle connections still open ({refused} refused at connect)")
        try:
            s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s2.settimeout(5)
            s2.bind(("127.0.0.2", 0))
            s2.connect((HOST, PORT))
            body = "Action=ListQueues"
            s2.sendall(f"POST / HTTP/1.1\r\nHost: {HOSTHDR}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())
            t = time.monotonic()
            r = _read_response(s2, time.monotonic() + 5)
            s2.close()
            if r.status == 200 and time.monotonic() - t < 1.5:
                ok()
            else:
                fail("[http] other address served while one address holds 300 connections", repr(r))
        except OSError as e:
            fail("[http] other address served while one address holds 300 connections", f"{type(e).__name__}: {e}")
    finally:
        for s in socks:
            s.close()


# ------------------------------------------------------------------ §5.2 SQS API
def sqs_api():
    # actions / targets
    expect_q("unknown Action", query([("Action", "DoesNotExist")]), "InvalidAction")
    expect_j("unknown X-Amz-Target operation", jreq("DoesNotExist", "{}"), "UnknownOperationException", header=False)
    expect_j("X-Amz-Target without the AmazonSQS prefix", http("POST", "/", [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "ListQueues")], "{}"),
             "UnknownOperationException", header=False)
    expect_q("missing Action", query([("QueueName", "x")]), "MissingAction")
    expect_status("lower-case x-amz-target header is JSON", http("POST", "/", [("content-type", "application/x-amz-json-1.0"), ("x-amz-target", "AmazonSQS.ListQueues")], "{}"), 200)
    # required parameters
    both("SendMessage without QueueUrl", "SendMessage", {"MessageBody": "x"}, "MissingParameter")
    both("SendMessage without MessageBody", "SendMessage", {"QueueUrl": G}, "MissingParameter")
    both("DeleteMessage without ReceiptHandle", "DeleteMessage", {"QueueUrl": G}, "MissingParameter")
    both("empty MessageBody (sqs-api §8.1 MissingParameter; reliability §5.2 says InvalidParameterValue)", "SendMessage", {"QueueUrl": G, "MessageBody": ""}, "MissingParameter")
    both("MessageBody over MaximumMessageSize", "SendMessage", {"QueueUrl": G, "MessageBody": "a" * 1048577}, "InvalidParameterValue")
    # forbidden characters and bad UTF-8
    for ch, label in [("\x00", "U+0000"), ("\x08", "U+0008"), ("\ufffe", "U+FFFE"), ("\uffff", "U+FFFF")]:
        both(f"body with {label}", "SendMessage", {"QueueUrl": G, "MessageBody": "a" + ch + "b"}, "InvalidMessageContents")
    expect_j("body with a lone surrogate \\ud800", jreq("SendMessage", '{"QueueUrl":"%s","MessageBody":"a\\ud800b"}' % G), "InvalidMessageContents")
    expect_j("body with a reversed surrogate pair", jreq("SendMessage", '{"QueueUrl":"%s","MessageBody":"\\udc00\\ud800"}' % G), "InvalidMessageContents")
    qu = urllib.parse.quote(G, safe="")
    for enc, label in [("%ED%A0%80", "CESU lone surrogate"), ("%C0%AF", "overlong /"), ("%F8%88%80%80%80", "5-byte sequence"), ("%E2%82", "truncated sequence"),
                       ("%FF", "byte 0xFF")]:
        expect_q(f"body with invalid UTF-8 ({label})", query(None, raw=f"Action=SendMessage&QueueUrl={qu}&MessageBody=a{enc}b"), "InvalidMessageContents")
    raw_json = b'{"QueueUrl":"' + G.encode() + b'","MessageBody":"a\xc0\xafb"}'
    r = jreq("SendMessage", raw_json)
    if r.status == 400 and jtype(r) in ("InvalidMessageContents", "SerializationException"):
        ok()
    else:
        fail("[json] raw invalid UTF-8 in the body string: 400 InvalidMessageContents (or SerializationException: not UTF-8 JSON)", repr(r))
    for raw, label in [(f"Action=SendMessage&QueueUrl={qu}&MessageBody=a%G1", "%G1"), (f"Action=SendMessage&QueueUrl={qu}&MessageBody=a%", "trailing %"),
                       (f"Action=SendMessage&QueueUrl={qu}&MessageBody=a%4", "%4 at the end")]:
        expect_q(f"bad percent escape {label}", query(None, raw=raw), "InvalidQueryParameter", 400)
    # batches
    both("batch with 0 entries", "SendMessageBatch", {"QueueUrl": G, "Entries": []}, "AWS.SimpleQueueService.EmptyBatchRequest")
    expect_q("batch with no Entries parameter at all", query([("Action", "SendMessageBatch"), ("QueueUrl", G)]), "AWS.SimpleQueueService.EmptyBatchRequest")
    both("batch with 11 entries", "SendMessageBatch", {"QueueUrl": G, "Entries": [{"Id": f"i{i}", "MessageBody": "x"} for i in range(11)]},
         "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
    both("batch with duplicate Ids", "SendMessageBatch", {"QueueUrl": G, "Entries": [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]},
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
    both("delete batch with duplicate Ids", "DeleteMessageBatch", {"QueueUrl": G, "Entries": [{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]},
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
    for bad, label in [("x" * 81, "81 chars"), ("a.b", "with ."), ("a b", "with space"), ("ü", "non-ASCII")]:
        both(f"batch entry Id {label}", "SendMessageBatch", {"QueueUrl": G, "Entries": [{"Id": bad, "MessageBody": "x"}]}, "AWS.SimpleQueueService.InvalidBatchEntryId")
    big_id = "x" * (1024 * 1024)
    for proto, r in (("query", query([("Action", "SendMessageBatch"), ("QueueUrl", G), ("SendMessageBatchRequestEntry.1.Id", big_id),
                                      ("SendMessageBatchRequestEntry.1.MessageBody", "x")])),
                     ("json", jreq("SendMessageBatch", {"QueueUrl": G, "Entries": [{"Id": big_id, "MessageBody": "x"}]}))):
        c = qcode(r) if proto == "query" else (r.h("x-amzn-query-error") or "").split(";")[0]
        if r.status == 413 or (r.status == 400 and c == "AWS.SimpleQueueService.InvalidBatchEntryId"):
            ok()
        else:
            fail(f"[{proto}] batch entry Id of 1 MB: 400 InvalidBatchEntryId or 413", repr(r))
    both("batch bodies over 1 MiB in total", "SendMessageBatch",
         {"QueueUrl": G, "Entries": [{"Id": "a", "MessageBody": "a" * 600000}, {"Id": "b", "MessageBody": "b" * 600000}]}, "AWS.SimpleQueueService.BatchRequestTooLong")
    # Query list indices
    e = "SendMessageBatchRequestEntry"
    expect_q("Query entry index 0", query([("Action", "SendMessageBatch"), ("QueueUrl", G), (f"{e}.0.Id", "a"), (f"{e}.0.MessageBody", "x")]), "InvalidParameterValue")
    expect_q("Query entry index 4294967297", query([("Action", "SendMessageBatch"), ("QueueUrl", G), (f"{e}.4294967297.Id", "a"), (f"{e}.4294967297.MessageBody", "x")]),
             "InvalidParameterValue")
    # index 11 alone is not checked: reliability §5.2 says "index > 10 -> 400", sqs-api §3.1 (which wins on
    # wire details) says collect every index present and do not stop at a gap.
    expect_q("Query entry index -1", query([("Action", "SendMessageBatch"), ("QueueUrl", G), (f"{e}.-1.Id", "a"), (f"{e}.-1.MessageBody", "x")]), "InvalidParameterValue")
    # sparse small indices: sqs-api §3.1 (wins over reliability §5.2) says collect every index, do not stop at a gap
    sp = ok_call("CreateQueue", {"QueueName": P + "-sparse"})["QueueUrl"]
    r = query([("Action", "SendMessageBatch"), ("QueueUrl", sp), (f"{e}.1.Id", "a"), (f"{e}.1.MessageBody", "x"), (f"{e}.3.Id", "c"), (f"{e}.3.MessageBody", "z")])
    try:
        ids = [x.findtext(f"{NS}Id") for x in ET.fromstring(r.body).iter(f"{NS}SendMessageBatchResultEntry")]
    except ET.ParseError:
        ids = None
    if r.status == 200 and ids == ["a", "c"]:
        ok()
    else:
        fail("[query] sparse indices 1,3 (sqs-api §3.1: no stop at a gap; reliability §5.2 says 400)", f"{r!r} ids={ids}")
    ok_call("DeleteQueue", {"QueueUrl": sp})
    # numbers
    rq = [("Action", "ReceiveMessage"), ("QueueUrl", G)]
    for v in ["-1", "0", "11", "99999999999999999999", "1e3", "0x10", " 5", "5 ", "+5", "1.5", "NaN", "", "٣"]:
        expect_q(f"MaxNumberOfMessages {v!r}", query(rq + [("MaxNumberOfMessages", v)]), "InvalidParameterValue")
    for v in ["901", "-1", "1e2"]:
        expect_q(f"DelaySeconds {v!r}", query([("Action", "SendMessage"), ("QueueUrl", G), ("MessageBody", "x"), ("DelaySeconds", v)]), "InvalidParameterValue")
    expect_q("VisibilityTimeout 43201", query(rq + [("VisibilityTimeout", "43201")]), "InvalidParameterValue")
    expect_q("WaitTimeSeconds 21", query(rq + [("WaitTimeSeconds", "21")]), "InvalidParameterValue")
    for lit in ["0", "11", "-1", "99999999999999999999", "1e3", "10.0", "1.5", "true", "null", "[1]", "{}"]:
        expect_j(f"MaxNumberOfMessages JSON {lit}", jreq("ReceiveMessage", '{"QueueUrl":"%s","MaxNumberOfMessages":%s}' % (G, lit)), "InvalidParameterValue")
    for lit in ["901", "-1", "true"]:
        expect_j(f"DelaySeconds JSON {lit}", jreq("SendMessage", '{"QueueUrl":"%s","MessageBody":"x","DelaySeconds":%s}' % (G, lit)), "InvalidParameterValue")
    expect_j("VisibilityTimeout JSON 43201", jreq("ReceiveMessage", '{"QueueUrl":"%s","VisibilityTimeout":43201}' % G), "InvalidParameterValue")
    expect_j("WaitTimeSeconds JSON 21", jreq("ReceiveMessage", '{"QueueUrl":"%s","WaitTimeSeconds":21}' % G), "InvalidParameterValue")
    expect_j("QueueUrl as a number", jreq("SendMessage", '{"QueueUrl":5,"MessageBody":"x"}'), "InvalidParameterValue")
    expect_j("MessageBody as an object", jreq("SendMessage", '{"QueueUrl":"%s","MessageBody":{"a":1}}' % G), "InvalidParameterValue")
    expect_j("Entries as an object", jreq("SendMessageBatch", '{"QueueUrl":"%s","Entries":{"Id":"a"}}' % G), "InvalidParameterValue")
    # queue attributes
    for attrs, code in [({"MessageRetentionPeriod": "59"}, "InvalidAttributeValue"), ({"MessageRetentionPeriod": "1209601"}, "InvalidAttributeValue"),
                        ({"MaximumMessageSize": "1023"}, "InvalidAttributeValue"), ({"MaximumMessageSize": "1048577"}, "InvalidAttributeValue"),
                        ({"ReceiveMessageWaitTimeSeconds": "21"}, "InvalidAttributeValue"), ({"VisibilityTimeout": "1e3"}, "InvalidAttributeValue"),
                        ({"NoSuchAttribute": "1"}, "InvalidAttributeName")]:
        both(f"SetQueueAttributes {attrs}", "SetQueueAttributes", {"QueueUrl": G, "Attributes": attrs}, code)
        both(f"CreateQueue {attrs}", "CreateQueue", {"QueueName": P + "-bad", "Attributes": attrs}, code)
    dlq_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{P}-rh"
    for pol, label in [("{nope", "not JSON"), (json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 0}), "maxReceiveCount 0"),
                       (json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001}), "maxReceiveCount 1001"),
                       (json.dumps({"deadLetterTargetArn": dlq_arn + "-missing", "maxReceiveCount": 3}), "DLQ missing"),
                       (json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{P}.fifo", "maxReceiveCount": 3}), "DLQ type differs"),
                       (json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{P}", "maxReceiveCount": 3}), "DLQ = itself")]:
        both(f"RedrivePolicy {label}", "SetQueueAttributes", {"QueueUrl": G, "Attributes": {"RedrivePolicy": pol}}, "InvalidParameterValue")
    for name, attrs, label in [("q" * 81, {}, "81 chars"), ("a b", {}, "space"), ("a%2Fb", {}, "%2F"), ("../etc", {}, "../"), (P + "-n.fifo", {}, ".fifo without FifoQueue"),
                               (P + "-n", {"FifoQueue": "true"}, "FifoQueue without .fifo"), ("", {}, "empty")]:
        code = "MissingParameter" if name == "" else "InvalidParameterValue"
        both(f"queue name {label}", "CreateQueue", {"QueueName": name, "Attributes": attrs}, code)
    both("CreateQueue existing name, different attributes", "CreateQueue", {"QueueName": P, "Attributes": {"VisibilityTimeout": "7"}}, "QueueAlreadyExists")
    r = jreq("CreateQueue", {"QueueName": P, "Attributes": {"VisibilityTimeout": "30"}})
    if r.status == 200 and json.loads(r.body).get("QueueUrl") == G:
        ok()
    else:
        fail("[json] CreateQueue existing name, same attributes: 200 with the existing URL", repr(r))
    # queue URLs (another *host* resolves by name per sqs-api §6.3, which wins over reliability §5.2)
    for u, label in [(f"{E}/111122223333/{P}", "another account"), (f"{E}/{ACCOUNT}/{P}-nope", "non-existent queue"), (f"{E}/123/../{P}-nope", "/123/../x"),
                     (f"{E}/{ACCOUNT}/{P}%2F..%2F{P}", "encoded slashes"), (f"{E}/{ACCOUNT}/..%2F..%2Fetc%2Fpasswd", "encoded traversal")]:
        both(f"QueueUrl {label}", "SendMessage", {"QueueUrl": u, "MessageBody": "x"}, "AWS.SimpleQueueService.NonExistentQueue")
    both("QueueUrl '/'", "SendMessage", {"QueueUrl": E + "/", "MessageBody": "x"}, "InvalidAddress")
    # receipt handles
    tampered = HANDLE[:len(HANDLE) // 2] + ("A" if HANDLE[len(HANDLE) // 2] != "A" else "B") + HANDLE[len(HANDLE) // 2 + 1:]
    for h, label in [(base64.urlsafe_b64encode(os.urandom(48)).decode().rstrip("="), "random bytes"), (HANDLE[:len(HANDLE) // 2], "truncated"),
                     (OTHER_HANDLE, "valid handle of another queue"), (tampered, "HMAC-tampered"), ("\u00e9\u00e9", "non-ASCII"), ("x" * 5000, "5000 chars")]:
        both(f"DeleteMessage, receipt handle {label}", "DeleteMessage", {"QueueUrl": RH, "ReceiptHandle": h}, "ReceiptHandleIsInvalid")
        both(f"ChangeMessageVisibility, receipt handle {label}", "ChangeMessageVisibility", {"QueueUrl": RH, "ReceiptHandle": h, "VisibilityTimeout": 0},
             "ReceiptHandleIsInvalid")
    # message attributes
    S = lambda v="v": {"DataType": "String", "StringValue": v}  # noqa: E731
    for attrs, label in [({f"a{i}": S() for i in range(11)}, "11 attributes"), ({"n" * 257: S()}, "name of 257 chars"), ({"AWS.x": S()}, "name AWS."),
                         ({"Amazon.x": S()}, "name Amazon."), ({"aws.x": S()}, "name aws. (lower case)"), ({"a..b": S()}, "name with .."), ({".a": S()}, "name starting with ."),
                         ({"a.": S()}, "name ending with ."), ({"a": {"DataType": "Strin", "StringValue": "v"}}, "DataType Strin"),
                         ({"a": {"DataType": "String.", "StringValue": "v"}}, "DataType 'String.' (empty label)"),
                         ({"a": {"DataType": "Number", "StringValue": "12a"}}, "Number not numeric"),
                         ({"a": {"DataType": "Number", "StringValue": "1" * 39}}, "Number with 39 significant digits"),
                         ({"a": {"DataType": "Binary", "BinaryValue": "!!!not base64"}}, "bad base64 Binary"),
                         ({"a": {"DataType": "Binary", "BinaryValue": "QUJD="}}, "base64 with bad padding"),
                         ({"a": {"DataType": "String", "StringValue": ""}}, "empty StringValue"),
                         ({"a": {"DataType": "S" * 257, "StringValue": "v"}}, "DataType of 257 chars")]:
        both(f"message attribute: {label}", "SendMessage", {"QueueUrl": G, "MessageBody": "x", "MessageAttributes": attrs}, "InvalidParameterValue")
    # FIFO
    both("FIFO send without MessageGroupId", "SendMessage", {"QueueUrl": GF, "MessageBody": "x", "MessageDeduplicationId": "z"}, "MissingParameter")
    both("FIFO send without dedup id, content dedup off", "SendMessage", {"QueueUrl": GF, "MessageBody": "x", "MessageGroupId": "g"}, "InvalidParameterValue")
    for v, label in [("g" * 129, "129 chars"), ("a\x01b", "non-printable"), ("a b", "space"), ("é", "non-ASCII")]:
        both(f"FIFO MessageGroupId {label}", "SendMessage", {"QueueUrl": GF, "MessageBody": "x", "MessageGroupId": v, "MessageDeduplicationId": "z"}, "InvalidParameterValue")
        both(f"FIFO MessageDeduplicationId {label}", "SendMessage", {"QueueUrl": GF, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": v},
             "InvalidParameterValue")
    # JSON documents
    nest = '{"QueueUrl":"%s","MessageBody":"x","Extra":%s}' % (G, "[" * 40 + "]" * 40)
    many = "{" + ",".join(f'"k{i}":1' for i in range(1100)) + ',"QueueUrl":"%s","MessageBody":"x"}' % G
    for body, label in [('{"QueueUrl":"%s","QueueUrl":"%s-other","MessageBody":"x"}' % (G, G), "duplicate keys"), (nest, "nesting deeper than 32"),
                        (many, "more than 1,024 members"), ('{"QueueUrl":"%s","MessageBody":"x"} garbage' % G, "trailing garbage"),
                        ('\ufeff{"QueueUrl":"%s","MessageBody":"x"}' % G, "BOM"), ('{"QueueUrl":"%s",/* c */"MessageBody":"x"}' % G, "comment"),
                        ('{"QueueUrl":"%s","MessageBody":"x","DelaySeconds":NaN}' % G, "NaN literal"),
                        ('{"QueueUrl":"%s","MessageBody":"x","DelaySeconds":Infinity}' % G, "Infinity literal"),
                        ('{"QueueUrl":"%s","MessageBody":"x"' % G, "truncated"), ("[]", "array instead of object"), ("nul", "not JSON"),
                        ('{"QueueUrl":"%s","MessageBody":"x\\q"}' % G, "bad escape")]:
        expect_j(f"JSON body: {label}", jreq("SendMessage", body), "SerializationException", header=False)
    r = jreq("ListQueues", "")
    expect_status("[json] empty body means {}", r, 200)


# ------------------------------------------------------------------ XML escaping of stored bodies (raw Query receive)
def xml_output():
    xq = ok_call("CreateQueue", {"QueueName": P + "-xml"})["QueueUrl"]
    bodies = ["a<b&c>d", "]]>", "line1\r\nline2", "\r", "cr\rcr", "\ufffd", '"quoted" \'single\'', "tab\t👋"]
    for b in bodies:
        ok_call("SendMessage", {"QueueUrl": xq, "MessageBody": b})
    got = []
    for _ in range(10):
        r = query([("Action", "ReceiveMessage"), ("QueueUrl", xq), ("MaxNumberOfMessages", "10")])
        if r.status != 200:
            fail("[query] receive for XML escaping", repr(r))
            return
        if b"\r" in r.body.split(b"?>", 1)[-1]:
            fail("[query] XML output: CR written raw instead of &#xD;", repr(r.body[:400]))
        msgs = list(ET.fromstring(r.body).iter(f"{NS}Message"))
        if not msgs:
            break
        for m in msgs:
            got.append(m.findtext(f"{NS}Body"))
            ok_call("DeleteMessage", {"QueueUrl": xq, "ReceiptHandle": m.findtext(f"{NS}ReceiptHandle")})
    if sorted(got) == sorted(bodies):
        ok()
    else:
        fail("[query] XML output: an XML parser returns the exact bodies", f"expected {sorted(bodies)!r}, got {sorted(got)!r}")
    ok_call("DeleteQueue", {"QueueUrl": xq})


# ------------------------------------------------------------------ guard checks
def guard_check():
    r = jreq("ListQueues", {"QueueNamePrefix": P})
    names = sorted(u.rsplit("/", 1)[1] for u in json.loads(r.body or b"{}").get("QueueUrls", []))
    want = sorted([P, P + ".fifo", P + "-rh", P + "-other"])
    if names == want:
        ok()
    else:
        fail("no queue created or deleted by rejected requests", f"expected {want}, got {names}")
    for u, guard, label in [(G, GUARD, "standard"), (GF, GUARD_F, "FIFO")]:
        c = counts(u)
        if c == (len(guard), 0, 0):
            ok()
        else:
            fail(f"{label} guard queue counts unchanged", f"expected {(len(guard), 0, 0)}, got {c}")
    if counts(RH) == (0, 1, 0):
        ok()
    else:
        fail("leased message untouched by bad receipt handles", f"counts {counts(RH)}")
    for u, guard, label in [(G, GUARD, "standard"), (GF, GUARD_F, "FIFO")]:
        seen = {}
        for _ in range(10):
            ms = ok_call("ReceiveMessage", {"QueueUrl": u, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"],
                                            "MessageSystemAttributeNames": ["ApproximateReceiveCount"]}).get("Messages", [])
            if not ms:
                break
            for m in ms:
                seen[m["MessageId"]] = (m["Body"], m.get("MessageAttributes", {}), m["Attributes"]["ApproximateReceiveCount"])
                ok_call("DeleteMessage", {"QueueUrl": u, "ReceiptHandle": m["ReceiptHandle"]})
        want = {k: (b, a, "1") for k, (b, a) in guard.items()}
        if seen == want:
            ok()
        else:
            fail(f"{label} guard messages unchanged (ids, bodies, attributes, never delivered before)", f"expected {want!r:.600}, got {seen!r:.600}")
    r = http("GET", "/healthz", [])
    expect_status("server still healthy", r, 200)


if __name__ == "__main__":
    t0 = time.monotonic()
    try:
        setup()
    except Exception as e:  # noqa: BLE001
        print(f"FAIL setup: {type(e).__name__}: {e}")
        sys.exit(1)
    for fn in (http_layer, sqs_api, xml_output, slow_clients, connection_limit, guard_check):
        t = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            import traceback
            fail(f"section {fn.__name__}", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")
        print(f"-- {fn.__name__}: {time.monotonic() - t:.1f}s", flush=True)
    for name in (P, P + ".fifo", P + "-rh", P + "-other"):
        jreq("DeleteQueue", {"QueueUrl": url(name)})
    print(f"hostile: {PASSED[0]} passed, {len(FAILED)} failed ({time.monotonic() - t0:.0f}s)")
    if FAILED:
        print("failed checks:\n  " + "\n  ".join(FAILED))
    sys.exit(1 if FAILED else 0)
