"""The benchmark's own measuring code still drives the engine as it is: a smoke run of the
parts that call into it (the bench itself is a script, run by hand; these keep it runnable)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import floors, serve_site

REPO = Path(__file__).resolve().parents[1]


def test_the_serve_measure_runs_and_sees_the_edit(tmp_path: Path) -> None:
    measured = serve_site.measure(REPO / "mkdocs.yml", tmp_path, 1)
    assert measured.by_label("no change").evaluations == 0
    assert measured.by_label("one file edited").evaluations > 0
    assert measured.nested == 0 < measured.watches


def test_the_import_floor_imports_the_bound_checks_modules() -> None:
    packages, ids = floors.bound_ids(REPO / "mkdocs.yml")
    shown = "import sys\nprint('\\n'.join(m for m in sys.modules if m.startswith('checks.')))\n"
    done = subprocess.run(
        [sys.executable, "-c", floors.IMPORT_FLOOR + shown, ",".join(packages), *ids],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    modules = set(done.stdout.split())
    assert "checks.dockerfile.non_root_user" in modules  # a module, not only its package
    assert "checks.readers.dockerfile" in modules
