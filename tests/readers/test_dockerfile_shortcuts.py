"""The parser's shortcuts for plain lines give what BuildKit's walks give (issue 21).

`_extract_flags` and `_parse_words` split a plain ASCII line word by word instead of walking
it character by character the way BuildKit does; a line with a quote or an escape still
takes the walk. Here both answers are compared on every line of the BuildKit oracle files
and on many lines drawn from the characters that steer the walks (the walks themselves are
judged by the oracle tests).
"""

from __future__ import annotations

import itertools
import random

import pytest

from checks.readers import dockerfile
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
