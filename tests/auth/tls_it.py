#!/usr/bin/env python3
"""ebbd with TLS (reliability.md §4.1-4.2, docs/security.md), checked with real clients.

A throwaway CA and a server certificate for IP:127.0.0.1 are made with the `openssl`
CLI in a temp dir; ebbd runs with --tls-cert/--tls-key and --auth sigv4. Then:

  start-up refusals: a missing cert, a key that does not match, --tls-cert alone;
  SQS over https with the CA trusted: /usr/bin/python3 boto3 (Query protocol),
  PATH python3 boto3 (JSON), /usr/bin/aws and PATH aws (--ca-bundle), node
  @aws-sdk/client-sqs (NODE_EXTRA_CA_CERTS), curl --cacert --aws-sigv4;
  verification really happens: boto3 and curl with only the system store refuse;
  openssl s_client: -tls1_1 fails the handshake, -tls1_2 and -tls1_3 work;
  plain http:// to the port gets no answer and the server stays healthy;
  a TCP connection that never handshakes is closed at the header deadline (2 s here);
  dashboard login over https: cookie __Host-ebb_session; Secure; Path=/; HttpOnly;
  SameSite=Strict, and a request with it works;
  the ebb CLI: `ebb get queues` over https with --ca-file / EBB_CA_FILE; a clear error
  without them;
  a Job whose worker is /usr/bin/python3 boto3 sends a message with only the
  environment ebbd gives it (AWS_ENDPOINT_URL https://, AWS_CA_BUNDLE).

Clients that are not installed (JSON python/aws, node) are reported and skipped; the
rest must pass. Usage: tls_it.py --ebbd PATH --ebb PATH (Debian's /usr/bin/python3).
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

import boto3  # noqa: E402  (Debian's python3-boto3: Query protocol)
import botocore.exceptions  # noqa: E402
from botocore.config import Config  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def sh(*argv, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 60)
    return subprocess.run(list(argv), **kw)


def make_pki(d):
    """CA, server key+cert (SAN IP:127.0.0.1, DNS:localhost) signed by it, a chain file
    (leaf then CA), and an unrelated key for the mismatch check."""
    def openssl(*args):
        r = sh("openssl", *args, cwd=d)
        if r.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr}")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=ebb test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    with open(os.path.join(d, "chain.pem"), "w") as out:
        for name in ("server.pem", "ca.pem"):
            with open(os.path.join(d, name)) as f:
                out.write(f.read())
    openssl("genpkey", "-algorithm", "RSA", "-out", "other.key")
    return {k: os.path.join(d, v) for k, v in
            {"ca": "ca.pem", "cert": "server.pem", "key": "server.key", "chain": "chain.pem",
             "other_key": "other.key"}.items()}


def refused_start(ebbd, tmp, args, want, what):
    r = sh(ebbd, "--listen", "127.0.0.1:0", "--data-dir", os.path.join(tmp, "refused"), "--auth", "sigv4", *args,
           timeout=30)
    check(r.returncode == 2 and want in r.stderr, f"{what}: exit {r.returncode}, names {want!r}: "
          f"{r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--ebb", required=True)
    a = ap.parse_args()
    tmp = harness.make_tmp("ebb-tls-")
    pki_dir = os.path.join(tmp, "pki")
    os.makedirs(pki_dir)
    srv = None
    try:
        pki = make_pki(pki_dir)
        missing = os.path.join(pki_dir, "missing.pem")
        refused_start(a.ebbd, tmp, ["--tls-cert", missing, "--tls-key", pki["key"]], missing,
                      "a missing --tls-cert refuses to start")
        refused_start(a.ebbd, tmp, ["--tls-cert", pki["chain"], "--tls-key", pki["other_key"]],
                      "does not match", "a key that does not match the certificate refuses to start")
        refused_start(a.ebbd, tmp, ["--tls-cert", pki["chain"]], "--tls-cert needs --tls-key",
                      "--tls-cert without --tls-key refuses to start")
        refused_start(a.ebbd, tmp, ["--tls-cert", pki["ca"] + ".nope", "--tls-key", pki["key"]],
                      pki["ca"] + ".nope", "an unreadable certificate names the file")

        srv = harness.Ebbd(a.ebbd, os.path.join(tmp, "data"), tmp, auth="sigv4", ca_file=pki["ca"],
                           extra_args=["--tls-cert", pki["chain"], "--tls-key", pki["key"],
                                       "--http-header-timeout", "2"])
        endpoint = srv.start()
        check(endpoint.startswith("https://127.0.0.1:"), f"the endpoint is https ({endpoint})")
        run(a, srv, pki, tmp)
        # Still healthy after everything above.
        ctx = ssl.create_default_context(cafile=pki["ca"])
        with urllib.request.urlopen(srv.endpoint + "/healthz", timeout=5, context=ctx) as r:
            check(r.status == 200, "/healthz over https still answers at the end")
        check(srv.alive(), "ebbd is still running")
        check(srv.stop() == 0, "ebbd stops cleanly on SIGTERM")
    except Exception as e:  # noqa: BLE001 — report and fail, with the server's log
        check(False, f"unexpected error: {e!r}")
        if srv:
            print(srv.log_tail(), flush=True)
    finally:
        if srv:
            srv.kill()
        if os.environ.get("EBB_KEEP_TMP"):
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED' if failures else 'PASSED'}: {len(failures)} failure(s)", flush=True)
    return 1 if failures else 0


def run(a, srv, pki, tmp):
    endpoint = srv.endpoint
    key, secret = srv.admin_credentials()
    port = srv.port
    env = harness.client_env(endpoint, tmp)
    env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})

    # --- boto3, Query protocol (Debian's), verify = the CA file
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                       aws_secret_access_key=secret, verify=pki["ca"],
                       config=Config(retries={"max_attempts": 1}))
    url = sqs.create_queue(QueueName="tls-q")["QueueUrl"]
    check(url.startswith("https://127.0.0.1:"), f"queue URLs are https ({url})")
    sqs.send_message(QueueUrl=url, MessageBody="over-tls")
    msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    check([m["Body"] for m in msgs] == ["over-tls"], "boto3 (Query) sends and receives over https")
    for m in msgs:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    # --- verification really happens: the system store does not know our CA
    plain = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                         aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))
    try:
        plain.list_queues()
        check(False, "boto3 without the CA must refuse the certificate")
    except botocore.exceptions.SSLError as e:
        check("CERTIFICATE_VERIFY_FAILED" in str(e), f"boto3 without the CA refuses the certificate ({str(e)[:120]})")

    # --- boto3, JSON protocol (the python3 first on PATH)
    json_py, _ = harness.find_json_python()
    if json_py:
        code = ("import boto3,os;"
                "c=boto3.client('sqs',endpoint_url=os.environ['ENDPOINT'],region_name='us-east-1',verify=os.environ['CA']);"
                "assert c.meta.service_model.protocol=='json',c.meta.service_model.protocol;"
                "u=c.get_queue_url(QueueName='tls-q')['QueueUrl'];c.send_message(QueueUrl=u,MessageBody='json-tls');"
                "print(sorted(c.list_queues()['QueueUrls']))")
        r = sh(json_py, "-c", code, env={**env, "CA": pki["ca"]})
        check(r.returncode == 0 and "tls-q" in r.stdout, f"boto3 (JSON, {json_py}) over https: {r.stdout.strip()} {r.stderr.strip()[-300:]}")
    else:
        print("skip boto3 JSON: no JSON-protocol python3/boto3 on PATH besides Debian's", flush=True)

    # --- AWS CLI: Debian's (Query) and the one on PATH (JSON)
    clis = [("/usr/bin/aws", "Query")]
    json_aws, _ = harness.find_json_aws()
    if json_aws:
        clis.append((json_aws, "JSON"))
    else:
        print("skip aws JSON: no JSON-protocol AWS CLI on PATH besides Debian's", flush=True)
    for aws, proto in clis:
        if not os.path.exists(aws):
            print(f"skip {aws}: not installed", flush=True)
            continue
        r = sh(aws, "--endpoint-url", endpoint, "--ca-bundle", pki["ca"], "sqs", "send-message",
               "--queue-url", url, "--message-body", f"aws-{proto}", env=env)
        check(r.returncode == 0 and "MessageId" in r.stdout, f"{aws} ({proto}) --ca-bundle send-message: {r.stderr.strip()[-200:]}")
        r = sh(aws, "--endpoint-url", endpoint, "sqs", "list-queues", env=env)
        check(r.returncode != 0 and ("CERTIFICATE_VERIFY_FAILED" in r.stderr or "SSL" in r.stderr),
              f"{aws} without --ca-bundle refuses the certificate ({r.stderr.strip()[-120:]})")

    # --- node @aws-sdk/client-sqs with NODE_EXTRA_CA_CERTS
    node = harness.find_node()
    check(not node or harness.node_sdk_present(),
          "node is installed, so tests/js/node_modules holds @aws-sdk/client-sqs (scripts/install-deps.sh)")
    if node and harness.node_sdk_present():
        script = os.path.join(tmp, "sdk_tls.mjs")
        with open(script, "w") as f:
            f.write(
                'import { createRequire } from "node:module";\n'
                'const require = createRequire(process.env.EBB_JS_DIR + "/package.json");\n'
                'const S = require("@aws-sdk/client-sqs");\n'
                'const c = new S.SQSClient({ region: "us-east-1", endpoint: process.env.ENDPOINT, maxAttempts: 1 });\n'
                'const u = (await c.send(new S.GetQueueUrlCommand({ QueueName: "tls-q" }))).QueueUrl;\n'
                'await c.send(new S.SendMessageCommand({ QueueUrl: u, MessageBody: "node-tls" }));\n'
                'console.log("sent", u);\n')
        r = sh(node, script, env={**env, "NODE_EXTRA_CA_CERTS": pki["ca"], "EBB_JS_DIR": harness.JS_DIR})
        check(r.returncode == 0 and "sent https://" in r.stdout,
              f"@aws-sdk/client-sqs over https with NODE_EXTRA_CA_CERTS: {r.stdout.strip()} {r.stderr.strip()[-300:]}")
        r = sh(node, script, env={**env, "EBB_JS_DIR": harness.JS_DIR})
        check(r.returncode != 0 and ("self-signed" in r.stderr or "certificate" in r.stderr),
              f"@aws-sdk/client-sqs without the CA refuses ({r.stderr.strip().splitlines()[0][:120] if r.stderr.strip() else ''})")
    else:
        print("skip node: not installed", flush=True)

    # --- curl --cacert --aws-sigv4 (Query)
    curl_base = ["curl", "-sS", "--max-time", "20", "--aws-sigv4", "aws:amz:us-east-1:sqs", "--user", f"{key}:{secret}",
                 "-H", "Content-Type: application/x-www-form-urlencoded",
                 "--data", "Action=ListQueues&Version=2012-11-05"]
    r = sh(*curl_base, "--cacert", pki["ca"], endpoint + "/")
    check(r.returncode == 0 and "tls-q" in r.stdout, f"curl --cacert --aws-sigv4 ListQueues: {r.stderr.strip()}")
    r = sh(*curl_base, endpoint + "/")
    check(r.returncode == 60, f"curl without --cacert refuses the certificate (exit {r.returncode}: {r.stderr.strip()[:100]})")

    # All the messages the clients sent are there.
    got = set()
    for _ in range(10):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            got.add(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(got) >= 2:
            break
    check("aws-Query" in got, f"messages sent by the other clients arrived ({sorted(got)})")

    # --- protocol versions (openssl s_client)
    def s_client(*flags):
        return sh("openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", pki["ca"], *flags,
                  input="", timeout=20)
    # SECLEVEL=0 lets the client offer the old versions at all (Debian's default would
    # refuse on the client side): the refusal must come from ebbd.
    for flag in ("-tls1_1", "-tls1"):
        r = s_client(flag, "-cipher", "DEFAULT@SECLEVEL=0")
        out = r.stdout + r.stderr
        check(r.returncode != 0 and "protocol version" in out,
              f"openssl s_client {flag} fails the handshake with a protocol-version alert (exit {r.returncode}: "
              f"{[ln for ln in out.splitlines() if 'error' in ln][:1]})")
    r = s_client("-tls1_2")
    check(r.returncode == 0 and "Verify return code: 0 (ok)" in r.stdout and "TLSv1.2" in r.stdout,
          f"openssl s_client -tls1_2 works and verifies (exit {r.returncode})")
    r = s_client("-tls1_3")
    check(r.returncode == 0 and "TLSv1.3" in r.stdout, f"openssl s_client -tls1_3 works (exit {r.returncode})")

    # --- plain HTTP to the TLS port: no answer, the server stays healthy
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            check(False, f"plain http:// got an answer ({resp.status})")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
        check(True, f"plain http:// to the TLS port gets no answer ({type(e).__name__})")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        check(b"HTTP/1.1 200" not in data, f"a raw plain request gets no HTTP answer ({data[:40]!r})")
    ctx = ssl.create_default_context(cafile=pki["ca"])
    with urllib.request.urlopen(endpoint + "/healthz", timeout=5, context=ctx) as resp:
        check(resp.status == 200 and srv.alive(), "after plain HTTP the server still answers over https")

    # --- a TCP connection that never handshakes is closed by the header deadline (2 s)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        t0 = time.monotonic()
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""  # closed (with a reset): fine
        except socket.timeout:
            data = b"?"
        waited = time.monotonic() - t0
        check(data == b"" and waited < 25, f"a silent TCP connection is closed by the header deadline ({waited:.1f} s)")

    # --- the ebb CLI over https
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)

    def cli(*args, extra=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("EBB_", "AWS_", "XDG_", "STATE_DIRECTORY"))}
        e.update({"HOME": home, "EBB_SERVER": endpoint, "EBB_DATA_DIR": srv.data_dir})
        e.update(extra or {})
        return sh(a.ebb, *args, env=e, timeout=30)
    r = cli("get", "queues", "--ca-file", pki["ca"])
    check(r.returncode == 0 and "tls-q" in r.stdout, f"ebb get queues --ca-file over https: {r.stdout.strip()} {r.stderr.strip()}")
    r = cli("get", "queues", extra={"EBB_CA_FILE": pki["ca"]})
    check(r.returncode == 0 and "tls-q" in r.stdout, f"ebb get queues with EBB_CA_FILE: {r.stderr.strip()}")
    r = cli("get", "queues")
    check(r.returncode == 3 and "TLS" in r.stderr and "--ca-file" in r.stderr,
          f"ebb without the CA: exit 3 and a clear error ({r.returncode}: {r.stderr.strip()})")
    r = cli("get", "queues", "--ca-file", os.path.join(tmp, "nope.pem"))
    check(r.returncode == 2 and "nope.pem" in r.stderr, f"an unreadable --ca-file is named ({r.stderr.strip()})")

    # --- dashboard session cookie under TLS
    r = cli("token", "create", "--scope", "write", "--name", "ui", extra={"EBB_CA_FILE": pki["ca"]})
    token = r.stdout.strip().split()[-1] if r.returncode == 0 else ""
    check(token.startswith("ebb_"), f"ebb token create over https ({r.stderr.strip()})")
    jar = os.path.join(tmp, "cookies.txt")
    r = sh("curl", "-sS", "-i", "--cacert", pki["ca"], "-c", jar, "-H", "Content-Type: application/json",
           "--data", json.dumps({"token": token}), endpoint + "/ui/login")
    set_cookie = [ln.strip() for ln in r.stdout.splitlines() if ln.lower().startswith("set-cookie:")]
    check(len(set_cookie) == 1 and set_cookie[0].split(":", 1)[1].strip().startswith("__Host-ebb_session="),
          f"login over https sets __Host-ebb_session ({set_cookie})")
    attrs = set(p.strip() for p in set_cookie[0].split(";")[1:]) if set_cookie else set()
    check({"Secure", "Path=/", "HttpOnly", "SameSite=Strict"} <= attrs and not any(x.startswith("Domain") for x in attrs),
          f"the cookie is Secure; Path=/; HttpOnly; SameSite=Strict, no Domain ({sorted(attrs)})")
    r = sh("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki["ca"], "-b", jar,
           endpoint + "/api/v1/queues")
    check(r.stdout == "200", f"a request with the session cookie is authenticated ({r.stdout})")
    r = sh("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki["ca"], endpoint + "/api/v1/queues")
    check(r.stdout == "401", f"without it: 401 ({r.stdout})")

    # --- a Job's worker (as the task user) reaches ebbd over https with what ebbd gives it
    worker = ("import boto3,os;"
              "c=boto3.client('sqs',endpoint_url=os.environ['AWS_ENDPOINT_URL']);"
              "u=c.get_queue_url(QueueName='tls-q')['QueueUrl'];"
              "c.send_message(QueueUrl=u,MessageBody='from-task');"
              "print('endpoint',os.environ['AWS_ENDPOINT_URL'],'bundle',os.environ.get('AWS_CA_BUNDLE'))")
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "tls-worker"},
           "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [{
               "name": "c", "command": ["/usr/bin/python3", "-c", worker]}]}}}}
    manifest = os.path.join(tmp, "job.json")
    with open(manifest, "w") as f:
        json.dump(job, f)
    os.chmod(manifest, 0o644)
    r = cli("apply", "-f", manifest, extra={"EBB_CA_FILE": pki["ca"]})
    check(r.returncode == 0, f"ebb apply the job over https ({r.stderr.strip()})")
    r = cli("wait", "job/tls-worker", "--for", "condition=Complete", "--timeout", "60s", extra={"EBB_CA_FILE": pki["ca"]})
    logs = cli("logs", "job/tls-worker", extra={"EBB_CA_FILE": pki["ca"]})
    check(r.returncode == 0, f"the job completed ({r.stdout.strip()} {r.stderr.strip()})\n{logs.stdout}{logs.stderr}")
    check("endpoint https://127.0.0.1:" in logs.stdout and "bundle /" in logs.stdout,
          f"the task got an https AWS_ENDPOINT_URL and AWS_CA_BUNDLE: {logs.stdout.strip()[-300:]}")
    got = []
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if "from-task" in got:
            break
    check("from-task" in got, f"the task's message arrived ({got})")


if __name__ == "__main__":
    sys.exit(main())
