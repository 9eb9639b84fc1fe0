"""The JS Event Hubs SDK (@azure/event-hubs 6.x, rhea) against gridlog's AMQP listener.

Each scenario of js/eventhubs.mjs runs against a fresh server (the hub_server fixture of
test_eventhubs_amqp.py). scripts/test installs the pinned npm packages (`npm ci` in
tests/interop/js) before pytest runs.
"""

import json
import pathlib
import shutil
import subprocess

import pytest

from test_eventhubs_amqp import HUB, POLICY, POLICY_KEY, hub_server  # noqa: F401 (fixture)

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"


@pytest.mark.parametrize("scenario", ["roundtrip", "groups", "epoch", "wrongkey"])
def test_js_event_hubs(hub_server, scenario):  # noqa: F811 (the fixture)
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    cmd = ["node", str(JS_DIR / "eventhubs.mjs"), scenario, hub_server.amqp, POLICY, POLICY_KEY, HUB]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, f"{scenario}: {out.stderr}{out.stdout}"
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"js {scenario}: {result}")
