"""The `--mount` flags of RUN, read as BuildKit reads them (instructions/commands_runmount.go).

Each flag value is one CSV record of `key=value` fields; keys are case-insensitive, `type`
defaults to `bind`, `src`/`source`, `dst`/`destination`/`target` and `ro`/`readonly` are
synonyms, and values are expanded with the build's variables. A relative target is relative
to the WORKDIR in effect. No judgement: what a mount means for a check is the check's call.
"""

from __future__ import annotations

import csv
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from checklists import InputError, tr
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import expand, flag_values

__all__ = ["MOUNT_TYPES", "Mount", "join_path", "parse_mount", "run_mounts"]

MOUNT_TYPES = frozenset({"bind", "cache", "tmpfs", "secret", "ssh"})
_KEYS = {
    "type": "type",
    "from": "from",
    "source": "source",
    "src": "source",
    "target": "target",
    "dst": "target",
    "destination": "target",
    "id": "id",
    "sharing": "sharing",
}
_FLAG_KEYS = frozenset({"readonly", "ro", "readwrite", "rw", "required"})
_OTHER_KEYS = frozenset({"size", "mode", "uid", "gid", "env"})


@dataclass(frozen=True, slots=True)
class Mount:
    """One `RUN --mount=...`."""

    type: str  # bind, cache, tmpfs, secret or ssh
    target: str | None  # absolute, resolved against the WORKDIR
    source: str | None
    from_: str | None  # the stage or image a bind/cache mount reads from
    id: str | None
    unresolved: frozenset[str]  # variables in the value that have no known value


def join_path(workdir: str, path: str) -> str:
    """A container path as BuildKit resolves it against the WORKDIR."""
    return posixpath.normpath(posixpath.join("/", workdir, path))


def parse_mount(
    value: str,
    workdir: str = "/",
    variables: Mapping[str, str | None] | None = None,
    *,
    escape: str = "\\",
) -> Mount:
    """One --mount value; each field value is expanded with `variables` (when given) after
    the CSV split, as BuildKit does. InputError where BuildKit refuses the mount."""
    try:
        rows = list(csv.reader([value], strict=True))
    except csv.Error as error:
        raise InputError(
            tr(
                "failed to parse csv mounts: {error}",
                "csv 形式のマウント指定を解析できない: 「{error}」",
                error=error,
            )
        ) from None
    fields: dict[str, str] = {}
    unresolved: set[str] = set()
    for item in rows[0] if rows else []:
        key, sep, val = item.partition("=")
        key = key.lower()
        if not sep:
            if key in _FLAG_KEYS:
                continue
            raise InputError(
                tr(
                    "invalid field '{item}' must be a key=value pair",
                    "フィールド '{item}' が不正: key=value の形でなければならない",
                    item=item,
                )
            )
        if variables is not None:
            expansion = expand(val, variables, escape=escape)
            val = expansion.text
            unresolved |= expansion.unresolved
        if key in _KEYS:
            fields[_KEYS[key]] = val
        elif key not in _FLAG_KEYS and key not in _OTHER_KEYS:
            raise InputError(
                tr(
                    "unexpected key '{key}' in '{item}'",
                    "'{item}' に予期しないキー '{key}' がある",
                    key=key,
                    item=item,
                )
            )
    kind = fields.get("type", "bind").lower()
    if kind not in MOUNT_TYPES:
        raise InputError(
            tr(
                'unsupported mount type "{type}"',
                '対応していないマウントの種類 "{type}"',
                type=fields["type"],
            )
        )
    target = fields.get("target")
    return Mount(
        type=kind,
        target=join_path(workdir, target) if target else None,
        source=fields.get("source"),
        from_=fields.get("from"),
        id=fields.get("id"),
        unresolved=frozenset(unresolved),
    )


def run_mounts(
    ins: Instruction,
    variables: Mapping[str, str | None],
    *,
    escape: str = "\\",
    workdir: str = "/",
) -> tuple[Mount, ...]:
    """The mounts of a RUN, their values expanded as BuildKit expands them; InputError (with
    the instruction's line) for a mount BuildKit refuses."""
    mounts = []
    for value in flag_values(ins, "mount"):
        try:
            mounts.append(parse_mount(value, workdir, variables, escape=escape))
        except InputError as error:
            raise InputError(error.message, line=ins.start_line) from None
    return tuple(mounts)
