"""`checklists new AREA.NAME`: the module and samples it writes work as a check of the library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checklists.cli.scaffold import scaffold
from checklists.core.errors import SetupError
from tests.paths import ROOT

# Run in a child: the new package registers its check in a registry of its own process.
_RUN_SAMPLES = """
import json, logging, sys
from pathlib import Path
import yaml
from checklists.core.bindings import Item
from checklists.core.message import localize
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, resolve, run_one
from checklists.core.target import Target

load_packages([sys.argv[2]])
spec = REGISTRY.get(sys.argv[3])
found = {"module": spec.module, "title": spec.title, "fix": spec.fix, "cases": {}}
for case in sorted(Path(sys.argv[1]).glob("*/*")):
    given = case / "case.yml"
    meta = (yaml.safe_load(given.read_text()) if given.exists() else {}) or {}
    params = meta.get("params", {})
    item = Item("sample.md", 1, None, case.name, True, spec.id, params, comment=(1, 0, 0))
    task = resolve(item, REGISTRY, {}, {})
    assert isinstance(task, Task), task
    outcome = run_one(task, Target(case), logging.getLogger("samples"))
    found["cases"][case.parent.name + "/" + case.name] = [
        outcome.status.value, localize(outcome.summary, "ja"), localize(outcome.summary, "en")
    ]
print(json.dumps(found))
"""


def test_new_writes_a_check_whose_samples_pass_and_fail_as_named(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checklists", "new", "demo.readme_present", "--root", str(tmp_path),
         "--package", "mychecks"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    module = tmp_path / "mychecks" / "demo" / "readme_present.py"
    assert f"wrote {module}" in done.stdout and "next:" in done.stdout
    text = module.read_text("utf-8")
    assert text.startswith('"""') and "\n日本語: " in text  # the docstring on the module
    for section in ("What it checks:", "Why it matters:", "How to fix:", "修正方法:"):
        assert section in text
    samples = tmp_path / "tests" / "fixtures" / "checks" / "demo" / "readme_present"
    run = subprocess.run(
        [sys.executable, "-c", _RUN_SAMPLES, str(samples), "mychecks", "demo.readme_present"],
        capture_output=True, text=True, check=False,
        env={"PYTHONPATH": f"{tmp_path}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["module"] == "mychecks.demo.readme_present"
    assert found["title"] and found["fix"]
    assert found["cases"] == {
        "pass/file-present": ["pass", "README.md がある", "README.md is present"],
        "fail/file-missing": ["fail", "README.md がない", "README.md is missing"],
    }
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
         str(ROOT / "pyproject.toml"), str(module)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_new_never_overwrites_and_names_what_exists(tmp_path: Path) -> None:
    written = scaffold(tmp_path, "demo.rule")
    assert (tmp_path / "checks" / "demo" / "__init__.py") in written
    with pytest.raises(SetupError, match=r"not overwriting .*rule\.py.*--force"):
        scaffold(tmp_path, "demo.rule")
    module = tmp_path / "checks" / "demo" / "rule.py"
    module.write_text("# mine\n", "utf-8")
    assert module in scaffold(tmp_path, "demo.rule", force=True)
    assert module.read_text("utf-8") != "# mine\n"


@pytest.mark.parametrize("bad", ["Demo.rule", "demo", "demo.rule.extra", "demo.1rule", "../x.y"])
def test_new_refuses_an_id_that_is_not_area_dot_name(tmp_path: Path, bad: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checklists", "new", bad, "--root", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "is not a check id" in done.stderr and "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())


def test_the_projects_own_check_ids_are_refused_as_existing_files() -> None:
    with pytest.raises(SetupError, match="not overwriting"):
        scaffold(ROOT, "dockerfile.multi_stage")
