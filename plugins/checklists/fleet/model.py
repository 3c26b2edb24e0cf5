"""The fleet as the site shows it: the latest report of each repository, grouped by version,
with per-claim counts now and over time.

A *group* is one version (check library version, guide fingerprint): its claims are the
columns of one matrix, and only reports of that version are counted together. A repository
belongs to the group of its latest report; its earlier reports of other versions stay in its
own history and in their group's trend, never in another group's numbers.

Trends carry each repository forward: on each day that some report is dated, a repository
counts with its latest report up to that day. So a fleet that reports on different days still
reads as "the state of the fleet on day d", and a repository that moved to a new version
leaves the old version's trend on the day it moved.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from checklists.fleet.records import (
    OUTCOME_CODE,
    UNKNOWN_CHECKS,
    VERDICTS,
    Column,
    Guide,
    Loaded,
    Rejected,
    Report,
)

PASS = OUTCOME_CODE["pass"]
FAIL = OUTCOME_CODE["fail"]
NOT_APPLICABLE = OUTCOME_CODE["not_applicable"]


@dataclass(frozen=True, slots=True)
class Point:
    """The state of one group on one day: members, and per column passed / applicable."""

    day: str
    members: int
    passed: tuple[int, ...]
    applicable: tuple[int, ...]


@dataclass(slots=True)
class Group:
    version: str
    slug: str
    checks: str
    guide: Guide
    latest: list[Report] = field(default_factory=list)  # repositories now of this version
    reports: int = 0  # every report of this version, history included
    first: str | None = None  # first and last day a report of this version is dated
    last: str | None = None
    trend: list[Point] = field(default_factory=list)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.guide.columns

    @property
    def label(self) -> str:
        return version_label(self.checks, self.guide.fingerprint)

    def counts(self, column: int) -> Counter[str]:
        """Verdict values of the latest reports for one column."""
        return Counter(VERDICTS[_index(report.verdicts[column])] for report in self.latest)

    def pass_rate(self, column: int) -> tuple[int, int]:
        """(passed, applicable) over the latest reports: a claim holds where its check
        passed; not_applicable is left out; unknown and error count as not passing."""
        outcomes = [report.outcomes[column] for report in self.latest]
        applicable = sum(1 for code in outcomes if code != NOT_APPLICABLE)
        return sum(1 for code in outcomes if code == PASS), applicable


def _index(code: str) -> int:
    return ord(code) - ord("a")


def version_label(checks: str, guide: str) -> str:
    shown = "?" if checks == UNKNOWN_CHECKS else checks
    return f"checks {shown} · guide {guide[:8]}"


@dataclass(slots=True)
class Fleet:
    groups: list[Group]
    history: dict[str, list[Report]]  # repository -> reports, oldest first
    rejected: list[Rejected]
    missing: list[Rejected]  # expected repositories without a report, with the reason
    slugs: dict[str, str]
    severities: Mapping[str, str]  # check id -> severity, from the installed check library
    group_of: dict[str, Group]  # repository -> group of its latest report
    undated: int = 0  # latest reports without a date (not in any trend)

    @property
    def repositories(self) -> list[str]:
        return sorted(self.history)

    def latest(self, repository: str) -> Report:
        return self.history[repository][-1]

    @property
    def teams(self) -> list[str]:
        return sorted({team for reports in self.history.values() for team in reports[-1].teams})


def slugs_for(names: Iterable[str]) -> dict[str, str]:
    """A file-system-safe, unique folder name per repository (case-insensitively unique)."""
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names)):
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", name.replace("/", "__")).strip("-.")[:80]
        slug = base or "repository"
        if slug.lower() in used or slug.lower() in {"index.html", "assets"}:
            slug = f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
        used.add(slug.lower())
        slugs[name] = slug
    return slugs


def build(
    loaded: Loaded,
    severities: Mapping[str, str],
    expected: Iterable[str] = (),
) -> Fleet:
    """Order each repository's history, group the latest reports, compute the trends."""
    rejected = list(loaded.rejected)
    history = _history(loaded.reports, rejected)
    groups = _groups(history)
    group_of: dict[str, Group] = {}
    for repository in sorted(history):
        group = groups[history[repository][-1].version]
        group.latest.append(history[repository][-1])
        group_of[repository] = group
    _trends(history, groups)
    # Groups with members first, then the newest, then the largest.
    ordered = sorted(
        (group for group in groups.values() if group.latest or group.trend),
        key=lambda group: (bool(group.latest), group.last or "", len(group.latest)),
        reverse=True,
    )
    return Fleet(
        groups=ordered,
        history=history,
        rejected=sorted(rejected, key=lambda r: r.path),
        missing=_missing(loaded, expected, history, rejected),
        slugs=slugs_for(history),
        severities=severities,
        group_of=group_of,
        undated=sum(1 for reports in history.values() if reports[-1].generated is None),
    )


