"""A central scan: `checklists check` over every repository of a fleet, on a process pool.

`check_repository` is the one place that knows how to check one repository: it writes a
site configuration for it (the guide's own options, aimed at the repository, with its
Dockerfile as the default) and runs `checklists check --format json` in the worker process
(the check library is imported once per worker, not once per repository; a worker is
replaced after `TASKS_PER_WORKER` repositories, so memory stays flat). When the
zero-configuration `checklists check PATH` exists, only `check_command` changes.

Each repository's report goes to OUT/<slug>/compliance.json with its provenance beside it
(compliance.meta.json); a repository that cannot be checked gets OUT/<slug>/scan-error.json
with the reason, which `checklists aggregate` lists. OUT/scan.json identifies the run: with
`--resume` a run that was interrupted (Ctrl-C, SIGTERM, a preempted runner) goes on with the
repositories it had not finished, and redoes none that it had.

No scheduler of its own: one machine uses a process pool; many machines each take a shard
(`--shard I/N`, see `shard.py`) from a GitHub Actions matrix or a Kubernetes Indexed Job,
and `checklists aggregate` reads all their outputs.

Progress goes to stderr: on a terminal one line that updates (done/total, failures so far,
time left); in a CI log (not a terminal) a line at every tenth of the run and nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

import yaml

from checklists.cli import main as cli
from checklists.core.errors import SetupError
from checklists.core.files import write_atomic
from checklists.core.i18n import language
from checklists.core.registry import load_packages
from checklists.core.siteconfig import plugin_options, site_options
from checklists.fleet.fleetfile import Entry, FleetFile
from checklists.fleet.model import slugs_for
from checklists.fleet.records import REPORT_NAME, SCAN_ERROR_NAME, meta_path, parse_time
from checklists.fleet.stamp import meta, now, write_meta

STATE_NAME = "scan.json"
CONFIG_NAME = "checklists.yml"  # the site configuration a repository was checked with
CLONE_TIMEOUT = 600.0
# A worker is replaced after this many repositories: the check library's caches (bounded
# LRUs) and anything a check keeps go with it, so memory stays flat over any fleet, for the
# cost of importing the checks again (about 1% of the time of 500 repositories).
TASKS_PER_WORKER = 500
# Environment a per-repository check must not inherit: a target that would replace every
# repository's, and GitHub Actions' annotations and job summary (one per repository).
_ISOLATED_ENV = ("CHECKLISTS_TARGET", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")
_DOCKERFILE_NAMES = ("Dockerfile", "Containerfile")
_SKIP_FOLDERS = frozenset({".git", "node_modules", "vendor", "__pycache__", ".venv"})


@dataclass(frozen=True, slots=True)
class Guide:
    """The site whose guide judges every repository: its options, docs and language."""

    config: Path
    docs: Path
    options: Mapping[str, Any]
    lang: str

    @classmethod
    def read(cls, config: Path) -> Guide:
        config = config.resolve()
        site = site_options(config)
        options = plugin_options(config)
        docs = config.parent / str(site.get("docs_dir") or "docs")
        if not docs.is_dir():
            raise SetupError(f"the guide's docs folder {docs} does not exist ({config})")
        theme = site.get("theme")
        lang = language(str(theme.get("language", "ja")) if isinstance(theme, dict) else "ja")
        return cls(config, docs, options, lang)


@dataclass(frozen=True, slots=True)
class Job:
    entry: Entry
    guide: Guide
    out: Path  # this repository's folder under OUT
    generated: str  # ISO time of the run: every report of a run is dated alike
    checks: str
    run: str
    workdir: Path | None = None  # where clones go


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    ok: bool
    seconds: float
    reason: str | None = None
    fails: int | None = None


# -- one repository ----------------------------------------------------------------------


def find_dockerfile(root: Path) -> str | None:
    """The repository's Dockerfile when nothing says which: `Dockerfile` (or
    `Containerfile`) at the root, else the shallowest one, by name. Variants such as
    `Dockerfile.prod` and `api.Dockerfile` count; `*.dockerignore` files do not."""
    for name in _DOCKERFILE_NAMES:
        if (root / name).is_file():
            return name
    found: list[tuple[int, str]] = []
    for folder, directories, files in os.walk(root):
        directories[:] = sorted(d for d in directories if d not in _SKIP_FOLDERS)
        for name in files:
            lower = name.lower()
            if lower.endswith(".dockerignore"):
                continue
            if (
                lower in ("dockerfile", "containerfile")
                or lower.startswith(("dockerfile.", "containerfile."))
                or lower.endswith(".dockerfile")
            ):
                relative = (Path(folder) / name).relative_to(root)
                found.append((len(relative.parts), relative.as_posix()))
    return min(found)[1] if found else None


def repository_options(job: Job, root: Path) -> dict[str, Any]:
    """The guide's plugin options aimed at one repository: its Dockerfile and context as
    defaults and for every environment the guide's tables name (an environment's own
    Dockerfile where one of the guide's name for it is beside it, see `_beside`)."""
    entry = job.entry
    dockerfile = entry.dockerfile or find_dockerfile(root)
    options = dict(job.guide.options)
    options["target"] = str(root)
    defaults = dict(options.get("defaults") or {})
    if dockerfile is not None:
        context = entry.context or (Path(dockerfile).parent.as_posix() or ".")
        context = "." if context in ("", ".") else context
        defaults.update(
            dockerfile=dockerfile,
            context=context,
            # Dependabot names the folder of the Dockerfile from the repository root.
            directory="/" if context == "." else "/" + context.strip("./"),
        )
        environments = {}
        for name, settings in dict(options.get("environments") or {}).items():
            given = dict(settings or {})
            kept = {k: v for k, v in given.items() if k not in ("dockerfile", "context", "image")}
            own = _beside(root, dockerfile, given.get("dockerfile"))
            environments[name] = {**kept, "dockerfile": own, "context": context}
        options["environments"] = environments
    else:
        defaults.pop("dockerfile", None)
    if entry.target:
        defaults["target"] = entry.target
    defaults.update(entry.defaults)
    options["defaults"] = defaults
    return options


