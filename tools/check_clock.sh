#!/usr/bin/env bash
# Lint (reliability.md §2.5): only src/clock/ may read the wall clock; everything
# else takes time from an injected Clock so tests can run hours in milliseconds.
# The monotonic clock may also be read by the event-loop wiring that arms real
# timers (src/server/, src/api/http/): transport timeouts run on real time. The CLI
# (src/cli/) is a client that shows ages and progress, not server logic. The launcher
# (src/launcher/) is OS code in its own process: it timestamps exec and exit and runs
# stop grace periods on real time; src/runtime/ talks to it.
set -euo pipefail
cd "$(dirname "$0")/.."
wall=$(grep -rnE 'system_clock::now|gettimeofday|clock_gettime|[^_a-z]time\(nullptr\)|[^_a-z]time\(NULL\)' src \
  --include='*.cc' --include='*.h' | grep -vE '^src/(clock|cli|launcher)/' || true)
mono=$(grep -rnE 'steady_clock::now' src --include='*.cc' --include='*.h' \
  | grep -vE '^src/(clock|cli|server|api/http|launcher|runtime)/' || true)
hits=$(printf "%s\n%s" "$wall" "$mono" | sed "/^$/d")
if [ -n "$hits" ]; then
  echo "system clock read outside src/clock/:"
  echo "$hits"
  exit 1
fi
echo "clock lint: ok"
