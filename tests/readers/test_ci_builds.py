"""The CI build model: the builds, pushes and scans a repository's workflows perform."""

from __future__ import annotations

from pathlib import Path

from checklists.core.target import Target
from checks.readers.ci_builds import image_builds, model, read_git_default_branch, situations
from tests.paths import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus" / "real-repos"


def _repo(root: Path, files: dict[str, str]) -> Target:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
    return Target(root)


def test_a_script_the_step_calls_with_shell_variables(tmp_path: Path) -> None:
    target = _repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
                "      - run: ./scripts/build.sh\n"
            ),
            "scripts/build.sh": (
                '#!/bin/sh\nset -e\nIMAGE=acme/api\nARGS="--build-arg A=1"\n'
                'if [ -n "$CI" ]; then ARGS="--build-arg A=2"; fi\n'
                "docker build -f services/api/Dockerfile $ARGS -t $IMAGE:dev services/api \\\n"
                "  && docker push $IMAGE:dev\n"
            ),
        },
    )
    found = model(target)
    builds = found.builds
    assert {b.dockerfile for b in builds} == {"services/api/Dockerfile"}
    assert {b.build_args for b in builds} == {("A=1",), ("A=2",)}  # each assigned value
    assert builds[0].via == ("scripts/build.sh",) and builds[0].place.line == 6
    assert [p.images for p in found.pushes] == [("acme/api:dev",)]


def test_a_copied_dockerfile_in_a_generated_context_is_the_original(tmp_path: Path) -> None:
    target = _repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
                "      - run: |\n          for a in amd64 arm64; do\n"
                "            cp Dockerfile build/$a\n"
                "            docker build -t x:$a build/$a\n          done\n"
            ),
            "Dockerfile": "FROM scratch\n",
        },
    )
    (build,) = image_builds(target)
    assert build.dockerfile == "Dockerfile" and build.context is None


def test_a_local_reusable_workflow_with_inputs_and_a_matrix(tmp_path: Path) -> None:
    target = _repo(
        tmp_path,
        {
            ".github/workflows/release.yml": (
                "on:\n  push:\n    tags: ['v*']\njobs:\n  call:\n"
                "    strategy:\n      matrix:\n        svc: [api, web]\n"
                "    uses: ./.github/workflows/build.yml\n"
                "    with:\n      service: ${{ matrix.svc }}\n      push: true\n"
            ),
            ".github/workflows/build.yml": (
                "on:\n  workflow_call:\n    inputs:\n      service: {type: string}\n"
                "      push: {type: boolean, default: false}\n"
                "jobs:\n  build:\n    runs-on: x\n    steps:\n"
                "      - uses: docker/build-push-action@v6\n        with:\n"
                "          context: ${{ inputs.service }}\n"
                "          push: ${{ inputs.push }}\n"
            ),
        },
    )
    builds = image_builds(target)
    assert sorted(b.dockerfile or "" for b in builds) == ["api/Dockerfile", "web/Dockerfile"]
    assert all(b.step.run.root == ".github/workflows/release.yml" for b in builds)
    assert all(b.step.run.jobs == ("call", "build") for b in builds)


def test_what_cannot_be_read_is_opaque_with_the_step_named(tmp_path: Path) -> None:
    target = _repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  remote:\n"
                "    uses: acme/.github/.github/workflows/docker-build.yml@main\n"
                "  local:\n    runs-on: x\n    steps:\n"
                "      - name: Build images\n        run: make build-images\n"
            ),
        },
    )
    found = model(target)
    reasons = sorted(o.reason for o in found.opaque)
    assert any("acme/.github/.github/workflows/docker-build.yml@main" in r for r in reasons)
    assert any(
        "`make build-images` runs a Makefile that is not in the target" in r for r in reasons
    )
    local = next(o for o in found.opaque if o.step is not None)
    assert local.step is not None and local.step.label == "Build images"
    assert local.push == "false"  # no login or credential reaches it


def test_situations_follow_the_triggers(tmp_path: Path) -> None:
    target = _repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "name: CI PR\non:\n  pull_request:\n  push:\n    branches: [main]\n"
                "  workflow_dispatch:\njobs: {}\n"
            ),
            ".github/workflows/deploy.yml": (
                "on:\n  workflow_run:\n    workflows: ['CI PR']\n    types: [completed]\njobs: {}\n"
            ),
        },
    )
    found = model(target)
    ci, deploy = (w for _, w in found.workflows)
    runs, _ = situations(ci, "main", found.workflows)
    labels = {s.label: (s.allowed, s.pull_request) for s in runs}
    assert labels["a pull_request run"] == (False, True)
    assert labels["a push to main"] == (True, False)
    assert labels["a manual run"] == (True, False)
    after, _ = situations(deploy, "main", found.workflows)
    assert {s.label: s.pull_request for s in after} == {
        "a workflow_run after a pull_request run": True,
        "a workflow_run after a push run": False,
        "a workflow_run after a workflow_dispatch run": False,
    }
    unknown, _ = situations(ci, None, found.workflows)
    assert any(s.allowed is None for s in unknown)  # the default branch is not assumed


def test_the_default_branch_comes_from_git_metadata_read_as_files(tmp_path: Path) -> None:
    target = _repo(tmp_path, {".git/HEAD": "ref: refs/heads/trunk\n"})
    assert read_git_default_branch(target) == "trunk"
    _repo(tmp_path, {".git/refs/remotes/origin/HEAD": "ref: refs/remotes/origin/master\n"})
    assert read_git_default_branch(Target(tmp_path)) == "master"
    assert read_git_default_branch(Target(tmp_path / ".git" / "refs")) is None


def test_real_repositories_builds() -> None:
    coredns = model(Target(CORPUS / "coredns__coredns"))
    release = [b for b in coredns.builds if b.step.run.root == ".github/workflows/docker.yml"]
    assert release and all(b.dockerfile == "Dockerfile" for b in release)
    assert any(
        "DEBIAN_IMAGE=debian:unstable-slim" in b.build_args for b in release
    )  # through $DOCKER_ARGS in the Makefile's loop
    kuma = image_builds(Target(CORPUS / "louislam__uptime-kuma"))
    pr_test = [b for b in kuma if b.target == "pr-test2"]
    assert pr_test and pr_test[0].dockerfile == "docker/dockerfile" and pr_test[0].push == "true"
    assert pr_test[0].via == ("package.json: build-docker-pr-test",)
    rstudio = image_builds(Target(CORPUS / "rstudio__rstudio-docker-products"))
    assert any(b.dockerfile == "connect/Dockerfile.ubuntu2204" for b in rstudio)
