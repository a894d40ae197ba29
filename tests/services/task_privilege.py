#!/usr/bin/env python3
"""Task privilege (reliability.md §4.6) on the real ebbd + ebb-launcher, run as root:
Jobs report who they run as and what they can reach.

    task_privilege.py --ebbd PATH

- default: uid/gid 65534 (nobody), no supplementary groups, `ulimit -n` 1024,
  `ulimit -c` 0, an environment with nothing from ebbd's (ebbd is started with marker
  variables, an AWS secret and LD_PRELOAD-free PATH/HOME of its own), HOME = the
  work dir it owns (0700), setuid(0) refused, the data directory and the database not
  writable/readable;
- securityContext runAsUser/runAsGroup honoured;
- runAsUser 0 refused (the Job fails with a message naming --allow-root-tasks);
- with --allow-root-tasks the same Job runs as root.
Skipped (77) when not run as root: privilege changes need it.
"""
import argparse
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from services_it import FAILS, Server, check, wait_for  # noqa: E402

MARK = "ebbd-env-must-not-leak-7c1f"
PROBE = r'''
echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "groups=$(id -G)"
echo "nofile=$(ulimit -n)"; echo "core=$(ulimit -c)"
echo "home=$HOME"; echo "pwd=$(pwd)"; echo "workdir=$(stat -c %u:%g:%a .)"
touch ./mine && echo "workdir-writable"
if touch "$DATA/intruder" 2>/dev/null; then echo "data=writable"; else echo "data=closed"; fi
if cat "$DATA/ebb.db" >/dev/null 2>&1; then echo "db=readable"; else echo "db=closed"; fi
if cat "$DATA/credentials" >/dev/null 2>&1; then echo "credentials=readable"; else echo "credentials=closed"; fi
if python3 -c 'import os; os.setuid(0)' 2>/dev/null; then echo "setuid0=ok"; else echo "setuid0=refused"; fi
env | sed 's/^/env:/'
'''


def job(name, security=None):
    ct = {"name": "main", "command": ["/bin/sh", "-c", PROBE]}
    if security:
        ct["securityContext"] = security
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [ct]}}}}


def finished(api, name):
    st = api.ok("GET", f"/jobs/{name}")["status"]
    for c in st.get("conditions", []):
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


SEEN = set()


def new_output(s):
    """Output of the task logs that appeared since the last call (Jobs run one at a
    time; logs are written by the launcher under the data dir)."""
    text = ""
    for path in sorted(glob.glob(os.path.join(s.data, "tasks", "*", "output.log"))):
        if path not in SEEN:
            SEEN.add(path)
            with open(path, errors="replace") as f:
                text += f.read()
    return text


def fields(text):
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep and not k.startswith("env:"):
            out.setdefault(k, v)
    return out


def run_job(s, name, security=None, want="Complete"):
    s.api.apply(job(name, security))
    got = wait_for(lambda: finished(s.api, name), 60, 0.2)
    check(got == want, f"{name}: Job {want} (got {got})")
    return new_output(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: must run as root (tasks change uid only under a root ebbd)")
        return 77
    # What must not reach tasks: ebbd's own environment.
    os.environ.update({"EBB_LEAK_MARKER": MARK, "AWS_SECRET_ACCESS_KEY": MARK, "DATABASE_URL": f"postgres://u:{MARK}@h/db"})
    s = Server(os.path.abspath(a.ebbd)).start()
    try:
        data = os.path.realpath(s.data)
        out = run_job(s, "probe")
        f = fields(out)
        check(f.get("uid") == "65534" and f.get("gid") == "65534", f"default task user nobody: uid {f.get('uid')} gid {f.get('gid')}")
        check(f.get("groups") == "65534", f"no supplementary groups: {f.get('groups')!r}")
        check(f.get("nofile") == "1024" and f.get("core") == "0", f"ulimit -n 1024, -c 0: {f.get('nofile')}, {f.get('core')}")
        check(f.get("workdir") == "65534:65534:700" and "workdir-writable" in out,
              f"work dir owned by the task user, 0700, writable: {f.get('workdir')}")
        check(f.get("home") == f.get("pwd") and (f.get("home") or "").endswith("/work"), f"HOME is the work dir: {f.get('home')} / {f.get('pwd')}")
        check(f.get("data") == "closed", f"data directory not writable: {f.get('data')}")
        check(f.get("db") == "closed" and f.get("credentials") == "closed",
              f"database and credentials not readable: {f.get('db')}, {f.get('credentials')}")
        check(f.get("setuid0") == "refused", f"setuid(0) refused: {f.get('setuid0')}")
        check(MARK not in out, "nothing of ebbd's environment in the task's")
        env = sorted(l[4:].split("=", 1)[0] for l in out.splitlines() if l.startswith("env:"))
        check("EBB_JOB_NAME" in env and "PATH" in env and "LD_PRELOAD" not in env, f"task environment names: {env}")
        check(not os.path.exists(os.path.join(data, "intruder")), "no file created in the data directory")

        out = run_job(s, "runas", {"runAsUser": 4242, "runAsGroup": 4343})
        f = fields(out)
        check(f.get("uid") == "4242" and f.get("gid") == "4343" and f.get("groups") == "4343",
              f"runAsUser/runAsGroup honoured: {f.get('uid')}:{f.get('gid')} groups {f.get('groups')}")
        check(f.get("setuid0") == "refused", f"runAsUser task: setuid(0) refused: {f.get('setuid0')}")

        out = run_job(s, "asroot", {"runAsUser": 0}, want="Failed")
        check("--allow-root-tasks" in out and "uid=" not in out, f"runAsUser 0 refused without --allow-root-tasks: {out[-300:]!r}")
        check(s.close() == 0, "ebbd stopped cleanly")

        s = Server(os.path.abspath(a.ebbd), extra=["--allow-root-tasks"]).start()
        out = run_job(s, "asroot", {"runAsUser": 0})
        check(fields(out).get("uid") == "0", f"runAsUser 0 with --allow-root-tasks runs as root: {fields(out).get('uid')}")
        out = run_job(s, "plain")
        check(fields(out).get("uid") == "0", f"--allow-root-tasks without --task-user keeps root: {fields(out).get('uid')}")
    finally:
        s.close()
    print(f"task_privilege: {len(FAILS)} failed")
    if FAILS:
        print("failed:\n  " + "\n  ".join(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
