"""The central scan: one function per repository, a process pool, progress, resume."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from checklists.core.errors import SetupError
from checklists.fleet import fleetfile, records, scan
from tests.fleet.support import checklists
from tests.paths import ROOT

DOCKERFILE = """\
FROM python:3.13-slim AS build
RUN pip install --no-cache-dir build
FROM python:3.13-slim
USER 1000:1000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \\
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"]
CMD ["python", "-m", "app"]
"""


def _pid_of(job: scan.Job) -> scan.Result:
    """A stand-in check that says which process ran it (module level: workers import it)."""
    return scan.Result(str(os.getpid()), True, 0.0)


def small_fleet(tmp_path: Path, count: int = 4) -> Path:
    """A fleet file with `count` tiny repositories, each with a Dockerfile somewhere."""
    entries = []
    for number in range(count):
        repo = tmp_path / "repos" / f"svc{number}"
        where = repo / ("deploy" if number % 2 else ".")
        where.mkdir(parents=True, exist_ok=True)
        (where / "Dockerfile").write_text(DOCKERFILE if number != 1 else "FROM ubuntu\n", "utf-8")
        entries.append(
            f"  - name: org/svc{number}\n    path: repos/svc{number}\n    teams: [t{number % 2}]\n"
        )
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(f"guide: {ROOT / 'mkdocs.yml'}\nrepositories:\n" + "".join(entries), "utf-8")
    return fleet


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["Dockerfile", "a/Dockerfile"], "Dockerfile"),
        (["Containerfile"], "Containerfile"),
        (["b/Dockerfile", "a/Dockerfile.prod", "a/x/Dockerfile"], "a/Dockerfile.prod"),
        (["Dockerfile.dockerignore", "docker/api.Dockerfile"], "docker/api.Dockerfile"),
        (["node_modules/x/Dockerfile", "README.md"], None),
        ([], None),
    ],
)
def test_the_first_dockerfile_is_the_root_one_else_the_shallowest(
    tmp_path: Path, files: list[str], expected: str | None
) -> None:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("FROM scratch\n", "utf-8")
    assert scan.find_dockerfile(tmp_path) == expected


def job_for(tmp_path: Path, entry: fleetfile.Entry) -> scan.Job:
    guide = scan.Guide.read(ROOT / "mkdocs.yml")
    return scan.Job(
        entry, guide, tmp_path / "out" / "x", "2026-11-28T00:00:00+00:00", "1+x", "run1"
    )


def test_options_aim_the_guide_at_the_repository(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "Dockerfile").write_text("FROM scratch\n", "utf-8")
    job = job_for(tmp_path, fleetfile.Entry("org/x", path=tmp_path, target="prod"))
    options = scan.repository_options(job, tmp_path)
    assert options["target"] == str(tmp_path)
    assert options["defaults"]["dockerfile"] == "deploy/Dockerfile"
    assert options["defaults"]["context"] == "deploy"
    assert options["defaults"]["directory"] == "/deploy"
    assert options["defaults"]["target"] == "prod"
    # The guide's environments keep their names (they are columns of its tables).
    assert set(options["environments"]) == {"開発", "本番"}
    assert {env["dockerfile"] for env in options["environments"].values()} == {"deploy/Dockerfile"}
    assert options["require_bindings"] is True


def test_one_repository_is_checked_into_its_folder(tmp_path: Path) -> None:
    entry = fleetfile.Entry(
        "examples/autoforgenexus",
        path=ROOT / "examples" / "autoforgenexus",
        teams=("platform",),
        dockerfile="backend/Dockerfile",
        context="backend",
    )
    job = job_for(tmp_path, entry)
    result = scan.check_repository(job)
    assert result.ok, result.reason
    loaded = records.load(
        records.Found(job.out / "compliance.json", job.out.parent), records.Guides()
    )
    assert isinstance(loaded, records.Report)
    assert loaded.repository == "examples/autoforgenexus"
    assert loaded.checks == "1+x"
    assert loaded.day == "2026-11-28"
    assert loaded.teams == ("platform",)
    assert loaded.fails == 0  # the guide's own example holds every ticked claim
    assert (job.out / "checklists.yml").is_file()


def test_a_repository_that_cannot_be_checked_says_why(tmp_path: Path) -> None:
    job = job_for(tmp_path, fleetfile.Entry("org/gone", path=tmp_path / "nowhere"))
    result = scan.check_repository(job)
    assert not result.ok
    error = json.loads((job.out / "scan-error.json").read_text("utf-8"))
    assert error["repository"] == "org/gone"
    assert "does not exist" in error["reason"]
    assert not (job.out / "compliance.json").exists()


def test_a_git_repository_is_cloned_and_its_commit_recorded(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "Dockerfile").write_text(DOCKERFILE, "utf-8")
    git = ["git", "-C", str(origin), "-c", "user.name=t", "-c", "user.email=t@example.test"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    job = job_for(tmp_path, fleetfile.Entry("org/cloned", git=str(origin), ref="main"))
    result = scan.check_repository(job)
    assert result.ok, result.reason
    meta = json.loads((job.out / "compliance.meta.json").read_text("utf-8"))
    assert meta["commit"] == head.stdout.strip()


def test_an_interrupted_scan_resumes_without_redoing_finished_repositories(tmp_path: Path) -> None:
    fleet = fleetfile.read(small_fleet(tmp_path))
    out = tmp_path / "out"
    args: dict[str, Any] = {
        "checks": "1+x",
        "generated": "2026-11-28T00:00:00+00:00",
        "shard": "0/1",
    }
    plan = scan.plan(fleet, fleet.entries, out, resume=False, **args)
    checked: list[str] = []

    def stops_at_the_third(job: scan.Job) -> scan.Result:
        if len(checked) == 2:
            raise KeyboardInterrupt
        checked.append(job.entry.name)
        return scan.check_repository(job)

    quiet = scan.Progress(len(plan.jobs), mode="quiet")
    with pytest.raises(scan.ScanInterruptedError, match="after 2 of 4"):
        scan.run_jobs(plan.jobs, workers=1, progress=quiet, check=stops_at_the_third)
    finished = {name: (out / name.replace("/", "__") / "compliance.json") for name in checked}
    stamps = {name: path.stat().st_mtime_ns for name, path in finished.items()}
    with pytest.raises(SetupError, match="--resume"):
        scan.plan(fleet, fleet.entries, out, resume=False, **args)
    again = scan.plan(fleet, fleet.entries, out, resume=True, **args)
    assert again.skipped == 2
    assert [job.entry.name for job in again.jobs] == ["org/svc2", "org/svc3"]
    results = scan.run_jobs(again.jobs, workers=1, progress=quiet)
    assert all(result.ok for result in results)
    assert {n: p.stat().st_mtime_ns for n, p in finished.items()} == stamps
    assert len(list(out.glob("*/compliance.json"))) == 4


def test_a_scan_of_another_fleet_or_check_version_is_not_resumed(tmp_path: Path) -> None:
    fleet = fleetfile.read(small_fleet(tmp_path, 2))
    out = tmp_path / "out"
    args: dict[str, Any] = {"generated": "2026-11-28T00:00:00+00:00", "shard": "0/1"}
    scan.plan(fleet, fleet.entries, out, resume=False, checks="1+x", **args)
    with pytest.raises(SetupError, match="its checks was '1\\+x', now '2\\+y'"):
        scan.plan(fleet, fleet.entries, out, resume=True, checks="2+y", **args)


def test_the_pool_writes_the_same_reports_as_one_process(tmp_path: Path) -> None:
    fleet = small_fleet(tmp_path)
    env = {"SOURCE_DATE_EPOCH": "1764316800"}
    one = checklists("scan", fleet, "--out", tmp_path / "one", "--jobs", "1", env=env)
    two = checklists("scan", fleet, "--out", tmp_path / "two", "--jobs", "2", env=env)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    left = {
        p.relative_to(tmp_path / "one"): p.read_bytes()
        for p in (tmp_path / "one").glob("*/compliance.json")
    }
    right = {
        p.relative_to(tmp_path / "two"): p.read_bytes()
        for p in (tmp_path / "two").glob("*/compliance.json")
    }
    assert len(left) == 4
    assert left == right
    # Not a terminal: a line per tenth at most, the summary, nothing per repository.
    lines = two.stderr.splitlines()
    assert lines[0].startswith("scan: 4 repositories to check with 2 process(es)")
    assert lines[-2] == "scan: 4/4 checked, 0 failed"
    assert lines[-1].startswith("scan: 4 checked, 0 could not be checked")
    assert len(lines) <= 12
    resumed = checklists("scan", fleet, "--out", tmp_path / "two", "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "0 repositories to check with" in resumed.stderr
    assert "4 already done" in resumed.stderr


def test_a_shard_checks_only_its_share(tmp_path: Path) -> None:
    fleet = small_fleet(tmp_path)
    done = checklists("scan", fleet, "--out", tmp_path / "s1", "--shard", "1/2", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert sorted(p.parent.name for p in (tmp_path / "s1").glob("*/compliance.json")) == [
        "org__svc1",
        "org__svc3",
    ]


def test_scan_failures_set_the_exit_status_and_are_named(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        f"guide: {ROOT / 'mkdocs.yml'}\nrepositories:\n  - name: org/gone\n    path: nowhere\n",
        "utf-8",
    )
    done = checklists("scan", fleet, "--out", tmp_path / "out", "--progress", "quiet")
    assert done.returncode == 1
    assert "scan: org/gone: the repository folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_progress_in_a_log_is_a_line_per_tenth_with_time_left() -> None:
    stream = io.StringIO()
    progress = scan.Progress(37, stream=stream, mode="auto")  # a StringIO is not a terminal
    for number in range(37):
        progress.update(scan.Result(f"r{number}", ok=number != 2, seconds=0.1))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("scan: 4/37 checked, 1 failed, ") and lines[0].endswith(" left")
    assert lines[-1] == "scan: 37/37 checked, 1 failed"


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    stream = io.StringIO()
    progress = scan.Progress(3, stream=stream, mode="live")
    for number in range(3):
        progress.update(scan.Result(f"r{number}", ok=True, seconds=0.1))
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r\x1b[K") and text.endswith("scan: 3/3 checked, 0 failed\n")
    assert "\n" not in text[:-1]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("repositories: []\nextra: 1\n", "unknown key"),
        ("repositories:\n  - name: a\n", "exactly one of 'path' and 'git'"),
        ("repositories:\n  - path: x\n", "needs a 'name'"),
        ("repositories:\n  - {name: a, path: x, colour: red}\n", "unknown key(s) colour"),
        ("repositories:\n  - {name: a, path: x}\n  - {name: a, path: y}\n", "listed twice"),
        ("repositories:\n  - {name: a, git: x, ref: '--upload-pack=evil'}\n", "not a branch"),
        ("repositories:\n  - {name: a, git: '--upload-pack=evil'}\n", "repository URL"),
        ("repositories:\n  - {discover: nowhere}\n", "does not exist"),
        ("[1, 2", "not valid YAML"),
    ],
)
def test_a_mistake_in_the_fleet_file_is_named(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml_text, "utf-8")
    with pytest.raises(SetupError, match=message.replace("(", r"\(").replace(")", r"\)")) as raised:
        fleetfile.read(path)
    assert str(path) in str(raised.value)


def test_discovered_repositories_take_their_image_from_a_services_file(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / "repos" / name).mkdir(parents=True)
    (tmp_path / "services.yaml").write_text(
        "a:\n  - dockerfile: build/Dockerfile\n    context: .\n    target: prod\n"
        "    why: CI builds it\n",
        "utf-8",
    )
    (tmp_path / "fleet.yaml").write_text(
        "repositories:\n  - {discover: repos, teams: [x], services: services.yaml}\n", "utf-8"
    )
    entries = fleetfile.read(tmp_path / "fleet.yaml").entries
    assert [(e.name, e.dockerfile, e.context, e.target, e.teams) for e in entries] == [
        ("a", "build/Dockerfile", ".", "prod", ("x",)),
        ("b", None, None, None, ("x",)),
    ]


def test_workers_are_replaced_so_memory_stays_flat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "TASKS_PER_WORKER", 1)
    jobs = [job_for(tmp_path, fleetfile.Entry(f"r{n}", path=tmp_path)) for n in range(4)]
    quiet = scan.Progress(len(jobs), mode="quiet")
    results = scan.run_jobs(jobs, workers=2, progress=quiet, check=_pid_of)
    pids = {result.name for result in results}
    assert len(pids) == 4
    assert str(os.getpid()) not in pids


def test_an_environment_gets_its_own_dockerfile_when_one_of_its_name_is_beside(
    tmp_path: Path,
) -> None:
    # The guide's 開発 is backend/Dockerfile.dev: a repository with a Dockerfile.dev beside
    # its Dockerfile is judged by it, not by the production Dockerfile.
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text("FROM scratch\n", "utf-8")
    (tmp_path / "api" / "Dockerfile.dev").write_text("FROM scratch\n", "utf-8")
    job = job_for(tmp_path, fleetfile.Entry("org/x", path=tmp_path))
    environments = scan.repository_options(job, tmp_path)["environments"]
    assert environments["開発"]["dockerfile"] == "api/Dockerfile.dev"
    assert environments["本番"]["dockerfile"] == "api/Dockerfile"
    assert {env["context"] for env in environments.values()} == {"api"}
