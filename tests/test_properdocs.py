"""The site builds with ProperDocs (the maintained MkDocs 1.x fork) as with MkDocs, and a
generator that ignores MkDocs plugins never shows a page that looks verified."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from checklists.site.render import drop_unverified_notice
from tests.paths import ROOT

NOTICE = "判定が表示されていません"
REPORTS = ("compliance.json", "compliance.junit.xml", "compliance.sarif", "badges/compliance.svg")
# .ci/run installs ProperDocs and the project into a virtual environment of their own (from
# PyPI, beside the test environment, which keeps MkDocs) and names it here.
VENV = os.environ.get("CHECKLISTS_PROPERDOCS_VENV")


def test_a_generator_without_the_plugin_shows_that_nothing_was_checked() -> None:
    page = (ROOT / "docs" / "index.md").read_text("utf-8")
    plain = markdown.markdown(page, extensions=["admonition"])
    assert NOTICE in plain  # the page says so instead of looking green
    assert NOTICE not in drop_unverified_notice(page)
    dropped = drop_unverified_notice(page)
    assert dropped.count("\n") == page.count("\n")  # later lines stay where bindings were found


def _build(command: list[str], out: Path, **env: str) -> None:
    done = subprocess.run(
        [*command, "build", "--quiet", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1", **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_properdocs_builds_the_same_reports_as_mkdocs(tmp_path: Path) -> None:
    if VENV is None:
        if os.environ.get("CI"):
            pytest.fail("CHECKLISTS_PROPERDOCS_VENV is not set: .ci/run installs ProperDocs")
        pytest.skip("ProperDocs is installed by .ci/run (CHECKLISTS_PROPERDOCS_VENV)")
    properdocs = Path(VENV) / "bin" / "properdocs"
    assert properdocs.is_file(), properdocs
    _build([str(properdocs)], tmp_path / "properdocs")
    _build([sys.executable, "-m", "mkdocs"], tmp_path / "mkdocs")
    for name in REPORTS:
        ours = (tmp_path / "mkdocs" / name).read_bytes()
        assert (tmp_path / "properdocs" / name).read_bytes() == ours, name
    page = (tmp_path / "properdocs" / "index.html").read_text("utf-8")
    assert NOTICE not in page and "cl-badge" in page
    _build([str(properdocs)], tmp_path / "off", CHECKLISTS_ENABLED="false")
    assert NOTICE in (tmp_path / "off" / "index.html").read_text("utf-8")
