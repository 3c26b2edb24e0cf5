"""Reports for the fleet tests: small synthetic ones, and the example fleet scanned for real."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.paths import ROOT

EXAMPLE_FLEET = ROOT / "examples" / "fleet" / "fleet.yaml"

# (check, section, text, claim) of the synthetic guide; the verdicts come per report.
GUIDE = [
    ("dockerfile.non_root_user", "Dockerfile", "Non-root user", "checked"),
    ("dockerfile.multi_stage", "Dockerfile", "Multi-stage build", "checked"),
    ("dockerfile.healthcheck", "Operations", "Healthcheck", "checked"),
    ("ci.security_scan", "CI", "Security scan", "unchecked"),
]
OUTCOME_OF = {
    "verified": "pass",
    "broken": "fail",
    "not_yet": "fail",
    "done_unticked": "pass",
    "unverified": "unknown",
    "error": "error",
    "not_applicable": "not_applicable",
}


def report(
    verdicts: Sequence[str],
    *,
    guide: Sequence[tuple[str, str, str, str]] = GUIDE,
    evidence: Sequence[dict[str, Any]] = (),
    text: str | None = None,
) -> dict[str, Any]:
    """A compliance.json document (schema version 1) with one item per guide entry."""
    items = []
    for line, ((check, section, title, claim), verdict) in enumerate(
        zip(guide, verdicts, strict=True), 10
    ):
        items.append(
            {
                "page": "index.md",
                "line": line,
                "section": section,
                "text": text if text is not None and line == 10 else title,
                "kind": "task",
                "metric": False,
                "environment": None,
                "limit": None,
                "check": check,
                "params": {},
                "claim": claim,
                "outcome": OUTCOME_OF[verdict],
                "verdict": verdict,
                "fails": verdict in ("broken", "error"),
                "summary": f"{check} says {verdict}",
                "value": None,
                "quantity": None,
                "stale": False,
                "evidence": list(evidence)
                or [
                    {"note": "looked here", "path": "Dockerfile", "line": 3, "excerpt": "USER app"}
                ],
                "waiver": None,
                "waiver_stale": False,
                "stated": None,
            }
        )
    counts: dict[str, int] = {}
    for verdict in verdicts:
        counts[verdict] = counts.get(verdict, 0) + 1
    return {
        "schema_version": 1,
        "target": ".",
        "summary": {
            "items": len(items),
            "verified": sum(1 for v in verdicts if v == "verified"),
            "unbound": 0,
            "failed": any(i["fails"] for i in items),
            "failures": sum(1 for i in items if i["fails"]),
            "verdicts": counts,
        },
        "run": {"evaluations": len(items), "files_read": 1, "files_parsed": 1, "reused": 0},
        "items": items,
        "unbound": [],
    }


def write(
    folder: Path,
    document: dict[str, Any] | str,
    *,
    repository: str | None = None,
    generated: str | None = None,
    checks: str | None = "1.0+abc",
    teams: Sequence[str] = (),
    **extra: Any,
) -> Path:
    """Write a report (and its provenance when a repository is named) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "compliance.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    if repository is not None:
        meta: dict[str, Any] = {"schema_version": 1, "repository": repository, "teams": list(teams)}
        if generated:
            meta["generated"] = generated
        if checks:
            meta["checks"] = checks
        meta.update(extra)
        (folder / "compliance.meta.json").write_text(json.dumps(meta), "utf-8")
    return path


def checklists(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The `checklists` command in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "checklists", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


@functools.cache
def example_reports(base: Path) -> tuple[Path, Path]:
    """The example fleet scanned once per test session: (reports folder, fleet file)."""
    fleet = EXAMPLE_FLEET
    out = base / "example-fleet-reports"
    done = checklists("scan", fleet, "--out", out, "--jobs", "2", "--progress", "log")
    assert done.returncode == 0, done.stderr
    return out, fleet


@functools.cache
def example_site(base: Path) -> Path:
    """The example fleet's site, built once per test session."""
    out, fleet = example_reports(base)
    site = base / "example-fleet-site"
    done = checklists("aggregate", out, "--fleet", fleet, "--site", site, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return site
