"""The parser's shortcuts for plain text give what BuildKit's walks give (issue 21).

`_extract_flags` and `_parse_words` split a plain ASCII line word by word instead of walking
it character by character the way BuildKit does; a line with a quote or an escape still
takes the walk. Here both answers are compared on every line of the BuildKit oracle files
and on many lines drawn from the characters that steer the walks (the walks themselves are
judged by the oracle tests). The shell lexer likewise takes a run of plain characters in
one step: it must lex every text as it does one character at a time.
"""

from __future__ import annotations

import itertools
import random
import re

import pytest

from checklists.core.errors import InputError
from checks.readers import dockerfile, dockerfile_shell
from tests.paths import ORACLES

# The characters the walks turn on: blanks (ASCII and not), dashes, quotes, both escapes.
ALPHABET = ["-", "-", "--", "a", "b=", "=", " ", "  ", "\t", "\v", '"', "'", "\\", "`", "\xa0", "é"]


def _lines() -> list[str]:
    """Every line of the BuildKit oracle Dockerfiles, with its keyword cut off."""
    found = []
    for path in sorted((ORACLES / "buildkit-parser").rglob("Dockerfile*")):
        for line in path.read_text("utf-8", "surrogateescape").splitlines():
            found.append(line.split(" ", 1)[1] if " " in line else line)
    return found


def _drawn(count: int) -> list[str]:
    rng = random.Random(20261203)  # reproducible cases
    return ["".join(rng.choices(ALPHABET, k=rng.randint(0, 12))) for _ in range(count)]


def _short() -> list[str]:
    """Every text of up to four pieces of the alphabet."""
    return [
        "".join(pieces) for k in range(5) for pieces in itertools.product(ALPHABET[:12], repeat=k)
    ]


def test_the_oracle_lines_are_there() -> None:
    assert len(_lines()) > 300


@pytest.mark.parametrize("source", ["oracle", "drawn", "short"])
def test_flags_read_word_by_word_are_the_flags_the_walk_reads(source: str) -> None:
    texts = {"oracle": _lines, "drawn": lambda: _drawn(20_000), "short": _short}[source]()
    shortcuts = 0
    for text in texts:
        for variant in (text, "--" + text, "--x " + text, "--from=a --chown=1 " + text):
            assert dockerfile._extract_flags(variant) == dockerfile._walk_flags(variant), variant
            shortcuts += dockerfile._plain_flags(variant) is not None
    assert shortcuts > len(texts)  # the shortcut was taken, not only the walk


@pytest.mark.parametrize("escape", ["\\", "`"])
@pytest.mark.parametrize("source", ["oracle", "drawn", "short"])
def test_words_split_between_blanks_are_the_words_the_walk_reads(source: str, escape: str) -> None:
    texts = {"oracle": _lines, "drawn": lambda: _drawn(20_000), "short": _short}[source]()
    for text in texts:
        assert dockerfile._parse_words(text, escape) == dockerfile._walk_words(text, escape), text


def test_a_line_ends_an_instruction_where_the_pattern_says() -> None:
    """`trim_continuation` looks for the escape at the end before it asks its pattern."""
    for escape in ("\\", "`"):
        directives = dockerfile._Directives()
        directives.escape, directives._continuation = (
            escape,
            dockerfile._continuation_regex(escape),
        )
        for text in [*_short(), *_lines()]:
            line = text.rstrip("\r\n")
            found = directives._continuation.search(line)
            expected = (
                (line, True)
                if found is None
                else (directives._continuation.sub(r"\1", line), False)
            )
            assert directives.trim_continuation(line) == expected, line


# The characters BuildKit's shell lexer turns on, with variables to expand.
LEXER_ALPHABET = [
    *("a", "b c", "-", "=", "/", " ", "\t", "\xa0", "é", "\udcff"),
    *('"', "'", "\\", "`", "$", "$A", "${A}", "${B:-x}", "${A:+y}", "{", "}", "<<", "EOF", "\n"),
]


def _lexed(text: str, escape: str, flags: dict[str, bool]) -> tuple[str, ...]:
    lexer = dockerfile_shell.ShellLexer(escape, **flags)
    try:
        word, words = lexer.process(text, {"A": "1 2", "B": None})
    except InputError as error:
        return ("error", str(error.message))
    return (word, *words, *sorted(lexer.unknown))


@pytest.mark.parametrize("escape", ["\\", "`"])
@pytest.mark.parametrize(
    "flags",
    [{}, {"raw_quotes": True, "raw_escapes": True, "skip_unset": True}, {"keep_unknown": True}],
    ids=["plain", "raw", "keep-unknown"],
)
def test_runs_of_plain_characters_lex_as_they_do_one_by_one(
    escape: str, flags: dict[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(20261203)  # reproducible cases
    texts = ["".join(rng.choices(LEXER_ALPHABET, k=rng.randint(1, 10))) for _ in range(6_000)]
    texts += [line for line in _lines() if "$" in line or "<<" in line]
    fast = [_lexed(text, escape, flags) for text in texts]
    never = re.compile("(?!)")  # matches nothing: every character goes one by one
    monkeypatch.setattr(dockerfile_shell, "_ordinary_run", lambda escape, stop: never)
    assert [_lexed(text, escape, flags) for text in texts] == fast
