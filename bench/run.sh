#!/usr/bin/env bash
# bench/run.sh — ebbd against its peers, same machine, same run; writes docs/benchmarks.md.
#
#   bench/run.sh              full run: 3 runs per scenario and server, medians -> docs/benchmarks.md
#   bench/run.sh --quick      smoke check: 1 run, 3 s durations, small counts; the report goes
#                             to bench/out/<time>/results.md only (add --docs to write the doc)
#   bench/run.sh --help       all options
#
# What it does, from the repository root:
#   1. finds the shared tools at ${EBB_SHARED:-<repo>/../shared} (never copied into the repo);
#   2. builds sqsload into build/sqsload (CMake, Release, -j2);
#   3. installs the fauxqs peer into ${EBB_BENCH_PEERS:-${TMPDIR:-/tmp}/ebb-bench-peers} (npm);
#   4. builds ebbd in Release: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DEBB_TESTS=OFF -G Ninja
#      && ninja -C build-release -j2 ebbd   (EBBD=path uses an existing binary instead);
#   5. per scenario starts fresh servers on 127.0.0.1 — ebbd (fresh data dir, --auth none,
#      durable default) and fauxqs in memory (with --servers ...,fauxqs-sqlite also fauxqs
#      given DATA_DIR for the send scenarios; fauxqs 1.9.2 has no store and ignores it) — and
#      runs sqsload against each, interleaved, --runs times;
#   6. measures idle CPU (/proc/PID/stat) and RSS (/proc/PID/status), and receive throughput
#      and RSS with a --backlog message queue;
#   7. bench/report.py turns the JSON lines into docs/benchmarks.md (between the
#      <!-- bench:begin --> / <!-- bench:end --> markers; the rest of the file is kept).
# Raw results and server logs: bench/out/<time>/ (git-ignored). Every load phase is bounded
# by sqsload --max-time and an outer `timeout`.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
SHARED=${EBB_SHARED:-$REPO/../shared}
PEERS=${EBB_BENCH_PEERS:-${TMPDIR:-/tmp}/ebb-bench-peers}
SCRATCH_BASE=${EBB_BENCH_TMP:-${TMPDIR:-/tmp}}
PORT_BASE=${EBB_BENCH_PORT_BASE:-19324}
SQSLOAD=build/sqsload/sqsload

RUNS=3 DURATION=10 WARMUP=1 COUNT=200000 BACKLOG=1000000 IDLE_S=10 MODE=full
SERVERS=ebbd,fauxqs-mem
SCENARIOS=idle,send,single,receive,mixed,backlog
BUILD=1 DOCS=auto OUT="" RENDER_ONLY=""

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  cat <<EOF
Options:
  --quick               1 run, --duration 3, --count 50000, --backlog 100000, idle window 3 s
  --runs N              runs per scenario and server (default $RUNS)
  --duration S          measured seconds of the duration-bound scenarios (default $DURATION)
  --count N             messages per receive run (default $COUNT)
  --backlog N           messages held by the backlog queue (default $BACKLOG)
  --idle-seconds S      idle CPU window (default $IDLE_S)
  --servers LIST        of ebbd,fauxqs-mem,fauxqs-sqlite (default ebbd,fauxqs-mem; fauxqs 1.9.2
                        ignores DATA_DIR, so fauxqs-sqlite is a second in-memory instance: the
                        report says so when its data dir stays empty)
  --scenarios LIST      subset of $SCENARIOS (default all)
  --no-build            use the existing build/sqsload and build-release/src/ebbd (or \$EBBD)
  --docs | --no-docs    write docs/benchmarks.md or not (default: yes, except with --quick)
  --out DIR             results directory (default bench/out/<UTC time>)
  --render DIR          only regenerate the report from an earlier results directory
