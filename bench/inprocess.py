"""The engine driven in this process, the way the plugin drives it, with two observers.

`CountingTarget` is a `Target` that also records which distinct files were read and which
distinct (file, parser) pairs were asked for, so the benchmark can hold the engine's own
counters (`reads`, `parses`) against an independent count. `RecordingCache` is the serve
`ResultCache` that also remembers which evaluations read which file, so the expected number
of re-evaluations after an edit is known before the edit is made.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar
from unittest import mock

from checklists.core import collector, engine
from checklists.core.cache import ResultCache
from checklists.core.engine import Run, Settings, collect, evaluate, settings_from_options
from checklists.core.errors import InputError
from checklists.core.model import Outcome
from checklists.core.registry import CheckSpec
from checklists.core.siteconfig import plugin_options, site_options
from checklists.core.target import MAX_FILE_BYTES, Probe, Target

T = TypeVar("T")


class QuietLog:
    """The engine's log, kept silent; errors are counted so a broken run cannot pass unseen."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def debug(self, msg: str, /, *args: object) -> None: ...
    def info(self, msg: str, /, *args: object) -> None: ...
    def warning(self, msg: str, /, *args: object) -> None: ...

    def error(self, msg: str, /, *args: object) -> None:
        self.errors.append(msg % args if args else msg)


class CountingTarget(Target):
    """A Target that records the distinct files it read, the (file, parser) pairs asked for,
    and, per evaluation (one `tracing()` block), every file the check asked to read or
    parse, whether or not the answer came from the target's per-build caches."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._seen = threading.Lock()
        self._thread = threading.local()
        self.read_ok: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()

    def read_bytes(self, relative: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
        self._asked(relative)
        data = super().read_bytes(relative, limit=limit)
        with self._seen:
            self.read_ok.add(self.normalize(relative))
        return data

    def parse(
        self, relative: str, parser: Callable[[bytes], T], *, limit: int = MAX_FILE_BYTES
    ) -> T:
        self._asked(relative)
        try:
            return super().parse(relative, parser, limit=limit)
        finally:
            rel = self._safe(relative)
            with self._seen:
                if rel in self.read_ok:  # a file that exists: its parse must have happened
                    self.pairs.add((rel, f"{parser.__module__}.{parser.__qualname__}"))

    @contextmanager
    def tracing(self) -> Iterator[set[Probe]]:
        self._thread.asking = set()
        try:
            with super().tracing() as probes:
                yield probes
        finally:
            self._thread.asked, self._thread.asking = self._thread.asking, None

    def last_asked(self) -> set[str]:
        """The files the evaluation that just finished on this thread asked for."""
        asked: set[str] = getattr(self._thread, "asked", set())
        return asked

    def _asked(self, relative: str) -> None:
        asking: set[str] | None = getattr(self._thread, "asking", None)
        if asking is not None:
            asking.add(self._safe(relative))

    def _safe(self, relative: str) -> str:
        try:
            return self.normalize(relative)
        except InputError:
            return relative


@contextmanager
def counting() -> Iterator[list[CountingTarget]]:
    """While the block runs, every target the engine opens is a CountingTarget."""
    opened: list[CountingTarget] = []
    original = engine.open_target

    def open_counting(path: Path) -> Target:
        original(path)  # the same checks and errors as the engine's own
        opened.append(CountingTarget(path))
        return opened[-1]

    with mock.patch.object(engine, "open_target", open_counting):
        yield opened


class RecordingCache(ResultCache):
    """The serve cache, remembering which evaluations depend on each file's content: by the
    probes the engine recorded (what the cache keys on), and by what the check asked the
    target for (a CountingTarget's record, independent of the engine's probes)."""

    def __init__(self) -> None:
        super().__init__()
        self._record = threading.Lock()
        self.by_probes: dict[str, set[tuple[str, str]]] = {}
        self.by_requests: dict[str, set[tuple[str, str]]] = {}

    def store(
        self,
        target: Target,
        spec: CheckSpec,
        key: tuple[str, str],
        outcome: Outcome,
        probes: set[Probe],
    ) -> None:
        super().store(target, spec, key, outcome, probes)
        asked = target.last_asked() if isinstance(target, CountingTarget) else set()
        with self._record:
            for kind, rel in probes:
                if kind == "content":
                    self.by_probes.setdefault(rel, set()).add(key)
            for rel in asked:
                self.by_requests.setdefault(rel, set()).add(key)


def read_pages(docs: Path) -> dict[str, str]:
    """Every Markdown page under docs, by its path relative to docs (as MkDocs names it)."""
    return {
        p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in sorted(docs.rglob("*.md"))
    }


def site_settings(config: Path, cache: ResultCache | None = None) -> tuple[Settings, Path]:
    """The settings the plugin would build from this mkdocs.yml, and the docs folder."""
    root = config.resolve().parent
    settings = settings_from_options(plugin_options(config), root, dt.date.today(), cache)
    docs = root / str(site_options(config).get("docs_dir") or "docs")
    return settings, docs


def evaluate_site(pages: dict[str, str], settings: Settings, log: QuietLog) -> Run:
    """What the plugin does from on_files on: collect the items of all pages, then
    evaluate, with the garbage collector paused as every driver pauses it around both
    (`collector.paused`; released as on_post_build releases it)."""
    try:
        with collector.paused():
            return evaluate(collect(pages, settings.columns), settings, log)
    finally:
        collector.release()


def timed_evaluation(pages: dict[str, str], settings: Settings) -> tuple[float, Run, QuietLog]:
    """Wall time of one evaluate_site, its run and its log."""
    log = QuietLog()
    started = time.perf_counter()
    run = evaluate_site(pages, settings, log)
    return time.perf_counter() - started, run, log


def with_cache(settings: Settings, cache: ResultCache) -> Settings:
    return replace(settings, cache=cache)
