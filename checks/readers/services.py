"""Which images a repository ships: its services, read from the repository alone.

`discover(target)` answers with what the files show, in this order of trust:

1. **Published CI builds**: every image build the workflows perform (`ci_builds.image_builds`)
   whose image is pushed (`push` not false, an `outputs` push, or a later `docker push` of
   one of its tags). These are the images the repository ships.
2. **Compose builds**: every `build:` of the production Compose projects at the root
   (`docker-compose.dev.yml` and the like are development files; see
   `checks.deploy._support.production_projects`), with their context, Dockerfile and target.
3. **Unpublished CI builds**, only when 1 and 2 found nothing: a repository whose CI
   builds its image without pushing it (a test build) still has that image as its product.
4. **Dockerfiles in the tree** (`Dockerfile`, `Dockerfile.*`, `Dockerfile-*`, `*.Dockerfile`,
   `*.dockerfile`, `Containerfile`, `Containerfile.*`, lowercase names too), only when
   nothing above was found or when some build cannot be read (a remote reusable workflow,
   goreleaser, skaffold: what it builds is not visible, so every Dockerfile may be one).
   Their context is their own folder (`docker build <folder>`).

From 3 and 4 the `excluded` rule removes files that are not deliverable images:

* **test fixtures**: a folder named test, tests, testing, testdata, fixtures, e2e, spec,
  cypress (and similar), or a file name with such a word (`Dockerfile.integration-tests`,
  `test-radius.dockerfile`, `Dockerfile.cypress`);
* **development environments**: `.devcontainer/`, `.codesandbox/`, `.gitpod*`, `dev-envs/`,
  a folder named `dev`, or a file name with dev, development, local or debug
  (`Dockerfile.dev`, `dev.Dockerfile`, `Dockerfile.debug`);
* **package builders**: a folder named debian, rpm, deb, rpmbuild, snap or flatpak (a
  Dockerfile that builds `.deb`/`.rpm` packages, not an image to run).

A development Dockerfile beside a service's own (same folder, a dev/development/local
name) is kept as that service's development build. What was found and left out is listed
with the rule that left it out, so the output can say why a Dockerfile is not a service.

The module judges nothing. Paths are target paths; nothing leaves the target.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from checklists import InputError, Target, tr
from checks.readers.ci_builds import ImageBuild, model, normalise
from checks.readers.compose import Build as ComposeBuild
from checks.readers.compose import interpolate, read_compose

__all__ = [
    "Build",
    "Discovery",
    "Found",
    "Skipped",
    "discover",
    "excluded",
    "is_dockerfile_name",
]

MAX_DEPTH = 12  # folder levels below the root that are searched for Dockerfiles
MAX_ENTRIES = 200_000  # files and folders looked at in the search
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "vendor",
        "third_party",
        "third-party",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".cache",
        "bower_components",
    }
)

_NAME = re.compile(
    r"^(?:(?:[Dd]ockerfile|[Cc]ontainerfile)(?:[.-][\w.+-]+)?|[\w.+-]+\.(?:[Dd]ockerfile|[Cc]ontainerfile))$"
)
# Names that look like Dockerfiles but are not one: ignore files, templates, documents.
_NOT_A_DOCKERFILE = re.compile(
    r"\.(?:dockerignore|md|rst|txt|ya?ml|json|sh|bash|py|j2|jinja2?|tmpl|tpl|template|in|"
    r"orig|bak|swp|lock|sum|toml|cfg|ini)$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[._-]")
_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$")
_DEV_COMPOSE = re.compile(r"(?:^|[._-])(?:dev|development|local|test|ci)(?:[._-]|$)")

TEST_FOLDERS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "testdata",
        "test-data",
        "test_data",
        "__tests__",
        "fixtures",
        "fixture",
        "e2e",
        "spec",
        "specs",
        "cypress",
        "integrationtest",
        "integration-test",
        "integration-tests",
        "integration_tests",
    }
)
TEST_WORDS = frozenset({"test", "tests", "testing", "e2e", "cypress", "integrationtest", "spec"})
DEV_FOLDERS = frozenset(
    {".devcontainer", "devcontainer", ".codesandbox", ".gitpod", "dev-envs", "dev", ".vscode"}
)
DEV_WORDS = frozenset({"dev", "devel", "development", "local", "debug", "devcontainer", "gitpod"})
PACKAGE_FOLDERS = frozenset({"debian", "rpm", "deb", "rpmbuild", "snap", "flatpak"})

TEST_FIXTURE = tr("test fixture", "テスト用")
DEVELOPMENT = tr("development environment", "開発環境")
PACKAGE_BUILDER = tr("package builder", "パッケージのビルド用")


def _said(error: InputError) -> str:
    """A reader's error as a note: where, and its words (in both languages)."""
    if not error.location:
        return error.message
    return tr(
        "{where}: {message}", "{where}: {message}", where=error.location, message=error.message
    )


