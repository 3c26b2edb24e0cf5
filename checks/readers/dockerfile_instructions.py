"""What BuildKit refuses after parsing: the checks of its `instructions` package.

`checks.readers.dockerfile` parses a file as BuildKit's `parser` package does, so every parse
error is already BuildKit's. BuildKit then turns each instruction into a typed command
(moby/buildkit `frontend/dockerfile/instructions/parse.go`, `ParseInstruction` and one
`parseXxx` per instruction, with `bflag.go` for flags) and `dockerfile2llb` (`convert.go`,
`toDispatchState`) checks the stages; a file refused there never builds. This module
repeats the refusals that need nothing but the file, in file order, and raises the first as
an `InputError` of kind "refused" at its line:

* an unknown instruction (`FOO bar`): "unknown instruction: FOO";
* `ONBUILD` without a trigger, `ONBUILD ONBUILD`, `ONBUILD FROM`, `ONBUILD MAINTAINER`;
* a flag on an instruction that takes none (`parseEnv`, `parseLabel`, `parseMaintainer`,
  `parseWorkdir`, `parseCmd`, `parseEntrypoint`, `parseExpose`, `parseUser`,
  `parseVolume` and `parseShell` call `flags.Parse()` with no flag defined), a FROM flag
  other than `--platform` given once with a value, a HEALTHCHECK CMD flag other than its
  five, or a `--retries` that is not a non-negative 32-bit integer;
* a missing argument: MAINTAINER, WORKDIR, USER and STOPSIGNAL take exactly one; ARG,
  EXPOSE, VOLUME, SHELL and HEALTHCHECK at least one; COPY and ADD a destination; an
  ARG name is blank (`ARG =x`); a VOLUME is empty; SHELL not in JSON form;
  `HEALTHCHECK NONE` with arguments, another type than CMD or NONE, or CMD without command;
* no stage at all (only ARGs, no FROM): "dockerfile contains no stages to build";
* a stage whose base image is blank as written (`FROM ""`: "base name (...) should not be
  blank", from `buildDispatchStates`); blank only through build arguments' defaults is
  not refused, as the build may pass the name (BuildKit warns: InvalidDefaultArgInFrom).

Not refusals: flags of RUN, COPY and ADD (their set grows with each Dockerfile frontend
release, so an unknown one is left to BuildKit), flags on ARG, STOPSIGNAL and
`HEALTHCHECK NONE` (BuildKit never parses them), and a duplicate stage name: since BuildKit
v0.14 `validateStageNames` only reports the `DuplicateStageName` lint (the later stage wins
the name), which fails the build only under `# check=error=true`, as here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checklists.errors import InputError

from .dockerfile import Dockerfile, Instruction
from .dockerfile_model import Stage, copy_parts

__all__ = ["REFUSED", "instruction_refusal", "refused", "stage_refusal", "validate"]

REFUSED = "BuildKit would refuse this file"

# Every instruction `ParseInstruction` knows (frontend/dockerfile/command/command.go).
_KNOWN = frozenset(
    {
        *("add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck"),
        *("label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume"),
        "workdir",
    }
)
# parseXxx functions that call req.flags.Parse() without defining a flag.
_NO_FLAGS = frozenset(
    {"env", "label", "maintainer", "workdir", "cmd", "entrypoint", "expose", "user", "volume"}
    | {"shell"}
)
_EXACTLY_ONE = frozenset({"maintainer", "workdir", "user", "stopsignal"})
_AT_LEAST_ONE = frozenset({"arg", "expose", "volume", "healthcheck", "shell"})
_HEALTHCHECK_FLAGS = {
    "interval": "string",
    "timeout": "string",
    "start-period": "string",
    "start-interval": "string",
    "retries": "string",
}
_GO_INT = re.compile(r"[+-]?[0-9]+")
_INT32 = 2**31


def validate(df: Dockerfile, stages: Sequence[Stage]) -> None:
    """Raise the first refusal BuildKit would give (see the module docstring)."""
    problem = instruction_refusal(df) or stage_refusal(df, stages)
    if problem is not None:
        raise problem


def refused(reason: str, line: int | None) -> InputError:
    """The InputError for a file BuildKit would refuse, at the line it names."""
    return InputError(f"{REFUSED}: {reason}", line=line, kind="refused")


def instruction_refusal(df: Dockerfile) -> InputError | None:
    """The first instruction `instructions.Parse` refuses, in file order."""
    for ins in df.instructions:
        reason = _instruction_refusal(ins)
        if reason is not None:
            return _refused(reason, ins)
    return None


def stage_refusal(df: Dockerfile, stages: Sequence[Stage]) -> InputError | None:
    """What `dockerfile2llb` refuses about the stages once every instruction parsed."""
    if not stages and df.instructions:  # only ARGs: `len(stages) == 0` in dockerfile2llb
        return refused(
            "dockerfile contains no stages to build (no FROM instruction)",
            df.instructions[-1].start_line,
        )
    for stage in stages:
        written = stage.from_instruction.args[0] if stage.from_instruction.args else ""
        # Blank only through build arguments' defaults (`ARG BASE=""`) is not a refusal: the
        # build may pass the real name (BuildKit warns, InvalidDefaultArgInFrom).
        if not stage.base and not stage.base_unresolved and "$" not in written:
            return _refused(f"base name ({written}) should not be blank", stage.from_instruction)
    return _duplicate_stage_name(df, stages)


def _refused(reason: str, ins: Instruction) -> InputError:
    return refused(reason, ins.start_line)


def _written_keyword(ins: Instruction) -> str:
    """The instruction's name as the file spells it."""
    stripped = ins.original.lstrip()
    return stripped.split(None, 1)[0] if stripped else ins.keyword