def _beside(root: Path, dockerfile: str, named: object) -> str:
    """The environment's own Dockerfile when the repository has one of the name the guide
    gives it beside its Dockerfile (the guide's 開発 is a `Dockerfile.dev`), else the
    repository's Dockerfile."""
    if not isinstance(named, str) or not named:
        return dockerfile
    sibling = (Path(dockerfile).parent / PurePosixPath(named).name).as_posix()
    if sibling != dockerfile and (root / sibling).is_file():
        return sibling
    return dockerfile


def check_command(config: Path, root: Path, output: Path) -> list[str]:
    """The command line that checks one repository (the only place to change for a
    zero-configuration `checklists check PATH`)."""
    return [
        "check",
        "--config",
        str(config),
        "--target",
        str(root),
        "--format",
        "json",
        "--output",
        str(output),
        "--quiet",
    ]


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in _ISOLATED_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _clone(entry: Entry, into: Path) -> tuple[Path, str | None]:
    assert entry.git is not None
    command = ["git", "clone", "--quiet", "--depth", "1"]
    if entry.ref:
        command += ["--branch", entry.ref]
    command += ["--", entry.git, str(into)]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        subprocess.run(  # noqa: S603 - fixed argv; URL and ref were checked by the fleet file
            command, check=True, capture_output=True, text=True, timeout=CLONE_TIMEOUT, env=env
        )
    except subprocess.CalledProcessError as error:
        raise SetupError(f"git clone {entry.git} failed: {error.stderr.strip()[-500:]}") from error
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SetupError(f"git clone {entry.git} failed: {error}") from error
    return into, _commit(into)


def _commit(root: Path) -> str | None:
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv
            ["git", "-C", str(root), "rev-parse", "HEAD"],  # noqa: S607 - git from PATH
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _clear(out: Path) -> None:
    for name in (REPORT_NAME, meta_path(out / REPORT_NAME).name, SCAN_ERROR_NAME, CONFIG_NAME):
        (out / name).unlink(missing_ok=True)


