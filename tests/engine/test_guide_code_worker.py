"""The guide's code blocks checked in the target's worker process, beside the target's
tasks (`snippets.Blocks.tasks`, `runner.on_their_own`): the same outcomes as on threads of
the build's process, a hung or crashing block check contained, the serve memo kept."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from checklists.core import snippets
from checklists.core.cache import ResultCache
from checklists.core.engine import ItemResult, Run, Settings, collect, evaluate
from checklists.core.model import Evidence, Outcome, Status
from checklists.core.registry import Registry
from checklists.core.target import Target
from checklists.core.verdict import Policy, Verdict
from tests.engine.conftest import CALLS, DOC, RELEASE

LOG = logging.getLogger("test.checklists")
PACKAGE = "tests.engine.snippet_files"


@pytest.fixture(autouse=True)
def _memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty memo of block outcomes (it lives with the process)."""
    monkeypatch.setattr(snippets, "_MEMO", {})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "file.txt").write_text("the target's own file\n", encoding="utf-8")
    return root


def _register(
    registry: Registry, name: str, function: Callable[..., Outcome], *, external: bool = False
) -> None:
    function.__doc__ = DOC.format(title=name)
    registry.check(f"fake.{name}", external=external)(function)


def _stalls(data: bytes) -> list[str]:
    """A parser that never finishes on its input, holding the interpreter lock."""
    re.match(rb"(a+)+$", data)
    return []


@pytest.fixture
def pids(tmp_path: Path) -> Path:
    """Where the check `fake.where` notes the process it ran in."""
    return tmp_path / "pids"


@pytest.fixture
def checks(registry: Registry, pids: Path) -> Registry:
    """The fake checks, and some that tell where and how often they ran."""

    def where(target: Target) -> Outcome:
        with pids.open("a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()}\n")
        return Outcome.passed("ran", Evidence("here"))

    def counted(target: Target) -> Outcome:
        CALLS.add("counted")
        text = target.read_text("file.txt")
        return Outcome.passed("read", Evidence(text.strip(), path="file.txt", line=1))

    def missing(target: Target) -> Outcome:
        (target.root / "absent.txt").read_text()  # an OSError naming a file of its target
        return Outcome.passed("never")

    def exits(target: Target) -> Outcome:
        os._exit(3)

    def parses_slowly(target: Target) -> Outcome:
        target.parse("file.txt", _stalls)
        return Outcome.passed("never")

    def external(target: Target) -> Outcome:
        second = target.read_text("notes/file.txt").splitlines()[1]
        return Outcome.failed("waited", Evidence(second, path="notes/file.txt", line=2))

    _register(registry, "where", where)
    _register(registry, "counted", counted)
    _register(registry, "missing", missing)
    _register(registry, "exits", exits)
    _register(registry, "slow", parses_slowly)
    _register(registry, "external", external, external=True)
    return registry


def evaluated(
    page: str, root: Path, registry: Registry, *, mode: str = "worker", timeout: float = 5.0
) -> Run:
    """One run; `mode`: the blocks in the target's worker process ("worker", the default
    of a build), on threads of this process ("threads": a run that does not isolate) or as
    under `mkdocs serve` ("serve": a cache)."""
    settings = Settings(
        target=root,
        packages=(PACKAGE,),
        timeout=timeout,
        policy=Policy(today=dt.date(2026, 11, 28)),
        isolate=mode != "threads",
        cache=ResultCache() if mode == "serve" else None,
    )
    return evaluate(collect({"guide.md": page}), settings, LOG, registry)


def block(check: str, text: str, language: str = "text") -> str:
    return f"<!-- check: fake.{check} -->\n\n```{language}\n{text}```\n\n"


