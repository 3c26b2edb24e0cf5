"""Benchmark of the fleet: `.venv/bin/python bench/fleet.py [--quick] [--out FILE] [--keep]`.

Method. Generated repositories (seed 20261128; `bench/corpus.py` draws each one's
Dockerfile and build context, the same kinds as the scale benchmark: Python, Node or Go,
single or multi-stage, USER by name/number/ARG/root/none, HEALTHCHECK variants, with or
without `.dockerignore`) are made to vary in size: the Dockerfile at the root or in a
folder, 0 to ~500 more files (source, docs, fixtures; log-uniform, so most are small and a
few are large), sometimes a CI workflow and a Compose file. A fleet file lists the first N of
them; for each N (250, 1,000 and 4,000; --quick: 50, 100, 200):

1. `checklists scan` with a process pool (one worker per CPU), a child process timed from
   spawn to reap: seconds per repository (wall and CPU, the CPU summed over the workers)
   and the peak RSS of the largest process (`ru_maxrss` of the reaped child covers its
   waited-for workers).
2. `checklists aggregate` of the N reports (one per repository): build time, peak RSS, the
   site's size and page count, the largest HTML page and the matrix data file.
3. With history: the same N reports dated on four weeks (copies with other dates in their
   provenance), so 4N reports with trends: build time and size.

Growth per step (N x4) is reported as time ratio / size ratio: 1.0 is linear. Nothing is
estimated: every number is measured in this run on this machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import SEED, context_files, dockerfile, draw
from bench.timing import PYTHON, checked, environment, run_child

ROOT = Path(__file__).resolve().parents[1]
SIZES = (250, 1000, 4000)
QUICK = (50, 100, 200)
TEAMS = ("payments", "search", "identity", "data", "platform", "mobile-api", "growth", "infra")
WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: {context}
          file: {dockerfile}
          push: ${{{{ github.event_name != 'pull_request' }}}}
          cache-from: type=gha
          cache-to: type=gha,mode=max
"""
COMPOSE = """\
services:
  app:
    build: {context}
    ports: ["8000:8000"]
    deploy:
      resources:
        limits: {{memory: 512M, cpus: "1"}}
"""


def cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write_repository(folder: Path, number: int, rng: random.Random) -> tuple[str, str]:
    """One repository; returns (its team, the path of its Dockerfile)."""
    choices = draw(rng)
    context = "." if rng.random() < 0.6 else rng.choice(("app", "backend", "services/api"))
    files = context_files(choices, rng)
    files["Dockerfile"] = dockerfile(choices, f"repo-{number:05d}")
    for rel, text in files.items():
        path = folder / context / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    extra = int(rng.lognormvariate(2.5, 1.2)) if rng.random() < 0.9 else 0
    for index in range(min(extra, 500)):
        kind = rng.choice(("src", "docs", "tests/fixtures", "scripts"))
        path = folder / kind / f"m{index // 40}" / f"f{index}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"generated file {index}\n" * rng.randint(1, 40), "utf-8")
    dockerfile_path = "Dockerfile" if context == "." else f"{context}/Dockerfile"
    if rng.random() < 0.5:
        workflow = folder / ".github" / "workflows" / "ci.yml"
        workflow.parent.mkdir(parents=True, exist_ok=True)
        workflow.write_text(WORKFLOW.format(context=context, dockerfile=dockerfile_path), "utf-8")
    if rng.random() < 0.3:
        (folder / "compose.yaml").write_text(COMPOSE.format(context=context), "utf-8")
    return rng.choice(TEAMS), dockerfile_path


