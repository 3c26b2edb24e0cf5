"""Evaluate every distinct (check, params) once, in parallel, each with a timeout.

Bindings from all pages are resolved first (unknown ids and bad parameters become located
errors), then each distinct evaluation runs on a daemon worker thread (see `run_all`). A
check that raises becomes an `error` outcome with its traceback in the log; a check that
outlives its timeout is abandoned (daemon threads never block the process from exiting)
and also becomes `error`. Either way every other check still runs.
"""

from __future__ import annotations

import difflib
import inspect
import threading
import time
import traceback
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checklists.bindings import Item, params_key
from checklists.cache import ResultCache
from checklists.errors import InputError
from checklists.message import tr
from checklists.model import Environment, Evidence, Outcome, Status
from checklists.registry import CheckSpec, Registry
from checklists.target import Target


class Log(Protocol):
    def debug(self, msg: str, /, *args: object) -> None: ...
    def info(self, msg: str, /, *args: object) -> None: ...
    def warning(self, msg: str, /, *args: object) -> None: ...
    def error(self, msg: str, /, *args: object) -> None: ...


@dataclass(frozen=True, slots=True)
class Task:
    """One distinct evaluation: a check with fully resolved parameters."""

    spec: CheckSpec
    params: Mapping[str, Any]
    environment: Environment | None = None
    key: tuple[str, str] = field(init=False, compare=False)  # computed once: it is looked up often

    def __post_init__(self) -> None:
        env = {"env": self.environment.name} if self.environment else {}
        object.__setattr__(self, "key", (self.spec.id, params_key({**self.params, **env})))


def resolve(
    item: Item,
    registry: Registry,
    defaults: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]] | None = None,
) -> Task | Outcome:
    """The task an item asks for, or an `error` outcome saying what is wrong with the binding."""
    where = Evidence(tr("binding at {where}", "バインディング（{where}）", where=item.location))
    loc = item.location
    if item.error:
        return Outcome.error(
            tr(
                "{where}: {error}",
                "{where}: バインディングの誤り: {error}",
                where=loc,
                error=item.error,
            ),
            where,
        )
    spec = registry.get(item.check_id or "")
    if spec is None:
        ids = [spec.id for spec in registry]
        near = difflib.get_close_matches(item.check_id or "", ids, n=1)
        hint = (
            tr("; did you mean {near!r}?", "（{near!r} の誤りではありませんか）", near=near[0])
            if near
            else ""
        )
        return Outcome.error(
            tr(
                "{where}: unknown check id {id!r}{hint}",
                "{where}: 不明なチェック ID {id!r}{hint}",
                where=loc,
                id=item.check_id or "",
                hint=hint,
            ),
            where,
        )
    if spec.is_metric != item.metric:
        want = "metric" if spec.is_metric else "check"
        return Outcome.error(
            tr(
                "{where}: {id} is a {want}; bind it with <!-- {want}: {id} -->",
                "{where}: {id} は {want} です。<!-- {want}: {id} --> で結び付けてください",
                where=loc,
                id=spec.id,
                want=want,
            ),
            where,
        )
    environment = None
    if item.environment is not None:
        environments = environments or {}
        if item.environment not in environments:
            known = list(environments) or tr("none", "なし")
            return Outcome.error(
                tr(
                    "{where}: unknown environment {env!r} (configured in the plugin's "
                    "'environments': {known})",
                    "{where}: 不明な環境 {env!r}（プラグインの 'environments' にあるもの: "
                    "{known}）",
                    where=loc,
                    env=item.environment,
                    known=known,
                ),
                where,
            )
        if "environment" not in spec.params:
            return Outcome.error(
                tr(
                    "{where}: {id} takes no environment",
                    "{where}: {id} は環境を取りません",
                    where=loc,
                    id=spec.id,
                ),
                where,
            )
        environment = Environment(item.environment, dict(environments[item.environment]))
    unknown = sorted(set(item.params) - set(spec.params) - {"environment"})
    if unknown:
        accepted = list(spec.params) or tr("no parameters", "パラメータなし")
        return Outcome.error(
            tr(
                "{where}: {id} has no parameter {unknown} (it takes: {accepted})",
                "{where}: {id} にパラメータ {unknown} はありません（取るもの: {accepted}）",
                where=loc,
                id=spec.id,
                unknown=unknown,
                accepted=accepted,
            ),
            where,
        )
    params = {
        name: item.params[name] if name in item.params else defaults[name]
        for name in spec.params
        if name != "environment" and (name in item.params or name in defaults)
    }
    given = set(params) | ({"environment"} if environment else set())
    missing = [n for n, d in spec.params.items() if d is inspect.Parameter.empty and n not in given]
    if missing:
        return Outcome.error(
            tr(
                "{where}: {id} needs the parameter(s) {missing}; set them in the binding or in "
                "the plugin's 'defaults'",
                "{where}: {id} にはパラメータ {missing} が必要です。バインディングかプラグインの "
                "'defaults' で指定してください",
                where=loc,
                id=spec.id,
                missing=missing,
            ),
            where,
        )
    return Task(spec, params, environment)


