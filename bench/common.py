"""What the benchmarks under bench/ share: the machine line, percentiles, CPU time from
/proc, the load average, and writing a marked section of docs/benchmarks.md.

Each bench writes its results between `<!-- bench-NAME:begin -->` and `<!-- bench-NAME:end -->`
markers, so a rerun with --docs replaces its own section and leaves the prose around it.
"""
import contextlib
import os
import platform
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS_MD = os.path.join(REPO, "docs", "benchmarks.md")


def pct(values, p):
    """The p-th percentile by nearest rank over the sorted values (nan when empty)."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def cpu_seconds(pid):
    """User + system CPU time of a live process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    """The 1-minute load average (the machine is shared: every report records it)."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine():
    return f"{os.cpu_count()} cores, {cpu_model()}, Linux {platform.release()}"


def write_section(begin, end, heading, text, path=BENCHMARKS_MD):
    """Replace the text between the markers `begin` and `end` (inclusive) with `text`, which
    must start with `begin` and end with `end`; append it under `## heading` when the
    markers are not there yet."""
    with open(path) as f:
        doc = f.read()
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin)] + text + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + f"\n\n## {heading}\n\n" + text + "\n"
    with open(path, "w") as f:
        f.write(doc)


@contextlib.contextmanager
def fresh_ebbd(ebbd, extra=()):
    """A fresh ebbd on 127.0.0.1:0 with a temporary data dir and `--auth none`; yields
    (process, base URL). Stopped (SIGTERM) and its data removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        p = subprocess.Popen([ebbd, "--listen", "127.0.0.1:0", "--data-dir", os.path.join(tmp, "data"),
                              "--auth", "none", "--port-file", port_file, *extra],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not (os.path.exists(port_file) and open(port_file).read().endswith("\n")):
                if p.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("ebbd did not start")
                time.sleep(0.05)
            yield p, "http://" + open(port_file).read().strip()
        finally:
            p.terminate()
            p.wait(timeout=30)
