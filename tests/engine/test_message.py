"""Messages in two languages from one source, units as the guide writes them, and the
language of every output chosen when it is rendered."""

from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
from pathlib import Path

import pytest

from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.errors import SetupError
from checklists.core.limits import Kind, Quantity, format_quantity, stated
from checklists.core.message import Message, join, localize, quantity, tr
from checklists.core.model import Evidence, Outcome
from checklists.core.registry import Registry, parse_japanese
from checklists.core.target import Target
from checklists.core.verdict import Policy
from checklists.reports import sarif
from checklists.reports.compliance import compliance, item_json
from checklists.reports.junit import junit_xml
from tests.engine.conftest import DOC


def test_a_message_is_its_english_and_carries_its_japanese() -> None:
    message = tr("{count} files left out", "{count} ファイルを除外", count=3)
    assert message == "3 files left out" and isinstance(message, str)
    assert message.ja == "3 ファイルを除外" and message.en == "3 files left out"
    assert localize(message, "ja") == "3 ファイルを除外"
    assert localize(message, "en") == f"{message}" == "3 files left out"
    assert localize("a third party's text", "ja") == "a third party's text"
    assert localize(None, "ja") == ""
    assert json.dumps(message) == '"3 files left out"'  # reports and logs see a str
    restored = pickle.loads(pickle.dumps(message))
    assert isinstance(restored, Message) and restored.ja == message.ja


def test_parameters_are_rendered_in_the_messages_language() -> None:
    stage = tr("stage {index} ({name})", "ステージ {index} ({name})", index=1, name="runtime")
    nested = tr("{stage}: {files}", "{stage}: {files}", stage=stage, files=["a.py", "b.py"])
    assert nested == "stage 1 (runtime): a.py, b.py"
    assert nested.ja == "ステージ 1 (runtime): a.py、b.py"
    size = tr("measured {value}", "計測値 {value}", value=Quantity(2.62e8, Kind.SIZE))
    assert (size, size.ja) == ("measured 262MB", "計測値 262MB")
    slow = quantity(210, Kind.DURATION)
    assert (slow, slow.ja) == ("3.5min", "3.5分")
    joined = join([tr("a", "あ"), "b"], "; ", "。")
    assert (joined, joined.ja) == ("a; b", "あ。b")
    assert tr("{n:,} bytes", "{n:,} バイト", n=19414).ja == "19,414 バイト"
    assert Message.texts("{braces}", "{波括弧}").ja == "{波括弧}"  # finished texts stay as is


def test_plain_parameters_and_ones_that_render_per_language_mix() -> None:
    """Plain values (str, int, float, bool, None) go in as they are in both languages;
    anything else with a `localized` method still renders per language."""

    class Labelled:
        def __init__(self, raw: str) -> None:
            self.raw = raw

        def localized(self, lang: str) -> str:
            return "ラベル" if lang == "ja" else "label"

    plain = tr("{a} {b} {c} {d} {e}", "{a}・{b}・{c}・{d}・{e}", a="x", b=2, c=0.5, d=True, e=None)
    assert (plain, plain.ja) == ("x 2 0.5 True None", "x・2・0.5・True・None")
    mixed = tr("{a} {b}", "{a}・{b}", a="x", b=Labelled("raw"))
    assert (mixed, mixed.ja) == ("x label", "x・ラベル")
    with pytest.raises(ValueError, match="cannot fill"):
        tr("{0} {a}", "{0} {a}", a=1)  # plain values are checked like any other


def test_a_template_that_does_not_match_its_parameters_fails_where_it_is_made() -> None:
    with pytest.raises(ValueError, match="different parameters"):
        tr("{user} runs", "{usr} で実行", user="app")
    with pytest.raises(ValueError, match="cannot fill"):
        tr("{user} runs", "{user} で実行")


@pytest.mark.parametrize(
    ("value", "kind", "english", "japanese"),
    [
        (2.62e8, Kind.SIZE, "262MB", "262MB"),  # decimal MB, as Docker and the guide write
        (1.5e9, Kind.SIZE, "1.5GB", "1.5GB"),
        (512, Kind.SIZE, "512B", "512B"),
        (45.2, Kind.DURATION, "45.2s", "45.2秒"),
        (210, Kind.DURATION, "3.5min", "3.5分"),
        (0.5, Kind.DURATION, "0.5s", "0.5秒"),
        (13.33, Kind.PERCENT, "13.3%", "13.3%"),
    ],
)
def test_units_are_written_the_way_the_guide_writes_them(
    value: float, kind: Kind, english: str, japanese: str
) -> None:
    assert format_quantity(value, kind) == format_quantity(value, kind, "en") == english
    assert format_quantity(value, kind, "ja") == japanese
    assert Quantity(value, kind).localized("ja") == japanese