def _instruction_refusal(ins: Instruction) -> str | None:
    keyword = ins.keyword
    command = keyword.upper()
    if keyword not in _KNOWN:
        return f"unknown instruction: {_written_keyword(ins).upper()}"
    if keyword == "onbuild":
        return _onbuild_refusal(ins)
    if keyword in _EXACTLY_ONE and len(ins.args) != 1:
        return f"{command} requires exactly one argument"
    if keyword in _AT_LEAST_ONE and not ins.args:
        return f"{command} requires at least one argument"
    if keyword in _NO_FLAGS and ins.flags:
        return _flag_refusal(ins.flags, {})
    if keyword == "from":
        return _flag_refusal(ins.flags, {"platform": "string"})
    if keyword == "arg":
        for word in ins.args:
            if word.startswith("="):
                return "ARG names can not be blank"
    if keyword == "volume" and any(not value.strip() for value in ins.args):
        return "VOLUME specified can not be an empty string"
    if keyword == "shell" and not ins.json_form:
        return "SHELL requires the arguments to be in JSON form"
    if keyword in ("copy", "add"):
        try:
            copy_parts(ins)
        except InputError as error:
            return error.message
    if keyword == "healthcheck":
        return _healthcheck_refusal(ins)
    return None


def _onbuild_refusal(ins: Instruction) -> str | None:
    trigger = ins.inner
    if trigger is None:
        return "ONBUILD requires at least one argument"
    if trigger.keyword == "onbuild":
        return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
    if trigger.keyword in ("from", "maintainer"):
        return f"{trigger.keyword.upper()} isn't allowed as an ONBUILD trigger"
    return None


def _flag_refusal(flags: Sequence[str], known: dict[str, str]) -> str | None:
    """BFlags.Parse (bflag.go): unknown flags, a flag given twice, a string flag without a
    value; the messages are bflag.go's."""
    used: set[str] = set()
    for flag in flags:
        if flag == "--":
            return None
        name, sep, _ = flag.removeprefix("--").partition("=")
        if name not in known:
            return f"Unknown flag: {name}"
        if name in used:
            return f"Duplicate flag specified: {name}"
        used.add(name)
        if known[name] == "string" and not sep:
            return f"Missing a value on flag: {name}"
    return None


def _healthcheck_refusal(ins: Instruction) -> str | None:
    kind = ins.args[0].upper()
    rest = ins.args[1:]
    if kind == "NONE":
        return "HEALTHCHECK NONE takes no arguments" if rest else None
    problem = _flag_refusal(ins.flags, _HEALTHCHECK_FLAGS)
    if problem is not None:
        return problem
    if kind != "CMD":
        return f'Unknown type "{kind}" in HEALTHCHECK (try CMD)'
    if not rest or (not ins.json_form and not "".join(rest).strip()):
        return "Missing command after HEALTHCHECK CMD"
    for flag in ins.flags:
        name, _, value = flag.removeprefix("--").partition("=")
        if name != "retries":
            continue
        if not _GO_INT.fullmatch(value) or not -_INT32 <= int(value) < _INT32:
            return f'strconv.ParseInt: parsing "{value}": invalid syntax'
        if int(value) < 0:
            return f"--retries cannot be negative ({int(value)})"
    return None


def _lint_errors_on(df: Dockerfile) -> set[str] | None:
    """The lint rules that fail the build: those not skipped when `# check=error=true`
    (linter.ParseLintOptions: `skip=A,B;error=true`, `skip=all`), else None."""
    value = df.directives.get("check")
    if not value:
        return None
    skip: set[str] = set()
    error = False
    for part in value.split(";"):
        key, _, setting = part.strip().partition("=")
        if key.strip() == "skip":
            skip = {name.strip() for name in setting.split(",")}
        elif key.strip() == "error":
            error = setting.strip().lower() == "true"
    if not error or "all" in skip:
        return None
    return {"DuplicateStageName"} - skip


def _duplicate_stage_name(df: Dockerfile, stages: Sequence[Stage]) -> InputError | None:
    rules = _lint_errors_on(df)
    if not rules or "DuplicateStageName" not in rules:
        return None
    seen: set[str] = set()
    for stage in stages:
        if stage.name is None:
            continue
        if stage.name in seen:
            return _refused(
                f'Duplicate stage name "{stage.name}", stage names should be unique '
                "(a lint error under # check=error=true)",
                stage.from_instruction,
            )
        seen.add(stage.name)
    return None
