"""Reader for Cloudflare Workers' `wrangler.toml`: the plain-text variables it declares.

Wrangler puts `[vars]` (top level) and `[env.<name>.vars]` into the Worker's bindings as
plain text, visible in the dashboard and in the repository; secrets are set apart with
`wrangler secret put` and never appear in the file. This reader returns every variable
with its environment (None for the top level), its value as text (JSON for a non-string
value, as Wrangler serialises it) and the line it is written on. TOML is parsed with the
standard library's `tomllib` (TOML 1.0); a syntax error raises `InputError` with its line.
`wrangler.json` / `wrangler.jsonc` are not read.

The bytes become text as Wrangler makes them (`readFileSync` in workers-sdk's
`packages/workers-utils/src/parse.ts`): a UTF-16 or UTF-32 byte order mark is refused, a
UTF-8 one dropped, and bytes that are not UTF-8 become U+FFFD (Node's
`Buffer.toString("utf-8")`), so a file that is not UTF-8 still deploys its vars and is
judged, never skipped.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from checklists import InputError, tr

__all__ = ["WranglerConfig", "WranglerVar", "read_wrangler"]


@dataclass(frozen=True, slots=True)
class WranglerVar:
    environment: str | None  # None: the top-level [vars]
    name: str
    value: str
    line: int | None


@dataclass(frozen=True, slots=True)
class WranglerConfig:
    name: str | None
    vars: tuple[WranglerVar, ...]


# Checked in this order by Wrangler (`UNSUPPORTED_BOMS`): UTF-32 LE before UTF-16 LE.
_UNSUPPORTED_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
)


def wrangler_text(data: bytes) -> str:
    """The text Wrangler parses: see the module docstring."""
    for bom, encoding in _UNSUPPORTED_BOMS:
        if data.startswith(bom):
            raise InputError(
                tr(
                    "the file starts with a {encoding} byte order mark",
                    "ファイルが {encoding} のバイトオーダーマークで始まっている",
                    encoding=encoding,
                ),
                line=1,
            )
    return data.decode("utf-8", "replace").removeprefix("\ufeff")


def read_wrangler(data: bytes) -> WranglerConfig:
    text = wrangler_text(data)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise InputError(
            tr("invalid TOML: {error}", "TOML として不正: 「{error}」", error=error),
            line=int(found[1]) if found else None,
        ) from None
    lines = text.splitlines()
    found_vars: list[WranglerVar] = []
    tables: list[tuple[str | None, Any]] = [(None, document.get("vars"))]
    environments = document.get("env")
    if isinstance(environments, dict):
        tables += [
            (env, body.get("vars")) for env, body in environments.items() if isinstance(body, dict)
        ]
    for env, table in tables:
        if table is None:
            continue
        if not isinstance(table, dict):
            raise InputError(
                tr(
                    "`vars` of {env} must be a table",
                    "{env} の `vars` はテーブルでなければならない",
                    env=env,
                )
                if env
                else tr(
                    "`vars` of the top level must be a table",
                    "最上位の `vars` はテーブルでなければならない",
                )
            )
        header = "vars" if env is None else f"env.{env}.vars"
        for name, value in table.items():
            text_value = value if isinstance(value, str) else json.dumps(value)
            found_vars.append(WranglerVar(env, name, text_value, _line_of(lines, header, name)))
    name = document.get("name")
    return WranglerConfig(name if isinstance(name, str) else None, tuple(found_vars))


def _line_of(lines: list[str], header: str, key: str) -> int | None:
    """The line of `key = ...` in the table `header` (or its inline form), best effort."""
    table = re.compile(
        r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, header.split("."))) + r"\s*\]"
    )
    assignment = re.compile(r"(?:^|[{,])\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    start = next((i for i, line in enumerate(lines) if table.match(line)), None)
    if start is not None:
        for index in range(start + 1, len(lines)):
            if lines[index].lstrip().startswith("["):
                break
            if assignment.search(lines[index]):
                return index + 1
    inline = re.compile(r"^\s*" + re.escape(header.rsplit(".", 1)[-1]) + r"\s*=\s*\{")
    for index, line in enumerate(lines):
        if inline.match(line) and assignment.search(line):
            return index + 1
    return None
