#!/usr/bin/env bash
# Long kill -9 soak (reliability.md §6.7/§6.8): the harness of tests/crash/kill9.py
# with exponential kill intervals (mean 20 s by default), a third of them targeted
# (right after an acknowledged send, during a batch, 100 ms after a restart),
# standard + DLQ + FIFO queues, and every accounting rule checked at the end.
#
#   scripts/soak.sh [--duration 10m] [--kill-mean 20] [--seed N] [--build DIR] [--keep]
#
# Prints the counters line (all must be 0), the totals, kill kinds, restart times
# (P-D7) and the seed; exit status 1 on any accounting failure. Record the result in
# docs/durability.md ("Last soak").
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10m mean=20 seed="" build=build keep=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --kill-mean) mean="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --keep) keep=(--keep); shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$duration" in
  *h) secs=$(( ${duration%h} * 3600 )) ;;
  *m) secs=$(( ${duration%m} * 60 )) ;;
  *s) secs=${duration%s} ;;
  *) secs=$duration ;;
esac
case "$secs" in ''|*[!0-9]*) echo "soak.sh: bad --duration $duration" >&2; exit 2 ;; esac
ebbd="$build/src/ebbd"
[ -x "$ebbd" ] || { echo "soak.sh: $ebbd not built (cmake --build $build)" >&2; exit 2; }
seed_args=()
[ -n "$seed" ] && seed_args=(--seed "$seed")

echo "soak.sh: $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
     "kernel $(uname -r), $(nproc) cores, duration ${secs}s, kill mean ${mean}s"
exec /usr/bin/python3 tests/crash/kill9.py --ebbd "$ebbd" --duration "$secs" --kill-mean "$mean" "${seed_args[@]}" "${keep[@]}"
