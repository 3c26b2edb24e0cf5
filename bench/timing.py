"""Wall time and peak memory of child processes, and the small statistics the report needs.

A child runs with its output in a temporary file (never a pipe that could fill up) and is
reaped with `os.wait4`, whose resource usage is that one child's: `ru_maxrss` is its peak
resident set size in KiB on Linux, `ru_utime + ru_stime` its CPU time. Wall time is
`time.perf_counter` around spawn and reap.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

PYTHON = sys.executable
BIN = Path(sys.executable).parent
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sample:
    """One finished child process."""

    seconds: float
    cpu_seconds: float  # user + system time of the child (less sensitive to a busy machine)
    max_rss_kib: int
    returncode: int
    output: str


class ChildError(RuntimeError):
    """A child exited with a code the caller did not accept."""


def run_child(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Sample:
    """Run argv to completion; its wall time, peak RSS, exit code and combined output."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - argv is built by the benchmark, no shell
            list(argv), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, usage.ru_maxrss, child.returncode, output)


def checked(sample: Sample, accept: Sequence[int], what: str) -> Sample:
    if sample.returncode not in accept:
        tail = "\n".join(sample.output.splitlines()[-20:])
        raise ChildError(f"{what} exited with {sample.returncode}:\n{tail}")
    return sample


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment with overrides; CHECKLISTS_* variables of the caller removed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLISTS_")}
    env.pop("GITHUB_ACTIONS", None)  # no annotations or job summary from benchmark builds
    return {**env, **overrides}


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """`min–max` of the samples, for the reader to judge the noise."""
    return f"{min(values):.3f}–{max(values):.3f}"


def timed(function: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("inf")
