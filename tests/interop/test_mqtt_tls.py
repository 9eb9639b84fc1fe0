"""The MQTT broker's X.509 client-certificate authentication and WebSocket transport with real
clients (paho-mqtt 2.x over MQTT 3.1.1 and 5; MQTT.js in test_js_mqtt.py) against `gridlog serve
--tls-self-signed`: MQTTS with a client certificate accepted (ThumbprintMatch, and a CA chain
with SubjectMatchesAuthenticationName), refused for an unknown client, a wrong thumbprint and a
disabled client with the codes the clients report; MQTT over WebSocket (ws://…/mqtt) and WSS
publishing and subscribing. The certificates are made here with `cryptography`."""

import datetime
import hashlib
import json
import queue
import ssl

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import KEY, Server

VERSIONS = {"3.1.1": mqtt.MQTTv311, "5": mqtt.MQTTv5}
WAIT = 10
NOT_AUTHORIZED = 0x87  # paho reports the 3.1.1 return code 5 as this reason code too


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(cn, issuer=None, ca=False):
    """A certificate for `cn`, signed by `issuer` ((cert, key)) or by itself: (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_cert.subject if issuer_cert else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256()), key


def write(tmp_path, name, cert, key):
    """The PEM files of (cert, key): (certfile, keyfile)."""
    certfile, keyfile = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(certfile), str(keyfile)


def thumbprint(cert):
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


@pytest.fixture
def pki(tmp_path):
    """Client certificates: `thumb` (self-signed, registered by thumbprint), `other` (self-signed
    with the same subject, not registered), `subj` and `off` (signed by the namespace's CA),
    `ghost` (signed by it, no such client)."""
    ca = make_cert("gridlog interop clients CA", ca=True)
    files = {}
    certs = {}
    for name, issuer in (("thumb", None), ("other", None), ("subj", ca), ("off", ca), ("ghost", ca)):
        cert, key = make_cert("thumb" if name == "other" else name, issuer=issuer)
        certs[name] = cert
        files[name] = write(tmp_path, name, cert, key)
    ca_pem = ca[0].public_bytes(serialization.Encoding.PEM).decode()
    return {"files": files, "thumbprint": thumbprint(certs["thumb"]), "ca_pem": ca_pem}


def config(pki):
    return {
        "topicSpacesConfiguration": {
            "state": "Enabled",
            "maximumClientSessionsPerAuthenticationName": 5,
        },
        "caCertificates": [{"name": "clients-ca", "properties": {"encodedCertificate": pki["ca_pem"]}}],
        "clients": [
            {"name": "thumb", "properties": {"clientCertificateAuthentication": {
                "validationScheme": "ThumbprintMatch", "allowedThumbprints": [pki["thumbprint"].upper()]}}},
            {"name": "subj", "properties": {"clientCertificateAuthentication": {
                "validationScheme": "SubjectMatchesAuthenticationName"}}},
            {"name": "off", "properties": {"state": "Disabled"}},
        ],
        "topicSpaces": [{"name": "devices", "properties": {"topicTemplates": ["devices/#"]}}],
        "permissionBindings": [
            {"name": "pub", "properties": {"clientGroupName": "$all", "topicSpaceName": "devices", "permission": "Publisher"}},
            {"name": "sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "devices", "permission": "Subscriber"}},
        ],
    }


@pytest.fixture
def tls_broker(tmp_path, pki):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(config(pki)))
    # The development mode is on for the plain WebSocket test (clients without a certificate);
    # a client that presents one is judged by it.
    srv = Server(
        tmp_path / "data", config_path, tls=True, mqtt_ws=True,
        env={"GRIDLOG_MQTT_DEV_AUTH": "true"},
    )
    assert srv.mqtts and srv.mqtt_ws and srv.mqtt_wss, "serve printed no MQTTS/WS/WSS line"
    yield srv
    assert srv.stop() == 0


class Client:
    """A paho client; `code` is the CONNACK reason it reported (0: accepted)."""

    def __init__(self, version, client_id, address, username, ca=None, cert=None, websocket=False):
        self.messages = queue.Queue()
        self.acks = queue.Queue()
        self.subacks = queue.Queue()
        connected = queue.Queue()
        self.paho = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=version,
            transport="websockets" if websocket else "tcp",
        )
        if websocket:
            self.paho.ws_set_options(path="/mqtt")
        if ca:
            certfile, keyfile = cert if cert else (None, None)
            self.paho.tls_set(ca_certs=ca, certfile=certfile, keyfile=keyfile,
                              tls_version=ssl.PROTOCOL_TLS_CLIENT)
        if username:
            self.paho.username_pw_set(username, KEY if websocket and not ca else None)
        self.paho.on_connect = lambda c, u, flags, rc, props: connected.put(rc)
        self.paho.on_message = lambda c, u, msg: self.messages.put(msg)
        self.paho.on_publish = lambda c, u, mid, rc, props: self.acks.put((mid, rc))
        self.paho.on_subscribe = lambda c, u, mid, rcs, props: self.subacks.put(rcs)
        self.paho.connect(address[0], address[1], keepalive=60)
        self.paho.loop_start()
        self.code = int(connected.get(timeout=WAIT).value)

    def subscribe(self, *filters):
        self.paho.subscribe([(f, 1) for f in filters])
        return [int(rc.value) for rc in self.subacks.get(timeout=WAIT)]

    def publish(self, topic, payload):
        info = self.paho.publish(topic, payload, qos=1)
        mid, rc = self.acks.get(timeout=WAIT)
        assert mid == info.mid
        return int(rc.value)

    def close(self):
        self.paho.disconnect()
        self.paho.loop_stop()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_mqtts_client_certificates_authenticate_and_exchange_messages(tls_broker, pki, version):
    v = VERSIONS[version]
    files = pki["files"]
    sub = Client(v, f"sub-{version}", tls_broker.mqtts, "subj", tls_broker.ca_path, files["subj"])
    assert sub.code == 0, "CA chain, subject = authentication name"
    pub = Client(v, f"pub-{version}", tls_broker.mqtts, "thumb", tls_broker.ca_path, files["thumb"])
    assert pub.code == 0, "thumbprint"
    assert sub.subscribe("devices/+/temp") == [1]
    assert pub.publish("devices/thumb/temp", b"21.5") == 0
    msg = sub.messages.get(timeout=WAIT)
    assert (msg.topic, msg.payload, msg.qos) == ("devices/thumb/temp", b"21.5", 1)
    sub.close()
    pub.close()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_mqtts_refuses_unknown_wrong_thumbprint_and_disabled_clients(tls_broker, pki, version):
    v = VERSIONS[version]
    files = pki["files"]
    cases = [
        ("ghost", files["ghost"], "unknown client"),
        ("thumb", files["other"], "wrong thumbprint"),
        ("off", files["off"], "disabled client"),
    ]
    for username, cert, what in cases:
        client = Client(v, f"deny-{version}", tls_broker.mqtts, username, tls_broker.ca_path, cert)
        assert client.code == NOT_AUTHORIZED, f"{what}: {client.code:#x}"
        client.paho.loop_stop()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_websocket_and_wss_publish_and_subscribe(tls_broker, pki, version):
    v = VERSIONS[version]
    # Plain WebSocket, development-mode credentials (no certificate without TLS).
    sub = Client(v, f"ws-sub-{version}", tls_broker.mqtt_ws, "subj", websocket=True)
    assert sub.code == 0
    assert sub.subscribe("devices/#") == [1]
    # WSS with a client certificate.
    pub = Client(v, f"wss-pub-{version}", tls_broker.mqtt_wss, "thumb", tls_broker.ca_path,
                 pki["files"]["thumb"], websocket=True)
    assert pub.code == 0
    assert pub.publish("devices/thumb/hum", b"40") == 0
    msg = sub.messages.get(timeout=WAIT)
    assert (msg.topic, msg.payload) == ("devices/thumb/hum", b"40")
    # And a refusal over WSS carries the same code.
    bad = Client(v, f"wss-bad-{version}", tls_broker.mqtt_wss, "thumb", tls_broker.ca_path,
                 pki["files"]["other"], websocket=True)
    assert bad.code == NOT_AUTHORIZED
    bad.paho.loop_stop()
    sub.close()
    pub.close()
