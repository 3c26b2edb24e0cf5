"""The garbage collector's policy for one build, in one place.

Only the drivers hold it: the MkDocs plugin (`site/plugin.py`), the command line
(`cli/commands.py`) and the Markdown extension (`site/extension.py`). The engine
(`core/engine.py`) and the report writers (`reports/`) allocate without knowing about it.

A build opens with `paused()` around what allocates (collecting the items, evaluating them,
writing reports) and closes with `release()` once its reports are written. The plugin's build
spans MkDocs events, so it pauses in `on_files` and releases in `on_post_build`; a build that
fails in between leaves its freeze to the next `paused()`, which releases it first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a run allocates; when the block ends
    normally, everything alive is frozen out of its passes (`gc.freeze`) until `release`.

    A run's objects are freed by reference counting; the collector's passes over them cost
    ~10% of a 5,500-binding `checklists check` and found nothing to free. And the results
    live until the reports are written: while MkDocs renders the pages, full passes over
    the heap made the plugin's added time grow 3.0x from the 2x to the 4x benchmark site
    (2.0x with it frozen). Measured with `bench/`. Whatever an earlier run left frozen
    (a build that failed before its reports) is released first, so nothing stays pinned
    longer than one build.
    """
    release()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()  # reached only when the block ended normally
    finally:
        if was_enabled:
            gc.enable()


def release() -> None:
    """Hand what `paused` froze back to the collector (a build is done)."""
    gc.unfreeze()
