#!/usr/bin/env python3
"""A real full disk (reliability.md P-D5, §6.4 T7 "Disk full for real").

ebbd runs with its data directory on a small ext4 file system (a loop-mounted image
made with mkfs.ext4, so fsync has real semantics), mounted inside a private mount
namespace (unshare -m) that disappears with the test. Nothing is simulated: the
watermark, the reserve file and SQLite all see the real free space.

  fill     large messages from real clients (Query: Debian's boto3; JSON: raw
           requests) until sends get 503 ServiceUnavailable + Retry-After. While the
           volume is full, receive, ChangeMessageVisibility and delete still work
           (both protocols). Then drain: every acknowledged send comes back exactly as
           sent, nothing else does. Once drained, sends are accepted again without a
           restart. ebbd never exits; PRAGMA integrity_check passes.
  outside  a sender and a consumer (receive + delete) run while `dd` fills the
           volume from outside ebbd, so SQLite itself gets ENOSPC on its writes.
           The filler is removed again. If ebbd stopped (P-D4), a restart must
           recover; either way every acknowledged send that was not acknowledged as
           deleted is there, no acknowledged delete comes back, nothing unknown
           appears, sends work again and PRAGMA integrity_check passes.
  idle     dd fills the volume while ebbd is idle (its reserve still there), then a
           consumer drains: those commits get ENOSPC, the reserve is released and
           the retry commits them; ebbd stays up, nothing is lost.

    disk_full_real.py --ebbd build/src/ebbd [--size-mib 64] [--only fill|outside|idle] [--keep]

Exits 77 (SKIP) when it cannot mount a file system here (not root, no unshare, no
mkfs.ext4, no loop devices).
"""
import argparse
import base64
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from storage_faults import Client, check, FAILS  # noqa: E402

NS_MARK = "EBB_DISK_FULL_NS"
BODY = 200 * 1024  # large messages fill the volume in a few hundred sends


def skip(why):
    print(f"disk_full_real: SKIP ({why})", flush=True)
    sys.exit(77)


def body_for(tag, i, size):
    """A unique, incompressible body of `size` characters."""
    raw = os.urandom(size * 3 // 4 + 3)
    return f"{tag}-{i}-" + base64.b64encode(raw).decode()[: size - len(tag) - 12]


def h(s):
    return hashlib.sha256(s.encode()).hexdigest()


def free_bytes(path):
    s = os.statvfs(path)
    return s.f_bavail * s.f_frsize


def boto3_client(endpoint):
    import boto3
    from botocore.config import Config
    # Debian's boto3 speaks the Query protocol; no retries, so each 503 is seen.
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=20,
                                      connect_timeout=5))


def boto_error(ex):
    """(status, code, retry-after) of a botocore ClientError."""
    r = getattr(ex, "response", {}) or {}
    md = r.get("ResponseMetadata", {})
    return md.get("HTTPStatusCode"), r.get("Error", {}).get("Code"), md.get("HTTPHeaders", {}).get("retry-after")


def log_counts(e):
    """(commits that hit ENOSPC and were retried, fail-stop exits) from ebbd's log."""
    try:
        log = open(e.log_path, "rb").read().decode("utf-8", "replace")
    except OSError:
        return 0, 0
    return log.count("a commit hit a full disk"), log.count("store commit failed; exiting")


