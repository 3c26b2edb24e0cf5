"""Every hostile case through `checklists check`, a sample through `mkdocs build --strict`:
each gives the outcome its case states, and none prints a traceback, hangs past its limit,
leaves a process running or changes anything outside its folder.

The cases are generated into a temporary folder (`generate.py`) and run in one batch
(`batch.py`: one process with everything imported forks a child per run, with a hard
wall-clock limit each), then each case's assertions are a test of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import generate
from tests.hostile.generate import CASES, CRASH, Case, Item

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "fork") and Path("/proc/self/stat").exists()),
    reason="the hostile batch forks a process per run and ends them through /proc (Linux)",
)
ROOT = Path(__file__).resolve().parents[2]
BATCH_LIMIT = 900  # seconds for the whole batch; each run has its own, much smaller limit


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file() and not path.is_symlink()
        else "folder"
        for path in sorted(folder.rglob("*"))
    }


def _repository_state() -> str:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return status.stdout


def _devices() -> dict[str, bool]:
    return {path: stat.S_ISCHR(os.stat(path).st_mode) for path in ("/dev/full", "/dev/null")}  # noqa: PTH116


class Runs:
    """The batch's results and what the world looked like before it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outside_before = _fingerprint(root / "outside")
        self.repository_before = _repository_state()
        self.devices_before = _devices()
        self.results: dict[str, dict[str, Any]] = {}

    def result(self, case: Case, kind: str) -> dict[str, Any]:
        return self.results[f"{case.name}:{kind}"]

    def folder(self, case: Case) -> Path:
        return self.root / case.name


def plan(root: Path) -> list[dict[str, Any]]:
    jobs = []
    for case in CASES:
        cwd = str(root / case.name)
        env = dict(case.env)
        jobs.append(
            {
                "name": case.name,
                "kind": "cli",
                "cwd": cwd,
                "args": list(case.command),
                "env": env,
                "limit": case.limit,
            }
        )
        if case.build:
            args = ["build", "--strict", "--quiet", "--site-dir", "site-out"]
            jobs.append(
                {
                    "name": case.name,
                    "kind": "build",
                    "cwd": cwd,
                    "args": args,
                    "env": env,
                    "limit": case.limit + 15,
                }
            )
    return jobs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("hostile")
    try:
        generate.write_outside(root)
        for case in CASES:
            generate.write(case, root)
        state = Runs(root)
        (root / "plan.json").write_text(json.dumps(plan(root)), "utf-8")
        batch = subprocess.run(
            [sys.executable, "-m", "tests.hostile.batch", str(root / "plan.json"),
             str(root / "results.json")],
            cwd=ROOT, capture_output=True, text=True, timeout=BATCH_LIMIT, check=False,
        )  # fmt: skip
        assert batch.returncode == 0, batch.stderr[-5000:]
        state.results = json.loads((root / "results.json").read_text("utf-8"))
        yield state
    finally:
        # The cases hold folders 1,500 deep: pytest's own clean-up of old temporary folders
        # (shutil.rmtree, which recurses) would end in RecursionError on them later.
        generate.remove(root)


def _params(build: bool) -> list[Any]:
    return [pytest.param(case, id=case.name) for case in CASES if case.build or not build]


def _report_items(folder: Path) -> dict[str, dict[str, Any]]:
    report = json.loads((folder / "out" / "compliance.json").read_text("utf-8"))
    return {item["check"]: item for item in report["items"]}


def _item_text(item: dict[str, Any]) -> str:
    evidence = " ".join(
        " ".join(str(e.get(k) or "") for k in ("note", "path", "line", "excerpt"))
        for e in item["evidence"]
    )
    return f"{item['summary']} {evidence}"


def _check_item(check: str, want: Item, found: dict[str, Any] | None) -> None:
    assert found is not None, f"{check}: not in the report"
    text = _item_text(found)
    assert found["outcome"] in want.status, f"{check}: {found['outcome']}: {found['summary']}"
    if want.mention is not None:
        assert want.mention in text, f"{check}: does not name {want.mention!r}: {text[:500]}"
    for word in want.avoid:
        assert word not in found["summary"], f"{check}: {found['summary'][:500]}"


def _no_traceback(case: Case, output: str) -> None:
    if case.expect.traceback:  # the custom check's own, in the log; nothing else
        assert "Traceback" not in output.replace(
            "check custom.probe raised RuntimeError:\nTraceback", ""
        ), output[-3000:]
    else:
        assert "Traceback" not in output, output[-3000:]


@pytest.mark.parametrize("case", _params(build=False))
def test_the_command_line_gives_the_stated_outcome(case: Case, runs: Runs) -> None:
    result = runs.result(case, "cli")
    output = result["stdout"] + result["stderr"]
    assert not result["hung"], f"still running after {case.limit} s"
    assert result["leftover"] == 0, "left processes running"
    _no_traceback(case, output)
    expect = case.expect
    if expect.exit == -1:
        assert result["exit"] in (0, 1), result["stderr"][-3000:]
    else:
        assert result["exit"] == expect.exit, result["stderr"][-3000:]
    for text in expect.stderr:
        assert text in result["stderr"], result["stderr"][-3000:]
    folder = runs.folder(case)
    for path in expect.absent:
        assert not (folder / path).exists(), f"{path} was created"
    if expect.items:
        found = _report_items(folder)
        for check, want in expect.items.items():
            _check_item(check, want, found.get(check))


@pytest.mark.parametrize("case", _params(build=True))
def test_the_build_agrees_with_the_command_line(case: Case, runs: Runs) -> None:
    cli, build = runs.result(case, "cli"), runs.result(case, "build")
    output = build["stdout"] + build["stderr"]
    assert not build["hung"], f"mkdocs build still running after {case.limit + 15} s"
    assert build["leftover"] == 0, "left processes running"
    _no_traceback(case, output)
    wanted = 0 if cli["exit"] == 0 else 1
    if case.name == "reports-option-onto-a-device":
        wanted = 1  # only the build has a `reports` option to refuse
        assert "/dev/full is under /dev" in output
    assert build["exit"] == wanted, output[-3000:]
    if case.same_words and (case.kind == "config" or cli["exit"] == 2):  # the same words
        problems = [line.strip() for line in cli["stderr"].splitlines()[1:] if line.strip()]
        first = cli["stderr"].split(": ", 1)[1].splitlines()[0] if ": " in cli["stderr"] else ""
        for line in problems or [first]:
            assert line in output, f"{line!r} not in the build's output:\n{output[-3000:]}"


def test_nothing_outside_the_cases_changed(runs: Runs) -> None:
    assert runs.results, "the batch ran nothing"
    assert _fingerprint(runs.root / "outside") == runs.outside_before
    assert _devices() == runs.devices_before == {"/dev/full": True, "/dev/null": True}
    assert _repository_state() == runs.repository_before
    top = sorted(p.name for p in runs.root.iterdir())
    assert top == sorted([*(c.name for c in CASES), "outside", "plan.json", "results.json", "logs"])


def test_the_corpus_is_large_and_covers_every_class() -> None:
    counts = generate.counts()
    assert sum(counts.values()) >= 150
    assert {
        "config", "bomb", "nesting", "binary", "encoding", "huge", "symlink", "fifo",
        "directory", "binding", "report-path", "custom-check", "dockerfile", "dockerignore",
        "compose", "workflow", "trivy", "measurement", "yaml", "json", "toml",
    } <= set(counts)  # fmt: skip
    assert all(c.expect.items or c.expect.stderr or c.expect.exit in (0, 2) for c in CASES)
    assert "failed with" in CRASH
