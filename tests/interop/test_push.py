"""Push delivery against a local webhook receiver and a second gridlog's Event Hubs endpoint:
receivers failing, refusing, slow, and down across gridlog restarts (SIGKILL). gridlog runs
with GRIDLOG_TEST_TIME_SCALE=60 (engine time 60x real), so Event Grid's schedule (10 s, 30 s,
1 min, 5 min) takes 0.17 s, 0.5 s, 1 s, 5 s of real time, and the attempt timeout (half the
60 s lock) is 0.5 s. Each test prints the figures it reached."""

import collections
import http.server
import json
import socket
import threading
import time

import subprocess

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridConsumerClient, EventGridPublisherClient

from conftest import KEY, Server, binary_path

SCALE = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook on a fixed port. `behave(event, attempt)` returns (status, delay_seconds)."""

    def __init__(self, behave, port=None):
        self.port = port or free_port()
        self.behave = behave
        self.lock = threading.Lock()
        self.requests = []  # (id, subject, status, aeg-delivery-count)
        self.attempts = collections.Counter()
        self.httpd = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = json.loads(body)
                with receiver.lock:
                    receiver.attempts[event["id"]] += 1
                    attempt = receiver.attempts[event["id"]]
                status, delay = receiver.behave(event, attempt)
                if delay:
                    time.sleep(delay)
                with receiver.lock:
                    receiver.requests.append(
                        (event["id"], event.get("subject"), status,
                         self.headers.get("aeg-delivery-count"),
                         self.headers.get("Content-Type"))
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class HttpServer(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            request_queue_size = 128  # the default 5 drops connects under 16 parallel attempts

        self.httpd = HttpServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def delivered(self):
        with self.lock:
            return collections.Counter(i for i, _, status, _, _ in self.requests if status == 200)


def push_sub(name, destination, max_delivery_count=10, dead_letter_topic=None):
    push = {"maxDeliveryCount": max_delivery_count, "destination": destination}
    if dead_letter_topic:
        push["deadLetterTopic"] = dead_letter_topic
    return {
        "name": name,
        "properties": {"deliveryConfiguration": {"deliveryMode": "Push", "push": push}},
    }


def webhook(url):
    return {"endpointType": "WebHook", "properties": {"endpointUrl": url}}


def start(tmp_path, name, config):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    env = {"GRIDLOG_TEST_TIME_SCALE": f"{SCALE}@{int(time.time() * 1000)}"}
    return Server(tmp_path / f"{name}-data", path, env=env)


def publish(server, topic, events):
    EventGridPublisherClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic=topic
    ).send(events)


def receive_all(server, topic, sub, count, wait=10):
    """`count` distinct events, each acknowledged at once (under the time scale a lock lasts
    60 s / SCALE of real time)."""
    con = EventGridConsumerClient(
        server.endpoint, AzureKeyCredential(KEY), namespace_topic=topic, subscription=sub
    )
    got = {}
    total = 0
    deadline = time.monotonic() + 60
    while len(got) < count and time.monotonic() < deadline:
        batch = con.receive(max_events=min(100, count - len(got)), max_wait_time=wait)
        if batch:
            con.acknowledge(lock_tokens=[d.broker_properties.lock_token for d in batch])
        total += len(batch)
        for d in batch:
            got.setdefault(d.event.id, d.event)
    return list(got.values()), total


def inspect(server, subscription):
    """The subscription's line of `gridlog inspect` (the server must be stopped)."""
    out = subprocess.run([binary_path(), "inspect", str(server.data_dir)],
                         capture_output=True, text=True, check=True).stdout
    return next(l.strip() for l in out.splitlines() if f"subscription {subscription}:" in l)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_webhook_retry_schedule_no_retry_statuses_and_dead_letter(tmp_path):
    def behave(event, attempt):
        subject = event["subject"]
        if subject == "flaky":
            return (500 if attempt <= 2 else 200), 0
        if subject == "busy":
            return (503 if attempt == 1 else 200), 0
        if subject == "bad":
            return 400, 0
        if subject == "never":
            return 500, 0
        if subject == "slow":
            return 200, (2.5 if attempt == 1 else 0)  # over the 1 s attempt timeout
        return 200, 0

    receiver = Receiver(behave)
    receiver.start()
    config = {
        "topics": [
            {"name": "orders", "eventSubscriptions": [
                push_sub("hook", webhook(receiver.url), max_delivery_count=4,
                         dead_letter_topic="dlq")]},
            {"name": "dlq", "eventSubscriptions": [{"name": "all"}]},
        ]
    }
    srv = start(tmp_path, "a", config)
    try:
        events = [CloudEvent(source="/t", type="T", subject="flaky", data={"n": n}, id=f"flaky-{n}")
                  for n in range(10)]
        events += [CloudEvent(source="/t", type="T", subject=s, data={}, id=s)
                   for s in ("busy", "bad", "never", "slow", "fine")]
        started = time.monotonic()
        publish(srv, "orders", events)
        good = {f"flaky-{n}" for n in range(10)} | {"busy", "slow", "fine"}
        wait_until(lambda: good <= set(receiver.delivered()), 30, "deliveries")
        dead, _ = receive_all(srv, "dlq", "all", 2)
        elapsed = time.monotonic() - started
        reasons = {e.id: (e.extensions["deadletterreason"], e.extensions["deliveryattempts"])
                   for e in dead}
        assert reasons == {
            "bad": ("Rejected by the receiver.", reasons["bad"][1]),
            "never": ("Maximum delivery attempts was exceeded.", 4),
        }, reasons
        with receiver.lock:
            requests = list(receiver.requests)
        attempts = collections.Counter(r[0] for r in requests)
        assert all(attempts[f"flaky-{n}"] >= 3 for n in range(10)), attempts
        # An attempt that timed out before reaching the receiver is counted by gridlog only.
        assert attempts["busy"] >= 2 and 1 <= attempts["never"] <= 4 and attempts["slow"] >= 2
        assert 1 <= attempts["bad"] <= reasons["bad"][1] and attempts["fine"] >= 1
        # Statuses in order: the designed failures first; no attempt after a 400.
        statuses = collections.defaultdict(list)
        for r in requests:
            statuses[r[0]].append(r[2])
        assert statuses["bad"][-1] == 400 and set(statuses["never"]) == {500}
        assert all(statuses[f"flaky-{n}"][-1] == 200 for n in range(10)), statuses
        # aeg-delivery-count counts the attempts before this one; the body is the CloudEvent.
        counts = sorted(int(r[3]) for r in requests if r[0] == "flaky-0")
        assert counts == list(range(len(counts))), counts
        assert all(r[4].startswith("application/cloudevents+json") for r in requests)
        retries = sum(attempts.values()) - len(attempts)
        assert srv.stop() == 0
        print(f"webhook: {len(good)} events delivered, {sum(attempts.values())} attempts seen by "
              f"the receiver, {retries} retries, {len(dead)} dead-lettered, in {elapsed:.1f} s "
              f"real (~{elapsed * SCALE:.0f} s engine time); {inspect(srv, 'hook')}")
    finally:
        if srv.proc is not None:
            assert srv.stop() == 0
        receiver.stop()


