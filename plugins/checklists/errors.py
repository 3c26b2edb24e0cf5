"""Errors the engine reports with a location instead of a traceback.

Two kinds exist. `SetupError` means the site cannot be checked at all (no target folder, a
broken check library) and stops the run with a message that says what to do. `InputError`
means one input (a target file, a binding) could not be read; it becomes an `error` result
for the bindings that needed it while every other check still runs.
"""

from __future__ import annotations


class SetupError(Exception):
    """The configuration or the check library is broken; nothing can be checked."""


class InputError(Exception):
    """An input could not be read or parsed; `path` and `line` say where.

    Readers raise it with the line only; the target object fills in the path it was
    reading, so a parser never needs to know where its text came from.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    @property
    def location(self) -> str:
        if self.path is None:
            return f"line {self.line}" if self.line else ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message

    def with_path(self, path: str) -> InputError:
        return InputError(self.message, path=self.path or path, line=self.line)

    def again(self) -> InputError:
        """A fresh copy to raise from a cache: raising one instance again and again would
        keep lengthening its traceback."""
        return InputError(self.message, path=self.path, line=self.line)
