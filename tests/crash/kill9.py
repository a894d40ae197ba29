#!/usr/bin/env python3
"""T8 kill -9 mini-soak (reliability.md §6.4 T8, accounting rules §6.7).

Starts ebbd on a temporary data dir, runs producers and consumers over raw HTTP
(JSON protocol) against a standard queue with a DLQ and a FIFO queue, SIGKILLs ebbd
at random moments (every 2-6 s) and restarts it on the same data dir and port. After
each kill a copy of the SQLite files must pass `PRAGMA integrity_check`. At the end
everything is drained and the client-side journal is checked:

  lost, phantom, unexpected, corrupt, resurrected, unjustified_dup, fifo_order,
  fifo_overlap, dedup, count, dlq  -> must all be 0
  justified duplicates, recovered (indeterminate sends that arrived) -> reported

    kill9.py --ebbd build/src/ebbd [--duration 45] [--seed N] [--keep]
             [--kill-mean S]   exponential kill intervals with mean S (long soak; default
                               uniform 2-6 s)
             [--targeted F]    fraction of kills aimed at a moment (default 1/3): right
                               after a send was acknowledged, during a batch send, or
                               100 ms after a restart (crash during recovery)

scripts/soak.sh runs the long version (docs/durability.md).

Every loop is bounded by a count and a deadline; the server listens on 127.0.0.1.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

EPS = 1.0
VT = 5            # visibility timeout of both queues (s)
EXTEND = 8        # ChangeMessageVisibility value used to extend (never shortens)
MAX_RC = 5        # maxReceiveCount of std -> std-dlq
ACCOUNT = "000000000000"


class State:
    def __init__(self):
        self.endpoint = None
        self.stop = threading.Event()        # producers stop
        self.stop_consumers = threading.Event()
        self.lock = threading.Lock()
        self.journal = []
        self.seq = 0
        self.acked = threading.Event()      # a send was just acknowledged (targeted kills)
        self.in_batch = threading.Event()   # a SendMessageBatch is in flight
        self.max_msgs = 1.0                 # producer message caps scale with the duration

    def log(self, **ev):
        with self.lock:
            self.seq += 1
            ev["n"] = self.seq
            self.journal.append(ev)
        return ev


ST = State()


class Api:
    """One keep-alive connection per thread; follows ST.endpoint across restarts."""

    def __init__(self):
        self.conn, self.ep = None, None

    def call(self, op, body, timeout=6.0):
        ep = ST.endpoint
        if self.conn is None or self.ep != ep:
            self.close()
            host, port = ep.split("//", 1)[1].split(":")
            self.conn, self.ep = http.client.HTTPConnection(host, int(port), timeout=timeout), ep
        try:
            self.conn.timeout = timeout
            if self.conn.sock:
                self.conn.sock.settimeout(timeout)
            self.conn.request("POST", "/", body=json.dumps(body), headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{op}"})
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return "indeterminate", None
        if r.status == 200:
            try:
                return "ok", json.loads(data or b"{}")
            except ValueError:
                return "indeterminate", None
        if 400 <= r.status < 500:
            return "fail", (r.getheader("x-amzn-query-error") or str(r.status))
        self.close()
        return "indeterminate", r.status

    def close(self):
        if self.conn:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None


def qurl(name):
    return f"{ST.endpoint}/{ACCOUNT}/{name}"


def make_body(u, group, seq):
    core = json.dumps({"u": u, "g": group, "s": seq, "pad": "x" * random.randint(0, 200)}, sort_keys=True)
    return json.dumps({"core": core, "sha": hashlib.sha256(core.encode()).hexdigest()})


# ------------------------------------------------------------------ workers
def std_producer(pid, rng, deadline, max_msgs=1500):
    api, i = Api(), 0
    max_msgs = int(max_msgs * ST.max_msgs)
    while not ST.stop.is_set() and time.monotonic() < deadline and i < max_msgs:
        if rng.random() < 0.2:
            us = [f"s{pid}-{i + k}" for k in range(5)]
            i += 5
            ents = [{"Id": f"e{k}", "MessageBody": make_body(u, None, 0), "MessageAttributes": {"u": {"DataType": "String", "StringValue": u}}}
                    for k, u in enumerate(us)]
            t0 = time.monotonic()
            ST.in_batch.set()
            out, res = api.call("SendMessageBatch", {"QueueUrl": qurl("std"), "Entries": ents})
            ST.in_batch.clear()
            t1 = time.monotonic()
            if out == "ok":
                okids = {e["Id"]: e["MessageId"] for e in res.get("Successful", [])}
                for k, u in enumerate(us):
                    ST.log(op="send", q="std", u=u, t0=t0, t1=t1, outcome="ok" if f"e{k}" in okids else "fail", mid=okids.get(f"e{k}"))
            else:
                for u in us:
                    ST.log(op="send", q="std", u=u, t0=t0, t1=t1, outcome=out)
        else:
            u = f"s{pid}-{i}"
            i += 1
            t0 = time.monotonic()
            out, res = api.call("SendMessage", {"QueueUrl": qurl("std"), "MessageBody": make_body(u, None, 0),
                                                "MessageAttributes": {"u": {"DataType": "String", "StringValue": u}}})
            ST.log(op="send", q="std", u=u, t0=t0, t1=time.monotonic(), outcome=out, mid=res.get("MessageId") if out == "ok" else None)
        if out == "ok":
            ST.acked.set()
        if out == "indeterminate":
            time.sleep(0.2)
        time.sleep(rng.uniform(0.01, 0.05))


def fifo_producer(pid, groups, rng, deadline, hard_deadline, max_msgs=800):
    """Each group is written by this thread only; waits for each ack (defines commit
    order); indeterminate sends are retried with the same dedup id."""
    api, sent = Api(), 0
    max_msgs = int(max_msgs * ST.max_msgs)
    seqs = {g: 0 for g in groups}
    while not ST.stop.is_set() and time.monotonic() < deadline and sent < max_msgs:
        g = rng.choice(groups)
        seqs[g] += 1
        u = f"f{g}-{seqs[g]}"
        body = make_body(u, g, seqs[g])
        resend = rng.random() < 0.01
        for attempt in range(10000):
            t0 = time.monotonic()
            out, res = api.call("SendMessage", {"QueueUrl": qurl("fifo.fifo"), "MessageBody": body, "MessageGroupId": f"g{g}",
                                                "MessageDeduplicationId": u, "MessageAttributes": {"u": {"DataType": "String", "StringValue": u}}})
            ST.log(op="send", q="fifo.fifo", u=u, g=g, s=seqs[g], t0=t0, t1=time.monotonic(), outcome=out,
                   mid=res.get("MessageId") if out == "ok" else None, attempt=attempt)
            if out != "indeterminate" or time.monotonic() > hard_deadline:
                break
            time.sleep(0.2)
        sent += 1
        if out == "ok" and resend:
            t0 = time.monotonic()
            out2, res2 = api.call("SendMessage", {"QueueUrl": qurl("fifo.fifo"), "MessageBody": body, "MessageGroupId": f"g{g}",
                                                  "MessageDeduplicationId": u, "MessageAttributes": {"u": {"DataType": "String", "StringValue": u}}})
            ST.log(op="send", q="fifo.fifo", u=u, g=g, s=seqs[g], t0=t0, t1=time.monotonic(), outcome=out2,
                   mid=res2.get("MessageId") if out2 == "ok" else None, resend=True)
        time.sleep(rng.uniform(0.01, 0.05))


def consume_once(api, rng, q, call_id):
    t0 = time.monotonic()
    out, res = api.call("ReceiveMessage", {"QueueUrl": qurl(q), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                                           "MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]})
    t1 = time.monotonic()
    if out != "ok":
        if out == "indeterminate":
            time.sleep(0.2)
        return 0
    msgs = res.get("Messages", [])
    dels = []
    for idx, m in enumerate(msgs):
        body = m.get("Body", "")
        u, corrupt = None, None
        try:
            d = json.loads(body)
            core = json.loads(d["core"])
            u = core["u"]
            if hashlib.sha256(d["core"].encode()).hexdigest() != d["sha"]:
                corrupt = "body checksum"
        except (ValueError, KeyError, TypeError):
            corrupt = "unparsable body"
        if hashlib.md5(body.encode()).hexdigest() != m.get("MD5OfBody"):
            corrupt = "MD5OfBody"
        au = m.get("MessageAttributes", {}).get("u", {}).get("StringValue")
        if u is not None and au != u:
            corrupt = f"attribute u={au!r}"
        a = m.get("Attributes", {})
        ST.log(op="deliver", q=q, u=u or f"?{m.get('MessageId')}", t0=t0, t1=t1, rh=m.get("ReceiptHandle"), call=call_id, idx=idx,
               rc=int(a.get("ApproximateReceiveCount", "0") or 0), mid=m.get("MessageId"), corrupt=corrupt, g=core.get("g") if u else None)
        x = rng.random()
        if x < 0.92:
            dels.append((u, m["ReceiptHandle"]))
        elif x < 0.94:
            tc = time.monotonic()
            o, _ = api.call("ChangeMessageVisibility", {"QueueUrl": qurl(q), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": EXTEND})
            ST.log(op="cmv", q=q, u=u, rh=m["ReceiptHandle"], t0=tc, t1=time.monotonic(), v=EXTEND, outcome=o)
            dels.append((u, m["ReceiptHandle"]))
        # else: never delete this delivery (redelivery, DLQ)
    if dels:
        if len(dels) > 1 and rng.random() < 0.5:
            td = time.monotonic()
            o, r = api.call("DeleteMessageBatch", {"QueueUrl": qurl(q), "Entries": [{"Id": f"d{i}", "ReceiptHandle": h} for i, (_, h) in enumerate(dels)]})
            te = time.monotonic()
            okset = {e["Id"] for e in (r or {}).get("Successful", [])} if o == "ok" else set()
            for i, (u, h) in enumerate(dels):
                ST.log(op="delete", q=q, u=u, rh=h, t0=td, t1=te, outcome="ok" if f"d{i}" in okset else ("fail" if o == "ok" else o))
        else:
            for u, h in dels:
                td = time.monotonic()
                o, _ = api.call("DeleteMessage", {"QueueUrl": qurl(q), "ReceiptHandle": h})
                ST.log(op="delete", q=q, u=u, rh=h, t0=td, t1=time.monotonic(), outcome=o)
    return len(msgs)


CALLS = [0]
CALLS_LOCK = threading.Lock()


def next_call():
    with CALLS_LOCK:
        CALLS[0] += 1
        return CALLS[0]


def consumer(queues, rng, deadline, max_calls=20000):
    api = Api()
    for _ in range(max_calls):
        if ST.stop_consumers.is_set() or time.monotonic() > deadline:
            break
        q = queues[0] if len(queues) == 1 or rng.random() < 0.8 else rng.choice(queues[1:])
        consume_once(api, rng, q, next_call())


# ------------------------------------------------------------------ server control
def sqlite_files(d):
    out = []
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            try:
                with open(p, "rb") as fh:
                    if fh.read(16) == b"SQLite format 3\x00":
                        out.append(p)
            except OSError:
                pass
    return out


def integrity_check(data_dir, scratch):
    """Copies the files a killed ebbd left and runs PRAGMA integrity_check on the copy."""
    if not shutil.which("sqlite3"):
        return None
    cp = os.path.join(scratch, "copy")
    shutil.rmtree(cp, ignore_errors=True)
    # run/ holds the launcher socket (not a file; nothing to check there); ebb.reserve is
    # the 64 MiB disk-full reserve (P-D5), not data.
    shutil.copytree(data_dir, cp, ignore=shutil.ignore_patterns("run", "tasks", "ebb.reserve"))
    dbs = sqlite_files(cp)
    if not dbs:
        return ["no SQLite database found in the data dir"]
    bad = []
    for db in dbs:
        try:
            r = subprocess.run(["sqlite3", db, "PRAGMA integrity_check;"], capture_output=True, text=True, timeout=30)
            if r.stdout.strip() != "ok":
                bad.append(f"{os.path.basename(db)}: {r.stdout.strip()[:300]} {r.stderr.strip()[:200]}")
        except subprocess.TimeoutExpired:
            bad.append(f"{os.path.basename(db)}: integrity_check timed out")
    return bad


def setup_queues():
    api = Api()
    for body in ({"QueueName": "std-dlq"},
                 {"QueueName": "std", "Attributes": {"VisibilityTimeout": str(VT), "RedrivePolicy": json.dumps(
                     {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:std-dlq", "maxReceiveCount": MAX_RC})}},
                 {"QueueName": "fifo.fifo", "Attributes": {"FifoQueue": "true", "VisibilityTimeout": str(VT)}}):
        out, res = api.call("CreateQueue", body)
        if out != "ok":
            raise RuntimeError(f"CreateQueue {body}: {out} {res}")


# ------------------------------------------------------------------ accounting (§6.7)
def check(journal, verbose_limit=20):
    F = {k: 0 for k in ("lost", "phantom", "unexpected", "corrupt", "resurrected", "unjustified_dup", "fifo_order", "fifo_overlap", "dedup", "count", "dlq")}
    examples = {k: [] for k in F}

    def bad(k, msg):
        F[k] += 1
        if len(examples[k]) < verbose_limit:
            examples[k].append(msg)

    sends, dels, cmvs, delivs = {}, {}, {}, {}
    for ev in journal:
        if ev["op"] == "send":
            sends.setdefault(ev["u"], []).append(ev)
        elif ev["op"] == "deliver":
            delivs.setdefault(ev["u"], []).append(ev)
        elif ev["op"] == "delete":
            dels.setdefault(ev["u"], []).append(ev)
        elif ev["op"] == "cmv" and ev["outcome"] == "ok":
            cmvs.setdefault(ev["rh"], []).append(ev)

    def lease_floor(r):
        L = r["t0"] + VT
        for cv in cmvs.get(r["rh"], []):
            L = max(L, cv["t0"] + cv["v"])
        return L

    by_rh = {}
    for u, rs in delivs.items():
        rs.sort(key=lambda r: (r["t0"], r["n"]))
        for r in rs:
            by_rh[r["rh"]] = r
    totals = {"sent_ok": 0, "indeterminate": 0, "recovered": 0, "delivered": 0, "justified_dup": 0, "fail_sends": 0}
    for u, ss in sends.items():
        oks = [s for s in ss if s["outcome"] == "ok"]
        rs = delivs.get(u, [])
        if oks:
            totals["sent_ok"] += 1
            if not rs:
                bad("lost", f"{u}: send acknowledged ({oks[0]['mid']}), never delivered")
        elif any(s["outcome"] == "indeterminate" for s in ss):
            totals["indeterminate"] += 1
            if rs:
                totals["recovered"] += 1
        elif rs:
            bad("unexpected", f"{u}: every send failed (4xx) but it was delivered")
        else:
            totals["fail_sends"] += 1
        if oks and ss[0]["q"] == "fifo.fifo":
            mids = {s["mid"] for s in oks}
            if len(mids) > 1:
                bad("dedup", f"{u}: sends with one dedup id got MessageIds {sorted(mids)}")
            got = {r["mid"] for r in rs}
            if got - mids:
                bad("dedup", f"{u}: delivered MessageIds {sorted(got - mids)} not among acknowledged {sorted(mids)}")
    for u, rs in delivs.items():
        totals["delivered"] += len(rs)
        if u not in sends:
            bad("phantom", f"{u}: delivered, never sent")
        for r in rs:
            if r["corrupt"]:
                bad("corrupt", f"{u}: {r['corrupt']}")
        # effective deletes: acknowledged while the lease of the handle's delivery was certainly live
        eff = []
        for d in dels.get(u, []):
            r = by_rh.get(d["rh"])
            if d["outcome"] == "ok" and r is not None and d["t0"] < lease_floor(r) - EPS:
                eff.append(d)
        if eff:
            first_del_end = min(d["t1"] for d in eff)
            for r in rs:
                if r["t0"] > first_del_end:
                    bad("resurrected", f"{u}: delivered at {r['t0']:.2f} after the delete acknowledged at {first_del_end:.2f}")
        for r1, r2 in zip(rs, rs[1:]):
            if r2["t1"] < lease_floor(r1) - EPS:
                bad("unjustified_dup", f"{u}: delivered again at {r2['t1']:.2f} while the lease from {r1['t0']:.2f} ran at least until {lease_floor(r1):.2f}")
            else:
                totals["justified_dup"] += 1
            if r2["rc"] <= r1["rc"]:
                bad("count", f"{u}: ApproximateReceiveCount {r1['rc']} then {r2['rc']}")
        dl = [r for r in rs if r["q"] == "std-dlq"]
        if dl:
            t_dlq = min(r["t0"] for r in dl)
            for r in rs:
                if r["q"] == "std" and r["t0"] > t_dlq:
                    bad("dlq", f"{u}: delivered from std after it was delivered from std-dlq")
            first_dl = min(dl, key=lambda r: r["t0"])
            if first_dl["rc"] <= MAX_RC:
                bad("dlq", f"{u}: first DLQ delivery shows ApproximateReceiveCount {first_dl['rc']}; the move must come after {MAX_RC} deliveries")
    # FIFO order and overlap per group
    groups = {}
    for u, ss in sends.items():
        oks = [s for s in ss if s["outcome"] == "ok"]
        if oks and ss[0]["q"] == "fifo.fifo":
            groups.setdefault(ss[0]["g"], []).append((ss[0]["s"], u))
    for g, items in groups.items():
        items.sort()
        firsts = [(s, u, delivs[u][0]) for s, u in items if delivs.get(u)]
        for (sa, ua, ra), (sb, ub, rb) in zip(firsts, firsts[1:]):
            if rb["t1"] < ra["t0"]:
                bad("fifo_order", f"group {g}: {ub} first delivered before {ua}")
            if ra["call"] == rb["call"] and rb["idx"] < ra["idx"]:
                bad("fifo_order", f"group {g}: {ub} listed before {ua} in one response")
        allr = sorted((r for _, u in items for r in delivs.get(u, [])), key=lambda r: r["t0"])
        first_del = {}
        for _, u in items:
            ok_dels = [d["t0"] for d in dels.get(u, []) if d["outcome"] == "ok"]
            # A delete cut off by a kill is indeterminate: it may have committed. It ended
            # the lease if the message was never delivered again after it.
            last_deliv = max((r["t0"] for r in delivs.get(u, [])), default=float("-inf"))
            ok_dels += [d["t0"] for d in dels.get(u, []) if d["outcome"] == "indeterminate" and d["t0"] > last_deliv]
            first_del[u] = min(ok_dels) if ok_dels else float("inf")
        for i, r1 in enumerate(allr):
            end1 = min(lease_floor(r1), first_del[r1["u"]]) - EPS
            for r2 in allr[i + 1:]:
                if r2["t0"] > end1:
                    break
                # r1's lease surely exists from r1's answer (t1) on; r2 overlaps it only if
                # r2's call began after that answer (for concurrent calls the server may have
                # granted r2 first) and was answered before r1's lease could have ended.
                if r2["u"] != r1["u"] and r2["call"] != r1["call"] and r2["t0"] > r1["t1"] and r2["t1"] < end1:
                    bad("fifo_overlap", f"group {g}: {r2['u']} delivered at {r2['t1']:.2f} while {r1['u']} was leased (from {r1['t0']:.2f})")
    return F, examples, totals


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--duration", type=float, default=45.0, help="seconds of load with kills")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (journal, logs)")
    ap.add_argument("--kill-mean", type=float, default=None, help="exponential kill intervals with this mean (s)")
    ap.add_argument("--targeted", type=float, default=1 / 3, help="fraction of targeted kills")
    a = ap.parse_args()
    ST.max_msgs = max(1.0, a.duration / 45.0)
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    print(f"kill9: seed={seed} duration={a.duration:.0f}s", flush=True)
    master = random.Random(seed)
    random.seed(seed)
    tmp = harness.make_tmp("ebb-kill9-")
    data = os.path.join(tmp, "data")
    srv = harness.Ebbd(a.ebbd, data, tmp)
    kills, restarts, integrity_bad, restart_fail = 0, 0, [], None
    kinds = {"random": 0, "after_ack": 0, "during_batch": 0, "after_restart": 0}
    restart_s = []
    rc = 1
    try:
        ST.endpoint = srv.start()
        port = srv.port
        setup_queues()
        t_start = time.monotonic()
        load_end = t_start + a.duration
        threads = []
        for i in range(2):
            threads.append(threading.Thread(target=std_producer, args=(i, random.Random(master.random()), load_end), daemon=True))
        threads.append(threading.Thread(target=fifo_producer, args=(0, list(range(0, 5)), random.Random(master.random()), load_end, load_end + 60), daemon=True))
        threads.append(threading.Thread(target=fifo_producer, args=(1, list(range(5, 10)), random.Random(master.random()), load_end, load_end + 60), daemon=True))
        consumers = [threading.Thread(target=consumer, args=(["std", "std-dlq"], random.Random(master.random()), load_end + 120), daemon=True) for _ in range(2)]
        consumers += [threading.Thread(target=consumer, args=(["fifo.fifo"], random.Random(master.random()), load_end + 120), daemon=True) for _ in range(2)]
        for t in threads + consumers:
            t.start()
        # killer: random moments, and a share aimed at the moments that matter (§6.7)
        after_restart = False
        for _ in range(100000):
            wait = master.expovariate(1 / a.kill_mean) if a.kill_mean else master.uniform(2, 6)
            if time.monotonic() + wait > load_end:
                break
            kind = "random"
            if after_restart:
                kind, wait = "after_restart", 0.1
            elif master.random() < a.targeted:
                kind = master.choice(["after_ack", "during_batch"])
            time.sleep(wait)
            if kind == "after_ack":
                ST.acked.clear()
                if not ST.acked.wait(timeout=3):
                    kind = "random"
            elif kind == "during_batch":
                deadline_b = time.monotonic() + 3
                while not ST.in_batch.is_set() and time.monotonic() < deadline_b:
                    time.sleep(0.001)
                if not ST.in_batch.is_set():
                    kind = "random"
            ST.log(op="kill", t=time.monotonic(), kind=kind)
            srv.kill()
            kills += 1
            kinds[kind] += 1
            bad = integrity_check(data, tmp)
            if bad:
                integrity_bad += bad
            t_restart = time.monotonic()
            try:
                srv.start(port=port)
            except RuntimeError as e:
                restart_fail = str(e)
                break
            restart_s.append(time.monotonic() - t_restart)
            restarts += 1
            ST.log(op="restart", t=time.monotonic())
            # One kill in six is followed by another 100 ms after the restart.
            after_restart = kind != "after_restart" and master.random() < a.targeted / 2
            print(f"kill #{kills} ({kind}) at {time.monotonic() - t_start:.1f}s, restarted in {restart_s[-1]:.2f}s", flush=True)
        ST.stop.set()
        for t in threads:
            t.join(timeout=90)
        if restart_fail is None:
            # final phase: clean restart, wait out the leases, drain to empty
            st = srv.stop()
            if st != 0:
                print(f"NOTE: graceful stop returned {st}", flush=True)
            ST.endpoint = srv.start(port=port)
            ST.stop_consumers.set()
            for t in consumers:
                t.join(timeout=30)
            time.sleep(EXTEND + 2)
            api = Api()
            drain_rng = random.Random(seed + 1)
            for q in ("std", "fifo.fifo", "std-dlq"):
                empties, deadline = 0, time.monotonic() + 60
                while empties < 3 and time.monotonic() < deadline:
                    n = consume_once_drain(api, q, drain_rng)
                    empties = empties + 1 if n == 0 else 0
            final_counts = {}
            for q in ("std", "std-dlq", "fifo.fifo"):
                out, res = api.call("GetQueueAttributes", {"QueueUrl": qurl(q), "AttributeNames": ["All"]})
                at = (res or {}).get("Attributes", {}) if out == "ok" else {}
                final_counts[q] = tuple(at.get(k) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))
        with open(os.path.join(tmp, "history.jsonl"), "w") as fh:
            for ev in ST.journal:
                fh.write(json.dumps(ev) + "\n")
        F, ex, totals = check(ST.journal)
        print(" ".join(f"{k}={v}" for k, v in F.items()))
        print(f"sent_ok={totals['sent_ok']} indeterminate={totals['indeterminate']} recovered={totals['recovered']} "
              f"delivered={totals['delivered']} justified_dup={totals['justified_dup']} failed_sends={totals['fail_sends']} "
              f"kills={kills} restarts={restarts} seed={seed}")
        if restart_s:
            rs = sorted(restart_s)
            print(f"kill_kinds={' '.join(f'{k}:{v}' for k, v in kinds.items())} "
                  f"restart_s_p50={rs[len(rs) // 2]:.2f} restart_s_max={rs[-1]:.2f} duration={a.duration:.0f}s")
        problems = []
        for k, lst in ex.items():
            for m in lst:
                print(f"  {k.upper()}: {m}")
        if any(F.values()):
            problems.append("accounting failures")
        if restart_fail:
            problems.append(f"restart after kill failed: {restart_fail}")
        if integrity_bad:
            problems.append(f"integrity_check on the files left by a kill: {integrity_bad[:5]}")
        if restart_fail is None:
            nonzero = {q: c for q, c in final_counts.items() if c != ("0", "0", "0")}
            if nonzero:
                problems.append(f"queues not empty after the final drain (visible, in flight, delayed): {nonzero}")
        if kills < 3:
            problems.append(f"only {kills} kills happened (need >= 3 for the test to mean anything)")
        if totals["sent_ok"] < 50:
            problems.append(f"only {totals['sent_ok']} acknowledged sends")
        if not shutil.which("sqlite3"):
            print("NOTE: sqlite3 tool not installed: integrity checks skipped")
        for pr in problems:
            print("FAIL", pr)
        rc = 1 if problems else 0
        if rc:
            print(srv.log_tail(40))
        print(f"kill9: {'PASSED' if rc == 0 else 'FAILED'}")
    except RuntimeError as e:
        print(f"FAIL: {e}")
        rc = 1
    finally:
        ST.stop.set()
        ST.stop_consumers.set()
        srv.kill()
        if a.keep or (rc and os.environ.get("EBB_KEEP_TMP")):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


def consume_once_drain(api, q, rng):
    """Final drain: deliver and delete everything (recorded in the journal)."""
    class AlwaysDelete:
        def random(self):
            return 0.0
    return consume_once(api, AlwaysDelete(), q, next_call())


if __name__ == "__main__":
    sys.exit(main())
