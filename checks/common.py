"""Shared reading helpers for checks: parsed Dockerfiles, stage chains, build contexts.

Everything here goes through the target object, so each file is read and parsed once per
build however many checks look at it.
"""

from __future__ import annotations

import functools
import posixpath
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from checklists import Evidence, Target
from checklists.errors import InputError
from checklists.target import MAX_STAGES
from checks.readers.dockerfile import Dockerfile, Instruction, parse
from checks.readers.dockerfile_instructions import instruction_refusal, refused, stage_refusal
from checks.readers.dockerfile_model import Stage, stages, walk
from checks.readers.dockerignore import Pattern, PatternMatcher, read_dockerignore

EXCERPT_LINES = 6
Walked = tuple[tuple[Instruction, Mapping[str, str | None]], ...]


@dataclass(frozen=True, slots=True)
class ParsedDockerfile:
    dockerfile: Dockerfile
    stages: tuple[Stage, ...]
    lines: tuple[str, ...]  # the physical lines, for excerpts as the author wrote them
    path: str = ""  # the target path it was read from (set by load_dockerfile)
    # Each stage walked once, shared by every check (copies made by `replace` share it too).
    _walks: dict[int, Walked | InputError] = field(default_factory=dict, repr=False, compare=False)

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def chain(self, stage: Stage) -> list[Stage]:
        """The stage and the earlier stages it is built FROM, root first."""
        found = [stage]
        while found[0].base_stage is not None:
            found.insert(0, self.stages[found[0].base_stage])
        return found

    def walk_chain(
        self, stage: Stage
    ) -> Iterator[tuple[Stage, Instruction, Mapping[str, str | None]]]:
        """Every instruction that shapes `stage`'s image, with the variables visible to it.

        An expansion error (`${X?}`) names this Dockerfile, not just the line.
        """
        for link in self.chain(stage):
            for instruction, variables in self.walk(link):
                yield link, instruction, variables

    def walk(self, stage: Stage) -> Walked:
        """The stage's instructions (after its FROM) with the variables visible to each.

        An expansion error (`${X?}`) names this Dockerfile, not just the line.
        """
        walked = self._walks.get(stage.index)
        if walked is None:
            try:
                walked = tuple(walk(self.dockerfile, stage, self.stages))
            except InputError as error:
                walked = error
            self._walks[stage.index] = walked
        if isinstance(walked, InputError):
            raise walked.with_path(self.path) from None
        return walked

    def at(self, path: str, instruction: Instruction, note: str) -> Evidence:
        """Evidence pointing at one instruction, with its lines as written in the file."""
        lines = list(self.lines[instruction.start_line - 1 : instruction.end_line])
        if len(lines) > EXCERPT_LINES:
            lines = [*lines[: EXCERPT_LINES - 1], "..."]
        excerpt = "\n".join(lines) or instruction.original
        return Evidence(note, path=path, line=instruction.start_line, excerpt=excerpt)


def read_dockerfile(data: bytes) -> ParsedDockerfile:
    """The parser every Dockerfile check shares (one parse per file per build).

    A file BuildKit would refuse (`dockerfile_instructions`) is an InputError at the line
    BuildKit names, so no check judges a Dockerfile that never builds. More stages than
    MAX_STAGES is refused too: each stage built FROM another inherits its environment, so
    a chain of thousands would cost quadratic time.
    """
    dockerfile = parse(data)
    refusal = instruction_refusal(dockerfile)
    try:
        found = tuple(stages(dockerfile))
    except InputError as error:
        # BuildKit reads the instructions in order and stops at the first it refuses: a
        # malformed FROM (an invalid stage name, a missing image) or an instruction before
        # the first FROM is as much a refusal as an unknown instruction, whichever is first.
        if refusal is not None and (refusal.line or 0) <= (error.line or 0):
            raise refusal from None
        if error.kind == "invalid":
            raise refused(error.message, error.line) from None
        raise
    if refusal is not None:
        raise refusal
    if len(found) > MAX_STAGES:
        raise InputError(
            f"more than {MAX_STAGES} build stages: not read",
            line=found[MAX_STAGES].from_instruction.start_line,
            kind="limit",
        )
    problem = stage_refusal(dockerfile, found)
    if problem is not None:
        raise problem
    lines = tuple(data.decode("utf-8").removeprefix("\ufeff").splitlines())
    return ParsedDockerfile(dockerfile, found, lines)


