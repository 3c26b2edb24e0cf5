"""The claim table: the author's checkbox against the check's outcome.

    claim  outcome          verdict          fails the build
    [x]    pass             verified         no
    [x]    fail             broken           yes
    [x]    contradicts      contradicted     yes (a number in the text is a claim)
    [ ]    fail             not_yet          no
    [ ]    pass             done_unticked    no (a warning)
    any    error            error            yes
    [x]    unknown          unverified       only when evidence is required
    [ ]    unknown          unverified       no
    any    not_applicable   not_applicable   no
    any    waived           waived           no; an expired waiver fails

The guide's own code (a fenced block bound to a check, `checklists.core.snippets`) is judged by
`judge_snippet`: a failure is `guide_contradicted` (指南の矛盾), about the guide and not the
target; such verdicts never fail the build and are not counted with the target's.

An item without a binding is `unbound`; it fails only when bindings are required. For a
metric the outcome already says whether the measured value is within the guide's limit;
a measurement that no longer matches the target is `stale` (never a pass, like unverified)
and a metric with no limit to meet is simply `measured`. A metric bound on a sentence that
states a number ("約80%") is judged against that number (`limits.stated`): a reading
outside it contradicts the text (`contradicted`), which fails like a broken claim when
the sentence is a claim (a plain list item, a heading, a ticked task).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from checklists.core.bindings import Waiver
from checklists.core.model import Status


class Verdict(enum.StrEnum):
    VERIFIED = "verified"
    BROKEN = "broken"
    CONTRADICTED = "contradicted"
    NOT_YET = "not_yet"
    DONE_UNTICKED = "done_unticked"
    ERROR = "error"
    UNVERIFIED = "unverified"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"
    WAIVER_EXPIRED = "waiver_expired"
    UNBOUND = "unbound"
    STALE = "stale"
    MEASURED = "measured"
    GUIDE_CONTRADICTED = "guide_contradicted"  # the guide's own code breaks one of its rules


# Worst first: the order summaries and reports use.
ORDER: tuple[Verdict, ...] = (
    Verdict.ERROR,
    Verdict.BROKEN,
    Verdict.CONTRADICTED,
    Verdict.WAIVER_EXPIRED,
    Verdict.UNVERIFIED,
    Verdict.STALE,
    Verdict.GUIDE_CONTRADICTED,
    Verdict.UNBOUND,
    Verdict.NOT_YET,
    Verdict.DONE_UNTICKED,
    Verdict.WAIVED,
    Verdict.NOT_APPLICABLE,
    Verdict.MEASURED,
    Verdict.VERIFIED,
)


@dataclass(frozen=True, slots=True)
class Policy:
    """Site settings that decide which verdicts fail the build."""

    today: dt.date
    require_evidence: bool = False
    require_bindings: bool = False


def judge(
    claim: bool,
    status: Status,
    waiver: Waiver | None,
    policy: Policy,
    *,
    stale: bool = False,
    measured_only: bool = False,
    contradicted: bool = False,
) -> Verdict:
    """The verdict for one bound item; `contradicted`: a reading outside the number the
    item's own text states."""
    if waiver is not None and status is not Status.PASS:
        return Verdict.WAIVED if policy.today <= waiver.until else Verdict.WAIVER_EXPIRED
    if stale and status is not Status.ERROR:
        return Verdict.STALE
    if contradicted and status is not Status.ERROR:
        return Verdict.CONTRADICTED
    if measured_only and status is Status.PASS:
        return Verdict.MEASURED
    match status:
        case Status.ERROR:
            return Verdict.ERROR
        case Status.NOT_APPLICABLE:
            return Verdict.NOT_APPLICABLE
        case Status.UNKNOWN:
            return Verdict.UNVERIFIED
        case Status.PASS:
            return Verdict.VERIFIED if claim else Verdict.DONE_UNTICKED
        case Status.FAIL:
            return Verdict.BROKEN if claim else Verdict.NOT_YET


def judge_snippet(status: Status) -> Verdict:
    """The verdict on the guide's own code: whether it keeps the rule it is checked by."""
    match status:
        case Status.PASS:
            return Verdict.VERIFIED
        case Status.FAIL:
            return Verdict.GUIDE_CONTRADICTED
        case Status.UNKNOWN:
            return Verdict.UNVERIFIED
        case Status.NOT_APPLICABLE:
            return Verdict.NOT_APPLICABLE
        case Status.ERROR:
            return Verdict.ERROR


def fails(verdict: Verdict, claim: bool, policy: Policy) -> bool:
    """Whether this verdict makes the build (and the CI job) fail."""
    if verdict in (Verdict.BROKEN, Verdict.ERROR, Verdict.WAIVER_EXPIRED):
        return True
    if verdict is Verdict.CONTRADICTED:
        return claim
    if verdict in (Verdict.UNVERIFIED, Verdict.STALE):
        return claim and policy.require_evidence
    if verdict is Verdict.UNBOUND:
        return policy.require_bindings
    return False


# What the headline counts as holding: a claim checked and found true. A reading with no
# limit and no stated number to meet (`measured`) verifies nothing, so it is not counted.
HOLDS: frozenset[Verdict] = frozenset({Verdict.VERIFIED})
