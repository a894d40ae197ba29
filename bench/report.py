#!/usr/bin/env python3
"""Helpers for bench/run.sh (python3 standard library only).

  report.py meta OUT KEY=VALUE...    write OUT/meta.json: the given keys plus this machine
                                     (CPU model, cores, kernel, RAM, load, data-dir file system)
  report.py record OUT --scenario S --server X --run I [--cmd CMD] [--stdin] [KEY=VALUE...]
                                     append one line to OUT/results.jsonl; with --stdin the last
                                     JSON line read from stdin (sqsload's result) goes into "result"
  report.py render OUT [--doc FILE]  write the results of OUT as Markdown: into FILE between
                                     <!-- bench:begin --> and <!-- bench:end --> (text outside the
                                     markers is kept), or to stdout without --doc

Nothing here writes an absolute path of the machine into the report.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

SERVERS = ["ebbd", "fauxqs-mem", "fauxqs-sqlite"]
SERVER_TITLE = {
    "ebbd": "ebbd (durable, SQLite WAL synchronous=FULL)",
    "fauxqs-mem": "fauxqs, in memory (not durable)",
    "fauxqs-sqlite": "fauxqs, SQLite store",
}


# ----------------------------------------------------------------------------- meta

def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def machine_info(data_dir):
    cpu = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    fstype = ""
    if data_dir:
        # longest mount point that contains data_dir
        best = ""
        for line in _read("/proc/mounts").splitlines():
            parts = line.split()
            if len(parts) >= 3 and (data_dir + "/").startswith(parts[1].rstrip("/") + "/"):
                if len(parts[1]) >= len(best):
                    best, fstype = parts[1], parts[2]
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "os": _os_name(),
        "ram_gib": round(mem_kib / 1048576, 1),
        "loadavg_start": _read("/proc/loadavg").split()[:3],
        "data_fs": fstype,
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _os_name():
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return ""


def _parse_kv(items):
    out = {}
    for it in items:
        k, _, v = it.partition("=")
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def cmd_meta(args):
    out = args[0]
    kv = _parse_kv(args[1:])
    meta = {"machine": machine_info(kv.pop("data_dir", "")), **kv}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def cmd_record(args):
    out = args[0]
    rest = args[1:]
    rec = {"kind": "sqsload"}
    kv = []
    use_stdin = False
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in ("--scenario", "--server", "--run", "--cmd", "--kind", "--phase"):
            rec[a[2:]] = int(rest[i + 1]) if a == "--run" else rest[i + 1]
            i += 2
        elif a == "--stdin":
            use_stdin = True
            i += 1
        else:
            kv.append(a)
            i += 1
    rec.update(_parse_kv(kv))
    if use_stdin:
        text = sys.stdin.read()
        result = None
        for line in reversed(text.strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    result = json.loads(line)
                    break
                except ValueError:
                    pass
        rec["result"] = result
        if result is None:
            rec["error"] = "no JSON result (sqsload failed before measuring)"
    with open(os.path.join(out, "results.jsonl"), "a") as f:
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")


# ----------------------------------------------------------------------------- render

def load(out):
    with open(os.path.join(out, "meta.json")) as f:
        meta = json.load(f)
    recs = []
    path = os.path.join(out, "results.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    recs.append(json.loads(line))
    return meta, recs


def dig(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d or d[k] is None:
            return None
        d = d[k]
    return d


def run_ok(r):
    """sqsload's ok; for --no-prefill receives (backlog empty/full) sqsload cannot check losses and
    reports drained=false, so there: correct, no errors, not cut off."""
    res = r.get("result") or {}
    if res.get("ok") is True:
        return True
    if r.get("phase") in ("empty", "full"):
        return (dig(res, "check", "correct") is True and dig(res, "errors", "total") == 0
                and not res.get("aborted"))
    return False


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def fmt_rate(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_ms(us):
    return "—" if us is None else (f"{us / 1000:.2f} ms" if us < 100000 else f"{us / 1000:,.0f} ms")


def fmt_ratio(a, b):
    if a is None or b in (None, 0):
        return "—"
    return f"{a / b:.2f}×"


def fmt_mib(kib):
    return "—" if kib is None else f"{kib / 1024:.1f} MiB"


class Results:
    def __init__(self, recs):
        self.recs = recs

    def runs(self, scenario, server, phase=None, kind="sqsload"):
        return [r for r in self.recs
                if r.get("kind") == kind and r.get("scenario") == scenario and r.get("server") == server
                and (phase is None or r.get("phase") == phase)]

    def metric(self, scenario, server, path, phase=None):
        """(median, values, ok_count, total) of result[path] over the runs."""
        rs = self.runs(scenario, server, phase)
        vals = [dig(r.get("result"), *path) for r in rs]
        oks = sum(1 for r in rs if run_ok(r))
        return med(vals), vals, oks, len(rs)

    def probe(self, scenario, server, key, phase=None):
        rs = [r for r in self.recs if r.get("kind") == "probe" and r.get("scenario") == scenario
              and r.get("server") == server and (phase is None or r.get("phase") == phase)]
        return med([r.get(key) for r in rs]), [r.get(key) for r in rs]

    def servers(self):
        seen = {r.get("server") for r in self.recs}
        return [s for s in SERVERS if s in seen]


def verdict(value, goal, higher_better):
    if value is None:
        return "not measured"
    if higher_better:
        if value >= goal:
            return "**met**"
        return f"**missed** by {100 * (goal - value) / goal:.0f}% ({value / goal:.2f}× the goal)"
    if value <= goal:
        return "**met**"
    return f"**missed** by {100 * (value - goal) / goal:.0f}% ({value / goal:.1f}× the goal)"


def oknote(oks, total):
    if total == 0:
        return ""
    return "" if oks == total else f" ⚠ {total - oks}/{total} runs not ok"


def render(out):
    meta, recs = load(out)
    R = Results(recs)
    m = meta.get("machine", {})
    if not meta.get("sqsload_version"):
        meta["sqsload_version"] = next((dig(r.get("result"), "version") for r in recs
                                        if dig(r.get("result"), "version")), "?")
    servers = R.servers()
    peers = [s for s in servers if s != "ebbd"]
    L = []
    w = L.append
    w(BEGIN)
    w("<!-- Generated by bench/report.py from bench/run.sh results; edit outside the markers. -->")
    w("")
    w(f"### Run of {m.get('date_utc', '?')}")
    w("")
    w(f"Mode: {meta.get('mode', '?')}, {meta.get('runs', '?')} run(s) per scenario and server, median shown. "
      f"Durations: {meta.get('duration', '?')} s measured after {meta.get('warmup', '?')} s warmup; "
      f"receive count {meta.get('count', '?'):,}; backlog {meta.get('backlog', '?'):,} messages.")
    w("")
    w("**Machine.** "
      f"{m.get('nproc', '?')} cores ({m.get('cpu_model', '?')}), {m.get('ram_gib', '?')} GiB RAM, "
      f"Linux {m.get('kernel', '?')} ({m.get('os', '?')}), data directories on {m.get('data_fs', '?')}; "
      f"load average at start {' / '.join(m.get('loadavg_start', []))} "
      f"and at the end {R.probe('machine', 'machine', 'loadavg1_end')[0] or '?'} "
      "(the machine is shared: other builds may run at the same time).")
    fs = R.probe("machine", "machine", "fsync_p50_us")[0]
    if fs is not None:
        fs99 = R.probe("machine", "machine", "fsync_p99_us")[0]
        w(f"Measured in the same run: write(4 KiB)+fsync on the data file system p50 {fs:.0f} µs, "
          f"p99 {fs99:.0f} µs.")
    w("")
    w("**Versions.** "
      f"ebb {meta.get('ebb_commit', '?')}; ebbd built {meta.get('ebbd_build', '?')}; "
      f"fauxqs {meta.get('fauxqs_version', '?')} on Node.js {meta.get('node_version', '?')}; "
      f"sqsload {meta.get('sqsload_version', '?')} (../shared/tools/sqsload, 1 client thread); "
      f"{meta.get('cxx', '?')}; SQLite {meta.get('sqlite_version', '?')}.")
    w("")

    if "fauxqs-sqlite" in servers:
        files = [r.get("persisted_files") for r in recs
                 if r.get("kind") == "probe" and r.get("server") == "fauxqs-sqlite" and "persisted_files" in r]
        if files and not any(files):
            w("**Caveat: there is no durable fauxqs here.** fauxqs "
              f"{meta.get('fauxqs_version', '?')} keeps everything in memory (its README: "
              "\"No persistence\"); it ignores `DATA_DIR` and wrote no file into it during the run. "
              "The `fauxqs-sqlite` column is therefore a second in-memory instance, not a durable peer; "
              "the SQLite-store figures in `../shared/tools/peers/README.md` (~2,500 msg/s) come from a "
              "newer fauxqs that does not run on this Node.js.")
            w("")
    # ---------------------------------------------------------------- goals
    w("#### Goals")
    w("")
    hdr = ["goal", "target", "ebbd"] + [p for p in peers] + [f"ebb/{p}" for p in peers] + ["result"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))

    def row(title, target, scen, path, fmt, goal, higher, note=""):
        e, _, oks, tot = R.metric(scen, "ebbd", path)
        cells = [title, target, fmt(e) + oknote(oks, tot)]
        pv = {}
        for p in peers:
            v, _, poks, ptot = R.metric(scen, p, path)
            pv[p] = v
            cells.append(fmt(v) + oknote(poks, ptot))
        for p in peers:
            cells.append(fmt_ratio(e, pv[p]))
        cells.append(verdict(e, goal, higher) + note)
        w("| " + " | ".join(cells) + " |")

    row("durable SendMessageBatch(10), 64 conns (msg/s)", "≥ 100,000", "send", ("messages_per_s",),
        fmt_rate, 100000, True)
    row("receive + DeleteMessageBatch, 10 per call, 64 conns (msg/s)", "≥ 50,000", "receive",
        ("messages_per_s",), fmt_rate, 50000, True)
    row("pipeline at 1,000 msg/s, end-to-end p99", "≤ 5 ms", "mixed", ("e2e_us", "p99"), fmt_ms, 5000, False)
    row("single SendMessage, 1 conn, p50 latency", "≤ 1 ms", "single", ("send", "lat_us", "p50"), fmt_ms,
        1000, False)

    # backlog: ratio full/empty for each server
    def backlog_ratio(server):
        full = R.metric("backlog", server, ("messages_per_s",), phase="full")[0]
        empty = R.metric("backlog", server, ("messages_per_s",), phase="empty")[0]
        return full, empty, (full / empty if full is not None and empty else None)

    ef, ee, er = backlog_ratio("ebbd")
    cells = [f"receive with {meta.get('backlog', 0):,} queued vs empty (full/empty)", "≥ 0.50",
             "—" if er is None else f"{er:.2f} ({fmt_rate(ef)} vs {fmt_rate(ee)} msg/s)"]
    pr = {}
    for p in peers:
        pf, pe, prt = backlog_ratio(p)
        pr[p] = prt
        cells.append("—" if prt is None else f"{prt:.2f} ({fmt_rate(pf)} vs {fmt_rate(pe)})")
    for p in peers:
        cells.append(fmt_ratio(ef, R.metric("backlog", p, ("messages_per_s",), phase="full")[0]))
    cells.append(verdict(er, 0.5, True))
    w("| " + " | ".join(cells) + " |")

    rss_b, _ = R.probe("backlog", "ebbd", "vmrss_kib", phase="loaded")
    hwm_b, _ = R.probe("backlog", "ebbd", "vmhwm_kib", phase="loaded")
    cells = [f"ebbd RSS holding {meta.get('backlog', 0):,} messages", "report",
             f"{fmt_mib(rss_b)} (peak {fmt_mib(hwm_b)})"]
    for p in peers:
        pr_, _ = R.probe("backlog", p, "vmrss_kib", phase="loaded")
        cells.append(fmt_mib(pr_))
    for p in peers:
        cells.append(fmt_ratio(rss_b, R.probe("backlog", p, "vmrss_kib", phase="loaded")[0]))
    cells.append("reported")
    w("| " + " | ".join(cells) + " |")

    for key, title, target, goal, fmtf in (
            ("cpu_pct", "idle CPU (% of one core)", "~0 (≤ 1%)", 1.0, lambda v: "—" if v is None else f"{v:.2f}%"),
            ("vmrss_kib", "idle RSS", "< 30 MB", 30e6 / 1024, fmt_mib)):
        e, _ = R.probe("idle", "ebbd", key, phase="fresh")
        cells = [title, target, fmtf(e)]
        pv = {p: R.probe("idle", p, key, phase="fresh")[0] for p in peers}
        cells += [fmtf(pv[p]) for p in peers]
        cells += [fmt_ratio(e, pv[p]) if key == "vmrss_kib" else "—" for p in peers]
        cells.append(verdict(e, goal, False))
        w("| " + " | ".join(cells) + " |")
    e, _ = R.probe("backlog", "ebbd", "cpu_pct", phase="loaded")
    if e is not None:
        w(f"| idle CPU holding the backlog | ~0 (≤ 1%) | {e:.2f}% |" + " |" * (2 * len(peers)) +
          f" {verdict(e, 1.0, False)} |")
    w("")
    w("Ratios are ebb/peer of the medians: above 1 means ebbd is faster for throughputs, "
      "below 1 means ebbd is faster for latencies and smaller for memory. "
      "MB = 10⁶ bytes, MiB = 2²⁰ bytes.")
    w("")

    # ---------------------------------------------------------------- details
    w("#### All measurements (median, then each run)")
    w("")
    w("| scenario | server | median | runs | request p50 / p99 (median) | ok | client CPU s |")
    w("|---|---|---|---|---|---|---|")
    specs = [
        ("send", None, "msg/s", ("messages_per_s",), fmt_rate, ("send", "lat_us")),
        ("receive", None, "msg/s", ("messages_per_s",), fmt_rate, ("receive", "lat_us")),
        ("mixed", None, "e2e p99", ("e2e_us", "p99"), fmt_ms, ("send", "lat_us")),
        ("single", None, "send p50", ("send", "lat_us", "p50"), fmt_ms, ("send", "lat_us")),
        ("backlog", "empty", "msg/s", ("messages_per_s",), fmt_rate, ("receive", "lat_us")),
        ("backlog", "full", "msg/s", ("messages_per_s",), fmt_rate, ("receive", "lat_us")),
        ("backlog", "prefill", "msg/s", ("messages_per_s",), fmt_rate, ("send", "lat_us")),
    ]
    for scen, phase, unit, path, fmtf, latpath in specs:
        for s in servers:
            rs = R.runs(scen, s, phase)
            if not rs:
                continue
            v, vals, oks, tot = R.metric(scen, s, path, phase)
            p50 = med([dig(r.get("result"), *latpath, "p50") for r in rs])
            p99 = med([dig(r.get("result"), *latpath, "p99") for r in rs])
            cpu = med([dig(r.get("result"), "client_cpu_s") for r in rs])
            errs = [dig(r.get("result"), "errors", "total") for r in rs]
            name = scen + (f" ({phase})" if phase else "")
            okcell = f"{oks}/{tot}" + ("" if not any(errs) else f", errors {sum(e or 0 for e in errs)}")
            w(f"| {name} | {s} | {fmtf(v)} {unit} | {', '.join(fmtf(x) for x in vals)} | "
              f"{fmt_ms(p50)} / {fmt_ms(p99)} | {okcell} | {'—' if cpu is None else f'{cpu:.1f}'} |")
    w("")
    probes = [r for r in recs if r.get("kind") == "probe" and r.get("scenario") in ("idle", "backlog")]
    if probes:
        w("| probe | server | CPU over window | VmRSS | VmHWM |")
        w("|---|---|---|---|---|")
        for r in probes:
            cpu = r.get("cpu_pct")
            cpu_cell = "—" if cpu is None else f"{cpu:.2f}% over {r.get('window_s', 0)} s"
            w(f"| {r.get('scenario')} ({r.get('phase')}) | {r.get('server')} | {cpu_cell} | "
              f"{fmt_mib(r.get('vmrss_kib'))} | {fmt_mib(r.get('vmhwm_kib'))} |")
        w("")
    bad = [r for r in recs if r.get("kind") == "sqsload" and not run_ok(r)]
    if bad:
        w("Runs that were not `ok` (sqsload found errors or was cut off by `--max-time`):")
        w("")
        for r in bad:
            res = r.get("result") or {}
            errs = {k: v for k, v in (res.get("errors") or {}).items() if v and k != "total"}
            chk = {k: v for k, v in (res.get("check") or {}).items()
                   if k in ("send_failed", "send_ambiguous", "lost", "unexpected", "duplicate_messages",
                            "corrupt", "delete_failed", "correct", "drained") and v not in (0, None, True)}
            w(f"- {r.get('scenario')}{' (' + r['phase'] + ')' if r.get('phase') else ''} on {r.get('server')}, "
              f"run {r.get('run')}: errors {json.dumps(errs)}, check {json.dumps(chk)}"
              f"{', cut off by --max-time after ' + str(res.get('elapsed_s')) + ' s' if res.get('aborted') else ''}"
              f"{', exit code ' + str(r.get('exit_code')) if r.get('exit_code') else ''}"
              f"{', ' + r['error'] if r.get('error') else ''}")
        w("")

    # ---------------------------------------------------------------- commands
    w("#### Commands")
    w("")
    w("Run from the repository root; `$P` is the server's port, `$D` a fresh data directory. "
      "Servers (each one fresh per scenario):")
    w("")
    w("```")
    for k in ("cmd_ebbd", "cmd_fauxqs_mem", "cmd_fauxqs_sqlite"):
        if meta.get(k):
            w(meta[k])
    w("```")
    w("")
    w("Load (one line per scenario and server, as run):")
    w("")
    w("```")
    seen = set()
    for r in recs:
        if r.get("kind") != "sqsload" or not r.get("cmd"):
            continue
        key = (r.get("scenario"), r.get("phase"), r.get("server"))
        if key in seen:
            continue
        seen.add(key)
        w(f"# {r.get('scenario')}{' ' + r['phase'] if r.get('phase') else ''}, {r.get('server')}")
        w(r["cmd"])
    w("```")
    w("")
    w("Idle CPU: utime+stime from `/proc/PID/stat` over the window; RSS: `VmRSS`/`VmHWM` from "
      "`/proc/PID/status`.")
    w("")
    w(END)
    return "\n".join(L) + "\n"


TEMPLATE_HEAD = """# Benchmarks