def test_what_agrees_with_a_stated_number_is_written_per_language() -> None:
    (number,) = stated("キャッシュヒット: 約2分", Kind.DURATION)
    assert number.accepted == "90s–2.5min"
    assert number.accepted_in("ja") == "90秒–2.5分"


JAPANESE_DOC = (
    DOC.format(title="Fake")
    + """
日本語: 偽のチェック

何を確認するか:
    エンジンのテスト用の偽のチェックです。

なぜ重要か:
    テストには結果を操れるチェックが必要です。

修正方法:
    直すものはありません。
"""
)


def test_the_docstring_carries_the_japanese_prose_after_its_marker() -> None:
    registry = Registry()

    def fake(target: Target) -> Outcome:
        return Outcome.passed("ok")

    fake.__doc__ = JAPANESE_DOC
    registry.check("fake.bilingual")(fake)
    spec = registry.get("fake.bilingual")
    assert spec is not None and spec.ja is not None
    assert spec.what == "A fake check for the engine's tests."  # the English stops at 日本語:
    assert spec.prose("ja").title == "偽のチェック"
    assert spec.prose("ja").fix == "直すものはありません。"
    assert spec.prose("en").title == "Fake"

    def english_only(target: Target) -> Outcome:
        return Outcome.passed("ok")

    english_only.__doc__ = DOC.format(title="Third party")
    registry.check("fake.english_only")(english_only)
    third = registry.get("fake.english_only")
    assert third is not None and third.ja is None
    assert third.prose("ja").title == "Third party"  # shown in English on a Japanese site
    broken = JAPANESE_DOC.replace("修正方法:", "直し方:")
    with pytest.raises(SetupError, match="修正方法"):
        parse_japanese(broken, "fake.py:1")


@pytest.fixture
def bilingual_run(tmp_path: Path) -> tuple[Run, Registry]:
    registry = Registry()

    def finds(target: Target) -> Outcome:
        return Outcome.failed(
            tr("the final stage runs as root", "最終ステージは root で実行"),
            Evidence(
                tr("USER root", "USER root を指定"), path="file.txt", line=1, excerpt="USER root"
            ),
        )

    finds.__doc__ = JAPANESE_DOC
    registry.check("fake.finds")(finds)
    (tmp_path / "file.txt").write_text("USER root\n", "utf-8")
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    page = "- [x] runs as a user <!-- check: fake.finds -->\n"
    run = evaluate(collect({"guide.md": page}), settings, logging.getLogger("t"), registry)
    return run, registry


def test_reports_are_written_in_the_language_they_are_asked_for(
    bilingual_run: tuple[Run, Registry],
) -> None:
    run, registry = bilingual_run
    (result,) = run.bound
    japanese, english = item_json(result, "ja"), item_json(result, "en")
    assert japanese["summary"] == "最終ステージは root で実行"
    assert japanese["evidence"][0]["note"] == "USER root を指定"
    assert english["summary"] == "the final stage runs as root"
    assert compliance(run, "t", "ja")["lang"] == "ja"
    assert "最終ステージは root で実行" in junit_xml(run, lang="ja")
    assert "the final stage runs as root" in junit_xml(run)
    specs = {spec.id: spec for spec in registry}
    logs = {lang: json.loads(sarif.sarif(run, specs, lang=lang)) for lang in ("ja", "en")}
    results = {lang: log["runs"][0]["results"][0] for lang, log in logs.items()}
    assert results["ja"]["message"]["text"].endswith("最終ステージは root で実行")
    assert results["en"]["message"]["text"].endswith("the final stage runs as root")
    assert logs["ja"]["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"] == {
        "text": "偽のチェック"
    }
    # The alert stays the same alert whatever language the report is written in.
    assert results["ja"]["partialFingerprints"] == results["en"]["partialFingerprints"]
