"""A large run in several worker processes: the same outcomes as one, each file still
parsed once, a hung task costing only itself (issue 21)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pytest

from checklists.core import runner
from checklists.core.cache import ResultCache
from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.model import Evidence, Outcome
from checklists.core.registry import Registry
from checklists.core.runner import Task, processes, shares
from checklists.core.target import Target
from checklists.core.verdict import Policy, Verdict
from tests.engine.conftest import DOC, RELEASE

LOG = logging.getLogger("test.checklists")
FILES = [f"svc-{n}/Dockerfile" for n in range(6)]


def _lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


def _record(pids: Path) -> None:
    with pids.open("a", encoding="utf-8") as stream:  # one short append per call
        stream.write(f"{os.getpid()}\n")


def _registry(pids: Path) -> Registry:
    """Checks that each parse the Dockerfile their binding names, and note their process."""
    registry = Registry()

    def first(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
        _record(pids)
        lines = target.parse(dockerfile, _lines)
        if lines[0].startswith("FROM scratch"):
            return Outcome.failed("starts from scratch", Evidence("FROM", path=dockerfile))
        return Outcome.passed(f"{len(lines)} lines", Evidence(lines[0], path=dockerfile))

    def last(
        target: Target, *, dockerfile: str = "Dockerfile", context: str | None = None
    ) -> Outcome:
        _record(pids)
        lines = target.parse(dockerfile, _lines)
        return Outcome.passed(f"ends with {lines[-1]!r} ({context})")

    def hangs_on(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
        target.parse(dockerfile, _lines)
        RELEASE.wait(10)
        return Outcome.passed("too late")

    for name, function in (("first", first), ("last", last), ("hangs_on", hangs_on)):
        function.__doc__ = DOC.format(title=name)
        registry.check(f"fake.{name}")(function)
    return registry


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for number, name in enumerate(FILES):
        (root / name).parent.mkdir(parents=True)
        base = "scratch" if number % 3 == 0 else f"python:3.1{number}-slim"
        (root / name).write_text(f'FROM {base}\nRUN true\nCMD ["app-{number}"]\n', "utf-8")
    return root


def _page() -> str:
    lines = []
    for number, name in enumerate(FILES):
        spelled = f"./{name}" if number % 2 else name  # one file, two spellings
        lines.append(f"- [x] a{number} <!-- check: fake.first {{dockerfile: {name}}} -->")
        lines.append(f"- [x] b{number} <!-- check: fake.first {{dockerfile: {spelled}}} -->")
        lines.append(f"- [x] c{number} <!-- check: fake.last {{dockerfile: {name}}} -->")
    return "\n".join(lines) + "\n"


def _run(repo: Path, registry: Registry, page: str, timeout: float = 10.0) -> Run:
    settings = Settings(
        target=repo, timeout=timeout, workers=2, policy=Policy(today=dt.date(2026, 11, 28))
    )
    return evaluate(collect({"p.md": page}), settings, LOG, registry)


def _outcomes(run: Run) -> list[tuple[str, str, object]]:
    return [
        (r.verdict.value, r.outcome.summary if r.outcome else "", r.outcome) for r in run.results
    ]


def test_several_processes_give_the_outcomes_one_gives(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    registry = _registry(pids)
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "1")
    alone = _run(repo, registry, _page())
    one = set(pids.read_text("utf-8").split())
    pids.unlink()
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "3")
    shared = _run(repo, registry, _page())
    three = set(pids.read_text("utf-8").split())
    assert len(one) == 1 and len(three) == 3  # it did run in three processes
    assert os.getpid() not in {int(p) for p in three}
    assert _outcomes(shared) == _outcomes(alone)
    assert [r.verdict for r in shared.results][:3] == [Verdict.BROKEN] * 2 + [Verdict.VERIFIED]
    # `./a` and `a` are two evaluations (their parameters differ) of one file.
    assert shared.evaluations == alone.evaluations == 3 * len(FILES) - len(FILES) // 2
    # Each file read and parsed once, whatever process parsed it; counted back here.
    assert (shared.target.reads, shared.target.parses) == (len(FILES), len(FILES))
    assert shared.target.files_read == sorted(FILES) == alone.target.files_read


def test_a_hung_task_in_one_process_loses_no_result_of_another(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(tmp_path / "pids")
    page = f"- [x] h <!-- check: fake.hangs_on {{dockerfile: {FILES[1]}}} -->\n" + _page()
    runs = []
    for count in ("2", "1"):
        monkeypatch.setenv(runner.PROCESSES_VARIABLE, count)
        RELEASE.clear()
        try:
            runs.append(_run(repo, registry, page, timeout=0.3))
        finally:
            RELEASE.set()
    run, alone = runs
    assert _outcomes(run) == _outcomes(alone)
    hung, *others = run.results
    assert hung.verdict is Verdict.ERROR
    assert hung.outcome is not None
    assert hung.outcome.summary == "the check fake.hangs_on timed out after 0.3 s"
    assert [r.verdict for r in others] == [Verdict.BROKEN, Verdict.BROKEN, Verdict.VERIFIED] + [
        Verdict.VERIFIED
    ] * 3 * 2 + [Verdict.BROKEN, Verdict.BROKEN, Verdict.VERIFIED] + [Verdict.VERIFIED] * 3 * 2
    # The share that was stopped ran its other tasks in a fresh process; the counts are
    # what one process gives.
    assert (run.target.parses, run.target.files_read) == (len(FILES), sorted(FILES))
    assert (alone.target.parses, alone.target.files_read) == (len(FILES), sorted(FILES))


def _task(registry: Registry, check: str, **params: object) -> Task:
    spec = registry.get(check)
    assert spec is not None
    return Task(spec, params)


def test_tasks_naming_one_file_share_a_process(tmp_path: Path) -> None:
    registry = _registry(tmp_path / "pids")
    tasks = [
        _task(registry, "fake.first", dockerfile="a/Dockerfile"),
        _task(registry, "fake.first", dockerfile="b/Dockerfile"),
        _task(registry, "fake.last", dockerfile="./a//Dockerfile"),
        _task(registry, "fake.last", dockerfile="c/Dockerfile", context="x"),
        _task(registry, "fake.last", dockerfile="d/Dockerfile", context="./x/"),
        _task(registry, "fake.first", dockerfile="e/Dockerfile"),
        _task(registry, "fake.first", dockerfile="e/dev.Dockerfile"),
        _task(registry, "fake.first"),  # no file named: the checks' defaults
        _task(registry, "fake.last", context="."),
        _task(registry, "fake.last"),
    ]
    parts = shares(tasks, 2)
    assert shares(tasks, 2) == parts  # the same tasks, the same shares
    assert sorted(map(len, parts)) == [5, 5]
    index = {task.key: number for number, share in enumerate(parts) for task in share}
    assert index[tasks[0].key] == index[tasks[2].key]  # one file, spelled two ways
    assert index[tasks[3].key] == index[tasks[4].key]  # linked through one context
    assert index[tasks[5].key] == index[tasks[6].key]  # one folder: one .dockerignore
    assert index[tasks[7].key] == index[tasks[9].key]  # both read the default files
    for share in parts:  # each in the order the tasks came
        assert share == sorted(share, key=tasks.index)
    assert shares(tasks, 1) == [tasks]
    assert len(shares(tasks, 10)) == 6  # never more shares than groups


def test_checks_that_wait_on_programs_share_one_process(tmp_path: Path) -> None:
    """`workers` bounds the programs running at once: with the checks that start them in
    several processes, each process would run that many."""
    registry = _registry(tmp_path / "pids")

    def waits(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
        return Outcome.passed("waited")

    waits.__doc__ = DOC.format(title="waits")
    registry.check("fake.waits", external=True)(waits)
    tasks = [_task(registry, "fake.waits", dockerfile=name) for name in FILES[:3]]
    tasks += [_task(registry, "fake.first", dockerfile=name) for name in FILES[3:]]
    parts = shares(tasks, 2)
    assert [[t.spec.external for t in share] for share in parts] == [[True] * 3, [False] * 3]


def test_a_small_run_uses_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runner.PROCESSES_VARIABLE, raising=False)
    monkeypatch.setattr(runner, "_cores", lambda: 8)
    assert processes(1) == processes(runner.PER_PROCESS * 2 - 1) == 1
    assert processes(runner.PER_PROCESS * 2) == 2
    assert processes(runner.PER_PROCESS * 100) == 8  # at most one per core
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "1")
    assert processes(runner.PER_PROCESS * 100) == 1  # forced to one
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "3")
    assert processes(2) == 2  # never more than the tasks
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "many")
    assert processes(runner.PER_PROCESS * 100) == 8  # not a number: ignored


def test_the_serve_cache_keeps_what_every_process_found(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process's results reach the cache with what they read: unchanged, nothing runs
    again; after an edit, exactly the tasks that read the edited file."""
    registry = _registry(tmp_path / "pids")
    monkeypatch.setenv(runner.PROCESSES_VARIABLE, "2")
    cache = ResultCache()
    settings = Settings(
        target=repo, timeout=10.0, policy=Policy(today=dt.date(2026, 11, 28)), cache=cache
    )

    def again() -> Run:
        return evaluate(collect({"p.md": _page()}), settings, LOG, registry)

    first = again()
    assert (first.evaluations, first.reused) == (15, 0)
    unchanged = again()
    assert (unchanged.evaluations, unchanged.reused) == (0, 15)
    assert _outcomes(unchanged) == _outcomes(first)
    (repo / FILES[1]).write_text("FROM scratch\n", "utf-8")
    edited = again()
    assert (edited.evaluations, edited.reused) == (3, 12)  # a1, b1 (./ spelled) and c1
    assert [r.verdict for r in edited.results][3:6] == [Verdict.BROKEN] * 2 + [Verdict.VERIFIED]
