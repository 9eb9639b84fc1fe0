"""The Event Hubs SDK for Python (azure-eventhub, pure-Python AMQP) against gridlog's AMQP
listener, with the emulator connection string the SDK supports (UseDevelopmentEmulator=true).
"""

import json

import pytest
from azure.eventhub import EventData, EventHubProducerClient
from azure.eventhub.exceptions import AuthenticationError

from conftest import Server

POLICY = "RootManageSharedAccessKey"
POLICY_KEY = "amqp-interop-key"
HUB = "batch-status"

CONFIG = {
    "sharedAccessPolicies": [{"keyName": POLICY, "key": POLICY_KEY}],
    "eventHubs": [
        {
            "name": HUB,
            "properties": {"partitionCount": 2},
            "consumerGroups": [{"name": "$Default"}, {"name": "dashboard"}],
        }
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
