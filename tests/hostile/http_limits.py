#!/usr/bin/env python3
"""HTTP limits (reliability.md §4.3, §5.1) against a real ebbd started with small,
flag-configured limits, over raw sockets. One check per row of the §4.3 table that a
client can provoke; after each, /healthz must still answer 200 at once.

    http_limits.py --ebbd PATH

The server runs with --http-header-timeout 2, --http-body-grace 2, --max-long-polls 5,
--max-connections-per-address 20, --max-connections 30, --http-max-request-line 4096,
--http-max-sqs-body 1 MiB, so every row is reached in seconds. tests/hostile/run.py
covers the same rows at the default sizes (it runs under the common harness).
"""
import argparse
import os
import socket
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

HOST = "127.0.0.1"
PORT = None
FAILED, PASSED = [], [0]

LIMIT_ARGS = ["--http-header-timeout", "2", "--http-body-grace", "2", "--http-body-timeout", "20",
              "--max-long-polls", "5", "--max-connections-per-address", "20", "--max-connections", "30",
              "--http-max-request-line", "4096", "--http-max-sqs-body", str(1 << 20)]


def check(label, cond, detail=""):
    if cond:
        PASSED[0] += 1
        print(f"ok   {label}", flush=True)
    else:
        FAILED.append(f"{label}: {detail}")
        print(f"FAIL {label}: {detail}", flush=True)


class Resp:
    def __init__(self):
        self.status, self.head, self.body, self.raw, self.closed, self.error = None, "", b"", b"", False, None

    def __repr__(self):
        return f"<status={self.status} closed={self.closed} error={self.error} raw={self.raw[:200]!r}>"


def read_response(s, timeout):
    """Reads one response (status line, headers, Content-Length body) or until close."""
    r = Resp()
    deadline = time.monotonic() + timeout
    buf = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                r.error = "timeout"
                break
            s.settimeout(left)
            d = s.recv(65536)
            if not d:
                r.closed = True
                break
            buf += d
            end = buf.find(b"\r\n\r\n")
            if end >= 0 and not buf.startswith(b"HTTP/1.1 100"):
                head = buf[:end].decode("latin-1")
                n = 0
                for line in head.split("\r\n")[1:]:
                    k, _, v = line.partition(":")
                    if k.strip().lower() == "content-length":
                        n = int(v.strip())
                if len(buf) >= end + 4 + n:
                    break
    except (socket.timeout, TimeoutError):
        r.error = "timeout"
    except OSError as e:
        r.closed, r.error = True, f"{type(e).__name__}: {e}"
    r.raw = buf
    if buf.startswith(b"HTTP/"):
        try:
            r.status = int(buf.split(b" ", 2)[1])
        except (IndexError, ValueError):
            pass
        end = buf.find(b"\r\n\r\n")
        r.head, r.body = buf[:end].decode("latin-1"), buf[end + 4:]
    return r


def closes_within(s, seconds):
    """Seconds until the peer closed (EOF/reset), or None if it did not within `seconds`."""
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < seconds:
            s.settimeout(max(0.05, seconds - (time.monotonic() - t0)))
            if not s.recv(65536):
                return time.monotonic() - t0
    except (socket.timeout, TimeoutError):
        return None
    except OSError:
        return time.monotonic() - t0
    return None


