"""Evaluate every distinct (check, params) once, in parallel, each with a timeout.

Bindings from all pages are resolved first (unknown ids and bad parameters become located
errors), then each distinct evaluation runs on a daemon thread. A check that raises becomes
an `error` outcome with its traceback in the log; a check that outlives its timeout is
abandoned (daemon threads never block the process from exiting) and also becomes `error`.
Either way every other check still runs.
"""

from __future__ import annotations

import difflib
import inspect
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from checklists.bindings import Item, params_key
from checklists.cache import ResultCache
from checklists.errors import InputError
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

    @property
    def key(self) -> tuple[str, str]:
        env = {"env": self.environment.name} if self.environment else {}
        return (self.spec.id, params_key({**self.params, **env}))


def resolve(
    item: Item,
    registry: Registry,
    defaults: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]] | None = None,
) -> Task | Outcome:
    """The task an item asks for, or an `error` outcome saying what is wrong with the binding."""
    where = Evidence(f"binding at {item.location}")
    if item.error:
        return Outcome.error(f"{item.location}: {item.error}", where)
    spec = registry.get(item.check_id or "")
    if spec is None:
        ids = [spec.id for spec in registry]
        near = difflib.get_close_matches(item.check_id or "", ids, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return Outcome.error(f"{item.location}: unknown check id {item.check_id!r}{hint}", where)
    if spec.is_metric != item.metric:
        want = "metric" if spec.is_metric else "check"
        return Outcome.error(
            f"{item.location}: {spec.id} is a {want}; bind it with <!-- {want}: {spec.id} -->",
            where,
        )
    environment = None
    if item.environment is not None:
        environments = environments or {}
        if item.environment not in environments:
            known = ", ".join(environments) or "none"
            return Outcome.error(
                f"{item.location}: unknown environment {item.environment!r} "
                f"(configured in the plugin's 'environments': {known})",
                where,
            )
        if "environment" not in spec.params:
            return Outcome.error(f"{item.location}: {spec.id} takes no environment", where)
        environment = Environment(item.environment, dict(environments[item.environment]))
    unknown = sorted(set(item.params) - set(spec.params) - {"environment"})
    if unknown:
        accepted = ", ".join(spec.params) or "no parameters"
        return Outcome.error(
            f"{item.location}: {spec.id} has no parameter {', '.join(unknown)} "
            f"(it takes: {accepted})",
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
            f"{item.location}: {spec.id} needs the parameter(s) {', '.join(missing)}; "
            "set them in the binding or in the plugin's 'defaults'",
            where,
        )
    return Task(spec, params, environment)


def run_one(task: Task, target: Target, log: Log) -> Outcome:
    """Call the check; exceptions become `error` outcomes, never escape."""
    try:
        env = {"environment": task.environment} if task.environment else {}
        outcome = task.spec.function(target, **task.params, **env)
    except InputError as error:
        return Outcome.error(str(error), Evidence(error.message, path=error.path, line=error.line))
    except Exception as error:  # noqa: BLE001 - one broken check must never stop the others
        log.error(
            "check %s raised %s:\n%s", task.spec.id, type(error).__name__, traceback.format_exc()
        )
        return Outcome.error(
            f"the check {task.spec.id} failed with {type(error).__name__}: {error}",
            Evidence(f"source: {task.spec.source}"),
        )
    if not isinstance(outcome, Outcome):
        return Outcome.error(
            f"the check {task.spec.id} returned {type(outcome).__name__}, not an Outcome",
            Evidence(f"source: {task.spec.source}"),
        )
    return outcome


def run_all(
    tasks: Sequence[Task],
    target: Target,
    log: Log,
    *,
    timeout: float,
    workers: int,
    cache: ResultCache | None = None,
) -> tuple[dict[tuple[str, str], Outcome], int]:
    """Evaluate the tasks, at most `workers` at a time, each within `timeout` seconds.

    With a cache, a task whose inputs did not change since it last ran is not run again.
    Returns the outcomes and how many tasks ran.
    """
    results: dict[tuple[str, str], Outcome] = {}
    done = threading.Condition()
    pending = []
    for task in reversed(tasks):
        cached = cache.lookup(target, task.spec, task.key) if cache else None
        if cached is None:
            pending.append(task)
        else:
            results[task.key] = cached
    to_run = len(pending)
    running: dict[tuple[str, str], tuple[Task, float]] = {}

    def work(task: Task) -> None:
        with target.tracing() as probes:
            outcome = run_one(task, target, log)
        if cache is not None:
            cache.store(target, task.spec, task.key, outcome, probes)
        with done:
            if task.key in running:  # not already given up on after its timeout
                del running[task.key]
                results[task.key] = outcome
            done.notify()

    with done:
        while pending or running:
            while pending and len(running) < max(1, workers):
                task = pending.pop()
                if task.key in results or task.key in running:
                    continue
                running[task.key] = (task, time.monotonic())
                threading.Thread(target=work, args=(task,), daemon=True).start()
            if not running:
                continue
            now = time.monotonic()
            deadline = min(started + timeout for _, started in running.values())
            if now >= deadline:
                for key, (task, started) in list(running.items()):
                    if started + timeout <= now:
                        del running[key]
                        log.error("check %s did not finish within %ss", task.spec.id, timeout)
                        results[key] = Outcome.error(
                            f"the check {task.spec.id} did not finish within {timeout:g} s",
                            Evidence(f"source: {task.spec.source}"),
                        )
                continue
            done.wait(deadline - now)
    return results, to_run


def status_counts(outcomes: Mapping[Any, Outcome]) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for outcome in outcomes.values():
        counts[outcome.status.value] += 1
    return counts
