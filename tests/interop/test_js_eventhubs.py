"""The JS Event Hubs SDK (@azure/event-hubs 6.x, rhea) against gridlog's AMQP listener.

Each scenario of js/eventhubs.mjs runs against a fresh server (the hub_server fixture of
test_eventhubs_amqp.py). scripts/test installs the pinned npm packages (`npm ci` in
tests/interop/js) before pytest runs.
"""

import json
import pathlib
import shutil
import subprocess
import time

import pytest

from test_eventhubs_amqp import HUB, POLICY, POLICY_KEY, hub_server  # noqa: F401 (fixture)
from test_eventhubs_amqp import producer as py_producer

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


def node(server, scenario, *args):
    cmd = ["node", str(JS_DIR / "eventhubs.mjs"), scenario, server.amqp, POLICY, POLICY_KEY, HUB]
    out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, f"{scenario}: {out.stderr}{out.stdout}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_js_kill9_mid_send_keeps_every_acknowledged_event_once_and_a_consumer_resumes(
    hub_server,  # noqa: F811 (the fixture)
):
    """The Python kill -9 test with the JS SDK on both sides: SIGKILL while @azure/event-hubs
    sends; after a restart every batch it saw acknowledged is there exactly once, numbering has
    no gap, the events read before the kill keep their sequence numbers and offsets, and a JS
    consumer resumes after a checkpointed offset."""
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    cmd = ["node", str(JS_DIR / "eventhubs.mjs"), "produce", hub_server.amqp, POLICY, POLICY_KEY, HUB]
    producer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        line = producer.stdout.readline()
        if not line:
            break
        if line.startswith("ack "):
            acknowledged.append(line.split()[1])
    assert len(acknowledged) >= 20, producer.stderr.read()
    before = node(hub_server, "read", "-1", "20")
    hub_server.kill9()
    rest, errors = producer.communicate(timeout=60)
    assert producer.returncode == 0, errors
    acknowledged += [line.split()[1] for line in rest.splitlines() if line.startswith("ack ")]
    assert "stopped" in json.loads(rest.strip().splitlines()[-1])
    hub_server.start()

    with py_producer(hub_server) as client:
        last = client.get_partition_properties("0")["last_enqueued_sequence_number"]
    events = node(hub_server, "read", "-1", str(last + 1))
    assert [seq for seq, _, _ in events] == list(range(last + 1))
    bodies = [body for _, _, body in events]
    for body in acknowledged:
        assert bodies.count(body) == 1 and bodies.count(body + "-b") == 1, body
        assert bodies.index(body + "-b") == bodies.index(body) + 1
    kept = {seq: (offset, body) for seq, offset, body in events}
    for seq, offset, body in before:
        assert kept[seq] == (offset, body)

    # A consumer that checkpointed the 10th event's offset resumes right after it.
    resumed = node(hub_server, "read", before[9][1], str(last + 1 - 10))
    assert [seq for seq, _, _ in resumed] == list(range(10, last + 1))
