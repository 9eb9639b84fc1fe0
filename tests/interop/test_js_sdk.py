"""The JS Azure SDK (@azure/eventgrid-namespaces 1.0.0) against gridlog serve.

Each scenario of js/interop.mjs runs against a fresh server (the `server` fixture); the restart
scenario stops the server with SIGTERM between receive and acknowledge. scripts/test installs the
pinned npm packages (`npm ci` in tests/interop/js) before pytest runs.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import KEY, scheme_server

# Every scenario runs over plain HTTP and over HTTPS (`serve --tls-self-signed`; node trusts
# the development CA through NODE_EXTRA_CA_CERTS, and the client does not allow insecure
# connections).
server = pytest.fixture(params=["http", "https"], name="server")(scheme_server)

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"


def node(scenario, server, arg=None):
    endpoint = server.endpoint
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    cmd = ["node", str(JS_DIR / "interop.mjs"), scenario, endpoint, KEY]
    if arg is not None:
        cmd.append(arg)
    env = dict(os.environ)
    if server.ca_path:
        env["NODE_EXTRA_CA_CERTS"] = server.ca_path
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert out.returncode == 0, f"{scenario}: {out.stderr}{out.stdout}"
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"js {scenario}: {result}")
    return result


@pytest.mark.parametrize(
    "scenario",
    ["single", "batch", "release", "reject", "renew", "wrongkey", "oversize", "invalid"],
)
def test_js_sdk(server, scenario):
    node(scenario, server)


def test_js_sdk_lock_survives_restart(server):
    token = node("hold", server)["token"]
    server.restart()
    node("settle", server, token)
