"""A build that the parent-death test kills: it runs one check in the engine's worker
process, and the check tells its process id through a pipe, then never returns.

    python -m tests.engine.orphaned_build ROOT FD {c-code|sleeps} [--no-death-signal] [N]

`c-code` holds the interpreter lock in the regex engine (only the kernel's parent-death
signal can end that worker); `sleeps` waits on an event, for the worker's own look at its
parent when the signal is off (`--no-death-signal`: as on a system without it). With a number N, N
such checks run in N worker processes at once (`CHECKLISTS_PROCESSES`), each telling its
pid.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from pathlib import Path

from checklists.core import runner
from checklists.core.model import Outcome
from checklists.core.registry import Registry
from checklists.core.runner import Task, run_all
from checklists.core.target import Target
from tests.engine.conftest import DOC


def main(argv: list[str]) -> int:
    root, fd, mode = Path(argv[0]), int(argv[1]), argv[2]
    if "--no-death-signal" in argv:
        runner._parent_death_signal = lambda: None  # the fallback alone

    count = int(argv[-1]) if argv[-1].isdigit() else 1
    os.environ[runner.PROCESSES_VARIABLE] = str(count)

    def blocks(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
        os.write(fd, f"{os.getpid()}\n".encode())
        if mode == "c-code":
            re.match(r"(a+)+$", "a" * 64 + "!")  # 2^64 steps holding the interpreter lock
        else:
            threading.Event().wait()
        return Outcome.passed("never")

    blocks.__doc__ = DOC.format(title="blocks")
    registry = Registry()
    registry.check("fake.blocks")(blocks)
    spec = registry.get("fake.blocks")
    assert spec is not None
    tasks = [Task(spec, {"dockerfile": f"{n}/Dockerfile"}) for n in range(count)]
    run_all(tasks, Target(root), logging.getLogger("orphan"), timeout=600, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
