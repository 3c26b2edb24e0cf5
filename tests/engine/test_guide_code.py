"""The guide checked as a whole: its own code blocks judged by the checks as files (指南の
矛盾, never the target's verdict), and every statement listed with how it is checked."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checklists.core.cache import ResultCache
from checklists.core.claims import all_claims, counts
from checklists.core.engine import (
    Run,
    Settings,
    collect,
    evaluate,
    headline,
    settings_from_options,
)
from checklists.core.runner import Task, run_all
from checklists.core.siteconfig import plugin_options
from checklists.core.target import Target
from checklists.core.verdict import Policy, Verdict
from checklists.reports import compliance

PAGE = """# Guide

## .dockerignore

- [x] .dockerignore 作成 <!-- check: dockerignore.excludes -->

<!-- check: dockerignore.excludes -->

```dockerignore
.venv/
__pycache__/
```

<!-- check: dockerignore.excludes -->

```dockerignore
venv/
.venv/
**/.pytest_cache
**/.mypy_cache
**/.ruff_cache
**/__pycache__
tests/
scripts/
.env*
.git/
.github/
build/
dist/
**/*.egg-info
```

## Commands

<!-- check: guide.commands -->

```bash
docker build -t app:dev -f backend/Dockerfile.dev backend/
```

## Prose and the rest

- 異常検知と自動再起動 <!-- prose: the engine does not restart an unhealthy container -->
- CIS Docker Benchmark 準拠

| 段階 | サイズ |
| --- | --- |
| python:3.13 | 1.2GB |

```text
ERROR: failed to read dockerfile
```
"""


def run(target: Path) -> Run:
    settings = Settings(target=target, policy=Policy(today=dt.date(2026, 11, 28)))
    return evaluate(collect({"guide.md": PAGE}), settings, logging.getLogger("t"))


def repository(tmp_path: Path) -> Path:
    """A target with the files the page names, whose .dockerignore follows the guide."""
    root = tmp_path / "repo"
    (root / "backend").mkdir(parents=True)
    (root / "backend" / "Dockerfile.dev").write_text(
        'FROM python:3.13-slim\nCMD ["uvicorn", "app:app", "--reload"]\n', "utf-8"
    )
    # the second block, the one that holds
    block = PAGE.split("```dockerignore\n")[2].split("```", maxsplit=1)[0]
    (root / ".dockerignore").write_text(block, "utf-8")
    return root


def test_a_block_that_breaks_the_guides_rule_is_a_guide_contradiction_at_its_line(
    tmp_path: Path,
) -> None:
    result = run(repository(tmp_path))
    first, second = (r for r in result.snippets if r.item.check_id == "dockerignore.excludes")
    # `__pycache__/` is anchored at the root of the context: nested caches are still sent.
    assert first.verdict is Verdict.GUIDE_CONTRADICTED
    assert first.outcome is not None
    notes = [(e.path, e.line, str(e.note)) for e in first.outcome.evidence]
    assert notes[0][:2] == ("guide.md", 10)  # the block's first line of code on the page
    assert "checked as .dockerignore" in notes[0][2]
    assert "src/__pycache__/main.cpython-313.pyc would be sent to the builder" in [
        note for _, _, note in notes
    ]
    assert second.verdict is Verdict.VERIFIED  # `**/__pycache__` excludes them at any depth
    # About the guide, not the target: outside the results, the headline and the failures.
    assert all(r.item.kind != "snippet" for r in result.results)
    assert not result.failures
    assert str(headline(result.results)) == "2/2"


def test_a_command_block_is_checked_against_the_target_not_as_a_file(tmp_path: Path) -> None:
    root = repository(tmp_path)
    holds = next(r for r in run(root).results if r.item.check_id == "guide.commands")
    assert holds.verdict is Verdict.VERIFIED, holds.outcome
    (root / "backend" / "Dockerfile.dev").rename(root / "backend" / "dev.Dockerfile")
    moved = next(r for r in run(root).results if r.item.check_id == "guide.commands")
    assert moved.verdict is Verdict.BROKEN and moved.fails
    assert moved.outcome is not None
    assert "backend/Dockerfile.dev" in moved.outcome.summary
    assert any(str(e.note).startswith("guide.md:38: ") for e in moved.outcome.evidence)


def test_every_statement_is_listed_with_its_check_its_reason_or_as_unchecked() -> None:
    claims = all_claims({"guide.md": PAGE})
    listed = [(c.line, c.kind, c.status) for c in claims]
    assert listed == [
        (5, "item", "checked"),
        (9, "block", "checked"),
        (16, "block", "checked"),
        (37, "block", "checked"),
        (43, "item", "prose"),
        (44, "item", "unchecked"),
        (48, "row", "unchecked"),
        (50, "block", "unchecked"),
    ]
    prose = next(c for c in claims if c.status == "prose")
    assert prose.prose == "the engine does not restart an unhealthy container"
    assert counts(claims) == {"checked": 4, "prose": 1, "unchecked": 3}


def test_the_report_lists_the_unchecked_statements_with_their_place(tmp_path: Path) -> None:
    data = compliance.compliance(run(repository(tmp_path)), "repo", "en")
    guide = data["guide"]
    unchecked = [(c["page"], c["line"]) for c in guide["claims"] if c["status"] == "unchecked"]
    assert unchecked == [("guide.md", 44), ("guide.md", 48), ("guide.md", 50)]
    assert [(s["line"], s["verdict"]) for s in guide["snippets"]] == [
        (7, "guide_contradicted"),
        (14, "verified"),
    ]


def test_an_unchanged_block_is_not_checked_again_in_the_same_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdocs serve`: a rebuild re-checks only the guide's blocks whose text changed."""
    from checklists.core import snippets

    calls: list[str] = []
    real = run_all

    def counted(tasks: list[Task], target: Target, *args: Any, **kwargs: Any) -> Any:
        calls.extend(task.spec.id for task in tasks)
        return real(tasks, target, *args, **kwargs)

    monkeypatch.setattr(snippets, "_MEMO", {})
    monkeypatch.setattr(snippets, "run_all", counted)
    root = repository(tmp_path)
    # As under serve (a cache): the blocks are checked in this process, through `run_all`
    # (tests/engine/test_guide_code_worker.py: the same memo when the worker checks them).
    settings = Settings(
        target=root, policy=Policy(today=dt.date(2026, 11, 28)), cache=ResultCache()
    )
    first = evaluate(collect({"guide.md": PAGE}), settings, logging.getLogger("t"))
    assert calls == ["dockerignore.excludes", "dockerignore.excludes"]
    again = evaluate(collect({"guide.md": PAGE}), settings, logging.getLogger("t"))
    assert calls == ["dockerignore.excludes"] * 2  # nothing checked again
    assert [r.verdict for r in again.snippets] == [r.verdict for r in first.snippets]
    assert [r.outcome for r in again.snippets] == [r.outcome for r in first.snippets]
    edited = PAGE.replace("__pycache__/\n```", "**/__pycache__\n```", 1)
    changed = evaluate(collect({"guide.md": edited}), settings, logging.getLogger("t"))
    assert calls == ["dockerignore.excludes"] * 3  # only the edited block
    assert changed.snippets[0].outcome != first.snippets[0].outcome


