"""The real Azure SDK for Python (azure-eventgrid 4.22.1) and the `cloudevents` SDK against
`gridlog serve`: every data-plane operation, errors, a restart between receive and
acknowledge, binary and structured publishes, and a SAS token computed here with hmac."""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest
import requests
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridConsumerClient, EventGridPublisherClient
from azure.eventgrid.models import ReleaseDelay

from conftest import KEY, scheme_server

# Every test here runs over plain HTTP and over HTTPS (`serve --tls-self-signed`, the CA
# trusted through REQUESTS_CA_BUNDLE).
server = pytest.fixture(params=["http", "https"], name="server")(scheme_server)

TOPIC = "orders"


def publisher(server, key=KEY):
    return EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(key), namespace_topic=TOPIC
    )


def consumer(server, subscription="all", key=KEY):
    return EventGridConsumerClient(
        server.endpoint,
        AzureKeyCredential(key),
        namespace_topic=TOPIC,
        subscription=subscription,
    )


def event(n, **kw):
    return CloudEvent(
        source="/interop/test",
        type="Interop.Created",
        data={"n": n},
        subject=f"item/{n}",
        id=f"id-{n}",
        **kw,
    )


def receive_all(con, count, wait=10):
    got = []
    while len(got) < count:
        batch = con.receive(max_events=count - len(got), max_wait_time=wait)
        assert batch, f"expected {count} events, got {len(got)}"
        got.extend(batch)
    return got


def test_publish_batch_receive_acknowledge(server):
    pub = publisher(server)
    pub.send([event(1, extensions={"myext": "extval"}), event(2), event(3)])
    pub.send(event(4))
    pub.send({"specversion": "1.0", "id": "id-5", "source": "/s", "type": "T", "data": "str"})
    con = consumer(server)
    got = receive_all(con, 5)
    assert [d.event.id for d in got] == ["id-1", "id-2", "id-3", "id-4", "id-5"]
    assert got[0].event.extensions == {"myext": "extval"}
    assert got[0].event.data == {"n": 1}
    assert got[0].event.subject == "item/1"
    assert all(d.broker_properties.delivery_count == 1 for d in got)
    tokens = [d.broker_properties.lock_token for d in got]
    result = con.acknowledge(lock_tokens=tokens)
    assert sorted(result.succeeded_lock_tokens) == sorted(tokens)
    assert result.failed_lock_tokens == []
    # Acknowledged twice: every token fails with TokenLost, still HTTP 200.
    again = con.acknowledge(lock_tokens=tokens[:1])
    assert again.succeeded_lock_tokens == []
    assert again.failed_lock_tokens[0].lock_token == tokens[0]
    assert again.failed_lock_tokens[0].error.code == "TokenLost"
    # Nothing left.
    assert con.receive(max_events=10, max_wait_time=10) == []


def test_binary_data_round_trips(server):
    publisher(server).send(
        CloudEvent(
            source="/interop/test",
            type="Interop.Bin",
            data=b"\x00\x01binary",
            datacontenttype="application/octet-stream",
            id="bin-1",
        )
    )
    [got] = receive_all(consumer(server), 1)
    assert got.event.data == b"\x00\x01binary"


def test_release_without_and_with_delay(server):
    publisher(server).send(event(1))
    con = consumer(server)
    [first] = receive_all(con, 1)
    tok = first.broker_properties.lock_token
    result = con.release(lock_tokens=[tok])
    assert result.succeeded_lock_tokens == [tok]
    [second] = receive_all(con, 1)
    assert second.event.id == "id-1"
    assert second.broker_properties.delivery_count == 2
    tok2 = second.broker_properties.lock_token
    result = con.release(lock_tokens=[tok2], release_delay=ReleaseDelay.TEN_SECONDS)
    assert result.succeeded_lock_tokens == [tok2]
    # Not before the delay ...
    before = datetime.datetime.now()
    [third] = receive_all(con, 1, wait=30)
    waited = (datetime.datetime.now() - before).total_seconds()
    assert waited >= 8, waited
    assert third.broker_properties.delivery_count == 3
    con.acknowledge(lock_tokens=[third.broker_properties.lock_token])


