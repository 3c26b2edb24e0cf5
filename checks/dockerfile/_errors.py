"""Shared by the Dockerfile checks: input errors located in the Dockerfile being checked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from checklists import InputError


@contextmanager
def located(path: str) -> Iterator[None]:
    """Give an InputError raised without a file (a reader reports only the line) the path
    of the Dockerfile, so the engine shows `Dockerfile:12` instead of `line 12`."""
    try:
        yield
    except InputError as error:
        raise error.with_path(path) from None
