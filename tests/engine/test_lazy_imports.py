"""A build imports what it uses: the checks it binds with their readers, the report writers
of the reports it writes. Measured in a fresh interpreter (this one has imported everything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import datetime as dt, json, sys
from pathlib import Path
from checklists.core.engine import Settings, collect, evaluate
from checklists.core.verdict import Policy

class Log:
    def debug(self, *a): pass
    def info(self, *a): pass
    def warning(self, *a): pass
    def error(self, *a): print(*a, file=sys.stderr)

page = sys.argv[2]
settings = Settings(target=Path(sys.argv[1]), policy=Policy(today=dt.date(2026, 1, 1)))
run = evaluate(collect({"index.md": page}), settings, Log())
print(json.dumps({
    "statuses": [r.outcome.status.value for r in run.results if r.outcome],
    "modules": sorted(m for m in sys.modules if m.startswith(("checks", "checklists", "hashlib"))),
}))
"""


def _run(target: Path, page: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target), page],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_a_build_imports_only_the_checks_it_binds(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12 AS build\nRUN pip wheel -w /w flask\n"
        "FROM python:3.12-slim\nCOPY --from=build /w /w\nUSER 1000\n"
    )
    page = "- [x] multi <!-- check: dockerfile.multi_stage -->\n"
    result = _run(tmp_path, page)
    assert result["statuses"] == ["pass"]
    modules = set(result["modules"])
    assert "checks.dockerfile.multi_stage" in modules
    # Neither the other checks nor readers only they use, nor programs they run.
    assert "checks.dockerfile.non_root_user" not in modules
    assert "checks.readers.ci_builds" not in modules
    assert "checks.readers.compose" not in modules
    assert "checklists_sandbox.nginx_scratch" not in modules
    assert "checklists_sandbox.sandbox" not in modules
    # No report is written: no report writer is imported; no serve cache: no hashing.
    assert not modules & {
        "checklists.reports.sarif",
        "checklists.reports.junit",
        "checklists.reports.badges",
    }
    assert "hashlib" not in result["modules"]


def test_an_unknown_id_still_gets_its_suggestion_from_every_check(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    page = "- [x] multi <!-- check: dockerfile.multi_stag -->\n"
    result = _run(tmp_path, page)
    assert result["statuses"] == ["error"]
    assert "checks.readers.ci_builds" in result["modules"]  # everything was loaded to tell