def test_release_delay_as_int_and_reject(server):
    publisher(server).send([event(1), event(2)])
    con = consumer(server)
    got = receive_all(con, 2)
    t1, t2 = (d.broker_properties.lock_token for d in got)
    assert con.release(lock_tokens=[t1], release_delay=60).succeeded_lock_tokens == [t1]
    result = con.reject(lock_tokens=[t2, "tok2"])
    assert result.succeeded_lock_tokens == [t2]
    assert [f.lock_token for f in result.failed_lock_tokens] == ["tok2"]
    assert result.failed_lock_tokens[0].error.code == "TokenLost"


def test_renew_locks(server):
    publisher(server).send(event(1))
    con = consumer(server)
    [got] = receive_all(con, 1)
    tok = got.broker_properties.lock_token
    result = con.renew_locks(lock_tokens=[tok])
    assert result.succeeded_lock_tokens == [tok]
    assert con.acknowledge(lock_tokens=[tok]).succeeded_lock_tokens == [tok]


def test_restart_between_receive_and_acknowledge_keeps_tokens(server):
    publisher(server).send([event(1), event(2)])
    got = receive_all(consumer(server), 2)
    tokens = [d.broker_properties.lock_token for d in got]
    server.restart()
    con = consumer(server)
    result = con.acknowledge(lock_tokens=tokens)
    assert sorted(result.succeeded_lock_tokens) == sorted(tokens)
    assert con.receive(max_events=10, max_wait_time=10) == []


def test_wrong_key_is_401(server):
    with pytest.raises(ClientAuthenticationError) as err:
        publisher(server, key="wrong").send(event(1))
    assert err.value.status_code == 401
    with pytest.raises(ClientAuthenticationError):
        consumer(server, key="wrong").receive(max_wait_time=10)


def test_oversized_event_is_413(server):
    big = CloudEvent(source="/s", type="T", data="x" * (1024 * 1024 + 10))
    with pytest.raises(HttpResponseError) as err:
        publisher(server).send(big)
    assert err.value.status_code == 413
    assert err.value.error.code == "PayloadTooLarge"


def test_invalid_event_is_400(server):
    with pytest.raises(HttpResponseError) as err:
        publisher(server).send({"foo": "bar"})
    assert err.value.status_code == 400
    assert err.value.error.code == "MissingAttribute"


def test_unknown_topic_is_404(server):
    pub = EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic="nope"
    )
    # The SDK re-raises a publish 404 as its own ResourceNotFoundError (reference §1.5).
    with pytest.raises(ResourceNotFoundError):
        pub.send(event(1))
    with pytest.raises(ResourceNotFoundError) as err:
        consumer(server, subscription="nope").receive(max_wait_time=10)
    assert err.value.status_code == 404


def test_endpoint_with_path_prefix(server):
    pub = EventGridPublisherClient(
        server.endpoint + "/ns1", AzureKeyCredential(KEY), namespace_topic=TOPIC
    )
    pub.send(event(1))
    con = EventGridConsumerClient(
        server.endpoint + "/ns1/",
        AzureKeyCredential(KEY),
        namespace_topic=TOPIC,
        subscription="all",
    )
    [got] = receive_all(con, 1)
    assert got.event.id == "id-1"


def _cloudevents_sdk():
    from cloudevents.conversion import to_binary, to_structured
    from cloudevents.http import CloudEvent as CeEvent

    return CeEvent, to_binary, to_structured


