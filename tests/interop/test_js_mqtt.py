"""MQTT.js (mqtt 5.x, MQTT 3.1.1 and 5) against `gridlog serve --mqtt-dev-auth`: pub/sub with a
wildcard between two clients, and an unauthorized publish and subscribe refused with the
service's codes. Each scenario of js/mqtt.mjs runs against a fresh server (the broker fixture of
test_mqtt.py); scripts/test installs the pinned npm packages (`npm ci` in tests/interop/js)."""

import json
import pathlib
import shutil
import subprocess

import pytest

from conftest import KEY
from test_mqtt import broker  # noqa: F401 (fixture)

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"


def run(scenario, version, srv):
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    host, port = srv.mqtt
    cmd = ["node", str(JS_DIR / "mqtt.mjs"), scenario, version, host, str(port), KEY]
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
