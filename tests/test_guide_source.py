"""The site's guide page is the author's guide plus bindings and marked site notes, nothing else.

`guide/docker-strategy.ja.md` is the source of truth; `docs/index.md` is derived from it (see
guide/README.md for the three kinds of change the page may make).
"""

from __future__ import annotations

import difflib
import re

from tests.paths import ORIGINAL_GUIDE, ROOT

BINDING = re.compile(r"\s*<!--.*?-->")
SITE_NOTE = '!!! note "このサイトによる注記'
LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
REMARK = re.compile(r"\s*<small>.*?</small>")


def _lines(text: str) -> list[str]:
    """Non-blank lines, stripped: blank lines and code indentation may change for rendering."""
    stripped = (BINDING.sub("", line).strip() for line in text.splitlines())
    return [line for line in stripped if line]


def _note_blocks(derived_text: str) -> set[str]:
    """Every non-blank line that belongs to a site note (its title and indented body)."""
    lines: set[str] = set()
    inside = False
    for raw in derived_text.splitlines():
        if raw.startswith(SITE_NOTE):
            inside = True
        elif inside and raw.strip() and not raw.startswith((" ", "\t")):
            inside = False
        if inside and raw.strip():
            lines.add(raw.strip())
    return lines


def departures(original_text: str, derived_text: str) -> list[str]:
    """Every change the page makes to the author's text that is not one of the allowed kinds."""
    original = _lines(original_text)
    derived = _lines(derived_text)
    notes = _note_blocks(derived_text)
    unexplained: list[str] = []
    matcher = difflib.SequenceMatcher(a=original, b=derived, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        added = derived[b0:b1]
        removed = original[a0:a1]
        if tag == "insert" and all(line in notes for line in added):
            continue
        if tag == "replace" and len(removed) == len(added):
            # A link to a document the site does not carry becomes `code` plus a remark.
            relinked = [LINK.sub(r"`\1`", line) for line in removed]
            if relinked == [REMARK.sub("", line) for line in added]:
                continue
        unexplained.append(f"guide lines {a0 + 1}-{a1}: {removed!r} -> {added!r}")
    return unexplained


def test_the_page_is_the_authors_text_with_bindings_and_marked_notes() -> None:
    original = ORIGINAL_GUIDE.read_text("utf-8")
    assert len(_lines(original)) > 250, "the original guide is missing or truncated"
    found = departures(original, (ROOT / "docs" / "index.md").read_text("utf-8"))
    assert not found, "docs/index.md departs from the author's text:\n" + "\n".join(found)


def test_a_changed_word_an_unmarked_note_and_a_dropped_line_are_caught() -> None:
    original = ORIGINAL_GUIDE.read_text("utf-8")
    page = (ROOT / "docs" / "index.md").read_text("utf-8")
    assert departures(original, page.replace("非root", "root", 1))
    unmarked = page.replace(SITE_NOTE, '!!! note "注記', 1)
    assert departures(original, unmarked)
    first_item = next(line for line in page.splitlines() if line.startswith("- [x]"))
    assert departures(original, page.replace(first_item + "\n", "", 1))
