"""Split a fleet across machines: shard I of N gets every N-th repository by name.

The split depends only on the names and N, never on the order of the fleet file or on the
machine, so every runner of a GitHub Actions matrix (or every pod of a Kubernetes Indexed
Job) computes its own share from the same file, the shares never overlap, together they
cover the fleet, and their sizes differ by at most one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from checklists.core.errors import SetupError


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


def parse(text: str) -> tuple[int, int]:
    """'I/N' (0 <= I < N) as (I, N); SetupError otherwise."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not found:
        raise SetupError(f"--shard {text!r}: write it as INDEX/COUNT, e.g. 0/4")
    index, count = int(found[1]), int(found[2])
    if count < 1 or index >= count:
        raise SetupError(f"--shard {text!r}: INDEX must be 0 to COUNT-1 and COUNT at least 1")
    return index, count


def shard(entries: Sequence[T], index: int, count: int) -> list[T]:
    """The entries of shard `index` of `count`, in name order."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard {index} of {count} does not exist")
    ordered = sorted(entries, key=lambda entry: entry.name)
    return ordered[index::count]
