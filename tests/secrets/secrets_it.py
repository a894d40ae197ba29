#!/usr/bin/env python3
"""Secrets with a real ebbd and the real `ebb` CLI (reliability.md §4.7, issue 6).

`ebb secret create` from a file and from stdin; `ebb get/describe secrets` and the API
show names and keys, never values; a Job and a Service get the values through
`valueFrom.secretKeyRef` (each task prints the SHA-256 of what it got, so the value
itself never reaches a log); a required reference to a missing secret or key is refused
at apply naming the field, an optional one is accepted; the values appear nowhere in
the data directory's database files, ebbd's log, task records or events; the key file
is 0600 and a group-readable one stops ebbd with the chmod that fixes it; the secret
survives a restart; `ebb delete secret` removes it.

    secrets_it.py --ebbd build/src/ebbd --ebb build/src/ebb
"""
import argparse
import hashlib
import json
import os
import secrets as pysecrets
import shutil
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "services"))
import harness  # noqa: E402
from services_it import Api, check, wait_for, FAILS  # noqa: E402

PASSWORD = "pw-" + pysecrets.token_hex(12)
USER = "user-" + pysecrets.token_hex(6)


def sha(v):
    return hashlib.sha256(v.encode()).hexdigest()


def job_doc(name, env):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [{
                "name": "c", "command": ["/bin/sh", "-c",
                                         'printf %s "$PASS" | sha256sum; printf %s "$WHO" | sha256sum; echo "opt=[$OPT]"'],
                "env": env}]}}}}


def ref(var, name, key, optional=None):
    r = {"name": name, "key": key}
    if optional is not None:
        r["optional"] = optional
    return {"name": var, "valueFrom": {"secretKeyRef": r}}


def job_env():
    return [ref("PASS", "db", "password"), ref("WHO", "db", "user"), ref("OPT", "absent", "x", optional=True)]


def job_done(api, name):
    st = api.ok("GET", f"/jobs/{name}")["status"]
    done = any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in st.get("conditions", []))
    return st if done else None


def job_log(api, name):
    tasks = api.ok("GET", f"/tasks?owner=job/{name}&all=true")["items"]
    text = ""
    for t in tasks:
        text += "".join(c.get("data", "") for c in api.ok("POST", "/logs", {"target": f"task/{t['metadata']['name']}"})["chunks"])
    return text


