"""HEALTHCHECK read as BuildKit and the Docker engine read it: its kind, command and timing.

BuildKit (`instructions.parseHealthcheck`) accepts `NONE` without arguments or flags, or
`CMD` followed by a command in exec or shell form, with the flags `--interval`, `--timeout`,
`--start-period`, `--start-interval` (Go durations, at least 1ms when not 0) and `--retries`
(a non-negative integer); anything else fails the build. A zero duration means the engine's
default. No judgement here: whether a probe is good is the check's call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklists import InputError, tr

from .dockerfile import Instruction

__all__ = ["DEFAULTS", "Healthcheck", "go_duration", "read_healthcheck"]

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_FLAGS = ("interval", "timeout", "start-period", "start-interval")
# The engine's values for a flag that is not given (or given as 0).
DEFAULTS = {"interval": "30s", "timeout": "30s", "start-period": "0s", "retries": "3"}


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """One HEALTHCHECK instruction, read."""

    instruction: Instruction
    disabled: bool  # HEALTHCHECK NONE
    command: tuple[str, ...]  # the words after CMD (exec form) or the shell text as one item
    exec_form: bool
    options: dict[str, str]  # the timing in effect, with the engine's defaults filled in
    written: frozenset[str]  # the flags written out (without "--")


def go_duration(text: str) -> float:
    """Seconds in a Go duration string such as '1m30s'; ValueError if it is not one."""
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if match is None:
            raise ValueError(text)
        total += float(match[1]) * _UNIT_SECONDS[match[2]]
        position = match.end()
    if position == 0:
        raise ValueError(text)
    return total


def _flag_problem(name: str, value: str) -> str | None:
    if name == "retries":
        valid = value.isdigit()
        return (
            None
            if valid
            else tr(
                "--retries must be a non-negative integer, not {value!r}",
                "--retries は 0 以上の整数でなければならない（{value!r} は不可）",
                value=value,
            )
        )
    if name not in _DURATION_FLAGS:
        return tr("unknown flag --{name}", "不明なフラグ --{name}", name=name)
    try:
        seconds = go_duration(value)
    except ValueError:
        return tr(
            "--{name}={value!r} is not a duration",
            "--{name}={value!r} は時間の長さではない",
            name=name,
            value=value,
        )
    if 0 < seconds < 0.001:
        return tr("--{name} cannot be less than 1ms", "--{name} は 1ms 未満にできない", name=name)
    return None


def read_healthcheck(instruction: Instruction) -> Healthcheck:
    """The HEALTHCHECK as BuildKit reads it; InputError (with its line) where BuildKit
    refuses the file."""
    kind = instruction.args[0].upper() if instruction.args else ""
    line = instruction.start_line
    if kind == "NONE":
        return Healthcheck(instruction, True, (), False, dict(DEFAULTS), frozenset())
    if kind != "CMD" or len(instruction.args) < 2 or not "".join(instruction.args[1:]).strip():
        raise InputError(
            tr(
                "HEALTHCHECK needs CMD followed by a command",
                "HEALTHCHECK には CMD とそれに続くコマンドが必要",
            ),
            line=line,
        )
    options: dict[str, str] = {}
    written: set[str] = set()
    for flag in instruction.flags:
        name, _, value = flag.removeprefix("--").partition("=")
        problem = _flag_problem(name, value)
        if problem:
            raise InputError(
                tr("HEALTHCHECK: {problem}", "HEALTHCHECK: {problem}", problem=problem), line=line
            )
        written.add(name)
        if name in DEFAULTS and name != "retries" and go_duration(value) == 0:
            continue  # a zero duration means "use the default", as in the engine
        options[name] = value
    return Healthcheck(
        instruction,
        False,
        tuple(instruction.args[1:]),
        instruction.json_form,
        {**DEFAULTS, **options},
        frozenset(written),
    )
