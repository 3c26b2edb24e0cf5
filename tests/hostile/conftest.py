"""Fixtures of the sandbox tests (helpers in `support.py`)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from checklists_sandbox import nginx_scratch
from tests.hostile.support import World, missing


@pytest.fixture
def world() -> Iterator[World]:
    """A fresh folder under /tmp that every user can traverse, with a world-writable
    `marks` folder for the payloads' marker files."""
    root = Path(tempfile.mkdtemp(prefix="hostile-", dir="/tmp"))
    try:
        root.chmod(0o755)
        marks = root / "marks"
        marks.mkdir()
        marks.chmod(0o1777)
        yield World(root, marks)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def nginx() -> str:
    found = nginx_scratch.find_program("nginx")
    if found is None or nginx_scratch.find_program("openssl") is None:
        missing("nginx or openssl is not installed; `apt-get install nginx openssl`")
    return found