ebbd measured with `sqsload` (`../shared/tools/sqsload`) side by side with the npm SQS
emulator fauxqs in memory (`../shared/tools/peers`), in the same run on the same machine.
ebbd runs with its durable default (SQLite WAL, `synchronous=FULL`: every acknowledged send
is on disk); fauxqs is not durable. fauxqs 1.9.2 (the newest that runs on Node.js 20) has no
SQLite store: it ignores `DATA_DIR`, so the durable fauxqs figures of the issue (~2,500 msg/s)
cannot be reproduced here; `--servers ebbd,fauxqs-mem,fauxqs-sqlite` still runs it and the
report then flags it as a second in-memory instance.

## How to run

    bench/run.sh            # full: 3 runs per scenario and server, medians, writes this file
    bench/run.sh --quick    # smoke check: 1 run, short durations, smaller backlog;
                            # report goes to bench/out/<time>/results.md only

`bench/run.sh --help` lists the options (`--runs N`, `--servers`, `--scenarios`,
`--duration`, `--count`, `--backlog`, `--no-build`, `--render DIR`). A full run takes about
15 minutes. Needs g++, cmake, ninja,
Node.js + npm (fauxqs is installed into `${TMPDIR:-/tmp}/ebb-bench-peers`, outside the repo),
python3. Shared tools are found at `${EBB_SHARED:-<repo>/../shared}`. Raw results (JSON lines
from sqsload) and server logs stay in `bench/out/` (ignored by git). Everything listens on
127.0.0.1 and every load phase is bounded (`sqsload --max-time` plus `timeout`).

