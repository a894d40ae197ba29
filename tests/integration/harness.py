#!/usr/bin/env python3
"""Run one integration command against a fresh ebbd on 127.0.0.1:0.

    harness.py --ebbd PATH [--timeout S] [--name N] [--auth none|sigv4] -- COMMAND [ARG...]

Starts `ebbd --listen 127.0.0.1:0 --data-dir TMP/data --auth none --port-file
TMP/port` (`--auth sigv4` with harness --auth sigv4: clients then get the generated
admin key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and EBB_CREDENTIALS_FILE), waits for the port file and /healthz, runs COMMAND in TMP/work with
ENDPOINT / EBB_SERVER set, then stops ebbd with SIGTERM (SIGKILL after a grace
period) and removes TMP.  Every wait has a deadline.

Placeholders in COMMAND, resolved before the server starts:
  {JSON_PYTHON}  first `python3` on PATH that is not Debian's /usr/bin one and whose
                 boto3 speaks the JSON protocol; absent -> exit 77 (ctest SKIP)
  {JSON_AWS}     first `aws` on PATH that is not /usr/bin/aws and whose botocore
                 speaks JSON; absent -> exit 77
  {NODE}         `node` on PATH; absent -> exit 77. If present, tests/js/node_modules
                 must hold @aws-sdk/client-sqs, else this FAILS (run
                 scripts/install-deps.sh).

Exit status: the command's, or 1 if the server failed to start, died during the
run, or did not stop cleanly on SIGTERM; 77 when a client is missing.

The module is also imported by tests/crash/kill9.py (start_ebbd & co).
"""
import argparse
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
JS_DIR = os.path.join(REPO, "tests", "js")


def log(msg):
    print(f"[harness] {msg}", flush=True)


# ---------------------------------------------------------------- client lookup
def _path_candidates(name):
    seen = set()
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d:
            continue
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK) and p not in seen:
            seen.add(p)
            yield p


def _is_debian(p, debian):
    try:
        return os.path.realpath(p) == os.path.realpath(debian) or \
            os.path.realpath(os.path.dirname(p)) in ("/usr/bin", "/bin")
    except OSError:
        return False


