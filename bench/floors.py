"""Floors: what a run cannot avoid, timed beside the run, round by round.

Two pairs of child processes, each round running the floor and the run back to back (the
order alternating from round to round), after one discarded warm-up of each; the verdict
is the median of each round's run/floor ratio, steadier on a shared machine than a ratio
of medians (a slow spell hits both of a round).

1. `checklists check` on the repository's own site (the example target) against the bare
   import floor of the engine: a fresh interpreter that imports the engine and the check
   modules the site's bindings need, and does nothing else (no collect, no evaluation, no
   report). What the run adds beyond that is its own work.
2. `checklists check` on the 4x generated site (800 Dockerfiles, 4,000 bindings) against
   the read floor: a fresh interpreter that imports the engine and reads every byte of
   every file of the target once (the least a tool that looks at every file must do).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bench.inprocess import read_pages
from bench.timing import PYTHON, Sample, checked, environment, median, run_child
from checklists.core.engine import collect
from checklists.core.siteconfig import plugin_options, site_options

# The engine and the checks the bindings name, imported as a build imports them (only
# those, where the registry can defer; everything, where it cannot).
IMPORT_FLOOR = (
    "import importlib, sys\n"
    "import checklists.core.engine\n"
    "from checklists.core.registry import REGISTRY, load_packages\n"
    "if hasattr(REGISTRY, 'defer'):\n"
    "    REGISTRY.defer(sys.argv[1].split(','))\n"
    "    for name in sys.argv[2:]:\n"
    "        spec = REGISTRY.get(name)\n"
    "        if spec is not None:  # with a manifest, get() imports nothing: the run still does\n"
    "            importlib.import_module(spec.module)\n"
    "else:\n"
    "    load_packages(sys.argv[1].split(','))\n"
)
READ_FLOOR = (
    "import os, sys\n"
    "import checklists.core.engine\n"
    "total = 0\n"
    "for folder, _, names in os.walk(sys.argv[1]):\n"
    "    for name in names:\n"
    "        path = os.path.join(folder, name)\n"
    "        if os.path.isfile(path) and not os.path.islink(path):\n"
    "            with open(path, 'rb') as stream:\n"
    "                total += len(stream.read())\n"
    "print(total)\n"
)


@dataclass(frozen=True, slots=True)
class Pair:
    """A run and its floor, timed round by round."""

    what: str
    floor: list[Sample]
    run: list[Sample]

    @property
    def ratio(self) -> float:
        """The median of each round's run/floor wall-time ratio."""
        return median([r.seconds / f.seconds for r, f in zip(self.run, self.floor, strict=True)])

    @property
    def cpu_ratio(self) -> float:
        return median(
            [r.cpu_seconds / f.cpu_seconds for r, f in zip(self.run, self.floor, strict=True)]
        )


def check_argv(config: Path, out: Path) -> list[str]:
    argv = [PYTHON, "-m", "checklists", "check", "--config", str(config)]
    return [*argv, "--format", "json", "--output", str(out), "--quiet"]


def bound_ids(config: Path) -> tuple[list[str], list[str]]:
    """The check packages of a site and the distinct ids its pages bind."""
    options = plugin_options(config)
    docs = config.parent / str(site_options(config).get("docs_dir") or "docs")
    items = collect(read_pages(docs))
    ids = sorted({i.check_id for i in items if i.bound and i.check_id})
    return [str(p) for p in options.get("checks") or ["checks"]], ids


def paired(what: str, floor: list[str], run: list[str], cwd: Path, runs: int) -> Pair:
    floors: list[Sample] = []
    samples: list[Sample] = []
    env = environment(SOURCE_DATE_EPOCH=str(int(dt.datetime(2026, 1, 1).timestamp())))
    for index in range(1 + runs):
        order = [(floor, floors), (run, samples)]
        for argv, into in order if index % 2 else reversed(order):
            sample = checked(run_child(argv, env=env, cwd=cwd), (0, 1), what)
            if index:  # the first round warms the page cache and is not counted
                into.append(sample)
    return Pair(what, floors, samples)


def import_floor(config: Path, work: Path, runs: int) -> Pair:
    packages, ids = bound_ids(config)
    floor = [PYTHON, "-c", IMPORT_FLOOR, ",".join(packages), *ids]
    run = check_argv(config, work / "floor-check.json")
    return paired("checklists check vs import floor", floor, run, config.parent, runs)


def read_floor(config: Path, target: Path, work: Path, runs: int) -> Pair:
    floor = [PYTHON, "-c", READ_FLOOR, str(target)]
    run = check_argv(config, work / "read-floor-check.json")
    return paired("checklists check vs read floor", floor, run, config.parent, runs)