Scenarios (256-byte bodies, JSON protocol, unsigned, `--auth none` on ebbd):

| scenario | load |
|---|---|
| send | SendMessageBatch of 10, 64 connections, warmup + fixed duration |
| receive | prefill N (untimed), then ReceiveMessage(10) + DeleteMessageBatch over 64 connections until all N are consumed |
| mixed | 4 producers + 4 consumers (long poll 1 s) at a steady 1,000 msg/s; end-to-end latency from the send timestamp in each body, fsync included |
| single | SendMessage, one connection |
| backlog | the same receive loop (`--no-prefill --count N`, 64 connections) on a queue prefilled with N messages ("empty") and on a queue holding the backlog plus N ("full", topped up with N before each run so it never drops below the backlog); RSS read after the backlog prefill |
| idle | fresh server, no load: CPU from `/proc/PID/stat` over a window, RSS |

## Results

"""

TEMPLATE_TAIL = """
## Misses and why

<!-- Written by a human: for each missed goal, by how much and why (profile). bench/run.sh
     never rewrites this section. -->

_To be filled in after profiling._
"""


def cmd_render(args):
    out = args[0]
    doc = None
    if "--doc" in args:
        doc = args[args.index("--doc") + 1]
    block = render(out)
    if doc is None:
        sys.stdout.write(block)
        return
    old = _read(doc, "")
    if BEGIN in old and END in old:
        pre = old[:old.index(BEGIN)]
        post = old[old.index(END) + len(END):]
        if post.startswith("\n"):
            post = post[1:]
        new = pre + block + post
    else:
        new = TEMPLATE_HEAD + block + TEMPLATE_TAIL
    with open(doc, "w") as f:
        f.write(new)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    cmd, args = sys.argv[1], sys.argv[2:]
    {"meta": cmd_meta, "record": cmd_record, "render": cmd_render}[cmd](args)


if __name__ == "__main__":
    main()
