"""The Event Hubs SDK for Python (azure-eventhub, pure-Python AMQP) against gridlog's AMQP
listener, with the emulator connection string the SDK supports (UseDevelopmentEmulator=true).
"""

import datetime
import json
import threading
import time

import certifi
import pytest
from azure.core.credentials import AzureKeyCredential
from azure.eventgrid import EventGridConsumerClient
from azure.eventhub import (
    EventData,
    EventHubConsumerClient,
    EventHubProducerClient,
    TransportType,
)
from azure.eventhub.exceptions import AuthenticationError, ConnectError, EventDataSendError

from conftest import KEY, Server

POLICY = "RootManageSharedAccessKey"
POLICY_KEY = "amqp-interop-key"
HUB = "batch-status"
# A hub mapped to the topic `jobs`: what is sent to it is also published there as CloudEvents.
MAPPED = "job-events"

CONFIG = {
    "sharedAccessPolicies": [{"keyName": POLICY, "key": POLICY_KEY}],
    "eventHubs": [
        {
            "name": HUB,
            "properties": {"partitionCount": 2},
            "consumerGroups": [{"name": "$Default"}, {"name": "dashboard"}],
        },
        {"name": MAPPED, "topic": "jobs", "properties": {"partitionCount": 2}},
    ],
    "topics": [{"name": "jobs", "eventSubscriptions": [{"name": "all"}]}],
}


def connection_string(server, key=POLICY_KEY, key_name=POLICY):
    return (
        f"Endpoint=sb://{server.amqp};SharedAccessKeyName={key_name};"
        f"SharedAccessKey={key};UseDevelopmentEmulator=true"
    )


@pytest.fixture
def hub_server(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path)
    assert srv.amqp, "serve printed no AMQP address"
    yield srv
    code = srv.stop()
    assert code == 0, f"gridlog serve exited with {code}"


@pytest.mark.parametrize(
    "key, key_name", [("wrong-key", POLICY), (POLICY_KEY, "NoSuchPolicy")]
)
def test_a_bad_key_is_refused_with_the_sdks_authentication_error(hub_server, key, key_name):
    producer = EventHubProducerClient.from_connection_string(
        connection_string(hub_server, key, key_name), eventhub_name=HUB, retry_total=0
    )
    with producer, pytest.raises(AuthenticationError):
        producer.get_eventhub_properties()


def producer(server):
    return EventHubProducerClient.from_connection_string(
        connection_string(server), eventhub_name=HUB
    )


def test_hub_and_partition_properties(hub_server):
    with producer(hub_server) as client:
        hub = client.get_eventhub_properties()
        assert hub["eventhub_name"] == HUB
        assert hub["partition_ids"] == ["0", "1"]
        assert hub["created_at"].year >= 2024
        empty = client.get_partition_properties("1")
        assert empty["id"] == "1"
        assert empty["is_empty"] is True
        assert empty["last_enqueued_sequence_number"] == -1
        assert empty["last_enqueued_offset"] == "-1"
        assert empty["last_enqueued_time_utc"].year == 1


def test_a_hub_mapped_to_a_topic_publishes_amqp_sends_as_cloudevents(hub_server):
    status = EventData(json.dumps({"job": "extract", "rows": 42}))
    status.content_type = "application/json"
    status.message_id = "m-1"
    status.properties = {"type": "Job.Finished", "Job-Name": "extract", "attempt": 3}
    raw = EventData(b"\x00\x01binary\xff")
    with EventHubProducerClient.from_connection_string(
        connection_string(hub_server), eventhub_name=MAPPED
    ) as client:
        batch = client.create_batch(partition_key="job-42")
        batch.add(status)
        batch.add(raw)
        client.send_batch(batch)
        stored = sum(
            client.get_partition_properties(p)["last_enqueued_sequence_number"] + 1
            for p in ("0", "1")
        )
        assert stored == 2
    # Received over HTTP from the topic's subscription, with the Event Grid SDK.
    con = EventGridConsumerClient(
        hub_server.endpoint, AzureKeyCredential(KEY), namespace_topic="jobs", subscription="all"
    )
    got = []
    while len(got) < 2:
        details = con.receive(max_events=2 - len(got), max_wait_time=10)
        assert details, f"expected 2 events in the topic, got {len(got)}"
        got.extend(details)
    con.acknowledge(lock_tokens=[d.broker_properties.lock_token for d in got])
    first, second = (d.event for d in got)
    assert first.id == "m-1"
    assert first.type == "Job.Finished"
    assert first.source == f"/eventhubs/{MAPPED}"
    assert first.datacontenttype == "application/json"
    assert first.data == {"job": "extract", "rows": 42}
    assert first.extensions["jobname"] == "extract"
    assert first.extensions["attempt"] == 3
    assert first.extensions["partitionkey"] == "job-42"
    assert second.type == "EventHubs.Message"
    assert second.data == b"\x00\x01binary\xff"
    assert first.time.year >= 2024


