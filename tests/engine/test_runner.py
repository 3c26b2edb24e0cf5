"""Evaluation: each distinct (check, params) once; errors and timeouts contained."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklists import reports
from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.errors import SetupError
from checklists.core.model import Evidence, Outcome
from checklists.core.registry import Registry
from checklists.core.target import Target
from checklists.core.verdict import Policy, Verdict
from tests.engine.conftest import CALLS, DOC, RELEASE

LOG = logging.getLogger("test.checklists")


def settings(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "target": root,
        "timeout": 5.0,
        "workers": 4,
        "policy": Policy(today=dt.date(2026, 11, 28)),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "file.txt").write_text("<script>alert(1)</script>\n", encoding="utf-8")
    return tmp_path


def verdicts(markdown: str, registry: Registry, root: Path, **overrides: object) -> list[str]:
    run = evaluate(collect({"p.md": markdown}), settings(root, **overrides), LOG, registry)
    return [r.verdict.value for r in run.results]


def test_each_distinct_evaluation_runs_once_across_pages(registry: Registry, repo: Path) -> None:
    pages = {
        "a.md": "- [x] one <!-- check: fake.passes -->\n- [x] two <!-- check: fake.passes -->\n",
        "b.md": "- [x] three <!-- check: fake.passes -->\n"
        "- [x] other <!-- check: fake.passes {note: x} -->\n",
    }
    run = evaluate(collect(pages), settings(repo), LOG, registry)
    assert [r.verdict for r in run.results] == [Verdict.VERIFIED] * 4
    assert CALLS["passes"] == 2
    assert run.evaluations == 2
    assert [r.item.location for r in run.results] == ["a.md:1", "a.md:2", "b.md:1", "b.md:2"]


def test_a_raising_check_is_an_error_and_the_others_still_run(
    registry: Registry, repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    markdown = "- [x] a <!-- check: fake.raises -->\n- [x] b <!-- check: fake.passes -->\n"
    run = evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    broken, fine = run.results
    assert (broken.verdict, fine.verdict) == (Verdict.ERROR, Verdict.VERIFIED)
    assert broken.outcome is not None
    assert "RuntimeError: boom" in broken.outcome.summary
    assert "Traceback" in caplog.text


@pytest.mark.parametrize("isolate", [True, False], ids=["process", "threads"])
def test_a_hanging_check_times_out_without_blocking_the_rest(
    registry: Registry, repo: Path, isolate: bool
) -> None:
    RELEASE.clear()
    try:
        markdown = "- [x] a <!-- check: fake.hangs -->\n- [x] b <!-- check: fake.fails -->\n"
        run = evaluate(
            collect({"p.md": markdown}), settings(repo, timeout=0.2, isolate=isolate), LOG, registry
        )
    finally:
        RELEASE.set()
    hung, failed = run.results
    assert hung.verdict is Verdict.ERROR
    assert hung.outcome is not None
    assert hung.outcome.summary == "the check fake.hangs timed out after 0.2 s"
    assert failed.verdict is Verdict.BROKEN


def _register(registry: Registry, name: str, function: Callable[..., Outcome]) -> None:
    function.__doc__ = DOC.format(title=name)
    registry.check(f"fake.{name}")(function)


def test_a_check_stuck_in_c_code_holding_the_interpreter_is_stopped(
    registry: Registry, repo: Path
) -> None:
    """A catastrophic regular expression never lets go of the GIL: no thread can stop it,
    only the end of the process that runs it."""

    def backtracks(target: Target) -> Outcome:
        re.match(r"(a+)+$", "a" * 64 + "!")  # 2^64 steps inside the C regex engine
        return Outcome.passed("too late")

    _register(registry, "backtracks", backtracks)
    markdown = (
        "- [x] a <!-- check: fake.passes -->\n- [x] b <!-- check: fake.backtracks -->\n"
        "- [x] c <!-- check: fake.fails -->\n- [x] d <!-- check: fake.reads -->\n"
    )
    run = evaluate(collect({"p.md": markdown}), settings(repo, timeout=0.3), LOG, registry)
    assert [r.verdict for r in run.results] == [
        Verdict.VERIFIED,
        Verdict.ERROR,
        Verdict.BROKEN,
        Verdict.VERIFIED,
    ]
    stuck = run.results[1].outcome
    assert stuck is not None and stuck.summary == "the check fake.backtracks timed out after 0.3 s"
    assert run.evaluations == 4
    assert run.target.reads == 1 and run.target.files_read == ["file.txt"]  # counted back here


def test_a_check_that_ends_its_process_is_an_error_and_the_others_still_run(
    registry: Registry, repo: Path
) -> None:
    def exits(target: Target) -> Outcome:
        os._exit(3)

    def killed(target: Target) -> Outcome:
        os.kill(os.getpid(), signal.SIGKILL)
        return Outcome.passed("never")

    _register(registry, "exits", exits)
    _register(registry, "killed", killed)
    markdown = (
        "- [x] a <!-- check: fake.exits -->\n- [x] b <!-- check: fake.passes -->\n"
        "- [x] c <!-- check: fake.killed -->\n- [x] d <!-- check: fake.fails -->\n"
    )
    run = evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    summaries = [r.outcome.summary for r in run.results if r.outcome]
    assert [r.verdict for r in run.results] == [
        Verdict.ERROR,
        Verdict.VERIFIED,
        Verdict.ERROR,
        Verdict.BROKEN,
    ]
    assert summaries[0] == "the check fake.exits: it ended the process that ran it (exit status 3)"
    assert summaries[2] == (
        "the check fake.killed: it ended the process that ran it (killed by signal SIGKILL)"
    )


def test_of_checks_running_side_by_side_only_the_one_that_kills_the_process_errs(
    registry: Registry, repo: Path
) -> None:
    """An external check runs on its own thread beside the pure ones; when the process
    dies, each check that was running is tried again alone to find the culprit."""
    started, never = threading.Event(), threading.Event()

    def slow_external(target: Target) -> Outcome:
        CALLS.add("slow")
        if CALLS["slow"] == 1:  # the first run: still running when its neighbour ends it all
            started.set()
            never.wait(10)
        return Outcome.passed("waited for a program")

    def dies(target: Target) -> Outcome:
        if CALLS["slow"] == 0:  # the first run: let its neighbour start
            started.wait(10)
        os._exit(9)

    _register(registry, "dies", dies)
    slow_external.__doc__ = DOC.format(title="slow")
    registry.check("fake.slow", external=True)(slow_external)
    markdown = "- [x] a <!-- check: fake.slow -->\n- [x] b <!-- check: fake.dies -->\n"
    run = evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    assert [r.verdict for r in run.results] == [Verdict.VERIFIED, Verdict.ERROR]
    died = run.results[1].outcome
    assert died is not None and died.summary.endswith("(exit status 9)")
    assert CALLS["slow"] == 2  # once beside the culprit, once alone


def test_an_outcome_that_cannot_cross_to_the_parent_is_an_error(
    registry: Registry, repo: Path
) -> None:
    def odd(target: Target) -> Outcome:
        return Outcome.passed("fine", Evidence(lambda: 1))  # type: ignore[arg-type]

    _register(registry, "odd", odd)
    markdown = "- [x] a <!-- check: fake.odd -->\n- [x] b <!-- check: fake.passes -->\n"
    run = evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    odd_result, fine = run.results
    assert odd_result.verdict is Verdict.ERROR and fine.verdict is Verdict.VERIFIED
    assert odd_result.outcome is not None
    assert "cannot be passed on" in odd_result.outcome.summary


def test_the_workers_log_reaches_the_runs_log(
    registry: Registry, repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    markdown = "- [x] a <!-- check: fake.raises -->\n"
    evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    assert "check fake.raises raised RuntimeError" in caplog.text


def test_binding_problems_become_located_errors(registry: Registry, repo: Path) -> None:
    markdown = (
        "- [x] a <!-- check: fake.pases -->\n"
        "- [x] b <!-- check: fake.passes {colour: red} -->\n"
        "- [x] c <!-- check: fake.needs -->\n"
        "- [x] d <!-- check: fake.passes {note: a: b} -->\n"
    )
    run = evaluate(collect({"p.md": markdown}), settings(repo), LOG, registry)
    summaries = [r.outcome.summary for r in run.results if r.outcome]
    assert [r.verdict for r in run.results] == [Verdict.ERROR] * 4
    assert summaries[0] == "p.md:1: unknown check id 'fake.pases'; did you mean 'fake.passes'?"
    assert summaries[1] == "p.md:2: fake.passes has no parameter colour (it takes: note)"
    assert summaries[2].startswith("p.md:3: fake.needs needs the parameter(s) size")
    assert summaries[3].startswith("p.md:4: bad YAML")


def test_site_defaults_fill_declared_params_only(registry: Registry, repo: Path) -> None:
    markdown = "- [x] a <!-- check: fake.needs -->\n- [x] b <!-- check: fake.needs {size: 2} -->\n"
    run = evaluate(
        collect({"p.md": markdown}), settings(repo, defaults={"size": 1, "other": 9}), LOG, registry
    )
    assert [r.outcome.summary for r in run.results if r.outcome] == ["size 1", "size 2"]


def test_input_errors_keep_their_location(registry: Registry, repo: Path) -> None:
    run = evaluate(
        collect({"p.md": "- [x] a <!-- check: fake.bad_input -->\n"}), settings(repo), LOG, registry
    )
    (result,) = run.results
    assert result.outcome is not None
    assert result.outcome.summary == "Dockerfile:7: unterminated heredoc"
    assert result.outcome.evidence[0].location == "Dockerfile:7"


def test_claims_and_outcomes_meet_in_the_claim_table(registry: Registry, repo: Path) -> None:
    markdown = (
        "- [x] a <!-- check: fake.passes -->\n- [x] b <!-- check: fake.fails -->\n"
        "- [ ] c <!-- check: fake.fails -->\n- [ ] d <!-- check: fake.passes -->\n"
        "- [x] e <!-- check: fake.unknown -->\n- [x] f\n"
        "- [x] g <!-- check: fake.fails waive: {reason: later, until: 2027-01-01} -->\n"
        "- [x] h <!-- check: fake.fails waive: {reason: late, until: 2026-01-01} -->\n"
    )
    assert verdicts(markdown, registry, repo) == [
        "verified",
        "broken",
        "not_yet",
        "done_unticked",
        "unverified",
        "unbound",
        "waived",
        "waiver_expired",
    ]


def test_require_evidence_turns_unverified_into_a_failure(registry: Registry, repo: Path) -> None:
    markdown = "- [x] e <!-- check: fake.unknown -->\n"
    policy = Policy(today=dt.date(2026, 11, 28), require_evidence=True)
    run = evaluate(collect({"p.md": markdown}), settings(repo, policy=policy), LOG, registry)
    assert [r.fails for r in run.results] == [True]


def test_a_missing_target_is_a_setup_error_naming_the_path(
    registry: Registry, tmp_path: Path
) -> None:
    with pytest.raises(SetupError, match=r"nowhere does not exist.*option 'target'"):
        evaluate([], settings(tmp_path / "nowhere"), LOG, registry)


def test_the_collector_pauses_during_a_run_and_comes_back(registry: Registry, repo: Path) -> None:
    import gc

    from checklists.core import collector

    def records(target: Target) -> Outcome:
        # in the worker, while the run allocates: the outcome carries what it saw back
        return Outcome.passed(f"collector enabled: {gc.isenabled()}")

    records.__doc__ = DOC.format(title="Records whether the collector runs")
    registry.check("fake.records")(records)
    assert gc.isenabled()
    with collector.paused():  # what the drivers (plugin, command line, extension) do
        run = evaluate(
            collect({"p.md": "- [x] a <!-- check: fake.records -->\n"}),
            settings(repo),
            LOG,
            registry,
        )
    (result,) = run.results
    assert result.verdict is Verdict.VERIFIED
    assert result.outcome is not None and result.outcome.summary == "collector enabled: False"
    assert gc.isenabled()
    # What the run built stays out of the collector's full passes until its reports are out.
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    with collector.paused():
        items = collect({"p.md": "- [x] a <!-- check: fake.records -->\n"})
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with collector.paused():  # the next run releases what the last one froze first
        assert gc.get_freeze_count() == 0
        run = evaluate(items, settings(repo), LOG, registry)
    assert gc.get_freeze_count() > 0
    context = reports.context_for("en", "target", "docs")
    reports.publish(run, repo / "site", context, {}, LOG)
    collector.release()  # the build is done once its reports are written
    assert gc.get_freeze_count() == 0
    with pytest.raises(SetupError), collector.paused():  # back on after a failed run too
        evaluate(
            collect({"p.md": "- [x] a <!-- check: fake.records -->\n"}),
            settings(repo / "gone"),
            LOG,
            registry,
        )
    assert gc.isenabled() and gc.get_freeze_count() == 0  # a failed run freezes nothing
    gc.disable()  # a caller that turned it off keeps it off
    try:
        with collector.paused():
            evaluate([], settings(repo), LOG, registry)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_engine_and_the_report_writers_leave_the_collector_alone(
    registry: Registry, repo: Path
) -> None:
    import gc

    gc.unfreeze()
    run = evaluate(
        collect({"p.md": "- [x] a <!-- check: fake.passes -->\n"}), settings(repo), LOG, registry
    )
    assert gc.isenabled() and gc.get_freeze_count() == 0
    reports.publish(run, repo / "site", reports.context_for("en", "target", "docs"), {}, LOG)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def _stalls(data: bytes) -> list[str]:
    """A parser that never finishes on its input, holding the interpreter lock."""
    re.match(rb"(a+)+$", data)
    return []


def test_a_parse_that_outlives_the_timeout_is_not_tried_again(
    registry: Registry, repo: Path
) -> None:
    """Every check that parses the file would run out of time in turn; the first one
    names the file, the others are told at once that it could not be read."""
    (repo / "file.txt").write_bytes(b"a" * 64 + b"!")

    def parses_slowly(target: Target, *, label: str = "a") -> Outcome:
        target.parse("file.txt", _stalls)
        return Outcome.passed(label)

    _register(registry, "slow", parses_slowly)
    page = "".join(f"- [x] {n} <!-- check: fake.slow {{label: {n}}} -->\n" for n in "abcd")
    page += "- [x] e <!-- check: fake.passes -->\n"
    run = evaluate(collect({"p.md": page}), settings(repo, timeout=0.3), LOG, registry)
    summaries = [r.outcome.summary for r in run.results if r.outcome]
    assert summaries[0] == "the check fake.slow timed out after 0.3 s while reading file.txt"
    assert (
        summaries[1:4]
        == [
            "file.txt: reading it took longer than the 0.3 s a check may run; "
            "not read again in this run"
        ]
        * 3
    )
    assert run.results[4].verdict is Verdict.VERIFIED
    first = run.results[0].outcome
    assert first is not None and first.evidence[0].location == "file.txt"


@pytest.mark.parametrize(
    "how",
    [
        ("c-code",),
        ("sleeps", "--no-death-signal"),
        ("c-code", "2"),
        ("sleeps", "--no-death-signal", "2"),
    ],
    ids=[
        "death-signal-ends-a-worker-stuck-in-c-code",
        "worker-looks-at-its-parent",
        "death-signal-ends-two-workers",
        "two-workers-look-at-their-parent",
    ],
)
def test_a_worker_whose_parent_is_killed_dies_too(tmp_path: Path, how: tuple[str, ...]) -> None:
    """SIGKILL the build mid-run: its worker processes must not run on. The build's checks
    tell the workers' pids through a pipe; each worker's end is awaited on a pidfd. With
    "2", two worker processes run at once, each forked by a thread of the build."""
    count = int(how[-1]) if how[-1].isdigit() else 1
    read_end, write_end = os.pipe()
    build = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.orphaned_build", str(tmp_path), str(write_end), *how],
        cwd=Path(__file__).resolve().parents[2],
        pass_fds=(write_end,),
    )
    os.close(write_end)
    workers: list[int] = []
    try:
        told = b""
        while told.count(b"\n") < count:  # whole lines: a pid may come in two reads
            ready, _, _ = select.select([read_end], [], [], 60)
            assert ready, "the checks never started"
            told += os.read(read_end, 64)
        workers = [int(pid) for pid in told.split()]
        assert len(set(workers)) == count  # one process each
        assert build.pid not in workers  # they run in worker processes, not in the build
        build.kill()
        build.wait()
        for worker in workers:
            assert _ends_within(worker, seconds=30), "a worker outlived its killed parent"
    finally:
        os.close(read_end)
        build.kill()
        build.wait()
        for worker in workers:
            with contextlib.suppress(OSError):
                os.kill(worker, signal.SIGKILL)  # only if the test failed: leave nothing


def _ends_within(pid: int, seconds: float) -> bool:
    """Whether the process ends (a zombie or reaped) within `seconds`: a pidfd turns
    readable then. The bound is only reached when it does not end, a failure."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        waiting = select.poll()
        waiting.register(handle, select.POLLIN)
        return bool(waiting.poll(int(seconds * 1000)))
    finally:
        os.close(handle)


