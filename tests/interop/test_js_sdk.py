"""The JS Azure SDK (@azure/eventgrid-namespaces 1.0.0) against gridlog serve.

Each scenario of js/interop.mjs runs against a fresh server (the `server` fixture); the restart
scenario stops the server with SIGTERM between receive and acknowledge. scripts/test installs the
pinned npm packages (`npm ci` in tests/interop/js) before pytest runs.
"""

import json
import pathlib
import shutil
import subprocess

import pytest

from conftest import KEY

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"


def node(scenario, endpoint, arg=None):
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    cmd = ["node", str(JS_DIR / "interop.mjs"), scenario, endpoint, KEY]
    if arg is not None:
        cmd.append(arg)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, f"{scenario}: {out.stderr}{out.stdout}"
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"js {scenario}: {result}")
    return result


@pytest.mark.parametrize(
    "scenario",
    ["single", "batch", "release", "reject", "renew", "wrongkey", "oversize", "invalid"],
)
def test_js_sdk(server, scenario):
    node(scenario, server.endpoint)


def test_js_sdk_lock_survives_restart(server):
    token = node("hold", server.endpoint)["token"]
    server.restart()
    node("settle", server.endpoint, token)