def tls_producer(server, ca):
    """The SDK's ordinary (non-emulator) connection string, over TLS: `Endpoint=sb://localhost/`
    would go to port 5671; the custom endpoint address names the test server's AMQPS port, and
    connection_verify the CA the client trusts."""
    port = server.amqps.rsplit(":", 1)[1]
    return EventHubProducerClient.from_connection_string(
        f"Endpoint=sb://localhost/;SharedAccessKeyName={POLICY};SharedAccessKey={POLICY_KEY}",
        eventhub_name=HUB,
        custom_endpoint_address=f"sb://localhost:{port}",
        transport_type=TransportType.Amqp,
        connection_verify=ca,
        retry_total=0,
    )


def test_amqps_with_the_development_ca_and_a_refusal_for_an_untrusted_ca(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path, tls=True)
    try:
        assert srv.amqps, "serve printed no AMQPS address"
        with tls_producer(srv, srv.ca_path) as client:
            assert client.get_eventhub_properties()["partition_ids"] == ["0", "1"]
            send(client, ["over tls"], partition_id="1")
            assert client.get_partition_properties("1")["last_enqueued_sequence_number"] == 0
        # A client that trusts another CA (the public roots) refuses the server's certificate.
        with tls_producer(srv, certifi.where()) as client, pytest.raises(ConnectError):
            client.get_eventhub_properties()
    finally:
        assert srv.stop() == 0


def last_sequence_numbers(client):
    return [
        client.get_partition_properties(p)["last_enqueued_sequence_number"]
        for p in ("0", "1")
    ]


def test_batches_land_by_partition_id_by_key_and_round_robin(hub_server):
    with producer(hub_server) as client:
        batch = client.create_batch(partition_id="1")
        for i in range(3):
            batch.add(EventData(f"explicit-{i}"))
        client.send_batch(batch)
        assert last_sequence_numbers(client) == [-1, 2]

        # The same key always lands in the same partition, one batch in one partition.
        for _ in range(3):
            batch = client.create_batch(partition_key="job-42")
            batch.add(EventData("keyed-a"))
            batch.add(EventData("keyed-b"))
            client.send_batch(batch)
        after_keyed = last_sequence_numbers(client)
        grew = [after - before for after, before in zip(after_keyed, [-1, 2])]
        assert sorted(grew) == [0, 6], after_keyed

        # Without a key or partition, batches are spread over the partitions.
        for i in range(4):
            batch = client.create_batch()
            batch.add(EventData(f"spread-{i}"))
            client.send_batch(batch)
        client.send_event(EventData("single"))
        final = last_sequence_numbers(client)
        spread = [after - before for after, before in zip(final, after_keyed)]
        assert sum(spread) == 5 and min(spread) >= 1, final
        props = client.get_partition_properties("0")
        assert props["is_empty"] is False
        assert int(props["last_enqueued_offset"]) >= 0


