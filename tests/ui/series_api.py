#!/usr/bin/python3
"""/api/v1/series and list paging against a real ebbd (run by tests/integration/harness.py).

Sends messages, waits for the sampler to record them, checks the columnar answer,
the series listing, every documented error, and the paged queue/task lists.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ["ENDPOINT"]
FAILS = []


def call(method, path, body=None):
    req = urllib.request.Request(BASE + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


call("POST", "/api/v1/apply", {"items": [
    {"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": f"q{i}"}} for i in range(30)]})
for i in range(7):
    call("POST", "/api/v1/queues/q3/messages", {"body": f"m{i}"})

deadline = time.monotonic() + 10
got = None
while time.monotonic() < deadline:
    st, got = call("GET", "/api/v1/series?name=queue_visible,queue_in_flight&queue=q3&range=30s")
    if st == 200 and got["data"][1][-1] == 7:
        break
    time.sleep(0.3)
check(st == 200, "series answers 200")
check(got["columns"] == ["t", "queue_visible", "queue_in_flight"], f"columns: {got['columns']}")
check(got["step"] == 1 and len(got["data"][0]) == 30, "30 one-second points for range=30s")
check(all(b - a == 1 for a, b in zip(got["data"][0], got["data"][0][1:])), "timestamps one second apart")
check(got["data"][1][-1] == 7 and got["data"][2][-1] == 0, f"last values 7 visible, 0 in flight: {got['data'][1][-3:]}")
check(got["data"][1][0] is None, "before the first sample is null")

st, tot = call("GET", "/api/v1/series?names=queue_visible&since=1m")
check(st == 200 and tot["data"][1][-1] == 7, "no label = total over all queues; names/since spellings")
st, day = call("GET", "/api/v1/series?name=queue_visible&range=6h")
check(st == 200 and day["step"] == 60 and len(day["data"][0]) == 360, "6h in one-minute steps")
check(day["data"][1][-1] is not None, "the minute in progress has a value")
deadline = time.monotonic() + 5  # the three rate series need a second sample
while True:
    st, lst = call("GET", "/api/v1/series?queue=q3&limit=3")
    if lst.get("total") == 7 or time.monotonic() > deadline:
        break
    time.sleep(0.3)
check(st == 200 and len(lst["items"]) == 3 and lst["total"] == 7, f"listing filtered by label, paged: {lst.get('total')}")
st, unk = call("GET", "/api/v1/series?name=no_such_series&range=10s")
check(st == 200 and all(v is None for v in unk["data"][1]), "unknown series: all null")

for q, why in [("name=Bad-Name", "bad name"), ("name=a&range=0s", "zero range"), ("name=a&range=2d", "beyond a day"),
               ("name=a&range=10x", "bad unit"), ("name=a&limit=0", "limit 0"), ("name=a&offset=-1", "negative offset"),
               ("name=" + ",".join(["a"] * 17), "17 names"), ("name=a&%zz=1", "bad escape"), ("name=a&Bad-Label=1", "bad label")]:
    st, e = call("GET", "/api/v1/series?" + q)
    check(st == 400 and e["error"]["code"] == "Invalid", f"400 Invalid for {why}: {st} {e}")
st, _ = call("POST", "/api/v1/series")
check(st == 405, "POST series is 405")

st, page = call("GET", "/api/v1/queues?limit=5&offset=10&sort=name")
names = [q["metadata"]["name"] for q in page["items"]]
check(st == 200 and page["metadata"]["total"] == 30 and names == sorted(names) and len(names) == 5, f"queues paged: {names}")
check(page["summary"]["queues"] == 30 and page["summary"]["visible"] == 7, "summary covers every queue")
st, top = call("GET", "/api/v1/queues?limit=1&sort=visible")
check(top["items"][0]["metadata"]["name"] == "q3", "sort=visible puts the fullest first")
st, f = call("GET", "/api/v1/queues?filter=q1")
check(st == 200 and f["metadata"]["total"] == 11, f"filter=q1 matches q1, q10..q19: {f['metadata']}")
st, whole = call("GET", "/api/v1/queues")
check("metadata" not in whole and len(whole["items"]) == 30, "no paging parameters: the whole list as before")
for q in ["limit=1001", "limit=x", "sort=size", "offset=1e3"]:
    st, e = call("GET", "/api/v1/queues?" + q)
    check(st == 400, f"queues?{q} is 400")
st, t = call("GET", "/api/v1/tasks?limit=10")
check(st == 200 and t["metadata"]["total"] == 0, "tasks paged (none yet)")

print(f"{len(FAILS)} failed" if FAILS else "series api: all ok")
sys.exit(1 if FAILS else 0)
