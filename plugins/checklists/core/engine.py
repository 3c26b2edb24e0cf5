"""One run of the engine: collect the items of every page, evaluate, judge.

This is what the MkDocs plugin and the command line share. It never renders; it returns a
`Run` that renderers and report writers read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checklists.core.bindings import Columns, Item, scan
from checklists.core.cache import ResultCache
from checklists.core.claims import Claim, all_claims
from checklists.core.errors import InputError, SetupError
from checklists.core.limits import Kind, Quantity, Stated, parse_limit, stated
from checklists.core.message import Message, tr
from checklists.core.model import Evidence, Outcome, Status
from checklists.core.options import Locate, OptionsError, validate
from checklists.core.registry import REGISTRY, Registry
from checklists.core.runner import Log, Task, resolve, run_all
from checklists.core.services import Discovered, Service, environments_for, resolve_all
from checklists.core.target import Target
from checklists.core.verdict import HOLDS, ORDER, Policy, Verdict, fails, judge, judge_snippet

if TYPE_CHECKING:  # imported when the guide binds a code block (`_guide_blocks`)
    from checklists.core.snippets import Blocks


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs besides the pages; the plugin builds it from mkdocs.yml."""

    target: Path
    packages: tuple[str, ...] = ("checks",)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = 30.0
    workers: int = 4
    policy: Policy = field(default_factory=lambda: Policy(today=dt.date.today()))
    # Environment columns: a build (a mapping), or "service" / "development" (services.py).
    environments: Mapping[str, object] = field(default_factory=dict)
    columns: Columns = field(default_factory=Columns)
    # The services to judge (`services` option); None: discover them when `discover` is set,
    # else judge the target as one (no service dimension).
    services: tuple[Service, ...] | None = None
    discover: bool = False
    cache: ResultCache | None = None  # set by `mkdocs serve`: reuse results across rebuilds
    # Checks run in a worker process that is killed on a timeout; False runs them on
    # threads of this process (for observers that count reads in-process, as bench/ does).
    isolate: bool = True


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: Item
    outcome: Outcome | None  # None for an unbound item
    verdict: Verdict
    fails: bool
    stated: Stated | None = None  # the number the item's own text states, for a metric

    @property
    def stale_waiver(self) -> bool:
        """A waiver on a check that now passes: it should be removed (a warning)."""
        passed = self.outcome is not None and self.outcome.status is Status.PASS
        return self.item.waiver is not None and passed


