"""Healthcheck: the final image tells the engine how to probe that it is healthy.

What it checks:
    The final stage has a HEALTHCHECK with a command, either its own or one it inherits
    from an earlier stage of the same file that it is built FROM; the last one wins, as in
    BuildKit. `HEALTHCHECK NONE` switches the check off and fails. The flags are read as
    BuildKit reads them (Go durations, `--retries` not negative, unknown flags rejected),
    and the evidence shows the interval, timeout, start period and retries in effect,
    with Docker's defaults (30s, 30s, 0s, 3) where a flag is not given. A healthcheck
    that only the base image defines is not visible in the Dockerfile and does not count.

Why it matters:
    Without a healthcheck the engine only knows whether the process runs, not whether the
    service answers; orchestrators cannot restart a hung container or hold traffic back
    until it is ready.

How to fix:
    Add to the final stage, for example
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD
    curl -f http://localhost:8000/health || exit 1`.
"""

from __future__ import annotations

import re

from checklists import Outcome, Target, check
from checklists.errors import InputError
from checks.common import ParsedDockerfile, load_dockerfile
from checks.readers.dockerfile import Instruction

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_FLAGS = ("interval", "timeout", "start-period", "start-interval")
MISSING = {"ja": "未実装", "en": "missing"}
DEFAULTS = {"interval": "30s", "timeout": "30s", "start-period": "0s", "retries": "3"}


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


def health_options(instruction: Instruction, path: str) -> dict[str, str]:
    """The HEALTHCHECK flags in effect; InputError where BuildKit would refuse the file."""
    options: dict[str, str] = {}
    for flag in instruction.flags:
        name, _, value = flag.removeprefix("--").partition("=")
        problem = _flag_problem(name, value)
        if problem:
            raise InputError(f"HEALTHCHECK: {problem}", path=path, line=instruction.start_line)
        if name in DEFAULTS and name != "retries" and go_duration(value) == 0:
            continue  # a zero duration means "use the default", as in the engine
        options[name] = value
    return {**DEFAULTS, **options}


def _flag_problem(name: str, value: str) -> str | None:
    if name == "retries":
        valid = value.isdigit()
        return None if valid else f"--retries must be a non-negative integer, not {value!r}"
    if name not in _DURATION_FLAGS:
        return f"unknown flag --{name}"
    try:
        seconds = go_duration(value)
    except ValueError:
        return f"--{name}={value!r} is not a duration"
    return f"--{name} cannot be less than 1ms" if 0 < seconds < 0.001 else None


def effective_healthcheck(parsed: ParsedDockerfile) -> Instruction | None:
    """The HEALTHCHECK in effect for the final stage: its own or inherited, the last wins."""
    found: Instruction | None = None
    for _, instruction, _ in parsed.walk_chain(parsed.final):
        if instruction.keyword == "healthcheck":
            found = instruction
    return found


@check(
    "dockerfile.healthcheck",
    severity="medium",
    related=("trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def healthcheck(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
    parsed = load_dockerfile(target, dockerfile)
    found = effective_healthcheck(parsed)
    if found is None:
        return Outcome.failed(
            "the final stage has no HEALTHCHECK",
            parsed.at(dockerfile, parsed.final.from_instruction, "the final stage starts here"),
            localized=MISSING,
        )
    kind = found.args[0].upper() if found.args else ""
    if kind == "NONE":
        return Outcome.failed(
            "HEALTHCHECK NONE disables the healthcheck",
            parsed.at(dockerfile, found, "the healthcheck in effect for the final stage"),
            localized=MISSING,
        )
    if kind != "CMD" or len(found.args) < 2 or not "".join(found.args[1:]).strip():
        raise InputError(
            "HEALTHCHECK needs CMD followed by a command", path=dockerfile, line=found.start_line
        )
    options = health_options(found, dockerfile)
    shown = ("interval", "timeout", "start-period", "retries")
    summary = " ".join(f"{name}={options[name]}" for name in shown)
    return Outcome.passed(
        f"the final stage has a HEALTHCHECK ({summary})",
        parsed.at(dockerfile, found, f"healthcheck in effect: {summary}"),
        value=summary,
        localized={"ja": "実装済み", "en": "implemented"},
    )
