"""The project is the first member of its own fleet: its Dockerfile follows the guide.

The image cannot be built here (no Docker daemon), so the Dockerfile is judged the way the
guide judges every repository: by the project's own checks, from the example fleet's scan.
The tests below also make sure what it copies exists and reaches the build context, and
that nginx accepts the configuration it serves the site with.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from checks.readers.dockerfile import parse
from checks.readers.dockerignore import PatternMatcher, read_dockerignore
from tests.fleet.support import example_reports
from tests.paths import ROOT

# The guide's claims about a Dockerfile and its build context, each bound to a check.
DOCKERFILE_CLAIMS = {
    "dockerfile.multi_stage",
    "dockerfile.non_root_user",
    "dockerfile.healthcheck",
    "dockerfile.healthcheck_options",
    "dockerfile.env_without_secrets",
    "dockerfile.official_base_image",
    "dockerfile.layer_cache_order",
    "dockerfile.slim_base",
    "dockerfile.graceful_shutdown",
    "dockerfile.cache_cleanup",
    "dockerignore.excludes",
}


def test_the_project_s_dockerfile_holds_every_dockerfile_claim_of_its_guide(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out, _ = example_reports(tmp_path_factory.getbasetemp())
    document = json.loads((out / "docker-guide-checklists" / "compliance.json").read_text("utf-8"))
    items = [item for item in document["items"] if item["check"] in DOCKERFILE_CLAIMS]
    assert {item["check"] for item in items} == DOCKERFILE_CLAIMS
    not_holding = [
        f"{item['check']}: {item['verdict']} ({item['summary']})"
        for item in items
        if item["verdict"] != "verified"
    ]
    assert not not_holding
    non_root = next(i for i in items if i["check"] == "dockerfile.non_root_user")
    assert non_root["params"] == {"uid": 1000, "gid": 1000}


def test_everything_the_dockerfile_copies_exists_and_reaches_the_context() -> None:
    dockerfile = parse((ROOT / "Dockerfile").read_text("utf-8"))
    ignored = PatternMatcher(read_dockerignore((ROOT / ".dockerignore").read_text("utf-8")))
    copied = [
        source
        for instruction in dockerfile.instructions
        if instruction.keyword in ("copy", "add")
        and not any(flag.startswith("--from") for flag in instruction.flags)
        for source in instruction.args[:-1]
    ]
    assert copied
    for source in copied:
        path = ROOT / source
        assert path.exists(), source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        assert files, source
        sent = [f for f in files if not ignored.matches(f.relative_to(ROOT).as_posix())]
        assert sent, f"{source} is excluded by .dockerignore"


def test_the_builder_builds_the_site_the_readme_builds() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert "mkdocs build --strict" in text
    stages = [i for i in parse(text).instructions if i.keyword == "from"]
    assert [s.args[-1] for s in stages] == ["builder", "runtime"]


def test_nginx_accepts_the_site_s_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (CI is set, so this is a failure, not a skip)")
        pytest.skip("nginx is not installed; run: apt-get install nginx")
    if not Path("/etc/nginx/mime.types").exists():
        pytest.skip("/etc/nginx/mime.types is missing (the image has it)")
    config = tmp_path / "nginx.conf"
    config.write_text(
        (ROOT / "deploy" / "nginx.conf").read_text("utf-8").replace("/tmp/", f"{tmp_path}/"),
        "utf-8",
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
