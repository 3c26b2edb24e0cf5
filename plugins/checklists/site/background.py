"""A run's checks on a thread of the build while MkDocs renders the pages.

The plugin resolves the bindings in `on_files` (the bound checks are imported then, on the
build's own thread) and lays its slots out in `on_page_markdown` from where the results
will go (`Prepared.placeholders`); the verdicts are needed only from the first
`on_post_page`. In between, MkDocs converts every page. The checks run in forked worker
processes (`runner.run_all`) and the guide's code blocks wait on programs, so this thread
mostly waits on them, and the waiting overlaps MkDocs' own work instead of adding to it.

Forking from this thread while the build's thread renders is what the runner already does
for its shares (a worker inherits no lock of the checks: only this thread runs them; the
import and logging locks are re-made in a child by Python itself).
"""

from __future__ import annotations

import threading

from checklists.core import collector
from checklists.core.engine import Prepared, Run, finish


class Background:
    """`finish(prepared)` on a daemon thread; `result()` waits for it and gives the run or
    raises what it raised, on the caller's thread, every time it is asked."""

    def __init__(self, prepared: Prepared) -> None:
        self._run: Run | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._work, args=(prepared,), name="checklists-run", daemon=True
        )
        self._thread.start()

    def _work(self, prepared: Prepared) -> None:
        try:
            with collector.paused():  # frozen until its reports are out (on_post_build)
                self._run = finish(prepared)
        except BaseException as error:  # noqa: BLE001 - handed to the build's thread as is
            self._error = error

    def wait(self) -> None:
        """Until the thread is done, whatever it ended with."""
        self._thread.join()

    def result(self) -> Run:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._run is not None  # the thread either set a run or an error
        return self._run
