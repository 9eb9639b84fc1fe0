"""Throughput units against the real Python SDK: at 1 TU (set with `PUT /_gridlog/namespace`),
a publish over the limit is answered 429 with `Retry-After`, which azure-core's RetryPolicy
honours (reference §1.5): the SDK waits and its retry succeeds; with retries disabled, the 429
reaches the caller."""

import json
import time

import pytest
import requests
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient

from conftest import KEY

TOPIC = "orders"
AUTH = {"Authorization": f"SharedAccessKey {KEY}"}


def management(server, method, path, body=None):
    r = requests.request(
        method,
        server.endpoint + "/_gridlog/" + path,
        headers={**AUTH, "Content-Type": "application/json"},
        data=None if body is None else json.dumps(body),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


def events(start, count):
    return [
        CloudEvent(source="/interop/tu", type="Tu.Test", data={"n": n}, id=f"tu-{n}")
        for n in range(start, start + count)
    ]


def test_sdk_backs_off_on_429_and_its_retry_succeeds(server):
    assert management(server, "PUT", "namespace", {"throughputUnits": 1})["throughputUnits"] == 1
    pub = EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic=TOPIC
    )
    pub.send(events(0, 1000))  # the whole 1 s burst of 1 TU
    started = time.monotonic()
    pub.send(events(1000, 1000))  # 429 + Retry-After: 1, then retried by the SDK
    waited = time.monotonic() - started
    print(f"second batch of 1,000 accepted after {waited:.2f} s")
    assert waited >= 0.9
    ns = management(server, "GET", "namespace")
    assert ns["throttled"]["publish"] >= 1
    topic = management(server, "GET", f"topics/{TOPIC}")
    assert topic["meters"]["events"] == 2000
    assert topic["meters"]["publishBillingUnits"] == 2000


def test_429_reaches_the_caller_when_retries_are_disabled(server):
    management(server, "PUT", "namespace", {"throughputUnits": 1})
    pub = EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic=TOPIC, retry_total=0
    )
    pub.send(events(0, 1000))
    with pytest.raises(HttpResponseError) as raised:
        pub.send(events(1000, 1000))
    assert raised.value.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert raised.value.error.code == "TooManyRequests"
    # Unlimited again: accepted at once.
    management(server, "PUT", "namespace", {"throughputUnits": None})
    pub.send(events(2000, 1000))
