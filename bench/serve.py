"""Serve: rebuilds with the result cache that `mkdocs serve` keeps, in this process.

The 1x generated site is evaluated with one `RecordingCache`, as the plugin's on_files does
on each serve rebuild (a fresh Target per rebuild, the cache kept), every target being a
`CountingTarget`:
1. the first build (cache empty);
2. a rebuild with nothing changed;
3. a rebuild after one Dockerfile changed: the one that the most evaluations asked for in
   build 1, with `USER root` appended (so some verdicts must change). Which evaluations
   asked for it (read or parse, from the target's caches or not) was recorded in build 1,
   so the number that must re-run is known before the edit; the number the engine's own
   probes predicted is shown next to it.
After 3, the same tree is evaluated once more without any cache; every item whose outcome
(status, summary, value) differs from rebuild 3's is a stale result the cache served.
The edited file is restored at the end. For each rebuild: wall time of collect + evaluate,
`Run.evaluations` (checks that ran) and `Run.reused` (results kept).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bench.corpus import Site
from bench.inprocess import (
    RecordingCache,
    counting,
    read_pages,
    site_settings,
    timed_evaluation,
)
from checklists.core.engine import Run, Settings

EDIT = b"\nUSER root\n"


@dataclass(frozen=True, slots=True)
class Rebuild:
    label: str
    seconds: float
    evaluations: int
    reused: int
    errors: int


@dataclass(frozen=True, slots=True)
class Serve:
    rebuilds: list[Rebuild]
    edited: str  # the target path of the edited Dockerfile
    asked_for_edited: int  # evaluations that asked for it in the first build
    probed_edited: int  # evaluations whose recorded probes include its content
    stale: int  # items whose outcome after the edit differs from a build without cache
    fresh_seconds: float  # that build without cache

    def by_label(self, label: str) -> Rebuild:
        return next(r for r in self.rebuilds if r.label == label)


def outcomes(run: Run) -> list[tuple[str, str, str | None]]:
    return [
        (r.outcome.status.value, r.outcome.summary, r.outcome.value) if r.outcome else ("", "", "")
        for r in run.results
    ]


def measure(site: Site) -> Serve:
    cache = RecordingCache()
    settings, docs = site_settings(site.config, cache)
    # The recording cache and the CountingTarget observe in this process: run the checks
    # here rather than in the engine's worker process.
    settings = replace(settings, isolate=False)
    pages = read_pages(docs)
    rebuilds: list[Rebuild] = []

    def rebuild(label: str, using: Settings) -> Run:
        with counting():
            seconds, run, log = timed_evaluation(pages, using)
        rebuilds.append(Rebuild(label, seconds, run.evaluations, run.reused, len(log.errors)))
        return run

    rebuild("first build", settings)
    rebuild("no change", settings)
    edited = max(site.dockerfiles, key=lambda p: (len(cache.by_requests.get(p, ())), p))
    asked = len(cache.by_requests.get(edited, ()))
    probed = len(cache.by_probes.get(edited, ()))
    path = site.target / edited
    original = path.read_bytes()
    try:
        path.write_bytes(original + EDIT)
        served = rebuild("one Dockerfile edited", settings)
        with counting():
            fresh_s, fresh, _ = timed_evaluation(pages, replace(settings, cache=None))
    finally:
        path.write_bytes(original)
    stale = sum(a != b for a, b in zip(outcomes(served), outcomes(fresh), strict=True))
    return Serve(rebuilds, edited, asked, probed, stale, fresh_s)