def test_the_guides_own_blocks_are_judged_alike_in_the_worker_and_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The repository's guide against its example target: its code blocks (Dockerfiles,
    .dockerignore, workflows, compose, nginx: `nginx -t` in the sandbox) checked in the
    target's worker process (a build) and on threads of this process (a run that does not
    isolate) give the same outcomes, and so does the target."""
    from checklists.core import snippets

    started: list[int] = []
    tasks = snippets.Blocks.tasks

    def counted(self: snippets.Blocks) -> list[Task]:
        made = tasks(self)
        started.append(len(made))
        return made

    monkeypatch.setattr(snippets.Blocks, "tasks", counted)
    root = Path(__file__).resolve().parents[2]
    settings = settings_from_options(
        plugin_options(root / "mkdocs.yml"), root, dt.date(2026, 11, 28)
    )
    items = collect({"index.md": (root / "docs" / "index.md").read_text("utf-8")}, settings.columns)
    monkeypatch.setattr(snippets, "_MEMO", {})
    apart = evaluate(items, settings, logging.getLogger("t"))
    assert started and started[0] >= 10  # the blocks were checked in the worker
    monkeypatch.setattr(snippets, "_MEMO", {})
    here = evaluate(items, replace(settings, isolate=False), logging.getLogger("t"))
    assert len(started) == 1
    assert [(r.item, r.outcome) for r in apart.snippets] == [
        (r.item, r.outcome) for r in here.snippets
    ]
    assert {r.verdict for r in apart.snippets} >= {Verdict.VERIFIED, Verdict.GUIDE_CONTRADICTED}
    assert [(r.item, r.outcome) for r in apart.results] == [
        (r.item, r.outcome) for r in here.results
    ]
