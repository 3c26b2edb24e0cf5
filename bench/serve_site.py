"""Serve on the real site: what the checks plugin adds to the rebuild a user waits for.

`mkdocs serve` keeps its plugin instances and rebuilds the site in the same process. This
does the same in this process: the repository's mkdocs.yml loaded as serve loads it (the
`serve` command told to the plugins once, the configuration loaded again before each
rebuild), built into a temporary folder, against a copy of the example target
(`CHECKLISTS_TARGET`), so an edit touches no file of the repository. After the first build
each of the checks plugin's hooks is timed; the plugin's share of a rebuild is the sum of
its hooks; the catalog plugin's hooks (a plugin of the project too, made anew by every load
of the configuration) are timed apart and shown beside it. Rebuilds: no change, then one
line appended to the Dockerfile most checks read. The watch plan the plugin hands the server
is checked too: no watch inside another (two watches on one place sent one edit twice, and
the second could land after the first rebuild had started, which then ran again).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.timing import median
from checklists.site import serve

HOOKS = ("on_config", "on_files", "on_page_markdown", "on_post_page", "on_post_build")
CATALOG_HOOKS = ("on_files", "on_post_page")
EDIT = b"\n# edited while serving\n"


@dataclass(frozen=True, slots=True)
class Rebuild:
    label: str
    seconds: list[float]  # the whole rebuild, MkDocs and every plugin
    plugin_seconds: list[float]  # the checks plugin's hooks
    plugin_cpu: list[float]  # their CPU time in this process (a worker's is not counted)
    evaluations: int  # checks that ran again
    catalog_seconds: list[float]  # the catalog plugin's hooks (the project's other plugin)


@dataclass(frozen=True, slots=True)
class ServeSite:
    rebuilds: list[Rebuild]
    edited: str
    watches: int
    nested: int  # watches inside (or on) another watched place

    def by_label(self, label: str) -> Rebuild:
        return next(r for r in self.rebuilds if r.label == label)


class _Timer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - any hook
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.cpu += time.process_time() - cpu

        return timed


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def nested_watches(plan: list[Any]) -> tuple[int, int]:
    """(watches, how many lie inside or on another recursive watch). Takes the plugin's
    plan as (path, recursive) pairs, or bare paths (recursive, as MkDocs' default is)."""
    pairs = [(Path(p[0]), bool(p[1])) if isinstance(p, tuple) else (Path(p), True) for p in plan]
    nested = 0
    for index, (path, _) in enumerate(pairs):
        for number, (other, deep) in enumerate(pairs):
            if number != index and deep and (other == path or other in path.parents):
                nested += 1
                break
    return len(pairs), nested


def measure(config: Path, work: Path, runs: int) -> ServeSite:
    from mkdocs.commands.build import build  # noqa: PLC0415 - only this section needs MkDocs
    from mkdocs.config import load_config  # noqa: PLC0415

    from checklists.core.siteconfig import plugin_options  # noqa: PLC0415
    from checklists.site.plugin import CatalogPlugin  # noqa: PLC0415

    source = (config.parent / str(plugin_options(config).get("target", "."))).resolve()
    target = work / "serve-target"
    shutil.copytree(source, target, symlinks=True)
    site = work / "serve-site"
    timer, catalog = _Timer(), _Timer()
    rebuilds: list[Rebuild] = []
    originals = {name: getattr(CatalogPlugin, name) for name in CATALOG_HOOKS}
    with _env(CHECKLISTS_TARGET=str(target), NO_MKDOCS_2_WARNING="1"):

        def load() -> Any:  # noqa: ANN401 - MkDocs' config
            return load_config(config_file=str(config), site_dir=str(site))

        first = load()
        first.plugins.on_startup(command="serve", dirty=False)
        build(first)  # the first build: nothing cached
        plugin = first.plugins["checklists"]
        for name in HOOKS:  # later loads register the instance's (wrapped) hooks
            setattr(plugin, name, timer.wrap(getattr(plugin, name)))
        for name, method in originals.items():  # each load makes a new catalog plugin
            setattr(CatalogPlugin, name, catalog.wrap(method))
        edited = "backend/Dockerfile"

        def rebuild(label: str, before: Callable[[], None]) -> None:
            walls, mine, cpu, theirs, ran = [], [], [], [], 0
            for _ in range(runs):
                before()
                timer.seconds = timer.cpu = catalog.seconds = 0.0
                started = time.perf_counter()
                build(load())
                walls.append(time.perf_counter() - started)
                mine.append(timer.seconds)
                cpu.append(timer.cpu)
                theirs.append(catalog.seconds)
                ran = plugin.result().evaluations
            rebuilds.append(Rebuild(label, walls, mine, cpu, ran, theirs))

        original = (target / edited).read_bytes()
        count = [0]

        def edit() -> None:
            count[0] += 1
            (target / edited).write_bytes(original + EDIT * count[0])

        try:
            rebuild("no change", lambda: None)
            rebuild("one file edited", edit)
        finally:
            (target / edited).write_bytes(original)
            for name, method in originals.items():
                setattr(CatalogPlugin, name, method)
        watches, nested = nested_watches(list(serve.watched(plugin.result())))
    return ServeSite(rebuilds, edited, watches, nested)


def plugin_median(rebuild: Rebuild) -> float:
    return median(rebuild.plugin_seconds)
