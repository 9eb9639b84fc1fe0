"""The Event Hubs SDK for Python (azure-eventhub, pure-Python AMQP) against gridlog's AMQP
listener, with the emulator connection string the SDK supports (UseDevelopmentEmulator=true).
"""

import json

import pytest
from azure.eventhub import EventHubProducerClient
from azure.eventhub.exceptions import AuthenticationError

from conftest import Server

POLICY = "RootManageSharedAccessKey"
POLICY_KEY = "amqp-interop-key"
HUB = "batch-status"

CONFIG = {
    "sharedAccessPolicies": [{"keyName": POLICY, "key": POLICY_KEY}],
    "eventHubs": [{"name": HUB, "topic": "jobs"}],
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
