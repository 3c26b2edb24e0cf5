"""The core install: the engine, the checks, the command line and the reports work with no
site generator installed (no MkDocs, Material, pymdown-extensions or Python-Markdown); the
site's pieces are the `[site]` extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.paths import CORPUS, ROOT

SITE_ONLY = ("mkdocs", "material", "pymdownx", "markdown", "properdocs", "zensical")

# Runs the command line in a fresh interpreter where importing any of SITE_ONLY fails, as
# it does on a core install (`pip install docker-guide-checklists`), then lists what loaded.
BLOCKED = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (core install)", name=name)
        return None

sys.meta_path.insert(0, Absent())
from checklists.cli.main import main
code = main(sys.argv[2:])
sys.stdout.flush()
loaded = sorted({m.split(".")[0] for m in sys.modules} & BLOCKED)
print("LOADED", loaded, file=sys.stderr)
sys.exit(code)
"""


def without_site(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", BLOCKED, ",".join(SITE_ONLY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )


def test_the_core_dependencies_name_no_site_generator() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert not any(name in core for name in ("mkdocs", "pymdown", "markdown", "zensical"))
    site = " ".join(project["optional-dependencies"]["site"]).lower()
    assert "mkdocs>=1.6" in site and "mkdocs-material" in site and "pymdown-extensions" in site
    # The tests build the site, so they install it.
    assert "docker-guide-checklists[site]" in project["optional-dependencies"]["test"]


def test_check_runs_on_the_site_with_no_generator_importable(tmp_path: Path) -> None:
    done = without_site(
        "check", "--quiet", "--format", "json", "--format", "sarif", "--output", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stderr
    report = json.loads((tmp_path / "compliance.json").read_text("utf-8"))
    assert report["summary"]["verified"] > 0
    assert (tmp_path / "compliance.sarif").is_file()


def test_check_writes_the_sites_pages_with_no_generator(tmp_path: Path) -> None:
    """`checklists check --pages`, the first step of a Zensical build, is core too."""
    done = without_site("check", "--quiet", "--pages", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stderr
    assert (tmp_path / "compliance.md").is_file() and (tmp_path / "checks" / "index.md").is_file()
    assert (tmp_path / "compliance.json").is_file() and (
        tmp_path / ".checklists-run.json"
    ).is_file()


def test_check_list_and_explain_run_on_a_repository_with_no_generator(tmp_path: Path) -> None:
    repository = CORPUS / "dockersamples__example-voting-app"
    done = without_site("check", str(repository), "--quiet", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "== service vote ==" in done.stdout and "LOADED []" in done.stderr
    listing = without_site("list", "--format", "json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert any(c["id"] == "dockerfile.non_root_user" for c in json.loads(listing.stdout))
    explained = without_site("explain", "dockerfile.non_root_user", cwd=tmp_path)
    assert explained.returncode == 0 and "LOADED []" in explained.stderr


def test_the_blocker_blocks() -> None:
    """The probe above would prove nothing if the blocker let MkDocs through."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, ",".join(SITE_ONLY), "--version"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONSTARTUP": ""},
    )
    assert done.returncode == 0
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCKED.replace("from checklists.cli.main import main", "import mkdocs"),
            "mkdocs",
            "--version",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0 and "core install" in probe.stderr