def is_dockerfile_name(name: str) -> bool:
    """Whether a file name is one BuildKit, Podman or a build script would take for a
    Dockerfile (`Dockerfile`, `Dockerfile.alpine`, `prod.Dockerfile`, `Containerfile`)."""
    return bool(_NAME.match(name)) and not _NOT_A_DOCKERFILE.search(name)


def _words(name: str) -> set[str]:
    """The words of a Dockerfile's name besides 'Dockerfile' itself."""
    return {w for w in _TOKEN.split(name.lower()) if w not in {"dockerfile", "containerfile"}}


def excluded(path: str, stage: str | None = None) -> str | None:
    """The rule that says a Dockerfile (built at `stage`) is not a deliverable image, or
    None (module docstring). A stage is named like a file: `dev`, `test`, `debug`."""
    parts = path.lower().split("/")
    folders, words = set(parts[:-1]), _words(parts[-1]) | set(_TOKEN.split((stage or "").lower()))
    if folders & TEST_FOLDERS or words & TEST_WORDS:
        return TEST_FIXTURE
    if folders & DEV_FOLDERS or words & DEV_WORDS or parts[-1].startswith(".gitpod"):
        return DEVELOPMENT
    if folders & PACKAGE_FOLDERS:
        return PACKAGE_BUILDER
    return None


