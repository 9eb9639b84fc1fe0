"""Runs the MQTT sensors walkthrough (examples/mqtt-sensors/run.sh) as a newcomer would, with
this build of gridlog and this Python (which has paho-mqtt and azure-eventgrid), and checks its
output."""

import os
import pathlib
import subprocess
import sys

from conftest import ROOT, binary_path


def test_mqtt_sensors_example_runs():
    env = dict(os.environ)
    env["PATH"] = str(pathlib.Path(binary_path()).parent) + os.pathsep + env["PATH"]
    env["GRIDLOG_BIN"] = binary_path()
    env["PYTHON"] = sys.executable
    run = subprocess.run(
        [str(ROOT / "examples" / "mqtt-sensors" / "run.sh")],
        capture_output=True, text=True, timeout=120, env=env,
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "[sensors] 12 readings acknowledged" in out, out
    assert "[sensor-1] publish to sensor-2's topic: Not authorized" in out, out
    assert "[dashboard] 12 readings received live from 3 topics" in out, out
    everything = out.split("(subscription 'all')")[1].split("(subscription 'hot'")[0]
    lines = [l for l in everything.splitlines() if "MQTT.EventPublished" in l]
    assert len(lines) == 12, everything
    assert all("site=plant7" in l for l in lines), everything
    assert sum("sensor=sensor-3 room=store" in l for l in lines) == 4, "3.1.1 readings decoded"
    assert "[all] 12 reading(s) pulled and acknowledged" in out, out
    hot = out.split("(subscription 'hot'")[1]
    temps = [l.split("temp=")[1].split()[0] for l in hot.splitlines() if "temp=" in l]
    assert temps == ["32", "34"], hot
    assert "[hot] 2 reading(s) pulled and acknowledged" in out, out
