#!/usr/bin/env python3
"""Native API (/api/v1), CLI and /metrics authentication (reliability.md §4.2,
docs/security.md), against a real ebbd --auth sigv4 and the real `ebb` CLI:

  no credentials -> 401 (JSON error) on /api/v1 and /metrics; /healthz stays public;
  the CLI works by default: it finds <data dir>/credentials as ebbd does (EBB_DATA_DIR)
  and signs with SigV4 service "ebb" (query strings included); without it: 401;
  SigV4 "ebb" with the admin key (botocore) works; a wrong secret, service "sqs"
  or an unknown key -> 401;
  `ebb token create` prints a token once; the store holds its SHA-256, not the token;
  read token: GET and /metrics ok, POST -> 403, token management -> 403;
  write token: POST ok, minting tokens -> 403; --token and EBB_TOKEN both work;
  revoked -> 401; expired (2 s expiry) -> 401; `ebb token list` shows no secret;
  restart on the same data dir: live tokens still work, revoked ones still do not;
  10 wrong tokens from one address -> the 11th request gets 429 (a valid token too);
  --auth none on the same data dir: open as before.

Usage: native_tokens.py --ebbd PATH --ebb PATH  (manages its own ebbd; Debian's
/usr/bin/python3 for botocore).
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

from botocore.auth import SigV4Auth  # noqa: E402  (Debian's python3-botocore)
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Client:
    def __init__(self, endpoint):
        self.e = endpoint

    def http(self, method, path, token=None, body=None, headers=None):
        h = dict(headers or {})
        if body is not None:
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.e + path, method=method, headers=h,
                                     data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def signed(self, method, path, key, secret, service="ebb", body=None):
        data = None if body is None else json.dumps(body).encode()
        req = AWSRequest(method=method, url=self.e + path, data=data,
                         headers={"Content-Type": "application/json"} if data else {})
        SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(req)
        p = req.prepare()
        r = urllib.request.Request(p.url, method=method, headers=dict(p.headers), data=data)
        try:
            with urllib.request.urlopen(r, timeout=15) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--ebb", required=True)
    a = ap.parse_args()
    tmp = harness.make_tmp("ebb-auth-native-")
    data = os.path.join(tmp, "data")
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    srv = harness.Ebbd(a.ebbd, data, tmp, auth="sigv4")
    try:
        return run(a, srv, data, home)
    finally:
        srv.kill()
        if os.environ.get("EBB_KEEP_TMP"):
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(a, srv, data, home):
    endpoint = srv.start()
    c = Client(endpoint)
    key, secret = srv.admin_credentials()

    def cli(*args, token=None, env_extra=None, default_creds=True, stdin=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("EBB_", "AWS_", "XDG_", "STATE_DIRECTORY"))}
        env["HOME"] = home  # no ~/.local/share/ebb/credentials here
        env["EBB_SERVER"] = srv.endpoint
        if default_creds:
            env["EBB_DATA_DIR"] = data  # what an operator's shell has; the CLI finds credentials there
        if token:
            env["EBB_TOKEN"] = token
        env.update(env_extra or {})
        return subprocess.run([a.ebb, *args], capture_output=True, text=True, timeout=30, env=env, input=stdin)

    # --- no credentials
    st, body, hdrs = c.http("GET", "/api/v1/queues")
    err = json.loads(body).get("error", {}) if body.startswith("{") else {}
    check(st == 401 and err.get("code") == "Unauthorized" and "bearer token" in err.get("message", ""),
          f"no credentials: GET /api/v1/queues 401 with a JSON error ({st} {body.strip()[:160]})")
    check("Bearer" in hdrs.get("WWW-Authenticate", ""), "401 carries WWW-Authenticate: Bearer")
    check(c.http("GET", "/metrics")[0] == 401, "no credentials: /metrics 401")
    check(c.http("POST", "/api/v1/queues/orders/messages", body={"body": "x"})[0] == 401,
          "no credentials: POST 401")
    check(c.http("GET", "/healthz")[0] == 200, "/healthz stays public")

    # --- the CLI by default (credentials file found through the data dir)
    r = cli("apply", "-f", "-", stdin="apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: orders\n")
    check(r.returncode == 0, f"CLI, default credentials: apply creates a queue ({r.stderr.strip()[:200]})")
    r = cli("get", "queues")
    check(r.returncode == 0 and "orders" in r.stdout, f"CLI, default credentials: get queues ({r.stderr.strip()[:200]})")
    r = cli("get", "tasks", "--owner", "service/x y", "-a")
    check(r.returncode == 0, f"CLI signs a query string with an escaped space ({r.stderr.strip()[:200]})")
    r = cli("queue", "send", "orders", "--body", "hello from the cli")
    check(r.returncode == 0, f"CLI, default credentials: queue send ({r.stderr.strip()[:200]})")
    r = cli("get", "queues", default_creds=False)
    check(r.returncode == 1 and "Unauthorized" in r.stderr and "hint" in r.stderr,
          f"CLI without credentials: exit 1, Unauthorized and a hint ({r.returncode} {r.stderr.strip()[:200]})")
    r = cli("get", "queues", default_creds=False,
            env_extra={"EBB_CREDENTIALS_FILE": os.path.join(data, "credentials")})
    check(r.returncode == 0 and "orders" in r.stdout, "CLI with EBB_CREDENTIALS_FILE")

    # --- SigV4, service "ebb"
    st, body = c.signed("GET", "/api/v1/queues?limit=5", key, secret)
    check(st == 200 and "orders" in body, f"SigV4 service ebb, admin key: 200 ({st} {body[:120]})")
    st, _ = c.signed("POST", "/api/v1/queues/orders/messages", key, secret, body={"body": "signed"})
    check(st == 200, f"SigV4 service ebb, admin key: POST with a body 200 ({st})")
    st, body = c.signed("GET", "/api/v1/queues", key, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    check(st == 401 and "SignatureDoesNotMatch" in body, f"SigV4 with a wrong secret: 401 ({st} {body[:160]})")
    st, _ = c.signed("GET", "/api/v1/queues", key, secret, service="sqs")
    check(st == 401, f"SigV4 with service sqs on the native API: 401 ({st})")
    st, _ = c.signed("GET", "/metrics", key, secret)
    check(st == 200, f"SigV4 service ebb on /metrics: 200 ({st})")

    # --- tokens
    r = cli("token", "create", "--scope", "read", "--name", "ci reader")
    read_tok = r.stdout.strip()
    check(r.returncode == 0 and read_tok.startswith("ebb_") and len(read_tok) == 47 and "shown only now" in r.stderr,
          f"ebb token create prints a 256-bit token once ({r.returncode} {r.stderr.strip()[:200]})")
    db = os.path.join(data, "ebb.db")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = [v.decode() if isinstance(v, bytes) else v
            for (v,) in con.execute("SELECT value FROM records WHERE kind = 'token'")]
    con.close()
    digest = hashlib.sha256(read_tok.encode()).hexdigest()
    check(len(rows) == 1 and digest in rows[0] and read_tok not in rows[0],
          f"the store holds the token's SHA-256, not the token ({rows})")
    raw = b"".join(open(p, "rb").read() for p in glob.glob(db + "*"))
    check(read_tok.encode() not in raw and read_tok[4:].encode() not in raw,
          "the token's text is nowhere in the database files (db, WAL)")

    check(c.http("GET", "/api/v1/queues", token=read_tok)[0] == 200, "read token: GET /api/v1/queues 200")
    check(c.http("GET", "/metrics", token=read_tok)[0] == 200, "read token: /metrics 200")
    st, body, _ = c.http("POST", "/api/v1/queues/orders/messages", token=read_tok, body={"body": "x"})
    check(st == 403 and "AccessDenied" in body, f"read token: POST 403 AccessDenied ({st} {body.strip()[:160]})")
    check(c.http("DELETE", "/api/v1/queues/orders", token=read_tok)[0] == 403, "read token: DELETE 403")
    check(c.http("GET", "/api/v1/tokens", token=read_tok)[0] == 403, "read token: token list 403")
    r = cli("get", "queues", token=read_tok, default_creds=False)
    check(r.returncode == 0 and "orders" in r.stdout, "CLI with EBB_TOKEN (read): get queues")
    r = cli("--token", read_tok, "queue", "send", "orders", "--body", "x", default_creds=False)
    check(r.returncode == 1 and "AccessDenied" in r.stderr, f"CLI --token (read): send refused ({r.stderr.strip()[:160]})")

    r = cli("token", "create", "--scope", "write", "--expires", "1h")
    write_tok = r.stdout.strip()
    check(r.returncode == 0 and write_tok.startswith("ebb_"), "ebb token create --scope write --expires 1h")
    st, _, _ = c.http("POST", "/api/v1/queues/orders/messages", token=write_tok, body={"body": "x"})
    check(st == 200, f"write token: POST send 200 ({st})")
    r = cli("--token", write_tok, "queue", "send", "orders", "--body", "y", default_creds=False)
    check(r.returncode == 0, f"CLI --token (write): send ({r.stderr.strip()[:160]})")
    check(c.http("POST", "/api/v1/tokens", token=write_tok, body={"scope": "admin"})[0] == 403,
          "write token cannot mint tokens (403)")
    r = cli("token", "create", "--scope", "admin", "--name", "ops")
    admin_tok = r.stdout.strip()
    st, body, _ = c.http("POST", "/api/v1/tokens", token=admin_tok, body={"scope": "read", "expiresInSeconds": 60})
    check(st == 201 and json.loads(body).get("token", "").startswith("ebb_"), f"admin token mints tokens ({st})")
    check(c.http("POST", "/api/v1/tokens", token=admin_tok, body={"scope": "root"})[0] == 400, "scope root: 400")
    check(cli("token", "create", "--expires", "0").returncode != 0, "--expires 0 refused")

    r = cli("token", "list")
    check(r.returncode == 0 and "ci reader" in r.stdout and "ebb_" not in r.stdout and digest not in r.stdout,
          "ebb token list names tokens, shows no secret or hash")
    tok_id = next((line.split()[0] for line in r.stdout.splitlines() if "ci reader" in line), "")
    r = cli("token", "revoke", tok_id)
    check(r.returncode == 0 and tok_id.startswith("tok_"), f"ebb token revoke {tok_id}")
    check(c.http("GET", "/api/v1/queues", token=read_tok)[0] == 401, "revoked token: 401")
    check(cli("token", "revoke", tok_id).returncode == 1, "revoking it again: NotFound, exit 1")

    r = cli("token", "create", "--expires", "2s")
    short = r.stdout.strip()
    check(r.returncode == 0 and c.http("GET", "/api/v1/queues", token=short)[0] == 200,
          "a 2 s token works at first")
    time.sleep(2.2)
    check(c.http("GET", "/api/v1/queues", token=short)[0] == 401, "expired token (2 s): 401")
    r = cli("token", "list")
    check("(expired)" in r.stdout, "ebb token list marks the expired token")

    # --- restart: tokens are durable
    check(srv.stop() == 0, "ebbd stops cleanly")
    srv.start()
    c = Client(srv.endpoint)
    check(c.http("GET", "/api/v1/queues", token=write_tok)[0] == 200, "after restart: write token still works")
    check(c.http("GET", "/api/v1/queues", token=read_tok)[0] == 401, "after restart: revoked token still refused")
    r = cli("get", "queues")
    check(r.returncode == 0 and "orders" in r.stdout, "after restart: CLI by default")

    # --- 10 failures per minute per address, then 429 (a fresh ebbd: the count is in memory)
    check(srv.stop() == 0, "ebbd stops cleanly")
    srv.start()
    c = Client(srv.endpoint)
    check(c.http("GET", "/api/v1/queues")[0] == 401, "no credentials at all is a 401, not a counted failure")
    codes = [c.http("GET", "/api/v1/queues", token="ebb_" + "x" * 43)[0] for _ in range(10)]
    check(codes == [401] * 10, f"10 wrong tokens: 401 each ({codes})")
    st, body, hdrs = c.http("GET", "/api/v1/queues", token=write_tok)
    check(st == 429 and "TooManyRequests" in body and int(hdrs.get("Retry-After", "0")) > 0,
          f"11th request from the address: 429 with Retry-After, even with a valid token ({st})")
    check(c.http("GET", "/healthz")[0] == 200, "/healthz is not rate limited")

    # --- --auth none on the same data dir: open as before
    check(srv.stop() == 0, "ebbd stops cleanly")
    srv.auth = "none"
    srv.start()
    c = Client(srv.endpoint)
    check(c.http("GET", "/api/v1/queues")[0] == 200, "--auth none: /api/v1 open")
    check(c.http("GET", "/metrics")[0] == 200, "--auth none: /metrics open")
    check(srv.stop() == 0, "ebbd stops cleanly")

    print(json.dumps({"failures": failures}), flush=True)
    if failures:
        print(srv.log_tail(40), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
