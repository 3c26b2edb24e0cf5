"""Provenance: `checklists stamp` says which repository, when, and which checks judged."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from checklists.core.errors import SetupError
from checklists.fleet import records, stamp
from tests.fleet.support import checklists, report, write

GITHUB = {
    "GITHUB_REPOSITORY": "acme/payments",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_RUN_ID": "42",
}


def test_stamp_in_github_actions_names_the_repository_commit_and_run(tmp_path: Path) -> None:
    path = write(tmp_path, report(["verified"] * 4))
    done = checklists(
        "stamp", path, "--team", "payments", "--team", "tier-1",
        env={**GITHUB, "SOURCE_DATE_EPOCH": "1764316800"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "compliance.meta.json").read_text("utf-8"))
    assert meta == {
        "schema_version": 1,
        "repository": "acme/payments",
        "generated": "2025-11-28T08:00:00Z",
        "checks": stamp.checks_version(("checks",)),
        "teams": ["payments", "tier-1"],
        "commit": GITHUB["GITHUB_SHA"],
        "source": f"https://github.com/acme/payments/blob/{GITHUB['GITHUB_SHA']}/",
        "run": "https://github.com/acme/payments/actions/runs/42",
    }
    loaded = records.load(records.Found(path, tmp_path), records.Guides())
    assert isinstance(loaded, records.Report) and loaded.repository == "acme/payments"


def test_evidence_of_a_target_in_a_subfolder_links_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = report(["verified"] * 4)
    document["target"] = "services/api"
    path = write(tmp_path, document)
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    stamp.stamp(path, repository=None, teams=[], packages=["checks"])
    meta = json.loads((tmp_path / "compliance.meta.json").read_text("utf-8"))
    assert meta["source"].endswith(f"/blob/{GITHUB['GITHUB_SHA']}/services/api/")


def test_stamp_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    path = write(tmp_path, '{"schema_version": 1}')
    done = checklists("stamp", path, "--repository", "a/b")
    assert done.returncode == 2
    assert "is not a compliance report" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "compliance.meta.json").exists()


def test_stamp_needs_a_repository_name_outside_github_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    path = write(tmp_path, report(["verified"] * 4))
    with pytest.raises(SetupError, match="--repository"):
        stamp.stamp(path, repository=None, teams=[], packages=["checks"])
    with pytest.raises(SetupError, match="--site must be an http"):
        stamp.stamp(path, repository="a", teams=[], packages=["checks"], site="file:///etc")


def test_the_checks_version_changes_with_any_check_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "mychecks"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    (package / "one.py").write_text("X = 1\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = stamp.checks_version.__wrapped__(("mychecks",))
    assert first == stamp.checks_version.__wrapped__(("mychecks",))
    (package / "one.py").write_text("X = 2\n", "utf-8")
    second = stamp.checks_version.__wrapped__(("mychecks",))
    assert first != second
    shutil.rmtree(package / "__pycache__", ignore_errors=True)
    sys.modules.pop("mychecks", None)


def test_stamp_fingerprints_the_check_packages_the_site_names(tmp_path: Path) -> None:
    path = write(tmp_path, report(["verified"] * 4))
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - checklists:\n      checks: [nowhere_to_be_found]\n", "utf-8")
    done = checklists("stamp", path, "--repository", "a/b", "--config", config)
    assert done.returncode == 2
    assert "cannot import the check package 'nowhere_to_be_found'" in done.stderr
