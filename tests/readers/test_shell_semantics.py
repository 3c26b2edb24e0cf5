"""The shell semantics `dockerfile.graceful_shutdown` relies on, checked against real shells.

Whether `<shell> -c <script>` leaves the shell as PID 1 or replaces it with the script's last
command decides whether the application receives `docker stop`'s SIGTERM. The reader
predicts it (`tail`, `replaces_itself`, and an explicit `exec`); here each script runs in
the real program and its last command reports its own process id: when that id is the
shell's, the shell replaced itself. No sleeps and no timing: the probe reads its own pid
from /proc and exits.

dash and bash are required (Debian's /bin/sh and bash; with CI set a missing one fails);
BusyBox (Alpine's /bin/sh) is checked when a `busybox` binary is installed (`.ci/run`
installs busybox-static, and with CI set a missing one fails), skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checks.readers.shell import replaces_itself, script_end, tail

PROBE = "cat /proc/self/stat"
# Scripts whose last command is the probe, in the shapes real CMD/ENTRYPOINT lines take.
SCRIPTS = (
    PROBE,
    f"  {PROBE}  ",
    f"{PROBE};",
    f"true; {PROBE}",
    f"true && {PROBE}",
    f"false || {PROBE}",
    f"cd /tmp && {PROBE}",
    f"export A=1; {PROBE}",
    f"FOO=1 {PROBE}",
    f"{PROBE} 2>&1",
    f"{PROBE} > /dev/stdout",
    f"true && {PROBE} 2>&1",
    f"{PROBE} | cat",
    f'trap "echo bye" EXIT; {PROBE}',
    f"if true; then {PROBE}; fi",
    f"{{ {PROBE}; }}",
    f"({PROBE})",
    f"for i in 1; do {PROBE}; done",
    f"true\n{PROBE}",
    f"echo a\n{PROBE}",
    f"echo a; {PROBE}\n",
    f"{PROBE}\n",
    f"true\n{PROBE}\n",
    f"echo a\ntrue; {PROBE}",
    f"! {PROBE}",
    f"exec {PROBE}",
    f"true && exec {PROBE}",
    f"exec {PROBE} 2>&1",
    f"exec 2>&1; {PROBE}",
    f"exec 2>&1; exec {PROBE}",
)


def _shell(name: str, *, required: bool) -> list[str]:
    if sys.platform != "linux":
        pytest.skip("the probe reads /proc/self/stat")
    if name == "busybox":
        binary = shutil.which("busybox")
        if binary is None:
            message = "busybox is not installed (Alpine's /bin/sh); apt-get install busybox-static"
            if os.environ.get("CI"):  # .ci/run installs it
                pytest.fail(message)
            pytest.skip(message)
        return [binary, "sh"]
    binary = shutil.which(name)
    if binary is None:
        message = f"{name} is not installed; apt-get install {name}"
        if required and os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [binary]


def _replaced(command: list[str]) -> bool:
    """Run the shell; whether the probe (its last command) ran as the shell's own process."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        out, err = process.communicate(timeout=30)
    stats = [line for line in out.splitlines() if " (cat) " in line]
    assert stats, (command, out, err)
    return int(stats[-1].split()[0]) == process.pid


def _predicted(shell: str, script: str) -> bool:
    end = tail(script)
    assert end is not None, script
    assert end.command.program == "cat", (script, end)
    explicit = end.command.exec and not (end.pipeline or end.background)
    return explicit or replaces_itself(shell, end)


@pytest.mark.parametrize("shell", ["dash", "bash", "busybox"])
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.replace("\n", "\\n"))
def test_the_reader_predicts_what_the_shell_does(shell: str, script: str) -> None:
    argv = _shell(shell, required=shell != "busybox")
    assert _predicted(shell, script) is _replaced([*argv, "-c", script]), (shell, script)


def test_a_script_file_never_replaces_its_shell(tmp_path: Path) -> None:
    """Entrypoint scripts run as files: no shell execs their last command by itself."""
    script = tmp_path / "entrypoint.sh"
    script.write_text(f"#!/bin/sh\ntrue\n{PROBE}\n", encoding="utf-8")
    end = script_end(script.read_text(encoding="utf-8"), [])
    assert end is not None and end.command.program == "cat" and not end.command.exec
    for name in ("dash", "bash", "busybox"):
        if name == "busybox" and shutil.which("busybox") is None:
            continue
        argv = _shell(name, required=name != "busybox")
        assert not _replaced([*argv, str(script)]), name