class _HeldWriter(io.RawIOBase):
    """A stream's raw file that, once told to, blocks inside a write: the buffered stream
    over it keeps its lock taken meanwhile, as when a thread is writing to a slow pipe."""

    def __init__(self, fd: int) -> None:
        self.fd, self.inside, self.release = fd, threading.Event(), threading.Event()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def write(self, data: Any) -> int:
        self.inside.set()
        self.release.wait()
        return os.write(self.fd, bytes(data))


def test_a_worker_forked_while_a_thread_writes_to_stderr_can_still_write(
    registry: Registry, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython does not make a buffered stream's lock afresh in a forked child: the child of
    a fork made while another thread is inside a write to stderr (MkDocs logging while the
    checks' thread forks) would wait forever at its first write to it."""
    out = tmp_path / "stderr.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    raw = _HeldWriter(fd)
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BufferedWriter(raw), "utf-8"))
    writer = threading.Thread(target=lambda: print("the build's log", file=sys.stderr, flush=True))
    real_fork = os.fork

    def fork_while_writing() -> int:
        if not writer.is_alive():  # the first fork: the writer holds stderr's lock now
            writer.start()
            raw.inside.wait()
        return real_fork()

    def prints(target: Target) -> Outcome:
        print("from the worker", file=sys.stderr, flush=True)
        return Outcome.passed("printed")

    prints.__doc__ = DOC.format(title="prints")
    registry.check("fake.prints")(prints)
    monkeypatch.setattr(os, "fork", fork_while_writing)
    try:
        run = evaluate(
            collect({"p.md": "- [x] a <!-- check: fake.prints -->\n"}),
            settings(repo, timeout=5.0),
            LOG,
            registry,
        )
    finally:
        raw.release.set()
        writer.join()
        os.close(fd)
    assert [r.verdict for r in run.results] == [Verdict.VERIFIED], run.results[
        0
    ].outcome  # not timed out
    assert "from the worker\n" in out.read_text("utf-8")


def test_a_worker_that_does_not_exit_after_its_results_does_not_hold_the_run(
    registry: Registry, repo: Path
) -> None:
    """A child that sent its end but cannot exit (stuck flushing a stream at its exit) is
    ended after a moment; the run keeps its results instead of waiting out the timeout."""

    class Stuck(io.StringIO):
        def flush(self) -> None:
            threading.Event().wait()

    def sticks(target: Target) -> Outcome:
        sys.stdout = Stuck()  # the child flushes it on its way out
        return Outcome.passed("done")

    sticks.__doc__ = DOC.format(title="sticks")
    registry.check("fake.sticks")(sticks)
    found: list[Run] = []
    page = collect({"p.md": "- [x] a <!-- check: fake.sticks -->\n"})
    runner = threading.Thread(
        target=lambda: found.append(evaluate(page, settings(repo, timeout=600), LOG, registry)),
        daemon=True,
    )
    runner.start()
    runner.join(120)  # reached only when the run waits for the child: a failure
    assert not runner.is_alive(), "the run waited for a child that had sent its end"
    assert [r.verdict for r in found[0].results] == [Verdict.VERIFIED]
