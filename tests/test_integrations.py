"""The ready-made integrations: the composite action, the example workflows and the pre-commit
hook are valid for the tools that read them, and follow zizmor's audits (offline)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checklists.cli.main import parser
from tests.paths import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / "examples" / "ci").glob("*.yml"))
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_zizmor_finds_nothing_offline() -> None:
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", str(ACTION), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("schema", "files"),
    [("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", [ACTION])],
)
def test_check_jsonschema_accepts_them(schema: str, files: list[Path]) -> None:
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _uses(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["uses"]] if isinstance(node.get("uses"), str) else []
        return found + [u for value in node.values() for u in _uses(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uses(value)]
    return []


def test_the_integrations_pin_every_action_by_commit() -> None:
    for path in (ACTION, *WORKFLOWS):
        uses = _uses(yaml.safe_load(path.read_text("utf-8")))
        assert uses, path
        assert all(PINNED.match(u) for u in uses), (path, uses)


def test_the_workflow_grants_nothing_by_default() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "measure-scan-site.yml").read_text())
    assert workflow["permissions"] == {}
    steps = [s.get("run", "") for job in workflow["jobs"].values() for s in job.get("steps", [])]
    assert not any("${{" in run for run in steps)  # inputs reach scripts through env only
    order = [s.get("name", s.get("uses", "")) for s in workflow["jobs"]["site"]["steps"]]
    assert order.index("Measure the images") < order.index("Scan it with Trivy")
    assert order.index("Scan it with Trivy") < order.index(
        "Build the guide with the measured values"
    )


def test_the_pre_commit_hook_runs_the_command_line() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    command, *arguments = hook["entry"].split()
    assert command == "checklists"
    parsed = parser(libraries=False).parse_args([*arguments, *hook["args"]])
    assert parsed.command == "check" and parsed.path == "." and parsed.quiet
    files = re.compile(hook["files"], re.VERBOSE)
    for path in (
        "Dockerfile",
        "api/Dockerfile.prod",
        "web/Containerfile",
        "docker/python3.11.dockerfile",
        ".dockerignore",
        "compose.yaml",
        "docker-compose.dev.yml",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        ".checklists.yml",
    ):
        assert files.search(path), path
    for path in ("README.md", "src/app.py", "docs/compose.md"):
        assert not files.search(path), path


def test_the_action_runs_the_command_it_documents() -> None:
    action = yaml.safe_load(ACTION.read_text("utf-8"))
    assert set(action["inputs"]) >= {"path", "config", "formats", "fail-level"}
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "check")
    assert "${{" not in script
    parsed = parser(libraries=False).parse_args(
        [
            "check",
            ".",
            "--config",
            "x.yml",
            "--strict",
            "--format",
            "table",
            "--format",
            "sarif",
            "--output",
            "out",
        ]
    )
    assert parsed.format == ["table", "sarif"]
