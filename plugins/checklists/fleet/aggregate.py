"""`checklists aggregate`: many compliance.json files -> one fleet site.

Reads every report (files, or folders searched for compliance.json), validates each against
the engine's schema, and builds the site (`site.py`). A report that cannot be used is listed
with its reason and the rest go on; a repository of the fleet file without a report is
listed too. Reading is one pass over the files keeping a compact record per report; the
pages of the repositories read their report once more, in worker processes for a large fleet.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from checklists.core.errors import SetupError
from checklists.core.registry import REGISTRY, load_packages
from checklists.fleet import fleetfile, model, records, site


@dataclass(frozen=True, slots=True)
class Summary:
    fleet: model.Fleet
    stats: site.Stats
    seconds: float
    read_seconds: float


def severities(packages: Sequence[str]) -> dict[str, str]:
    """Check id -> severity from the installed check library (reports do not carry it)."""
    load_packages(list(packages))
    return {spec.id: spec.severity for spec in REGISTRY}


_worker_guides = records.Guides()


def _load_one(item: records.Found, teams: Mapping[str, tuple[str, ...]]) -> object:
    return records.load(item, _worker_guides, teams)


def read_reports(
    arguments: Sequence[Path],
    teams: Mapping[str, tuple[str, ...]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    parallel_above: int = 200,
) -> records.Loaded:
    """Every report, validated; in worker processes when there are many (each report is
    parsed and validated on its own; the claims are interned again here)."""
    found, missing, error_files = records.discover(arguments)
    loaded = records.Loaded(rejected=list(missing))
    guides = records.Guides()
    results: Iterable[object]
    pool = None
    if workers > 1 and len(found) > parallel_above:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(partial(_load_one, teams=teams or {}), found, chunksize=64)
    else:
        validate = records.validator()
        results = (records.load(item, guides, teams, validate) for item in found)
    try:
        for number, result in enumerate(results, 1):
            if isinstance(result, records.Report):
                loaded.reports.append(guides.intern(result))
            elif isinstance(result, records.Rejected):
                loaded.rejected.append(result)
            if progress:
                progress(number, len(found))
    finally:
        if pool is not None:
            pool.shutdown()
    roots = {str(path): path for path in arguments}
    for path in error_files:
        root = next(
            (r for r in roots.values() if r.is_dir() and path.is_relative_to(r)), path.parent
        )
        loaded.scan_errors.append(records.read_scan_error(path, root))
    return loaded


def aggregate(
    arguments: Sequence[Path],
    destination: Path,
    *,
    lang: str = "ja",
    fleet_file: Path | None = None,
    packages: Sequence[str] = ("checks",),
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Summary:
    started = time.monotonic()
    described = fleetfile.read(fleet_file) if fleet_file else None
    teams = described.teams if described else {}
    loaded = read_reports(
        arguments,
        teams,
        (lambda d, t: progress("read", d, t)) if progress else None,
        workers=workers,
    )
    read_seconds = time.monotonic() - started
    try:
        levels = severities(packages)
    except SetupError as error:
        print(f"warning: severities unknown: {error}", file=sys.stderr)
        levels = {}
    fleet = model.build(loaded, levels, [e.name for e in described.entries] if described else ())
    stats = site.write_site(
        fleet,
        destination,
        lang,
        workers=workers,
        progress=(lambda d, t: progress("write", d, t)) if progress else None,
    )
    return Summary(fleet, stats, time.monotonic() - started, read_seconds)
