"""Upstream expectations for the .dockerignore reader (checks/readers/dockerignore.py).

The data sits in `tests/data/oracles/dockerignore/`. Its
README.md says where each table comes from (moby/patternmatcher's Go tests). Each case has
one test id, `file:GoTestFunction:line`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from checklists.core.errors import InputError
from checks.readers._go import path_clean
from checks.readers.dockerignore import PatternMatcher, _translate, read_dockerignore
from tests.paths import ORACLES

ORACLE = ORACLES / "dockerignore"

Case = dict[str, Any]


def _load(name: str) -> Any:
    path = ORACLE / name
    if not path.is_file():
        raise FileNotFoundError(f"oracle data missing: {path} (see tests/data/oracles/)")
    return json.loads(path.read_text(encoding="utf-8"))


CASES: list[Case] = _load("cases.json")
EXTRAS: dict[str, list[Case]] = _load("extras.json")


def _ids(cases: list[Case]) -> list[str]:
    """`source:line`, with a counter suffix if two cases share a line."""
    plain = [f"{case['source']}:{case['line']}" for case in cases]
    totals = Counter(plain)
    seen: Counter[str] = Counter()
    ids = []
    for name in plain:
        seen[name] += 1
        ids.append(name if totals[name] == 1 else f"{name}#{seen[name]}")
    return ids


def _patterns(case: Case) -> list[str]:
    return list(case["patterns"]) if "patterns" in case else [case["pattern"]]


def _expected_message(case: Case) -> str:
    return "syntax error in pattern" if case["error"] == "ErrBadPattern" else case["error"]


def test_oracle_has_the_documented_size() -> None:
    assert len(CASES) == 138
    assert sum("error" in case for case in CASES) == 18
    assert len(EXTRAS["new"]) == 6
    assert len(EXTRAS["compile"]) == 21
    assert len(EXTRAS["ignorefile_readall"]) == 2


# --- cases.json: every case, MatchesOrParentMatches semantics -------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_match_case(case: Case) -> None:
    patterns = _patterns(case)
    expected = case["excluded"] if "patterns" in case else case["match"]
    error_at = case.get("error_at")

    if error_at == "new":
        with pytest.raises(InputError) as raised:
            PatternMatcher(patterns)
        assert _expected_message(case) in str(raised.value)
        return

    matcher = PatternMatcher(patterns)
    if error_at == "match":
        # Upstream: the constructor accepts it; every match call fails the same way.
        messages = []
        for _ in range(3):
            with pytest.raises(InputError) as raised:
                matcher.matches(case["path"])
            messages.append(str(raised.value))
        assert _expected_message(case) in messages[0]
        assert len(set(messages)) == 1
        return

    assert matcher.matches(case["path"]) is expected
    # Asking again gives the same answer (patterns compile lazily on first use).
    assert matcher.matches(case["path"]) is expected


# --- extras.json: new ------------------------------------------------------------------------


@pytest.mark.parametrize("case", EXTRAS["new"], ids=_ids(EXTRAS["new"]))
def test_new_case(case: Case) -> None:
    if "error" in case:
        with pytest.raises(InputError) as raised:
            PatternMatcher(case["patterns"])
        assert case["error"] in str(raised.value)
        return
    matcher = PatternMatcher(case["patterns"])
    if "pattern_count" in case:
        assert len(matcher.patterns) == case["pattern_count"]
    if "exclusions" in case:
        assert matcher.exclusions is case["exclusions"]


# --- extras.json: compile (upstream's match types and regexps) ------------------------------


@pytest.mark.parametrize("case", EXTRAS["compile"], ids=_ids(EXTRAS["compile"]))
def test_compile_case(case: Case) -> None:
    match_type, go_regexp = _translate(path_clean(case["pattern"]))
    assert match_type == case["match_type"]
    if case["regexp"] is not None:
        assert go_regexp == case["regexp"]


# --- extras.json: ignorefile.ReadAll ---------------------------------------------------------


@pytest.mark.parametrize(
    "case", EXTRAS["ignorefile_readall"], ids=_ids(EXTRAS["ignorefile_readall"])
)
def test_readall_case(case: Case) -> None:
    # A nil reader in Go yields no patterns; here that is an empty source.
    source = case["input"] if case["input"] is not None else ""
    patterns = read_dockerignore(source)
    as_go_strings = [("!" if p.exclusion else "") + p.text for p in patterns]
    assert as_go_strings == case["expected"]
    # The same text as bytes reads the same.
    assert read_dockerignore(source.encode("utf-8")) == patterns
