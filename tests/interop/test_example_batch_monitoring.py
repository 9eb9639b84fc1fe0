"""Runs the batch-monitoring walkthrough (examples/batch-monitoring/run.sh) as a newcomer would,
with this build of gridlog and this Python (which has azure-eventgrid), and checks its output."""

import os
import pathlib
import subprocess
import sys

from conftest import ROOT, binary_path


def test_batch_monitoring_example_runs():
    env = dict(os.environ)
    env["PATH"] = str(pathlib.Path(binary_path()).parent) + os.pathsep + env["PATH"]
    env["GRIDLOG_BIN"] = binary_path()
    env["PYTHON"] = sys.executable
    run = subprocess.run(
        [str(ROOT / "examples" / "batch-monitoring" / "run.sh")],
        capture_output=True, text=True, timeout=180, env=env,
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    order = [
        "[extract] Job.Finished -> HTTP 201",
        "[transform] predecessor finished: extract",
        "[transform] Job.Finished -> sent (Event Grid SDK)",
        "[load] predecessor finished: transform",
        "[load] Job.Failed -> HTTP 201",
    ]
    positions = [out.index(line) for line in order]
    assert positions == sorted(positions), out
    failures = out.split("== failed runs")[1].split("== full history")[0]
    assert failures.count("load: Job.Failed") == 1, failures
    history = out.split("== full history")[1].split("== gridlog inspect")[0]
    assert len([l for l in history.splitlines() if " via " in l]) == 6, history
    dashboard = out.split("== dashboard")[1].split("== gridlog inspect")[0]
    assert "4 status event(s) received over AMQP" in dashboard, dashboard
    for job, status in [("extract", "Job.Started"), ("extract", "Job.Finished"),
                        ("load", "Job.Started"), ("load", "Job.Failed")]:
        assert any(job in l and status in l for l in dashboard.splitlines()), dashboard
    assert "topic jobs: 6 event(s) published" in out
    assert "subscription failures: backlog 0" in out and "acknowledged 1" in out
