"""The evidence file: what the Dockerfile copies, hashes, provenance, and the atomic write.

A number without its provenance cannot be judged, so every environment records the SHA-256
of its Dockerfile and of its dependency inputs, and the file records the engine and its
version, the host, the target's git commit and the time. The shape is
`checks/readers/measurements.schema.json`; the document is validated with the reader before
it is written, so the command never leaves a file the site would refuse.

Dependency inputs (`inputs_sha256`), the documented rule: in each stage, the files copied
from the build context (COPY/ADD without --from; URLs and heredocs aside) by the
instructions from the stage's first such copy up to the first RUN after it, minus what
.dockerignore excludes. That is the manifest copy that precedes the install step
(`COPY pyproject.toml ./` then `RUN pip install`); a RUN before any copy (an apt-get of
build tools) does not end the window, since nothing from the context has been copied yet.
"""

from __future__ import annotations

import fnmatch
import json
import platform
import posixpath
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from checklists import InputError, SetupError, Target, write_atomic
from checklists.core.target import MAX_REPORT_BYTES
from checklists_measure import gitinfo
from checks.common import ignore_file, read_dockerfile, relative_to
from checks.readers.dockerfile_model import copy_parts, expand, flag_value, walk
from checks.readers.measurements import (
    SCHEMA,
    SCHEMA_VERSION,
    Measurement,
    read_measurements,
    sha256_file,
)

TOOL = "checklists measure"
PACKAGE = "docker-guide-checklists"


# --- what the Dockerfile copies -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Copy:
    """One COPY/ADD from the build context and the target files it copies."""

    stage: int
    line: int
    files: tuple[str, ...]  # target-relative, sorted
    manifest: bool  # part of the dependency inputs by the rule above


def context_copies(target: Target, dockerfile: str, context: str) -> list[Copy]:
    """Every COPY/ADD from the context, in file order; InputError when a file cannot be read."""
    parsed = target.parse(dockerfile, read_dockerfile)
    matcher = ignore_file(target, dockerfile, context).matcher
    files = [
        rel
        for path in target.files(context)
        if not matcher.matches(rel := relative_to(context, path))
    ]
    copies: list[Copy] = []
    for stage in parsed.stages:
        window = "before"  # before the first copy, "open" after it, "closed" after a RUN
        for instruction, variables in walk(parsed.dockerfile, stage):
            if instruction.keyword == "run" and window == "open":
                window = "closed"
            if instruction.keyword not in ("copy", "add") or flag_value(instruction, "from"):
                continue
            selected: set[str] = set()
            for source in copy_parts(instruction).sources:
                expanded = expand(source, variables, escape=parsed.dockerfile.escape)
                if expanded.unresolved or "://" in expanded.text:
                    continue  # known only at build time, or a URL (ADD)
                selected.update(_matching(expanded.text, files))
            if window == "before":
                window = "open"
            in_target = sorted(posixpath.normpath(posixpath.join(context, f)) for f in selected)
            copies.append(
                Copy(stage.index, instruction.start_line, tuple(in_target), window == "open")
            )
    return copies


def _matching(source: str, files: Sequence[str]) -> list[str]:
    """The context files a COPY source names: a file, a folder (recursively) or a glob."""
    path = posixpath.normpath(source.lstrip("/") or ".")
    if path == ".." or path.startswith("../"):
        return []  # outside the context: the build fails, nothing is copied
    if path == ".":
        return list(files)
    if any(char in path for char in "*?["):
        pattern = path.replace("[^", "[!").split("/")
        return [f for f in files if _glob(pattern, f.split("/"))]
    return [f for f in files if f == path or f.startswith(path + "/")]


def _glob(pattern: list[str], parts: list[str]) -> bool:
    """Go's filepath.Match on the path's leading components (a matched folder copies all)."""
    if len(parts) < len(pattern):
        return False
    return all(fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, pattern, strict=False))


def inputs_sha256(target: Target, copies: Sequence[Copy]) -> dict[str, str]:
    # Lock files of large projects pass the text limit (a package-lock.json of 10 MB): they
    # are only hashed, so they may be as large as a report.
    return {
        path: sha256_file(target.read_bytes(path, limit=MAX_REPORT_BYTES))
        for copy in copies
        if copy.manifest
        for path in copy.files
    }


def file_to_change(copies: Sequence[Copy]) -> str | None:
    """The file whose content the cached build changes: the last-copied `.py` file, else the
    last copied file (target-relative); None when nothing is copied from the context."""
    ordered = [path for copy in copies for path in copy.files]
    python = [path for path in ordered if path.endswith(".py")]
    chosen = python or ordered
    return chosen[-1] if chosen else None


# --- provenance -----------------------------------------------------------------------------


def tool_version() -> str:
    try:
        return package_version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def host() -> dict[str, str]:
    return {
        "hostname": socket.gethostname(),
        "system": platform.system(),
        "machine": platform.machine(),
    }


def git_revision(root: Path, paths: Sequence[str]) -> tuple[str | None, bool | None]:
    """(HEAD, dirty) of the git checkout holding the target; (None, None) when unknown.

    Read without running anything the target's git configuration names: see `gitinfo`.
    Dirty covers `paths` (the measured Dockerfiles and contexts), untracked files included.
    """
    return gitinfo.revision(root, paths)


# --- the document ---------------------------------------------------------------------------


def measurement_json(measurement: Measurement) -> dict[str, Any]:
    data: dict[str, Any] = {"status": measurement.status}
    fields = ("value", "unit", "error", "reason", "log_tail", "raw")
    for name in fields:
        value = getattr(measurement, name)
        if value is not None:
            data[name] = value
    if measurement.command:
        data["command"] = list(measurement.command)
    return data


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def document(
    *,
    measured_at: datetime,
    engine: Mapping[str, str],
    commit: str | None,
    dirty: bool | None,
    environments: Sequence[Mapping[str, Any]],
    images: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    named = {"images": list(images)} if images else {}
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "measured_at": timestamp(measured_at),
        "tool": {"name": TOOL, "version": tool_version()},
        "host": host(),
        "engine": dict(engine),
        "target": {"commit": commit, "dirty": dirty},
        "environments": list(environments),
    } | named


def default_output(target_root: Path, measured_at: datetime) -> Path:
    """`<target>/reports/measurements/measure-<UTC time>.json`, never an existing file."""
    folder = target_root / "reports" / "measurements"
    stem = f"measure-{measured_at.strftime('%Y%m%dT%H%M%SZ')}"
    path, number = folder / f"{stem}.json", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.json"
    return path


def write(path: Path, data: Mapping[str, Any]) -> None:
    """Validate the document with the reader and write it atomically; never overwrite."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        read_measurements(text.encode("utf-8"))
    except InputError as error:  # a bug in this command, not in the target
        raise RuntimeError(f"the evidence does not follow its schema: {error}") from error
    if path.exists():
        raise SetupError(f"{path} exists; the measure command never overwrites evidence")
    write_atomic(path, text)
