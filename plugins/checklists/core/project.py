"""Where the command line finds its configuration, guide pages and target.

Three ways to run, tried in this order:

* **a site** (`--config mkdocs.yml`, or a `mkdocs.yml` enabling the plugin in the current
  folder when no PATH is given): the plugin's options from it, its docs folder's pages,
  as `mkdocs build` sees them;
* **a repository's own configuration** (`--config FILE`, or `.checklists.yml` in PATH): the
  plugin's options (the same table, the same messages) plus `guide`, a Markdown page or a
  folder of pages relative to the file (default: the guide the check library ships); the
  target is the file's folder unless `target` says otherwise;
* **no configuration** (`checklists check PATH` on any repository): the check library's
  own guide and configuration (package data, `__checklists_guide__` in its package), the
  services discovered in PATH.

Nothing here imports MkDocs.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checklists.core.engine import decode_page
from checklists.core.errors import SetupError
from checklists.core.options import Locate, validate
from checklists.core.siteconfig import (
    PLUGIN,
    compose,
    construct,  # the same tolerant, bounded reader as for mkdocs.yml
    locator,
    plugin_options,
    shown,
    site_options,
)

CONFIG_NAMES = (".checklists.yml", ".checklists.yaml", "checklists.yml", "checklists.yaml")
SITE_NAME = "mkdocs.yml"
OWN_KEYS = ("guide",)  # keys of a repository's configuration besides the plugin's options


@dataclass(frozen=True, slots=True)
class Project:
    """What one run reads: the plugin's options, the guide's pages and their names."""

    kind: str  # "site", "config" or "packaged"
    options: dict[str, Any]
    root: Path  # relative paths in the options are relative to this folder
    pages: Path  # a docs folder or one Markdown page
    config: Path | None  # the file the options came from (None: the library's own)
    lang: str = "ja"
    # The guide is the check library's own: its waivers were written for its example
    # target, never for the repository checked, so they do not apply.
    packaged_guide: bool = False
    raw: dict[str, Any] = field(default_factory=dict)  # the options as written

    def locate(self) -> Locate | None:
        """Where an option's path is written ("mkdocs.yml:12"), for messages."""
        if self.config is None:
            return None
        return locator(self.config) if self.kind == "site" else _located(self.config)

    @property
    def shown(self) -> str:
        return shown(self.config) if self.config is not None else "(the guide's own configuration)"


def _theme_language(document: dict[str, Any]) -> str:
    theme = document.get("theme")
    return str(theme.get("language", "ja")) if isinstance(theme, dict) else "ja"


def _site_or_hint(config: Path) -> Project:
    try:
        return site(config)
    except SetupError as error:
        if "does not enable" not in str(error):
            raise
        raise SetupError(
            f"{error}; to check this folder as a repository with the guide's own "
            "configuration, run `checklists check .`"
        ) from None


def site(config: Path) -> Project:
    options = plugin_options(config)
    document = site_options(config)
    docs = config.parent / str(document.get("docs_dir") or "docs")
    return Project("site", options, config.parent, docs, config, _theme_language(document))


def repository_config(config: Path) -> Project:
    """A repository's own configuration file (see the module docstring)."""
    node = compose(config)
    document = construct(node)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise SetupError(f"{shown(config)}: the configuration must be a mapping (name: value)")
    guide = document.pop("guide", None)
    document.setdefault("target", ".")
    options = validate(document, _located(config))
    if guide is not None and not (isinstance(guide, str) and guide.strip()):
        raise SetupError(f"{shown(config)}: `guide` must be a path to a page or a folder")
    if guide is None:
        # The library's guide comes with its configuration: this file adjusts it (its
        # `defaults` and `environments` entries over the guide's, any other option
        # replacing the guide's).
        packaged = packaged_project(list(options.get("checks") or ["checks"]))
        merged = dict(packaged.raw)
        for key, value in document.items():
            base = merged.get(key)
            if key in ("defaults", "environments") and isinstance(base, dict):
                merged[key] = {**base, **value} if isinstance(value, dict) else value
            else:
                merged[key] = value
        options = validate(merged, _located(config))
        pages = packaged.pages
        return Project("config", options, config.parent, pages, config, packaged_guide=True)
    pages = (config.parent / guide).resolve()
    if not pages.exists():
        raise SetupError(f"{shown(config)}: the guide {guide} does not exist")
    return Project("config", options, config.parent, pages, config)


def _located(config: Path) -> Locate:
    """A locator for a configuration whose options are at the top level."""
    name = shown(config)
    try:
        root = compose(config)
    except SetupError:
        root = None

    def locate(path: tuple[str, ...]) -> str:
        node, line = root, None
        for key in path:
            found = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == key:
                        found = k, v
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        return f"{name}:{line}" if line else name

    return locate


