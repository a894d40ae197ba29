"""A fake of ebbd's native API for the `ebb` CLI's formatting tests (cli_services_test.py,
cli_batch_test.py): an http.server on 127.0.0.1:0 in a thread that answers from a state
dict, records every request, and can run hooks after the n-th request to a path (to
script changes seen by `--watch`, `logs -f` and `wait`). Also the test runner and the
small assertion helpers both files use.

A test module subclasses FakeApi with its `dispatch(method, path, query, body)` and gives
it a `fresh_state()` that returns the initial state; the state must hold the keys
"hooks", "counts", "requests" and "fail" (path -> (status, answer) to force an error).
"""
import http.server
import json
import os
import re
import subprocess
import threading
import traceback
import urllib.parse


class FakeApi:
    def __init__(self, fresh_state):
        self.fresh_state = fresh_state
        self.lock = threading.Lock()
        self.state = fresh_state()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake.lock:
                    status, data = fake.route(method, self.path, body)  # serialised before any hook ran
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self):
        with self.lock:
            self.state = self.fresh_state()

    def after(self, method, path, n, fn):
        """Calls fn(state) after the n-th `method path` request has been answered."""
        with self.lock:
            self.state["hooks"].append((method, path, n, fn))

    def requests(self, method=None, prefix=""):
        with self.lock:
            return [r for r in self.state["requests"] if (method is None or r[0] == method) and r[1].startswith(prefix)]

    def route(self, method, full_path, body):
        s = self.state
        s["requests"].append((method, full_path, body))
        url = urllib.parse.urlsplit(full_path)
        path = urllib.parse.unquote(url.path)
        key = (method, path)
        s["counts"][key] = s["counts"].get(key, 0) + 1
        try:
            if path in s["fail"]:
                status, answer = s["fail"][path]
            else:
                status, answer = self.dispatch(method, path, urllib.parse.parse_qs(url.query), body)
            return status, json.dumps(answer).encode()
        finally:
            for m, p, n, fn in s["hooks"]:
                if (m, p) == key and s["counts"][key] == n:
                    fn(s)

    def dispatch(self, method, path, query, body):
        raise NotImplementedError


def error_body(code, message):
    return {"error": {"code": code, "message": message, "details": []}}


def cli(ebb_path, fake):
    """Returns ebb(*args, env=None, timeout=30, server=True) -> (rc, stdout, stderr), which
    runs the real CLI against the fake (unless server=False) without EBB_SERVER or
    EBB_WATCH_MAX_SECONDS from the caller's environment."""
    def ebb(*args, env=None, timeout=30, server=True):
        argv = [ebb_path] + list(args)
        if server:
            argv += ["--server", fake.url]
        e = dict(os.environ)
        e.pop("EBB_SERVER", None)
        e.pop("EBB_WATCH_MAX_SECONDS", None)
        if env:
            e.update(env)
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e)
        return p.returncode, p.stdout, p.stderr
    return ebb


def expect(cond, what, *context):
    if not cond:
        raise AssertionError(what + "".join("\n--- %s" % (c,) for c in context))


def cells(line):
    """Table cells: columns are separated by three or more spaces."""
    return [c for c in re.split(r" {3,}", line.strip()) if c]


def run_tests(fake, namespace):
    """Runs every test_* function of `namespace` (a module's globals()) in name order, each
    on a fresh state; prints ok/FAIL lines and returns the exit status."""
    tests = [(n, f) for n, f in sorted(namespace.items()) if n.startswith("test_") and callable(f)]
    failed = 0
    for name, fn in tests:
        fake.reset()
        try:
            fn()
            print("ok   %s" % name)
        except Exception:
            failed += 1
            print("FAIL %s" % name)
            traceback.print_exc()
    print("%d/%d passed" % (len(tests) - failed, len(tests)))
    fake.server.shutdown()
    return 1 if failed else 0