def connect(src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    if src:
        s.bind((src, 0))
    s.connect((HOST, PORT))
    return s


def request(method, path, headers=(), body=b"", src=None, timeout=10):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{PORT}"] + [f"{k}: {v}" for k, v in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    s = connect(src)
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        return read_response(s, timeout)
    finally:
        s.close()


def sqs(params, **kw):
    return request("POST", "/", [("Content-Type", "application/x-www-form-urlencoded")],
                   urllib.parse.urlencode(params), **kw)


def healthy(after):
    t = time.monotonic()
    r = request("GET", "/healthz", timeout=5)
    check(f"healthy after {after}", r.status == 200 and time.monotonic() - t < 2, repr(r))


def raw_exchange(data, timeout=10):
    s = connect()
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        r = read_response(s, timeout)
        if not r.closed:
            r.closed = closes_within(s, 3) is not None
        return r
    finally:
        s.close()


# ---------------------------------------------------------------- rows
def header_limits():
    hdr = f"Host: {HOST}:{PORT}\r\n"
    r = raw_exchange(f"GET /?{'a' * 5000} HTTP/1.1\r\n{hdr}\r\n".encode())
    check("request line over --http-max-request-line 4096: 414, close", r.status == 414 and r.closed, repr(r))
    healthy("414")
    r = raw_exchange(f"GET / HTTP/1.1\r\n{hdr}".encode() + b"".join(f"X-H{i}: v\r\n".encode() for i in range(70)) + b"\r\n")
    check("70 header fields (> 64): 431, close", r.status == 431 and r.closed, repr(r))
    r = raw_exchange(f"GET / HTTP/1.1\r\n{hdr}X-Big: {'v' * 9000}\r\n\r\n".encode())
    check("one header field of 9 KiB (> 8 KiB): 431, close", r.status == 431 and r.closed, repr(r))
    r = raw_exchange(f"GET / HTTP/1.1\r\n{hdr}".encode() + b"".join(f"X-H{i}: {'v' * 1000}\r\n".encode() for i in range(20)) + b"\r\n")
    check("20 KiB of headers (> 16 KiB): 431, close", r.status == 431 and r.closed, repr(r))
    healthy("431")


def slowloris():
    """Header bytes dripped every 0.3 s: closed at the 2 s header deadline, no response."""
    s = connect()
    try:
        s.sendall(f"POST / HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n".encode())
        t0 = time.monotonic()
        closed_at, got = None, b""
        while time.monotonic() - t0 < 8:
            try:
                s.sendall(b"X")
            except OSError:
                closed_at = time.monotonic() - t0
                break
            s.settimeout(0.3)
            try:
                d = s.recv(65536)
                if not d:
                    closed_at = time.monotonic() - t0
                    break
                got += d
            except (socket.timeout, TimeoutError):
                pass
            except OSError:
                closed_at = time.monotonic() - t0
                break
        check("slowloris headers: closed at the 2 s header deadline (not extended by the drip)",
              closed_at is not None and 1.5 <= closed_at <= 4.5, f"closed at {closed_at}")
        check("slowloris headers: no response written", got == b"", repr(got[:200]))
    finally:
        s.close()
    healthy("slowloris")


def trickled_body():
    """A body at ~20 B/s: 408 and close once the 2 s grace is over (rate floor 16 KiB/s)."""
    s = connect()
    try:
        s.sendall((f"POST / HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: 10000\r\n\r\n").encode())
        t0 = time.monotonic()
        got = b""
        while time.monotonic() - t0 < 10:
            try:
                s.sendall(b"a" * 5)
            except OSError:
                break
            s.settimeout(0.25)
            try:
                d = s.recv(65536)
                if not d:
                    break
                got += d
                if b"\r\n\r\n" in got:
                    break
            except (socket.timeout, TimeoutError):
                pass
            except OSError:
                break
        at = time.monotonic() - t0
        status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/") else None
        check("trickled body: 408 after the grace", status == 408 and 1.5 <= at <= 5, f"status {status} at {at:.1f}s: {got[:200]!r}")
        check("trickled body: connection closed after the 408", b"connection: close" in got.lower() and closes_within(s, 4) is not None,
              repr(got[:300]))
    finally:
        s.close()
    healthy("408")
    # an honest body that is merely not instant is accepted
    body = urllib.parse.urlencode({"Action": "ListQueues"}).encode()
    s = connect()
    try:
        s.sendall((f"POST / HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:5])
        time.sleep(1)
        s.sendall(body[5:])
        r = read_response(s, 5)
        check("a small body finished within the grace: 200", r.status == 200, repr(r))
    finally:
        s.close()


def body_limits():
    hdr = f"Host: {HOST}:{PORT}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    big = (1 << 20) + 1
    r = raw_exchange((f"POST / HTTP/1.1\r\n{hdr}Content-Length: {big}\r\n\r\n").encode() + b"a" * 65536)
    check("SQS body over --http-max-sqs-body (announced): 413, close", r.status == 413 and r.closed, repr(r))
    s = connect()
    try:
        s.sendall((f"POST / HTTP/1.1\r\n{hdr}Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = b"a" * 65536
        sent = 0
        try:
            while sent < (2 << 20):
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass
        r = read_response(s, 10)
        check("chunked SQS body growing past the limit: 413", r.status == 413, repr(r))
    finally:
        s.close()
    r = raw_exchange((f"POST /api/v1/queues HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {(1 << 20) + 1}\r\n\r\n").encode())
    check("/api/v1 body over 1 MiB: 413", r.status == 413, repr(r))
    r = raw_exchange((f"POST /ui/login HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {70 * 1024}\r\n\r\n").encode())
    check("dashboard (/ui/login) body over 64 KiB: 413", r.status == 413, repr(r))
    healthy("413")
    # Expect: 100-continue with a length over the limit: 413 at once, body never sent
    s = connect()
    try:
        s.sendall((f"POST / HTTP/1.1\r\n{hdr}Content-Length: {2 << 20}\r\nExpect: 100-continue\r\n\r\n").encode())
        r = read_response(s, 5)
        check("Expect: 100-continue with 2 MiB: 413 without reading the body (no 100 Continue first)",
              r.status == 413 and not r.raw.startswith(b"HTTP/1.1 100"), repr(r))
    finally:
        s.close()
    # and within the limit the client gets its 100 Continue
    s = connect()
    try:
        body = b"Action=ListQueues"
        s.sendall((f"POST / HTTP/1.1\r\n{hdr}Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode())
        s.settimeout(5)
        first = s.recv(64)
        s.sendall(body)
        r = read_response(s, 5)
        check("Expect: 100-continue within the limit: 100 Continue, then 200",
              first.startswith(b"HTTP/1.1 100") and r.status == 200, f"{first!r} then {r!r}")
    finally:
        s.close()
    healthy("Expect: 100-continue")


def long_poll_cap():
    """--max-long-polls 5: five polls wait; the sixth answers empty at once."""
    name = "limits-lp"
    r = sqs({"Action": "CreateQueue", "QueueName": name})
    check("CreateQueue", r.status == 200, repr(r))
    url = f"http://{HOST}:{PORT}/000000000000/{name}"
    t = time.monotonic()
    r = sqs({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": 2})
    took = time.monotonic() - t
    check("control: a long poll under the cap waits its 2 s", r.status == 200 and took >= 1.8, f"{took:.2f}s {r!r}")
    results = [None] * 5

    def poll(i):
        t0 = time.monotonic()
        rr = sqs({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": 8}, timeout=20)
        results[i] = (time.monotonic() - t0, rr)

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(5)]
    for th in threads:
        th.start()
    time.sleep(1.0)  # let all five park
    t = time.monotonic()
    r = sqs({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": 8})
    took = time.monotonic() - t
    check("sixth long poll answers at once, empty", r.status == 200 and took < 1.5 and b"<Message>" not in r.body,
          f"{took:.2f}s {r!r}")
    check("the five polls are still waiting", all(x is None for x in results), repr(results))
    # the parked polls still work: a message sent now goes to one of them
    r = sqs({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "wake"})
    check("SendMessage", r.status == 200, repr(r))
    for th in threads:
        th.join(30)
    got = [x for x in results if x and b"wake" in x[1].body]
    check("one parked poll received the message", len(got) == 1, repr(results))
    check("the others waited for their 8 s",
          all(x and (b"wake" in x[1].body or x[0] >= 7) for x in results), repr([x and x[0] for x in results]))
    t = time.monotonic()
    r = sqs({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": 2})
    check("after the polls ended a long poll waits again", time.monotonic() - t >= 1.8, f"{time.monotonic() - t:.2f}s")
    healthy("long-poll cap")


def alive_count(socks):
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            n += s.recv(1) != b""
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def connection_caps():
    """20 per address, 30 in all: the rest are refused; other addresses still served."""
    a, b = [], []
    time.sleep(1.5)  # connections of the earlier checks (closed by us) are released by the server
    try:
        for _ in range(30):
            try:
                a.append(connect("127.0.0.1"))
            except OSError:
                pass
        time.sleep(0.5)
        n = alive_count(a)
        check("per-address cap 20: 30 idle connections from one address, 20 kept", n == 20, f"{n} kept")
        r = request("GET", "/healthz", src="127.0.0.2", timeout=5)
        check("another address is served while one address is at its cap", r.status == 200, repr(r))
        time.sleep(1.5)  # that request's connection (closed by us) is released by the server before b counts
        for _ in range(15):
            try:
                b.append(connect("127.0.0.2"))
            except OSError:
                pass
        time.sleep(0.5)
        n2 = alive_count(b)
        check("total cap 30: a second address gets only the 10 left", n2 == 10, f"{n2} kept")
        try:
            r = request("GET", "/healthz", src="127.0.0.3", timeout=3)
            refused = r.status is None
        except OSError:
            refused = True
        check("total cap reached: a third address is refused", refused, repr(r) if not refused else "")
    finally:
        for s in a + b:
            s.close()
    time.sleep(0.5)
    healthy("connection caps (connections released)")


def main():
    global PORT
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    a = ap.parse_args()
    tmp = harness.make_tmp("ebb-limits-")
    srv = harness.Ebbd(os.path.abspath(a.ebbd), os.path.join(tmp, "data"), tmp, extra_args=LIMIT_ARGS)
    t0 = time.monotonic()
    try:
        srv.start()
        PORT = srv.port
        for fn in (header_limits, slowloris, trickled_body, body_limits, long_poll_cap, connection_caps):
            t = time.monotonic()
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                import traceback
                check(f"section {fn.__name__}", False, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")
            print(f"-- {fn.__name__}: {time.monotonic() - t:.1f}s", flush=True)
        check("ebbd still running", srv.alive(), srv.log_tail())
    finally:
        rc = srv.stop()
        if FAILED:
            print(srv.log_tail(30))
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    check("ebbd stopped cleanly on SIGTERM", rc == 0, f"exit status {rc}")
    print(f"http_limits: {PASSED[0]} passed, {len(FAILED)} failed ({time.monotonic() - t0:.0f}s)")
    if FAILED:
        print("failed checks:\n  " + "\n  ".join(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
