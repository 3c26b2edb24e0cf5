"""The build context metric against targets whose sizes the test computes on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from checklists import Status
from checklists.core.target import Target
from checks.context.reduction import reduction

FILES = {
    "Dockerfile": 120,
    "pyproject.toml": 300,
    "src/main.py": 2_000,
    "src/__pycache__/main.cpython-313.pyc": 5_000,
    "tests/test_main.py": 7_000,
    ".venv/lib/site.py": 40_000,
    "README.md": 500,
    "docs/guide.md": 9_000,
}


def make(root: Path, ignore: str | None) -> None:
    for rel, size in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    if ignore is not None:
        (root / ".dockerignore").write_text(ignore, "utf-8")


@pytest.mark.parametrize(
    ("ignore", "left_out"),
    [
        # Docker anchors patterns at the context root: *.md leaves docs/guide.md in.
        (
            "**/__pycache__\ntests/\n.venv/\n*.md\n!README.md\n",
            {"src/__pycache__/main.cpython-313.pyc", "tests/test_main.py", ".venv/lib/site.py"},
        ),
        ("__pycache__/\n", set()),
        ("**/*.md\n", {"README.md", "docs/guide.md"}),
        (None, set()),
    ],
)
def test_reduction_counts_what_docker_would_not_send(
    tmp_path: Path, ignore: str | None, left_out: set[str]
) -> None:
    make(tmp_path, ignore)
    total = sum(FILES.values()) + (len(ignore.encode()) if ignore else 0)
    excluded = sum(FILES[path] for path in left_out)
    outcome = reduction(Target(tmp_path))
    assert outcome.status is Status.PASS
    assert outcome.quantity == pytest.approx(100.0 * excluded / total)
    files = len(FILES) + (1 if ignore else 0)
    assert f"{files} files, {total:,} bytes" in outcome.summary
