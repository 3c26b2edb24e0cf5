"""Numbers the author's text states: read with their tolerance, and a reading that
disagrees is a contradiction (記載と矛盾), not a neutral measured value."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from checklists.core.engine import Run, Settings, collect, evaluate, headline
from checklists.core.limits import Kind, stated
from checklists.core.registry import Registry
from checklists.core.verdict import Policy, Verdict


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("ビルドコンテキスト削減（約80%）", Kind.PERCENT, 60.0, 100.0),  # 約: ±25%
        ("およそ 2分", Kind.DURATION, 90.0, 150.0),
        ("50%程度", Kind.PERCENT, 37.5, 62.5),
        ("60〜80%削減", Kind.PERCENT, 60.0, 80.0),  # a range: both ends included
        ("3-5分", Kind.DURATION, 180.0, 300.0),
        ("８０％", Kind.PERCENT, 75.0, 85.0),  # full width; bare: half its last significant digit
        ("180MB", Kind.SIZE, 175e6, 185e6),  # a whole number's trailing zeros: not significant
        ("1.2GB", Kind.SIZE, 1.15e9, 1.25e9),
        ("7分", Kind.DURATION, 390.0, 450.0),
        ("0.50秒", Kind.DURATION, 0.495, 0.505),  # written decimals are significant
        ("2.5分", Kind.DURATION, 147.0, 153.0),
    ],
)
def test_a_stated_number_and_what_agrees_with_it(
    text: str, kind: Kind, low: float, high: float
) -> None:
    (number,) = stated(text, kind)
    assert (number.low, number.high) == pytest.approx((low, high))
    assert number.agrees(low) and number.agrees(high)
    assert not number.agrees(low - 0.01) and not number.agrees(high + 0.01)


def test_comparisons_are_limits_and_other_kinds_or_bare_words_are_not_numbers() -> None:
    (floor,) = stated("80%以上", Kind.PERCENT)
    assert floor.agrees(80.0) and floor.agrees(95.0) and not floor.agrees(79.9)
    (ceiling,) = stated("< 250MB", Kind.SIZE)
    assert ceiling.agrees(249e6) and not ceiling.agrees(250e6)
    assert stated("約80%", Kind.SIZE) == []  # a percentage is no size
    assert stated("2段階, Python 3.11 slim", Kind.DURATION) == []
    assert [n.text for n in stated("5分から2分に短縮", Kind.DURATION)] == ["5分", "2分"]


def run(page: str, registry: Registry, tmp_path: Path) -> Run:
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    return evaluate(collect({"g.md": page}), settings, logging.getLogger("t"), registry)


def test_a_reading_outside_the_stated_number_contradicts_the_text(
    registry: Registry, tmp_path: Path
) -> None:
    # fake.share always reads 42%.
    page = (
        "- 削減（約80%） <!-- metric: fake.share -->\n"
        "- 削減（約40%） <!-- metric: fake.share -->\n"
        "- 削減 40〜45% <!-- metric: fake.share -->\n"
        "- [ ] いずれ 約80% <!-- metric: fake.share -->\n"
        "- 削減 <!-- metric: fake.share -->\n"
    )
    result = run(page, registry, tmp_path)
    verdicts = [r.verdict for r in result.results]
    assert verdicts == [
        Verdict.CONTRADICTED,
        Verdict.VERIFIED,
        Verdict.VERIFIED,
        Verdict.CONTRADICTED,
        Verdict.MEASURED,  # no number stated: a reading with nothing to meet
    ]
    assert [r.fails for r in result.results] == [True, False, False, False, False]
    wrong = result.results[0]
    assert wrong.outcome is not None and wrong.stated is not None
    assert wrong.outcome.summary.startswith(
        "42.0% contradicts the text's 約80% (60.0%–100.0% would agree)"
    )
    assert "the guide states 約80% at g.md:1" in wrong.outcome.evidence[-1].note
    # The headline counts what holds; neither a contradiction nor a bare reading does.
    assert str(headline(result.results)) == "2/5"


def test_a_waiver_accepts_a_contradiction_and_a_limit_wins_over_the_text(
    registry: Registry, tmp_path: Path
) -> None:
    page = (
        '- 削減（約80%） <!-- metric: fake.share waive: {reason: "sample", until: 2027-01-31} -->\n'
        "- 削減（約80%） <!-- metric: fake.share {limit: '>= 40%'} -->\n"
    )
    result = run(page, registry, tmp_path)
    assert [r.verdict for r in result.results] == [Verdict.WAIVED, Verdict.VERIFIED]
    assert not result.failures


def test_two_numbers_of_the_metrics_kind_are_an_error_at_the_binding(
    registry: Registry, tmp_path: Path
) -> None:
    result = run("- 5%から80%へ <!-- metric: fake.share -->\n", registry, tmp_path)
    (only,) = result.results
    assert only.verdict is Verdict.ERROR and only.fails
    assert only.outcome is not None
    assert only.outcome.summary.startswith("g.md:1: the text states 2 numbers (5%, 80%)")


def test_two_metrics_on_one_sentence_are_each_judged_by_the_number_of_their_kind(
    registry: Registry, tmp_path: Path
) -> None:
    # The guide's "キャッシュヒット: 1-2分（70-80% 削減）": a duration and a percentage.
    page = "- 削減 40〜45%、サイズ 約300MB <!-- metric: fake.share --> <!-- metric: fake.size -->\n"
    result = run(page, registry, tmp_path)
    share, size = result.results
    assert (share.item.check_id, share.verdict) == ("fake.share", Verdict.VERIFIED)
    assert share.stated is not None and share.stated.text == "40〜45%"
    assert (size.item.check_id, size.verdict) == ("fake.size", Verdict.UNVERIFIED)
    assert size.stated is not None and size.stated.text == "約300MB"
    # Each has a place of its own on the page (`1`, `1-2`), so the report keeps both.
    assert [r.item.slot for r in result.results] == ["1", "1-2"]
