"""gridlog A forwards to gridlog B over HTTPS (B: `serve --tls-self-signed`, its development CA
given to A's destinations as caCertificateFile), through both the Event Grid namespace topic
destination (NamespaceTopic) and the Event Hubs one, with B killed (SIGKILL) and restarted
during the run: every event arrives at least once; duplicates are counted and printed. A
destination that does not trust B's CA, and one whose certificate has expired, each end in
retries and a dead letter whose deliveryresult names the TLS failure (as A's /metrics does). A runs with GRIDLOG_TEST_TIME_SCALE (see test_push.py)."""

import collections
import json
import time

import requests
from azure.core.messaging import CloudEvent

from conftest import KEY, Server
from test_push import free_port, publish, push_sub, receive_all, start


def test_forward_over_https_through_both_destinations_across_kill9(tmp_path, monkeypatch):
    port = free_port()
    b_config = {
        "sharedAccessPolicies": [{"keyName": "edge", "key": "forwarding-key"}],
        "eventHubs": [{"name": "edge-forward", "topic": "from-hub"}],
        "topics": [
            {"name": "from-hub", "eventSubscriptions": [{"name": "all"}]},
            {"name": "from-topic", "eventSubscriptions": [{"name": "all"}]},
        ],
    }
    b_path = tmp_path / "b.json"
    b_path.write_text(json.dumps(b_config))
    b = Server(tmp_path / "b-data", b_path, listen=f"127.0.0.1:{port}", tls=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", b.ca_path)
    to_topic = {"endpointType": "NamespaceTopic", "properties": {
        "endpointUrl": f"https://localhost:{port}", "topicName": "from-topic",
        "accessKeyEnvironmentVariable": "B_ACCESS_KEY", "caCertificateFile": b.ca_path}}
    to_hub = {"endpointType": "EventHub", "properties": {
        "endpointUrl": f"https://127.0.0.1:{port}", "eventHubName": "edge-forward",
        "sharedAccessKeyName": "edge", "sharedAccessKey": "forwarding-key",
        "caCertificateFile": b.ca_path}}
    a_config = {"topics": [{"name": "orders", "eventSubscriptions": [
        push_sub("to-topic", to_topic), push_sub("to-hub", to_hub)]}]}
    monkeypatch.setenv("B_ACCESS_KEY", KEY)
    a = start(tmp_path, "a", a_config)
    try:
        first = [CloudEvent(source="/edge", type="Order.Created", subject=f"o/{n}",
                            data={"n": n}, id=f"o{n}") for n in range(20)]
        publish(a, "orders", first)
        time.sleep(0.3)
        b.kill9()
        more = [CloudEvent(source="/edge", type="Order.Created", subject=f"o/{n}",
                           data={"n": n}, id=f"o{n}") for n in range(20, 40)]
        publish(a, "orders", more)
        time.sleep(1.0)
        b.start()  # same port, same data directory and development CA
        report = {}
        for topic in ("from-topic", "from-hub"):
            got, total = receive_all(b, topic, "all", 40)
            ids = collections.Counter(e.id for e in got)
            assert set(ids) == {f"o{n}" for n in range(40)}, (topic, sorted(ids))
            by_id = {e.id: e for e in got}
            assert by_id["o7"].data == {"n": 7} and by_id["o7"].subject == "o/7"
            report[topic] = (len(ids), total - len(ids))
        for topic, (count, duplicates) in report.items():
            print(f"forwarded over https to {topic}: {count} events, {duplicates} duplicate(s) "
                  "(B killed with SIGKILL once)")
    finally:
        assert a.stop() == 0
        if b.proc is not None:
            assert b.stop() == 0


def forward_until_dead_lettered(tmp_path, destination, label, words):
    """Starts gridlog A forwarding topic `orders` to `destination` (3 attempts, dead letters in
    `dlq`), publishes one event, and checks that it is dead-lettered after 3 attempts whose TLS
    failure (`label`, described with `words`) the dead letter and /metrics both name. Returns A
    (running) and the metrics line."""
    a = start(tmp_path, "a", {"topics": [
        {"name": "orders", "eventSubscriptions": [
            push_sub("forward", destination, max_delivery_count=3, dead_letter_topic="dlq")]},
        {"name": "dlq", "eventSubscriptions": [{"name": "all"}]},
    ]})
    try:
        publish(a, "orders", [CloudEvent(source="/edge", type="T", data={}, id="x1")])
        [dead], _ = receive_all(a, "dlq", "all", 1)
        assert dead.extensions["deadletterreason"] == "Maximum delivery attempts was exceeded."
        assert dead.extensions["deliveryattempts"] == 3
        # The dead letter names the TLS failure the last attempt met.
        assert label in dead.extensions["deliveryresult"], dead.extensions
        assert words in dead.extensions["deliveryresult"], dead.extensions
        metrics = requests.get(a.endpoint + "/metrics",
                               headers={"Authorization": f"SharedAccessKey {KEY}"}, timeout=10).text
        line = next(l for l in metrics.splitlines()
                    if l.startswith("gridlog_push_attempts_total") and label in l)
        assert float(line.rsplit(" ", 1)[1]) >= 3, line
        print(f"{label}: dead-lettered after 3 attempts; {line}; "
              f"deliveryresult: {dead.extensions['deliveryresult']}")
    except BaseException:
        a.stop()
        raise
    return a


def test_untrusted_ca_retries_then_dead_letters_and_names_the_failure(tmp_path, monkeypatch):
    port = free_port()
    b_path = tmp_path / "b.json"
    b_path.write_text(json.dumps({"topics": [{"name": "inbox", "eventSubscriptions": [{"name": "all"}]}]}))
    b = Server(tmp_path / "b-data", b_path, listen=f"127.0.0.1:{port}", tls=True)
    # No caCertificateFile: the system roots do not know B's development CA.
    untrusted = {"endpointType": "NamespaceTopic", "properties": {
        "endpointUrl": f"https://127.0.0.1:{port}", "topicName": "inbox", "accessKey": KEY}}
    try:
        a = forward_until_dead_lettered(tmp_path, untrusted, "tls_unknown_ca", "trusted CA")
        assert a.stop() == 0
    finally:
        assert b.stop() == 0


def expired_https_server(tmp_path):
    """A minimal HTTPS server on a free loopback port whose certificate (for 127.0.0.1, signed by
    a CA of its own) expired yesterday; it would answer 200 to anything. Returns the server, its
    port, the CA's PEM path and the list of requests it received."""
    import datetime
    import http.server
    import ipaddress
    import ssl
    import threading

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired-test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=30))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10))
            .not_valid_after(now - datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path = tmp_path / "expired-ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path = tmp_path / "expired.pem"
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path = tmp_path / "expired-key.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    requests_seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            requests_seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1], str(ca_path), requests_seen


def test_expired_certificate_retries_then_dead_letters_and_names_the_failure(tmp_path):
    server, port, ca_path, seen = expired_https_server(tmp_path)
    # The CA is trusted; the certificate it signed has expired: every handshake must fail.
    expired = {"endpointType": "NamespaceTopic", "properties": {
        "endpointUrl": f"https://127.0.0.1:{port}", "topicName": "inbox", "accessKey": KEY,
        "caCertificateFile": ca_path}}
    try:
        a = forward_until_dead_lettered(tmp_path, expired, "tls_expired", "expired")
        assert seen == [], "a request went through an expired certificate"
        assert a.stop() == 0
    finally:
        server.shutdown()
