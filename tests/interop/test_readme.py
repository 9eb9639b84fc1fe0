"""The README's quick start, walked literally (issue #17): a README edit is what gets tested.

Each test starts the quick start's first command (the `cargo run --release -p gridlog-cli --`
prefix replaced by the built binary, which the README says it runs) in a fresh temporary
directory, on a free port through `GRIDLOG_LISTEN` (documented in the README), pastes the
`export …` line that `serve` prints, and runs one example fenced in README.md under its
`<!-- readme-walk: NAME -->` marker exactly as printed: curl (bash), Python (this interpreter,
with azure-eventgrid), JS (saved as .mjs in tests/interop/js, so @azure/eventgrid-namespaces
resolves from its node_modules). Every step has a timeout; the server is stopped with SIGTERM and
must exit 0.
"""

import json
import os
import pathlib
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, binary_path

README = ROOT / "README.md"
JS_DIR = pathlib.Path(__file__).resolve().parent / "js"
# The README: "`cargo run --release -p gridlog-cli -- ARGS` builds and runs `gridlog ARGS`".
CARGO_RUN = "cargo run --release -p gridlog-cli --"
# A free port, through the override the README documents.
LISTEN = "127.0.0.1:0"
STEP_TIMEOUT = 120
LINE_TIMEOUT = 30
STOP_TIMEOUT = 30


def block(marker):
    """The fenced block right after `<!-- readme-walk: marker -->` in README.md."""
    text = README.read_text()
    pattern = r"<!-- readme-walk: " + re.escape(marker) + r" -->\n```[a-z]*\n(.*?)\n```"
    found = re.search(pattern, text, re.S)
    assert found, f"README.md has no fenced block marked readme-walk: {marker}"
    return found.group(1) + "\n"


def serve_command():
    """The quick start's first command, as printed, with the built binary for `cargo run`."""
    for line in block("quickstart").splitlines():
        command = line.split("#", 1)[0].strip()
        if command.startswith(CARGO_RUN):
            return [binary_path(), *shlex.split(command[len(CARGO_RUN) :])]
    pytest.fail(f"the README's quick start has no `{CARGO_RUN} …` command")
    return None


class QuickStart:
    """`serve` as the quick start runs it, and the line it tells the user to paste."""

    def __init__(self, workdir):
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLOG_")}
        env.update(GRIDLOG_LISTEN=LISTEN, GRIDLOG_LOG="warn")
        if "GRIDLOG_BIN" in os.environ:
            env["GRIDLOG_BIN"] = os.environ["GRIDLOG_BIN"]
        self.workdir = workdir
        self.env = env
        self.stderr = open(workdir / "serve.err", "w+")
        self.proc = subprocess.Popen(
            serve_command(),
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self._line()
        assert "listening on http://" in first, first
        line = self._line()
        while not line.startswith("export "):
            line = self._line()
        self.export = line

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _line(self):
        try:
            return self.lines.get(timeout=LINE_TIMEOUT)
        except queue.Empty:
            self.stderr.seek(0)
            pytest.fail(f"serve printed nothing more in {LINE_TIMEOUT}s: {self.stderr.read()}")
            return None

    def run(self, command):
        """`command` in a shell where the export line was pasted; its stdout."""
        script = self.export + "\n" + 'exec "$@"\n'
        out = subprocess.run(
            ["bash", "-c", script, "bash", *command],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        assert out.returncode == 0, f"{command}: exit {out.returncode}: {out.stderr}{out.stdout}"
        return out.stdout

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.stderr.close()
        return code


@pytest.fixture
def quickstart(tmp_path):
    walk = QuickStart(tmp_path)
    yield walk
    code = walk.stop()
    assert code == 0, f"serve exited with {code}"


def test_readme_export_line_has_the_key(quickstart):
    key = (quickstart.workdir / "gridlog-data" / "access-key").read_text().strip()
    assert quickstart.export.endswith(f" GRIDLOG_KEY={key}"), quickstart.export


def test_readme_curl(quickstart):
    script = quickstart.workdir / "session.sh"
    script.write_text(block("curl"))
    lines = quickstart.run(["bash", "-euo", "pipefail", str(script)]).splitlines()
    assert lines[0] == "{}", lines
    received = json.loads(lines[1])
    assert received["value"][0]["event"]["type"] == "Job.Finished", lines
    acked = json.loads(lines[-1])
    assert acked["failedLockTokens"] == [], lines
    assert acked["succeededLockTokens"] == [received["value"][0]["brokerProperties"]["lockToken"]]


def test_readme_python(quickstart):
    script = quickstart.workdir / "example.py"
    script.write_text(block("python"))
    assert quickstart.run([sys.executable, str(script)]) == "Job.Finished {'job': 42} 1\n"


def test_readme_js(quickstart):
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/interop/js/node_modules missing: run scripts/test (npm ci)")
    # Saved as the README says (.mjs), beside node_modules so the import resolves.
    script = JS_DIR / f"readme-example-{os.getpid()}.mjs"
    script.write_text(block("js"))
    try:
        out = quickstart.run(["node", str(script)])
    finally:
        script.unlink()
    assert out == 'Job.Finished {"job":42} 1\n'
