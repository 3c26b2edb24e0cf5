"""Reader for `.env` files as Docker Compose reads them (`env_file:`, the project `.env`).

Follows compose-go's dotenv parser (a fork of joho/godotenv): one `KEY=value` per line, an
optional `export ` prefix, `KEY: value` accepted too, `#` comments on their own line or after
an unquoted value following whitespace, single-quoted values taken literally, double-quoted
values with `\\n`, `\\"` and `\\\\` escapes and spanning lines until the closing quote,
unquoted values trimmed. A line with a name and no `=` (`KEY`) has no value: Compose takes
it from the shell, and it is `None` here. Interpolation (`${OTHER}`) is not performed.
An unterminated quote or a name with characters Compose refuses raises `InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklists import InputError, decode_text, tr

__all__ = ["DotenvEntry", "read_dotenv"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


@dataclass(frozen=True, slots=True)
class DotenvEntry:
    name: str
    value: str | None  # None: `KEY` alone, taken from the shell
    line: int


def read_dotenv(data: bytes) -> tuple[DotenvEntry, ...]:
    """The entries of a dotenv file in order (a later duplicate is a later entry)."""
    lines = decode_text(data).splitlines()
    entries: list[DotenvEntry] = []
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith(("export ", "export\t")):
            line = line[len("export") :].lstrip()
        match = _NAME.match(line)
        if match is None:
            raise InputError(
                tr(
                    "unexpected character in a variable name: {text!r}",
                    "変数名に予期しない文字がある: {text!r}",
                    text=line[:20],
                ),
                line=number,
            )
        name, rest = match.group(), line[match.end() :].lstrip()
        if not rest or rest.startswith("#"):
            entries.append(DotenvEntry(name, None, number))
            continue
        if rest[0] not in "=:":
            raise InputError(
                tr("expected '=' after {name}", "{name} の後に '=' がない", name=name), line=number
            )
        rest = rest[1:].lstrip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            body = rest[1:]
            while not _closes(body, quote):
                if index >= len(lines):
                    raise InputError(
                        tr(
                            "unterminated {quote} quote in the value of {name}",
                            "{name} の値の {quote} 引用符が閉じられていない",
                            quote=quote,
                            name=name,
                        ),
                        line=number,
                    )
                body += "\n" + lines[index]
                index += 1
            value = _unquote(body[: _closing(body, quote)], quote)
        else:
            value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
        entries.append(DotenvEntry(name, value, number))
    return tuple(entries)


def _closing(body: str, quote: str) -> int:
    escaped = False
    for position, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif char == quote:
            return position
    return -1


def _closes(body: str, quote: str) -> bool:
    return _closing(body, quote) >= 0


def _unquote(body: str, quote: str) -> str:
    if quote == "'":
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), body)