def _history(loaded: Iterable[Report], rejected: list[Rejected]) -> dict[str, list[Report]]:
    """Each repository's reports, oldest first; of two with the same date the later path
    is kept and the other added to `rejected`."""
    history: dict[str, list[Report]] = {}
    for report in sorted(loaded, key=_when):
        reports = history.setdefault(report.repository, [])
        if reports and reports[-1].generated == report.generated:
            earlier = reports.pop()
            when = report.day or "no date"
            rejected.append(
                Rejected(
                    str(earlier.path),
                    f"another report of {report.repository} has the same date ({when}): "
                    f"{report.path}; the later path is used",
                    report.repository,
                )
            )
        reports.append(report)
    return history


def _groups(history: Mapping[str, list[Report]]) -> dict[str, Group]:
    """One group per version of the checks, with its number of reports and dates."""
    groups: dict[str, Group] = {}
    for reports in history.values():
        for report in reports:
            group = groups.get(report.version)
            if group is None:
                slug = hashlib.sha256(report.version.encode("utf-8", "surrogatepass")).hexdigest()
                group = groups[report.version] = Group(
                    report.version, slug[:10], report.checks, report.guide
                )
            group.reports += 1
            if report.day:
                group.first = min(group.first or report.day, report.day)
                group.last = max(group.last or report.day, report.day)
    return groups


def _missing(
    loaded: Loaded,
    expected: Iterable[str],
    history: Mapping[str, list[Report]],
    rejected: list[Rejected],
) -> list[Rejected]:
    """Every repository a scan could not check (even one with an older report), and every
    expected repository without any report."""
    scan_errors = {error.repository: error for error in loaded.scan_errors if error.repository}
    unreported = set(expected) - set(history) - set(scan_errors)
    left_out = {r.repository: r for r in rejected if r.repository in unreported}
    return sorted(
        [*scan_errors.values()]
        + [
            Rejected(left_out[name].path, f"its report was left out: {left_out[name].reason}", name)
            if name in left_out
            else Rejected("", "no report was found for this repository", name)
            for name in unreported
        ],
        key=lambda rejected: rejected.repository or "",
    )


def _when(report: Report) -> tuple[bool, str, str]:
    # Undated reports sort before dated ones: a dated report is never hidden by one that
    # cannot say when it was made.
    stamp = report.generated.isoformat() if report.generated else ""
    return (report.generated is not None, stamp, str(report.path))


def _trends(history: Mapping[str, list[Report]], groups: Mapping[str, Group]) -> None:
    """Carry every repository forward day by day, counting per group and column."""
    dated = sorted(
        (report for reports in history.values() for report in reports if report.generated),
        key=_when,
    )
    current: dict[str, Report] = {}
    passed: dict[str, list[int]] = {}
    applicable: dict[str, list[int]] = {}
    members: Counter[str] = Counter()

    def tally(report: Report, sign: int) -> None:
        width = len(report.outcomes)
        got = passed.setdefault(report.version, [0] * width)
        can = applicable.setdefault(report.version, [0] * width)
        for index, code in enumerate(report.outcomes):
            if code != NOT_APPLICABLE:
                can[index] += sign
                if code == PASS:
                    got[index] += sign
        members[report.version] += sign

    index = 0
    while index < len(dated):
        day = dated[index].day
        while index < len(dated) and dated[index].day == day:
            report = dated[index]
            earlier = current.get(report.repository)
            if earlier is not None:
                tally(earlier, -1)
            tally(report, +1)
            current[report.repository] = report
            index += 1
        assert day is not None
        for version, count in members.items():
            if count > 0:
                groups[version].trend.append(
                    Point(day, count, tuple(passed[version]), tuple(applicable[version]))
                )