@dataclass(frozen=True, slots=True)
class Run:
    """The results of one build, in stable order (page, then line)."""

    results: tuple[ItemResult, ...]
    evaluations: int  # checks that ran in this build
    target: Target
    reused: int = 0  # checks whose result a serve rebuild kept, their inputs unchanged
    # The guide's own code checked against its rules (`snippets`): about the guide, not
    # the target, so outside `results`, the headline and every report of the target.
    snippets: tuple[ItemResult, ...] = ()
    claims: tuple[Claim, ...] = ()  # every statement of the pages and how it is checked
    # The services judged (None: the target as one) and, when they were discovered, what
    # discovery left out and noted.
    services: tuple[Service, ...] | None = None
    discovered: Discovered | None = None
    _by_page: dict[str, list[ItemResult]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def location(self, result: ItemResult) -> Evidence | None:
        """Where in the target a result points: its first evidence on an existing file."""
        if result.outcome is None:
            return None

        def is_file(path: str) -> bool:
            try:
                return self.target.is_file(path)
            except InputError:  # a path that leaves the target is no place in it
                return False

        return result.outcome.target_location(is_file)

    def for_page(self, page: str, *, snippets: bool = False) -> list[ItemResult]:
        """The page's results; with `snippets`, its code blocks' too (to place them)."""
        if not self._by_page:  # one pass for all pages, not one per page
            for result in self.results:
                self._by_page.setdefault(result.item.page, []).append(result)
        found = list(self._by_page.get(page, ()))
        if snippets:
            found += [r for r in self.snippets if r.item.page == page]
        return found

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


def today() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set, so reports can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def settings_from_options(
    options: Mapping[str, Any],
    root: Path,
    today: dt.date,
    cache: ResultCache | None = None,
    locate: Locate | None = None,
) -> Settings:
    """Settings from the plugin's options (mkdocs.yml), paths relative to `root`.

    The options are validated against the plugin's table (`options.validate`; an
    `OptionsError` lists every problem, located by `locate`). The CHECKLISTS_TARGET
    environment variable, when set, replaces the configured target.
    """
    valid = validate(options, locate)
    undeclared(valid, REGISTRY, locate)
    target = Path(os.environ.get("CHECKLISTS_TARGET") or valid["target"])
    environments = valid["environments"]
    configured = valid["services"]
    services = None
    if isinstance(configured, Mapping):
        where = locate or (lambda path: "")
        services = tuple(
            Service(
                name,
                body["dockerfile"],
                body.get("context"),
                body.get("target"),
                body.get("image"),
                body["environments"],
                origin=where(("services", name)),
            )
            for name, body in configured.items()
        )
    return Settings(
        services=services,
        discover=configured == "discover",
        target=target if target.is_absolute() else root / target,
        packages=tuple(valid["checks"]),
        defaults=valid["defaults"],
        timeout=valid["timeout"],
        workers=valid["workers"],
        policy=Policy(
            today=today,
            require_evidence=valid["require_evidence"],
            require_bindings=valid["require_bindings"],
        ),
        environments=environments,
        columns=Columns(
            environments=frozenset(environments),
            values=frozenset(valid["value_columns"]),
            statuses=frozenset(valid["status_columns"]),
        ),
        cache=cache,
    )


def undeclared(valid: Mapping[str, Any], registry: Registry, locate: Locate | None) -> None:
    """OptionsError for a `defaults` parameter that no loaded check declares (a typo would
    otherwise be ignored), with the closest declared name. Nothing when no check is loaded
    yet (the checks' own parameters are not known then).

    Deferred checks (`Registry.defer`) are imported only as far as needed: those whose
    source names a default, then, should one still be undeclared, all of them."""
    names = set(valid["defaults"])
    if not names:
        return
    registry.import_naming(names)
    if names <= {name for spec in registry.loaded() for name in spec.params} - {"environment"}:
        return
    declared = sorted({name for spec in registry for name in spec.params} - {"environment"})
    if not declared:
        return
    where = locate or (lambda path: "")
    problems = []
    for name in valid["defaults"]:
        if name not in declared:
            near = difflib.get_close_matches(name, declared, n=1, cutoff=0.6)
            hint = f"; did you mean `{near[0]}`?" if near else ""
            at = where(("defaults", name))
            problem = f"`defaults.{name}`: no check declares a parameter `{name}`{hint}"
            problems.append(f"{at}: {problem}" if at else problem)
    if problems:
        raise OptionsError(problems)


def enabled(option: bool) -> bool:
    """The `enabled` option, unless CHECKLISTS_ENABLED turns the checks off (0/false/no/off)."""
    flag = os.environ.get("CHECKLISTS_ENABLED", "").strip().lower()
    return option and flag not in {"0", "false", "no", "off"}


def open_target(path: Path) -> Target:
    if not path.is_dir():
        raise SetupError(
            f"the target folder {path} does not exist; set the plugin option 'target' "
            "(or the CHECKLISTS_TARGET environment variable) to your repository's root"
        )
    return Target(path)


def decode_page(data: bytes, name: str) -> str:
    """A docs page's text as MkDocs reads it (UTF-8, a BOM dropped); SetupError naming the
    page, the line and the byte when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SetupError(
            f"{name}:{line}: not UTF-8 text (byte {error.start + 1}); save the page as UTF-8"
        ) from None


class Collected(list[Item]):
    """The items of the pages, with every statement of the guide and whether the site checks
    it (`claims.claims`), which the run hands on to the reports."""

    claims: tuple[Claim, ...] = ()


def collect(pages: Mapping[str, str], columns: Columns | None = None) -> list[Item]:
    """Every item of every page, sorted by page and line; metric rows get their limits."""
    items = [i for page, text in sorted(pages.items()) for i in scan(text, page, columns)]
    found = Collected(_with_limits(sorted(items, key=lambda item: (item.page, item.line))))
    found.claims = all_claims(pages)
    return found


def _with_limits(items: list[Item]) -> list[Item]:
    """A `limit` parameter becomes the item's limit; a metric that states no number of its
    own (a row that shows a value and a status) takes the limit the same page states for
    that metric and environment."""
    stated = {(i.page, i.check_id, i.environment): i.limit for i in items if i.metric and i.limit}
    limited = []
    for item in items:
        limit, params = item.limit, item.params
        if item.metric and "limit" in params:
            limit, params = str(params["limit"]), {k: v for k, v in params.items() if k != "limit"}
        elif item.metric and limit is None and not _states_a_number(item):
            limit = stated.get((item.page, item.check_id, item.environment))
        changed = limit is not item.limit or params is not item.params
        limited.append(replace(item, limit=limit, params=params) if changed else item)
    return limited


def _states_a_number(item: Item) -> bool:
    """A sentence that states a number ("初回ビルド: 5-7分"), or a row whose value cell
    states the number it claims (see `stated_cell`): that number is its claim, not the
    limit a metrics table of the page gives the same metric."""
    text = item.text if item.kind != "row" else stated_cell(item)
    return text is not None and any(stated(text, kind) for kind in Kind)


def evaluate(items: list[Item], settings: Settings, log: Log, registry: Registry = REGISTRY) -> Run:
    """Resolve, evaluate each distinct (check, params) once, and judge every item.

    The drivers pause the garbage collector around it (`collector.paused`)."""
    return finish(prepare(items, settings, log, registry))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run before its checks ran: every item resolved to its task (the bound checks are
    imported by now), the guide's code blocks set apart. `finish` runs the tasks and judges;
    `placeholders` says where each result will go before there is one, so a driver can lay
    out its pages while the checks run (the plugin does, on a thread of its own)."""

    items: list[Item]
    resolved: list[Task | Outcome | None]
    pending: list[tuple[int, Item, Task]]  # the guide's code blocks checked as files
    target: Target
    settings: Settings
    log: Log
    claims: tuple[Claim, ...]
    services: Sequence[Service] | None
    discovered: Discovered | None
    _by_page: dict[str, list[ItemResult]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def placeholders(self, page: str) -> list[ItemResult]:
        """The page's results as `Run.for_page(page, snippets=True)` will list them, in the
        same order and with the same items, but judged nothing yet (no outcome, UNBOUND,
        not failing): only where they go is known. Never show or report them."""
        if not self._by_page:  # one pass for all pages, not one per page
            unjudged = [
                ItemResult(item, None, Verdict.UNBOUND, False)
                for item, task in zip(self.items, self.resolved, strict=True)
                if _judged(item, task)
            ]
            unjudged += [
                ItemResult(_as_snippet(item), None, Verdict.UNBOUND, False)
                for _, item, _ in self.pending
            ]
            for result in unjudged:
                self._by_page.setdefault(result.item.page, []).append(result)
        return list(self._by_page.get(page, ()))


def _judged(item: Item, task: Task | Outcome | None) -> bool:
    """Whether an item has a result of the target: a bound code block checked as the
    guide's own code has its result among the run's snippets instead."""
    return task is not None or not item.bound


def _as_snippet(item: Item) -> Item:
    """A code block's item as its result about the guide's code shows it."""
    return replace(item, kind="snippet")


def prepare(
    items: list[Item], settings: Settings, log: Log, registry: Registry = REGISTRY
) -> Prepared:
    """Everything of a run before its checks run: the target opened, the services found,
    each item's task (importing the checks the items bind)."""
    if registry is REGISTRY:  # only the checks the items bind are imported (`resolve`)
        registry.defer(list(settings.packages))
    target = open_target(settings.target)
    claims = getattr(items, "claims", ())  # every statement of the pages (`claims.py`)
    services, discovered = settings.services, None
    if services is None and settings.discover:
        discovered = registry.discover(target)
        services = discovered.services if discovered is not None else None
    items, resolved = _resolve_items(items, services, registry, settings)
    pending = _guide_code(items, resolved)
    return Prepared(
        items, resolved, pending, target, settings, log, tuple(claims), services, discovered
    )


def finish(prepared: Prepared) -> Run:
    """Run the prepared tasks (each distinct one once) and judge every item."""
    settings, resolved = prepared.settings, prepared.resolved
    tasks = list({task.key: task for task in resolved if isinstance(task, Task)}.values())
    with _guide_blocks(prepared.pending, settings, prepared.log) as blocks:
        beside = blocks.tasks() if blocks is not None and _blocks_beside(settings) else []
        outcomes, executed = run_all(
            tasks + beside,
            prepared.target,
            prepared.log,
            timeout=settings.timeout,
            workers=settings.workers,
            cache=settings.cache,
            isolate=settings.isolate,
        )
        executed -= len(beside)  # the target's evaluations only
        snippets = _judge_snippets(prepared.pending, blocks, outcomes if beside else None)
    results = [
        _judge_item(item, task, outcomes, settings)
        for item, task in zip(prepared.items, resolved, strict=True)
        if _judged(item, task)
    ]
    services = prepared.services
    return Run(
        tuple(results),
        executed,
        prepared.target,
        reused=len(tasks) - executed,
        snippets=tuple(snippets),
        claims=prepared.claims,
        services=None if services is None else tuple(services),
        discovered=prepared.discovered,
    )


def _resolve_items(
    items: list[Item], services: Sequence[Service] | None, registry: Registry, settings: Settings
) -> tuple[list[Item], list[Task | Outcome | None]]:
    """The items (one per service for a service's binding) and each one's task, an outcome
    known without running (a setup problem), or None (unbound)."""
    columns = environments_for(None, settings.environments, settings.defaults)
    usable = {k: v for k, v in columns.items() if v is not None}
    if services is None:
        return items, [
            _resolve(item, registry, settings.defaults, usable) if item.bound else None
            for item in items
        ]
    # A guide code block is judged once (the guide's own file, or its commands against
    # the repository), never once per service.
    pairs: list[tuple[Item, Task | Outcome | None]] = []
    for item in items:
        if item.kind == "block" and item.bound:
            pairs.append((item, _resolve(item, registry, settings.defaults, usable)))
        else:
            pairs.extend(
                resolve_all([item], services, registry, settings.defaults, settings.environments)
            )
    return [item for item, _ in pairs], [task for _, task in pairs]


def _guide_code(
    items: list[Item], resolved: list[Task | Outcome | None]
) -> list[tuple[int, Item, Task]]:
    """A block bound to a check that reads files checks the guide's own code (`snippets`):
    those blocks, taken out of `resolved` (left None there) so they do not run on the
    target."""
    pending = [
        (index, item, task)
        for index, (item, task) in enumerate(zip(items, resolved, strict=True))
        if item.kind == "block" and isinstance(task, Task) and "snippet" not in task.spec.params
    ]
    for index, _, _ in pending:
        resolved[index] = None
    return pending


def _judge_item(
    item: Item,
    task: Task | Outcome | None,
    outcomes: Mapping[tuple[str, str], Outcome],
    settings: Settings,
) -> ItemResult:
    """One item's verdict: unbound, or its outcome with the limit or the number it states."""
    if task is None:
        return ItemResult(item, None, Verdict.UNBOUND, fails_unbound(settings))
    outcome = outcomes[task.key] if isinstance(task, Task) else task
    number: Stated | None = None
    contradicted, open_reading = False, item.metric and item.limit is None
    if isinstance(task, Task) and task.spec.unit is not None:
        outcome = apply_limit(outcome, item, task.spec.unit)
        text = item.text if item.kind != "row" else stated_cell(item)
        if item.limit is None and text is not None:
            outcome, number = apply_stated(outcome, item, task.spec.unit, text)
            open_reading = number is None and outcome.status is not Status.ERROR
            contradicted = number is not None and outcome.status is Status.FAIL
    verdict = judge(
        item.claim,
        outcome.status,
        item.waiver,
        settings.policy,
        stale=outcome.stale,
        measured_only=open_reading,
        contradicted=contradicted,
    )
    return ItemResult(item, outcome, verdict, fails(verdict, item.claim, settings.policy), number)


def _resolve(
    item: Item,
    registry: Registry,
    defaults: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]],
) -> Task | Outcome:
    """The item's task. A block's check that takes `snippet` gets the block's code and runs
    on the target; one that reads files gets no site defaults (its file is the block)."""
    if item.kind != "block" or item.snippet is None:
        return resolve(item, registry, defaults, environments)
    spec = registry.get(item.check_id or "")
    if spec is not None and "snippet" in spec.params and "snippet" not in item.params:
        given = replace(item, params={**item.params, "snippet": item.snippet.as_param()})
        return resolve(given, registry, defaults, environments)
    return resolve(item, registry, {}, environments)