MIXED = (
    "# Guide\n\n- [x] the target holds <!-- check: fake.passes -->\n\n"
    + block("reads", "a line\n")
    + block("reads", "a line\n")  # the same file again
    + block("counted", "first\nsecond\n")
    + block("parses", "three words here\n")
    + block("fails", "x\n")
    + block("bad_input", "x\n")
    + block("raises", "x\n")
    + block("missing", "x\n")
    + block("external", "one\ntwo\n", "note")
    + block("reads", "x = 1\n", "python")  # no package makes a file of it
    + block("where", "x\n")
)


def snippet_rows(run: Run) -> list[tuple[object, ...]]:
    return [(r.item, r.outcome, r.verdict) for r in run.snippets]


def ran_in(pids: Path) -> set[int]:
    """The processes `fake.where` ran in since the last look."""
    found = {int(line) for line in pids.read_text("utf-8").split()}
    pids.unlink()
    return found


def test_the_blocks_run_in_the_targets_worker_process(
    checks: Registry, repo: Path, pids: Path
) -> None:
    page = "- [x] the target <!-- check: fake.where -->\n\n" + block("where", "x\n")
    run = evaluated(page, repo, checks)
    assert [r.verdict for r in run.results + run.snippets] == [Verdict.VERIFIED] * 2
    found = pids.read_text("utf-8").split()
    assert len(found) == 2  # the target's check and the block's ran, ...
    assert len(set(found)) == 1  # ... in one process (one import of the checks) ...
    assert os.getpid() not in ran_in(pids)  # ... not this one


