"""The small JSON5 reader used for Renovate configs."""

from __future__ import annotations

import math

import pytest

from checklists.core.errors import InputError
from checks.readers.json5_lite import JsonObject, loads, read_json5


def test_comments_trailing_commas_quotes_and_bare_keys() -> None:
    text = """
    // leading comment
    {
      $schema: 'https://docs.renovatebot.com/renovate-schema.json', // not a comment start: //
      extends: ["config:recommended", /* inline */ 'docker:pinDigests',],
      "ignorePaths": ["**/node_modules/**"],
      note: 'it\\'s "quoted" /* not a comment */',
      numbers: [+1, .5, 5., 0x1F, -Infinity],
    }
    """
    value = loads(text)
    assert isinstance(value, JsonObject)
    assert value["$schema"] == "https://docs.renovatebot.com/renovate-schema.json"
    assert value["extends"] == ["config:recommended", "docker:pinDigests"]
    assert value["note"] == 'it\'s "quoted" /* not a comment */'
    assert value["numbers"][:4] == [1, 0.5, 5.0, 31]
    assert value["numbers"][4] == -math.inf
    assert value.line_of("extends") == 5
    assert value.line_of("missing") == value.line == 3


def test_plain_json_and_escapes() -> None:
    assert loads('{"a": [true, false, null], "b": "\\u00e9\\n"}') == {
        "a": [True, False, None],
        "b": "é\n",
    }


def test_line_continuation_in_a_string() -> None:
    assert loads("'a\\\nb'") == "ab"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("{\n  a: 1\n  b: 2\n}", 3),
        ("{\n  'a': [1, 2\n}", 3),
        ("", 1),
        ("{} {}", 1),
        ("{\n  a: 'unterminated\n}", 2),
        ("/* never closed", 1),
    ],
)
def test_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as raised:
        loads(text)
    assert raised.value.line == line


def test_bytes_with_bom() -> None:
    assert read_json5("\ufeff{a: 1}".encode()) == {"a": 1}
