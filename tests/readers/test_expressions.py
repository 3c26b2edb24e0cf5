"""GitHub Actions expressions: parsing, three-valued evaluation and interpolation."""

from __future__ import annotations

from typing import Any

import pytest

from checklists.core.errors import InputError
from checks.readers.expressions import (
    UNKNOWN,
    Open,
    evaluate,
    expressions,
    has_expression,
    interpolate,
    substitute,
    truthy,
)

PR = {"github": Open({"event_name": "pull_request", "ref": "refs/pull/7/merge"})}
PUSH_MAIN = {"github": Open({"event_name": "push", "ref": "refs/heads/main"})}


@pytest.mark.parametrize(
    ("expression", "context", "expected"),
    [
        ("github.event_name != 'pull_request'", PR, False),
        ("github.event_name != 'pull_request'", PUSH_MAIN, True),
        ("github.event_name == 'PULL_REQUEST'", PR, True),  # strings compare ignoring case
        ("startsWith(github.ref, 'refs/tags/')", PUSH_MAIN, False),
        ("github.ref == 'refs/heads/main' && github.event_name == 'push'", PUSH_MAIN, True),
        ("!(github.event_name == 'push')", PUSH_MAIN, False),
        ('contains(fromJSON(\'["push", "release"]\'), github.event_name)', PUSH_MAIN, True),
        ("format('{0}-{1}', 'a', 1)", {}, "a-1"),
        ("1 == '1'", {}, True),
        ("null == 0", {}, True),
        ("'it''s'", {}, "it's"),
        ("github['event_name']", PUSH_MAIN, "push"),
        ("matrix.service", {"matrix": {"service": "backend"}}, "backend"),
        ("matrix.missing", {"matrix": {"service": "backend"}}, None),
        ("success() && github.ref == 'refs/heads/main'", PUSH_MAIN, True),
    ],
)
def test_evaluate(expression: str, context: dict[str, Any], expected: object) -> None:
    assert evaluate(expression, context) == expected


def test_unknown_propagates_unless_the_known_side_decides() -> None:
    assert evaluate("vars.PUBLISH == 'true'", PR) is UNKNOWN
    assert evaluate("github.actor == 'bot'", PR) is UNKNOWN  # an Open context's gap
    assert evaluate("github.event_name == 'push' && vars.X", PR) is False
    assert evaluate("vars.X || github.event_name == 'pull_request'", PR) is True
    assert evaluate("vars.X && github.event_name == 'push'", PR) is False
    assert truthy(evaluate("failure()", PR)) is None


@pytest.mark.parametrize("value", [False, 0.0, "", None, float("nan")])
def test_falsy_values(value: object) -> None:
    assert truthy(value) is False


def test_find_and_interpolate() -> None:
    text = "app:${{ github.sha }}-${{ matrix.py }}"
    assert has_expression(text) and not has_expression("plain")
    assert expressions(text) == ["github.sha", "matrix.py"]
    assert interpolate(text, {"matrix": {"py": "3.13"}}) is None
    assert substitute(text, {"matrix": {"py": "3.13"}}) == "app:${{ github.sha }}-3.13"
    assert interpolate("${{ github.event_name != 'pull_request' }}", PR) == "false"


@pytest.mark.parametrize("bad", ["github.", "a ==", "(a", "a b", "x.*"])
def test_invalid_expressions_raise(bad: str) -> None:
    with pytest.raises(InputError):
        evaluate(bad, {})
