"""MQTT.js (mqtt 5.x, MQTT 3.1.1 and 5) against `gridlog serve --mqtt-dev-auth`: pub/sub with a
wildcard between two clients, and an unauthorized publish and subscribe refused with the
service's codes; over MQTTS, client certificates accepted (thumbprint, CA chain) and refused
(unknown client, wrong thumbprint, disabled client: CONNACK 0x87, 3.1.1 return code 5), and
publish/subscribe over WebSocket and WSS (the tls_broker fixture of test_mqtt_tls.py). Each scenario of js/mqtt.mjs runs against a fresh server (the broker fixture of
test_mqtt.py); scripts/test installs the pinned npm packages (`npm ci` in tests/interop/js)."""

import json
import pathlib
import shutil
import subprocess

import pytest

from conftest import KEY
from test_mqtt import broker  # noqa: F401 (fixture)
from test_mqtt_tls import pki, tls_broker  # noqa: F401 (fixtures)

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"


def run(scenario, version, srv, extra=None):
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    host, port = srv.mqtt
    cmd = ["node", str(JS_DIR / "mqtt.mjs"), scenario, version, host, str(port), KEY]
    if extra is not None:
        cmd.append(json.dumps(extra))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, f"{scenario} {version}: {out.stderr}{out.stdout}"
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("version", ["3.1.1", "5"])
def test_js_pub_sub_with_a_wildcard(broker, version):  # noqa: F811 (the fixture)
    result = run("pubsub", version, broker)
    assert result["granted"] == [1]
    assert result["message"] == {"topic": "sensors/sensor1/temp", "payload": "21.5", "qos": 1}


def test_js_v5_unauthorized_publish_and_subscribe(broker):  # noqa: F811 (the fixture)
    result = run("deny", "5", broker)
    assert result["granted"] == [0x87, 1]
    assert result["publish"] == 0x87
    assert result["open"] is True


def test_js_v311_unauthorized_publish_and_subscribe(broker):  # noqa: F811 (the fixture)
    result = run("deny", "3.1.1", broker)
    assert result["granted"] == [0x80, 1]
    assert result["publish"] == "closed"


def tls_args(srv, pki):  # noqa: F811 (the fixture's name)
    return {
        "mqtts": srv.mqtts,
        "ws": srv.mqtt_ws,
        "wss": srv.mqtt_wss,
        "ca": srv.ca_path,
        "certs": pki["files"],
    }


@pytest.mark.parametrize("version", ["3.1.1", "5"])
def test_js_client_certificates_over_mqtts(tls_broker, pki, version):  # noqa: F811
    result = run("certificates", version, tls_broker, tls_args(tls_broker, pki))
    refused = 0x87 if version == "5" else 5
    assert result == {
        "thumbprint": 0,
        "chain": 0,
        "unknown": refused,
        "wrongThumbprint": refused,
        "disabled": refused,
    }


@pytest.mark.parametrize("version", ["3.1.1", "5"])
def test_js_pub_sub_over_websocket_and_wss(tls_broker, pki, version):  # noqa: F811
    result = run("websocket", version, tls_broker, tls_args(tls_broker, pki))
    assert result["granted"] == [1]
    assert result["wss"] == 0
    assert result["message"] == {"topic": "devices/thumb/temp", "payload": "19.0", "qos": 1}