class Receiver:
    """EventHubConsumerClient.receive on one partition, in a thread."""

    def __init__(self, server, start, group="$Default", partition="0", inclusive=False,
                 owner_level=None):
        self.client = EventHubConsumerClient.from_connection_string(
            connection_string(server), consumer_group=group, eventhub_name=HUB
        )
        self.events, self.errors = [], []
        self.changed = threading.Condition()
        self.thread = threading.Thread(
            target=self.client.receive,
            kwargs={
                "on_event": self._on_event,
                "on_error": self._on_error,
                "partition_id": partition,
                "starting_position": start,
                "starting_position_inclusive": inclusive,
                "owner_level": owner_level,
                "max_wait_time": 1,
            },
            daemon=True,
        )
        self.thread.start()

    def _on_event(self, _context, event):
        if event is not None:
            with self.changed:
                self.events.append(event)
                self.changed.notify_all()

    def _on_error(self, _context, error):
        with self.changed:
            self.errors.append(error)
            self.changed.notify_all()

    def wait(self, predicate, timeout=20):
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self), timeout), (
                f"{len(self.events)} events, errors {self.errors!r}"
            )

    def close(self):
        self.client.close()
        self.thread.join(10)


def receive(server, start, count, **kwargs):
    receiver = Receiver(server, start, **kwargs)
    try:
        receiver.wait(lambda r: len(r.events) >= count)
        time.sleep(0.3)  # nothing beyond what was asked for arrives
        return list(receiver.events)
    finally:
        receiver.close()


def send(client, bodies, partition_id="0", **batch_kwargs):
    batch = client.create_batch(partition_id=partition_id, **batch_kwargs)
    for body in bodies:
        batch.add(body if isinstance(body, EventData) else EventData(body))
    client.send_batch(batch)


def test_receive_from_earliest_round_trips_bodies_properties_and_annotations(hub_server):
    rich = EventData(b"\x00\x01binary\xff")
    rich.properties = {"job": "nightly-etl", "attempt": 3, "ok": True}
    rich.content_type = "application/octet-stream"
    rich.correlation_id = "run-17"
    rich.message_id = "m-1"
    with producer(hub_server) as client:
        send(client, [rich, "second"])
        send(client, ["third"], partition_id="0")
    events = receive(hub_server, "-1", 3)
    assert [e.sequence_number for e in events] == [0, 1, 2]
    offsets = [int(e.offset) for e in events]
    assert offsets == sorted(set(offsets))
    assert all(e.enqueued_time.year >= 2024 for e in events)
    first = events[0]
    assert first.body_as_str(encoding="latin-1") == "\x00\x01binary\xff"
    assert first.properties == {b"job": b"nightly-etl", b"attempt": 3, b"ok": True}
    assert first.content_type == "application/octet-stream"
    assert first.correlation_id == "run-17"
    assert first.message_id == "m-1"
    assert [e.body_as_str() for e in events[1:]] == ["second", "third"]


def test_receive_from_a_sequence_number_an_offset_and_a_time(hub_server):
    with producer(hub_server) as client:
        send(client, [f"early-{i}" for i in range(4)])
        time.sleep(1.2)
        boundary = datetime.datetime.now(datetime.timezone.utc)
        time.sleep(0.2)
        send(client, [f"late-{i}" for i in range(2)])
    after_2 = receive(hub_server, 2, 3)
    assert [e.sequence_number for e in after_2] == [3, 4, 5]
    from_2 = receive(hub_server, 2, 4, inclusive=True)
    assert [e.sequence_number for e in from_2] == [2, 3, 4, 5]
    after_offset = receive(hub_server, from_2[0].offset, 3)
    assert [e.sequence_number for e in after_offset] == [3, 4, 5]
    late = receive(hub_server, boundary, 2)
    assert [e.body_as_str() for e in late] == ["late-0", "late-1"]


def test_receive_from_latest_sees_only_later_events(hub_server):
    with producer(hub_server) as client:
        send(client, ["before"])
        receiver = Receiver(hub_server, "@latest")
        try:
            time.sleep(2)  # the link is attached (and '@latest' resolved) by now
            send(client, ["after-1", "after-2"])
            receiver.wait(lambda r: len(r.events) >= 2)
            assert [e.body_as_str() for e in receiver.events] == ["after-1", "after-2"]
            assert [e.sequence_number for e in receiver.events] == [1, 2]
        finally:
            receiver.close()


