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
policy = Policy(today=dt.date(2026, 1, 1))
# "here": the checks run in this process, so what they import shows in sys.modules
settings = Settings(target=Path(sys.argv[1]), policy=policy, isolate=sys.argv[3:] != ["here"])
run = evaluate(collect({"index.md": page}), settings, Log())
print(json.dumps({
    "statuses": [r.outcome.status.value for r in run.results if r.outcome],
    "modules": sorted(m for m in sys.modules if m.startswith(("checks", "checklists", "hashlib"))),
}))
"""


def _run(target: Path, page: str, *where: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target), page, *where],
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
    result = _run(tmp_path, page, "here")  # the checks run in this process
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


def test_with_the_manifest_the_builds_process_imports_no_check(tmp_path: Path) -> None:
    # The checks run in the worker process; the build's process knows them from
    # checks/checklists-manifest.json and imports only the check packages' __init__s.
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 1000\n")
    page = "- [x] user <!-- check: dockerfile.non_root_user -->\n"
    result = _run(tmp_path, page)
    assert result["statuses"] == ["pass"]
    modules = {m for m in result["modules"] if m.startswith("checks.")}
    assert "checks.dockerfile" in modules  # a package: indexed
    assert not {m for m in modules if m.count(".") > 1}  # no check module, no reader


def test_an_unknown_id_still_gets_its_suggestion_from_every_check(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    page = "- [x] multi <!-- check: dockerfile.multi_stag -->\n"
    result = _run(tmp_path, page)
    assert result["statuses"] == ["error"]
    assert "checks.readers.ci_builds" in result["modules"]  # everything was loaded to tell


WORKFLOW = """on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
{step}
"""


def test_the_bake_and_make_readers_load_only_for_a_target_that_uses_them(tmp_path: Path) -> None:
    page = "- [x] cache <!-- check: ci.gha_cache -->\n"
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (tmp_path / "Dockerfile").write_text("FROM python:3.13-slim\n")
    (workflows / "image.yml").write_text(WORKFLOW.format(step="      - run: docker build ."))
    modules = set(_run(tmp_path, page, "here")["modules"])
    assert "checks.readers.ci_builds" in modules
    assert not modules & {"checks.readers.bake", "checks.readers.makefile"}
    (tmp_path / "docker-bake.hcl").write_text('target "default" {\n  context = "."\n}\n')
    (tmp_path / "Makefile").write_text("image:\n\tdocker build .\n")
    step = "      - uses: docker/bake-action@v6\n      - run: make image"
    (workflows / "image.yml").write_text(WORKFLOW.format(step=step))
    modules = set(_run(tmp_path, page, "here")["modules"])
    assert {"checks.readers.bake", "checks.readers.makefile"} <= modules


CLI = """
import sys
from checklists.cli.main import main
code = main(sys.argv[1:])
print(sorted(m for m in sys.modules if m.startswith(("checklists.site", "hashlib"))))
"""


def test_checklists_check_without_pages_imports_no_page_writer_and_no_hashing(
    tmp_path: Path,
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 1000\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "- [x] user <!-- check: dockerfile.non_root_user -->\n", "utf-8"
    )
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - checklists:\n      target: .\n", "utf-8"
    )
    argv = ["check", str(tmp_path), "--format", "json", "--output", str(tmp_path / "r.json")]
    done = subprocess.run(
        [sys.executable, "-c", CLI, *argv, "--quiet"], capture_output=True, text=True, check=True
    )
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["summary"]["verdicts"]
    assert done.stdout.strip() == "[]"  # the site's pages are written only with --pages
