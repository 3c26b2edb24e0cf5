"""Every check speaks both languages: its sample outcomes rendered in Japanese are Japanese,
rendered in English are English, and its catalog prose exists in both.

The samples are the ones `test_samples` judges (`tests/fixtures/checks/...`); here each
outcome's summary, evidence notes and value are rendered with `localize` the way the site
and the reports render them. A summary is always a `Message` (English and Japanese from one
source); its Japanese must hold Japanese words and no English sentence (`tests/language.py`):
the target's own names, paths, commands and excerpts may stay as they are. A note or value
is either a `Message` (held to the same rule) or a plain `str` that is the same in every
language (a setting as written, `package-ecosystem docker, directory /backend`), which must
then hold no English sentence. One exception is named: the words of a reader that could not
parse a file, when they are a plain `str` (a third-party check's reader; the project's own
readers speak both languages, `test_reader_errors`), are kept as the parser says them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checklists.core.message import Message, localize
from checklists.core.model import Outcome, Status
from checklists.core.registry import JA_SECTIONS, REGISTRY, CheckSpec
from tests.checks.test_samples import cases, run_case
from tests.language import JAPANESE, english_runs, is_english

READ_ERROR = "読み取りエラー: "


def texts(outcome: Outcome) -> list[tuple[str, str]]:
    """(what, text) of everything a reader is shown: the summary, each note, the value."""
    shown = [("summary", outcome.summary)]
    shown += [(f"evidence {n}", e.note) for n, e in enumerate(outcome.evidence)]
    if outcome.value:
        shown.append(("value", outcome.value))
    return shown


def parser_words(outcome: Outcome) -> list[str]:
    """A reader's own diagnostics in an error outcome (see the module's docstring)."""
    if outcome.status is not Status.ERROR:
        return []
    return [
        e.note.en
        for e in outcome.evidence
        if isinstance(e.note, Message) and e.note.ja == READ_ERROR + e.note.en
    ]


@pytest.mark.parametrize(("check_id", "expected", "case"), cases())
def test_sample_outcomes_are_japanese_in_japanese(check_id: str, expected: str, case: Path) -> None:
    outcome, _ = run_case(check_id, case)
    kept = parser_words(outcome)
    assert isinstance(outcome.summary, Message), "a summary says what it says in both languages"
    for what, text in texts(outcome):
        japanese = localize(text, "ja")
        judged = japanese
        for words in kept:
            judged = judged.replace(words, " ")
        assert not english_runs(judged), (what, japanese, english_runs(judged))
        # Translated: Japanese words in it (a value may be a number: "262MB", "3.5分").
        if isinstance(text, Message) and what != "value":
            assert JAPANESE.search(japanese), (what, japanese)


@pytest.mark.parametrize(("check_id", "expected", "case"), cases())
def test_sample_outcomes_are_english_in_english(check_id: str, expected: str, case: Path) -> None:
    outcome, _ = run_case(check_id, case)
    for what, text in texts(outcome):
        english = localize(text, "en")
        assert is_english(english), (what, english)
        if what == "summary":
            assert english == str(text), "the English is the str itself, for logs and old code"


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.id)
def test_every_check_has_its_prose_in_both_languages(spec: CheckSpec) -> None:
    assert spec.ja is not None, f"{spec.id}: the docstring has no '日本語:' part with {JA_SECTIONS}"
    english, japanese = spec.prose("en"), spec.prose("ja")
    assert english.title == spec.title and japanese == spec.ja
    for part in ("title", "what", "why", "fix"):
        text = getattr(japanese, part)
        assert JAPANESE.search(text), (spec.id, part)
        # English words stay where they name something (`USER`, BuildKit, hadolint's DL3002).
        assert not english_runs(text), (spec.id, part, english_runs(text))
        if part != "title":  # the English prose is English (it may quote the guide's words)
            assert english_runs(getattr(english, part)), (spec.id, part)
