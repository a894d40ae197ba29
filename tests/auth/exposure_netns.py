#!/usr/bin/env python3
"""Non-loopback listeners (reliability.md §4.1), inside a private network namespace.

The script re-runs itself under `unshare -n`: a fresh namespace whose only interface is
its own loopback, so ebbd can bind 0.0.0.0 (a non-loopback address for ebbd's checks)
while nothing outside the namespace can reach it. Then:

  --listen 0.0.0.0:0 without TLS or --allow-insecure-remote: refused (exit 2), the
  message names --tls-cert and --allow-insecure-remote;
  --listen 0.0.0.0:0 with --tls-cert/--tls-key: starts, serves https, /ui/session has
  no insecureRemote;
  --listen 0.0.0.0:0 --allow-insecure-remote: starts, warns in its log, /ui/session
  says insecureRemote (with and without a session), and the dashboard script draws the
  banner from it.

Needs root (unshare -n) and the openssl CLI; exits 77 (skip) where unshare is refused.
Usage: exposure_netns.py --ebbd PATH
"""
import argparse
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def start(ebbd, tmp, name, args):
    data = os.path.join(tmp, name)
    port_file = os.path.join(tmp, name + ".port")
    log = open(os.path.join(tmp, name + ".log"), "wb")
    p = subprocess.Popen([ebbd, "--listen", "0.0.0.0:0", "--data-dir", data, "--port-file", port_file, *args],
                         stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return p, None
        try:
            with open(port_file) as f:
                txt = f.read()
            if txt.endswith("\n"):
                return p, int(txt.strip().rpartition(":")[2])
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return p, None


def log_of(tmp, name):
    with open(os.path.join(tmp, name + ".log"), errors="replace") as f:
        return f.read()


def get(url, ctx=None):
    try:
        with urllib.request.urlopen(url, timeout=10, context=ctx) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def inside(ebbd):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tmp = tempfile.mkdtemp(prefix="ebb-netns-")
    procs = []
    try:
        # Refused: plain HTTP, non-loopback, no opt-in.
        p, port = start(ebbd, tmp, "plain", ["--auth", "sigv4"])
        procs.append(p)
        rc = p.wait(timeout=30) if port is None else None
        text = log_of(tmp, "plain")
        check(rc == 2 and "--tls-cert" in text and "--allow-insecure-remote" in text,
              f"0.0.0.0 without TLS or --allow-insecure-remote is refused (exit {rc})")

        # With TLS: starts without --allow-insecure-remote.
        def openssl(*a):
            subprocess.run(["openssl", *a], cwd=tmp, check=True, capture_output=True, timeout=60)
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        p, port = start(ebbd, tmp, "tls", ["--auth", "sigv4", "--tls-cert", cert, "--tls-key", key])
        procs.append(p)
        check(port is not None, "0.0.0.0 with --tls-cert/--tls-key starts without --allow-insecure-remote")
        if port is not None:
            ctx = ssl.create_default_context(cafile=cert)
            st, body = get(f"https://127.0.0.1:{port}/ui/session", ctx)
            check(st == 401 and "insecureRemote" not in body, f"TLS: /ui/session has no insecureRemote ({st} {body})")
            check("plain HTTP on a non-loopback" not in log_of(tmp, "tls"), "TLS: no insecure warning in the log")
        stop(p)

        # Opted in: plain HTTP on 0.0.0.0, the dashboard is told to warn.
        p, port = start(ebbd, tmp, "insecure", ["--auth", "sigv4", "--allow-insecure-remote"])
        procs.append(p)
        check(port is not None, "0.0.0.0 with --allow-insecure-remote starts")
        if port is not None:
            st, body = get(f"http://127.0.0.1:{port}/ui/session")
            j = json.loads(body) if body.startswith("{") else {}
            check(st == 401 and j.get("insecureRemote") is True,
                  f"/ui/session (not logged in) says insecureRemote ({st} {body})")
            st, js = get(f"http://127.0.0.1:{port}/ui/app.js")
            check(st == 200 and "insecure-banner" in js and "body.insecureRemote" in js,
                  "the dashboard script draws the banner from insecureRemote")
            check("plain HTTP on a non-loopback" in log_of(tmp, "insecure"), "the start logs the insecure warning")
        stop(p)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED' if failures else 'PASSED'}: {len(failures)} failure(s)", flush=True)
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    a = ap.parse_args()
    if os.environ.get("EBB_IN_NETNS") == "1":
        return inside(os.path.abspath(a.ebbd))
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        print("SKIP: unshare or ip not installed", flush=True)
        return SKIP
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        print(f"SKIP: cannot create a network namespace ({probe.stderr.decode().strip()})", flush=True)
        return SKIP
    env = dict(os.environ, EBB_IN_NETNS="1")
    return subprocess.run(["unshare", "-n", sys.executable, os.path.abspath(__file__), "--ebbd", a.ebbd],
                          env=env, timeout=240).returncode


if __name__ == "__main__":
    sys.exit(main())
