#!/usr/bin/env bash
# The batch-monitoring walkthrough, end to end, in about 15 seconds:
#   a gridlog server; three jobs (two shell jobs reporting through the Event Hubs REST API with
#   curl, one Python job reporting through the Azure Event Grid SDK); each dependent job starts
#   when its predecessor finishes (`gridlog wait`); the failure subscription collects the failed
#   run; a dashboard consumer receives the Event Hubs status reports over AMQP with the Azure
#   Event Hubs SDK; `gridlog inspect` shows the state.
#
# Environment: GRIDLOG_BIN (default: gridlog on PATH), PYTHON (default: python3, needs
# azure-eventgrid and azure-eventhub), KEEP=1 keeps the data directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GRIDLOG_BIN=${GRIDLOG_BIN:-gridlog}
PYTHON=${PYTHON:-python3}
for tool in curl openssl "$GRIDLOG_BIN"; do
  command -v "$tool" > /dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done
"$PYTHON" -c 'import azure.eventgrid, azure.eventhub' 2> /dev/null || {
  echo "run.sh: $PYTHON lacks the Azure SDKs: pip install azure-eventgrid==4.22.1 azure-eventhub==5.15.1 (or set PYTHON)" >&2
  exit 1
}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null || true
  jobs -p | xargs -r kill 2> /dev/null || true
  if [ "${KEEP:-}" = 1 ]; then echo "data directory kept: $work/data"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Event Grid access key (SDK, CLI) and the Event Hubs SAS policy of namespace.json (curl jobs).
export GRIDLOG_KEY=batch-demo-key EH_KEY_NAME=jobs-send EH_KEY=batch-demo-send-key GRIDLOG_LOG=warn

echo "== gridlog serve --config namespace.json"
"$GRIDLOG_BIN" serve --data-dir "$work/data" --config "$here/namespace.json" \
  --listen 127.0.0.1:0 --amqp-listen 127.0.0.1:0 --mqtt-listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 200); do
  grep -q 'amqp://' "$work/serve.out" 2> /dev/null && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.05
done
export GRIDLOG_ENDPOINT
GRIDLOG_ENDPOINT=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.out")
amqp=$(sed -n 's/.* on amqp:\/\/\([^: ]*:[0-9]*\).*/\1/p' "$work/serve.out")
echo "  listening on $GRIDLOG_ENDPOINT, AMQP (Event Hubs SDKs) on $amqp"

echo "== jobs (load and transform wait for their predecessors; extract runs now)"
"$here/jobs/load.sh" > "$work/load.log" 2>&1 &
load_pid=$!
"$PYTHON" "$here/jobs/transform.py" > "$work/transform.log" 2>&1 &
transform_pid=$!
"$here/jobs/extract.sh"
wait "$transform_pid" || { cat "$work/transform.log"; echo "transform failed" >&2; exit 1; }
cat "$work/transform.log"
load_status=0
wait "$load_pid" || load_status=$?
cat "$work/load.log"
echo "  load exited with $load_status"
[ "$load_status" = 3 ] || { echo "load should have failed with 3" >&2; exit 1; }

echo "== failed runs (subscription 'failures', filter includedEventTypes [Job.Failed])"
"$GRIDLOG_BIN" receive --topic jobs --subscription failures --max-events 10 --wait 10s --ack |
  "$PYTHON" "$here/show.py" failures

echo "== full history (subscription 'history')"
"$GRIDLOG_BIN" receive --topic jobs --subscription history --max-events 20 --wait 10s --ack |
  "$PYTHON" "$here/show.py" history

echo "== dashboard (azure-eventhub consumer over AMQP, Event Hub 'batch-status', from the start)"
# The four reports the shell jobs sent through Event Hubs REST (transform used the Event Grid
# SDK, which goes to the topic only).
"$PYTHON" "$here/jobs/monitor.py" "$amqp" "$EH_KEY_NAME" "$EH_KEY" 4

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
echo "== gridlog inspect (server stopped)"
"$GRIDLOG_BIN" inspect "$work/data"
