"""The dotenv reader: Compose's `.env` syntax, with a line for every entry."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.dotenv import DotenvEntry, read_dotenv


def test_the_forms_compose_accepts() -> None:
    entries = read_dotenv(
        b"# comment\n"
        b"APP_ENV=production\n"
        b"export DEBUG=False\n"
        b"EMPTY=\n"
        b"FROM_SHELL\n"
        b"PORT: 8000\n"
        b"QUOTED='a # not a comment'\n"
        b'ESCAPED="line1\\nline2 \\"q\\""\n'
        b"INLINE=value # comment\n"
        b'MULTI="first\n'
        b'second"\n'
        b"AFTER=1\n"
    )
    assert entries == (
        DotenvEntry("APP_ENV", "production", 2),
        DotenvEntry("DEBUG", "False", 3),
        DotenvEntry("EMPTY", "", 4),
        DotenvEntry("FROM_SHELL", None, 5),
        DotenvEntry("PORT", "8000", 6),
        DotenvEntry("QUOTED", "a # not a comment", 7),
        DotenvEntry("ESCAPED", 'line1\nline2 "q"', 8),
        DotenvEntry("INLINE", "value", 9),
        DotenvEntry("MULTI", "first\nsecond", 10),
        DotenvEntry("AFTER", "1", 12),
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [(b"A=1\nB='open\n", 2), (b"A=1\n9LIVES=x\n", 2), (b"A 1\n", 1)],
)
def test_malformed_lines_are_errors_with_the_line(text: bytes, line: int) -> None:
    with pytest.raises(InputError) as error:
        read_dotenv(text)
    assert error.value.line == line
