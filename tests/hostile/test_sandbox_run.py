"""`checklists_sandbox.sandbox.run`: the limits, the privilege drop and the timeout hold for real.

Each test runs a small system program (dash, coreutils, Python) that tries to go past one
limit, and asserts that the limit, not the program, decided how it ended.
"""

from __future__ import annotations

import os
import re
import select
import sys
from pathlib import Path

import pytest

from checklists_sandbox import sandbox
from tests.hostile.support import World

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C"}


def shell() -> str:
    found = sandbox.find_program("dash", system=True) or sandbox.find_program("sh", system=True)
    assert found is not None
    return found


def test_a_timeout_kills_the_whole_process_group(world: World) -> None:
    # The shell starts a grandchild that would outlive it; both block on a FIFO that no one
    # ever opens for writing, so only the kill can end them (no sleeping, no timing).
    fifo = world.root / "never"
    os.mkfifo(fifo)
    script = f"cat {fifo} & echo $! > {world.marks}/grandchild; cat {fifo}"
    done = sandbox.run(
        [shell(), "-c", script], env=ENV, cwd=world.root, timeout=0.5, drop_privileges=False
    )
    assert done.returncode is None and done.error == "timed out after 0.5 s"
    grandchild = int((world.marks / "grandchild").read_text().strip())
    # The SIGKILL may still be pending right after the kill: wait for the death itself. A
    # pidfd becomes readable when its process has ended (a zombie, or reaped already);
    # the bound is generous and only reached if the grandchild survived, a failure.
    assert _ends_within(grandchild, seconds=30), _state(grandchild)


def _ends_within(pid: int, seconds: float) -> bool:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # gone and reaped
    try:
        waiting = select.poll()
        waiting.register(handle, select.POLLIN)
        return bool(waiting.poll(int(seconds * 1000)))
    finally:
        os.close(handle)


def _state(pid: int) -> str:
    status = Path(f"/proc/{pid}/status")
    return status.read_text() if status.exists() else "gone"


def test_memory_file_size_and_open_file_limits_hold(world: World) -> None:
    small = sandbox.Limits(memory=256 << 20, cpu=10, open_files=64, file_size=1 << 20)
    hog = [sys.executable, "-c", "b = bytearray(1 << 30)"]
    # (this interpreter may live where nobody can reach it: run as the caller)
    done = sandbox.run(
        hog, env=ENV, cwd=world.root, timeout=60, limits=small, drop_privileges=False
    )
    assert done.returncode != 0 and "MemoryError" in done.stderr

    big = [shell(), "-c", f"head -c 2000000 /dev/zero > {world.marks}/big"]
    done = sandbox.run(big, env=ENV, cwd=world.root, timeout=60, limits=small)
    assert done.returncode != 0
    assert (world.marks / "big").stat().st_size <= 1 << 20

    files = [shell(), "-c", "ulimit -n"]
    done = sandbox.run(files, env=ENV, cwd=world.root, timeout=60, limits=small)
    assert done.stdout.strip() == "64"


def test_a_root_caller_runs_the_program_as_nobody_with_no_groups(world: World) -> None:
    if not sandbox.is_root():
        pytest.skip("not root: the program already runs as the unprivileged caller")
    done = sandbox.run(["/usr/bin/id"], env=ENV, cwd=world.root, timeout=30)
    nobody = sandbox.nobody()
    assert done.returncode == 0, done.output
    assert f"uid={nobody.uid}(" in done.stdout and f"gid={nobody.gid}(" in done.stdout
    assert re.search(r"groups=(\d+)\(\w+\)$", done.stdout.strip())
    assert re.search(r"groups=(\d+)", done.stdout)[1] == str(nobody.gid)  # type: ignore[index]
    kept = sandbox.run(
        ["/usr/bin/id", "-u"], env=ENV, cwd=world.root, timeout=30, drop_privileges=False
    )
    assert kept.stdout.strip() == "0"


def test_a_program_that_cannot_start_is_reported_not_raised(world: World) -> None:
    done = sandbox.run([str(world.root / "absent")], env=ENV, cwd=world.root, timeout=30)
    assert done.returncode == 125
    assert "sandbox: cannot start" in done.stderr
