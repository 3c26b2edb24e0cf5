"""One run of the engine: collect the items of every page, evaluate, judge.

This is what the MkDocs plugin and the command line share. It never renders; it returns a
`Run` that renderers and report writers read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checklists.bindings import Item, scan
from checklists.errors import SetupError
from checklists.model import Outcome
from checklists.registry import REGISTRY, Registry, load_packages
from checklists.runner import Log, Task, resolve, run_all
from checklists.target import Target
from checklists.verdict import ORDER, Policy, Verdict, fails, judge


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs besides the pages; the plugin builds it from mkdocs.yml."""

    target: Path
    packages: tuple[str, ...] = ("checks",)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = 30.0
    workers: int = 4
    policy: Policy = field(default_factory=lambda: Policy(today=dt.date.today()))


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: Item
    outcome: Outcome | None  # None for an unbound item
    verdict: Verdict
    fails: bool


@dataclass(frozen=True, slots=True)
class Run:
    """The results of one build, in stable order (page, then line)."""

    results: tuple[ItemResult, ...]
    evaluations: int
    target: Target

    def for_page(self, page: str) -> list[ItemResult]:
        return [result for result in self.results if result.item.page == page]

    @property
    def bound(self) -> list[ItemResult]:
        return [result for result in self.results if result.item.bound]

    @property
    def unbound(self) -> list[ItemResult]:
        return [result for result in self.results if not result.item.bound]

    @property
    def failures(self) -> list[ItemResult]:
        return [result for result in self.results if result.fails]

    def counts(self, results: Iterable[ItemResult] | None = None) -> dict[Verdict, int]:
        """Verdict counts, worst first, for the given results (default: bound items)."""
        tally = Counter(r.verdict for r in (self.bound if results is None else results))
        return {verdict: tally[verdict] for verdict in ORDER if tally[verdict]}


def open_target(path: Path) -> Target:
    if not path.is_dir():
        raise SetupError(
            f"the target folder {path} does not exist; set the plugin option 'target' "
            "(or the CHECKLISTS_TARGET environment variable) to your repository's root"
        )
    return Target(path)


def collect(pages: Mapping[str, str]) -> list[Item]:
    """Every task-list item of every page, sorted by page and line."""
    items = [item for page, markdown in sorted(pages.items()) for item in scan(markdown, page)]
    return sorted(items, key=lambda item: (item.page, item.line))


def evaluate(items: list[Item], settings: Settings, log: Log, registry: Registry = REGISTRY) -> Run:
    """Resolve, evaluate each distinct (check, params) once, and judge every item."""
    if registry is REGISTRY:
        load_packages(list(settings.packages), registry)
    target = open_target(settings.target)
    resolved: list[Task | Outcome | None] = [
        resolve(item, registry, settings.defaults) if item.bound else None for item in items
    ]
    tasks = list({task.key: task for task in resolved if isinstance(task, Task)}.values())
    outcomes = run_all(tasks, target, log, timeout=settings.timeout, workers=settings.workers)
    results: list[ItemResult] = []
    for item, task in zip(items, resolved, strict=True):
        if task is None:
            results.append(ItemResult(item, None, Verdict.UNBOUND, fails_unbound(settings)))
            continue
        outcome = outcomes[task.key] if isinstance(task, Task) else task
        verdict = judge(item.claim, outcome.status, item.waiver, settings.policy)
        results.append(
            ItemResult(item, outcome, verdict, fails(verdict, item.claim, settings.policy))
        )
    return Run(tuple(results), len(tasks), target)


def fails_unbound(settings: Settings) -> bool:
    return fails(Verdict.UNBOUND, False, settings.policy)