def integrity(db, label):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        res = [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()
    check(res == ["ok"], f"{label}: PRAGMA integrity_check {res[:5]}")
    print(f"  {label}: integrity_check {res[0]}", flush=True)


def drain(c, q, deadline_s=40):
    """Receives and deletes everything; returns the received bodies (raw JSON)."""
    got, empties, t_end = [], 0, time.monotonic() + deadline_s
    while time.monotonic() < t_end:
        st, _, r = c.json("ReceiveMessage", {"QueueUrl": c.url(q), "MaxNumberOfMessages": 10,
                                             "VisibilityTimeout": 120, "WaitTimeSeconds": 1})
        if st != 200:
            check(False, f"drain: receive {st} {str(r)[:200]}")
            time.sleep(0.5)
            continue
        msgs = r.get("Messages", [])
        if not msgs:
            empties += 1
            if empties >= 3:
                return got
            continue
        empties = 0
        for m in msgs:
            got.append(m["Body"])
            st, _, r = c.json("DeleteMessage", {"QueueUrl": c.url(q), "ReceiptHandle": m["ReceiptHandle"]})
            check(st == 200, f"drain: delete {st} {str(r)[:200]}")
    check(False, f"drain: not empty after {deadline_s} s")
    return got


def send_until_accepted(c, q, label, within_s):
    t0, t_end, last = time.monotonic(), time.monotonic() + within_s, None
    while time.monotonic() < t_end:
        st, hd, r = c.json("SendMessage", {"QueueUrl": c.url(q), "MessageBody": f"{label}-again"})
        if st == 200:
            return time.monotonic() - t0
        last = (st, r)
        time.sleep(0.5)
    check(False, f"{label}: sends still refused {within_s} s after the queue was drained: {last}")
    return None


def scenario_fill(ebbd, mnt, tmp):
    name = "fill"
    d = os.path.join(mnt, name)
    os.makedirs(tmp, exist_ok=True)
    e = harness.Ebbd(ebbd, d, tmp)
    e.start()
    c = Client(e.endpoint, timeout=20)
    bc = boto3_client(e.endpoint)
    try:
        check(c.json("CreateQueue", {"QueueName": "q"})[0] == 200, f"{name}: CreateQueue")
        url = c.url("q")
        reserve = os.path.join(d, "ebb.reserve")
        rsz = os.path.getsize(reserve) if os.path.exists(reserve) else 0
        print(f"  {name}: volume free {free_bytes(mnt) >> 10} KiB at start, reserve file {rsz >> 10} KiB", flush=True)
        # Four senders (group commit batches them), each alternating Query and JSON,
        # until each protocol has been refused twice.
        acked, refused, t_end = {}, {"query": 0, "json": 0}, time.monotonic() + 90
        lock, counter = threading.Lock(), [0]

        def sender():
            my_bc = boto3_client(e.endpoint)
            while time.monotonic() < t_end:
                with lock:
                    if min(refused.values()) >= 2 or counter[0] >= 2000:
                        return
                    i = counter[0]
                    counter[0] += 1
                body = body_for(name, i, BODY)
                proto = "query" if i % 2 == 0 else "json"
                if proto == "query":
                    try:
                        r = my_bc.send_message(QueueUrl=url, MessageBody=body)
                        with lock:
                            acked[h(body)] = r["MessageId"]
                    except Exception as ex:  # botocore ClientError
                        st, code, ra = boto_error(ex)
                        check(st == 503 and code == "ServiceUnavailable" and ra == "5",
                              f"{name}: Query send {i} failed with {st} {code} retry-after={ra}: {ex}")
                        with lock:
                            refused[proto] += 1
                else:
                    st, hd, r = c.json("SendMessage", {"QueueUrl": url, "MessageBody": body})
                    if st == 200:
                        with lock:
                            acked[h(body)] = r["MessageId"]
                    else:
                        check(st == 503 and r.get("__type", "").endswith("ServiceUnavailable")
                              and hd.get("retry-after") == "5",
                              f"{name}: JSON send {i} failed with {st} {hd.get('retry-after')} {str(r)[:200]}")
                        with lock:
                            refused[proto] += 1

        senders = [threading.Thread(target=sender, daemon=True) for _ in range(4)]
        for t in senders:
            t.start()
        for t in senders:
            t.join(timeout=120)
        i = counter[0]
        check(min(refused.values()) >= 1, f"{name}: sends never refused ({len(acked)} acknowledged, {i} tried)")
        if not check(e.proc.poll() is None, f"{name}: ebbd exited with {e.proc.returncode} while filling"):
            e.start()  # P-D4: the supervisor's restart; accounting must still be clean
            c = Client(e.endpoint, timeout=20)
            bc = boto3_client(e.endpoint)
        print(f"  {name}: {len(acked)} sends of {BODY >> 10} KiB acknowledged, refused {refused}; volume free "
              f"{free_bytes(mnt) >> 10} KiB; files {sorted((f, os.path.getsize(os.path.join(d, f)) >> 10) for f in os.listdir(d))}",
              flush=True)
        check(not os.path.exists(reserve), f"{name}: reserve file still there on a full volume")
        # A batch send is refused too (Query).
        try:
            bc.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}])
            check(False, f"{name}: batch send accepted on a full volume")
        except Exception as ex:
            st, code, ra = boto_error(ex)
            check(st == 503 and code == "ServiceUnavailable", f"{name}: Query batch send {st} {code} {ex}")
        # Consumers go on while full: receive (Query), change visibility (JSON and
        # Query), delete (both protocols).
        got = {}
        r = bc.receive_message(QueueUrl=url, MaxNumberOfMessages=4, VisibilityTimeout=60)
        msgs = r.get("Messages", [])
        check(len(msgs) == 4, f"{name}: Query receive while full got {len(msgs)}")
        if len(msgs) == 4:
            st, _, r2 = c.json("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": msgs[0]["ReceiptHandle"],
                                                           "VisibilityTimeout": 90})
            check(st == 200, f"{name}: JSON ChangeMessageVisibility while full {st} {r2}")
            bc.change_message_visibility(QueueUrl=url, ReceiptHandle=msgs[1]["ReceiptHandle"], VisibilityTimeout=90)
            bc.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
            bc.delete_message_batch(QueueUrl=url, Entries=[{"Id": "b", "ReceiptHandle": msgs[1]["ReceiptHandle"]}])
            st, _, r2 = c.json("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": msgs[2]["ReceiptHandle"]})
            check(st == 200, f"{name}: JSON delete while full {st} {r2}")
            st, _, r2 = c.json("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": msgs[3]["ReceiptHandle"]})
            check(st == 200, f"{name}: JSON delete while full {st} {r2}")
            for m in msgs:
                got[h(m["Body"])] = m["MessageId"]
        # Drain (JSON) and account: exactly the acknowledged sends, each as sent.
        for b in drain(c, "q"):
            k = h(b)
            check(k not in got, f"{name}: a message was delivered twice ({b[:30]})")
            got[k] = True
        lost = [k for k in acked if k not in got]
        unknown = [k for k in got if k not in acked]
        check(not lost, f"{name}: {len(lost)} acknowledged sends not received")
        check(not unknown, f"{name}: {len(unknown)} received messages were never acknowledged (or came back altered)")
        print(f"  {name}: drained {len(got)} messages: lost={len(lost)} unknown={len(unknown)}; volume free "
              f"{free_bytes(mnt) >> 10} KiB", flush=True)
        # Sends come back without a restart once the queue is drained.
        dt = send_until_accepted(c, "q", name, 20)
        if dt is not None:
            print(f"  {name}: sends accepted again {dt:.1f} s after the drain; reserve "
                  f"{'present' if os.path.exists(reserve) else 'absent'}; volume free {free_bytes(mnt) >> 10} KiB", flush=True)
        check(e.proc.poll() is None, f"{name}: ebbd exited with {e.proc.returncode}")
        retried, stops = log_counts(e)
        print(f"  {name}: commits retried after ENOSPC: {retried}; fail-stop exits: {stops}", flush=True)
    finally:
        rc = e.stop()
        check(rc == 0, f"{name}: ebbd stop status {rc}")
    integrity(os.path.join(d, "ebb.db"), name)
    shutil.rmtree(d, ignore_errors=True)