def test_two_consumer_groups_read_independently(hub_server):
    with producer(hub_server) as client:
        send(client, ["a", "b", "c"], partition_id="1")
    default = receive(hub_server, "-1", 3, partition="1")
    dashboard = receive(hub_server, "-1", 3, partition="1", group="dashboard")
    assert [e.body_as_str() for e in default] == ["a", "b", "c"]
    assert [e.body_as_str() for e in dashboard] == ["a", "b", "c"]


def test_an_owner_level_receiver_takes_the_partition_over(hub_server):
    with producer(hub_server) as client:
        send(client, ["one"])
        first = Receiver(hub_server, "-1", owner_level=1)
        try:
            first.wait(lambda r: len(r.events) >= 1)
            second = Receiver(hub_server, "-1", owner_level=2)
            try:
                second.wait(lambda r: len(r.events) >= 1)
                first.wait(lambda r: r.errors)
                # The SDK's "link stolen": ConnectionLostError with amqp:link:stolen.
                assert type(first.errors[0]).__name__ == "ConnectionLostError", first.errors
                assert "amqp:link:stolen" in str(first.errors[0]), first.errors
                send(client, ["two"])
                second.wait(lambda r: len(r.events) >= 2)
                assert [e.body_as_str() for e in second.events] == ["one", "two"]
            finally:
                second.close()
        finally:
            first.close()


def test_kill9_mid_send_keeps_every_acknowledged_event_once_and_a_consumer_resumes(hub_server):
    """SIGKILL while a producer sends: after a restart every batch the SDK saw acknowledged is
    there exactly once, numbering has no gap, the events read before the kill keep their
    sequence numbers and offsets, and a consumer resumes after its last offset."""
    acknowledged = []
    stop = threading.Event()

    def produce(server):
        client = producer(server)
        i = 0
        try:
            while not stop.is_set():
                body = f"event-{i}"
                try:
                    send(client, [body, body + "-b"])
                except Exception:  # noqa: BLE001 (the server is gone: stop sending)
                    return
                acknowledged.append(body)
                i += 1
        finally:
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass

    thread = threading.Thread(target=produce, args=(hub_server,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    before = receive(hub_server, "-1", 20)
    hub_server.kill9()
    stop.set()
    thread.join(30)
    assert len(acknowledged) >= 20
    hub_server.start()

    with producer(hub_server) as client:
        last = client.get_partition_properties("0")["last_enqueued_sequence_number"]
    events = receive(hub_server, "-1", last + 1)
    bodies = [e.body_as_str() for e in events]
    assert [e.sequence_number for e in events] == list(range(last + 1))
    for body in acknowledged:
        assert bodies.count(body) == 1 and bodies.count(body + "-b") == 1, body
        assert bodies.index(body + "-b") == bodies.index(body) + 1
    kept = {e.sequence_number: (e.offset, e.body_as_str()) for e in events}
    for e in before:
        assert kept[e.sequence_number] == (e.offset, e.body_as_str())

    # A consumer that checkpointed the 10th event's offset resumes right after it.
    resumed = receive(hub_server, before[9].offset, last + 1 - 10)
    assert [e.sequence_number for e in resumed] == list(range(10, last + 1))


def test_over_the_throughput_units_a_send_is_refused_server_busy(tmp_path):
    """One throughput unit admits 1,000 events/s in: batches of 400 sent back to back are
    soon refused whole with com.microsoft:server-busy (the SDK's EventDataSendError)."""
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(dict(CONFIG, throughputUnits=1)))
    srv = Server(tmp_path / "data", config_path)
    try:
        client = EventHubProducerClient.from_connection_string(
            connection_string(srv), eventhub_name=HUB, retry_total=0
        )
        refused = None
        with client:
            for _ in range(30):
                batch = client.create_batch(partition_id="0")
                for i in range(400):
                    batch.add(EventData(f"e{i}"))
                try:
                    client.send_batch(batch)
                except EventDataSendError as err:
                    refused = err
                    break
            assert refused is not None, "never throttled"
            assert "server-busy" in str(refused), refused
            stored = client.get_partition_properties("0")["last_enqueued_sequence_number"] + 1
        assert stored % 400 == 0, stored  # a refused batch stores nothing
    finally:
        assert srv.stop() == 0
