"""Bounds the readers share against hostile input: nesting depth, with the line it is passed.

The limits themselves are stated once, in `checklists.core.target`; this module applies them to
text the readers parse. Nothing here judges a file: a bound exceeded is an `InputError` of
kind "limit", located at the line where the input crossed it, which the engine shows as
検証不可 for the checks that needed the file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import re
from typing import Any

from checklists import InputError, tr
from checklists.core.target import CLOCK_SKEW, MAX_NESTING

__all__ = [
    "MAX_NESTING",
    "check_json_nesting",
    "finite",
    "in_the_future",
    "json_loads",
    "nesting_error",
    "rfc3339",
]

JSON_DOCUMENT = tr("the JSON document", "JSON 文書")

# A JSON string (skipped whole, so a bracket inside one is text) or a bracket.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset("[{")


def nesting_error(what: str, line: int | None, limit: int = MAX_NESTING) -> InputError:
    return InputError(
        tr(
            "{what} is nested more than {limit} levels deep: not read",
            "{what}の入れ子が {limit} 段を超えるため読み取らない",
            what=what,
            limit=limit,
        ),
        line=line,
        kind="limit",
    )


def check_json_nesting(text: str, what: str = JSON_DOCUMENT, limit: int = MAX_NESTING) -> None:
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


def json_loads(text: str, what: str = JSON_DOCUMENT, **options: Any) -> object:  # noqa: ANN401 - json.loads' own keywords
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
        raise InputError(
            tr("{what}: {error}", "{what}: 「{error}」", what=what, error=error), kind="invalid"
        ) from None
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


# -- regular expressions that backtrack, read in linear time -------------------------------
# Python's regex engine holds the interpreter lock: a pattern that rescans the rest of the
# text from every candidate start (a lazy `.*?` with no end in sight) cannot be stopped by
# a check's timeout. These give the same answers as the expressions they replace.


def replace_braces(text: str, replacement: str) -> str:
    """`re.sub(r"\\{\\{.*?\\}\\}", replacement, text)` (`.` stops at a newline): each `{{ ... }}`
    within one line replaced. Once a `{{` has no `}}` before its line ends, no later `{{` on
    that line has one either, so the search goes on from the next line."""
    out: list[str] = []
    position = search = 0
    while (start := text.find("{{", search)) >= 0:
        newline = text.find("\n", start + 2)
        line_end = len(text) if newline < 0 else newline
        close = text.find("}}", start + 2, line_end)
        if close < 0:
            search = line_end
            continue
        out += [text[position:start], replacement]
        position = search = close + 2
    out.append(text[position:])
    return "".join(out)


_HEREDOC_OPENER = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?[^\n]*\n")


def drop_heredocs(script: str) -> str:
    """`re.sub(r"<<-?\\s*['\\"]?(\\w+)['\\"]?[^\\n]*\\n.*?\\n\\s*\\1\\s*(?:\\n|$)", "\\n", script,
    flags=re.DOTALL)`: each heredoc, from its opener to its terminator line, replaced by a
    newline. The expression rescans the rest of the script from every opener without a
    terminator; here each terminator is looked up among the lines by its stripped text.

    As in the expression, the word may match shorter than written (`<<EOFX` ends at a line
    `EOF`, the `X` going to the rest of the opener's line), the terminator is at the earliest
    on the second line after the opener's, and the whitespace after it is taken up to its
    last newline (or the end of the script).
    """
    starts = [0] + [i + 1 for i, char in enumerate(script) if char == "\n"]
    lines: dict[str, list[int]] = {}  # stripped text -> indexes of the lines that hold it
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(script)
        stripped = script[start:end].strip()
        if stripped and re.fullmatch(r"\w+", stripped):
            lines.setdefault(stripped, []).append(index)
    out: list[str] = []
    position = search = 0
    while (opener := _HEREDOC_OPENER.search(script, search)) is not None:
        first = bisect.bisect_right(starts, opener.end() - 1)  # the line after the opener's
        word = opener.group(1)
        found = None
        for length in range(len(word), 0, -1):  # \w+ gives back characters on failure
            candidates = lines.get(word[:length], ())
            at = bisect.bisect_left(candidates, first + 1)
            if at < len(candidates):
                found = (candidates[at], word[:length])
                break
        if found is None:
            search = opener.start() + 1
            continue
        line, term = found
        after = script.index(term, starts[line]) + len(term)
        run_end = after
        while run_end < len(script) and script[run_end].isspace():
            run_end += 1
        end = run_end if run_end == len(script) else script.rindex("\n", after, run_end) + 1
        out += [script[position : opener.start()], "\n"]
        position = search = end
    out.append(script[position:])
    return "".join(out)