@contextlib.contextmanager
def _guide_blocks(
    pending: list[tuple[int, Item, Task]], settings: Settings, log: Log
) -> Iterator[Blocks | None]:
    """The guide's bound code blocks (`snippets`), each written into a scratch target of
    its own while the run lasts."""
    if not pending:
        yield None
        return
    from checklists.core.snippets import Blocks  # noqa: PLC0415 - only for bound blocks

    work = [(item, task) for _, item, task in pending]
    with Blocks(
        work, settings.packages, log, timeout=settings.timeout, workers=settings.workers
    ) as blocks:
        yield blocks


def _blocks_beside(settings: Settings) -> bool:
    """Whether the blocks' checks run in the target's worker process, beside its tasks
    (one import of the checks for both): when the run isolates its checks, but not under
    `serve` (a cache), where they run in the build's process as before, so that each
    rebuild's worker inherits what they learnt (the nginx version)."""
    return settings.isolate and settings.cache is None and hasattr(os, "fork")


def _judge_snippets(
    pending: list[tuple[int, Item, Task]],
    blocks: Blocks | None,
    found: Mapping[tuple[str, str], Outcome] | None,
) -> list[ItemResult]:
    """The guide's code blocks checked as files: verdicts about the guide, never failing.
    `found`: the outcomes of a run that ran the blocks' tasks beside the target's."""
    if blocks is None:
        return []
    outcomes = blocks.outcomes(found)
    return [
        ItemResult(_as_snippet(item), outcome, judge_snippet(outcome.status), False)
        for (_, item, _), outcome in zip(pending, outcomes, strict=True)
    ]


