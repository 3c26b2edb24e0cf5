"""The data that flows through the engine: outcomes of checks and the evidence behind them.

Every user-facing text here (a summary, an evidence note, a value) is a `str`; a check gives
a `checklists.core.message.Message` (a `str` carrying its Japanese text too) so that renderers
show it in the reader's language with `message.localize`. A plain `str` is shown as-is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from checklists.core.message import localize


class Status(enum.StrEnum):
    """What a check found. `ERROR` is only ever set by the engine, never returned by a check."""

    PASS = "pass"  # noqa: S105 - a status name, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing a check looked at: a place in the target, what was there, what it means."""

    note: str
    path: str | None = None
    line: int | None = None
    excerpt: str | None = None

    @property
    def location(self) -> str | None:
        if self.path is None:
            return None
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        note = localize(self.note, lang)
        return {"note": note, "path": self.path, "line": self.line, "excerpt": self.excerpt}


@dataclass(frozen=True, slots=True)
class Environment:
    """A named build environment from the site config (開発, 本番), with its options
    (Dockerfile, context, image name), handed to metrics that measure per environment."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one evaluation of a check. Evidence is required for every status."""

    status: Status
    summary: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    value: str | None = None  # an observed value to show next to the verdict, e.g. "2 stages"
    quantity: float | None = None  # a metric's measured value in base units (bytes, seconds, %)
    stale: bool = False  # the evidence no longer matches the target; it never passes a limit
    # `value` per site language; a `Message` value says the same, this stays for old checks
    localized: Mapping[str, str] = field(default_factory=dict)
    # The verdict on each named part of a claim that has several (cache_cleanup: `apt_lists`,
    # `pip_cache`), for readers that ask about one part; `status` is the whole claim's.
    parts: Mapping[str, Status] = field(default_factory=dict)

    def with_parts(self, **parts: Status) -> Outcome:
        """This outcome with the verdicts of its named parts."""
        return replace(self, parts={**self.parts, **parts})

    def target_location(self, is_file: Callable[[str], bool]) -> Evidence | None:
        """The first evidence that names an existing file of the target (`is_file` asks the
        target), the outcome's place in it; a missing file or a glob is no place."""
        return next((e for e in self.evidence if e.path and is_file(e.path)), None)

    @classmethod
    def passed(
        cls,
        summary: str,
        *evidence: Evidence,
        value: str | None = None,
        localized: Mapping[str, str] | None = None,
    ) -> Outcome:
        return cls(Status.PASS, summary, evidence, value, localized=localized or {})

    @classmethod
    def failed(
        cls,
        summary: str,
        *evidence: Evidence,
        value: str | None = None,
        localized: Mapping[str, str] | None = None,
    ) -> Outcome:
        return cls(Status.FAIL, summary, evidence, value, localized=localized or {})

    @classmethod
    def unknown(cls, summary: str, *evidence: Evidence, stale: bool = False) -> Outcome:
        return cls(Status.UNKNOWN, summary, evidence, stale=stale)

    @classmethod
    def measured(cls, quantity: float, summary: str, *evidence: Evidence) -> Outcome:
        """A metric's reading; the engine compares it with the limit the guide states."""
        return cls(Status.PASS, summary, evidence, quantity=quantity)

    @classmethod
    def not_applicable(cls, summary: str, *evidence: Evidence) -> Outcome:
        return cls(Status.NOT_APPLICABLE, summary, evidence)

    @classmethod
    def error(cls, summary: str, *evidence: Evidence) -> Outcome:
        return cls(Status.ERROR, summary, evidence)