@dataclass(frozen=True, slots=True)
class Found:
    """One place that says an image is built: a workflow step, a Compose service, a file."""

    kind: str  # "ci", "compose" or "tree"
    path: str
    line: int | None
    note: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Build:
    """One image the repository ships: a Dockerfile, its context and build target."""

    dockerfile: str
    context: str | None  # None: not a folder of the repository (generated at build time)
    target: str | None
    published: bool
    found: tuple[Found, ...]
    name_hint: str | None = None  # a Compose service name or an image name
    development: str | None = None  # a development Dockerfile beside it

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.dockerfile, self.context, self.target)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A Dockerfile that was found and is not a service, and why."""

    dockerfile: str
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    builds: tuple[Build, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def _published(build: ImageBuild, pushed_tags: set[str]) -> bool:
    return (
        build.push.strip().lower() != "false"
        or build.pushes_by_output
        or any(tag in pushed_tags for tag in build.tags)
    )


def _image_name(tags: tuple[str, ...]) -> str | None:
    """The repository part of the first tag that is plain text (`ghcr.io/o/app:1` -> app)."""
    for tag in tags:
        if "$" in tag or "{" in tag:
            continue
        name = tag.rsplit("/", 1)[-1].split("@")[0].split(":")[0]
        if name:
            return name
    return None


def _ci_builds(target: Target, notes: list[str]) -> tuple[list[Build], list[Build], bool]:
    """Published and unpublished CI builds, and whether some build cannot be read."""
    try:
        found = model(target)
    except InputError as error:
        notes.append(
            tr(
                "the workflows could not be read: {error}",
                "ワークフローを読み取れない: {error}",
                error=_said(error),
            )
        )
        return [], [], True
    pushed_tags = {image for push in found.pushes for image in push.images}
    published: list[Build] = []
    unpublished: list[Build] = []
    for build in found.builds:
        if build.dockerfile is None:
            unresolved = "; ".join(build.unresolved)
            notes.append(
                tr(
                    "{place}: a build whose Dockerfile cannot be read from the file ({why})",
                    "{place}: Dockerfile をファイルから読み取れないビルド（{why}）",
                    place=f"{build.place.path}:{build.place.line}",
                    why=unresolved or tr("an expression", "式"),
                )
            )
            continue
        context = build.context
        if context is not None and (context.startswith("../") or context == ".."):
            context = None
        entry = Build(
            build.dockerfile,
            context,
            build.target,
            _published(build, pushed_tags),
            (Found("ci", build.place.path, build.place.line, build.label),),
            _image_name(build.tags),
        )
        (published if entry.published else unpublished).append(entry)
    opaque = [
        o for o in found.opaque if o.kind == "build" or (o.kind == "workflow" and o.image_related)
    ]
    for item in opaque:
        notes.append(
            tr(
                "{place}: {reason}",
                "{place}: {reason}",
                place=f"{item.place.path}:{item.place.line}",
                reason=item.reason,
            )
        )
    return published, unpublished, bool(opaque)


def _compose_builds(target: Target, files: list[str], notes: list[str]) -> list[Build]:
    """The `build:` of every service in the Compose files found (root and subfolders; in a
    folder with other Compose files, the development ones are left out)."""
    by_folder: dict[str, list[str]] = {}
    for path in files:
        by_folder.setdefault(posixpath.dirname(path), []).append(path)
    builds: list[Build] = []
    for folder, paths in sorted(by_folder.items()):
        production = [
            p for p in paths if not _DEV_COMPOSE.search(p.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        ]
        for path in production or paths:
            try:
                compose = target.parse(path, read_compose)
            except InputError as error:
                notes.append(
                    tr(
                        "{path}: not read ({error})",
                        "{path}: 読み取れない（{error}）",
                        path=path,
                        error=_said(error),
                    )
                )
                continue
            for service in compose.services:
                if service.build is not None:
                    found = _compose_build(path, folder, service.name, service.build, notes)
                    if found is not None:
                        builds.append(found)
    return builds


def _compose_build(
    path: str, folder: str, name: str, build: ComposeBuild, notes: list[str]
) -> Build | None:
    context, _ = interpolate(build.context)
    dockerfile, _ = interpolate(build.dockerfile or "Dockerfile")
    stage = None
    if build.target is not None:
        stage, _ = interpolate(build.target)
    if context is None or dockerfile is None or (build.target is not None and stage is None):
        notes.append(
            tr(
                "{place}: service {name} builds with the shell's variables; not followed",
                "{place}: サービス {name} はシェルの変数でビルドするため、たどらない",
                place=f"{path}:{build.line}",
                name=repr(name),
            )
        )
        return None
    if "://" in context or context.startswith("git@"):
        notes.append(
            tr(
                "{place}: service {name} builds from a remote context",
                "{place}: サービス {name} はリモートのコンテキストからビルドする",
                place=f"{path}:{build.line}",
                name=repr(name),
            )
        )
        return None
    where = normalise(posixpath.join(folder, context))
    if where == ".." or where.startswith("../"):
        notes.append(
            tr(
                "{place}: service {name} builds from {context}, outside the repository",
                "{place}: サービス {name} はリポジトリの外の {context} からビルドする",
                place=f"{path}:{build.line}",
                name=repr(name),
                context=context,
            )
        )
        return None
    return Build(
        normalise(posixpath.join(where, dockerfile)),
        where,
        stage,
        False,
        (Found("compose", path, build.line, f"service {name!r}"),),
        name,
    )


def _tree(target: Target, notes: list[str]) -> tuple[list[str], list[str]]:
    """Every Dockerfile and every Compose file in the repository, breadth first, without
    the skipped folders (Compose files also without test and development folders)."""
    found: list[str] = []
    compose: list[str] = []
    queue: list[tuple[str, int]] = [(".", 0)]
    seen = 0
    while queue:
        folder, depth = queue.pop(0)
        try:
            entries = target.listdir(folder)
        except InputError as error:
            notes.append(
                tr(
                    "{folder}: not searched ({error})",
                    "{folder}: 探していない（{error}）",
                    folder=folder,
                    error=_said(error),
                )
            )
            continue
        seen += len(entries)
        if seen > MAX_ENTRIES:
            notes.append(
                tr(
                    "the search for Dockerfiles stopped after {count} entries",
                    "Dockerfile の探索は {count} 項目で打ち切った",
                    count=f"{MAX_ENTRIES:,}",
                )
            )
            break
        for path in entries:
            name = path.rsplit("/", 1)[-1]
            try:
                kind = target.kind(path)
            except InputError:
                continue
            if kind == "directory":
                if name not in SKIPPED_FOLDERS and depth < MAX_DEPTH:
                    queue.append((path, depth + 1))
            elif kind == "file" and is_dockerfile_name(name):
                found.append(path)
            elif kind == "file" and _COMPOSE_NAME.match(name) and excluded(path) is None:
                compose.append(path)
    return sorted(found), sorted(compose)


def _merge(builds: list[Build]) -> list[Build]:
    """One entry per (Dockerfile, context, target), with every place that builds it."""
    merged: dict[tuple[str, str | None, str | None], Build] = {}
    for build in builds:
        known = merged.get(build.key)
        if known is None:
            merged[build.key] = build
            continue
        merged[build.key] = Build(
            known.dockerfile,
            known.context,
            known.target,
            known.published or build.published,
            known.found + tuple(f for f in build.found if f not in known.found),
            known.name_hint or build.name_hint,
        )
    return list(merged.values())


def _development(path: str, tree: list[str]) -> str | None:
    """A development Dockerfile in the same folder as `path` (Dockerfile.dev, dev.Dockerfile)."""
    folder = posixpath.dirname(path)
    for other in tree:
        if other == path or posixpath.dirname(other) != folder:
            continue
        words = _words(other.rsplit("/", 1)[-1])
        if words & {"dev", "devel", "development", "local"} and not words & TEST_WORDS:
            return other
    return None


# radon D: merges CI builds, the Dockerfile tree and Compose builds, with the rules that drop each.
def discover(target: Target) -> Discovery:
    """The images the repository ships (module docstring), each once, in a stable order."""
    notes: list[str] = []
    published, unpublished, opaque = _ci_builds(target, notes)
    tree, compose_files = _tree(target, notes)
    compose = _compose_builds(target, compose_files, notes)
    skipped: list[Skipped] = []
    # A Compose build of a test or development file is left out; one of a development
    # stage only when the same Dockerfile is built for another stage too (a sample whose
    # Compose file builds only its `development` stage still ships that).
    plain = {b.dockerfile for b in published} | {
        b.dockerfile for b in compose if not excluded(b.dockerfile, b.target)
    }
    kept: list[Build] = []
    for build in compose:
        rule = excluded(build.dockerfile, build.target)
        if rule and excluded(build.dockerfile) is None and build.dockerfile not in plain:
            rule = None
        if rule:
            shown = build.dockerfile + (f" --target {build.target}" if build.target else "")
            built_by = tr(
                "{rule} (built by {place})",
                "{rule}（{place} でビルド）",
                rule=rule,
                place=build.found[0].location,
            )
            skipped.append(Skipped(shown, built_by))
        else:
            kept.append(build)
    chosen = _merge(published + kept)
    if not chosen:
        for build in _merge(unpublished):
            rule = excluded(build.dockerfile, build.target)
            if rule:
                not_pushed = tr(
                    "{rule} (built by CI, not pushed)",
                    "{rule}（CI でビルドするが push しない）",
                    rule=rule,
                )
                skipped.append(Skipped(build.dockerfile, not_pushed))
            else:
                chosen.append(build)
    missing = [b for b in chosen if not _is_file(target, b.dockerfile)]
    for build in missing:
        notes.append(
            tr(
                "{place}: builds {dockerfile}, which is not in the repository "
                "(generated at build time?)",
                "{place}: リポジトリにない {dockerfile} をビルドする（ビルド時に生成？）",
                place=build.found[0].location,
                dockerfile=build.dockerfile,
            )
        )
    chosen = [b for b in chosen if b not in missing]
    built = {b.dockerfile for b in chosen}
    take_tree = not chosen or opaque
    for path in tree:
        if path in built or any(s.dockerfile == path for s in skipped):
            continue
        rule = excluded(path)
        if rule:
            skipped.append(Skipped(path, rule))
        elif take_tree:
            folder = posixpath.dirname(path) or "."
            chosen.append(
                Build(path, folder, None, False, (Found("tree", path, None, "found in the tree"),))
            )
        else:
            skipped.append(
                Skipped(
                    path,
                    tr(
                        "not built by the workflows or Compose",
                        "ワークフローでも Compose でもビルドしない",
                    ),
                )
            )
    with_dev = [
        Build(
            b.dockerfile,
            b.context,
            b.target,
            b.published,
            b.found,
            b.name_hint,
            _development(b.dockerfile, tree),
        )
        for b in chosen
    ]
    with_dev.sort(key=lambda b: (b.dockerfile, b.context or "", b.target or ""))
    skipped.sort(key=lambda s: s.dockerfile)
    return Discovery(tuple(with_dev), tuple(dict.fromkeys(skipped)), tuple(dict.fromkeys(notes)))


def _is_file(target: Target, path: str) -> bool:
    try:
        return target.is_file(path)
    except InputError:
        return False
