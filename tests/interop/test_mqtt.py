"""The MQTT broker with a real client (paho-mqtt 2.x, MQTT 3.1.1 and 5) against `gridlog serve
--mqtt-dev-auth`: publish/subscribe with wildcards between two clients, an unauthorized publish
and subscribe refused with the service's codes, routed messages read back through the
Azure Event Grid SDK from a subscription on the routing topic, payload intact, and a persistent
session (3.1.1 clean_session=False, MQTT 5 Session Expiry Interval) that keeps its subscription
and its QoS 1 messages across a kill -9 of the server."""

import json
import queue
import threading

import paho.mqtt.client as mqtt
import pytest
import requests
from azure.core.credentials import AzureKeyCredential
from azure.eventgrid import EventGridConsumerClient
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import KEY, Server

ROUTE = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/plant7/topics/telemetry"
)
CONFIG = {
    "topics": [{"name": "telemetry", "eventSubscriptions": [{"name": "all"}]}],
    "topicSpacesConfiguration": {
        "state": "Enabled",
        "routeTopicResourceId": ROUTE,
        "maximumClientSessionsPerAuthenticationName": 5,
        "routingEnrichments": {
            "dynamic": [{"key": "clientname", "value": "${client.authenticationName}"}]
        },
    },
    "clients": [
        {"name": "sensor1", "properties": {"attributes": {"type": "sensor"}}},
        {"name": "sensor2", "properties": {"attributes": {"type": "sensor"}}},
        {"name": "viewer", "properties": {"attributes": {"type": "viewer"}}},
    ],
    "clientGroups": [
        {"name": "sensors", "properties": {"query": "attributes.type = 'sensor'"}},
        {"name": "viewers", "properties": {"query": "attributes.type IN ['viewer']"}},
    ],
    "topicSpaces": [
        {"name": "own", "properties": {"topicTemplates": ["sensors/${client.authenticationName}/#"]}},
        {"name": "temps", "properties": {"topicTemplates": ["sensors/+/temp"]}},
    ],
    "permissionBindings": [
        {"name": "sensors-pub", "properties": {"clientGroupName": "sensors", "topicSpaceName": "own", "permission": "Publisher"}},
        {"name": "all-sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "temps", "permission": "Subscriber"}},
    ],
}

VERSIONS = {"3.1.1": mqtt.MQTTv311, "5": mqtt.MQTTv5}
WAIT = 10


@pytest.fixture
def broker(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path, env={"GRIDLOG_MQTT_DEV_AUTH": "true"})
    assert srv.mqtt is not None, "serve printed no MQTT line"
    yield srv
    assert srv.stop() == 0


class Client:
    """A paho client whose callbacks feed queues the test waits on."""

    def __init__(self, srv, name, version, client_id, will=None, persistent=False):
        self.messages = queue.Queue()
        self.session_present = None
        self.acks = queue.Queue()
        self.subacks = queue.Queue()
        self.disconnected = threading.Event()
        connected = queue.Queue()
        self.version = version
        # A persistent session: 3.1.1 clean_session=False; MQTT 5 Clean Start 0 with a
        # Session Expiry Interval of an hour.
        clean = None if version == mqtt.MQTTv5 else not persistent
        self.paho = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=version,
            clean_session=clean,
        )
        self.paho.username_pw_set(name, KEY)
        if will:
            self.paho.will_set(*will, qos=1)
        def on_connect(c, u, flags, rc, props):
            self.session_present = flags.session_present
            connected.put(rc)

        self.paho.on_connect = on_connect
        self.paho.on_message = lambda c, u, msg: self.messages.put(msg)
        self.paho.on_publish = lambda c, u, mid, rc, props: self.acks.put((mid, rc))
        self.paho.on_subscribe = lambda c, u, mid, rcs, props: self.subacks.put(rcs)
        self.paho.on_disconnect = lambda c, u, flags, rc, props: self.disconnected.set()
        host, port = srv.mqtt
        if version == mqtt.MQTTv5:
            props = Properties(PacketTypes.CONNECT)
            if persistent:
                props.SessionExpiryInterval = 3600
            self.paho.connect(
                host, port, keepalive=60, clean_start=not persistent, properties=props
            )
        else:
            self.paho.connect(host, port, keepalive=60)
        self.paho.loop_start()
        rc = connected.get(timeout=WAIT)
        assert not rc.is_failure, f"{name}: CONNACK {rc}"

    def subscribe(self, *filters):
        self.paho.subscribe([(f, 1) for f in filters])
        return [int(rc.value) for rc in self.subacks.get(timeout=WAIT)]

    def publish(self, topic, payload, properties=None):
        info = self.paho.publish(topic, payload, qos=1, properties=properties)
        mid, rc = self.acks.get(timeout=WAIT)
        assert mid == info.mid
        return int(rc.value)

    def close(self):
        self.paho.disconnect()
        self.paho.loop_stop()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_pub_sub_with_wildcards_between_two_clients(broker, version):
    v = VERSIONS[version]
    sub = Client(broker, "viewer", v, f"sub-{version}")
    pub = Client(broker, "sensor1", v, f"pub-{version}")
    assert sub.subscribe("sensors/+/temp") == [1]
    assert pub.publish("sensors/sensor1/temp", b"21.5") == 0
    msg = sub.messages.get(timeout=WAIT)
    assert (msg.topic, msg.payload, msg.qos) == ("sensors/sensor1/temp", b"21.5", 1)
    assert pub.publish("sensors/sensor1/hum", b"40") == 0, "authorized, but nobody subscribed"
    with pytest.raises(queue.Empty):
        sub.messages.get(timeout=0.5)
    sub.close()
    pub.close()


