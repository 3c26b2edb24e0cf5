"""Every verdict read by hand on the real-repository corpus, against the checks' verdict.

One test per (repository, item): see `bench/agreement.py` for how a repository's verdict is
folded from the images it ships (`tests/data/corpus/services.yaml`). The cases the checks still
get wrong are listed in `tests/corpus_known_misses.yaml` with what goes wrong; they run as
strict expected failures, so fixing one makes its test fail until its line is removed, and a
new miss fails at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.agreement import (
    CORPUS,
    ITEMS,
    Case,
    Evaluator,
    cases,
    classify,
    images,
    repository_roots,
    repository_sources,
    select,
)
from tests.paths import ROOT

KNOWN_MISSES = ROOT / "tests" / "corpus_known_misses.yaml"
CASES = cases()
EVALUATOR: list[Evaluator] = []  # built on first use: collection stays cheap


def evaluator() -> Evaluator:
    if not EVALUATOR:
        EVALUATOR.append(Evaluator())
    return EVALUATOR[0]


def known_misses() -> dict[str, dict[str, str]]:
    data: Any = yaml.safe_load(KNOWN_MISSES.read_text("utf-8")) if KNOWN_MISSES.is_file() else {}
    return (data or {}).get("misses") or {}


def params() -> list[Any]:
    misses = known_misses()
    found = []
    for case in CASES:
        reason = misses.get(case.repository, {}).get(case.item)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        found.append(pytest.param(case, id=f"{case.repository}:{case.item}", marks=marks))
    return found


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 226, "the corpus manifest is missing or was cut"
    assert {case.item for case in CASES} <= set(ITEMS)
    shipped = images()
    roots = repository_roots()
    for case in CASES:
        assert shipped.get(case.repository), f"services.yaml lists no image of {case.repository}"
    for folder, listed in shipped.items():
        for image in listed:
            repository = roots[folder]
            assert (repository / image.dockerfile).is_file(), (folder, image.dockerfile)
            if "<" not in image.context:  # '<...>': generated at build time (services.yaml)
                assert (repository / image.context).is_dir(), (folder, image.context)


def test_cases_can_be_selected_by_manifest() -> None:
    sources = repository_sources()
    extra_manifest = yaml.safe_load((CORPUS / "extra-repos" / "MANIFEST.yaml").read_text("utf-8"))
    extra = {entry["folder"] for entry in extra_manifest["repositories"]}
    assert extra and {sources[name] for name in extra} == {"extra"}
    assert {case.repository for case in CASES} <= set(sources)
    held_out = select(CASES, source="extra", sources=sources)
    tuned = select(CASES, source="real", sources=sources)
    assert {case.repository for case in held_out} == extra
    assert not extra & {case.repository for case in tuned}
    assert len(held_out) + len(tuned) == len(CASES)
    only = select(CASES, items=["healthcheck"], source="extra", sources=sources)
    assert only and {case.item for case in only} == {"healthcheck"} and set(only) <= set(held_out)
    assert select(CASES) == CASES
    with pytest.raises(ValueError):
        select(CASES, source="extra")


def test_known_misses_name_real_cases() -> None:
    names = {(case.repository, case.item) for case in CASES}
    for repository, items in known_misses().items():
        for item in items:
            assert (repository, item) in names, f"{repository}:{item} is not a corpus case"


@pytest.mark.parametrize("case", params())
def test_verdict_agrees_with_the_reading(case: Case) -> None:
    answer = evaluator().answer(case)
    detail = "\n".join(
        f"  {label}: {value}: {summary}" for label, value, summary in answer.per_image
    )
    kind = classify(case.expected, answer.value)
    assert answer.value == case.expected, (
        f"{kind}: expected {case.expected}, the checks say {answer.value}\n"
        f"  why: {case.why}\n{detail}"
    )


def test_corrections_give_their_reason() -> None:
    path: Path = CORPUS / "corrections.yaml"
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    for repository, items in (data.get("corrections") or {}).items():
        for item, fixed in items.items():
            assert fixed["value"] in {"pass", "fail", "unknown"}, (repository, item)
            assert len(fixed.get("reason", "")) > 20, f"{repository}:{item} needs a reason"
