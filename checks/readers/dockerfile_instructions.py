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

from checklists import InputError, tr

from .dockerfile import Dockerfile, Instruction
from .dockerfile_model import Stage, copy_parts

__all__ = ["REFUSED", "instruction_refusal", "refused", "stage_refusal", "validate"]

REFUSED = tr("BuildKit would refuse this file", "BuildKit はこのファイルを受け付けない")

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
    return InputError(
        tr("{refused}: {reason}", "{refused}: {reason}", refused=REFUSED, reason=reason),
        line=line,
        kind="refused",
    )


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
            tr(
                "dockerfile contains no stages to build (no FROM instruction)",
                "Dockerfile にビルドするステージがない（FROM 命令がない）",
            ),
            df.instructions[-1].start_line,
        )
    for stage in stages:
        written = stage.from_instruction.args[0] if stage.from_instruction.args else ""
        # Blank only through build arguments' defaults (`ARG BASE=""`) is not a refusal: the
        # build may pass the real name (BuildKit warns, InvalidDefaultArgInFrom).
        if not stage.base and not stage.base_unresolved and "$" not in written:
            return _refused(
                tr(
                    "base name ({written}) should not be blank",
                    "ベースイメージ名 ({written}) が空",
                    written=written,
                ),
                stage.from_instruction,
            )
    return _duplicate_stage_name(df, stages)


def _refused(reason: str, ins: Instruction) -> InputError:
    return refused(reason, ins.start_line)


def _written_keyword(ins: Instruction) -> str:
    """The instruction's name as the file spells it."""
    stripped = ins.original.lstrip()
    return stripped.split(None, 1)[0] if stripped else ins.keyword


# radon D: one branch per BuildKit refusal rule, in the order BuildKit applies them.
def _instruction_refusal(ins: Instruction) -> str | None:
    keyword = ins.keyword
    command = keyword.upper()
    if keyword not in _KNOWN:
        return tr(
            "unknown instruction: {name}", "不明な命令: {name}", name=_written_keyword(ins).upper()
        )
    if keyword == "onbuild":
        return _onbuild_refusal(ins)
    if keyword in _EXACTLY_ONE and len(ins.args) != 1:
        return tr(
            "{command} requires exactly one argument",
            "{command} には引数がちょうど 1 つ必要",
            command=command,
        )
    if keyword in _AT_LEAST_ONE and not ins.args:
        return tr(
            "{command} requires at least one argument",
            "{command} には引数が 1 つ以上必要",
            command=command,
        )
    if keyword in _NO_FLAGS and ins.flags:
        return _flag_refusal(ins.flags, {})
    if keyword == "from":
        return _flag_refusal(ins.flags, {"platform": "string"})
    if keyword == "arg":
        for word in ins.args:
            if word.startswith("="):
                return tr("ARG names can not be blank", "ARG の名前は空にできない")
    if keyword == "volume" and any(not value.strip() for value in ins.args):
        return tr("VOLUME specified can not be an empty string", "VOLUME に空文字列は指定できない")
    if keyword == "shell" and not ins.json_form:
        return tr(
            "SHELL requires the arguments to be in JSON form",
            "SHELL の引数は JSON 形式で書く必要がある",
        )
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
        return tr("ONBUILD requires at least one argument", "ONBUILD には引数が 1 つ以上必要")
    if trigger.keyword == "onbuild":
        return tr(
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
            "`ONBUILD ONBUILD` のように ONBUILD を連ねることはできない",
        )
    if trigger.keyword in ("from", "maintainer"):
        return tr(
            "{keyword} isn't allowed as an ONBUILD trigger",
            "{keyword} は ONBUILD のトリガーにできない",
            keyword=trigger.keyword.upper(),
        )
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
            return tr("Unknown flag: {name}", "不明なフラグ: {name}", name=name)
        if name in used:
            return tr("Duplicate flag specified: {name}", "フラグが重複している: {name}", name=name)
        used.add(name)
        if known[name] == "string" and not sep:
            return tr("Missing a value on flag: {name}", "フラグに値がない: {name}", name=name)
    return None


def _healthcheck_refusal(ins: Instruction) -> str | None:
    kind = ins.args[0].upper()
    rest = ins.args[1:]
    if kind == "NONE":
        return (
            tr("HEALTHCHECK NONE takes no arguments", "HEALTHCHECK NONE は引数を取らない")
            if rest
            else None
        )
    problem = _flag_refusal(ins.flags, _HEALTHCHECK_FLAGS)
    if problem is not None:
        return problem
    if kind != "CMD":
        return tr(
            'Unknown type "{kind}" in HEALTHCHECK (try CMD)',
            'HEALTHCHECK の種類 "{kind}" は不明（CMD を使う）',
            kind=kind,
        )
    if not rest or (not ins.json_form and not "".join(rest).strip()):
        return tr("Missing command after HEALTHCHECK CMD", "HEALTHCHECK CMD の後にコマンドがない")
    for flag in ins.flags:
        name, _, value = flag.removeprefix("--").partition("=")
        if name != "retries":
            continue
        if not _GO_INT.fullmatch(value) or not -_INT32 <= int(value) < _INT32:
            return tr(
                'strconv.ParseInt: parsing "{value}": invalid syntax',
                '--retries の値 "{value}" を整数として読めない（strconv.ParseInt: invalid syntax）',
                value=value,
            )
        if int(value) < 0:
            return tr(
                "--retries cannot be negative ({value})",
                "--retries は負の数にできない ({value})",
                value=int(value),
            )
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
                tr(
                    'Duplicate stage name "{name}", stage names should be unique '
                    "(a lint error under # check=error=true)",
                    'ステージ名 "{name}" が重複している。ステージ名は一意であるべき'
                    "（# check=error=true の下では lint エラー）",
                    name=stage.name,
                ),
                stage.from_instruction,
            )
        seen.add(stage.name)
    return None
