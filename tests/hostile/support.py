"""Helpers of the sandbox tests: a place anyone can reach, a shared object that leaves a mark.

The hostile payloads must be able to work if they ran at all, or their absence proves
nothing: a constructor that runs as `nobody` cannot write into pytest's root-only temporary
folder, and `nobody` cannot even read a target there. So the targets and the marker folder
live in a fresh folder under /tmp that everybody may traverse, the marker folder is
world-writable, and each test that asserts "no mark" has a control that shows the same
payload does leave one when nginx (or git) is run on it the unconfined way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

CONSTRUCTOR = """\
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void pwn(void) {
    FILE *mark = fopen(MARKER, "a");
    if (mark) { fprintf(mark, "constructor ran as uid %d\\n", (int)getuid()); fclose(mark); }
}
"""


def missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@dataclass(frozen=True, slots=True)
class World:
    """A folder under /tmp that every user can reach; `marks` is world-writable."""

    root: Path
    marks: Path

    def marked(self) -> list[str]:
        return sorted(p.name for p in self.marks.iterdir())


def compiler() -> str:
    found = shutil.which("gcc") or shutil.which("cc")
    if found is None:
        missing("gcc is not installed; `apt-get install gcc`")
    return found


def shared_object(world: World, folder: Path, name: str = "evil.so") -> Path:
    """A shared object in `folder` whose constructor appends to `world.marks/<name>`."""
    source = world.root / "evil.c"
    source.write_text(CONSTRUCTOR, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    library = folder / name
    marker = world.marks / name
    subprocess.run(
        [compiler(), "-shared", "-fPIC", f'-DMARKER="{marker}"', "-o", str(library), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    library.chmod(0o755)
    return library


def readable_tree(folder: Path) -> None:
    """Let every user read `folder` (so a payload that ran as nobody could have worked)."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
