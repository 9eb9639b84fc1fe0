#!/usr/bin/env bash
# Simulated sensors publish over MQTT into a durable topic; consumers pull them (a few seconds):
#   a gridlog server with the namespace's MQTT broker (development-only authentication);
#   three sensors (paho-mqtt, MQTT 5 and 3.1.1) publish readings while a dashboard watches them
#   live; every reading is routed into the topic `telemetry` as an MQTT.EventPublished
#   CloudEvent; a consumer pulls all of them with the Azure Event Grid SDK, and the `hot`
#   subscription's filter (data.temp > 30) keeps only the hot JSON readings.
#
# Environment: GRIDLOG_BIN (default: gridlog on PATH), PYTHON (default: python3, needs
# paho-mqtt and azure-eventgrid), READINGS (default 4), KEEP=1 keeps the data directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GRIDLOG_BIN=${GRIDLOG_BIN:-gridlog}
PYTHON=${PYTHON:-python3}
READINGS=${READINGS:-4}
command -v "$GRIDLOG_BIN" > /dev/null || { echo "run.sh: $GRIDLOG_BIN is needed" >&2; exit 1; }
"$PYTHON" -c 'import paho.mqtt, azure.eventgrid' 2> /dev/null || {
  echo "run.sh: $PYTHON lacks paho-mqtt or the Event Grid SDK: pip install paho-mqtt==2.2.0 azure-eventgrid==4.22.1 (or set PYTHON)" >&2
  exit 1
}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null || true
  if [ "${KEEP:-}" = 1 ]; then echo "data directory kept: $work/data"; else rm -rf "$work"; fi
}
trap cleanup EXIT
key=sensors-demo-key

echo "== gridlog serve --config namespace.json --mqtt-dev-auth"
GRIDLOG_LOG=warn "$GRIDLOG_BIN" serve --data-dir "$work/data" --config "$here/namespace.json" \
  --listen 127.0.0.1:0 --amqp-listen 127.0.0.1:0 --mqtt-listen 127.0.0.1:0 --mqtt-dev-auth \
  > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 200); do
  grep -q 'mqtt://' "$work/serve.out" 2> /dev/null && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.05
done
endpoint=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.out")
mqtt_host=$(sed -n 's/.* on mqtt:\/\/\([^: ]*\):\([0-9]*\).*/\1/p' "$work/serve.out")
mqtt_port=$(sed -n 's/.* on mqtt:\/\/\([^: ]*\):\([0-9]*\).*/\2/p' "$work/serve.out")
echo "  HTTP on $endpoint, MQTT on $mqtt_host:$mqtt_port"

echo "== sensors publish over MQTT, a dashboard watches live"
"$PYTHON" "$here/sensors.py" "$mqtt_host" "$mqtt_port" "$key" "$READINGS"

echo "== consumer pulls every routed reading (subscription 'all')"
"$PYTHON" "$here/consumer.py" "$endpoint" "$key" all $((READINGS * 3))

echo "== consumer pulls the hot ones (subscription 'hot': data.temp > 30; sensor-3's MQTT 3.1.1"
echo "   readings are data_base64, which a data.* filter does not look into)"
"$PYTHON" "$here/consumer.py" "$endpoint" "$key" hot $((READINGS * 3))

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
echo "== done"
