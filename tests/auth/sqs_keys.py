#!/usr/bin/env python3
"""SQS access keys with policies (reliability.md §3.2 step 12, docs/security.md "Access
keys"), against a real ebbd --auth sigv4, the real `ebb` CLI and real SQS clients:

  `ebb key create --role producer --queue 'orders-*'` prints export lines once; with
  Debian's boto3 (Query protocol) and a JSON-protocol boto3 (first python3 on PATH that
  is not Debian's; skipped when there is none) the producer key sends to orders-eu,
  gets 403 AccessDenied for ReceiveMessage, for a send to billing and for CreateQueue,
  and ListQueues shows only orders-*; a consumer key (--format credentials) receives
  and deletes but cannot send; the AWS CLI (/usr/bin/aws) with the producer key sends
  and is refused a receive; `ebb key list` shows no secret; the secrets are nowhere in
  ebb.db or its WAL; a write token cannot manage keys; a revoked key and an expired
  (2 s) key get InvalidClientTokenId; after a restart the keys and their policies hold.

Usage: sqs_keys.py --ebbd PATH --ebb PATH  (manages its own ebbd; run by Debian's
/usr/bin/python3). Internally it re-runs itself with --client under each boto3.
"""
import argparse
import configparser
import glob
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def sqs_client(endpoint, key, secret):
    import boto3
    from botocore.config import Config
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error_of(fn):
    from botocore.exceptions import ClientError
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], \
            e.response["Error"].get("Message", "")
    return "<no error>", 200, ""


def url_of(endpoint, name):
    return f"{endpoint}/000000000000/{name}"


