"""The linters and the type checker are part of the test suite, so CI runs them too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; run: pip install -e '.[test]'")
    return found


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_code_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [tool(command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# A path that leaves the repository for the sibling folder the project grew beside (dot-dot,
# then its name), or a Path built by climbing above the repository root.
OUTSIDE = re.compile(r"\.\./shared\b|\bparents\[\d\]\.parent\b|\.parent\.parent\.parent\b")
# Upstream data keeps its own words; generated and installed folders are not project text.
NOT_PROJECT_TEXT = ("tests/data/", ".venv/", "site/", "test-artifacts/", ".git/")


def references_outside(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]


def test_no_project_text_points_outside_the_repository() -> None:
    found = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if not path.is_file() or relative.startswith(NOT_PROJECT_TEXT) or "egg-info" in relative:
            continue
        if relative == "tests/test_quality.py":  # names the patterns it looks for
            continue
        if path.suffix not in {".py", ".md", ".yml", ".yaml", ".toml", ".cfg", ".txt", ""}:
            continue
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{relative}:{line}" for line in references_outside(text)]
    assert not found, "project text refers to folders outside the repository: " + ", ".join(found)


def test_the_outside_reference_finder_finds_them() -> None:
    sample = 'x = ROOT.parents[2].parent / "x"\nok\nsee ../' + "shared" + "/x"
    assert references_outside(sample) == [1, 3]
    assert references_outside("Path(__file__).resolve().parents[1] / 'tests'") == []