Environment: EBB_SHARED, EBB_BENCH_PEERS, EBB_BENCH_TMP (scratch data dirs), EBB_BENCH_PORT_BASE
(default 19324: ebbd, +1 fauxqs in memory, +2 fauxqs SQLite), EBBD (ebbd binary).
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) MODE=quick RUNS=1 DURATION=3 COUNT=50000 BACKLOG=100000 IDLE_S=3 ;;
    --runs) RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --count) COUNT=$2; shift ;;
    --backlog) BACKLOG=$2; shift ;;
    --idle-seconds) IDLE_S=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --docs) DOCS=1 ;;
    --no-docs) DOCS=0 ;;
    --out) OUT=$2; shift ;;
    --render) RENDER_ONLY=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $DOCS == auto ]] && { [[ $MODE == full ]] && DOCS=1 || DOCS=0; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
has() { [[ ",$2," == *",$1,"* ]]; }

render() {  # render DIR
  python3 bench/report.py render "$1" --doc "$1/benchmarks.md.tmp"
  sed -n '/<!-- bench:begin -->/,/<!-- bench:end -->/p' "$1/benchmarks.md.tmp" >"$1/results.md"
  rm -f "$1/benchmarks.md.tmp"
  if [[ $DOCS == 1 ]]; then
    python3 bench/report.py render "$1" --doc docs/benchmarks.md
    log "wrote docs/benchmarks.md"
  fi
  log "report: $1/results.md"
}

if [[ -n $RENDER_ONLY ]]; then
  render "$RENDER_ONLY"
  exit 0
fi

# ------------------------------------------------------------------------------ build / install
[[ -f $SHARED/tools/sqsload/sqsload.cpp ]] || { echo "run.sh: no sqsload under $SHARED/tools (set EBB_SHARED)" >&2; exit 1; }
if [[ $BUILD == 1 || ! -x $SQSLOAD ]]; then
  log "building sqsload -> build/sqsload"
  cmake -S "$SHARED/tools/sqsload" -B build/sqsload -DCMAKE_BUILD_TYPE=Release -G Ninja >/dev/null
  cmake --build build/sqsload -j2 >/dev/null
fi
"$SQSLOAD" --selftest >/dev/null 2>&1 || { echo "run.sh: sqsload --selftest failed" >&2; exit 1; }

if has fauxqs-mem "$SERVERS" || has fauxqs-sqlite "$SERVERS"; then
  mkdir -p "$PEERS"
  cp "$SHARED/tools/peers/package.json" "$SHARED/tools/peers/fauxqs-launch.mjs" "$PEERS/"
  want=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["dependencies"]["fauxqs"])' "$PEERS/package.json")
  have=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["version"])' "$PEERS/node_modules/fauxqs/package.json" 2>/dev/null || true)
  if [[ $have != "$want" ]]; then
    log "installing fauxqs $want into the peers scratch dir"
    (cd "$PEERS" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  FAUXQS_VERSION=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["version"])' "$PEERS/node_modules/fauxqs/package.json")
fi

EBBD_BUILD="(not run)"
if has ebbd "$SERVERS"; then
  if [[ -n ${EBBD:-} ]]; then
    EBBD_BUILD="as given by \$EBBD"
  else
    EBBD=build-release/src/ebbd
    EBBD_BUILD="Release (build-release)"
    if [[ $BUILD == 1 ]]; then
      log "building ebbd (Release) -> build-release/src/ebbd"
      [[ -f build-release/build.ninja ]] ||
        cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DEBB_TESTS=OFF -G Ninja >/dev/null
      ninja -C build-release -j2 ebbd >/dev/null
    fi
  fi
  [[ -x $EBBD ]] || { echo "run.sh: no ebbd at $EBBD (build it, or pass --servers fauxqs-mem,fauxqs-sqlite)" >&2; exit 1; }
fi

# ------------------------------------------------------------------------------ scratch, cleanup
OUT=${OUT:-bench/out/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/logs"
: >"$OUT/results.jsonl"
SCRATCH=$(mktemp -d "$SCRATCH_BASE/ebb-bench-data.XXXXXX")
declare -A PID=() PORT=([ebbd]=$PORT_BASE [fauxqs-mem]=$((PORT_BASE + 1)) [fauxqs-sqlite]=$((PORT_BASE + 2)))
cleanup() {
  local s
  for s in "${!PID[@]}"; do stop_server "$s"; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {  # start_server NAME TAG  -> PID[NAME]
  local s=$1 tag=$2 p=${PORT[$1]} d="$SCRATCH/$1-$2"
  port_free "$p" || { echo "run.sh: port $p is in use (set EBB_BENCH_PORT_BASE)" >&2; exit 1; }
  mkdir -p "$d"
  case $s in
    ebbd) "$EBBD" --data-dir "$d" --listen "127.0.0.1:$p" --auth none >"$OUT/logs/$s-$tag.log" 2>&1 & ;;
    fauxqs-mem) (cd "$PEERS" && PORT=$p exec node fauxqs-launch.mjs) >"$OUT/logs/$s-$tag.log" 2>&1 & ;;
    fauxqs-sqlite) (cd "$PEERS" && PORT=$p DATA_DIR=$d exec node fauxqs-launch.mjs) >"$OUT/logs/$s-$tag.log" 2>&1 & ;;
  esac
  PID[$s]=$!
  local i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
      echo "run.sh: $s exited at start; log:" >&2; tail -20 "$OUT/logs/$s-$tag.log" >&2; unset "PID[$s]"; exit 1
    fi
    port_free "$p" || return 0
    sleep 0.1
  done
  echo "run.sh: $s did not listen on $p within 30 s" >&2; exit 1
}