def run_ebb(ebb, endpoint, *args, stdin=None):
    return subprocess.run([ebb, "--server", endpoint, *args], input=stdin, capture_output=True, text=True, timeout=60)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ebbd", required=True)
    p.add_argument("--ebb", required=True)
    a = p.parse_args()
    tmp = harness.make_tmp("ebb-secrets-")
    data = os.path.join(tmp, "data")
    e = harness.Ebbd(a.ebbd, data, tmp)
    try:
        endpoint = e.start()
        api = Api(endpoint)
        key_file = os.path.join(data, "secret.key")
        check(os.path.exists(key_file) and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600,
              "the secret key file is created 0600 on first start")

        # Create from a file (KEY=PATH) and from stdin.
        pw_file = os.path.join(tmp, "password.txt")
        with open(pw_file, "w") as f:
            f.write(PASSWORD)
        r = run_ebb(a.ebb, endpoint, "secret", "create", "db", "--from-file", f"password={pw_file}",
                    "--from-stdin", "user", stdin=USER + "\n")
        check(r.returncode == 0 and "secret/db created" in r.stdout, f"ebb secret create: {r.stdout.strip()} {r.stderr.strip()}")
        r = run_ebb(a.ebb, endpoint, "secret", "create", "db", "--from-file", f"password={pw_file}",
                    "--from-stdin", "user", stdin=USER + "\n")
        check(r.returncode == 0 and "secret/db unchanged" in r.stdout, f"the same values again: unchanged ({r.stdout.strip()})")
        r = run_ebb(a.ebb, endpoint, "secret", "create", "empty")
        check(r.returncode == 2 and "--from-file" in r.stderr, f"no values given: a usage error ({r.stderr.strip()})")
        status, out = api.call("PUT", "/secrets/Bad_Name", {"data": {"k": "dg=="}})
        check(status == 400 and "secret name" in json.dumps(out), f"a bad secret name is refused ({status} {out})")
        status, out = api.call("PUT", "/secrets/x", {"data": {"k": "not base64!"}})
        check(status == 400 and "data.k" in json.dumps(out), f"a value that is not base64 is refused ({status} {out})")

        r = run_ebb(a.ebb, endpoint, "get", "secrets")
        check(r.returncode == 0 and "db" in r.stdout and "password,user" in r.stdout, f"ebb get secrets lists names and keys:\n{r.stdout}")
        shown = r.stdout
        for args in (("get", "secret", "db", "-o", "json"), ("describe", "secret/db"), ("get", "secrets", "-o", "wide")):
            r = run_ebb(a.ebb, endpoint, *args)
            check(r.returncode == 0, f"ebb {' '.join(args)}: {r.stderr.strip()}")
            shown += r.stdout
        shown += json.dumps(api.ok("GET", "/secrets")) + json.dumps(api.ok("GET", "/secrets/db"))
        check(PASSWORD not in shown and USER not in shown, "no command or API answer shows a value")

        # Required references must resolve at apply; optional ones need not.
        status, out = api.call("POST", "/apply", {"items": [job_doc("bad1", [ref("PASS", "nope", "password")])]})
        msg = json.dumps(out)
        check(status == 400 and "secretKeyRef.name: secret nope not found" in msg, f"a missing secret is refused at apply: {msg}")
        status, out = api.call("POST", "/apply", {"items": [job_doc("bad2", [ref("PASS", "db", "pin")])]})
        msg = json.dumps(out)
        check(status == 400 and "secretKeyRef.key: secret db has no key pin" in msg, f"a missing key is refused at apply: {msg}")
        r = run_ebb(a.ebb, endpoint, "apply", "-f", "-",
                    stdin=json.dumps(job_doc("bad3", [ref("PASS", "nope", "k")])))
        check(r.returncode == 1 and "secret nope not found" in (r.stdout + r.stderr), f"ebb apply names it too: {r.stderr.strip()}")

        # A Job gets the values.
        api.apply(job_doc("uses-secret", job_env()))
        st = wait_for(lambda: job_done(api, "uses-secret"), 60, 0.2)
        check(bool(st) and st.get("succeeded") == 1, f"the job that uses the secret completed ({st})")
        log = job_log(api, "uses-secret")
        check(sha(PASSWORD) in log and sha(USER) in log, f"the task got both values (their SHA-256 in its log):\n{log}")
        check("opt=[]" in log, f"a missing optional reference is skipped: {log}")

        # A Service task gets them too (a different launch path).
        api.apply({"apiVersion": "ebb/v1", "kind": "Queue", "metadata": {"name": "sq"}},
                  {"apiVersion": "ebb/v1", "kind": "Service", "metadata": {"name": "svc"},
                   "spec": {"template": {"command": ["/bin/sh", "-c", 'printf %s "$PASS" | sha256sum; exec sleep 60'],
                                         "env": [ref("PASS", "db", "password")], "stopTimeoutSeconds": 1},
                            "scaling": {"queue": "sq", "minTasks": 1, "maxTasks": 1}}})

        def svc_log():
            for t in api.ok("GET", "/tasks?owner=service/svc&all=true")["items"]:
                text = "".join(c.get("data", "") for c in api.ok("POST", "/logs", {"target": f"task/{t['metadata']['name']}"})["chunks"])
                if sha(PASSWORD) in text:
                    return text
            return None
        check(bool(wait_for(svc_log, 30, 0.2)), "the service task got the value")

        # Nowhere at rest or in what ebb shows: database files, ebbd's log, tasks, jobs, events.
        api.ok("DELETE", "/services/svc")
        e.stop()
        blobs = b""
        for root, _, files in os.walk(data):
            for fn in files:
                path = os.path.join(root, fn)
                if fn.endswith(".db") or ".db-" in fn or fn.endswith("-wal"):
                    with open(path, "rb") as f:
                        blobs += f.read()
        check(len(blobs) > 0, "the database files were read")
        check(PASSWORD.encode() not in blobs and USER.encode() not in blobs, "no value is stored in plain text")
        with open(e.log_path, "rb") as f:
            ebbd_log = f.read()
        check(PASSWORD.encode() not in ebbd_log and USER.encode() not in ebbd_log, "ebbd's log holds no value")

        # A key file others can read stops ebbd, saying how to fix it.
        os.chmod(key_file, 0o640)
        try:
            e.start(deadline_s=10)
            check(False, "ebbd refused a group-readable key file")
        except RuntimeError as err:
            check("chmod 600" in str(err), f"ebbd refused a group-readable key file with the fix: {str(err)[-300:]}")
        os.chmod(key_file, 0o600)

        # After a restart the secret is still there and still opens.
        endpoint = e.start()
        api = Api(endpoint)
        check([s["metadata"]["name"] for s in api.ok("GET", "/secrets")["items"]] == ["db"], "the secret survived the restart")
        api.apply(job_doc("after-restart", job_env()))
        st = wait_for(lambda: job_done(api, "after-restart"), 60, 0.2)
        log = job_log(api, "after-restart")
        check(bool(st) and st.get("succeeded") == 1 and sha(PASSWORD) in log, "a job after the restart gets the value")
        shown = json.dumps(api.ok("GET", "/tasks?all=true")) + json.dumps(api.ok("GET", "/jobs")) + \
            json.dumps(api.ok("GET", "/jobs/uses-secret/events"))
        check(PASSWORD not in shown and USER not in shown, "task records, jobs and events hold no value")

        # Deleting: gone from the list, and a new reference to it is refused again.
        r = run_ebb(a.ebb, endpoint, "delete", "secret", "db", "--yes")
        check(r.returncode == 0, f"ebb delete secret db: {r.stdout.strip()} {r.stderr.strip()}")
        check(api.ok("GET", "/secrets")["items"] == [], "the secret is gone")
        status, _ = api.call("POST", "/apply", {"items": [job_doc("after-delete", job_env())]})
        check(status == 400, "a reference to the deleted secret is refused")
        check(e.alive(), "ebbd is still healthy")
    except Exception as ex:  # noqa: BLE001
        FAILS.append(f"exception: {ex}")
        print(e.log_tail(), file=sys.stderr)
    finally:
        e.stop()
        if not FAILS:
            shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        print(f"FAILED ({len(FAILS)}):", *FAILS, sep="\n  ", file=sys.stderr)
        return 1
    print("secrets: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