def test_cloudevents_sdk_binary_and_structured_publish(server):
    CeEvent, to_binary, to_structured = _cloudevents_sdk()
    url = f"{server.endpoint}/topics/{TOPIC}:publish?api-version=2024-06-01"
    auth = {"Authorization": f"SharedAccessKey {KEY}"}
    binary = CeEvent(
        {
            "type": "Interop.Binary",
            "source": "/cloudevents/sdk",
            "id": "ce-bin-1",
            "datacontenttype": "application/json",
            "myext": "binext",
        },
        {"mode": "binary"},
    )
    headers, body = to_binary(binary)
    r = requests.post(url, headers={**headers, **auth}, data=body, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {}
    structured = CeEvent(
        {"type": "Interop.Structured", "source": "/cloudevents/sdk", "id": "ce-str-1"},
        {"mode": "structured"},
    )
    headers, body = to_structured(structured)
    r = requests.post(url, headers={**headers, **auth}, data=body, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    got = receive_all(consumer(server, "binary"), 2)
    by_id = {d.event.id: d.event for d in got}
    assert by_id["ce-bin-1"].data == {"mode": "binary"}
    assert by_id["ce-bin-1"].extensions == {"myext": "binext"}
    assert by_id["ce-bin-1"].type == "Interop.Binary"
    assert by_id["ce-str-1"].data == {"mode": "structured"}


def sas_token(resource, key, expiry):
    """Reference §2.2, as the Azure SDK's generate_sas computes it."""
    enc = lambda s: urllib.parse.quote(s, safe="~()*!.'")  # noqa: E731
    unsigned = f"r={enc(resource)}&e={enc(expiry)}"
    try:
        secret = base64.b64decode(key, validate=True)
    except ValueError:
        secret = key.encode()
    sig = base64.b64encode(hmac.new(secret, unsigned.encode(), hashlib.sha256).digest()).decode()
    return f"{unsigned}&s={enc(sig)}"


def test_sas_tokens(server):
    url = f"{server.endpoint}/topics/{TOPIC}:publish?api-version=2024-06-01"
    body = json.dumps([{"specversion": "1.0", "id": "sas-1", "source": "/s", "type": "T"}])
    ct = {"content-type": "application/cloudevents-batch+json; charset=utf-8"}
    future = str(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    past = str(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1))
    topic_scope = f"https://gridlog.local/topics/{TOPIC}"
    cases = [
        ({"aeg-sas-token": sas_token(topic_scope, KEY, future)}, 200),
        ({"Authorization": "SharedAccessSignature " + sas_token("https://gridlog.local", KEY, future)}, 200),
        ({"aeg-sas-token": sas_token(topic_scope, KEY, past)}, 401),
        ({"aeg-sas-token": sas_token(topic_scope, "other-key", future)}, 401),
        ({"aeg-sas-token": sas_token("https://gridlog.local/topics/other", KEY, future)}, 401),
        ({"aeg-sas-key": KEY}, 200),
        ({}, 401),
    ]
    for headers, status in cases:
        r = requests.post(url, headers={**ct, **headers}, data=body, timeout=30)
        assert r.status_code == status, (headers, r.text)
        if status == 401:
            assert r.headers["x-ms-error-code"] == "Unauthorized"
            assert KEY not in r.text
    r = requests.post(url + "&aeg-sas-key=" + KEY, headers=ct, data=body, timeout=30)
    assert r.status_code == 200, r.text


def test_https_connection_verify_and_verification_on(server, monkeypatch):
    """Over https: the SDK's own connection_verify trusts the CA without the environment; with
    neither, the certificate is refused; plain http on the TLS port is told to use https."""
    from azure.core.exceptions import ServiceRequestError

    if not server.tls:
        pytest.skip("https only")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    pub = EventGridPublisherClient(
        server.endpoint,
        AzureKeyCredential(KEY),
        namespace_topic=TOPIC,
        connection_verify=server.ca_path,
    )
    pub.send(event(1))
    untrusting = EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic=TOPIC
    )
    with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
        untrusting.send(event(2))
    plain = requests.get(
        server.endpoint.replace("https://", "http://") + "/_gridlog/health", timeout=10
    )
    assert plain.status_code == 400
    assert plain.json()["error"]["code"] == "TlsRequired"
    assert "https://" in plain.json()["error"]["message"]