def test_the_blocks_outcomes_are_the_same_in_the_worker_and_on_threads(
    checks: Registry, repo: Path, pids: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apart = evaluated(MIXED, repo, checks)
    assert os.getpid() not in ran_in(pids)  # checked in another process
    monkeypatch.setattr(snippets, "_MEMO", {})
    here = evaluated(MIXED, repo, checks, mode="threads")
    assert ran_in(pids) == {os.getpid()}
    monkeypatch.setattr(snippets, "_MEMO", {})
    serve = evaluated(MIXED, repo, checks, mode="serve")
    assert ran_in(pids) == {os.getpid()}  # serve keeps them in the build's process
    assert snippet_rows(apart) == snippet_rows(here) == snippet_rows(serve)
    assert [(r.item, r.outcome) for r in apart.results] == [
        (r.item, r.outcome) for r in here.results
    ]
    # What the outcomes say, so that equal is not equally empty.
    verdicts = [r.verdict for r in apart.snippets]
    assert verdicts == [
        Verdict.VERIFIED,
        Verdict.VERIFIED,
        Verdict.VERIFIED,
        Verdict.VERIFIED,
        Verdict.GUIDE_CONTRADICTED,
        Verdict.ERROR,
        Verdict.ERROR,
        Verdict.ERROR,
        Verdict.GUIDE_CONTRADICTED,
        Verdict.ERROR,
        Verdict.VERIFIED,
    ]
    summaries = [_outcome(r).summary for r in apart.snippets]
    assert summaries[3] == "a: 3 words"
    assert "RuntimeError: boom" in summaries[6]
    assert (
        summaries[7]
        == "the check fake.missing could not read absent.txt: No such file or directory"
    )
    assert "no check package makes a file of a ```python block" in summaries[9]
    # Evidence in the block's file points at the page; the library's own line is said.
    counted = _outcome(apart.snippets[2]).evidence
    assert [(e.path, e.line) for e in counted] == [("guide.md", 20), ("guide.md", 20)]
    external = _outcome(apart.snippets[8]).evidence
    assert [(e.path, e.line, str(e.note)) for e in external][1:] == [
        ("guide.md", 56, "a line added"),  # said at the block
        ("guide.md", 57, "one"),  # notes/file.txt:2 is the block's first line
    ]


def _outcome(result: ItemResult) -> Outcome:
    assert result.outcome is not None
    return result.outcome


def test_a_hung_block_check_is_an_error_and_everything_else_is_kept(
    checks: Registry, repo: Path
) -> None:
    page = (
        "- [x] holds <!-- check: fake.passes -->\n- [x] broken <!-- check: fake.fails -->\n\n"
        + block("hangs", "x\n")
        + block("counted", "kept\n")
        + block("slow", "a" * 40 + "!\n")
        + block("reads", "also kept\n")
    )
    RELEASE.clear()
    try:
        run = evaluated(page, repo, checks, timeout=0.2)
    finally:
        RELEASE.set()
    assert [r.verdict for r in run.results] == [Verdict.VERIFIED, Verdict.BROKEN]
    hung, counted, slow, reads = run.snippets
    assert hung.verdict is Verdict.ERROR
    assert _outcome(hung).summary == "the check fake.hangs timed out after 0.2 s"
    assert _outcome(hung).evidence[0].path == "guide.md"  # placed at the block
    assert (counted.verdict, reads.verdict) == (Verdict.VERIFIED, Verdict.VERIFIED)
    assert _outcome(reads).evidence[1].note == "also kept"
    # A check stuck parsing its block's file (in C code, holding the interpreter lock)
    # names the file, pointed at the block on the page.
    assert slow.verdict is Verdict.ERROR
    assert _outcome(slow).summary == (
        "the check fake.slow timed out after 0.2 s while reading file.txt"
    )
    assert [(e.path, e.line) for e in _outcome(slow).evidence][1] == ("guide.md", 18)
    assert snippets._MEMO and all(  # errors are not remembered
        o.status is not Status.ERROR for o in snippets._MEMO.values()
    )


def test_a_block_check_that_ends_its_process_is_an_error_and_the_others_are_kept(
    checks: Registry, repo: Path
) -> None:
    page = "- [x] holds <!-- check: fake.passes -->\n\n" + block("exits", "x\n")
    page += block("reads", "kept\n")
    run = evaluated(page, repo, checks)
    assert run.results[0].verdict is Verdict.VERIFIED
    ended, kept = run.snippets
    assert ended.verdict is Verdict.ERROR
    assert _outcome(ended).summary == (
        "the check fake.exits: it ended the process that ran it (exit status 3)"
    )
    assert kept.verdict is Verdict.VERIFIED


def test_blocks_checked_in_the_worker_are_remembered_for_the_next_run(
    checks: Registry, repo: Path
) -> None:
    page = block("counted", "one\n") + block("counted", "two\n") + block("counted", "one\n")
    first = evaluated(page, repo, checks)
    assert CALLS["counted"] == 2  # the third block is the first again: checked once
    again = evaluated(page, repo, checks)
    assert CALLS["counted"] == 2  # nothing checked again
    assert snippet_rows(again) == snippet_rows(first)
    edited = evaluated(page.replace("two", "2"), repo, checks)
    assert CALLS["counted"] == 3  # only the edited block
    assert _outcome(edited.snippets[1]).evidence[1].note == "2"
    assert snippet_rows(edited)[::2] == snippet_rows(first)[::2]


def test_when_no_worker_process_can_start_each_check_says_so(
    checks: Registry, repo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from checklists.core import runner

    def refused(self: runner._Isolated, *_: object) -> tuple[int, int]:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(runner._Isolated, "fork", refused)
    page = "- [x] holds <!-- check: fake.passes -->\n\n" + block("reads", "x\n")
    page += block("counted", "y\n")
    run = evaluated(page, repo, checks)  # no exception: every task has an outcome
    assert [r.verdict for r in run.results + run.snippets] == [Verdict.ERROR] * 3
    assert _outcome(run.results[0]).summary == (
        "the check fake.passes: its worker process could not run "
        "(BlockingIOError: [Errno 11] Resource temporarily unavailable)"
    )
    assert _outcome(run.snippets[1]).summary == (
        "the check fake.counted: its worker process could not run "
        "(BlockingIOError: [Errno 11] Resource temporarily unavailable)"
    )
    assert "no worker process for 3 checks" in caplog.text
    assert not snippets._MEMO
