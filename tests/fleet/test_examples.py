"""The shipped fleet examples: workflows valid and safe, the sharding manifest consistent,
and the example fleet (the example target, this project, the real-repository corpus)
built into a fleet site."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from checklists.fleet import fleetfile, shard
from tests.fleet.support import EXAMPLE_FLEET, example_site
from tests.paths import CORPUS, ROOT
from tests.test_quality import tool

EXAMPLES = ROOT / "examples" / "fleet"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))


def test_the_examples_are_there() -> None:
    assert [p.name for p in WORKFLOWS] == ["collect.yml", "scan.yml", "service.yml"]


def test_the_workflows_match_github_s_schema() -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", *WORKFLOWS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


def test_zizmor_would_find_an_unpinned_action(tmp_path: Path) -> None:
    """The check above can fail: the same run flags a workflow with a tag-pinned action."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        (EXAMPLES / "service.yml")
        .read_text("utf-8")
        .replace(
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "actions/checkout@v4"
        ),
        "utf-8",
    )
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", bad],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout


def _workflow(name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load((EXAMPLES / name).read_text("utf-8"))
    return document


def test_the_scan_matrix_has_one_runner_per_shard() -> None:
    workflow = _workflow("scan.yml")
    count = int(workflow["env"]["SHARDS"])
    assert workflow["jobs"]["scan"]["strategy"]["matrix"]["shard"] == list(range(count))
    script = next(
        step["run"]
        for step in workflow["jobs"]["scan"]["steps"]
        if "checklists scan" in step.get("run", "")
    )
    assert '--shard "${SHARD}/${SHARDS}"' in script
    for index in range(count):
        assert shard.parse(f"{index}/{count}") == (index, count)
    site = workflow["jobs"]["site"]
    assert site["needs"] == "scan" and site["if"] == "always()"


def test_the_service_workflow_keeps_the_report_and_its_provenance() -> None:
    steps = _workflow("service.yml")["jobs"]["report"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert "checklists stamp site/compliance.json" in runs
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "compliance"
    assert "site/compliance.meta.json" in upload["with"]["path"]


def test_the_indexed_job_gives_every_pod_its_own_shard() -> None:
    (job,) = list(yaml.safe_load_all((EXAMPLES / "k8s" / "scan-job.yaml").read_text("utf-8")))
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    count = int(env["SHARDS"])
    assert spec["completions"] == spec["parallelism"] == count
    script = " ".join(container["args"])
    found = re.search(r'--shard "\$\{JOB_COMPLETION_INDEX\}/\$\{SHARDS\}"', script)
    assert found, script
    shards = [shard.parse(f"{index}/{env['SHARDS']}") for index in range(spec["completions"])]
    assert sorted(index for index, _ in shards) == list(range(count))
    assert "${JOB_COMPLETION_INDEX}" in script.split("--out", 1)[1].split()[0]
    security = spec["template"]["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and security["runAsUser"] == 1000


def test_the_example_fleet_file_names_every_repository() -> None:
    fleet = fleetfile.read(EXAMPLE_FLEET)
    names = [entry.name for entry in fleet.entries]
    corpus = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert names == ["examples/autoforgenexus", "docker-guide-checklists", *corpus]
    assert all(entry.path is not None and entry.path.is_dir() for entry in fleet.entries)
    assert fleet.guide.resolve() == ROOT / "mkdocs.yml"


def test_the_example_fleet_builds_into_a_fleet_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    site = example_site(tmp_path_factory.getbasetemp())
    api = json.loads((site / "fleet.json").read_text("utf-8"))
    (version,) = api["versions"]
    names = {r["repository"] for r in version["repositories"]}
    corpus = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert names == {"examples/autoforgenexus", "docker-guide-checklists"} | corpus
    assert api["missing"] == [] and api["rejected"] == []
    # The guide's own example holds every ticked claim; the corpus does not.
    example = next(
        r for r in version["repositories"] if r["repository"] == "examples/autoforgenexus"
    )
    assert example["fails"] == 0
    assert sum(r["fails"] for r in version["repositories"]) > 0
    data = next(site.glob("matrix/*/data.js")).read_text("utf-8")
    assert data.startswith("window.FLEET_MATRIX=")
    for page in site.rglob("*.html"):
        assert page.stat().st_size < 2_000_000, page


def test_the_corpus_repositories_are_judged_by_the_image_they_ship() -> None:
    fleet = fleetfile.read(EXAMPLE_FLEET)
    by_name = {entry.name: entry for entry in fleet.entries}
    services = fleetfile.services_file(CORPUS.parent / "services.yaml")
    assert services  # the corpus's own file, read by hand
    for folder, image in services.items():
        if folder in by_name:
            entry = by_name[folder]
            assert (entry.dockerfile, entry.target) == (image["dockerfile"], image.get("target"))
    ddojo = by_name["DefectDojo__django-DefectDojo"]
    assert (ddojo.dockerfile, ddojo.target) == ("Dockerfile.django-debian", "release")