def _fail(job: Job, started: float, reason: str) -> Result:
    document = {"repository": job.entry.name, "reason": reason, "run": job.run}
    write_atomic(job.out / SCAN_ERROR_NAME, json.dumps(document, ensure_ascii=False) + "\n")
    return Result(job.entry.name, False, time.monotonic() - started, reason)


def check_repository(job: Job) -> Result:
    """Check one repository and write its report and provenance (or why it failed)."""
    started = time.monotonic()
    entry = job.entry
    job.out.mkdir(parents=True, exist_ok=True)
    _clear(job.out)
    with tempfile.TemporaryDirectory(prefix="checklists-scan-", dir=job.workdir) as scratch:
        try:
            if entry.git:
                root, commit = _clone(entry, Path(scratch) / "repository")
            else:
                assert entry.path is not None
                root, commit = entry.path.resolve(), _commit(entry.path)
            if not root.is_dir():
                raise SetupError(f"the repository folder {root} does not exist")
            if entry.config:
                config = (root / entry.config).resolve()
                if not config.is_relative_to(root) or not config.is_file():
                    raise SetupError(f"config {entry.config!r} is not a file in the repository")
            else:
                # Kept beside the report: it says exactly how the repository was checked,
                # and `checklists check --config` on it checks it again.
                config = job.out / CONFIG_NAME
                document = {
                    "site_name": entry.name,
                    "docs_dir": str(job.guide.docs),
                    "theme": {"name": "material", "language": job.guide.lang},
                    "plugins": [{"checklists": repository_options(job, root)}],
                }
                write_atomic(config, yaml.safe_dump(document, allow_unicode=True))
            output = job.out / REPORT_NAME
            captured = io.StringIO()
            with (
                _isolated(),
                contextlib.redirect_stdout(captured),
                contextlib.redirect_stderr(captured),
            ):
                status = cli.main(check_command(config, root, output))
        except SetupError as error:
            return _fail(job, started, str(error))
        except Exception as error:  # noqa: BLE001 - one repository never stops the fleet
            return _fail(job, started, f"{type(error).__name__}: {error}")
        if status == cli.EXIT_USAGE or not output.is_file():
            lines = [line for line in captured.getvalue().splitlines() if line.strip()]
            return _fail(job, started, "; ".join(lines[-3:]) or f"checklists check exited {status}")
    write_meta(
        output,
        meta(
            entry.name,
            parse_time(job.generated) or now(),
            job.checks,
            teams=entry.teams,
            commit=commit,
            run=job.run,
        ),
    )
    return Result(entry.name, True, time.monotonic() - started, fails=status)


# -- progress ----------------------------------------------------------------------------


@dataclass
class Progress:
    """done/total, failures so far and time left: a live line on a terminal, a line per
    tenth in a log, nothing when quiet."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    mode: str = "auto"  # auto | live | log | quiet
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    _shown: float = 0.0
    _tenth: int = 0

    def __post_init__(self) -> None:
        if self.mode == "auto":
            self.mode = "live" if self.stream.isatty() else "log"

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        left = ""
        if 0 < self.done < self.total:
            seconds = elapsed / self.done * (self.total - self.done)
            left = f", {_duration(seconds)} left"
        return f"scan: {self.done}/{self.total} checked, {self.failed} failed{left}"

    def update(self, result: Result) -> None:
        self.done += 1
        self.failed += 0 if result.ok else 1
        if self.mode == "live":
            now = time.monotonic()
            if now - self._shown >= 0.2 or self.done == self.total:
                self._shown = now
                self.stream.write("\r\033[K" + self.line())
                self.stream.flush()
        elif self.mode == "log" and self.total:
            tenth = self.done * 10 // self.total
            if tenth > self._tenth:
                self._tenth = tenth
                print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.mode == "live":
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


# -- the run -----------------------------------------------------------------------------


class ScanInterruptedError(Exception):
    """The run was stopped; what finished is written and `--resume` goes on from there."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted after {done} of {total} repositories")
        self.done, self.total = done, total


