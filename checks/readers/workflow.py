"""Read a GitHub Actions workflow file into typed data with a line for everything.

Follows GitHub's workflow syntax reference: the triggers in their three forms (`on: push`,
`on: [push, pull_request]`, a mapping with filters), jobs with `if`, `needs`, `uses` (a
reusable workflow), `with`, `strategy.matrix` and steps with `name`, `id`, `uses`, `with`,
`run`, `if`, `env` and `continue-on-error`. Values are kept as GitHub turns them into
strings (`push: true` is the input "true", `exit-code: 1` is "1"); expressions `${{ }}`
stay as written and `Value.has_expression` says when one is there. YAML is read with the
1.2 core schema as GitHub does, so the key `on` is the string "on", never PyYAML's `True`
(see `located_yaml`).

Also here: `input_list`, which splits a list input (`tags`, `cache-from`, `build-args`)
the way docker's actions do (actions-toolkit `Util.getInputList`: CSV records, one per line,
quotes removed; with `ignore_comma` a record's fields are joined back with commas).

The reader judges nothing. Malformed structure that GitHub itself would reject (a job that
is not a mapping, steps that are not a list) raises InputError with the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product
from types import MappingProxyType
from typing import Any, Literal

from checklists import InputError, tr
from checks.readers import located_yaml
from checks.readers.expressions import has_expression
from checks.readers.located_yaml import YList, YMap, scalar_text

__all__ = [
    "Action",
    "ActionRef",
    "Job",
    "Matrix",
    "Step",
    "Trigger",
    "Value",
    "Workflow",
    "has_expression",
    "input_list",
    "parse_uses",
    "read_action",
    "read_workflow",
]

_SHA = re.compile(r"^[0-9a-f]{40}$")
_EMPTY: Mapping[str, Value] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar as GitHub sees it (a string) and the line it is on."""

    text: str
    line: int

    @property
    def has_expression(self) -> bool:
        return has_expression(self.text)


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A `uses:` value split into its parts.

    `kind` is "repository" for `owner/repo[/path]@ref`, "local" for `./path`, "docker" for
    `docker://image`. For a repository action `ref` is None when no `@` is written.
    """

    raw: str
    kind: Literal["repository", "local", "docker"]
    owner: str = ""
    repo: str = ""
    path: str | None = None
    ref: str | None = None

    @property
    def name(self) -> str:
        """owner/repo or owner/repo/path, as written (without the ref); the whole value
        for a local or Docker reference."""
        if self.kind != "repository":
            return self.raw
        base = f"{self.owner}/{self.repo}"
        return f"{base}/{self.path}" if self.path else base

    @property
    def is_sha(self) -> bool:
        return self.ref is not None and bool(_SHA.match(self.ref))

    def is_action(self, name: str) -> bool:
        """Whether this names the action `owner/repo[/path]` (GitHub names ignore case)."""
        return self.kind == "repository" and self.name.casefold() == name.casefold()


def parse_uses(text: str) -> ActionRef:
    """Split a `uses:` value. Never fails: odd values become a repository ref without repo."""
    raw = text.strip()
    if raw.startswith("docker://"):
        return ActionRef(raw, "docker", ref=raw.removeprefix("docker://"))
    if raw.startswith(("./", ".\\")) or raw == ".":
        return ActionRef(raw, "local", path=raw)
    name, at, ref = raw.partition("@")
    owner, _, rest = name.partition("/")
    repo, _, path = rest.partition("/")
    return ActionRef(raw, "repository", owner, repo, path or None, ref if at else None)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a job."""

    index: int  # 0-based position in the job
    line: int
    name: str | None
    id: str | None
    uses: ActionRef | None
    uses_line: int | None
    inputs: Mapping[str, Value]  # the `with:` mapping, keys as written
    run: Value | None
    if_: Value | None
    env: Mapping[str, Value]
    continue_on_error: Value | None
    working_directory: Value | None = None

    def input(self, name: str) -> Value | None:
        """The `with:` value for `name`; action input names ignore case, as in GitHub."""
        for key, value in self.inputs.items():
            if key.casefold() == name.casefold():
                return value
        return None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.uses is not None:
            return self.uses.raw
        if self.run is not None:
            first = self.run.text.strip().splitlines()
            return f"run: {first[0]}" if first else "run"
        return f"step {self.index + 1}"


