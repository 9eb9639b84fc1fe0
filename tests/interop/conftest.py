"""Fixtures for the interop tests: a real `gridlog serve` on a free loopback port.

The binary comes from $GRIDLOG_BIN (scripts/test sets it), else target/debug/gridlog.
"""

import json
import os
import pathlib
import signal
import ssl
import subprocess
import time
import urllib.request

import pytest

KEY = "interop-test-key"
SEGMENT_BYTES = 4 << 20
ROOT = pathlib.Path(__file__).resolve().parents[2]

CONFIG = {
    "topics": [
        {
            "name": "orders",
            "eventSubscriptions": [
                {"name": "all"},
                {"name": "binary"},
                {"name": "sas"},
            ],
        }
    ]
}


def binary_path():
    env = os.environ.get("GRIDLOG_BIN")
    if env:
        return env
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(pathlib.Path(target) / "debug" / "gridlog")


def address(line, scheme):
    """(host, port) after `scheme` in a listener line (`… on mqtts://HOST:PORT…`)."""
    text = line.split(scheme, 1)[1].split()[0].rstrip(":").split("/", 1)[0]
    host, port = text.rsplit(":", 1)
    return (host, int(port))


class Server:
    """One `gridlog serve` process; `restart()` keeps the data directory."""

    def __init__(
        self, data_dir, config_path, listen="127.0.0.1:0", env=None, tls=False, mqtt_ws=False
    ):
        self.data_dir = data_dir
        # With mqtt_ws, MQTT over WebSocket too (and with tls over WSS), on free ports:
        # self.mqtt_ws and self.mqtt_wss.
        self.mqtt_ws_on = mqtt_ws
        # With tls, `serve --tls-self-signed`: HTTPS with a development CA made in the data
        # directory, which clients trust the normal way (ca_path).
        self.tls = tls
        self.ca_path = str(pathlib.Path(data_dir) / "tls" / "ca.pem") if tls else None
        self.config_path = config_path
        self.listen = listen
        self.extra_env = env or {}
        self.proc = None
        self.endpoint = None
        self.amqp = None
        self.amqps = None
        self.mqtt = None
        self.mqtts = None
        self.mqtt_ws = None
        self.mqtt_wss = None
        self.start()

    def start(self):
        env = dict(os.environ, GRIDLOG_KEY=KEY, GRIDLOG_LOG="warn")
        env.update(self.extra_env)
        self.proc = subprocess.Popen(
            [
                binary_path(),
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--config",
                str(self.config_path),
                "--listen",
                self.listen,
                # 4 MiB segments: each server preallocates its active and spare segment, and a
                # run starts dozens of servers (64 MiB each by default filled /tmp in CI).
                "--segment-bytes",
                str(SEGMENT_BYTES),
                # Free ports for the AMQP and AMQPS listeners (Event Hubs SDKs): see self.amqp
                # and self.amqps.
                "--amqp-listen",
                "127.0.0.1:0",
                "--amqps-listen",
                "127.0.0.1:0",
                # And for the MQTT broker: see self.mqtt (and with TLS self.mqtts).
                "--mqtt-listen",
                "127.0.0.1:0",
                "--mqtts-listen",
                "127.0.0.1:0",
            ]
            + (["--tls-self-signed"] if self.tls else [])
            + (["--mqtt-ws-listen", "127.0.0.1:0"] if self.mqtt_ws_on else [])
            + (["--mqtt-wss-listen", "127.0.0.1:0"] if self.mqtt_ws_on and self.tls else []),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            self.proc.kill()
            raise RuntimeError(
                f"gridlog serve did not start: {line!r} {self.proc.stderr.read()!r}"
            )
        self.endpoint = line.split("listening on ", 1)[1].split()[0]
        # The AMQP listener's line follows the announcement: `… on amqp://HOST:PORT: …`.
        # With TLS the AMQPS line (`… on amqps://HOST:PORT: …`) follows it.
        self.amqp = None
        self.amqps = None
        for _ in range(20):
            line = self.proc.stdout.readline()
            if "AMQP" in line and "amqp://" in line:
                self.amqp = line.split("amqp://", 1)[1].split()[0].rstrip(":")
                if self.tls:
                    line = self.proc.stdout.readline()
                    if "amqps://" in line:
                        self.amqps = line.split("amqps://", 1)[1].split()[0].rstrip(":")
                break
        # The MQTT broker's line follows: `… MQTT broker on mqtt://HOST:PORT: …`.
        self.mqtt = None
        for _ in range(20):
            line = self.proc.stdout.readline()
            if "MQTT" in line and "mqtt://" in line:
                self.mqtt = address(line, "mqtt://")
                break
        # Then, one line each: MQTTS (with TLS), WebSocket and WSS (with mqtt_ws).
        expected = int(self.tls) + (int(self.mqtt_ws_on) * (1 + int(self.tls)))
        for _ in range(expected):
            line = self.proc.stdout.readline()
            for scheme, attr in (("mqtts://", "mqtts"), ("ws://", "mqtt_ws"), ("wss://", "mqtt_wss")):
                if scheme in line:
                    setattr(self, attr, address(line, scheme))
        context = ssl.create_default_context(cafile=self.ca_path) if self.tls else None
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(
                    self.endpoint + "/_gridlog/health", context=context
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        """SIGTERM and wait: the server must drain and exit 0."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None
        return code

    def kill9(self):
        """SIGKILL: no drain, no sync beyond what was acknowledged."""
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None

    def restart(self):
        assert self.stop() == 0
        self.start()


def scheme_server(request, tmp_path, monkeypatch):
    """A server over request.param ("http" or "https"); over https the process trusts its
    development CA the normal way for Python clients (REQUESTS_CA_BUNDLE)."""
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path, tls=request.param == "https")
    if srv.tls:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", srv.ca_path)
    yield srv
    code = srv.stop()
    assert code == 0, f"gridlog serve exited with {code}"


@pytest.fixture
def server(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(tmp_path / "data", config_path)
    yield srv
    code = srv.stop()
    assert code == 0, f"gridlog serve exited with {code}"