_DATED = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{2}-\d{2}")


def stated_cell(item: Item) -> str | None:
    """The value cell of a row whose number is the row's claim (比較表: "180MB"): in a
    table without a status column, under a heading that gives no date. A status column
    (実測値: "✅ 目標達成") says the value meets the page's limit, which judges the reading;
    under a dated heading (実測値（2025年10月8日）) the cell is the author's record of that
    day. Either way it is shown beside the live value, not judged."""
    if _DATED.search(item.section or "") or any(c.role == "status" for c in item.cells):
        return None
    return next((cell.text for cell in item.cells if cell.role == "value"), None)


def apply_limit(outcome: Outcome, item: Item, unit: Kind) -> Outcome:
    """A metric's reading judged against the limit the guide states for it."""
    limit = None
    if item.limit is not None:
        try:
            limit = parse_limit(item.limit)
        except ValueError as error:
            return Outcome.error(
                tr(
                    "{where}: {error}", "{where}: {error}", where=item.location, error=error.args[0]
                ),
                _binding(item),
            )
        if limit.kind is not unit:
            return Outcome.error(
                tr(
                    "{where}: the limit {limit!r} is a {kind}, but {check} measures a {unit}",
                    "{where}: 上限 {limit!r} は{kind}ですが、{check} が計測するのは{unit}です",
                    where=item.location,
                    limit=limit.text,
                    kind=_KINDS[limit.kind],
                    check=item.check_id or "",
                    unit=_KINDS[unit],
                ),
                _binding(item),
            )
    if outcome.status is not Status.PASS or outcome.quantity is None:
        return outcome
    shown = tr("{q}", "{q}", q=Quantity(outcome.quantity, unit))
    if limit is None:
        return replace(outcome, value=shown)
    if limit.holds(outcome.quantity):
        summary = tr(
            "{shown} meets {limit}; {summary}",
            "{shown}: {limit} を満たしています。{summary}",
            shown=shown,
            limit=limit.text,
            summary=outcome.summary,
        )
        return replace(outcome, value=shown, summary=summary)
    summary = tr(
        "{shown} does not meet {limit}; {summary}",
        "{shown}: {limit} を満たしていません。{summary}",
        shown=shown,
        limit=limit.text,
        summary=outcome.summary,
    )
    return replace(outcome, status=Status.FAIL, value=shown, summary=summary)


