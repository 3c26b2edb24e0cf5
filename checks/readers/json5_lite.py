"""A small JSON5 reader for Renovate's config files, with the line of every object key.

Renovate reads `renovate.json5` (and, as a fallback, any config file) with the `json5`
package. No JSON5 library is a dependency here, so this module parses the part of JSON5
that config files use, by recursive descent rather than by stripping text, so a `//` or a
`,]` inside a string is never mistaken for syntax:

* `//` line comments and `/* */` block comments, anywhere whitespace may be;
* trailing commas in objects and arrays;
* strings in double or single quotes with JSON's escapes plus `\\'`, `\\x41` and an escaped
  line break (a line continuation);
* unquoted object keys (ECMAScript identifier names: letters, digits, `_`, `$`);
* numbers with a leading `+` or `.`, a trailing `.`, hexadecimal `0x..`, `Infinity`, `NaN`;
* `true`, `false`, `null`.

Plain JSON is a subset, so the same reader serves `renovate.json` and `package.json`.
Objects are returned as `JsonObject` (a dict with `key_lines`), arrays as lists. Anything
else raises InputError with the line.
"""

from __future__ import annotations

import math
import re
from typing import Any

from checklists import InputError, Message, decode_text, tr
from checklists.core.target import MAX_NESTING
from checks.readers.located_yaml import YMap

__all__ = ["JsonObject", "loads", "read_json5"]

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F]+|Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
)
_ESCAPES = {
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "0": "\0",
}