def generate(root: Path, count: int) -> list[tuple[str, str, str]]:
    """`count` repositories under root/repos: (name, team, dockerfile) each."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    made = []
    for number in range(count):
        name = f"org/service-{number:05d}"
        team, path = write_repository(root / "repos" / f"service-{number:05d}", number, rng)
        made.append((name, team, path))
    return made


def fleet_file(root: Path, repositories: list[tuple[str, str, str]], size: int) -> Path:
    lines = [f"guide: {ROOT / 'mkdocs.yml'}", "repositories:"]
    for name, team, path in repositories[:size]:
        folder = root / "repos" / name.split("/", 1)[1]
        lines += [f"  - name: {name}", f"    path: {folder}", f"    teams: [{team}]"]
        lines += [f"    dockerfile: {path}"]
    fleet = root / f"fleet-{size}.yaml"
    fleet.write_text("\n".join(lines) + "\n", "utf-8")
    return fleet


@dataclass
class Row:
    size: int
    scan_seconds: float
    scan_cpu_seconds: float
    scan_seconds_per_repository: float
    scan_cpu_per_repository: float
    scan_peak_rss_mib: float
    aggregate_seconds: float
    aggregate_cpu_seconds: float
    aggregate_peak_rss_mib: float
    site_mib: float
    pages: int
    largest_page_kib: float
    largest_page: str
    matrix_data_kib: float
    history_reports: int
    history_seconds: float
    history_cpu_seconds: float
    history_site_mib: float
    load_before: float
    load_after: float


def site_numbers(site: Path) -> tuple[float, int, float, str, float]:
    total = pages = largest = 0
    largest_name = ""
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path.suffix == ".html":
            pages += 1
            if size > largest:
                largest, largest_name = size, path.relative_to(site).as_posix()
    data = max((p.stat().st_size for p in site.glob("matrix/*/data.js")), default=0)
    return total / 2**20, pages, largest / 1024, largest_name, data / 1024


def with_history(reports: Path, into: Path, weeks: int = 4) -> int:
    """The reports of one scan copied onto `weeks` dates (their provenance re-dated)."""
    count = 0
    for meta in sorted(reports.glob("*/compliance.meta.json")):
        document = json.loads(meta.read_text("utf-8"))
        for week in range(weeks):
            folder = into / meta.parent.name / f"week-{week}"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(meta.parent / "compliance.json", folder / "compliance.json")
            document["generated"] = f"2026-11-{2 + 7 * week:02d}T05:00:00Z"
            (folder / "compliance.meta.json").write_text(json.dumps(document), "utf-8")
            count += 1
    return count


def measure(root: Path, sizes: tuple[int, ...], jobs: int) -> list[Row]:
    repositories = generate(root, max(sizes))
    env = environment(SOURCE_DATE_EPOCH="1764316800")
    # Measure an installation as users have it: with its bytecode cached after the first run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = []
    for size in sizes:
        load_before = os.getloadavg()[0]
        fleet = fleet_file(root, repositories, size)
        out, site = root / f"reports-{size}", root / f"site-{size}"
        argv = [PYTHON, "-m", "checklists", "scan", str(fleet), "--out", str(out)]
        scan = checked(
            run_child([*argv, "--jobs", str(jobs), "--progress", "quiet"], env=env, cwd=ROOT),
            (0,),
            f"scan of {size}",
        )
        argv = [PYTHON, "-m", "checklists", "aggregate", str(out), "--fleet", str(fleet)]
        built = checked(
            run_child(
                [*argv, "--site", str(site), "--jobs", str(jobs), "--quiet"], env=env, cwd=ROOT
            ),
            (0,),
            f"aggregate of {size}",
        )
        mib, pages, largest, largest_name, data = site_numbers(site)
        history = root / f"history-{size}"
        reports = with_history(out, history)
        argv = [PYTHON, "-m", "checklists", "aggregate", str(history)]
        argv += ["--site", str(root / f"site-history-{size}"), "--jobs", str(jobs), "--quiet"]
        dated = checked(run_child(argv, env=env, cwd=ROOT), (0,), f"history of {size}")
        history_mib = site_numbers(root / f"site-history-{size}")[0]
        rows.append(
            Row(
                size=size,
                scan_seconds=scan.seconds,
                scan_cpu_seconds=scan.cpu_seconds,
                scan_seconds_per_repository=scan.seconds / size,
                scan_cpu_per_repository=scan.cpu_seconds / size,
                scan_peak_rss_mib=scan.max_rss_kib / 1024,
                aggregate_seconds=built.seconds,
                aggregate_cpu_seconds=built.cpu_seconds,
                aggregate_peak_rss_mib=built.max_rss_kib / 1024,
                site_mib=mib,
                pages=pages,
                largest_page_kib=largest,
                largest_page=largest_name,
                matrix_data_kib=data,
                history_reports=reports,
                history_seconds=dated.seconds,
                history_cpu_seconds=dated.cpu_seconds,
                history_site_mib=history_mib,
                load_before=load_before,
                load_after=os.getloadavg()[0],
            )
        )
        print(_row(rows[-1]), flush=True)
        shutil.rmtree(history, ignore_errors=True)
    return rows


def _row(row: Row) -> str:
    return (
        f"{row.size:>5} repos | scan {row.scan_seconds:7.1f} s = "
        f"{row.scan_seconds_per_repository:.3f} s/repo (CPU {row.scan_cpu_per_repository:.3f}), "
        f"peak {row.scan_peak_rss_mib:.0f} MiB | aggregate {row.aggregate_seconds:6.2f} s "
        f"(CPU {row.aggregate_cpu_seconds:.2f}), peak {row.aggregate_peak_rss_mib:.0f} MiB, "
        f"site {row.site_mib:.1f} MiB in {row.pages} pages, largest page "
        f"{row.largest_page_kib:.0f} KiB ({row.largest_page}), matrix data "
        f"{row.matrix_data_kib:.0f} KiB | history {row.history_reports} reports "
        f"{row.history_seconds:.2f} s (CPU {row.history_cpu_seconds:.2f}), "
        f"{row.history_site_mib:.1f} MiB | load {row.load_before:.1f} -> {row.load_after:.1f}"
    )


def growth(rows: list[Row]) -> list[str]:
    def per(large: float, small: float, big_n: int, small_n: int) -> float:
        return (large / big_n) / (small / small_n)

    lines = []
    for small, large in itertools.pairwise(rows):
        n, m = large.size, small.size
        memory = large.aggregate_peak_rss_mib / small.aggregate_peak_rss_mib
        lines.append(
            f"{m:,} -> {n:,} (x{n / m:g}), per repository or report (1.00 = linear): scan wall "
            f"x{per(large.scan_seconds, small.scan_seconds, n, m):.2f}, CPU "
            f"x{per(large.scan_cpu_seconds, small.scan_cpu_seconds, n, m):.2f}; aggregate wall "
            f"x{per(large.aggregate_seconds, small.aggregate_seconds, n, m):.2f}, CPU "
            f"x{per(large.aggregate_cpu_seconds, small.aggregate_cpu_seconds, n, m):.2f}; "
            f"site size x{per(large.site_mib, small.site_mib, n, m):.2f}; history CPU "
            f"x{per(large.history_cpu_seconds, small.history_cpu_seconds, n, m):.2f}; "
            f"aggregate peak memory x{memory:.2f} in all"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="50/100/200 repositories")
    parser.add_argument("--sizes", help="comma-separated fleet sizes (default 250,1000,4000)")
    parser.add_argument("--jobs", type=int, default=cpus(), help="scan and aggregate processes")
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SIZES
    sizes = QUICK if args.quick else sizes
    root = Path(tempfile.mkdtemp(prefix="checklists-fleet-bench-"))
    shown = ", ".join(map(str, sizes))
    print(f"fleet benchmark: sizes {shown}, {args.jobs} process(es), in {root}")
    try:
        rows = measure(root, sizes, args.jobs)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    for line in growth(rows):
        print(line)
    if args.out:
        args.out.write_text(
            json.dumps({"jobs": args.jobs, "rows": [asdict(r) for r in rows]}, indent=2) + "\n",
            "utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
