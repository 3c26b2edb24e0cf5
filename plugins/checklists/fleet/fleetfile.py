"""The fleet file: which repositories the guide judges, where they are, who owns them.

```yaml
guide: ../../mkdocs.yml            # the site whose guide, checks and policy judge every one
repositories:
  - name: acme/payments            # how reports and the site name it
    path: ../payments              # a local checkout (relative to this file) ...
    teams: [payments, tier-1]
    dockerfile: build/Dockerfile   # optional: otherwise the first Dockerfile found
  - name: acme/search
    git: https://github.com/acme/search.git   # ... or a repository to clone (depth 1)
    ref: main
    config: mkdocs.yml             # optional: the repository's own site configuration
  - discover: ../checkouts         # every folder below is a repository named after it
    teams: [platform]
```

Paths are relative to the fleet file. `checklists scan` reads it to check every repository;
`checklists aggregate --fleet` reads it to list the repositories that have no report and to
label each with its teams. A mistake is reported with the file and the entry, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checklists.core.errors import SetupError

ENTRY_KEYS = frozenset(
    {"name", "path", "git", "ref", "teams", "dockerfile", "context", "target", "config", "defaults"}
)
DISCOVER_KEYS = frozenset({"discover", "teams", "services"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One repository of the fleet."""

    name: str
    path: Path | None = None  # a local checkout
    git: str | None = None  # or a repository to clone
    ref: str | None = None
    teams: tuple[str, ...] = ()
    dockerfile: str | None = None
    context: str | None = None
    target: str | None = None  # the build stage the repository ships
    config: str | None = None  # the repository's own mkdocs.yml, relative to its root
    defaults: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FleetFile:
    path: Path
    guide: Path
    entries: tuple[Entry, ...]

    @property
    def teams(self) -> dict[str, tuple[str, ...]]:
        return {entry.name: entry.teams for entry in self.entries}


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise SetupError(f"{where}: '{key}' must be a name or a list of names")


def _text(value: object, where: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and str(value).strip():
        return str(value)
    raise SetupError(f"{where}: '{key}' must be a non-empty string")


def read(path: Path) -> FleetFile:
    """Read and check a fleet file; SetupError with file and entry on any mistake."""
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
    except OSError as error:
        raise SetupError(f"cannot read the fleet file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise SetupError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(document, Mapping) or not isinstance(document.get("repositories"), list):
        raise SetupError(f"{path}: a fleet file is a mapping with a 'repositories' list")
    unknown = set(document) - {"guide", "repositories"}
    if unknown:
        raise SetupError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    base = path.parent
    guide = base / str(document.get("guide") or "mkdocs.yml")
    entries: list[Entry] = []
    for number, raw in enumerate(document["repositories"], 1):
        where = f"{path}: repositories entry {number}"
        if not isinstance(raw, Mapping):
            raise SetupError(f"{where}: must be a mapping")
        if "discover" in raw:
            entries += _discover(raw, base, where)
        else:
            entries.append(_entry(raw, base, where))
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, 1):
        if entry.name in seen:
            raise SetupError(f"{path}: the repository {entry.name!r} is listed twice")
        seen[entry.name] = index
    return FleetFile(path, guide, tuple(entries))


def _entry(raw: Mapping[str, Any], base: Path, where: str) -> Entry:
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise SetupError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    name = _text(raw.get("name"), where, "name")
    if name is None:
        raise SetupError(f"{where}: every repository needs a 'name'")
    local, git = raw.get("path"), raw.get("git")
    if (local is None) == (git is None):
        raise SetupError(f"{where} ({name}): give exactly one of 'path' and 'git'")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise SetupError(f"{where} ({name}): 'defaults' must be a mapping of check parameters")
    git_url = _text(git, where, "git")
    if git_url is not None and git_url.startswith("-"):
        raise SetupError(f"{where} ({name}): 'git' must be a repository URL or path")
    ref = _text(raw.get("ref"), where, "ref")
    if ref is not None and (ref.startswith("-") or not re.fullmatch(r"[\w./@+-]+", ref)):
        raise SetupError(f"{where} ({name}): 'ref' {ref!r} is not a branch or tag name")
    return Entry(
        name=name,
        path=(base / str(local)) if local is not None else None,
        git=git_url,
        ref=ref,
        teams=_strings(raw.get("teams"), where, "teams"),
        dockerfile=_text(raw.get("dockerfile"), where, "dockerfile"),
        context=_text(raw.get("context"), where, "context"),
        target=_text(raw.get("target"), where, "target"),
        config=_text(raw.get("config"), where, "config"),
        defaults=dict(defaults),
    )


def _discover(raw: Mapping[str, Any], base: Path, where: str) -> list[Entry]:
    unknown = set(raw) - DISCOVER_KEYS
    if unknown:
        raise SetupError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    folder = base / str(raw["discover"])
    if not folder.is_dir():
        raise SetupError(f"{where}: the folder {folder} does not exist")
    teams = _strings(raw.get("teams"), where, "teams")
    services = services_file(base / str(raw["services"]), where) if raw.get("services") else {}
    entries = []
    for child in sorted(folder.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        image = services.get(child.name, {})
        entries.append(
            Entry(
                name=child.name,
                path=child,
                teams=teams,
                dockerfile=image.get("dockerfile"),
                context=image.get("context"),
                target=image.get("target"),
            )
        )
    return entries


def services_file(path: Path, where: str = "") -> dict[str, dict[str, str]]:
    """The first image each repository ships, from a services file (the corpus's
    services.yaml): `folder: [{dockerfile, context, target}, ...]` or
    `folder: {images: [...]}`. Anything else is an error that names the folder."""
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
    except OSError as error:
        raise SetupError(
            f"{where}: cannot read the services file {path}: {error.strerror}"
        ) from error
    except yaml.YAMLError as error:
        raise SetupError(f"{path} is not valid YAML: {error}") from error
    if isinstance(document, Mapping) and isinstance(document.get("repositories"), Mapping):
        document = document["repositories"]
    if not isinstance(document, Mapping):
        raise SetupError(f"{path}: expected a mapping of repository folder -> images")
    found: dict[str, dict[str, str]] = {}
    for folder, value in document.items():
        images = value.get("images") if isinstance(value, Mapping) else value
        if not isinstance(images, list) or not images or not isinstance(images[0], Mapping):
            raise SetupError(f"{path}: {folder}: expected a list of images")
        first = images[0]
        if not isinstance(first.get("dockerfile"), str):
            raise SetupError(f"{path}: {folder}: the first image has no 'dockerfile'")
        found[str(folder)] = {
            key: str(first[key]) for key in ("dockerfile", "context", "target") if first.get(key)
        }
    return found