class JsonObject(YMap):
    """A JSON object with the 1-based line of itself and of each key (`line_of`): the same
    located mapping the YAML reader returns, so checks treat both alike."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.depth = 0
        self._counted = (0, 1)  # (position, line there): lines are counted forward only

    @property
    def line(self) -> int:
        # Counting from the start on every object made a large file quadratic.
        start, line = self._counted
        if self.position < start:
            start, line = 0, 1
        line += self.text.count("\n", start, self.position)
        self._counted = (self.position, line)
        return line

    def fail(self, message: str) -> InputError:
        return InputError(
            tr("invalid JSON5: {message}", "JSON5 として不正: {message}", message=message),
            line=self.line,
        )

    def skip(self) -> None:
        """Whitespace and comments."""
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if char in " \t\r\n\ufeff\u00a0\u2028\u2029\v\f":
                self.position += 1
            elif text.startswith("//", self.position):
                end = text.find("\n", self.position)
                self.position = len(text) if end < 0 else end
            elif text.startswith("/*", self.position):
                end = text.find("*/", self.position + 2)
                if end < 0:
                    raise self.fail(tr("unterminated /* comment", "/* コメントが閉じられていない"))
                self.position = end + 2
            else:
                return

    def peek(self) -> str:
        self.skip()
        return self.text[self.position] if self.position < len(self.text) else ""

    def value(self) -> object:
        char = self.peek()
        if char in "{[":
            if self.depth >= MAX_NESTING:
                raise InputError(
                    tr(
                        "the JSON5 document is nested more than {MAX_NESTING} levels deep: not "
                        "read",
                        "JSON5 文書の入れ子が {MAX_NESTING} 段を超えるため読み取らない",
                        MAX_NESTING=MAX_NESTING,
                    ),
                    line=self.line,
                    kind="limit",
                )
            self.depth += 1
            try:
                return self.obj() if char == "{" else self.array()
            finally:
                self.depth -= 1
        if char in "\"'":
            return self.string()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.position) and not _IDENTIFIER.match(
                self.text, self.position + len(word)
            ):
                self.position += len(word)
                return result
        match = _NUMBER.match(self.text, self.position)
        if match:
            self.position = match.end()
            return _number(match.group(0))
        if not char:
            raise self.fail(tr("unexpected end of the file", "途中でファイルが終わる"))
        raise self.fail(tr("unexpected {char!r}", "予期しない {char!r}", char=char))

    def obj(self) -> JsonObject:
        result = JsonObject(self.line)
        self.position += 1
        while True:
            char = self.peek()
            if char == "}":
                self.position += 1
                return result
            line = self.line
            if char in "\"'":
                key = self.string()
            else:
                match = _IDENTIFIER.match(self.text, self.position)
                if not match:
                    raise self.fail(
                        tr(
                            "expected a key or '}}', found {found}",
                            "キーか '}}' があるべき位置に {found} がある",
                            found=_found(char),
                        )
                    )
                key = match.group(0)
                self.position = match.end()
            if self.peek() != ":":
                raise self.fail(
                    tr(
                        "expected ':' after the key {key!r}",
                        "キー {key!r} の後に ':' がない",
                        key=key,
                    )
                )
            self.position += 1
            result[key] = self.value()
            result.key_lines[key] = line
            char = self.peek()
            if char == ",":
                self.position += 1
            elif char != "}":
                raise self.fail(
                    tr(
                        "expected ',' or '}}', found {found}",
                        "',' か '}}' があるべき位置に {found} がある",
                        found=_found(char),
                    )
                )

    def array(self) -> list[Any]:
        result: list[Any] = []
        self.position += 1
        while True:
            if self.peek() == "]":
                self.position += 1
                return result
            result.append(self.value())
            char = self.peek()
            if char == ",":
                self.position += 1
            elif char != "]":
                raise self.fail(
                    tr(
                        "expected ',' or ']', found {found}",
                        "',' か ']' があるべき位置に {found} がある",
                        found=_found(char),
                    )
                )

    def string(self) -> str:
        quote = self.text[self.position]
        self.position += 1
        parts: list[str] = []
        text = self.text
        while True:
            if self.position >= len(text):
                raise self.fail(tr("unterminated string", "文字列が閉じられていない"))
            char = text[self.position]
            if char == quote:
                self.position += 1
                return "".join(parts)
            if char == "\n":
                raise self.fail(
                    tr(
                        "a line break inside a string must be escaped",
                        "文字列の中の改行はエスケープしなければならない",
                    )
                )
            if char != "\\":
                parts.append(char)
                self.position += 1
                continue
            escape = text[self.position + 1 : self.position + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                self.position += 2
            elif escape in ("u", "x"):
                size = 4 if escape == "u" else 2
                digits = text[self.position + 2 : self.position + 2 + size]
                if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise self.fail(
                        tr("bad \\{escape} escape", "不正なエスケープ \\{escape}", escape=escape)
                    )
                parts.append(chr(int(digits, 16)))
                self.position += 2 + size
            elif escape == "\r":
                self.position += 3 if text.startswith("\r\n", self.position + 1) else 2
            elif escape in ("\n", "\u2028", "\u2029"):
                self.position += 2
            else:
                parts.append(escape)
                self.position += 2


def _number(text: str) -> int | float:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "Infinity":
        return sign * math.inf
    if body == "NaN":
        return math.nan
    if body[:2].lower() == "0x":
        return sign * int(body[2:], 16)
    if re.fullmatch(r"\d+", body):
        return sign * int(body)
    return sign * float(body)


def loads(text: str) -> object:
    """The value in a JSON5 text; InputError with the line when it is not valid."""
    reader = _Reader(text)
    if not reader.peek():
        raise reader.fail(tr("the file is empty", "ファイルが空"))
    result = reader.value()
    if reader.peek():
        raise reader.fail(
            tr(
                "unexpected {char!r} after the value",
                "値の後に予期しない {char!r} がある",
                char=reader.peek(),
            )
        )
    return result


def read_json5(data: bytes) -> object:
    """`loads` for a file's bytes (UTF-8, BOM allowed), for `target.parse`."""
    return loads(decode_text(data))


def _found(char: str) -> Message:
    """What stood where something else was expected: the character, or the end."""
    if char:
        return tr("{char!r}", "{char!r}", char=char)
    return tr("'the end'", "ファイルの終わり")