class Load:
    """A JSON sender and a JSON consumer (receive + delete) with full accounting."""

    def __init__(self, endpoint, q, size):
        self.c, self.q, self.size = Client(endpoint, timeout=15), q, size
        self.sent, self.sent_unknown = set(), set()  # acknowledged / indeterminate sends
        self.deleted, self.del_unknown = set(), set()  # acknowledged / indeterminate deletes
        self.refused = 0
        self.errors = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _count(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1

    def sender(self):
        i = 0
        while not self.stop.is_set() and i < 20000:
            body = body_for("out", i, self.size)
            i += 1
            st, hd, r = self.c.json("SendMessage", {"QueueUrl": self.c.url(self.q), "MessageBody": body})
            if st == 200:
                self.sent.add(h(body))
            elif st == 503 and hd.get("retry-after") == "5" and r.get("__type", "").endswith("ServiceUnavailable"):
                self.refused += 1  # refused before anything was written
                time.sleep(0.05)
            else:
                self.sent_unknown.add(h(body))  # a failed commit or a dropped connection
                self._count(f"send {st}")
                time.sleep(0.2)

    def consumer(self):
        n = 0
        while not self.stop.is_set() and n < 20000:
            n += 1
            # A short lease: what is not deleted comes back for the final drain.
            st, _, r = self.c.json("ReceiveMessage", {"QueueUrl": self.c.url(self.q), "MaxNumberOfMessages": 2,
                                                      "VisibilityTimeout": 2, "WaitTimeSeconds": 0})
            if st != 200:
                self._count(f"receive {st}")
                time.sleep(0.2)
                continue
            for m in r.get("Messages", []):
                # Delete about half of what arrives so the queue keeps growing.
                if n % 2:
                    continue
                k = h(m["Body"])
                st, _, _ = self.c.json("DeleteMessage", {"QueueUrl": self.c.url(self.q), "ReceiptHandle": m["ReceiptHandle"]})
                if st == 200:
                    self.deleted.add(k)
                else:
                    self.del_unknown.add(k)
                    self._count(f"delete {st}")
            time.sleep(0.01)


def scenario_outside(ebbd, mnt, tmp):
    name = "outside"
    d = os.path.join(mnt, name)
    os.makedirs(tmp, exist_ok=True)
    e = harness.Ebbd(ebbd, d, tmp)
    e.start()
    c = Client(e.endpoint, timeout=15)
    filler = os.path.join(mnt, "filler")
    restarted = False
    try:
        check(c.json("CreateQueue", {"QueueName": "q"})[0] == 200, f"{name}: CreateQueue")
        load = Load(e.endpoint, "q", 16 * 1024)
        threads = [threading.Thread(target=load.sender, daemon=True), threading.Thread(target=load.consumer, daemon=True)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        # Fill every free block from outside ebbd (dd stops at ENOSPC).
        p = subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=256k", "status=none"], capture_output=True, timeout=60)
        err = p.stderr.decode(errors="replace").strip()
        check(p.returncode != 0 and "No space left" in err, f"{name}: dd did not fill the volume: rc={p.returncode} {err}")
        print(f"  {name}: dd wrote {os.path.getsize(filler) >> 10} KiB; volume free {free_bytes(mnt) >> 10} KiB; "
              f"{len(load.sent)} sends acknowledged so far", flush=True)
        # Load goes on against the full volume for a while.
        time.sleep(4.0)
        rc = e.proc.poll()
        print(f"  {name}: on the full volume: ebbd {'running' if rc is None else f'exited with {rc}'}; "
              f"sends acknowledged {len(load.sent)}, refused {load.refused}, errors {load.errors}", flush=True)
        if rc is not None:
            check(rc == 75, f"{name}: ebbd exited with {rc}, expected the fail-stop status 75 or no exit")
            log = open(e.log_path, "rb").read().decode("utf-8", "replace")
            print("  " + "\n  ".join(l for l in log.splitlines() if "commit failed" in l or "disk" in l.lower())[-1500:],
                  flush=True)
        # Space returns.
        os.unlink(filler)
        time.sleep(1.0)
        load.stop.set()
        for t in threads:
            t.join(timeout=30)
        time.sleep(2.5)  # the consumer's 2 s leases run out
        if e.proc.poll() is not None:
            e.start()  # the supervisor's restart (P-D4)
            restarted = True
            c = Client(e.endpoint, timeout=15)
        dt = send_until_accepted(c, "q", name, 20)
        if dt is not None:
            print(f"  {name}: sends accepted {dt:.1f} s after the filler was removed"
                  f"{' (after a restart)' if restarted else ' (no restart)'}", flush=True)
        got = drain(c, "q")
        got_h = [h(b) for b in got]
        gs = set(got_h)
        expect = load.sent - load.deleted - load.del_unknown
        lost = expect - gs
        resurrected = load.deleted & gs
        unknown = gs - load.sent - load.sent_unknown - {h(f"{name}-again")}
        dup = len(got_h) - len(gs)
        check(not lost, f"{name}: {len(lost)} acknowledged sends lost")
        check(not resurrected, f"{name}: {len(resurrected)} acknowledged deletes came back")
        check(not unknown, f"{name}: {len(unknown)} messages never sent (or altered)")
        check(dup == 0, f"{name}: {dup} messages delivered twice in the final drain")
        print(f"  {name}: accounting: sent_ok={len(load.sent)} sent_indeterminate={len(load.sent_unknown)} "
              f"deleted_ok={len(load.deleted)} delete_indeterminate={len(load.del_unknown)} drained={len(gs)} "
              f"lost={len(lost)} resurrected={len(resurrected)} unknown={len(unknown)} dup={dup}", flush=True)
        retried, stops = log_counts(e)
        print(f"  {name}: commits retried after ENOSPC: {retried}; fail-stop exits: {stops}", flush=True)
    finally:
        rc = e.stop()
        check(rc == 0, f"{name}: ebbd stop status {rc}")
        if os.path.exists(filler):
            os.unlink(filler)
    integrity(os.path.join(d, "ebb.db"), name)
    shutil.rmtree(d, ignore_errors=True)


def scenario_idle(ebbd, mnt, tmp):
    """dd fills the volume while ebbd is idle (no send has consulted the watermark, the
    reserve is still there); then consumers receive and delete: their commits grow the
    WAL, get ENOSPC, and must succeed by the retry with the released reserve."""
    name = "idle"
    d = os.path.join(mnt, name)
    os.makedirs(tmp, exist_ok=True)
    e = harness.Ebbd(ebbd, d, tmp)
    e.start()
    c = Client(e.endpoint, timeout=20)
    filler = os.path.join(mnt, "filler")
    try:
        check(c.json("CreateQueue", {"QueueName": "q"})[0] == 200, f"{name}: CreateQueue")
        sent = set()
        for i in range(20):
            body = body_for(name, i, 16 * 1024)
            st, _, r = c.json("SendMessage", {"QueueUrl": c.url("q"), "MessageBody": body})
            if check(st == 200, f"{name}: send {i} {st} {str(r)[:200]}"):
                sent.add(h(body))
        reserve = os.path.join(d, "ebb.reserve")
        check(os.path.exists(reserve), f"{name}: no reserve file before the fill")
        p = subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=256k", "status=none"], capture_output=True, timeout=60)
        check(p.returncode != 0, f"{name}: dd did not fill the volume")
        got = [h(b) for b in drain(c, "q")]
        check(e.proc.poll() is None, f"{name}: ebbd exited with {e.proc.returncode} while consumers drained a full volume")
        check(sorted(got) == sorted(sent), f"{name}: drained {len(got)} of {len(sent)} (or others)")
        retried, stops = log_counts(e)
        print(f"  {name}: drained {len(got)} of {len(sent)} on a volume dd filled (free {free_bytes(mnt) >> 10} KiB); "
              f"commits retried after ENOSPC: {retried}; fail-stop exits: {stops}; reserve "
              f"{'present' if os.path.exists(reserve) else 'released'}", flush=True)
        check(not os.path.exists(reserve), f"{name}: the reserve was not released")
        os.unlink(filler)
        send_until_accepted(c, "q", name, 20)
    finally:
        rc = e.stop()
        check(rc == 0, f"{name}: ebbd stop status {rc}")
        if os.path.exists(filler):
            os.unlink(filler)
    integrity(os.path.join(d, "ebb.db"), name)
    shutil.rmtree(d, ignore_errors=True)


SCENARIOS = {"fill": scenario_fill, "outside": scenario_outside, "idle": scenario_idle}


def in_namespace(a):
    tmp = harness.make_tmp("ebb-disk-full-")
    img, mnt = os.path.join(tmp, "vol.img"), os.path.join(tmp, "mnt")
    os.makedirs(mnt)
    mounted = False
    t0 = time.monotonic()
    try:
        with open(img, "wb") as f:
            f.truncate(a.size_mib << 20)
        # -m 0: no blocks reserved for root (ebbd runs as root here), so statvfs's
        # f_bavail is what ebbd can really write.
        p = subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", img], capture_output=True)
        if p.returncode != 0:
            skip(f"mkfs.ext4 failed: {p.stderr.decode(errors='replace').strip()}")
        p = subprocess.run(["mount", "-t", "ext4", "-o", "loop", img, mnt], capture_output=True)
        if p.returncode != 0:
            skip(f"cannot mount a loop ext4 file system: {p.stderr.decode(errors='replace').strip()}")
        mounted = True
        s = os.statvfs(mnt)
        print(f"disk_full_real: ext4 of {a.size_mib} MiB on a loop device: {s.f_blocks * s.f_frsize >> 10} KiB, "
              f"{free_bytes(mnt) >> 10} KiB free", flush=True)
        names = [a.only] if a.only else list(SCENARIOS)
        for n in names:
            print(f"== {n}", flush=True)
            t = time.monotonic()
            try:
                SCENARIOS[n](a.ebbd, mnt, os.path.join(tmp, n))
            except Exception as ex:
                check(False, f"{n}: {type(ex).__name__}: {ex}")
            print(f"   {n}: {time.monotonic() - t:.1f} s", flush=True)
    finally:
        if mounted:
            if a.keep or FAILS:
                print(f"kept {img} (the volume; mount it with mount -o loop to look)")
            subprocess.run(["umount", mnt], capture_output=True)
        if not a.keep and not FAILS:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"disk_full_real: {'PASSED' if not FAILS else 'FAILED'} ({len(FAILS)} failures, {time.monotonic() - t0:.1f} s)")
    return 1 if FAILS else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--size-mib", type=int, default=64)
    ap.add_argument("--only", choices=sorted(SCENARIOS))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if not os.access(a.ebbd, os.X_OK):
        print(f"FAIL: {a.ebbd} not executable")
        return 1
    if os.environ.get(NS_MARK) == "1":
        # The child, in its own mount namespace.
        return in_namespace(a)
    if os.geteuid() != 0:
        skip("needs root to mount a file system")
    for tool in ("unshare", "mkfs.ext4", "mount", "umount", "dd"):
        if not shutil.which(tool):
            skip(f"{tool} not found")
    # A private mount namespace: the mount is invisible to the rest of the machine
    # and goes away with the test even if it is killed.
    argv = ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    if p.returncode != 0:
        skip(f"unshare -m failed: {p.stderr.decode(errors='replace').strip()}")
    return subprocess.run(argv, env=dict(os.environ, **{NS_MARK: "1"})).returncode


if __name__ == "__main__":
    sys.exit(main())
