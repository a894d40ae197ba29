#!/usr/bin/python3
"""`ebb doctor` on real data directories (reliability.md P-D6: a damaged store fails
closed and points to the offline salvage tool).

  healthy   a store written by the real ebbd through boto3: doctor says healthy, counts
            the queue and its messages, exit 0; with ebbd running it says so and
            refuses --salvage.
  pages     damaged b-tree pages: ebbd refuses to start and names `ebb doctor`; doctor
            reports the damage (exit 1) without changing the file; --salvage recovers
            into a new directory that ebbd starts on, with the queue, the surviving
            messages intact, and the admin credentials (0600); a second salvage into
            the same directory is refused.
  header    a garbage header: doctor says it is not an SQLite file; salvage fails with
            sqlite3's message and leaves the damaged directory unchanged.

    doctor.py --ebbd build/src/ebbd --ebb build/src/ebb
"""
import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

import boto3  # noqa: E402  (Debian's python3-boto3: the Query protocol)
from botocore.config import Config  # noqa: E402

FAILS = []
BODY = "doctor-%04d-" + "x" * 1990


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print(f"  FAIL: {what}", flush=True)
    return cond


def sqs(e):
    """A boto3 client signing with the admin key ebbd wrote to its data dir."""
    key, secret = e.admin_credentials()
    return boto3.client("sqs", endpoint_url=e.endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def doctor(ebb, *args):
    p = subprocess.run([ebb, "doctor", *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def make_store(ebbd, root, name):
    """A data dir with queue q holding 300 messages of ~2 KB (10 pages' worth and more)."""
    tmp = os.path.join(root, name)
    d = os.path.join(tmp, "data")
    os.makedirs(tmp)
    e = harness.Ebbd(ebbd, d, tmp, auth="sigv4")
    e.start()
    c = sqs(e)
    url = c.create_queue(QueueName="q")["QueueUrl"]
    for b in range(30):
        c.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": BODY % (b * 10 + j)} for j in range(10)])
    return e, tmp, d


def drain(e):
    c = sqs(e)
    url = c.get_queue_url(QueueName="q")["QueueUrl"]
    got = []
    for _ in range(100):
        ms = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if not ms:
            break
        got += [m["Body"] for m in ms]
    return got


def healthy(ebbd, ebb, root):
    e, tmp, d = make_store(ebbd, root, "healthy")
    try:
        rc, out = doctor(ebb, "--data-dir", d)
        check(rc == 0 and "ebbd is running" in out, f"healthy/live: rc {rc}: {out}")
        rc, out = doctor(ebb, "--data-dir", d, "--salvage", os.path.join(tmp, "new"))
        check(rc == 1 and "ebbd is running" in out and not os.path.exists(os.path.join(tmp, "new")),
              f"healthy/live salvage refused: rc {rc}: {out}")
    finally:
        e.stop()
    rc, out = doctor(ebb, "--data-dir", d)
    check(rc == 0, f"healthy: exit {rc}: {out}")
    check("result:    healthy" in out and "1 queues, 300 messages" in out and "integrity_check" in out,
          f"healthy: report: {out}")
    check("ebbd is not running" in out and "ebb.db 0600" in out, f"healthy: files: {out}")
    # The default data dir comes from EBB_DATA_DIR, as for ebbd.
    p = subprocess.run([ebb, "doctor"], capture_output=True, text=True, timeout=60, env={**os.environ, "EBB_DATA_DIR": d})
    check(p.returncode == 0 and d in p.stdout, f"healthy: EBB_DATA_DIR: {p.stdout}{p.stderr}")
    os.chmod(os.path.join(d, "ebb.db"), 0o644)
    rc, out = doctor(ebb, "--data-dir", d)
    check(rc == 1 and "chmod 600" in out, f"healthy: a 0644 store file is a problem: {out}")
    rc, out = doctor(ebb, "--data-dir", os.path.join(tmp, "nowhere"))
    check(rc == 1 and "does not exist" in out, f"missing dir: {rc} {out}")
    print("  healthy: ok", flush=True)


def pages(ebbd, ebb, root):
    e, tmp, d = make_store(ebbd, root, "pages")
    e.stop()
    db = os.path.join(d, "ebb.db")
    pages = os.path.getsize(db) // 4096
    with open(db, "r+b") as f:  # four leaf pages in the middle of the messages table
        f.seek(pages // 2 * 4096)
        f.write(b"\x01" * (4 * 4096))
    before = sha(db)
    p = subprocess.run([ebbd, "--listen", "127.0.0.1:0", "--data-dir", d], capture_output=True,
                       text=True, timeout=60)
    check(p.returncode != 0 and "ebb doctor" in p.stderr, f"pages: ebbd's refusal names ebb doctor: {p.stderr[-600:]}")
    rc, out = doctor(ebb, "--data-dir", d)
    check(rc == 1 and "problem:" in out and "--salvage" in out, f"pages: doctor finds the damage: rc {rc}: {out}")
    check(sha(db) == before, "pages: the check changed the damaged file")
    new = os.path.join(tmp, "salvaged")
    rc, out = doctor(ebb, "--data-dir", d, "--salvage", new)
    check(rc == 0 and "salvaged into" in out, f"pages: salvage: rc {rc}: {out}")
    check(sha(db) == before, "pages: salvage changed the damaged file")
    if rc != 0:
        return
    for name in ["ebb.db"] + [n for n in ("credentials", "secret.key") if os.path.exists(os.path.join(d, n))]:
        check(os.path.exists(os.path.join(new, name)), f"pages: {name} not copied")
        m = stat.S_IMODE(os.stat(os.path.join(new, name)).st_mode)
        check(m == 0o600, f"pages: {name} mode {m:o}")
    check(stat.S_IMODE(os.stat(new).st_mode) == 0o700, "pages: salvage dir not 0700")
    e2 = harness.Ebbd(ebbd, new, os.path.join(tmp, "run2"), auth="sigv4")  # the copied admin key
    os.makedirs(e2.tmp)
    e2.start()
    try:
        got = drain(e2)
        expected = {BODY % i for i in range(300)}
        check(200 <= len(got) <= 300 and set(got) <= expected and len(set(got)) == len(got),
              f"pages: salvaged messages: {len(got)} received, {len(set(got) - expected)} unexpected")
        print(f"  pages: salvaged {len(got)} of 300 messages", flush=True)
    finally:
        e2.stop()
    rc, out = doctor(ebb, "--data-dir", d, "--salvage", new)
    check(rc == 1 and "already exists" in out, f"pages: salvage into an existing dir: {rc} {out}")


def header(ebbd, ebb, root):
    e, tmp, d = make_store(ebbd, root, "header")
    e.stop()
    db = os.path.join(d, "ebb.db")
    with open(db, "r+b") as f:
        f.write(b"this is not an sqlite file at all")
    before = sha(db)
    rc, out = doctor(ebb, "--data-dir", d)
    check(rc == 1 and "not an SQLite file" in out, f"header: {rc}: {out}")
    rc, out = doctor(ebb, "--data-dir", d, "--salvage", os.path.join(tmp, "new"))
    check(rc == 1 and "cannot salvage" in out and "not SQLite's" in out and not os.path.exists(os.path.join(tmp, "new", "salvage-source")),
          f"header: salvage fails clearly: {rc}: {out}")
    check(sha(db) == before, "header: the damaged file was changed")
    print("  header: ok", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--ebb", required=True)
    a = ap.parse_args()
    if not shutil.which("sqlite3"):
        print("doctor: SKIP (the sqlite3 program is missing: scripts/install-deps.sh installs it)")
        return 77
    root = harness.make_tmp("ebb-doctor-")
    try:
        for fn in (healthy, pages, header):
            print(fn.__name__, flush=True)
            fn(a.ebbd, a.ebb, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("doctor: " + ("PASSED" if not FAILS else f"FAILED ({len(FAILS)})"))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
