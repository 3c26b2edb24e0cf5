"""The example site built by three generators: MkDocs 1.6 (the plugins), ProperDocs (the
maintained MkDocs 1.x fork, the same plugins) and Zensical (no MkDocs plugins: `checklists
check --pages`, then the `checklists.extension` Markdown extension). Same verdicts, same
evidence and table cells, same compliance table, byte-identical reports. And a generator
that ignores the plugins leaves a site that says so, which the CI examples refuse.

.ci/run installs ProperDocs and Zensical, each with the project, into environments of their
own (Zensical's with the core install only: no MkDocs in it) and names them in
CHECKLISTS_PROPERDOCS_VENV and CHECKLISTS_ZENSICAL_VENV.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import stacks
from tests.paths import ROOT
from tests.test_site import copy_site

ENV = {"SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
GUARD_STEP = "Fail if the site shows no verdicts"


def venv(name: str) -> Path:
    variable = f"CHECKLISTS_{name.upper()}_VENV"
    found = os.environ.get(variable)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{variable} is not set: .ci/run installs {name}")
        pytest.skip(f"{name} is installed by .ci/run ({variable})")
    return Path(found)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, **ENV},
    )


def guard(site_root: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    """The CI example's step that refuses a site without verdicts, run as it is written."""
    document = yaml.safe_load((ROOT / "examples" / "ci" / workflow).read_text("utf-8"))
    (script,) = [
        step["run"]
        for job in document["jobs"].values()
        for step in job.get("steps", [])
        if step.get("name") == GUARD_STEP
    ]
    return run(["bash", "-euc", script], site_root)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    zensical, properdocs = venv("zensical"), venv("properdocs")
    root = copy_site(tmp_path_factory.mktemp("stacks"))
    shutil.copy(ROOT / "zensical.yml", root)
    shutil.copytree(ROOT / "tests" / "fixtures" / "checks", root / "tests" / "fixtures" / "checks")
    # Zensical's environment has the core install only: it writes the generated pages.
    checked = run([str(zensical / "bin" / "checklists"), "check", "--quiet", "--pages"], root)
    assert checked.returncode == 0, checked.stderr[-3000:]
    # Built from another folder: the extension finds mkdocs.yml beside zensical.yml.
    zensical_build = [str(zensical / "bin" / "zensical"), "build", "--clean"]
    done = run([*zensical_build, "-f", str(root / "zensical.yml")], root.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No issues found" in done.stdout + done.stderr  # every link and anchor resolves
    assert "Traceback" not in done.stderr and "checklists:" not in done.stderr
    sites = {"zensical": root / "site"}
    for name, command in (
        ("mkdocs", [sys.executable, "-m", "mkdocs"]),
        ("properdocs", [str(properdocs / "bin" / "properdocs")]),
    ):
        sites[name] = root / f"{name}-site"
        done = run([*command, "build", "--strict", "-d", str(sites[name])], root)
        assert done.returncode == 0, done.stderr[-3000:]
    return sites


def test_zensicals_environment_has_no_mkdocs() -> None:
    python = venv("zensical") / "bin" / "python"
    done = run([str(python), "-c", "import mkdocs"], ROOT)
    assert done.returncode != 0 and "No module named 'mkdocs'" in done.stderr


@pytest.mark.parametrize("other", ["properdocs", "zensical"])
def test_the_same_verdicts_evidence_and_cells(built: dict[str, Path], other: str) -> None:
    ours, theirs = built["mkdocs"] / "index.html", built[other] / "index.html"
    assert len(stacks.verdicts(ours)) >= 45
    assert stacks.verdicts(theirs) == stacks.verdicts(ours)
    assert stacks.verdict_html(theirs) == stacks.verdict_html(ours)
    assert stacks.cells(ours) and stacks.cells(theirs) == stacks.cells(ours)
    assert stacks.summary(theirs) == stacks.summary(ours)
    page = theirs.read_text("utf-8")
    assert stacks.MARKER not in page and stacks.NOTICE not in page and "cl-slot" not in page


@pytest.mark.parametrize("other", ["properdocs", "zensical"])
def test_the_same_compliance_page_and_reports(built: dict[str, Path], other: str) -> None:
    assert stacks.compliance_table(built[other]) == stacks.compliance_table(built["mkdocs"])
    for name in stacks.REPORTS:
        assert (built[other] / name).read_bytes() == (built["mkdocs"] / name).read_bytes(), name
    catalog = built[other] / "checks" / "dockerfile" / "index.html"
    assert "dockerfile-non-root-user-fix" in catalog.read_text("utf-8")


@pytest.mark.parametrize("workflow", ["compliance.yml", "compliance-zensical.yml"])
def test_the_ci_examples_accept_the_built_sites(built: dict[str, Path], workflow: str) -> None:
    for site in built.values():
        root = site.parent / f"guard-{site.name}"
        root.mkdir(exist_ok=True)
        if not (root / "site").exists():
            (root / "site").symlink_to(site, target_is_directory=True)
        done = guard(root, workflow)
        assert done.returncode == 0, done.stdout + done.stderr


def test_zensical_on_mkdocs_yml_alone_drops_the_plugins_and_ci_fails(tmp_path: Path) -> None:
    """What happens when a project switches to Zensical without the extension: Zensical
    exits 0, the guide says that nothing was checked, and the CI examples fail."""
    zensical = venv("zensical")
    root = copy_site(tmp_path)
    done = run([str(zensical / "bin" / "zensical"), "build", "--clean"], root)
    assert done.returncode == 0, done.stderr[-2000:]  # silently: no word of the plugins
    page = (root / "site" / "index.html").read_text("utf-8")
    assert stacks.NOTICE in page and stacks.MARKER in page and "cl-badge" not in page
    assert not (root / "site" / "compliance.json").exists()
    for workflow in ("compliance.yml", "compliance-zensical.yml"):
        failed = guard(root, workflow)
        assert failed.returncode == 1 and "::error::" in failed.stdout, workflow
    # With the reports present but the extension missing, the notice alone fails it.
    checked = run([str(zensical / "bin" / "checklists"), "check", "--quiet", "--pages"], root)
    assert checked.returncode == 0, checked.stderr[-2000:]
    run([str(zensical / "bin" / "zensical"), "build", "--clean"], root)
    assert (root / "site" / "compliance.json").is_file()
    failed = guard(root, "compliance-zensical.yml")
    assert failed.returncode == 1 and "index.html" in failed.stdout


def test_a_broken_claim_fails_the_zensical_job_cleanly(tmp_path: Path) -> None:
    zensical = venv("zensical")
    root = copy_site(tmp_path)
    shutil.copy(ROOT / "zensical.yml", root)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    checked = run([str(zensical / "bin" / "checklists"), "check", "--quiet", "--pages"], root)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    said = checked.stdout + checked.stderr  # the item's page:line, the target's file:line
    assert (
        f"index.md:{stacks.non_root_rule_line(root)} [broken]" in said
        and "→ backend/Dockerfile:" in said
    )
    done = run([str(zensical / "bin" / "zensical"), "build", "--clean", "-f", "zensical.yml"], root)
    assert done.returncode == 0
    page = root / "site" / "index.html"
    assert ("broken", f"check-{stacks.non_root_rule_line(root)}") in stacks.verdicts(
        page
    )  # the report is published
    assert stacks.NOTICE not in page.read_text("utf-8")


def test_zensicals_page_cache_never_serves_verdicts_of_an_older_target(tmp_path: Path) -> None:
    """Zensical renders a page again only when its text, the configuration or a watched
    file changed; zensical.yml watches the target and the stamp, and the extension refuses
    findings the stamp has not recorded."""
    zensical = venv("zensical")
    root = copy_site(tmp_path)
    shutil.copy(ROOT / "zensical.yml", root)
    check = [str(zensical / "bin" / "checklists"), "check", "--quiet", "--pages"]
    build = [str(zensical / "bin" / "zensical"), "build", "-f", "zensical.yml"]  # cache kept
    assert run(check, root).returncode == 0
    assert run(build, root).returncode == 0
    page = root / "site" / "index.html"
    assert ("broken", f"check-{stacks.non_root_rule_line(root)}") not in stacks.verdicts(page)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    later = dockerfile.stat().st_mtime + 10  # Zensical compares whole seconds: an edit later
    os.utime(dockerfile, (later, later))
    done = run(build, root)  # the target changed, the pages were not generated again
    assert done.returncode == 0 and "checklists check --pages" in done.stderr
    text = page.read_text("utf-8")
    assert 'data-checklists="refused-stale"' in text and "cl-badge" not in text
    assert stacks.NOTICE in text  # and the CI examples' guard fails on it
    assert run(check, root).returncode == 1
    assert run(build, root).returncode == 0
    assert "cl-refused" not in page.read_text("utf-8")
    assert ("broken", f"check-{stacks.non_root_rule_line(root)}") in stacks.verdicts(page)