# ------------------------------------------------------------------ client pass
def client_pass(endpoint, producer, consumer, tag):
    """The policy checks with one boto3 (the interpreter running this)."""
    import boto3
    p = sqs_client(endpoint, *producer)
    c = sqs_client(endpoint, *consumer)
    proto = p.meta.service_model.protocol
    print(f"client pass {tag}: boto3 {boto3.__version__}, protocol {proto}", flush=True)
    r = p.send_message(QueueUrl=url_of(endpoint, "orders-eu"), MessageBody=f"from {tag}")
    check("MessageId" in r, f"[{proto}] producer key (orders-*) sends to orders-eu")
    code, st, msg = error_of(lambda: p.receive_message(QueueUrl=url_of(endpoint, "orders-eu")))
    check((code, st) == ("AccessDenied", 403) and "ReceiveMessage" in msg,
          f"[{proto}] producer key: ReceiveMessage -> 403 AccessDenied naming the action ({code} {st} {msg})")
    code, st, msg = error_of(lambda: p.send_message(QueueUrl=url_of(endpoint, "billing"), MessageBody="x"))
    check((code, st) == ("AccessDenied", 403) and "billing" in msg,
          f"[{proto}] producer key: send to billing -> 403 AccessDenied naming the queue ({code} {st} {msg})")
    code, st, _ = error_of(lambda: p.create_queue(QueueName="orders-new"))
    check((code, st) == ("AccessDenied", 403), f"[{proto}] producer key: CreateQueue -> AccessDenied ({code})")
    urls = p.list_queues().get("QueueUrls", [])
    names = sorted(u.rsplit("/", 1)[1] for u in urls)
    check(names == ["orders-eu", "orders-us"], f"[{proto}] producer key: ListQueues shows only orders-* ({names})")
    check(p.get_queue_url(QueueName="orders-us")["QueueUrl"].endswith("/orders-us"),
          f"[{proto}] producer key: GetQueueUrl orders-us")
    code, _, _ = error_of(lambda: p.get_queue_url(QueueName="billing"))
    check(code == "AccessDenied", f"[{proto}] producer key: GetQueueUrl billing -> AccessDenied ({code})")

    got = c.receive_message(QueueUrl=url_of(endpoint, "orders-eu"), MaxNumberOfMessages=10,
                            WaitTimeSeconds=5).get("Messages", [])
    check(len(got) >= 1, f"[{proto}] consumer key receives ({len(got)} messages)")
    for m in got:
        c.delete_message(QueueUrl=url_of(endpoint, "orders-eu"), ReceiptHandle=m["ReceiptHandle"])
    check(True, f"[{proto}] consumer key deletes what it received")
    code, st, _ = error_of(lambda: c.send_message(QueueUrl=url_of(endpoint, "orders-eu"), MessageBody="x"))
    check((code, st) == ("AccessDenied", 403), f"[{proto}] consumer key: SendMessage -> 403 AccessDenied ({code} {st})")
    code, _, _ = error_of(lambda: c.purge_queue(QueueUrl=url_of(endpoint, "orders-eu")))
    check(code == "AccessDenied", f"[{proto}] consumer key: PurgeQueue -> AccessDenied ({code})")
    names = sorted(u.rsplit("/", 1)[1] for u in c.list_queues().get("QueueUrls", []))
    check("billing" in names, f"[{proto}] consumer key without patterns: ListQueues shows every queue ({names})")
    return 1 if failures else 0


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd")
    ap.add_argument("--ebb")
    ap.add_argument("--client", nargs=6, metavar=("ENDPOINT", "PKEY", "PSECRET", "CKEY", "CSECRET", "TAG"))
    a = ap.parse_args()
    if a.client:
        e, pk, ps, ck, cs, tag = a.client
        return client_pass(e, (pk, ps), (ck, cs), tag)
    import harness
    tmp = harness.make_tmp("ebb-sqs-keys-")
    data = os.path.join(tmp, "data")
    srv = harness.Ebbd(a.ebbd, data, tmp, auth="sigv4")
    try:
        return run(a, harness, srv, tmp, data)
    finally:
        srv.kill()
        if os.environ.get("EBB_KEEP_TMP"):
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(a, harness, srv, tmp, data):
    endpoint = srv.start()
    admin = srv.admin_credentials()
    home = os.path.join(tmp, "home")
    os.makedirs(home)

    def cli(*args, env_extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("EBB_", "AWS_", "XDG_", "STATE_DIRECTORY"))}
        env.update({"HOME": home, "EBB_SERVER": srv.endpoint, "EBB_DATA_DIR": data})
        env.update(env_extra or {})
        return subprocess.run([a.ebb, *args], capture_output=True, text=True, timeout=30, env=env)

    def client_env():
        env = harness.client_env(srv.endpoint, tmp)
        env.pop("AWS_ACCESS_KEY_ID", None)
        env.pop("AWS_SECRET_ACCESS_KEY", None)
        return env

    adm = sqs_client(endpoint, *admin)
    for q in ("orders-eu", "orders-us", "billing"):
        adm.create_queue(QueueName=q)

    # --- create
    r = cli("key", "create", "--role", "producer", "--queue", "orders-*", "--name", "shop")
    lines = dict(l.replace("export ", "", 1).split("=", 1) for l in r.stdout.splitlines() if l.startswith("export "))
    pkey, psecret = lines.get("AWS_ACCESS_KEY_ID", ""), lines.get("AWS_SECRET_ACCESS_KEY", "")
    check(r.returncode == 0 and pkey.startswith("EBB") and 19 <= len(pkey) <= 23 and pkey[3:].isalnum()
          and pkey.upper() == pkey and len(psecret) == 40 and "shown only now" in r.stderr,
          f"ebb key create --role producer prints export lines once ({r.returncode} {r.stdout!r} {r.stderr.strip()[:200]})")
    r = cli("key", "create", "--role", "consumer", "--name", "worker", "--format", "credentials")
    ini = configparser.ConfigParser()
    ini.read_string(r.stdout if r.returncode == 0 else "")
    sec = ini["worker"] if "worker" in ini else {}
    ckey, csecret = sec.get("aws_access_key_id", ""), sec.get("aws_secret_access_key", "")
    check(r.returncode == 0 and ckey.startswith("EBB") and len(csecret) == 40,
          f"ebb key create --format credentials prints an AWS profile [worker] ({r.returncode} {r.stderr.strip()[:200]})")
    r = cli("key", "create", "--role", "root")
    check(r.returncode == 2, f"--role root: usage error ({r.returncode})")
    r = cli("key", "create", "--role", "producer", "--queue", "orders/eu")
    check(r.returncode == 1 and "orders/eu" in r.stderr, f"a bad pattern is refused, named ({r.stderr.strip()[:200]})")

    # --- the secrets are nowhere in the database files (WAL included)
    raw = b"".join(open(p, "rb").read() for p in glob.glob(os.path.join(data, "ebb.db*")))
    check(b"orders-*" in raw and psecret.encode() not in raw and csecret.encode() not in raw,
          "key records are in the store, their secrets are not (ebb.db, WAL)")

    r = cli("key", "list")
    check(r.returncode == 0 and pkey in r.stdout and "shop" in r.stdout and "producer" in r.stdout
          and "orders-*" in r.stdout and "never" in r.stdout and psecret not in r.stdout and csecret not in r.stdout,
          f"ebb key list: id, name, role, queues, expiry; no secret\n{r.stdout}")

    # --- a write token cannot manage keys
    tok = cli("token", "create", "--scope", "write").stdout.strip()
    req = urllib.request.Request(srv.endpoint + "/api/v1/keys", headers={"Authorization": "Bearer " + tok})
    try:
        st = urllib.request.urlopen(req, timeout=10).status
    except urllib.error.HTTPError as e:
        st = e.code
    check(st == 403, f"write token: GET /api/v1/keys -> 403 ({st})")

    # --- the policy with real clients, both protocols
    passes = [("/usr/bin/python3", "query")]
    jp, info = harness.find_json_python()
    if jp:
        passes.append((jp, "json"))
    else:
        print("note: no JSON-protocol boto3 on PATH besides Debian's; JSON pass skipped", flush=True)
    for py, tag in passes:
        r = subprocess.run([py, os.path.abspath(__file__), "--client", srv.endpoint, pkey, psecret, ckey, csecret, tag],
                           capture_output=True, text=True, timeout=120, env=client_env())
        print(r.stdout + r.stderr, end="", flush=True)
        check(r.returncode == 0, f"client pass {tag} ({py})")

    # --- the AWS CLI (Debian's, Query protocol) with the producer key
    env = client_env()
    env.update({"AWS_ACCESS_KEY_ID": pkey, "AWS_SECRET_ACCESS_KEY": psecret})
    r = subprocess.run(["/usr/bin/aws", "--endpoint-url", srv.endpoint, "sqs", "send-message", "--queue-url",
                        url_of(srv.endpoint, "orders-us"), "--message-body", "from aws cli"],
                       capture_output=True, text=True, timeout=90, env=env)
    check(r.returncode == 0 and "MessageId" in r.stdout, f"aws cli, producer key: send-message ({r.stderr.strip()[:200]})")
    r = subprocess.run(["/usr/bin/aws", "--endpoint-url", srv.endpoint, "sqs", "receive-message", "--queue-url",
                        url_of(srv.endpoint, "orders-us")], capture_output=True, text=True, timeout=90, env=env)
    check(r.returncode != 0 and "(AccessDenied)" in r.stderr,
          f"aws cli, producer key: receive-message -> AccessDenied ({r.stderr.strip()[:200]})")

    # --- expiry and revocation
    r = cli("key", "create", "--role", "consumer", "--expires", "2s")
    lines = dict(l.replace("export ", "", 1).split("=", 1) for l in r.stdout.splitlines() if l.startswith("export "))
    short = sqs_client(srv.endpoint, lines.get("AWS_ACCESS_KEY_ID", "x"), lines.get("AWS_SECRET_ACCESS_KEY", "x"))
    check("QueueUrls" in short.list_queues(), "a 2 s key works at first")
    time.sleep(2.2)
    code, st, _ = error_of(short.list_queues)
    check((code, st) == ("InvalidClientTokenId", 403), f"expired key: InvalidClientTokenId 403 ({code} {st})")
    check("(expired)" in cli("key", "list").stdout, "ebb key list marks the expired key")

    r = cli("key", "revoke", pkey)
    check(r.returncode == 0, f"ebb key revoke {pkey} ({r.stderr.strip()[:200]})")
    prod = sqs_client(srv.endpoint, pkey, psecret)
    code, st, _ = error_of(lambda: prod.send_message(QueueUrl=url_of(srv.endpoint, "orders-eu"), MessageBody="x"))
    check((code, st) == ("InvalidClientTokenId", 403), f"revoked key: InvalidClientTokenId at once ({code} {st})")
    check(cli("key", "revoke", pkey).returncode == 1, "revoking it again: NotFound, exit 1")
    r = cli("key", "create", "--role", "producer", "--queue", "orders-eu", "--name", "after")
    lines = dict(l.replace("export ", "", 1).split("=", 1) for l in r.stdout.splitlines() if l.startswith("export "))
    akey, asecret = lines.get("AWS_ACCESS_KEY_ID", ""), lines.get("AWS_SECRET_ACCESS_KEY", "")

    # --- restart: keys and policies survive, revoked stays revoked
    check(srv.stop() == 0, "ebbd stops cleanly")
    srv.start()
    cons = sqs_client(srv.endpoint, ckey, csecret)
    check("QueueUrls" in cons.list_queues(), "after restart: the consumer key works")
    code, _, _ = error_of(lambda: cons.send_message(QueueUrl=url_of(srv.endpoint, "orders-eu"), MessageBody="x"))
    check(code == "AccessDenied", f"after restart: the consumer key still cannot send ({code})")
    after = sqs_client(srv.endpoint, akey, asecret)
    check("MessageId" in after.send_message(QueueUrl=url_of(srv.endpoint, "orders-eu"), MessageBody="y"),
          "after restart: a producer key limited to orders-eu sends there")
    code, _, _ = error_of(lambda: after.send_message(QueueUrl=url_of(srv.endpoint, "orders-us"), MessageBody="y"))
    check(code == "AccessDenied", f"after restart: ... and not to orders-us ({code})")
    prod = sqs_client(srv.endpoint, pkey, psecret)
    code, _, _ = error_of(prod.list_queues)
    check(code == "InvalidClientTokenId", f"after restart: the revoked key is still refused ({code})")
    check("QueueUrls" in sqs_client(srv.endpoint, *admin).list_queues(), "after restart: the admin key is admin")
    check(srv.stop() == 0, "ebbd stops cleanly")

    print(json.dumps({"failures": failures}), flush=True)
    if failures:
        print(srv.log_tail(40), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
