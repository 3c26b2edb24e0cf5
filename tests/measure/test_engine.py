"""The call wrapper and the loopback /health probe, on real processes and a real server.

These are not engines: the calls run the Python interpreter, so timeouts, output capture and
error reporting are tested without inventing any engine output.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from checklists_measure.engine import Engine, call, podman_global_args
from checklists_measure.steps import free_loopback_port, http_status


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_output_and_exit_status() -> None:
    result = call(
        python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"), 30
    )
    assert (result.ok, result.returncode, result.error) == (False, 3, None)
    assert "out" in result.output and "err" in result.output
    assert result.seconds > 0
    assert result.failure().endswith("exited with status 3: err")


def test_stdout_only_keeps_stderr_apart_for_the_error_message() -> None:
    result = call(
        python(
            "import sys; print('42'); print('Error: no such image', file=sys.stderr); sys.exit(125)"
        ),
        30,
        stdout_only=True,
    )
    assert result.output.strip() == "42"
    assert result.failure().endswith("exited with status 125: Error: no such image")
    assert result.tail() == "42\nError: no such image"


def test_a_call_past_its_timeout_is_killed_with_its_children() -> None:
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print('started', flush=True); time.sleep(60)"
    )
    start = time.monotonic()
    result = call(python(code), 1.5)
    assert time.monotonic() - start < 30  # the grandchild did not keep the pipe open
    assert result.returncode is None
    assert result.error == "timed out after 1.5 s"
    assert result.failure() == "timed out after 1.5 s"
    assert "started" in result.output


def test_a_missing_binary_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = call([str(tmp_path / "no-such-engine"), "info"], 5)
    assert result.returncode is None
    assert result.error is not None and result.error.startswith("cannot run")


def test_log_tail_keeps_the_last_40_lines() -> None:
    result = call(python("for i in range(100): print(i)"), 30)
    assert result.tail().splitlines() == [str(i) for i in range(60, 100)]


def test_engine_argv_and_recorded_command() -> None:
    engine = Engine("podman", "/usr/bin/podman", podman_global_args("vfs", "/var/tmp/p"))
    argv = engine.argv("build", "-t", "x")
    assert argv == [
        "/usr/bin/podman",
        "--storage-driver",
        "vfs",
        "--root",
        "/var/tmp/p/storage",
        "--runroot",
        "/var/tmp/p/run",
        "build",
        "-t",
        "x",
    ]
    assert engine.recorded(argv)[0] == "podman"
    assert podman_global_args(None, None) == ()


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_health_probe_on_loopback(server: int) -> None:
    assert http_status(server) == 200


def test_health_probe_without_a_server_says_why() -> None:
    port = free_loopback_port()
    assert http_status(port) == "ConnectionRefusedError"
