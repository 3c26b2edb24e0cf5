"""A check package's specs written down, so a build can resolve its bindings without
importing the checks (and the readers they import: most of a build's import time).

`registry.write_manifest` imports a package and records (`entry`, `text`), for each check it
registers, what the registry knows without running it: the module, the decorator's fields,
the docstring's prose, the parameters with their defaults (Python literals) and where the
function is. The file sits in the package's folder, `checklists-manifest.json`, beside the
sources it describes, with a digest of them. `read` hands it back only while that digest
still matches the sources the registry read (`Registry.defer` reads every module's source
anyway, for the ids it registers); after any edit of the package the manifest is stale and
ignored, and the checks are imported as without one. The registry then gives a described
check a spec whose function imports the module on its first call (`registry._Deferred`): in
a build, that is in the worker process that runs the checks, while MkDocs renders on the
build's thread.

The project's own manifest is kept current by a test (`tests/engine/test_registry.py`); after
editing a check package, `checklists manifest` writes it again.
"""

from __future__ import annotations

import ast
import inspect
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklists.core.errors import SetupError
from checklists.core.limits import Kind

FILE = "checklists-manifest.json"
VERSION = 1


def digest(sources: Iterable[tuple[str, str]]) -> str:
    """The sources' fingerprint (module name, text), in name order: change detection for
    the package's own files, not a defence against anyone (CRC-32 and the total length:
    `hashlib` alone would cost a build more to import than reading the manifest)."""
    crc, length = 0, 0
    for name, text in sorted(sources):
        data = f"{name}\0{text}\0".encode()
        crc, length = zlib.crc32(data, crc), length + len(data)
    return f"crc32:{crc:08x}:{length}"


@dataclass(frozen=True, slots=True)
class Described:
    """One check as the manifest describes it (the fields of `registry.CheckSpec` but the
    function, which stays in its module until called)."""

    id: str
    module: str
    name: str  # the function's name in its module
    severity: str
    related: tuple[str, ...]
    title: str
    what: str
    why: str
    fix: str
    ja: tuple[str, str, str, str] | None
    params: Mapping[str, Any]  # name -> default, or inspect.Parameter.empty when required
    source: str
    unit: Kind | None
    external: bool


def path_of(package_file: str | None) -> Path | None:
    """Where a package's manifest is (None for a package without a folder)."""
    return None if package_file is None else Path(package_file).parent / FILE


def read(path: Path | None, sources: Iterable[tuple[str, str]]) -> dict[str, Described]:
    """The checks the manifest at `path` describes, by id; empty when there is none, or it
    is stale (its digest is not that of `sources`) or unreadable: the checks are then
    imported as without a manifest, so a manifest can make a build faster, never wrong."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") != VERSION or data.get("digest") != digest(sources):
            return {}
        return {entry["id"]: _described(entry, path.parent) for entry in data["checks"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SyntaxError):
        return {}


def _described(entry: Mapping[str, Any], folder: Path) -> Described:
    file, _, line = str(entry["source"]).rpartition(":")
    ja = entry["ja"]
    return Described(
        id=entry["id"],
        module=entry["module"],
        name=entry["name"],
        severity=entry["severity"],
        related=tuple(entry["related"]),
        title=entry["title"],
        what=entry["what"],
        why=entry["why"],
        fix=entry["fix"],
        ja=None if ja is None else (ja[0], ja[1], ja[2], ja[3]),
        params={
            name: inspect.Parameter.empty if text is None else ast.literal_eval(text)
            for name, text in entry["params"].items()
        },
        source=f"{folder / file}:{line}" if file else str(entry["source"]),
        unit=None if entry["unit"] is None else Kind(entry["unit"]),
        external=bool(entry["external"]),
    )


def entry(spec: Any, folder: Path) -> dict[str, Any]:  # noqa: ANN401 - a registry.CheckSpec
    """The manifest's record of a loaded check (`registry.CheckSpec`)."""
    params: dict[str, str | None] = {}
    for name, default in spec.params.items():
        if default is inspect.Parameter.empty:
            params[name] = None
            continue
        text = repr(default)
        try:
            same = ast.literal_eval(text) == default
        except (ValueError, SyntaxError):
            same = False
        if not same:
            raise SetupError(
                f"{spec.source}: the default of `{name}` ({text}) is not a Python literal; "
                "a manifest cannot record it"
            )
        params[name] = text
    file, _, line = spec.source.rpartition(":")
    try:
        source = f"{Path(file).relative_to(folder).as_posix()}:{line}"
    except ValueError:  # not below the package's folder: kept as it is
        source = spec.source
    return {
        "id": spec.id,
        "module": spec.module,
        "name": spec.function.__name__,
        "severity": spec.severity,
        "related": list(spec.related),
        "title": spec.title,
        "what": spec.what,
        "why": spec.why,
        "fix": spec.fix,
        "ja": None if spec.ja is None else list(spec.ja),
        "params": params,
        "source": source,
        "unit": None if spec.unit is None else str(spec.unit),
        "external": spec.external,
    }


def text(entries: list[dict[str, Any]], sources: Iterable[tuple[str, str]]) -> str:
    """The manifest file's text: one check per line, in id order (diffable)."""
    ordered = sorted(entries, key=lambda e: str(e["id"]))
    body = ",\n    ".join(json.dumps(e, ensure_ascii=False, sort_keys=True) for e in ordered)
    head = f'{{\n  "version": {VERSION},\n  "digest": {json.dumps(digest(sources))},\n'
    return f'{head}  "checks": [\n    {body}\n  ]\n}}\n'
