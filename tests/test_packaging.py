"""The installed package works on its own: a wheel in a fresh virtual environment, run outside
the checkout on a repository with no configuration (what `pipx run` does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.paths import CORPUS, ROOT

# The fresh environment gets the project's dependencies from the test environment's own
# site-packages (added by a .pth line, so no index is asked and nothing is downloaded); the
# project itself only from the wheel. A .pth line adds a folder without processing the
# .pth files in it, so the editable install of the checkout stays invisible.
PROBE = """
import sys
import checklists, checks
from checklists.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
loaded = sorted(m for m in sys.modules if m == "mkdocs" or m.startswith("mkdocs."))
print("PACKAGE", checklists.__file__, checks.__file__, file=sys.stderr)
print("MKDOCS", loaded, file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.packaging
def test_the_wheel_checks_a_repository_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("docker_guide_checklists-*.whl")
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = next(p for p in sys.path if p.endswith("site-packages"))
    (Path(site) / "test-dependencies.pth").write_text(ours + "\n", encoding="utf-8")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    repository = tmp_path / "work" / "voting"
    shutil.copytree(CORPUS / "dockersamples__example-voting-app", repository)
    before = sorted(p.relative_to(repository) for p in repository.rglob("*"))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(python), "-c", PROBE, "check", "."],
        capture_output=True,
        text=True,
        cwd=repository,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert f"PACKAGE {site}/checklists/__init__.py {site}/checks/__init__.py" in done.stderr
    assert "MKDOCS []" in done.stderr  # the command line never imports MkDocs
    assert done.stdout.startswith("サービス（4 件、検出）:"), done.stdout[:300]
    assert "== service vote ==" in done.stdout and "非rootユーザー実行" in done.stdout
    assert sorted(p.relative_to(repository) for p in repository.rglob("*")) == before
    script = subprocess.run(
        [str(fresh / "bin" / "checklists"), "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert script.returncode == 0 and script.stdout.startswith("checklists 0.")
    measure = subprocess.run(  # the programs beside the engine are in the wheel, registered
        [str(fresh / "bin" / "checklists"), "measure", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert measure.returncode == 0 and "--engine" in measure.stdout, measure.stderr
