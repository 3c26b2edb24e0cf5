"""Find a container engine and call it: argv lists only, every call with a timeout.

Nothing is interpreted by a shell. A call that runs past its timeout is killed together with
its process group (an engine may start helpers), and its output so far is kept. Docker is
"reachable" when `docker info` succeeds (the client alone is not enough: it needs a daemon);
Podman when `podman info` succeeds.

Podman's global storage options can be set for every call: `--podman-storage-driver vfs`
passes `--storage-driver vfs`, and `--podman-root DIR` passes `--root DIR/storage --runroot
DIR/run` (a driver other than the one the default store was created with needs its own
root: Podman refuses to open a store with a different driver).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checklists import SetupError
from checklists_sandbox import sandbox

from . import outputs

ENGINES = ("docker", "podman")
LOG_LINES = 40
VERSION_OUTPUT_LIMIT = 4000


@dataclass(frozen=True, slots=True)
class CallResult:
    """One finished (or killed) engine call."""

    argv: tuple[str, ...]
    returncode: int | None  # None when the call timed out or could not start
    output: str  # stdout, with stderr interleaved unless it was kept apart
    seconds: float  # wall clock, monotonic
    error: str | None = None  # why there is no return code: a timeout or an OSError
    stderr: str = ""  # stderr when kept apart from a parsed stdout

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def log(self) -> str:
        return "\n".join(part.rstrip() for part in (self.output, self.stderr) if part.strip())

    def tail(self, lines: int = LOG_LINES) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def failure(self) -> str:
        """One line for a failed call: the error, or the exit status and the last message."""
        if self.error is not None:
            return self.error
        last = outputs.headline(self.stderr or self.output)
        name = Path(self.argv[0]).name
        status = f"{name} {self.argv_verb} exited with status {self.returncode}"
        return f"{status}: {last}" if last else status

    @property
    def argv_verb(self) -> str:
        words = [word for word in self.argv[1:] if not word.startswith("-")]
        return words[0] if words else ""


def call(argv: Sequence[str], timeout: float, *, stdout_only: bool = False) -> CallResult:
    """Run argv, wait at most `timeout` seconds, and return what happened.

    `stdout_only` keeps stderr apart (in `stderr`) for commands whose stdout is parsed.
    """
    argv = tuple(argv)
    start = time.monotonic()
    try:
        process = subprocess.Popen(  # noqa: S603 - argv list, no shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stdout_only else subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        return CallResult(argv, None, "", 0.0, f"cannot run {argv[0]}: {error.strerror}")
    timed_out = None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
        timed_out = f"timed out after {timeout:g} s"
    seconds = time.monotonic() - start
    code = None if timed_out else process.returncode
    return CallResult(argv, code, _text(out), seconds, timed_out, _text(err))


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


@dataclass(frozen=True, slots=True)
class Engine:
    """A reachable engine: its name, its binary, and the global options for every call."""

    name: str  # "docker" or "podman"
    binary: str
    global_args: tuple[str, ...] = ()

    def argv(self, *args: str) -> list[str]:
        return [self.binary, *self.global_args, *args]

    def recorded(self, argv: Sequence[str]) -> list[str]:
        """argv as written into the evidence: the binary's path replaced by its name."""
        return [self.name, *argv[1:]] if argv and argv[0] == self.binary else list(argv)


def podman_global_args(storage_driver: str | None, root: str | None) -> tuple[str, ...]:
    args: list[str] = []
    if storage_driver:
        args += ["--storage-driver", storage_driver]
    if root:
        base = Path(root)
        args += ["--root", str(base / "storage"), "--runroot", str(base / "run")]
    return tuple(args)


def detect(
    choice: str,
    timeout: float,
    *,
    podman_args: tuple[str, ...] = (),
    avoid: Sequence[Path] = (),
) -> Engine:
    """The engine to use: `docker`, `podman`, or `auto` (Docker first). SetupError when none
    answers, saying what was tried and how to fix it.

    The binary is looked for on absolute PATH entries outside `avoid` (the target): a
    `docker` script in the target, reached through a relative PATH entry such as `.`, is
    never run."""
    names = ENGINES if choice == "auto" else (choice,)
    tried: list[str] = []
    for name in names:
        binary = sandbox.find_program(name, avoid)
        if binary is None:
            tried.append(f"`{name} info`: {name} is not on PATH (outside the target)")
            continue
        engine = Engine(name, binary, podman_args if name == "podman" else ())
        result = call(engine.argv("info"), timeout)
        if result.ok:
            return engine
        tried.append(f"`{name} info`: {result.failure()}")
    raise SetupError(
        "no container engine is reachable, nothing was measured or written.\n  tried: "
        + "\n  tried: ".join(tried)
        + "\n  fix: install Docker and start its daemon (`docker info` must work), or install "
        "Podman (Debian/Ubuntu: `apt-get install -y podman`), then run again; "
        "`--engine docker|podman` picks one."
    )


@dataclass(frozen=True, slots=True)
class EngineVersion:
    version: str
    output: str  # the raw `version` output, trimmed


def version(engine: Engine, timeout: float) -> EngineVersion:
    """The engine's version (SetupError if it cannot say) and its raw `version` output."""
    formatted = call(engine.argv("version", "--format", "{{json .}}"), timeout, stdout_only=True)
    try:
        number = outputs.engine_version(formatted.output)
    except outputs.OutputError as error:
        raise SetupError(f"cannot read the {engine.name} version: {error}") from None
    raw = call(engine.argv("version"), timeout)
    return EngineVersion(number, raw.output.strip()[:VERSION_OUTPUT_LIMIT])
