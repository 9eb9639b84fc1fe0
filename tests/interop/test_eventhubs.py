"""Event Hubs REST ingest: requests built exactly as the Azure Event Hubs REST documentation
shows ("Send event", "Send batch events"), authorised with a Service Bus SAS token computed here
with Python's hmac as Microsoft's Python sample does, then read back through the real Event
Grid SDK (azure-eventgrid) from the topic the hub maps to."""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse

import pytest
import requests
from azure.core.credentials import AzureKeyCredential
from azure.eventgrid import EventGridConsumerClient

from conftest import KEY, Server

POLICY = "RootManageSharedAccessKey"
POLICY_KEY = "eh-policy-key/with+symbols="
SEND_POLICY = "send-only"
SEND_KEY = "another-key"

CONFIG = {
    "sharedAccessPolicies": [
        {"keyName": POLICY, "key": POLICY_KEY},
        {"keyName": SEND_POLICY, "key": SEND_KEY},
    ],
    "eventHubs": [{"name": "batch-status", "topic": "jobs"}],
    "topics": [
        {
            "name": "jobs",
            "eventSubscriptions": [
                {"name": "all"},
                {
                    "name": "failures",
                    "properties": {
                        "filtersConfiguration": {
                            "includedEventTypes": ["Job.Failed"],
                            "filters": [
                                {
                                    "operatorType": "StringIn",
                                    "key": "alert",
                                    "values": ["Strong Wind"],
                                }
                            ],
                        }
                    },
                },
            ],
        },
        {"name": "orders", "eventSubscriptions": [{"name": "all"}]},
    ],
}


def sas_token(uri, key_name, key, ttl=3600, expiry=None):
    """Microsoft's documented Python sample ("Generate SAS token", Python), verbatim logic."""
    sr = urllib.parse.quote_plus(uri)
    se = str(int(time.time() + ttl)) if expiry is None else str(expiry)
    string_to_sign = (sr + "\n" + se).encode("utf-8")
    signed = hmac.HMAC(key.encode("utf-8"), string_to_sign, hashlib.sha256)
    sig = urllib.parse.quote(base64.b64encode(signed.digest()))
    return f"SharedAccessSignature sr={sr}&sig={sig}&se={se}&skn={key_name}"


@pytest.fixture
def hubs(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path)
    yield srv
    assert srv.stop() == 0


def consumer(server, topic, subscription):
    return EventGridConsumerClient(
        server.endpoint,
        AzureKeyCredential(KEY),
        namespace_topic=topic,
        subscription=subscription,
    )


def receive(server, topic, subscription, count):
    con = consumer(server, topic, subscription)
    got = []
    while len(got) < count:
        batch = con.receive(max_events=count - len(got), max_wait_time=10)
        assert batch, f"expected {count} events, got {len(got)}"
        got.extend(batch)
    con.acknowledge(lock_tokens=[d.broker_properties.lock_token for d in got])
    return [d.event for d in got]


def namespace_token():
    # The documentation's example scopes the token to the namespace host, without a scheme.
    return sas_token("your-namespace.servicebus.windows.net", POLICY, POLICY_KEY)


def test_send_batch_as_documented(hubs):
    # "Send batch events": POST https://{ns}.servicebus.windows.net/{hub}/messages?timeout=60&api-version=2014-01
    r = requests.post(
        hubs.endpoint + "/batch-status/messages?timeout=60&api-version=2014-01",
        headers={
            "Authorization": namespace_token(),
            "Content-Type": "application/vnd.microsoft.servicebus.json",
            "Host": "your-namespace.servicebus.windows.net",
        },
        data='[{"Body":"Message1","UserProperties":{"Alert":"Strong Wind"}},{"Body":"Message2"},{"Body":"Message3"}]',
    )
    assert r.status_code == 201, r.text
    events = receive(hubs, "jobs", "all", 3)
    assert [e.data for e in events] == ["Message1", "Message2", "Message3"]
    assert all(e.type == "EventHubs.Message" for e in events)
    assert all(e.source == "/eventhubs/batch-status" for e in events)
    assert events[0].extensions == {"alert": "Strong Wind"}
    assert len({e.id for e in events}) == 3
    assert all(e.time is not None for e in events)
    print("batch of 3 sent through Event Hubs REST, read back with the Event Grid SDK")


