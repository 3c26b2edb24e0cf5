"""Bounds the readers share against hostile input: nesting depth, with the line it is passed.

The limits themselves are stated once, in `checklists.target`; this module applies them to
text the readers parse. Nothing here judges a file: a bound exceeded is an `InputError` of
kind "limit", located at the line where the input crossed it, which the engine shows as
検証不可 for the checks that needed the file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from checklists.errors import InputError
from checklists.target import CLOCK_SKEW, MAX_NESTING

__all__ = [
    "MAX_NESTING",
    "check_json_nesting",
    "finite",
    "in_the_future",
    "json_loads",
    "nesting_error",
    "rfc3339",
]

# A JSON string (skipped whole, so a bracket inside one is text) or a bracket.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset("[{")


def nesting_error(what: str, line: int | None, limit: int = MAX_NESTING) -> InputError:
    return InputError(
        f"{what} is nested more than {limit} levels deep: not read", line=line, kind="limit"
    )


def check_json_nesting(
    text: str, what: str = "the JSON document", limit: int = MAX_NESTING
) -> None:
    """InputError at the line where `text` opens its (limit+1)-th nested array or object.

    A single pass over strings and brackets only; cheap next to json.loads itself.
    """
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in _OPEN:
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, token.start()) + 1
                raise nesting_error(what, line, limit)
        elif char in "]}":
            depth -= 1


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not finite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


def json_loads(text: str, what: str = "the JSON document", **options: Any) -> object:  # noqa: ANN401 - json.loads' own keywords
    """json.loads bounded in nesting, refusing the NaN and Infinity that Python's json reads
    but JSON (RFC 8259) does not have. Syntax errors stay json.JSONDecodeError for the caller
    to word; a non-finite constant or exponent overflow is an InputError with its line."""
    options.setdefault("parse_constant", _reject_constant)
    options.setdefault("parse_float", _finite_float)
    try:
        document = json.loads(text, **options)
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        raise InputError(f"{what}: {error}", kind="invalid") from None
    except RecursionError:
        document = None  # deeper than the interpreter's stack: find the line below
    else:
        # Counting the parsed containers is ~10x cheaper than scanning the text, which is
        # only needed to name the line once a document is known to be too deep.
        if _depth(document) <= MAX_NESTING:
            return document
    check_json_nesting(text, what)
    raise nesting_error(what, None)  # the scan always finds it; kept for the type checker


def _depth(document: object) -> int:
    """The nesting depth of parsed JSON (arrays and objects), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))


_FRACTION = re.compile(r"(\.\d{6})\d+")


def rfc3339(text: str) -> dt.datetime | None:
    """An RFC 3339 time as Go writes it (`2025-01-14T03:12:09.771326401Z`), aware UTC; None
    when the text is not one. Python keeps microseconds, so digits past six are dropped."""
    try:
        value = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value.astimezone(dt.UTC)


def in_the_future(when: dt.datetime, now: dt.datetime) -> bool:
    """Whether a recorded time is later than now by more than the allowed clock skew."""
    return when > now + CLOCK_SKEW
