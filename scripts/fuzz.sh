#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, -DEBB_FUZZ=ON) and runs each one over its
# seed corpus (fuzz/corpus/<target>) and the regression inputs (fuzz/regressions/
# <target>), two targets at a time. New inputs go to a temporary directory, never
# into the repository. fuzz/README.md explains; reliability.md §6.4 T3.
#
#   scripts/fuzz.sh [--seconds N] [--smoke] [--build-dir DIR] [--keep] [--require] [TARGET...]
#
#   --seconds N   per target (default 300)
#   --smoke       the CI run (ctest fuzz_smoke): 10 s per target
#   --build-dir   where to build (default build-fuzz)
#   --keep        keep the generated inputs (printed at the end)
#   --require     a missing clang-14/libFuzzer is a failure (exit 1), not a skip
# Exit status: 0 clean, 1 a target crashed/leaked/timed out (its reproducer is
# printed and kept) or the build failed (its log is printed), 2 usage, 77 clang-14 or
# libFuzzer is not installed (skip; 1 with --require).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=300 build=build-fuzz keep=0 require=0 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --smoke) seconds=10; shift ;;
    --build-dir) build="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --require) require=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds needs a whole number" >&2; exit 2 ;; esac

cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ] || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  if [ $require -eq 1 ]; then
    echo "fuzz.sh: FAILED — clang-14 and libclang-rt-14-dev are needed (scripts/install-deps.sh installs them;" \
         "configure with -DEBB_FUZZ_SMOKE=OFF to leave fuzz_smoke out)"
    exit 1
  fi
  echo "fuzz.sh: SKIP — clang-14 and libclang-rt-14-dev are needed (scripts/install-deps.sh installs them)"
  exit 77
fi

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
t0=$(date +%s)
mkdir -p "$build"
if ! { CXX="$cxx" cmake -S . -B "$build" -G Ninja -DEBB_FUZZ=ON -DCMAKE_BUILD_TYPE=Fuzz "${launcher[@]}" &&
       cmake --build "$build" -j2; } >"$build/fuzz-build.log" 2>&1; then
  tail -n 40 "$build/fuzz-build.log"
  echo "fuzz.sh: FAILED — the fuzz targets do not build (log: $build/fuzz-build.log)"
  exit 1
fi
echo "fuzz.sh: built in $(( $(date +%s) - t0 )) s"

if [ ${#targets[@]} -eq 0 ]; then
  for c in fuzz/corpus/*/; do targets+=("$(basename "$c")"); done
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ebb-fuzz-XXXXXX")
run_one() {
  local t="$1" bin="$build/fuzz/$1"
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t" >&2; return 1; }
  mkdir -p "$work/$t/new" "$work/$t/artifacts"
  local dirs=("$work/$t/new" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  local dict=()
  [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
       -artifact_prefix="$work/$t/artifacts/" "${dict[@]}" "${dirs[@]}" >"$work/$t/log" 2>&1; then
    echo "fuzz.sh: $t ok — $(grep -E '^stat::number_of_executed_units' "$work/$t/log" | awk '{print $2}') runs in ${seconds} s"
  else
    echo "fuzz.sh: $t FAILED — reproducer(s): $(ls "$work/$t/artifacts" | sed "s|^|$work/$t/artifacts/|" | tr '\n' ' ')"
    grep -E 'ERROR|SUMMARY|==[0-9]+==' "$work/$t/log" | head -8
    return 1
  fi
}
rc=0
pids=() names=()
for t in "${targets[@]}"; do
  run_one "$t" & pids+=($!); names+=("$t")
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || rc=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || rc=1; done
if [ $rc -ne 0 ] || [ $keep -eq 1 ]; then
  echo "fuzz.sh: inputs and logs kept in $work"
else
  rm -rf "$work"
fi
echo "fuzz.sh: $([ $rc -eq 0 ] && echo PASSED || echo FAILED) (${#targets[@]} targets, ${seconds} s each, $(( $(date +%s) - t0 )) s total)"
exit $rc
