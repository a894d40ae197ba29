#!/usr/bin/env bash
# The thumbnails demo (README's main command runs it through `make run`):
#   1. start ebbd on 127.0.0.1:9324 with the data dir ./.data (auth none, loopback only)
#   2. apply stack.yaml: queue + DLQ, an EventSource on an inbox directory, and an
#      autoscaled Service of Python workers (Debian's boto3 and Pillow)
#   3. drop N images into the inbox and show `ebb get services -w` while the service
#      scales 0 → 10 → 0
#   4. print a summary, then keep ebbd running (Ctrl-C stops it and its tasks), or
#      exit with --exit (used by the test of the demo).
#
# usage: examples/thumbnails/run.sh [--build DIR] [--data DIR] [--listen HOST:PORT]
#                                   [--images N] [--exit] [--timeout SECONDS]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=build data=./.data listen=127.0.0.1:9324 images=200 exit_after=0 timeout=300
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --exit) exit_after=1; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

ebbd=$build/src/ebbd
ebb=$build/src/ebb
py=/usr/bin/python3  # Debian's: python3-boto3 and python3-pil
mkdir -p "$data"
data=$(cd "$data" && pwd)
demo=$data/demo
mkdir -p "$demo/inbox" "$demo/outbox" "$demo/staging"
# ebbd run as root starts tasks as nobody (docs/security.md): the worker must be able
# to reach the inbox (read) and the outbox (write). The store and keys in $data stay
# 0600; the directory becomes traversable, not listable.
if [ "$(id -u)" = 0 ]; then
  chmod 711 "$data"
  chmod 755 "$demo" "$demo/inbox"
  chown 65534:65534 "$demo/outbox"
fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting ebbd on $listen (data: $data)"
rm -f "$demo/port"
"$ebbd" --listen "$listen" --data-dir "$data" --auth none --port-file "$demo/port" \
  --log-format json 2>"$demo/ebbd.log" &
ebbd_pid=$!
watch_pid=
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  if kill -0 "$ebbd_pid" 2>/dev/null; then
    kill -TERM "$ebbd_pid" 2>/dev/null || true
    wait "$ebbd_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 100); do
  [ -s "$demo/port" ] && break
  kill -0 "$ebbd_pid" 2>/dev/null || { echo "ebbd did not start; see $demo/ebbd.log" >&2; tail -5 "$demo/ebbd.log" >&2; exit 1; }
  sleep 0.1
done
export EBB_SERVER="http://$(cat "$demo/port")"

say "ebb apply -f examples/thumbnails/stack.yaml"
sed -e "s#@INBOX@#$demo/inbox#" -e "s#@OUTBOX@#$demo/outbox#" -e "s#@WORKER@#$here/worker.py#" \
  "$here/stack.yaml" >"$demo/stack.yaml"
"$ebb" apply -f "$demo/stack.yaml"
"$ebb" get services

run=$(date +%H%M%S)
say "making $images images, then dropping them into the inbox"
"$py" "$here/make_images.py" "$demo/staging" "$images" "img-$run"
start=$(date +%s)
for f in "$demo/staging"/img-"$run"-*.jpg; do mv "$f" "$demo/inbox/"; done  # rename: appears complete

say "ebb get services -w   (the service scales from 0 to 10 and back to 0)"
"$ebb" get services -w &
watch_pid=$!

count_in() { { find "$demo/outbox/$1" -name "img-$run-*" 2>/dev/null || true; } | wc -l; }
done_count() { count_in thumbnail; }
deadline=$(( $(date +%s) + timeout ))
while [ "$(done_count)" -lt "$images" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
processed_at=$(date +%s)
# Back to zero: desired and running tasks 0 (after the short scale-in window of the stack).
idle() {
  "$ebb" get services thumbnailer -o json | "$py" -c '
import json, sys
d = json.load(sys.stdin)
s = (d["items"][0] if d.get("kind") == "List" else d)["status"]
sys.exit(0 if s["desired"] == 0 and s["running"] == 0 and s["starting"] == 0 else 1)'
}
while ! idle && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
sleep 1.5  # let the watch print the final row (it polls every second)
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=

got=$(done_count)
dlq=$("$ebb" get queues thumbnails-dlq -o json | "$py" -c '
import json, sys
d = json.load(sys.stdin)
print((d["items"][0] if d.get("kind") == "List" else d)["status"]["visible"])')
say "summary"
echo "images dropped:            $images"
echo "thumbnails written:        $got (medium: $(count_in medium), large: $(count_in large))"
echo "processing time:           $((processed_at - start)) s"
echo "messages in the DLQ:       $dlq"
echo "service back at zero:      $(idle && echo yes || echo no)"
echo
"$ebb" describe service thumbnailer | sed -n '/Events/,$p' | tail -12
echo
echo "outbox: $demo/outbox    task logs: $ebb logs service/thumbnailer"

ok=0
[ "$got" -eq "$images" ] && idle || ok=1
if [ "$exit_after" = 1 ]; then exit $ok; fi

say "ebbd keeps running on $EBB_SERVER — try:"
echo "  export EBB_SERVER=$EBB_SERVER"
echo "  cp some.jpg $demo/inbox/ && $ebb get services -w"
echo "  $ebb get tasks -a;  $ebb logs service/thumbnailer --tail 5;  $ebb describe service thumbnailer"
echo "  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws sqs list-queues --endpoint-url $EBB_SERVER --region us-east-1"
echo "Stop with Ctrl-C."
wait "$ebbd_pid"