def load_dockerfile(target: Target, path: str) -> ParsedDockerfile:
    return replace(target.parse(path, read_dockerfile), path=target.normalize(path))


def stage_label(stage: Stage) -> str:
    return f"stage {stage.index} ({stage.name})" if stage.name else f"stage {stage.index}"


# -- build contexts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    path: str | None  # None when the context has no ignore file
    patterns: tuple[Pattern, ...]

    @property
    def matcher(self) -> PatternMatcher:
        return shared_matcher(self.patterns)


@functools.lru_cache(maxsize=1024)
def shared_matcher(patterns: tuple[Pattern | str, ...]) -> PatternMatcher:
    """One matcher per pattern list, shared by the checks: each pattern compiles once and a
    path asked about again is answered from memory. Invalid patterns raise on every call."""
    return PatternMatcher(patterns)


def context_of(dockerfile: str, context: str | None) -> str:
    """The build context: given explicitly, else the Dockerfile's folder."""
    if context is not None:
        return posixpath.normpath(context)
    return posixpath.dirname(dockerfile) or "."


def ignore_file(target: Target, dockerfile: str, context: str) -> IgnoreFile:
    """The ignore file BuildKit uses: `<Dockerfile>.dockerignore` first, then the context's."""
    candidates = (f"{dockerfile}.dockerignore", posixpath.join(context, ".dockerignore"))
    for candidate in candidates:
        if target.is_file(candidate):
            patterns = target.parse(candidate, read_dockerignore)
            return IgnoreFile(candidate, tuple(patterns))
    return IgnoreFile(None, ())


def relative_to(context: str, path: str) -> str:
    if context == ".":
        return path
    if path.startswith(context + "/"):  # the common case, without relpath's absolute paths
        return path[len(context) + 1 :]
    return posixpath.relpath(path, context)


# -- shell scripts ---------------------------------------------------------------------------

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")"})


def strip_comments(script: str) -> str:
    """The script without its comments; a `#` inside a word is escaped so it stays literal."""
    if "#" not in script:
        return script
    out: list[str] = []
    quote = ""
    at_word_start = True
    i = 0
    while i < len(script):
        ch = script[i]
        if quote:
            out.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(script):
                out.append(script[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
            i += 1
            continue
        if ch == "\\" and i + 1 < len(script):
            out.append(script[i : i + 2])
            at_word_start = False
            i += 2
            continue
        if ch == "#":
            if at_word_start:
                end = script.find("\n", i)
                i = len(script) if end < 0 else end
                continue
            out.append("\\#")
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        out.append(ch)
        at_word_start = ch.isspace() or ch in ";&|()<>"
        i += 1
    return "".join(out)


def split_options(
    words: list[str], valued: frozenset[str], *, flag: str = ""
) -> tuple[dict[str, str], list[str]]:
    """Options (as written, dashes kept) and the other words of a command line; an option
    given twice keeps its last value. See `split_option_lists`."""
    lists, positional = split_option_lists(words, valued, flag=flag)
    return {name: values[-1] for name, values in lists.items()}, positional


def split_option_lists(
    words: list[str], valued: frozenset[str], *, flag: str = ""
) -> tuple[dict[str, list[str]], list[str]]:
    """Every value of each option (as written, dashes kept), and the other words.

    `--name=value`, and `-x value` / `--name value` for the options in `valued`; any other
    word starting with `-` is a flag whose value is `flag`.
    """
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--") and "=" in word:
            key, _, value = word.partition("=")
            options.setdefault(key, []).append(value)
        elif word in valued and index + 1 < len(words):
            options.setdefault(word, []).append(words[index + 1])
            index += 1
        elif word.startswith("-"):
            options.setdefault(word, []).append(flag)
        else:
            positional.append(word)
        index += 1
    return options, positional


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a POSIX shell script, as word lists (no expansion).

    Good enough to recognise `useradd -u 1000 app` inside `a && b; c | d`; a script that
    does not tokenise (an unbalanced quote) yields no commands rather than a guess.
    """
    return [list(words) for words in _shell_commands(script)]


@functools.lru_cache(maxsize=4096)  # several checks split the same RUN line
def _shell_commands(script: str) -> tuple[tuple[str, ...], ...]:
    joined = script.replace("\\\r\n", " ").replace("\\\n", " ")
    text = strip_comments(joined).replace("\n", " ; ")
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.commenters = ""  # comments are gone; a '#' left is part of a word
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return ()
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return tuple(tuple(command) for command in commands if command)
