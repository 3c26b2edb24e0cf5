"""Errors the engine reports with a location instead of a traceback.

Two kinds exist. `SetupError` means the site cannot be checked at all (no target folder, a
broken check library) and stops the run with a message that says what to do. `InputError`
means one input (a target file, a binding) could not be read; it becomes an `error` result
for the bindings that needed it while every other check still runs.
"""

from __future__ import annotations

from checklists.core.message import tr


class SetupError(Exception):
    """The configuration or the check library is broken; nothing can be checked."""


class InputError(Exception):
    """An input could not be read or parsed; `path` and `line` say where.

    Readers raise it with the line only; the target object fills in the path it was
    reading, so a parser never needs to know where its text came from.

    `kind` says why, for the few callers that must tell the reasons apart: "missing" (the
    path truly does not exist: only this one may read as an absent file), "outside",
    "loop", "dangling", "not_a_file" (a directory where a file is expected), "special" (a
    FIFO, socket or device, never opened), "permission", "too_large", "limit" (a reader's
    bound on work: nesting, expansion, instruction count), "refused" (the real tool would
    refuse the input), and "invalid" for everything else a reader cannot parse.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        kind: str = "invalid",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.kind = kind

    @property
    def missing(self) -> bool:
        """True only when the path does not exist at all."""
        return self.kind == "missing"

    @property
    def location(self) -> str:
        """`path:line`, `path`, or only the line (a `Message`: "line 3" / "3 行目")."""
        if self.path is None:
            return tr("line {line}", "{line} 行目", line=self.line) if self.line else ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message

    def with_path(self, path: str) -> InputError:
        return InputError(self.message, path=self.path or path, line=self.line, kind=self.kind)

    def again(self) -> InputError:
        """A fresh copy to raise from a cache: raising one instance again and again would
        keep lengthening its traceback."""
        return InputError(self.message, path=self.path, line=self.line, kind=self.kind)
