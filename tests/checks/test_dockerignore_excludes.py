"""dockerignore.excludes' reading of an allow-list: which folders its `!` patterns bring back."""

from __future__ import annotations

import random

from checks.dockerignore.excludes import _literal_folder, reincluded_folders
from checks.readers.dockerignore import Pattern, PatternMatcher, read_dockerignore


def _brute_force(patterns: list[Pattern]) -> list[str]:
    """The rule, asked of every pair of patterns: a `!` folder with another pattern below."""
    found: dict[str, None] = {}
    for pattern in patterns:
        named = _literal_folder(pattern) if pattern.exclusion else None
        if named is None:
            continue
        folder, folder_form = named
        beneath = any(p is not pattern and p.text.startswith(folder + "/") for p in patterns)
        if folder_form or beneath:
            found[folder] = None
    return list(found)


def test_folders_with_patterns_beneath_are_found_as_asking_every_pair_finds_them() -> None:
    rng = random.Random(7)
    names = ["src", "app", "src/app", "src/app/static", "a", "a/b", "docs", "src/*"]
    for _ in range(300):
        lines = [
            rng.choice(["", "!"]) + rng.choice(names) + rng.choice(["", "/", "/**", "/x.py", "/*"])
            for _ in range(rng.randint(1, 8))
        ]
        patterns = read_dockerignore("\n".join(["*", *lines]))
        matcher = PatternMatcher(patterns)
        assert reincluded_folders(patterns, matcher, []) == _brute_force(patterns), lines


def test_a_pattern_is_not_beneath_its_own_folder() -> None:
    patterns = read_dockerignore("*\n!src/main.py\n!src\n")
    # `!src` names a folder only because `!src/main.py` lies below it.
    assert reincluded_folders(patterns, PatternMatcher(patterns), []) == ["src"]
    alone = read_dockerignore("*\n!src\n")
    assert reincluded_folders(alone, PatternMatcher(alone), []) == []