# radon D: GitHub's matrix semantics: axes, include that extends or adds, exclude, expressions.
@dataclass(frozen=True, slots=True)
class Matrix:
    """`strategy.matrix`: axes, include and exclude, or an expression GitHub fills at run time."""

    line: int
    expression: str | None = None
    axes: Mapping[str, Any] = field(default_factory=dict)  # name -> list of values or expression
    include: tuple[Mapping[str, Any], ...] = ()
    exclude: tuple[Mapping[str, Any], ...] = ()

    def combinations(self) -> list[dict[str, Any]] | None:
        """The job's matrix combinations as GitHub expands them, or None when an axis, the
        matrix or an include list is an expression (known only at run time).

        Axes form the cross product; `exclude` removes the combinations it matches;
        each `include` entry extends every combination whose original values it does not
        overwrite, or is added as a combination of its own when it extends none.
        """
        if self.expression is not None:
            return None
        lists: list[tuple[str, list[Any]]] = []
        for name, values in self.axes.items():
            if not isinstance(values, list):
                return None
            lists.append((name, list(values)))
        names = [name for name, _ in lists]
        combos: list[dict[str, Any]] = (
            [dict(zip(names, values, strict=True)) for values in product(*[v for _, v in lists])]
            if lists
            else []
        )
        combos = [c for c in combos if not any(_matches(c, ex) for ex in self.exclude)]
        originals = [dict(c) for c in combos]
        extra: list[dict[str, Any]] = []
        for entry in self.include:
            extended = False
            for original, combo in zip(originals, combos, strict=True):
                if all(original.get(k, v) == v for k, v in entry.items() if k in original):
                    combo.update({k: v for k, v in entry.items() if k not in original})
                    extended = True
            if not extended:
                extra.append(dict(entry))
        return combos + extra


def _matches(combo: Mapping[str, Any], partial: Mapping[str, Any]) -> bool:
    return all(combo.get(key) == value for key, value in partial.items())


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    line: int
    name: str | None
    if_: Value | None
    needs: tuple[str, ...]
    uses: ActionRef | None  # a reusable workflow called instead of steps
    inputs: Mapping[str, Value]  # `with:` of a reusable-workflow call
    matrix: Matrix | None
    steps: tuple[Step, ...]
    env: Mapping[str, Value]
    continue_on_error: Value | None


@dataclass(frozen=True, slots=True)
class Trigger:
    """One event under `on:` with its filters (`branches`, `tags`, `paths`, `types`, ...)."""

    event: str
    line: int
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    crons: tuple[str, ...] = ()  # for `schedule`
    inputs: Mapping[str, Any] = field(default_factory=dict)  # workflow_call / dispatch inputs

    def filter(self, name: str) -> tuple[str, ...] | None:
        return self.filters.get(name)


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str | None
    on_line: int
    triggers: tuple[Trigger, ...]
    jobs: tuple[Job, ...]
    env: Mapping[str, Value]
    lines: tuple[str, ...]  # the physical lines, for excerpts

    def trigger(self, event: str) -> Trigger | None:
        return next((t for t in self.triggers if t.event == event), None)

    def job(self, job_id: str) -> Job | None:
        return next((j for j in self.jobs if j.id == job_id), None)

    def steps(self) -> Iterator[tuple[Job, Step]]:
        for job in self.jobs:
            for step in job.steps:
                yield job, step

    def excerpt(self, line: int, count: int = 1) -> str:
        return "\n".join(self.lines[line - 1 : line - 1 + count]).rstrip()


# --- Reading ---------------------------------------------------------------------------------


def _mapping(value: object, what: str, line: int) -> YMap:
    if value is None:
        return YMap(line)
    if not isinstance(value, YMap):
        raise InputError(
            tr("{what} must be a mapping", "{what} はマッピングでなければならない", what=what),
            line=getattr(value, "line", line),
        )
    return value


def _value(mapping: YMap, key: str) -> Value | None:
    if key not in mapping:
        return None
    raw = mapping[key]
    if isinstance(raw, YMap | YList):
        raise InputError(
            tr("'{key}' must be a single value", "'{key}' は単一の値でなければならない", key=key),
            line=mapping.line_of(key),
        )
    return Value(scalar_text(raw), mapping.line_of(key))


def _text(mapping: YMap, key: str) -> str | None:
    value = _value(mapping, key)
    return value.text if value is not None else None


def _values(mapping: YMap, key: str) -> Mapping[str, Value]:
    raw = _mapping(mapping.get(key), f"'{key}'", mapping.line_of(key))
    return MappingProxyType({name: v for name in raw if (v := _value(raw, name)) is not None})


def _strings(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, YList):
        return tuple(scalar_text(item) for item in raw if not isinstance(item, YMap | YList))
    if isinstance(raw, YMap):
        return tuple(raw)
    return (scalar_text(raw),)


