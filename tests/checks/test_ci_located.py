"""The issue's three workflow mistakes each fail with the workflow file and line as evidence."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from checklists.core.bindings import Item
from checklists.core.model import Status
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, resolve, run_one
from checklists.core.target import Target

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks" / "ci"
load_packages(["checks"])


@pytest.mark.parametrize(
    ("check_id", "case", "needle"),
    [
        ("ci.gha_cache", "gha_cache/fail/mode-min", "mode=min"),
        ("ci.security_scan", "security_scan/fail/sarif-upload-exit-code-0", "exit-code"),
        ("ci.registry_push", "registry_push/fail/pushes-on-pull-request", "pull_request"),
    ],
)
def test_workflow_mistakes_fail_at_their_line(check_id: str, case: str, needle: str) -> None:
    target = Target(FIXTURES / case)
    task = resolve(Item("p.md", 1, None, case, True, check_id, comment=(1, 0, 0)), REGISTRY, {})
    assert isinstance(task, Task)
    outcome = run_one(task, target, logging.getLogger("t"))
    assert outcome.status is Status.FAIL, outcome.summary
    located = [
        e for e in outcome.evidence if e.path and e.path.startswith(".github/workflows/") and e.line
    ]
    assert located, outcome.evidence
    workflow = located[0].path
    assert workflow is not None
    lines = (FIXTURES / case / workflow).read_text("utf-8").splitlines()
    shown = " ".join(lines[e.line - 1] for e in located if e.path == workflow and e.line)
    assert needle in shown or needle in outcome.summary