_KINDS = {
    Kind.SIZE: tr("size", "サイズ"),
    Kind.DURATION: tr("duration", "時間"),
    Kind.PERCENT: tr("percent", "割合"),
}


def _binding(item: Item) -> Evidence:
    return Evidence(tr("binding at {where}", "バインディング（{where}）", where=item.location))


def apply_stated(
    outcome: Outcome, item: Item, unit: Kind, text: str | None = None
) -> tuple[Outcome, Stated | None]:
    """A metric's reading against the number its sentence (or a row's value cell, `text`)
    states ("約80%"): the outcome (FAIL when the reading contradicts the text) and the
    number, if the text states one.

    A sentence that states several numbers of the metric's kind does not say which one the
    reading must meet: that is a located error asking for a `limit` in the binding."""
    numbers = stated(item.text if text is None else text, unit)
    if not numbers:
        return outcome, None
    if len(numbers) > 1:
        error = Outcome.error(
            tr(
                "{where}: the text states {count} numbers ({listed}); give the one {check} "
                "must meet in the binding, e.g. {{limit: '>= 80%'}}",
                "{where}: 本文に数値が {count} 個あります（{listed}）。{check} が満たすべき"
                "数値をバインディングで指定してください（例: {{limit: '>= 80%'}}）",
                where=item.location,
                count=len(numbers),
                listed=[n.text for n in numbers],
                check=item.check_id or "",
            ),
            _binding(item),
        )
        return error, None
    number = numbers[0]
    if outcome.status is not Status.PASS or outcome.quantity is None:
        return outcome, number
    shown = Quantity(outcome.quantity, unit)
    accepted = Message.texts(number.accepted_in("en"), number.accepted_in("ja"))
    note = Evidence(
        tr(
            "the guide states {text} at {where}: {accepted} agrees",
            "ガイドの記載「{text}」（{where}）: {accepted} なら一致",
            text=number.text,
            where=item.location,
            accepted=accepted,
        )
    )
    evidence = (*outcome.evidence, note)
    if number.agrees(outcome.quantity):
        summary = tr(
            "{shown} agrees with the text's {text}; {summary}",
            "{shown}: 本文の「{text}」と一致。{summary}",
            shown=shown,
            text=number.text,
            summary=outcome.summary,
        )
        return replace(outcome, summary=summary, evidence=evidence), number
    summary = tr(
        "{shown} contradicts the text's {text} ({accepted} would agree); {summary}",
        "{shown}: 本文の「{text}」と矛盾（{accepted} なら一致）。{summary}",
        shown=shown,
        text=number.text,
        accepted=accepted,
        summary=outcome.summary,
    )
    return replace(outcome, status=Status.FAIL, summary=summary, evidence=evidence), number


@dataclass(frozen=True, slots=True)
class Headline:
    """The one figure every view of a run shows: how many bound items hold, of how many."""

    held: int
    total: int

    def __str__(self) -> str:
        return f"{self.held}/{self.total}"


def headline(results: Iterable[ItemResult]) -> Headline:
    """How many of the bound `results` hold (`verdict.HOLDS`): the page's headline, the
    section statuses, the badges, compliance.json and the command line all ask this."""
    bound = [r for r in results if r.item.bound]
    return Headline(sum(1 for r in bound if r.verdict in HOLDS), len(bound))


def fails_unbound(settings: Settings) -> bool:
    return fails(Verdict.UNBOUND, False, settings.policy)
