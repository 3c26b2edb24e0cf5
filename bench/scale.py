"""Scale: generated sites at 1x, 2x and 4x, built with and without the plugin.

For each size the generator (corpus.py, fixed seed) writes a site and its target into a
fresh folder. `mkdocs build` runs as a child with the plugin, with
`CHECKLISTS_ENABLED=false`, and with the plugin removed from mkdocs.yml (overhead.py), one
warm-up of each discarded, then round by round over every size and mode (so drift during
the minutes of a run hits every size alike); the medians,
the children's peak RSS, and the `run` section of the site's compliance.json (reads,
parses, evaluations) are kept. Then the same site is evaluated once in this process with a
`CountingTarget`, which counts the distinct files read and the distinct (file, parser) pairs
the checks asked for: "each file parsed exactly once" means compliance.json's
`files_parsed` equals that number of pairs (and `files_read` the number of files).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.corpus import Site, Size, scale_site
from bench.inprocess import counting, read_pages, site_settings, timed_evaluation
from bench.overhead import BASIC_MODES, Build, Configs, builds_of
from bench.timing import median


@dataclass(frozen=True, slots=True)
class Point:
    """One size of the scale benchmark."""

    factor: int
    size: Size
    on: Build
    off: Build
    none: Build  # the same site, the plugin removed from mkdocs.yml
    distinct_evaluations: int  # distinct (check, params) pairs bound
    distinct_files_read: int  # counted in-process by CountingTarget
    distinct_pairs: int  # distinct (file, parser) pairs asked for, counted in-process
    inprocess_runs: list[float]  # collect + evaluate in this process, imports done
    inprocess_cpu_runs: list[float]  # the same runs' CPU time (this process, all threads)
    inprocess_errors: int  # checks that raised or timed out (must be 0)

    @property
    def inprocess_s(self) -> float:
        return median(self.inprocess_runs)

    @property
    def inprocess_cpu(self) -> float:
        return median(self.inprocess_cpu_runs)

    @property
    def added(self) -> float:
        return self.on.median - self.off.median

    @property
    def added_fastest(self) -> float:
        return self.on.fastest - self.off.fastest


def measure_point(
    site: Site, size: Size, factor: int, result: dict[str, Build], runs: int
) -> Point:
    """The in-process counts and evaluation of one size, with its builds' timings."""
    settings, docs = site_settings(site.config)
    # The CountingTarget counts in this process: the checks must run here, not in the
    # engine's worker process (the builds above measure that one).
    settings = replace(settings, isolate=False)
    pages = read_pages(docs)
    with counting() as opened:
        _, run, log = timed_evaluation(pages, settings)
    (target,) = opened
    # Timed apart from the counting run (its CountingTarget adds work): the steadier figure
    # the growth is judged on, as the builds' wall times swing with the shared machine.
    seconds, cpu = [], []
    for _ in range(runs):
        started = time.process_time()
        seconds.append(timed_evaluation(pages, settings)[0])
        cpu.append(time.process_time() - started)
    return Point(
        factor=factor,
        size=size,
        on=result["on"],
        off=result["off"],
        none=result["none"],
        distinct_evaluations=run.evaluations,
        distinct_files_read=len(target.read_ok),
        distinct_pairs=len(target.pairs),
        inprocess_runs=seconds,
        inprocess_cpu_runs=cpu,
        inprocess_errors=len(log.errors),
    )


def measure(work: Path, base: Size, factors: tuple[int, ...], runs: int) -> list[Point]:
    """All sizes built round by round (see `builds_of`), then each counted in-process."""
    generated = {f: scale_site(work / f"scale-{f}x", base.times(f)) for f in factors}
    sites = {
        str(factor): (Configs(site.config, site.config_without), site.config.parent)
        for factor, site in generated.items()
    }
    results = builds_of(sites, runs, BASIC_MODES)
    return [
        measure_point(site, base.times(factor), factor, results[str(factor)], max(3, runs))
        for factor, site in generated.items()
    ]
