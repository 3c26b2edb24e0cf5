"""Outcomes and their parts."""

from __future__ import annotations

from checklists.core.model import Evidence, Outcome, Status


def test_parts_carry_the_verdict_of_each_named_part_beside_the_whole() -> None:
    outcome = Outcome.failed("apt lists stay", Evidence("RUN apt-get", path="Dockerfile", line=3))
    narrowed = outcome.with_parts(apt_lists=Status.FAIL).with_parts(pip_cache=Status.PASS)
    assert narrowed.status is Status.FAIL
    assert narrowed.parts == {"apt_lists": Status.FAIL, "pip_cache": Status.PASS}
    assert narrowed.evidence == outcome.evidence
    assert outcome.parts == {}  # the original is unchanged
