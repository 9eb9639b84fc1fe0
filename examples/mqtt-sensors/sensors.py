"""Three simulated sensors publish READINGS readings each over MQTT (QoS 1), while a dashboard
watches them live; every reading is also routed into the durable topic `telemetry`.

Usage: sensors.py HOST PORT KEY READINGS
sensor-1 and sensor-2 speak MQTT 5 with a JSON content type (routed as `data`); sensor-3 speaks
MQTT 3.1.1 (routed as `data_base64`). sensor-1 also tries another sensor's topic: refused."""

import json
import queue
import sys

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

host, port, key, readings = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
WAIT = 10


def connect(name, version):
    connected, acks = queue.Queue(), queue.Queue()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=name, protocol=version)
    client.username_pw_set(name, key)
    client.on_connect = lambda c, u, flags, rc, props: connected.put(rc)
    client.on_publish = lambda c, u, mid, rc, props: acks.put(rc)
    client.connect(host, port)
    client.loop_start()
    rc = connected.get(timeout=WAIT)
    assert not rc.is_failure, f"{name}: {rc}"
    return client, acks


live = queue.Queue()
dashboard, _ = connect("dashboard", mqtt.MQTTv5)
subscribed = queue.Queue()
dashboard.on_subscribe = lambda c, u, mid, rcs, props: subscribed.put(rcs)
dashboard.on_message = lambda c, u, msg: live.put(msg.topic)
dashboard.subscribe("sensors/+/telemetry", qos=1)
print(f"[dashboard] subscribed to sensors/+/telemetry: {subscribed.get(timeout=WAIT)[0]}")

sensors = {
    "sensor-1": connect("sensor-1", mqtt.MQTTv5),
    "sensor-2": connect("sensor-2", mqtt.MQTTv5),
    "sensor-3": connect("sensor-3", mqtt.MQTTv311),
}
json_type = Properties(PacketTypes.PUBLISH)
json_type.ContentType = "application/json; charset=utf-8"
for n in range(readings):
    for i, (name, (client, acks)) in enumerate(sensors.items()):
        temp = 24 + 4 * i + 2 * n
        payload = json.dumps({"temp": temp, "n": n})
        v5 = client.protocol == mqtt.MQTTv5
        client.publish(f"sensors/{name}/telemetry", payload, qos=1,
                       properties=json_type if v5 else None)
        rc = acks.get(timeout=WAIT)
        assert not rc.is_failure, f"{name}: {rc}"
print(f"[sensors] {readings * len(sensors)} readings acknowledged (each stored before its PUBACK)")

client, acks = sensors["sensor-1"]
client.publish("sensors/sensor-2/telemetry", "{}", qos=1)
print(f"[sensor-1] publish to sensor-2's topic: {acks.get(timeout=WAIT)}")

seen = [live.get(timeout=WAIT) for _ in range(readings * len(sensors))]
print(f"[dashboard] {len(seen)} readings received live from {len(set(seen))} topics")
for client, _ in [*sensors.values(), (dashboard, None)]:
    client.disconnect()
    client.loop_stop()
