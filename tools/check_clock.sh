#!/usr/bin/env bash
# Lint (reliability.md §2.5): only src/clock/ may read the system clock; everything
# else takes time from an injected Clock so tests can run hours in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
hits=$(grep -rnE 'system_clock::now|steady_clock::now|gettimeofday|clock_gettime|[^_a-z]time\(nullptr\)|[^_a-z]time\(NULL\)' src \
  --include='*.cc' --include='*.h' | grep -v '^src/clock/' || true)
if [ -n "$hits" ]; then
  echo "system clock read outside src/clock/:"
  echo "$hits"
  exit 1
fi
echo "clock lint: ok"
