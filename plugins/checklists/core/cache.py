"""Results kept across `mkdocs serve` rebuilds, valid while nothing a check looked at changed.

While a check runs, the target object records what it read or probed (file contents,
existence, folder listings, sizes). An entry keeps the outcome with the fingerprint of
each of those (content hashes, not times) and the hash of the check's own source. A later
rebuild reuses the outcome only if every fingerprint and the source hash still match, so
editing a Dockerfile re-runs exactly the checks that read it. Errors are never kept.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from checklists.core.model import Outcome, Status
from checklists.core.registry import CheckSpec
from checklists.core.target import Probe, Target


def source_hash(spec: CheckSpec) -> str:
    return _module_hash(spec.module) or spec.source


@cache
def _module_hash(module: str) -> str | None:
    try:
        source = inspect.getsource(sys.modules[module])
    except (KeyError, OSError, TypeError):
        return None
    import hashlib  # noqa: PLC0415 - a build without `serve` hashes nothing

    return hashlib.sha256(source.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    outcome: Outcome
    probes: dict[Probe, object]
    source: str


class ResultCache:
    """Outcomes by (target root, check, params)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, tuple[str, str]], Entry] = {}
        self._lock = threading.Lock()

    def lookup(self, target: Target, spec: CheckSpec, key: tuple[str, str]) -> Outcome | None:
        with self._lock:
            entry = self._entries.get((str(target.root), key))
        if entry is None or entry.source != source_hash(spec):
            return None
        if any(target.fingerprint(probe) != seen for probe, seen in entry.probes.items()):
            return None
        return entry.outcome

    def store(
        self,
        target: Target,
        spec: CheckSpec,
        key: tuple[str, str],
        outcome: Outcome,
        probes: set[Probe],
    ) -> None:
        if outcome.status is Status.ERROR:
            return
        self.keep(target, spec, key, outcome, {p: target.fingerprint(p) for p in sorted(probes)})

    def keep(
        self,
        target: Target,
        spec: CheckSpec,
        key: tuple[str, str],
        outcome: Outcome,
        seen: Mapping[Probe, object],
    ) -> None:
        """Keep an outcome with the fingerprints taken where the check ran (a worker
        process takes them as the check ends, from the bytes it read)."""
        if outcome.status is Status.ERROR:
            return
        seen = dict(seen)
        with self._lock:
            self._entries[(str(target.root), key)] = Entry(outcome, seen, source_hash(spec))


SERVE_CACHE = ResultCache()  # lives as long as the `mkdocs serve` process
