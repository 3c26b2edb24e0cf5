"""A tiny registry of fake checks for engine tests, independent of the Docker library."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checklists.core.limits import Kind
from checklists.core.model import Environment, Evidence, Outcome
from checklists.core.registry import Registry
from checklists.core.target import Target

DOC = """{title}

What it checks:
    A fake check for the engine's tests.

Why it matters:
    Tests need checks whose outcome they control.

How to fix:
    Nothing to fix.
"""


class _Calls:
    """How often each fake check ran. The checks run in a worker process (the engine
    forks one), so the count lives in a file each call appends a line to."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="checklists-calls-")
        os.close(handle)
        self.path = Path(name)

    def clear(self) -> None:
        self.path.write_bytes(b"")

    def add(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as stream:  # one short append per call
            stream.write(f"{name}\n")

    def __getitem__(self, name: str) -> int:
        return self.path.read_text("utf-8").splitlines().count(name)


CALLS = _Calls()
RELEASE = threading.Event()


def _count(name: str) -> None:
    CALLS.add(name)


def _words(data: bytes) -> list[str]:
    return data.decode().split()


def make_registry() -> Registry:
    registry = Registry()

    def passes(target: Target, *, note: str = "fine") -> Outcome:
        _count("passes")
        return Outcome.passed("it holds", Evidence(note, path="file.txt", line=1, excerpt=note))

    def fails(target: Target) -> Outcome:
        _count("fails")
        return Outcome.failed("it does not hold", Evidence("broken", path="file.txt", line=2))

    def unknown(target: Target) -> Outcome:
        return Outcome.unknown("no report", Evidence("run the scanner"))

    def raises(target: Target) -> Outcome:
        raise RuntimeError("boom")

    def hangs(target: Target) -> Outcome:
        RELEASE.wait(10)
        return Outcome.passed("too late")

    def reads(target: Target, *, path: str = "file.txt") -> Outcome:
        text = target.read_text(path)
        return Outcome.passed("read", Evidence(text.strip(), path=path, line=1, excerpt=text))

    def parses(target: Target, *, label: str = "a") -> Outcome:
        words = target.parse("file.txt", _words)
        return Outcome.passed(f"{label}: {len(words)} words", Evidence("parsed", path="file.txt"))

    def needs(target: Target, *, size: int) -> Outcome:
        return Outcome.passed(f"size {size}")

    def bad_input(target: Target) -> Outcome:
        raise InputError("unterminated heredoc", path="Dockerfile", line=7)

    functions: dict[str, Callable[..., Outcome]] = {
        "passes": passes,
        "fails": fails,
        "unknown": unknown,
        "raises": raises,
        "hangs": hangs,
        "reads": reads,
        "needs": needs,
        "bad_input": bad_input,
        "parses": parses,
    }
    for name, function in functions.items():
        function.__doc__ = DOC.format(title=name)
        registry.check(f"fake.{name}")(function)

    def size(target: Target, *, environment: Environment | None = None) -> Outcome:
        """The size the environment's options state, as if measured."""
        if environment is None or "size" not in environment.options:
            return Outcome.unknown("not measured", Evidence("checklists measure"))
        if environment.options.get("stale"):
            return Outcome.unknown("stale", Evidence("old Dockerfile"), stale=True)
        return Outcome.measured(float(environment.options["size"]), "measured", Evidence("x"))

    def share(target: Target, *, environment: Environment | None = None) -> Outcome:
        return Outcome.measured(42.0, "computed", Evidence("files"))

    for name, function, unit in (("size", size, Kind.SIZE), ("share", share, Kind.PERCENT)):
        function.__doc__ = DOC.format(title=name)
        registry.metric(f"fake.{name}", unit=unit)(function)
    return registry


@pytest.fixture
def registry() -> Iterator[Registry]:
    CALLS.clear()
    yield make_registry()
    CALLS.clear()


@pytest.fixture(scope="session", autouse=True)
def _calls_file() -> Iterator[None]:
    yield
    CALLS.path.unlink(missing_ok=True)