def test_v5_unauthorized_publish_and_subscribe_get_not_authorized(broker):
    viewer = Client(broker, "viewer", mqtt.MQTTv5, "deny-5")
    assert viewer.subscribe("sensors/#", "sensors/+/temp") == [0x87, 1]
    assert viewer.publish("sensors/viewer/temp", b"x") == 0x87
    sensor = Client(broker, "sensor1", mqtt.MQTTv5, "deny-5b")
    assert sensor.publish("sensors/sensor2/temp", b"x") == 0x87
    assert not sensor.disconnected.is_set(), "a v5 client stays connected"
    assert sensor.publish("sensors/sensor1/temp", b"ok") == 0
    viewer.close()
    sensor.close()


def test_v311_unauthorized_subscribe_fails_and_publish_disconnects(broker):
    viewer = Client(broker, "viewer", mqtt.MQTTv311, "deny-3")
    assert viewer.subscribe("sensors/#", "sensors/+/temp") == [0x80, 1]
    viewer.paho.publish("sensors/viewer/temp", b"x", qos=1)
    assert viewer.disconnected.wait(WAIT), "3.1.1: the broker closes the connection"
    viewer.close()


def test_routed_messages_reach_an_event_grid_subscription_intact(broker):
    v5 = Client(broker, "sensor1", mqtt.MQTTv5, "route-5")
    props = Properties(PacketTypes.PUBLISH)
    props.ContentType = "application/json; charset=utf-8"
    assert v5.publish("sensors/sensor1/telemetry", b'{"pressure": 81.5, "temp": 40}', props) == 0
    v3 = Client(broker, "sensor2", mqtt.MQTTv311, "route-3")
    raw = bytes(range(256))
    assert v3.publish("sensors/sensor2/raw", raw) == 0
    consumer = EventGridConsumerClient(
        broker.endpoint,
        AzureKeyCredential(KEY),
        namespace_topic="telemetry",
        subscription="all",
    )
    got = []
    while len(got) < 2:
        batch = consumer.receive(max_events=2 - len(got), max_wait_time=WAIT)
        assert batch, f"expected 2 routed events, got {len(got)}"
        got.extend(batch)
    events = [d.event for d in got]
    for event in events:
        assert event.type == "MQTT.EventPublished"
        assert event.source == "plant7"
    assert events[0].subject == "sensors/sensor1/telemetry"
    assert events[0].data == {"pressure": 81.5, "temp": 40}
    assert events[0].extensions["clientname"] == "sensor1"
    assert events[1].subject == "sensors/sensor2/raw"
    assert events[1].data == raw, "data_base64 decodes to the exact payload"
    tokens = [d.broker_properties.lock_token for d in got]
    assert sorted(consumer.acknowledge(lock_tokens=tokens).succeeded_lock_tokens) == sorted(tokens)
    v5.close()
    v3.close()


