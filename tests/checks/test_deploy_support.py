"""Deploy checks: behaviour that sample folders cannot show.

A `.gitignore` inside a sample folder would make this repository's git ignore the sample's
own files, so the git-ignored `.env` case is built in a temporary folder here.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from checklists.core.model import Outcome, Status
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, run_one
from checklists.core.target import Target
from checks.deploy.backup import backup_command
from checks.deploy.resource_limits import memory_bytes
from checks.readers.compose import interpolate
from checks.readers.shell import commands

load_packages(["checks"])
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "autoforgenexus"


def run(check_id: str, root: Path, **params: object) -> Outcome:
    spec = REGISTRY.get(check_id)
    assert spec is not None
    return run_one(Task(spec, params), Target(root), logging.getLogger("test"))


def test_a_git_ignored_env_file_with_a_secret_is_still_a_finding(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".env\n")
    (tmp_path / ".env").write_text("APP_ENV=dev\nCLERK_SECRET_KEY=sk_test_localdev12345\n")
    outcome = run("deploy.secrets_encrypted", tmp_path)
    assert outcome.status is Status.FAIL
    finding = outcome.evidence[0]
    assert (finding.path, finding.line) == (".env", 2)
    assert "git-ignored, but present in the checkout" in finding.note
    assert finding.excerpt == "CLERK_SECRET_KEY=…"  # the value is not repeated in reports


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512m", "512m"),
        ("${MEM:-256m}", "256m"),
        ("${MEM-256m}", "256m"),
        ("$${NOT_A_VARIABLE}", "${NOT_A_VARIABLE}"),
        ("${MEM}", None),
        ("$MEM", None),
        ("${MEM:?set MEM}", None),
    ],
)
def test_interpolation_takes_defaults_and_gives_up_on_the_shell(
    text: str, expected: str | None
) -> None:
    assert interpolate(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "size"),
    [("512m", 512 << 20), ("1.5g", 1.5 * (1 << 30)), ("256MB", 256 << 20), ("1024", 1024)],
)
def test_memory_values_are_read_as_docker_reads_them(text: str, size: float) -> None:
    assert memory_bytes(text) == size


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        ("docker compose exec -T db pg_dump -U app app > dump.sql", "pg_dump"),
        ("sqlite3 app.db '.backup backup.db'", "sqlite3 .backup/.dump"),
        ("turso db shell prod .dump > prod.sql", "turso db shell .dump"),
        ("litestream replicate -config /etc/litestream.yml", "litestream replicate"),
        ("restic -r s3:example backup /data", "restic backup"),
        ("rclone copy dump.sql.gz r2:backups/", "rclone of a dump"),
        ("rclone sync ./site r2:www", None),
        ("sqlite3 app.db 'select 1'", None),
    ],
)
def test_backup_commands(script: str, kind: str | None) -> None:
    found = [backup_command(c) for c in commands(script)]
    assert (next((k for k in found if k), None)) == kind


def test_the_example_target_leaves_the_production_checklist_undone() -> None:
    """The guide leaves all five 本番デプロイ時 items unticked: each must be 未対応 (fail)."""
    dockerfile = {"dockerfile": "backend/Dockerfile"}  # the site's default for the example
    for check_id, params in (
        ("deploy.secrets_encrypted", {}),
        ("deploy.reverse_proxy", {}),
        ("deploy.log_collection", dockerfile),
        ("deploy.monitoring", dockerfile),
        ("deploy.backup", {}),
    ):
        assert run(check_id, EXAMPLE, **params).status is Status.FAIL, check_id