def _plain(raw: object) -> object:
    """A matrix value as plain data, scalars as GitHub would substitute them."""
    if isinstance(raw, YMap):
        return {key: _plain(value) for key, value in raw.items()}
    if isinstance(raw, YList):
        return [_plain(item) for item in raw]
    return scalar_text(raw)


def _triggers(document: YMap) -> tuple[int, tuple[Trigger, ...]]:
    if "on" not in document:
        raise InputError(
            tr(
                "the workflow has no 'on:' (its triggers)", "ワークフローに 'on:'（トリガー）がない"
            ),
            line=document.line,
        )
    line = document.line_of("on")
    raw = document["on"]
    if isinstance(raw, str):
        return line, (Trigger(raw, line),)
    if isinstance(raw, YList):
        return line, tuple(
            Trigger(scalar_text(item), item_line)
            for item, item_line in zip(raw, raw.item_lines, strict=True)
        )
    if not isinstance(raw, YMap):
        raise InputError(
            tr(
                "'on:' must be an event, a list or a mapping",
                "'on:' はイベント、リスト、マッピングのいずれかでなければならない",
            ),
            line=line,
        )
    found: list[Trigger] = []
    for event, config in raw.items():
        event_line = raw.line_of(event)
        if event == "schedule":
            crons = tuple(
                scalar_text(entry.get("cron"))
                for entry in (config if isinstance(config, YList) else [])
                if isinstance(entry, YMap)
            )
            found.append(Trigger(event, event_line, crons=crons))
            continue
        filters: dict[str, tuple[str, ...]] = {}
        inputs: dict[str, Any] = {}
        if isinstance(config, YMap):
            for key, value in config.items():
                if key == "inputs" and isinstance(value, YMap):
                    inputs = {name: _plain(spec) for name, spec in value.items()}
                elif not isinstance(value, YMap):
                    filters[key] = _strings(value)
        found.append(
            Trigger(event, event_line, MappingProxyType(filters), inputs=MappingProxyType(inputs))
        )
    return line, tuple(found)


def _matrix(strategy: YMap) -> Matrix | None:
    if "matrix" not in strategy:
        return None
    raw = strategy["matrix"]
    line = strategy.line_of("matrix")
    if isinstance(raw, str):
        return Matrix(line, expression=raw)
    mapping = _mapping(raw, "'matrix'", line)
    axes: dict[str, Any] = {}
    lists: dict[str, tuple[Mapping[str, Any], ...]] = {"include": (), "exclude": ()}
    for key, value in mapping.items():
        plain = _plain(value)
        if key not in lists:
            axes[key] = plain
        elif isinstance(plain, list):
            lists[key] = tuple(entry for entry in plain if isinstance(entry, dict))
        else:  # `include: ${{ fromJSON(...) }}`: known only at run time
            return Matrix(line, expression=str(plain))
    return Matrix(line, None, MappingProxyType(axes), lists["include"], lists["exclude"])


def _step(raw: object, index: int, line: int) -> Step:
    step = _mapping(raw, tr("a step", "ステップ"), line)
    uses_text = _value(step, "uses")
    return Step(
        index=index,
        line=step.line,
        name=_text(step, "name"),
        id=_text(step, "id"),
        uses=parse_uses(uses_text.text) if uses_text else None,
        uses_line=uses_text.line if uses_text else None,
        inputs=_values(step, "with"),
        run=_value(step, "run"),
        if_=_value(step, "if"),
        env=_values(step, "env") if not isinstance(step.get("env"), str) else _EMPTY,
        continue_on_error=_value(step, "continue-on-error"),
        working_directory=_value(step, "working-directory"),
    )


def _job(job_id: str, raw: object, line: int) -> Job:
    job = _mapping(raw, tr("job '{job_id}'", "ジョブ '{job_id}'", job_id=job_id), line)
    steps_raw = job.get("steps")
    if steps_raw is not None and not isinstance(steps_raw, YList):
        raise InputError(
            tr(
                "the steps of job '{job_id}' must be a list",
                "ジョブ '{job_id}' の steps はリストでなければならない",
                job_id=job_id,
            ),
            line=job.line_of("steps"),
        )
    steps = tuple(
        _step(item, index, item_line)
        for index, (item, item_line) in enumerate(
            zip(steps_raw or [], steps_raw.item_lines if steps_raw else [], strict=True)
        )
    )
    strategy = job.get("strategy")
    uses = _value(job, "uses")
    return Job(
        id=job_id,
        line=line,
        name=_text(job, "name"),
        if_=_value(job, "if"),
        needs=_strings(job.get("needs")),
        uses=parse_uses(uses.text) if uses else None,
        inputs=_values(job, "with"),
        matrix=_matrix(strategy) if isinstance(strategy, YMap) else None,
        steps=steps,
        env=_values(job, "env") if not isinstance(job.get("env"), str) else _EMPTY,
        continue_on_error=_value(job, "continue-on-error"),
    )