def packaged_project(packages: list[str]) -> Project:
    """The first check package's own guide and configuration (`__checklists_guide__`)."""
    for name in packages:
        try:
            package = importlib.import_module(name)
        except ImportError as error:
            raise SetupError(f"cannot import the check package {name!r}: {error}") from error
        relative = getattr(package, "__checklists_guide__", None)
        if relative is None or package.__file__ is None:
            continue
        config = Path(package.__file__).parent / relative
        if not config.is_file():
            raise SetupError(f"the check package {name!r} names {relative}, which is not there")
        node = compose(config)
        document = construct(node) or {}
        if not isinstance(document, dict):
            raise SetupError(f"{config}: not a mapping")
        guide = config.parent / str(document.pop("guide", "index.md"))
        options = validate(document, _located(config))
        return Project(
            "packaged", options, Path.cwd(), guide, None, packaged_guide=True, raw=document
        )
    raise SetupError(
        f"no configuration found, and none of the check packages {packages} ships a guide; "
        f"run in a folder with {SITE_NAME} or pass --config"
    )


def find(path: str | None, config: str | None) -> Project:
    """The project a command runs (module docstring). `path` is the repository to check."""
    if config is not None:
        file = Path(config).resolve()
        project = site(file) if _is_site(file) else repository_config(file)
    else:
        folder = Path(path or ".").resolve()
        own = next((folder / n for n in CONFIG_NAMES if (folder / n).is_file()), None)
        here = Path(SITE_NAME).resolve()
        if path is None and (here.exists() or here.is_symlink()):
            # `checklists check` beside a mkdocs.yml: that site, as before (its mistakes
            # said); `checklists check .` checks the folder as a repository instead.
            project = _site_or_hint(here)
        elif own is not None:
            project = repository_config(own)
        else:
            packaged = packaged_project(["checks"])
            project = packaged
            project.options["target"] = str(folder)
    if path is not None:
        target = Path(path).resolve()
        if not target.is_dir():
            raise SetupError(
                f"the target folder {path} does not exist (or is not a folder); "
                "give the repository to check"
            )
        project.options["target"] = str(target)
    return project


def _is_site(file: Path) -> bool:
    """A MkDocs configuration (any key MkDocs knows: plugins, site_name, ...) rather than a
    repository's own; a file that cannot be read is a site unless named like ours, so that
    reading it says what is wrong as before."""
    try:
        document = site_options(file)
    except SetupError:
        return file.name not in CONFIG_NAMES
    if set(document) & {"plugins", "site_name", "docs_dir", "theme", "nav"}:
        return True
    return file.name not in CONFIG_NAMES


def target_env() -> str | None:
    """CHECKLISTS_TARGET, when set."""
    return os.environ.get("CHECKLISTS_TARGET") or None


__all__ = ["CONFIG_NAMES", "PLUGIN", "Project", "find", "locator", "packaged_project"]


# The guide's pages: every Markdown page of the docs folder but the ones `checklists check
# --pages` wrote (the compliance page, the catalog), which start with GENERATED.
GENERATED = "<!-- checklists:generated -->"
_GENERATED = re.compile(r"\A\ufeff?(?:---\n(?:.*\n){0,20}?---\n\s*)?" + re.escape(GENERATED))


def is_generated(text: str | bytes) -> bool:
    """A page `checklists check --pages` wrote (never a page of the guide): the marker
    first, after the front matter if any. Bytes are read as far as they are UTF-8 (a page
    that is not is reported where the guide is read, not here)."""
    if isinstance(text, bytes):
        text = text[:4096].decode("utf-8", "replace")
    return _GENERATED.match(text) is not None


MAX_DOCS_DEPTH = 64  # folder levels below docs_dir that are read


def read_pages(docs: Path, shown: str) -> dict[str, str]:
    """Every Markdown page under the docs folder by its path there, as MkDocs names it.

    Walked with a stack rather than recursion (a tree 1,500 folders deep must not end in
    RecursionError), folders linked twice or in a loop read once, at most MAX_DOCS_DEPTH
    levels; a page that is not UTF-8 or cannot be read is a SetupError naming it.
    """
    pages: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [(str(docs), "")]
    while stack:
        folder, relative = stack.pop()
        if relative.count("/") >= MAX_DOCS_DEPTH:
            raise SetupError(
                f"{shown}/{relative}: folders nested more than {MAX_DOCS_DEPTH} levels deep "
                "in the docs folder; not read"
            )
        try:
            identity = os.stat(folder)  # noqa: PTH116 - str paths, cheaper in a walk
            if (identity.st_dev, identity.st_ino) in seen:
                continue
            seen.add((identity.st_dev, identity.st_ino))
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            raise SetupError(f"cannot read {shown}/{relative}: {error.strerror}") from error
        for entry in entries:
            name = f"{relative}{entry.name}"
            try:
                if entry.is_dir():
                    stack.append((entry.path, f"{name}/"))
                elif entry.name.endswith(".md") and entry.is_file():
                    with open(entry.path, "rb") as stream:  # noqa: PTH123
                        text = decode_page(stream.read(), f"{shown}/{name}")
                    if not is_generated(text):  # written by --pages, not the guide's
                        pages[name] = text
            except OSError as error:
                raise SetupError(f"cannot read {shown}/{name}: {error.strerror}") from error
    return dict(sorted(pages.items()))