def _worker_init(packages: Sequence[str]) -> None:
    # Ctrl-C reaches the whole process group; the main process decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_packages(list(packages))


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int,
    progress: Progress,
    check: Callable[[Job], Result] = check_repository,
    packages: Sequence[str] = ("checks",),
) -> list[Result]:
    """Run every job, `workers` at a time in worker processes (1: in this process)."""
    results: list[Result] = []
    if workers <= 1:
        try:
            for job in jobs:
                results.append(check(job))
                progress.update(results[-1])
        except KeyboardInterrupt:
            raise ScanInterruptedError(len(results), len(jobs)) from None
        return results
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(tuple(packages),),
        max_tasks_per_child=TASKS_PER_WORKER,
    )
    pending: dict[Future[Result], Job] = {}
    queue = list(reversed(jobs))
    try:
        while queue or pending:
            # A few jobs ahead per worker: memory stays flat, and a stop cancels little.
            while queue and len(pending) < workers * 4:
                job = queue.pop()
                pending[pool.submit(check, job)] = job
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                job = pending.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a dead worker fails its jobs only
                    result = _fail(job, time.monotonic(), f"the worker process failed: {error}")
                results.append(result)
                progress.update(result)
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        raise ScanInterruptedError(len(results), len(jobs)) from None
    pool.shutdown(wait=True)
    return results


def run_id(fleet: FleetFile, checks: str, generated: str, shard: str) -> str:
    digest = hashlib.sha256(fleet.path.read_bytes())
    digest.update(f"\0{checks}\0{generated}\0{shard}".encode())
    return digest.hexdigest()[:16]


def finished(job: Job) -> bool:
    """Whether this run already wrote the repository's report (so resume skips it)."""
    try:
        document = json.loads(meta_path(job.out / REPORT_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(document, dict)
        and document.get("run") == job.run
        and (job.out / REPORT_NAME).is_file()
    )


@dataclass(frozen=True, slots=True)
class Plan:
    jobs: list[Job]  # still to do
    skipped: int  # finished by the run being resumed
    state: dict[str, Any]


def plan(
    fleet: FleetFile,
    entries: Sequence[Entry],
    out: Path,
    *,
    checks: str,
    generated: str,
    shard: str,
    resume: bool,
    workdir: Path | None = None,
) -> Plan:
    """The jobs of a run, or of the run being resumed in `out`."""
    guide = Guide.read(fleet.guide)
    state_file = out / STATE_NAME
    fleet_hash = hashlib.sha256(fleet.path.read_bytes()).hexdigest()
    if state_file.exists():
        if not resume:
            raise SetupError(
                f"{out} holds an earlier scan ({STATE_NAME}); pass --resume to finish it, "
                "or choose an empty folder"
            )
        try:
            state = json.loads(state_file.read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise SetupError(f"cannot read {state_file}: {error}") from error
        for key, value in (("fleet_sha256", fleet_hash), ("checks", checks), ("shard", shard)):
            if state.get(key) != value:
                raise SetupError(
                    f"cannot resume the scan in {out}: its {key} was {state.get(key)!r}, "
                    f"now {value!r}; start a new scan in another folder"
                )
        generated = str(state["generated"])
    elif any(out.iterdir()) if out.is_dir() else False:
        raise SetupError(f"{out} is not empty and holds no scan; choose an empty folder")
    run = run_id(fleet, checks, generated, shard)
    state = {
        "schema_version": 1,
        "fleet": str(fleet.path),
        "fleet_sha256": fleet_hash,
        "checks": checks,
        "generated": generated,
        "run": run,
        "shard": shard,
        "repositories": len(entries),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(state_file, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
    slugs = slugs_for(entry.name for entry in fleet.entries)
    jobs = [
        Job(entry, guide, out / slugs[entry.name], generated, checks, run, workdir)
        for entry in sorted(entries, key=lambda e: e.name)
    ]
    todo = [job for job in jobs if not (resume and finished(job))]
    return Plan(todo, len(jobs) - len(todo), state)