def _run_probe(argv, timeout=60):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return r.returncode, (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


def find_json_python():
    probe = ("import boto3, botocore;"
             "c=boto3.client('sqs',region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='x');"
             "print(c.meta.service_model.protocol, botocore.__version__)")
    for p in _path_candidates("python3"):
        if _is_debian(p, "/usr/bin/python3"):
            continue
        rc, out = _run_probe([p, "-c", probe])
        if rc == 0 and out.split()[:1] == ["json"]:
            return p, out
        log(f"{p}: not a JSON-protocol boto3 ({out.splitlines()[-1] if out else rc})")
    return None, None


def find_json_aws():
    for p in _path_candidates("aws"):
        if _is_debian(p, "/usr/bin/aws"):
            continue
        rc, out = _run_probe([p, "--version"])
        # e.g. "aws-cli/1.45.11 Python/3.11.7 Linux/... botocore/1.43.11"
        bc = [w.split("/", 1)[1] for w in out.split() if w.startswith("botocore/")]
        if rc == 0 and bc:
            try:
                major, minor, patch = (int(x) for x in bc[0].split(".")[:3])
            except ValueError:
                continue
            # botocore switched SQS to JSON for good in 1.34.9x (April 2024)
            if (major, minor) > (1, 34) or (major, minor) == (1, 34) and patch >= 90:
                return p, out
        log(f"{p}: not a JSON-protocol AWS CLI ({out or rc})")
    return None, None


def find_node():
    for p in _path_candidates("node"):
        return p
    return None


def node_sdk_present():
    return os.path.isfile(os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-sqs", "package.json"))


def resolve_placeholders(cmd):
    """Returns (argv, None) or (None, exit_code) after printing why."""
    out = []
    for a in cmd:
        if "{JSON_PYTHON}" in a:
            p, info = find_json_python()
            if not p:
                log("SKIP: no JSON-protocol python3/boto3 on PATH besides Debian's "
                    "/usr/bin/python3 (install a pip boto3 >= 1.34.90 to run the JSON pass)")
                return None, SKIP
            log(f"JSON python: {p} ({info})")
            a = a.replace("{JSON_PYTHON}", p)
        if "{JSON_AWS}" in a:
            p, info = find_json_aws()
            if not p:
                log("SKIP: no JSON-protocol AWS CLI on PATH besides Debian's /usr/bin/aws "
                    "(a pip AWS CLI v1 with botocore >= 1.34.90 runs the JSON pass)")
                return None, SKIP
            log(f"JSON aws: {p} ({info})")
            a = a.replace("{JSON_AWS}", p)
        if "{NODE}" in a:
            p = find_node()
            if not p:
                log("SKIP: node is not installed, the @aws-sdk/client-sqs (JSON) pass cannot run")
                return None, SKIP
            if not node_sdk_present():
                log(f"FAIL: node is installed but {JS_DIR}/node_modules has no "
                    "@aws-sdk/client-sqs; run scripts/install-deps.sh (or "
                    "`npm install --no-audit --no-fund` in tests/js)")
                return None, 1
            a = a.replace("{NODE}", p)
        out.append(a)
    return out, None


# ---------------------------------------------------------------- server control
def client_env(endpoint, tmp):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update({
        "ENDPOINT": endpoint,
        "EBB_SERVER": endpoint,
        "AWS_ACCESS_KEY_ID": "AKIDEBBTEST",
        "AWS_SECRET_ACCESS_KEY": "ebb-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.path.join(tmp, "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Ebbd:
    """One ebbd process on 127.0.0.1 with a given data dir."""

    def __init__(self, ebbd, data_dir, tmp, extra_args=(), env=None, wrapper=(), auth="none", ca_file=None):
        self.ebbd, self.data_dir, self.tmp = ebbd, data_dir, tmp
        self.extra_args = list(extra_args)
        self.env = env            # None: inherit; else the full environment of ebbd
        self.wrapper = list(wrapper)  # argv prefix, e.g. strace with fault injection
        self.auth = auth  # "none" (explicit: ebbd's default is sigv4) or "sigv4"
        # ebbd serves HTTPS (extra_args carry --tls-cert/--tls-key): the endpoint is
        # https:// and /healthz is checked trusting this CA file.
        self.ca_file = ca_file
        self.proc = None
        self.port = None
        self.endpoint = None
        self.starts = 0
        self.log_path = os.path.join(tmp, "ebbd.log")

    def start(self, port=0, deadline_s=30):
        """Starts ebbd (port 0 = any free port) and waits until /healthz answers."""
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        os.makedirs(self.data_dir, exist_ok=True)
        argv = self.wrapper + [self.ebbd, "--listen", f"127.0.0.1:{port}", "--data-dir", self.data_dir,
                               "--auth", self.auth, "--port-file", port_file] + self.extra_args
        self.starts += 1
        logf = open(self.log_path, "ab")
        logf.write(f"\n==== start #{self.starts}: {' '.join(argv)}\n".encode())
        logf.flush()
        self.proc = subprocess.Popen(argv, stdout=logf, stderr=logf, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=self.env)
        logf.close()
        deadline = time.monotonic() + deadline_s
        addr = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ebbd exited with status {self.proc.returncode} before "
                                   f"writing its port file\n{self.log_tail()}")
            try:
                with open(port_file) as f:
                    txt = f.read()
                if txt.endswith("\n"):
                    addr = txt.strip()
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        if not addr:
            self.kill()
            raise RuntimeError(f"ebbd wrote no port file within {deadline_s}s\n{self.log_tail()}")
        host, _, p = addr.rpartition(":")
        if host != "127.0.0.1" or not p.isdigit():
            self.kill()
            raise RuntimeError(f"port file holds {addr!r}, expected 127.0.0.1:PORT")
        self.port = int(p)
        scheme = "https" if self.ca_file else "http"
        self.endpoint = f"{scheme}://127.0.0.1:{self.port}"
        ctx = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ebbd exited with status {self.proc.returncode} after "
                                   f"binding\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/healthz", timeout=2, context=ctx) as r:
                    if r.status == 200:
                        return self.endpoint
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"/healthz did not answer 200 within {deadline_s}s\n{self.log_tail()}")

    def admin_credentials(self):
        """(access key id, secret) from the credentials file ebbd wrote (--auth sigv4)."""
        key = secret = None
        with open(os.path.join(self.data_dir, "credentials")) as f:
            for line in f:
                name, _, value = line.partition("=")
                if name.strip() == "aws_access_key_id":
                    key = value.strip()
                elif name.strip() == "aws_secret_access_key":
                    secret = value.strip()
        return key, secret

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL, then reap (bounded)."""
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log("ebbd did not die within 10 s of SIGKILL")

    def stop(self, grace_s=15):
        """SIGTERM; returns the exit status, or None if SIGKILL was needed."""
        if not self.proc:
            return 0
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "---- ebbd log (last lines) ----\n" + "\n".join(lines[-n:])
        except OSError:
            return "(no ebbd log)"


# ebbd run as root starts tasks as nobody (reliability.md §4.6, ebbd --task-user).
TASK_UID = TASK_GID = 65534


def make_tmp(prefix="ebb-it-"):
    """A fresh temp dir. As root it is made traversable (0711, not listable) so that
    files a test hands to its tasks (task_dir/task_file) can be reached by them."""
    d = tempfile.mkdtemp(prefix=prefix)
    if os.geteuid() == 0:
        os.chmod(d, 0o711)
    return d


def task_dir(path):
    """Creates directory `path` for tasks to write in: owned by the task user when
    ebbd runs as root (tasks then run as nobody), else the test's own."""
    os.makedirs(path, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(path, TASK_UID, TASK_GID)
    return path


def task_file(path):
    """Creates an empty file `path` that tasks append to (see task_dir)."""
    with open(path, "a"):
        pass
    if os.geteuid() == 0:
        os.chown(path, TASK_UID, TASK_GID)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ebbd", required=True)
    ap.add_argument("--timeout", type=float, default=300, help="deadline for COMMAND (s)")
    ap.add_argument("--name", default="integration")
    ap.add_argument("--auth", default="none", choices=["none", "sigv4"],
                    help="sigv4: clients get the admin key ebbd generated (AWS_* and EBB_CREDENTIALS_FILE)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    if not os.access(a.ebbd, os.X_OK):
        log(f"FAIL: ebbd binary {a.ebbd} not found or not executable")
        return 1
    argv, code = resolve_placeholders(cmd)
    if argv is None:
        return code

    tmp = make_tmp(f"ebb-{a.name}-")
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    srv = Ebbd(a.ebbd, os.path.join(tmp, "data"), tmp, auth=a.auth)
    rc = 1
    try:
        try:
            endpoint = srv.start()
        except RuntimeError as e:
            log(f"FAIL: {e}")
            return 1
        log(f"ebbd up at {endpoint} (data dir {srv.data_dir}); running: {' '.join(argv)}")
        env = client_env(endpoint, tmp)
        env["EBB_EBBD"] = os.path.abspath(a.ebbd)
        if a.auth == "sigv4":
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = srv.admin_credentials()
            env["EBB_CREDENTIALS_FILE"] = os.path.join(srv.data_dir, "credentials")
        env["EBB_JS_DIR"] = JS_DIR
        t0 = time.monotonic()
        p = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = p.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            log(f"FAIL: command still running after {a.timeout:.0f}s; killing it")
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
            rc = 1
        log(f"command exited {rc} after {time.monotonic() - t0:.1f}s")
        if rc == SKIP:
            return SKIP
        if not srv.alive():
            log(f"FAIL: ebbd died during the run (status {srv.proc.returncode})")
            print(srv.log_tail(), flush=True)
            return 1
        st = srv.stop()
        if st != 0:
            log(f"FAIL: ebbd did not stop cleanly on SIGTERM "
                f"({'needed SIGKILL' if st is None else f'exit status {st}'})")
            print(srv.log_tail(), flush=True)
            return 1
        if rc != 0:
            print(srv.log_tail(30), flush=True)
        return rc
    finally:
        srv.kill()
        if os.environ.get("EBB_KEEP_TMP"):
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