stop_server() {  # by process id only
  local s=$1 pid=${PID[$1]:-} i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { log "$s did not stop within 10 s; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  wait "$pid" 2>/dev/null || true
  unset "PID[$s]"
}

# sq SCENARIO SERVER RUN PHASE MAXTIME sqsload-args...   (records the JSON result)
sq() {
  local scen=$1 srv=$2 run=$3 phase=$4 maxt=$5; shift 5
  local args=(--endpoint "http://127.0.0.1:${PORT[$srv]}" --body-bytes 256 --timeout 10 --max-time "$maxt" "$@")
  local cmd="$SQSLOAD ${args[*]}"
  cmd=${cmd//127.0.0.1:${PORT[$srv]}/127.0.0.1:\$P}
  local extra=() rc=0 outj
  [[ $phase == - ]] || extra=(--phase "$phase")
  log "$scen $([[ $phase == - ]] || echo "($phase) ")on $srv, run $run: $*"
  outj=$(timeout -k 5 $((maxt * 3 + 60)) "$SQSLOAD" "${args[@]}" --label "$scen/$srv/$run" --quiet \
    2>>"$OUT/logs/sqsload.err") || rc=$?
  printf '%s\n' "$outj" | python3 bench/report.py record "$OUT" --scenario "$scen" --server "$srv" \
    --run "$run" --cmd "$cmd" "${extra[@]}" exit_code=$rc --stdin
  printf '%s\n' "$outj" | python3 -c '
import json,sys
t=sys.stdin.read().strip()
try: r=json.loads(t.splitlines()[-1])
except Exception: print("   -> no result"); sys.exit()
e=r.get("e2e_us") or {}
print("   -> ok=%s msg/s=%.0f  e2e p99=%s  send p50=%s  errors=%s" % (r.get("ok"), r.get("messages_per_s",0),
  e.get("p99"), ((r.get("send") or {}).get("lat_us") or {}).get("p50"), (r.get("errors") or {}).get("total")))' >&2
}

TICKS=$(getconf CLK_TCK)
cpu_ticks() { local st; st=$(<"/proc/$1/stat"); st=${st##*) }; set -- $st; echo $((${12} + ${13})); }
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# probe SCENARIO SERVER PHASE WINDOW_S   (CPU over the window, then RSS)
probe() {
  local scen=$1 srv=$2 phase=$3 win=$4 pid=${PID[$2]} t0 t1 ns0 ns1
  t0=$(cpu_ticks "$pid"); ns0=$(date +%s%N)
  sleep "$win"
  t1=$(cpu_ticks "$pid"); ns1=$(date +%s%N)
  local cpu
  cpu=$(python3 -c "print(round(100.0 * ($t1 - $t0) / $TICKS / (($ns1 - $ns0) / 1e9), 3))")
  local rss hwm
  rss=$(status_kib "$pid" VmRSS); hwm=$(status_kib "$pid" VmHWM)
  log "$scen/$phase $srv: CPU $cpu% over ${win}s, VmRSS ${rss} kB, VmHWM ${hwm} kB"
  python3 bench/report.py record "$OUT" --kind probe --scenario "$scen" --server "$srv" --run 1 \
    --phase "$phase" cpu_pct="$cpu" vmrss_kib="$rss" vmhwm_kib="$hwm" window_s="$win"
}

fsync_probe() {  # write(4 KiB)+fsync latency on the data file system: the floor of a durable ack
  python3 - "$SCRATCH" "$OUT" <<'EOF'
import os, sys, time, statistics, json
d, out = sys.argv[1], sys.argv[2]
p = os.path.join(d, "fsync-probe")
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
buf = b"x" * 4096
lat = []
for i in range(300):
    t = time.perf_counter_ns()
    os.write(fd, buf)
    os.fsync(fd)
    lat.append((time.perf_counter_ns() - t) / 1000)
os.close(fd); os.unlink(p)
lat.sort()
rec = {"kind": "probe", "scenario": "machine", "server": "machine", "run": 1,
       "fsync_p50_us": statistics.median(lat), "fsync_p99_us": lat[int(len(lat) * 0.99) - 1]}
open(os.path.join(out, "results.jsonl"), "a").write(json.dumps(rec) + "\n")
print("fsync p50 %.0f us, p99 %.0f us" % (rec["fsync_p50_us"], rec["fsync_p99_us"]), file=sys.stderr)
EOF
}

# ------------------------------------------------------------------------------ metadata
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [[ -n $(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit="$commit (with uncommitted changes)"
fi
python3 bench/report.py meta "$OUT" mode="$MODE" runs="$RUNS" duration="$DURATION" warmup="$WARMUP" \
  count="$COUNT" backlog="$BACKLOG" idle_s="$IDLE_S" servers="$SERVERS" data_dir="$SCRATCH" \
  ebb_commit="$commit" ebbd_build="$EBBD_BUILD" fauxqs_version="${FAUXQS_VERSION:-n/a}" \
  node_version="$(node --version 2>/dev/null || echo n/a)" \
  cxx="$(g++ --version | head -1)" sqlite_version="$(pkg-config --modversion sqlite3 2>/dev/null || echo '?')" \
  cmd_ebbd="build-release/src/ebbd --data-dir \$D --listen 127.0.0.1:\$P --auth none" \
  cmd_fauxqs_mem="(cd \${TMPDIR:-/tmp}/ebb-bench-peers && PORT=\$P node fauxqs-launch.mjs)" \
  cmd_fauxqs_sqlite="(cd \${TMPDIR:-/tmp}/ebb-bench-peers && PORT=\$P DATA_DIR=\$D node fauxqs-launch.mjs)"
log "results -> $OUT (mode $MODE, $RUNS run(s), servers $SERVERS, scenarios $SCENARIOS)"
fsync_probe

IFS=, read -r -a SRV_LIST <<<"$SERVERS"
servers_for() {  # servers_for SCENARIO -> those of --servers that take part
  local s
  for s in "${SRV_LIST[@]}"; do
    case $1:$s in
      send:*|single:*) echo "$s" ;;
      *:fauxqs-sqlite) ;;
      *) echo "$s" ;;
    esac
  done
}

# interleaved: run 1 on every server, then run 2, ... (drift on a shared machine hits all alike)
scenario() {  # scenario NAME MAXTIME sqsload-args...
  local scen=$1 maxt=$2; shift 2
  has "$scen" "$SCENARIOS" || return 0
  local list s r
  mapfile -t list < <(servers_for "$scen")
  [[ ${#list[@]} -gt 0 ]] || return 0
  for s in "${list[@]}"; do start_server "$s" "$scen"; done
  for ((r = 1; r <= RUNS; r++)); do
    for s in "${list[@]}"; do sq "$scen" "$s" "$r" - "$maxt" "$@"; done
  done
  for s in "${list[@]}"; do stop_server "$s"; done
  if [[ " ${list[*]} " == *" fauxqs-sqlite "* ]]; then  # did it persist anything at all?
    python3 bench/report.py record "$OUT" --kind probe --scenario "$scen" --server fauxqs-sqlite --run 1 \
      persisted_files="$(find "$SCRATCH/fauxqs-sqlite-$scen" -type f | wc -l)"
  fi
}

# ------------------------------------------------------------------------------ scenarios
if has idle "$SCENARIOS"; then
  for s in "${SRV_LIST[@]}"; do
    [[ $s == fauxqs-sqlite ]] && continue
    start_server "$s" idle
    sleep 2
    probe idle "$s" fresh "$IDLE_S"
    stop_server "$s"
  done
fi

scenario send 120 --workload send --batch 10 --connections 64 --warmup "$WARMUP" --duration "$DURATION"
scenario single 120 --workload send --batch 1 --connections 1 --warmup "$WARMUP" --duration "$DURATION"
scenario receive 300 --workload receive --batch 10 --connections 64 --count "$COUNT"
scenario mixed 120 --workload mixed --connections 8 --rate 1000 --warmup "$WARMUP" --duration "$DURATION"

if has backlog "$SCENARIOS"; then
  for s in "${SRV_LIST[@]}"; do
    [[ $s == fauxqs-sqlite ]] && continue
    start_server "$s" backlog
    full_max=300; [[ $s == ebbd ]] || full_max=60  # fauxqs slows down sharply with a backlog
    # "empty": a queue holding just the N messages the run consumes
    for ((r = 1; r <= RUNS; r++)); do
      sq backlog "$s" "$r" empty-fill 300 --workload send --batch 10 --connections 64 --count "$COUNT" \
        --queue-name "bench-empty-$r" --keep-queue
      sq backlog "$s" "$r" empty 300 --workload receive --batch 10 --connections 64 --count "$COUNT" \
        --no-prefill --queue-name "bench-empty-$r" --keep-queue
    done
    # "full": the backlog, topped up by N before each run, so it never holds fewer than BACKLOG
    sq backlog "$s" 1 prefill 900 --workload send --batch 10 --connections 64 --count "$BACKLOG" \
      --queue-name bench-backlog --keep-queue
    probe backlog "$s" loaded "$IDLE_S"
    for ((r = 1; r <= RUNS; r++)); do
      sq backlog "$s" "$r" full-fill 300 --workload send --batch 10 --connections 64 --count "$COUNT" \
        --queue-name bench-backlog --keep-queue
      sq backlog "$s" "$r" full "$full_max" --workload receive --batch 10 --connections 64 --count "$COUNT" \
        --no-prefill --queue-name bench-backlog --keep-queue
    done
    probe backlog "$s" after "$IDLE_S"
    stop_server "$s"
  done
fi

python3 bench/report.py record "$OUT" --kind probe --scenario machine --server machine --run 1 \
  loadavg1_end="$(cut -d' ' -f1 /proc/loadavg)"
render "$OUT"