def test_metrics_count_connects_publishes_and_subscriptions(broker):
    sensor = Client(broker, "sensor1", mqtt.MQTTv5, "metrics-5")
    assert sensor.publish("sensors/sensor1/temp", b"12345") == 0
    assert sensor.publish("sensors/sensor2/temp", b"x") == 0x87
    assert sensor.subscribe("sensors/#") == [0x87]
    text = requests.get(
        broker.endpoint + "/metrics", headers={"aeg-sas-key": KEY}, timeout=WAIT
    ).text
    series = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("gridlog_mqtt_")
    }
    assert series["gridlog_mqtt_sessions"] == 1
    assert series['gridlog_mqtt_connects_total{outcome="accepted"}'] == 1
    assert series['gridlog_mqtt_publishes_total{outcome="accepted"}'] == 1
    assert series['gridlog_mqtt_publishes_total{outcome="not_authorized"}'] == 1
    assert series["gridlog_mqtt_publish_bytes_total"] == 5
    assert series['gridlog_mqtt_subscriptions_total{outcome="not_authorized"}'] == 1
    sensor.close()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_a_will_reaches_subscribers_when_a_client_vanishes(broker, version):
    v = VERSIONS[version]
    watcher = Client(broker, "viewer", v, f"watch-{version}")
    assert watcher.subscribe("sensors/+/temp") == [1]
    dying = Client(broker, "sensor1", v, f"dying-{version}", will=("sensors/sensor1/temp", b"offline"))
    dying.paho.loop_stop()
    dying.paho.socket().close()  # no DISCONNECT: the broker publishes the will
    msg = watcher.messages.get(timeout=WAIT)
    assert (msg.topic, msg.payload) == ("sensors/sensor1/temp", b"offline")
    clean = Client(broker, "sensor1", v, f"clean-{version}", will=("sensors/sensor1/temp", b"x"))
    clean.close()
    with pytest.raises(queue.Empty):
        watcher.messages.get(timeout=0.5)
    watcher.close()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_a_persistent_session_keeps_its_qos1_messages_across_kill_9(broker, version):
    v = VERSIONS[version]
    session = f"keeper-{version}"
    sub = Client(broker, "viewer", v, session, persistent=True)
    assert sub.session_present is False
    assert sub.subscribe("sensors/+/temp") == [1]
    sub.close()
    pub = Client(broker, "sensor1", v, f"feeder-{version}")
    sent = [f"m{i}".encode() for i in range(20)]
    for payload in sent:
        assert pub.publish("sensors/sensor1/temp", payload) == 0, "PUBACKed: durable"
    pub.close()

    broker.kill9()
    broker.start()

    sub = Client(broker, "viewer", v, session, persistent=True)
    assert sub.session_present is True, "the session survived kill -9"
    got = [sub.messages.get(timeout=WAIT) for _ in sent]
    assert [m.payload for m in got] == sent, "every PUBACKed message, once, in order"
    assert all(m.qos == 1 for m in got)
    with pytest.raises(queue.Empty):
        sub.messages.get(timeout=0.5)

    # Its subscription survived too: a message published now reaches it, and a kill -9 while
    # it is connected keeps the session again.
    pub = Client(broker, "sensor1", v, f"feeder-{version}")
    assert pub.publish("sensors/sensor1/temp", b"live") == 0
    assert sub.messages.get(timeout=WAIT).payload == b"live"
    pub.close()
    sub.paho.loop_stop()
    broker.kill9()
    broker.start()
    sub = Client(broker, "viewer", v, session, persistent=True)
    assert sub.session_present is True
    pub = Client(broker, "sensor1", v, f"feeder-{version}")
    assert pub.publish("sensors/sensor1/temp", b"after") == 0
    msg = sub.messages.get(timeout=WAIT)
    while msg.payload == b"live":  # possibly again, if its PUBACK was not stored before the kill
        assert msg.dup, "a redelivery carries DUP=1"
        msg = sub.messages.get(timeout=WAIT)
    assert msg.payload == b"after"
    pub.close()
    sub.close()

    # A clean start discards it.
    clean = Client(broker, "viewer", v, session)
    assert clean.session_present is False
    clean.close()


@pytest.fixture
def limited(tmp_path):
    """The same namespace with 1 throughput unit and no routing: the MQTT limits alone."""
    config = json.loads(json.dumps(CONFIG))
    config["throughputUnits"] = 1
    del config["topicSpacesConfiguration"]["routeTopicResourceId"]
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(config))
    srv = Server(tmp_path / "data", config_path, env={"GRIDLOG_MQTT_DEV_AUTH": "true"})
    yield srv
    assert srv.stop() == 0


def test_throughput_units_refuse_publishes_over_the_inbound_rate(limited):
    sensor = Client(limited, "sensor1", mqtt.MQTTv5, "limited-5")
    payload = b"x" * (400 * 1024)
    # 1 MB/s of payload per TU (and per session): four 400 KiB PUBLISHes in a row cannot all fit.
    codes = [sensor.publish("sensors/sensor1/t", payload) for _ in range(4)]
    assert codes[:2] == [0, 0]
    assert 0x97 in codes, codes
    # The connection stays; once the second has passed, it publishes again.
    threading.Event().wait(1.1)
    assert sensor.publish("sensors/sensor1/t", payload) == 0
    text = requests.get(
        limited.endpoint + "/metrics", headers={"aeg-sas-key": KEY}, timeout=WAIT
    ).text
    series = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("gridlog_mqtt_") or line.startswith("gridlog_throughput_units")
    }
    refused = codes.count(0x97)
    assert series['gridlog_mqtt_publishes_total{outcome="throttled"}'] == refused
    assert (
        series['gridlog_mqtt_throttled_total{reason="session_inbound"}']
        + series['gridlog_mqtt_throttled_total{reason="inbound"}']
        == refused
    )
    assert series["gridlog_throughput_units"] == 1
    sensor.close()
