"""Metrics rows: limits from the cells, values compared, stale and missing evidence honest."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from checklists.core.bindings import Columns
from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.registry import Registry
from checklists.core.verdict import Policy

TARGET_TABLE = """## 目標値

| メトリクス | 開発 | 本番 |
| --- | --- | --- |
| イメージサイズ <!-- metric: fake.size --> | < 700MB | < 250MB |

## 実測値

| メトリクス | 値 | ステータス |
| --- | --- | --- |
| 本番イメージサイズ <!-- metric: fake.size {env: 本番} --> | 220MB | ✅ 目標達成 |
| 段階 <!-- check: fake.passes --> | 2段階 | ✅ |
"""


def run(page: str, registry: Registry, tmp_path: Path, **environments: dict[str, Any]) -> Run:
    settings = Settings(
        target=tmp_path,
        policy=Policy(today=dt.date(2026, 11, 28)),
        environments=environments,
        columns=Columns(environments=frozenset(environments)),
    )
    items = collect({"guide.md": page}, settings.columns)
    return evaluate(items, settings, logging.getLogger("t"), registry)


def table(result: Run) -> list[tuple[int, str | None, str | None, str]]:
    return [
        (r.item.line, r.item.environment, r.item.limit, r.verdict.value) for r in result.results
    ]


def test_each_environment_cell_is_judged_against_its_own_limit(
    registry: Registry, tmp_path: Path
) -> None:
    result = run(TARGET_TABLE, registry, tmp_path, 開発={"size": 600e6}, 本番={"size": 260e6})
    assert table(result) == [
        (5, "開発", "< 700MB", "verified"),
        (5, "本番", "< 250MB", "broken"),
        (11, "本番", "< 250MB", "broken"),  # the value row takes the limit the page states
        (12, None, None, "verified"),
    ]
    over = result.results[1]
    assert over.fails
    assert over.outcome is not None
    assert over.outcome.value == "260MB"
    assert over.outcome.summary.startswith("260MB does not meet < 250MB")
    assert result.evaluations == 3  # 開発, 本番 (shared by two rows), and the check


def test_nothing_measured_is_unverified_and_never_a_number(
    registry: Registry, tmp_path: Path
) -> None:
    result = run(TARGET_TABLE, registry, tmp_path, 開発={}, 本番={})
    assert [r.verdict.value for r in result.results][:3] == ["unverified"] * 3
    assert all(r.outcome is not None and r.outcome.value is None for r in result.results[:3])
    assert not result.failures


def test_stale_evidence_has_its_own_verdict_and_never_passes(
    registry: Registry, tmp_path: Path
) -> None:
    result = run(TARGET_TABLE, registry, tmp_path, 開発={"size": 1.0, "stale": True}, 本番={})
    assert result.results[0].verdict.value == "stale"
    assert not result.results[0].fails


def test_an_unreadable_limit_is_a_located_error(registry: Registry, tmp_path: Path) -> None:
    page = TARGET_TABLE.replace("< 700MB", "small").replace("< 250MB", "< 3秒")
    result = run(page, registry, tmp_path, 開発={"size": 1.0}, 本番={"size": 1.0})
    first, second = result.results[:2]
    assert first.outcome is not None and second.outcome is not None
    assert (first.verdict.value, second.verdict.value) == ("error", "error")
    assert first.outcome.summary.startswith("guide.md:5: the limit 'small' has no comparison")
    assert "is a duration, but fake.size measures a size" in second.outcome.summary


def test_a_metric_needs_a_metric_binding_and_a_known_environment(
    registry: Registry, tmp_path: Path
) -> None:
    page = (
        "- claim <!-- check: fake.size -->\n"
        "- other <!-- metric: fake.size {env: 検証} -->\n"
        "- share <!-- metric: fake.share -->\n"
        "- judged <!-- metric: fake.share {limit: '>= 50%'} -->\n"
    )
    result = run(page, registry, tmp_path, 本番={"size": 1.0})
    summaries = [r.outcome.summary for r in result.results if r.outcome]
    assert "fake.size is a metric; bind it with <!-- metric: fake.size -->" in summaries[0]
    assert "unknown environment '検証'" in summaries[1]
    assert [r.verdict.value for r in result.results] == ["error", "error", "measured", "broken"]
    assert result.results[2].outcome is not None
    assert result.results[2].outcome.value == "42.0%"


def test_a_check_cannot_fill_environment_columns(registry: Registry, tmp_path: Path) -> None:
    page = TARGET_TABLE.replace("metric: fake.size -->", "check: fake.passes -->")
    result = run(page, registry, tmp_path, 開発={}, 本番={})
    assert result.results[0].outcome is not None
    assert "environment columns hold limits: bind a metric" in result.results[0].outcome.summary


def test_a_sentence_stating_its_own_number_is_judged_by_it_not_by_the_table(
    registry: Registry, tmp_path: Path
) -> None:
    # The guide's 効果: "初回ビルド: 5-7分" claims a range; the 目標値 table's "< 6分" is
    # another statement about the same metric, judged on its own row.
    page = TARGET_TABLE + (
        "\n## 効果\n\n"
        "- イメージ: 約250MB <!-- metric: fake.size {env: 本番} -->\n"
        "- イメージ <!-- metric: fake.size {env: 本番} -->\n"
    )
    result = run(page, registry, tmp_path, 開発={"size": 600e6}, 本番={"size": 260e6})
    about, bare = result.results[-2:]
    assert (about.item.limit, about.verdict.value) == (None, "verified")  # 260MB is 約250MB
    assert about.stated is not None and about.stated.text == "約250MB"
    assert (bare.item.limit, bare.verdict.value) == ("< 250MB", "broken")