def test_webhook_down_across_gridlog_kill9_restarts(tmp_path):
    receiver = Receiver(lambda event, attempt: (200, 0))
    config = {"topics": [{"name": "orders", "eventSubscriptions": [
        push_sub("hook", webhook(receiver.url))]}]}
    srv = start(tmp_path, "a", config)
    restarts = 0
    try:
        ids = [f"e{n}" for n in range(20)]
        publish(srv, "orders", [CloudEvent(source="/t", type="T", data={"n": i}, id=i)
                                for i in ids])
        # The receiver is down: attempts fail (connection refused) and are retried; gridlog is
        # killed twice meanwhile, with attempts and delayed retries pending.
        for _ in range(2):
            time.sleep(1.0)
            srv.kill9()
            srv.start()
            restarts += 1
        publish(srv, "orders", [CloudEvent(source="/t", type="T", data={}, id="late")])
        ids.append("late")
        receiver.start()
        wait_until(lambda: set(ids) <= set(receiver.delivered()), 40, "all events after restarts")
        delivered = receiver.delivered()
        duplicates = sum(delivered.values()) - len(delivered)
        assert set(delivered) == set(ids)
        assert srv.stop() == 0
        print(f"receiver down across {restarts} kill -9 restarts: {len(ids)} events delivered, "
              f"{duplicates} duplicate(s) (at-least-once), 0 lost; {inspect(srv, 'hook')}")
    finally:
        if srv.proc is not None:
            assert srv.stop() == 0
        receiver.stop()


def test_forward_to_a_second_gridlog_event_hubs_endpoint(tmp_path):
    b_port = free_port()
    b_config = {
        "sharedAccessPolicies": [{"keyName": "edge", "key": "forwarding-key"}],
        "eventHubs": [{"name": "edge-forward", "topic": "inbox"}],
        "topics": [{"name": "inbox", "eventSubscriptions": [{"name": "all"}]}],
    }
    b_path = tmp_path / "b.json"
    b_path.write_text(json.dumps(b_config))
    b = Server(tmp_path / "b-data", b_path, listen=f"127.0.0.1:{b_port}")
    destination = {"endpointType": "EventHub", "properties": {
        "endpointUrl": f"http://127.0.0.1:{b_port}", "eventHubName": "edge-forward",
        "sharedAccessKeyName": "edge", "sharedAccessKey": "forwarding-key"}}
    a = start(tmp_path, "a", {"topics": [{"name": "orders", "eventSubscriptions": [
        push_sub("forward", destination)]}]})
    try:
        sent = [CloudEvent(source="/edge", type="Order.Created", subject=f"o/{n}",
                           data={"n": n}, id=f"o{n}") for n in range(5)]
        publish(a, "orders", sent)
        first, first_total = receive_all(b, "inbox", "all", 5)
        # B goes down; A keeps retrying until it is back.
        assert b.stop() == 0
        more = [CloudEvent(source="/edge", type="Order.Created", data={"n": n}, id=f"o{n}")
                for n in range(5, 10)]
        publish(a, "orders", more)
        time.sleep(1.0)
        b.start()
        second, second_total = receive_all(b, "inbox", "all", 5)
        got = first + second
        ids = collections.Counter(e.id for e in got)
        duplicates = first_total + second_total - len(ids)
        assert set(ids) == {f"o{n}" for n in range(10)}, ids
        by_id = {e.id: e for e in got}
        assert by_id["o3"].type == "Order.Created"
        assert by_id["o3"].subject == "o/3"
        assert by_id["o3"].data == {"n": 3}
        assert by_id["o3"].source == "/edge"
        print(f"forwarded gridlog -> gridlog (Event Hubs REST): {len(ids)} events, identical "
              f"ids/types/data, {duplicates} duplicate(s), 1 receiver restart")
    finally:
        assert a.stop() == 0
        if b.proc is not None:
            assert b.stop() == 0
