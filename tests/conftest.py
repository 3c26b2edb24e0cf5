"""Fixtures for every test."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collector_unfrozen() -> Iterator[None]:
    """A run freezes the heap out of the garbage collector's passes until its reports are
    written (`checklists.core.collector.paused`); tests that stop earlier leave it to this."""
    yield
    gc.unfreeze()
