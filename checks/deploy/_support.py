"""What the deploy checks share: Compose projects, the app's services, files of the target.

A Compose *project* is what `docker compose` loads: by default `compose.yaml` (or
`compose.yml`, `docker-compose.yaml`, `docker-compose.yml`, the first that exists) plus its
`*.override.*` file; here every other Compose file at the target root
(`docker-compose.dev.yml`, `compose.prod.yaml`, ...) is a project of its own too, since
each is started with `-f`. A check's `compose` parameter replaces the discovery with an
explicit list of files that form ONE project, merged in order as `docker compose -f a -f b`
merges them: for a setting, the last file that sets it wins.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from checklists import Evidence, Target, tr
from checks.readers.compose import ComposeFile, Service, read_compose

T = TypeVar("T")

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_COMPOSE_FILE = re.compile(r"^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$")
_OVERRIDE = re.compile(r"^(?P<base>(?:docker-)?compose)\.override\.(?P<ext>ya?ml)$")
SKIPPED_FOLDERS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", "site"}
)
MAX_SCAN_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Project:
    """The Compose files `docker compose` would merge, in order."""

    files: tuple[tuple[str, ComposeFile], ...]

    @property
    def label(self) -> str:
        return " + ".join(path for path, _ in self.files)

    def service_names(self) -> list[str]:
        names: list[str] = []
        for _, compose in self.files:
            names += [s.name for s in compose.services if s.name not in names]
        return names

    def definitions(self, name: str) -> list[tuple[str, Service]]:
        """Every file's definition of the service, in merge order."""
        found = []
        for path, compose in self.files:
            service = compose.service(name)
            if service is not None:
                found.append((path, service))
        return found

    def setting(self, name: str, get: Callable[[Service], T | None]) -> tuple[str, T] | None:
        """The value the merged project has for a service setting, with the file it is from."""
        for path, service in reversed(self.definitions(name)):
            value = get(service)
            if value is not None:
                return path, value
        return None

    def where(self, name: str) -> Evidence:
        path, service = self.definitions(name)[0]
        return Evidence(
            tr("service {name!r}", "サービス {name!r}", name=name), path=path, line=service.line
        )


def compose_projects(target: Target, compose: Sequence[str] | None) -> list[Project]:
    """The projects to judge: the explicit list as one project, or those found at the root."""
    if compose is not None:
        return [Project(tuple((path, target.parse(path, read_compose)) for path in compose))]
    # Every root entry Compose would pick by name, even one that cannot be read (a folder,
    # a symlink loop): parsing it then says why, instead of the file seeming absent.
    root_files = [path for path in target.listdir(".") if _COMPOSE_FILE.match(path)]
    projects: list[Project] = []
    for path in root_files:
        if _OVERRIDE.match(path):
            continue
        files = [path]
        stem, _, ext = path.rpartition(".")
        override = f"{stem}.override.{ext}"
        if path in COMPOSE_NAMES and override in root_files:
            files.append(override)
        projects.append(Project(tuple((f, target.parse(f, read_compose)) for f in files)))
    for path in root_files:
        matched = _OVERRIDE.match(path)
        if matched and not any(path in p.label for p in projects):
            projects.append(Project(((path, target.parse(path, read_compose)),)))
    return projects


def app_services(project: Project, services: Sequence[str] | None) -> tuple[list[str], str]:
    """The services that run the app, and how they were chosen."""
    names = project.service_names()
    if services is not None:
        return [n for n in names if n in services], tr(
            "the services named {names}",
            "指定されたサービス {names}",
            names=repr(list(services)),
        )
    built = [n for n in names if project.setting(n, lambda s: s.build) is not None]
    if built:
        return built, tr(
            "the services built from the target's own Dockerfiles (`build:`)",
            "ターゲット自身の Dockerfile からビルドするサービス（`build:`）",
        )
    return names, tr(
        "every service (none is built from the target; name them with `services`)",
        "すべてのサービス（ターゲットからビルドするものがない。`services` で指定できる）",
    )


# -- interpolation ----------------------------------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:\$|\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(text: str) -> tuple[str | None, list[str]]:
    """Compose's interpolation done as far as the file alone allows.

    `${VAR:-default}` / `${VAR-default}` take the default (noted), `$$` is `$`; anything
    that needs the shell's value (`${VAR}`, `$VAR`, `${VAR:?error}`) makes the result None.
    """
    notes: list[str] = []
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        if match[0] == "$$":
            return "$"
        name = match["name"] or match["bare"]
        if match["op"] in ("-", ":-"):
            notes.append(
                tr(
                    "${{{name}}} unset: its default {default!r} is used",
                    "${{{name}}} が未設定: デフォルト値 {default!r} を使用",
                    name=name,
                    default=match["arg"],
                )
            )
            return match["arg"] or ""
        unresolved = True
        return match[0]

    result = _VARIABLE.sub(replace, text)
    return (None if unresolved else result), notes


# -- files of the target ----------------------------------------------------------------------


def scanned_files(target: Target, folder: str = ".") -> Iterator[str]:
    """The target's files a content scan reads: no VCS, dependency or cache folders."""
    if not target.exists(folder):
        return
    for path in target.files(folder):
        parts = path.split("/")
        if any(part in SKIPPED_FOLDERS for part in parts[:-1]):
            continue
        if target.size(path) > MAX_SCAN_BYTES:
            continue
        yield path


def text_or_none(target: Target, path: str) -> str | None:
    """The file as text, or None for a binary or non-UTF-8 file (a scan skips those)."""
    data = target.read_bytes(path)
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def line_excerpt(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def basename(path: str) -> str:
    return posixpath.basename(path)


_DEV_MARK = re.compile(r"(?:^|[._-])(?:dev|development|local|test|ci)(?:[._-]|$)")


def production_projects(projects: list[Project]) -> tuple[list[Project], str | None]:
    """Projects for production: development ones (`*.dev.yml`, `*.local.yml`, `*.test.yml`,
    `*.ci.yml`) are left out when another project exists, and judged when they are all."""
    production = [p for p in projects if not _DEV_MARK.search(p.files[0][0].rsplit(".", 1)[0])]
    if production and len(production) < len(projects):
        left = ", ".join(p.label for p in projects if p not in production)
        return production, tr(
            "development Compose files not judged: {left}",
            "開発用の Compose ファイルは判定対象外: {left}",
            left=left,
        )
    if not production and projects:
        return projects, tr(
            "only development Compose files exist; they are judged",
            "開発用の Compose ファイルしかないため、それを判定",
        )
    return projects, None