def read_workflow(data: bytes) -> Workflow:
    """Parse one workflow file. InputError (with the line) for YAML GitHub would reject."""
    document = located_yaml.load(data)
    if not isinstance(document, YMap):
        raise InputError(
            tr(
                "a workflow must be a mapping with 'on:' and 'jobs:'",
                "ワークフローは 'on:' と 'jobs:' を持つマッピングでなければならない",
            ),
            line=1,
        )
    on_line, triggers = _triggers(document)
    jobs_raw = _mapping(document.get("jobs"), "'jobs'", document.line_of("jobs"))
    jobs = tuple(_job(job_id, raw, jobs_raw.line_of(job_id)) for job_id, raw in jobs_raw.items())
    lines = tuple(data.decode("utf-8").removeprefix("\ufeff").splitlines())
    return Workflow(
        name=_text(document, "name"),
        on_line=on_line,
        triggers=triggers,
        jobs=jobs,
        env=_values(document, "env") if not isinstance(document.get("env"), str) else _EMPTY,
        lines=lines,
    )


# --- Inputs of docker's actions --------------------------------------------------------------


def input_list(text: str | None, *, ignore_comma: bool = False, quote: bool = True) -> list[str]:
    """A list input split as actions-toolkit's `Util.getInputList` does.

    The input is read as CSV: one record per line (a quoted field may span lines), empty
    lines skipped, quotes removed unless `quote` is False. A record of one field is one
    item; without `ignore_comma` a record's fields, and the comma-separated parts of a
    single field, are separate items; with `ignore_comma` the fields are joined back with
    commas into one item. Items are trimmed and empty ones dropped.
    """
    if not text:
        return []
    reader = csv.reader(
        io.StringIO(text, newline=""),
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        strict=False,
    )
    items: list[str] = []
    for record in reader:
        if not record or all(not cell for cell in record):
            continue
        if len(record) == 1:
            items.extend([record[0]] if ignore_comma else record[0].split(","))
        elif ignore_comma:
            items.append(",".join(record))
        else:
            items.extend(record)
    return [item.strip() for item in items if item.strip()]


# --- Local composite actions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """A local action's `action.yml`: its inputs (name -> default text or None) and, for a
    composite action, its steps; `using` is `composite`, `docker`, `node20`, ..."""

    name: str | None
    using: str
    inputs: Mapping[str, str | None]
    steps: tuple[Step, ...]
    lines: tuple[str, ...]

    def excerpt(self, line: int, count: int = 1) -> str:
        return "\n".join(self.lines[line - 1 : line - 1 + count]).rstrip()


def read_action(data: bytes) -> Action:
    """Parse an `action.yml`; InputError (with the line) for a shape GitHub would reject."""
    document = located_yaml.load(data)
    if not isinstance(document, YMap):
        raise InputError(
            tr(
                "an action must be a mapping with 'runs:'",
                "アクションは 'runs:' を持つマッピングでなければならない",
            ),
            line=1,
        )
    runs = _mapping(document.get("runs"), "'runs'", document.line_of("runs"))
    using = scalar_text(runs.get("using")).strip()
    raw_inputs = _mapping(document.get("inputs"), "'inputs'", document.line_of("inputs"))
    inputs: dict[str, str | None] = {}
    for name, spec in raw_inputs.items():
        default = spec.get("default") if isinstance(spec, YMap) else None
        inputs[name] = None if default is None else scalar_text(default)
    steps_raw = runs.get("steps")
    if steps_raw is not None and not isinstance(steps_raw, YList):
        raise InputError(
            tr(
                "the steps of a composite action must be a list",
                "複合アクションの steps はリストでなければならない",
            ),
            line=runs.line,
        )
    steps = tuple(
        _step(item, index, item_line)
        for index, (item, item_line) in enumerate(
            zip(steps_raw or [], steps_raw.item_lines if steps_raw else [], strict=True)
        )
    )
    lines = tuple(data.decode("utf-8", "replace").removeprefix("\ufeff").splitlines())
    return Action(_text(document, "name"), using, MappingProxyType(inputs), steps, lines)