def test_send_single_event_as_documented(hubs):
    # "Send event": the message is the body; BrokerProperties is a JSON header.
    token = sas_token(
        "https://your-namespace.servicebus.windows.net/batch-status", SEND_POLICY, SEND_KEY
    )
    r = requests.post(
        hubs.endpoint + "/batch-status/messages?timeout=60&api-version=2014-01",
        headers={
            "Authorization": token,
            "Content-Type": "application/atom+xml;type=entry;charset=utf-8",
            "BrokerProperties": '{"Label":"M1","MessageId":"msg-1","PartitionKey":"dev-01"}',
        },
        data='{ "DeviceId":"dev-01", "Temperature":"37.0" }',
    )
    assert r.status_code == 201, r.text
    (event,) = receive(hubs, "jobs", "all", 1)
    assert event.id == "msg-1"
    assert event.subject == "M1"
    assert event.data == '{ "DeviceId":"dev-01", "Temperature":"37.0" }'
    assert event.extensions == {"partitionkey": "dev-01"}


def test_json_body_type_and_filters(hubs):
    body = [
        {
            "Body": json.dumps({"job": "extract", "exit": 3}),
            "UserProperties": {"Type": "Job.Failed", "Alert": "Strong Wind", "Attempt": 2},
            "BrokerProperties": {"ContentType": "application/json", "Label": "extract"},
        },
        {"Body": "ok", "UserProperties": {"Type": "Job.Finished", "Alert": "Strong Wind"}},
        {"Body": "calm", "UserProperties": {"Type": "Job.Failed", "Alert": "Calm"}},
    ]
    r = requests.post(
        hubs.endpoint + "/Batch-Status/messages?api-version=2015-01",
        headers={
            "Authorization": sas_token(hubs.endpoint + "/batch-status", POLICY, POLICY_KEY),
            "Content-Type": "application/vnd.microsoft.servicebus.json",
        },
        data=json.dumps(body),
    )
    assert r.status_code == 201, r.text
    (failed,) = receive(hubs, "jobs", "failures", 1)
    assert failed.type == "Job.Failed"
    assert failed.subject == "extract"
    assert failed.data == {"job": "extract", "exit": 3}
    assert failed.extensions == {"alert": "Strong Wind", "attempt": 2}
    assert len(receive(hubs, "jobs", "all", 3)) == 3
    # Nothing else passed the failure filter.
    assert consumer(hubs, "jobs", "failures").receive(max_events=10, max_wait_time=10) == []


def test_unmapped_hub_uses_topic_of_same_name_unknown_is_404(hubs):
    def send(hub):
        return requests.post(
            f"{hubs.endpoint}/{hub}/messages",
            headers={
                "Authorization": namespace_token(),
                "Content-Type": "application/vnd.microsoft.servicebus.json",
            },
            data='[{"Body":"x"}]',
        )

    assert send("orders").status_code == 201
    assert [e.data for e in receive(hubs, "orders", "all", 1)] == ["x"]
    r = send("nowhere")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NotFound"


def test_sas_refusals(hubs):
    uri = "https://ns.servicebus.windows.net/batch-status"
    cases = {
        "none": None,
        "wrong-key": sas_token(uri, POLICY, "not-the-key"),
        "expired": sas_token(uri, POLICY, POLICY_KEY, expiry=int(time.time()) - 1),
        "other-hub": sas_token("https://ns.servicebus.windows.net/orders", POLICY, POLICY_KEY),
        "hub-prefix": sas_token("https://ns.servicebus.windows.net/batch", POLICY, POLICY_KEY),
        "unknown-key-name": sas_token(uri, "nobody", POLICY_KEY),
        "key-of-other-policy": sas_token(uri, SEND_POLICY, POLICY_KEY),
        "event-grid-key": "SharedAccessKey " + KEY,
    }
    for case, auth in cases.items():
        headers = {"Content-Type": "application/vnd.microsoft.servicebus.json"}
        if auth:
            headers["Authorization"] = auth
        r = requests.post(
            hubs.endpoint + "/batch-status/messages", headers=headers, data='[{"Body":"x"}]'
        )
        assert r.status_code == 401, (case, r.text)
        assert r.json()["error"]["code"] == "Unauthorized"
    assert consumer(hubs, "jobs", "all").receive(max_events=1, max_wait_time=10) == []
    print(f"{len(cases)} bad credentials refused with 401, nothing stored")


def test_limits_and_bad_requests(hubs):
    headers = {
        "Authorization": namespace_token(),
        "Content-Type": "application/vnd.microsoft.servicebus.json",
    }
    url = hubs.endpoint + "/batch-status/messages"
    big = json.dumps([{"Body": "x" * (1024 * 1024)}])
    assert requests.post(url, headers=headers, data=big).status_code == 413
    r = requests.post(url, headers=headers, data='[{"Body":"x","UserProperties":{"id":"1"}}]')
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidProperties"
    assert requests.post(url, headers=headers, data="{}").status_code == 400
    r = requests.post(url + "?api-version=2013-01", headers=headers, data='[{"Body":"x"}]')
    assert r.status_code == 400
    assert requests.get(url, headers=headers).status_code == 405