def run_one(task: Task, target: Target, log: Log) -> Outcome:
    """Call the check; exceptions become `error` outcomes, never escape."""
    try:
        env = {"environment": task.environment} if task.environment else {}
        outcome = task.spec.function(target, **task.params, **env)
    except InputError as error:
        return Outcome.error(
            unreadable(error), Evidence(read_error(error), path=error.path, line=error.line)
        )
    except Exception as error:  # noqa: BLE001 - one broken check must never stop the others
        log.error(
            "check %s raised %s:\n%s", task.spec.id, type(error).__name__, traceback.format_exc()
        )
        return Outcome.error(
            tr(
                "the check {id} failed with {kind}: {error}",
                "チェック {id} が {kind} で失敗しました: {error}",
                id=task.spec.id,
                kind=type(error).__name__,
                error=str(error),
            ),
            _source(task),
        )
    if not isinstance(outcome, Outcome):
        return Outcome.error(
            tr(
                "the check {id} returned {kind}, not an Outcome",
                "チェック {id} が Outcome ではなく {kind} を返しました",
                id=task.spec.id,
                kind=type(outcome).__name__,
            ),
            _source(task),
        )
    return outcome


def read_error(error: InputError) -> str:
    """What a reader could not read, in both languages: the reader's own words (a parser's
    diagnostic, kept as it says it) after a Japanese frame."""
    return tr("{message}", "読み取りエラー: {message}", message=error.message)


def unreadable(error: InputError) -> str:
    """The summary of an input that could not be read: where, and the reader's words."""
    if not error.location:
        return read_error(error)
    japanese = _UNREADABLE.get(error.kind, "{where} を読み取れません: {message}")
    return tr("{where}: {message}", japanese, where=error.location, message=error.message)


# The Japanese frame of an input error by its kind (the English says only where and what).
_UNREADABLE = {
    "implausible": "{where} の内容は信頼できません: {message}",
    "limit": "{where} は読み取りの上限を超えています: {message}",
    "refused": "{where} は実際のツールが受け付けない入力です: {message}",
    "too_large": "{where} は大きすぎて読み取れません: {message}",
}


def _source(task: Task) -> Evidence:
    return Evidence(tr("source: {source}", "実装: {source}", source=task.spec.source))


class _Runs:
    """Shared state of one evaluation: finished outcomes and what is running since when."""

    def __init__(self, target: Target, log: Log, cache: ResultCache | None) -> None:
        self.target, self.log, self.cache = target, log, cache
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.results: dict[tuple[str, str], Outcome] = {}
        self.running: dict[tuple[str, str], tuple[Task, float]] = {}
        self.remaining = 0  # wanted results not in yet; the caller sets it

    def run(self, task: Task) -> None:
        """Run one task on the calling thread; a result after a timeout is dropped."""
        with self.lock:
            self.running[task.key] = (task, time.monotonic())
        with self.target.tracing() as probes:
            outcome = run_one(task, self.target, self.log)
        with self.lock:
            del self.running[task.key]
            late = task.key in self.results
            if not late:
                self.results[task.key] = outcome
                self.remaining -= 1
            wake = task.spec.external or self.remaining == 0
        if self.cache is not None and not late:
            self.cache.store(self.target, task.spec, task.key, outcome, probes)
        if wake:  # a free slot for an external check, or the end; pure checks just go on
            self.wake.set()

    def expire(self, timeout: float) -> list[Task]:
        """Give up on tasks running longer than `timeout`; return them."""
        now, expired = time.monotonic(), []
        with self.lock:
            for key, (task, started) in list(self.running.items()):
                if now - started >= timeout and key not in self.results:
                    self.results[key] = Outcome.error(
                        tr(
                            "the check {id} did not finish within {timeout:g} s",
                            "チェック {id} が {timeout:g} 秒以内に終わりませんでした",
                            id=task.spec.id,
                            timeout=timeout,
                        ),
                        _source(task),
                    )
                    self.remaining -= 1
                    expired.append(task)
        for task in expired:
            self.log.error("check %s did not finish within %ss", task.spec.id, timeout)
        return expired


def run_all(
    tasks: Sequence[Task],
    target: Target,
    log: Log,
    *,
    timeout: float,
    workers: int,
    cache: ResultCache | None = None,
) -> tuple[dict[tuple[str, str], Outcome], int]:
    """Evaluate the tasks, each within `timeout` seconds; return outcomes and how many ran.

    Pure-Python checks run one after another on a single worker thread: threads would only
    fight over the interpreter lock (measured: 2x slower with a thread per check). Checks
    that wait on external programs (`external=True`) run on up to `workers` threads of their
    own. A hung check is abandoned (daemon threads never block the exit) and a fresh worker
    takes the rest. With a cache, a task whose inputs did not change is not run again.
    """
    state = _Runs(target, log, cache)
    pending: list[Task] = []
    for task in {task.key: task for task in tasks}.values():
        cached = cache.lookup(target, task.spec, task.key) if cache else None
        if cached is None:
            pending.append(task)
        else:
            state.results[task.key] = cached
    pure = deque(t for t in pending if not t.spec.external)  # taken from the front: O(1)
    external = deque(t for t in pending if t.spec.external)
    generation = [0]

    def pure_worker(mine: int) -> None:
        while generation[0] == mine:
            with state.lock:
                if not pure:
                    return
                task = pure.popleft()
            state.run(task)

    def start(function: object, *args: object) -> None:
        threading.Thread(target=function, args=args, daemon=True).start()  # type: ignore[arg-type]

    state.remaining = len(pending)
    start(pure_worker, 0)
    while True:
        with state.lock:
            done = state.remaining == 0
            busy = sum(1 for t, _ in state.running.values() if t.spec.external)
            while external and busy < max(1, workers):
                start(state.run, external.popleft())
                busy += 1
        if done:
            return state.results, len(pending)
        state.wake.wait(min(0.05, timeout))
        state.wake.clear()
        if any(not task.spec.external for task in state.expire(timeout)):
            generation[0] += 1  # the hung worker stops after its task; a new one goes on
            start(pure_worker, generation[0])


def status_counts(outcomes: Mapping[Any, Outcome]) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for outcome in outcomes.values():
        counts[outcome.status.value] += 1
    return counts
