"""Every row of the claim table in ARCHITECTURE.md."""

from __future__ import annotations

import datetime as dt

import pytest

from checklists.core.bindings import Waiver
from checklists.core.model import Status
from checklists.core.verdict import Policy, Verdict, fails, judge

TODAY = dt.date(2026, 11, 28)
POLICY = Policy(today=TODAY)
STRICT = Policy(today=TODAY, require_evidence=True, require_bindings=True)


@pytest.mark.parametrize(
    ("claim", "status", "verdict", "fails_build"),
    [
        (True, Status.PASS, Verdict.VERIFIED, False),
        (True, Status.FAIL, Verdict.BROKEN, True),
        (False, Status.FAIL, Verdict.NOT_YET, False),
        (False, Status.PASS, Verdict.DONE_UNTICKED, False),
        (True, Status.ERROR, Verdict.ERROR, True),
        (False, Status.ERROR, Verdict.ERROR, True),
        (True, Status.UNKNOWN, Verdict.UNVERIFIED, False),
        (False, Status.UNKNOWN, Verdict.UNVERIFIED, False),
        (True, Status.NOT_APPLICABLE, Verdict.NOT_APPLICABLE, False),
    ],
)
def test_claim_table(claim: bool, status: Status, verdict: Verdict, fails_build: bool) -> None:
    assert judge(claim, status, None, POLICY) is verdict
    assert fails(verdict, claim, POLICY) is fails_build


def test_unverified_ticked_claim_fails_only_where_evidence_is_required() -> None:
    assert fails(Verdict.UNVERIFIED, True, STRICT)
    assert not fails(Verdict.UNVERIFIED, False, STRICT)


def test_unbound_items_fail_only_where_bindings_are_required() -> None:
    assert not fails(Verdict.UNBOUND, True, POLICY)
    assert fails(Verdict.UNBOUND, True, STRICT)


@pytest.mark.parametrize("status", [Status.FAIL, Status.ERROR, Status.UNKNOWN])
def test_a_valid_waiver_holds_until_its_last_day(status: Status) -> None:
    waiver = Waiver("vendor fix pending", TODAY)
    assert judge(True, status, waiver, POLICY) is Verdict.WAIVED
    assert not fails(Verdict.WAIVED, True, POLICY)


def test_an_expired_waiver_fails() -> None:
    waiver = Waiver("vendor fix pending", TODAY - dt.timedelta(days=1))
    verdict = judge(True, Status.FAIL, waiver, POLICY)
    assert verdict is Verdict.WAIVER_EXPIRED
    assert fails(verdict, True, POLICY)


def test_a_waiver_does_not_hide_a_pass() -> None:
    waiver = Waiver("no longer needed", TODAY)
    assert judge(True, Status.PASS, waiver, POLICY) is Verdict.VERIFIED
