"""What a parsed Dockerfile means: stages, variables, and the parts of COPY, ADD and RUN.

Everything here follows BuildKit (`frontend/dockerfile/instructions` and `dockerfile2llb`) and
judges nothing: a check decides what is good or bad, this module only says what BuildKit would
see. Variables that get their value only at build time (an ARG without default, the automatic
platform ARGs) have the value None here, and `expand` reports every such name it meets, so a
check can tell "empty" from "not known until build".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from checklists import InputError, tr
from checklists.core.target import MAX_EXPANSION_CHARS

from .dockerfile import (
    Dockerfile,
    Heredoc,
    Instruction,
    chomp_heredoc_content,
    go_quote,
    parse_heredoc_word,
)
from .dockerfile_shell import ShellLexer, is_plain

__all__ = [
    "PLATFORM_ARGS",
    "CopyParts",
    "Expansion",
    "HeredocFile",
    "RunParts",
    "ShellFile",
    "Stage",
    "copy_parts",
    "env_at_end",
    "expand",
    "flag_value",
    "flag_values",
    "global_args",
    "run_parts",
    "shell_script",
    "stages",
    "walk",
]

# The ARGs BuildKit fills in by itself. Their values depend on the build, so they are None.
PLATFORM_ARGS = (
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
)
_STAGE_NAME = re.compile(r"[a-z][a-z0-9-_.]*")


_NONE: frozenset[str] = frozenset()


class Expansion(NamedTuple):
    """The result of `expand`: the text, and the names that had no known value."""

    text: str
    unresolved: frozenset[str]


def expand(
    word: str,
    variables: Mapping[str, str | None],
    *,
    escape: str = "\\",
    keep_unresolved: bool = False,
) -> Expansion:
    """Expand one word as BuildKit does for instruction arguments (shell.Lex.ProcessWord).

    Handles $VAR, ${VAR}, ${VAR:-w}, ${VAR-w}, ${VAR:+w}, ${VAR+w}, ${VAR:?m}, ${VAR?m},
    ${VAR#glob}, ${VAR%glob} (and ## %%), ${VAR/glob/repl}, ${VAR//glob/repl}, quotes (removed)
    and the escape character. A name mapped to None expands like an unset variable ("" for
    $VAR) and is reported in `unresolved`; it never triggers ${VAR?}'s error, because a build
    argument may still give it a value. A name missing from `variables` is unset: it expands
    to "" and is not reported. With `keep_unresolved`, references to None names stay as
    written instead ("python:${V}-slim"). Syntax errors raise InputError without a line.
    """
    if is_plain(word, escape):  # most words: nothing to expand, no lexer to make
        return Expansion(word, _NONE)
    lexer = ShellLexer(escape, keep_unknown=keep_unresolved)
    text, _ = lexer.process(word, variables)
    return Expansion(text, frozenset(lexer.unknown))


# --- Stages ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    """One build stage: a FROM and the instructions up to the next FROM."""

    index: int  # 0-based
    name: str | None  # the AS name, lower-cased (BuildKit matches names case-insensitively)
    base: str  # the FROM image with global ARGs expanded; unresolved references as written
    base_unresolved: tuple[str, ...]  # variables in the FROM image that had no value
    base_stage: int | None  # index of the earlier stage FROM names, None for an image/scratch
    platform: str | None  # the --platform flag as written, if any
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]


def global_args(df: Dockerfile) -> dict[str, str | None]:
    """The ARGs before the first FROM, with their defaults expanded; None = no known value.

    A default that uses a variable with no known value has no known value either.
    """
    values: dict[str, str | None] = {}
    size = 0
    for ins in df.instructions:
        if ins.keyword == "from":
            break
        if ins.keyword == "arg":
            for word in ins.args:
                # Each default sees the platform ARGs and the global ARGs declared before it.
                scope = {**_platform_unknown(), **values}
                name, value = _arg_value(word, scope, df.escape, ins)
                values[name] = value
                size = _bounded(size, value, ins)
    return values


def _bounded(size: int, value: str | None, ins: Instruction) -> int:
    """The running size of a scope's values, bounded: many ARGs that each stay under the
    expansion limit could still hold gigabytes together. Real Dockerfiles hold kilobytes."""
    size += len(value or "")
    if size > MAX_EXPANSION_CHARS:
        raise InputError(
            tr(
                "the ARG and ENV values add up to more than {MAX_EXPANSION_CHARS:,} characters",
                "ARG と ENV の値の合計が {MAX_EXPANSION_CHARS:,} 文字を超える",
                MAX_EXPANSION_CHARS=MAX_EXPANSION_CHARS,
            ),
            line=ins.start_line,
            kind="limit",
        )
    return size


def stages(df: Dockerfile) -> list[Stage]:
    """The build stages in order. Raises InputError, as BuildKit does, when an instruction
    other than ARG comes before the first FROM, or when a FROM line is malformed."""
    scope = {**_platform_unknown(), **global_args(df)}
    found: list[Stage] = []
    current: Instruction | None = None
    body: list[Instruction] = []
    for ins in df.instructions:
        if ins.keyword == "from":
            if current is not None:
                found.append(_stage(df, found, current, body, scope))
            current, body = ins, []
        elif current is not None:
            body.append(ins)
        elif ins.keyword != "arg":
            raise InputError(
                tr(
                    "{keyword} comes before the first FROM; only ARG may come before it",
                    "{keyword} が最初の FROM より前にある。FROM より前に置けるのは ARG だけ",
                    keyword=ins.keyword.upper(),
                ),
                line=ins.start_line,
            )
    if current is not None:
        found.append(_stage(df, found, current, body, scope))
    return found


def _stage(
    df: Dockerfile,
    earlier: list[Stage],
    from_ins: Instruction,
    body: list[Instruction],
    scope: Mapping[str, str | None],
) -> Stage:
    args = from_ins.args
    name: str | None = None
    if len(args) == 3 and args[1].lower() == "as":
        name = args[2].lower()
        if not _STAGE_NAME.fullmatch(name):
            raise InputError(
                tr(
                    "invalid name for build stage: {name}, name can't start with a number or "
                    "contain symbols",
                    "ビルドステージの名前 {name} が不正: 数字で始めることも記号を含むこともできな"
                    "い",
                    name=go_quote(args[2]),
                ),
                line=from_ins.start_line,
            )
    elif len(args) != 1:
        raise InputError(
            tr(
                "FROM requires either one or three arguments",
                "FROM の引数は 1 つか 3 つでなければならない",
            ),
            line=from_ins.start_line,
        )
    try:
        base = expand(args[0], scope, escape=df.escape, keep_unresolved=True)
    except InputError as error:
        raise InputError(error.message, line=from_ins.start_line, kind=error.kind) from None
    base_stage = None
    for stage in reversed(earlier):
        if stage.name is not None and stage.name == base.text.lower():
            base_stage = stage.index
            break
    return Stage(
        index=len(earlier),
        name=name,
        base=base.text,
        base_unresolved=tuple(sorted(base.unresolved)),
        base_stage=base_stage,
        platform=flag_value(from_ins, "platform"),
        from_instruction=from_ins,
        instructions=tuple(body),
    )


# --- Variables in a stage -------------------------------------------------------------------


@dataclass(slots=True)
class _Scope:
    """The variables of a stage while its instructions run."""

    escape: str
    globals_: Mapping[str, str | None]
    args: dict[str, str | None] = field(default_factory=dict)
    env: dict[str, str | None] = field(default_factory=dict)
    size: int = 0  # characters of the values set so far (see `_bounded`)

    def visible(self) -> dict[str, str | None]:
        # ENV always wins over an ARG of the same name, whatever their order.
        return {**self.args, **self.env}

    def apply(self, ins: Instruction) -> None:
        try:
            if ins.keyword == "arg":
                self._declare(ins)
            elif ins.keyword == "env":
                self._set_env(ins)
        except InputError as error:
            raise InputError(error.message, line=ins.start_line, kind=error.kind) from None

    def _declare(self, ins: Instruction) -> None:
        for word in ins.args:
            name, value = _arg_value(word, self.visible(), self.escape, ins)
            self.size = _bounded(self.size, value, ins)
            if "=" in word:
                self.args[name] = value
            elif self.globals_.get(name) is not None:
                self.args[name] = self.globals_[name]  # `ARG NAME` takes the global default
            elif name not in self.args:
                self.args[name] = None  # no default: known only at build time

    def _set_env(self, ins: Instruction) -> None:
        # Every value of one ENV sees the variables from before it: `ENV a=1 b=$a` does not
        # give b the new a.
        before = self.visible()
        updates: dict[str, str | None] = {}
        for i in range(0, len(ins.args) - 2, 3):
            key = expand(ins.args[i], before, escape=self.escape).text
            updates[key] = _known(expand(ins.args[i + 1], before, escape=self.escape))
            self.size = _bounded(self.size, updates[key], ins)
        self.env.update(updates)


def _arg_value(
    word: str, scope: Mapping[str, str | None], escape: str, ins: Instruction
) -> tuple[str, str | None]:
    """(name, default) of one ARG word; the default is None when absent or not known."""
    name, sep, default = word.partition("=")
    if not sep:
        return name, None
    try:
        return name, _known(expand(default, scope, escape=escape))
    except InputError as error:
        raise InputError(error.message, line=ins.start_line, kind=error.kind) from None


def _known(expansion: Expansion) -> str | None:
    return None if expansion.unresolved else expansion.text


def _platform_unknown() -> dict[str, str | None]:
    return dict.fromkeys(PLATFORM_ARGS)


def _scope_at_start(df: Dockerfile, stage: Stage, all_stages: list[Stage]) -> _Scope:
    scope = _Scope(df.escape, global_args(df))
    if stage.base_stage is not None:
        # A stage built on an earlier one inherits its ENV (it is in the image), not its ARGs.
        scope.env.update(_env_at_end(df, all_stages[stage.base_stage], all_stages))
    return scope


def walk(
    df: Dockerfile, stage: Stage, all_stages: Sequence[Stage] | None = None
) -> Iterator[tuple[Instruction, Mapping[str, str | None]]]:
    """Each instruction of the stage (after its FROM) with the variables visible to it.

    Global ARGs are visible only once re-declared with `ARG NAME`; `ARG NAME=default` and ENV
    expand their values; ENV wins over ARG; a stage FROM an earlier stage starts with that
    stage's ENV; the platform ARGs appear (as None) only once declared. InputError (with the
    instruction's line) when an ARG or ENV value cannot be expanded. `all_stages` spares
    recomputing `stages(df)` when the caller already has them.
    """
    scope = _scope_at_start(df, stage, list(all_stages) if all_stages is not None else stages(df))
    for ins in stage.instructions:
        yield ins, MappingProxyType(scope.visible())
        scope.apply(ins)


def env_at_end(
    df: Dockerfile, stage: Stage, all_stages: Sequence[Stage] | None = None
) -> dict[str, str | None]:
    """The ENV variables after the stage's last instruction: what a stage FROM it inherits.
    `all_stages` spares recomputing `stages(df)` when the caller already has them."""
    return _env_at_end(df, stage, list(all_stages) if all_stages is not None else stages(df))


def _env_at_end(df: Dockerfile, stage: Stage, all_stages: list[Stage]) -> dict[str, str | None]:
    scope = _scope_at_start(df, stage, all_stages)
    for ins in stage.instructions:
        scope.apply(ins)
    return dict(scope.env)


# --- Flags ----------------------------------------------------------------------------------


def _flag_pairs(ins: Instruction) -> list[tuple[str, str]]:
    """(name, value) for each flag; a flag written without "=" reads as "true", as BuildKit
    reads a boolean flag such as --link."""
    pairs = []
    for flag in ins.flags:
        name, sep, value = flag.removeprefix("--").partition("=")
        pairs.append((name, value if sep else "true"))
    return pairs


def flag_value(ins: Instruction, name: str) -> str | None:
    """The value of --name (the last one if repeated), None when absent.

    `--from=builder` gives flag_value(ins, "from") == "builder"; the parser already removed
    the quotes. Names are case-sensitive, as in BuildKit.
    """
    values = flag_values(ins, name)
    return values[-1] if values else None


def flag_values(ins: Instruction, name: str) -> tuple[str, ...]:
    """Every value of a repeatable flag (--mount, --exclude), in order."""
    return tuple(value for key, value in _flag_pairs(ins) if key == name)


def _flags_dict(ins: Instruction) -> Mapping[str, str]:
    return MappingProxyType(dict(_flag_pairs(ins)))


# --- COPY, ADD and RUN ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeredocFile:
    """A file COPY or ADD creates from a heredoc (BuildKit's SourceContent)."""

    path: str  # the heredoc name
    data: str  # the body, with leading tabs removed for <<-
    expand: bool  # whether BuildKit expands variables in it


@dataclass(frozen=True, slots=True)
class CopyParts:
    """COPY or ADD split as BuildKit's SourcesAndDest, with its flags."""

    flags: Mapping[str, str]  # name without "--" -> value (last one wins; see flag_values)
    sources: tuple[str, ...]  # source paths as written (not expanded)
    dest: str  # the destination as written
    files: tuple[HeredocFile, ...]  # sources given inline as heredocs


@dataclass(frozen=True, slots=True)
class ShellFile:
    """A heredoc attached to RUN (BuildKit's ShellInlineFile)."""

    name: str
    data: str  # the raw body: RUN leaves tab removal to the shell
    chomp: bool


@dataclass(frozen=True, slots=True)
class RunParts:
    """RUN as BuildKit's ShellDependantCmdLine, with its flags."""

    flags: Mapping[str, str]
    prepend_shell: bool  # True for the shell form
    cmd_line: tuple[str, ...]  # the exec-form words, or the shell text as one item
    files: tuple[ShellFile, ...]


def _target(ins: Instruction, keywords: tuple[str, ...]) -> Instruction:
    """The instruction itself, or the one an ONBUILD wraps."""
    target = ins.inner if ins.keyword == "onbuild" and ins.inner is not None else ins
    if target.keyword not in keywords:
        raise ValueError(f"expected {' or '.join(k.upper() for k in keywords)}, got {ins.dump()}")
    return target


def _heredoc_word(word: str) -> Heredoc | None:
    """parser.MustParseHeredoc: a heredoc word, ignoring words that fail to lex."""
    if "<<" not in word:  # what every heredoc word holds: most words are none
        return None
    try:
        return parse_heredoc_word(word)
    except InputError:
        return None


def copy_parts(ins: Instruction) -> CopyParts:
    """Split a COPY or ADD (or an ONBUILD of one) into flags, sources, destination and
    heredoc files. InputError when BuildKit would refuse it."""
    target = _target(ins, ("copy", "add"))
    command = target.keyword.upper()
    if len(target.args) < 2:
        raise InputError(
            tr(
                "{command} requires at least two arguments, but only one was provided. "
                "Destination could not be determined",
                "{command} には引数が 2 つ以上必要だが 1 つしかない。コピー先を決められない",
                command=command,
            ),
            line=target.start_line,
        )
    dest = target.args[-1]
    if _heredoc_word(dest) is not None:
        raise InputError(
            tr(
                "{command} cannot accept a heredoc as a destination",
                "{command} はコピー先にヒアドキュメントを受け付けない",
                command=command,
            ),
            line=target.start_line,
        )
    bodies = {heredoc.name: heredoc.content for heredoc in target.heredocs}
    sources: list[str] = []
    files: list[HeredocFile] = []
    for src in target.args[:-1]:
        heredoc = _heredoc_word(src)
        if heredoc is None:
            sources.append(src)
            continue
        data = bodies.get(heredoc.name, "")
        if heredoc.chomp:
            data = chomp_heredoc_content(data)
        files.append(HeredocFile(heredoc.name, data, heredoc.expand))
    return CopyParts(_flags_dict(target), tuple(sources), dest, tuple(files))


def run_parts(ins: Instruction) -> RunParts:
    """Split a RUN (or an ONBUILD of one) into flags, command line and heredoc files."""
    target = _target(ins, ("run",))
    cmd_line: tuple[str, ...]
    if not target.args:
        cmd_line = ()
    elif target.json_form:
        cmd_line = target.args
    else:
        cmd_line = (" ".join(target.args),)
    files = tuple(ShellFile(h.name, h.content, h.chomp) for h in target.heredocs)
    return RunParts(_flags_dict(target), not target.json_form, cmd_line, files)


def shell_script(ins: Instruction) -> str:
    """The text a RUN executes, as dockerfile2llb builds it.

    The exec form is its words joined by spaces. A RUN whose whole command is one heredoc
    runs that heredoc's body (tabs removed for <<-). Any other heredoc use is handed to the
    shell as the command line followed by each body and its terminator.
    """
    parts = run_parts(ins)
    if not parts.prepend_shell:
        return " ".join(parts.cmd_line)
    if not parts.cmd_line:
        return ""
    line = parts.cmd_line[0]
    if not parts.files:
        return line
    if _heredoc_word(line) is not None:
        first = parts.files[0]
        return chomp_heredoc_content(first.data) if first.chomp else first.data
    return line + "".join("\n" + file.data + file.name for file in parts.files)
