"""What the guide states, line by line, and whether the site checks it: the coverage.

Every list item, table row and fenced code block of a page is a statement of the guide.
Each is either checked (a binding on it, or above the block), kept as prose on purpose
(`<!-- prose: the reason -->` in the same place a binding would go), or not checked yet.
The report lists all three with `page:line`, so what the guide says and the site does not
verify is visible, and the reason each remaining line stays prose is written next to it.
Paragraphs and headings are prose by nature and not listed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checklists.core.scanner import (
    BINDING,
    COMMENT,
    FENCE,
    LIST_MARKER,
    TABLE_LINE,
    CodeTracker,
    cell_spans,
    is_delimiter,
    mask_inline_code,
)

_PROSE = re.compile(r"^\s*prose:\s*(?P<reason>.*?)\s*$", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of the guide and how the site treats it."""

    page: str
    line: int
    kind: str  # "item" (a list item), "row" (a table row) or "block" (a code block)
    text: str
    checks: tuple[str, ...] = ()  # the ids bound to it
    prose: str | None = None  # why it stays prose, as the page says

    @property
    def location(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def status(self) -> str:
        """ "checked", "prose" or "unchecked"."""
        if self.checks:
            return "checked"
        return "prose" if self.prose is not None else "unchecked"

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "line": self.line,
            "kind": self.kind,
            "text": self.text,
            "status": self.status,
            "checks": list(self.checks),
            "prose": self.prose,
        }


def _notes(line: str) -> tuple[tuple[str, ...], str | None]:
    """The check ids bound on a line and its prose reason, if any."""
    ids: list[str] = []
    reason = None
    for match in COMMENT.finditer(mask_inline_code(line)):
        body = match["body"]
        binding = BINDING.match(body)
        if binding is not None and binding["id"]:
            ids.append(binding["id"])
        prose = _PROSE.match(body)
        if prose is not None:
            reason = prose["reason"]
    return tuple(ids), reason


def _text(line: str) -> str:
    visible = COMMENT.sub("", line).strip()
    marker = LIST_MARKER.match(visible)
    return visible[marker.end() :].strip() if marker else visible.strip("| ").strip()


def _block(page: str, number: int, lines: list[str], above: list[str]) -> Claim:
    """The claim of the code block whose fence opens on line `number`: its language and
    first line of code, bound or kept as prose by the comments right above it."""
    fence = FENCE.match(lines[number - 1])
    language = (fence["info"].strip().split() or [""])[0] if fence else ""
    ids: tuple[str, ...] = ()
    reason = None
    for comment in above:
        more, why = _notes(comment)
        ids += more
        reason = why if why is not None else reason
    first = ""
    for following in lines[number : number + 20]:
        if FENCE.match(following):
            break
        if following.strip() and not following.strip().startswith(("#", "//")):
            first = following.strip()
            break
    text = f"{language}: {first}" if language and first else language or first
    return Claim(page, number, "block", text, ids, reason)


def _rows(page: str, lines: list[str], start: int) -> list[Claim]:
    """The claims of a table's rows from line index `start` (after its delimiter row) to
    the first line that is not a table line, one per row, labelled by its first cell."""
    found = []
    index = start
    while index < len(lines) and TABLE_LINE.match(lines[index]):
        row = lines[index]
        spans = cell_spans(row)
        first = row[spans[0][0] : spans[0][1]] if spans else row
        ids, reason = _notes(row)
        label = COMMENT.sub("", first).strip()
        found.append(Claim(page, index + 1, "row", label, ids, reason))
        index += 1
    return found


def claims(markdown: str, page: str) -> list[Claim]:
    """Every list item, table row and code block of the page, in order."""
    lines = markdown.splitlines()
    found: list[Claim] = []
    state = CodeTracker(page)
    above: list[str] = []  # comment lines right above what comes next
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        was_code = state.fence is not None
        if state.is_code(line):
            if not was_code and state.fence is not None:  # a fence opened here
                found.append(_block(page, number, lines, above))
            above = []
            state.previous_blank = not line.strip()
            continue
        stripped = line.strip()
        if not stripped:
            state.previous_blank = True
            continue
        if COMMENT.sub("", mask_inline_code(line)).strip() == "":
            above.append(line)  # a comment alone: a binding or a reason for what follows
            continue
        above = []
        if LIST_MARKER.match(line):
            state.in_list = True
        elif not line[:1].isspace() and state.previous_blank:
            state.in_list = False
        state.previous_blank = False
        if _HEADING.match(line):
            continue
        if TABLE_LINE.match(line) and index < len(lines) and is_delimiter(lines[index]):
            rows = _rows(page, lines, index + 1)  # the header and the delimiter state nothing
            found += rows
            index += 1 + len(rows)
            continue
        marker = LIST_MARKER.match(line)
        if marker:
            ids, reason = _notes(line)
            found.append(Claim(page, number, "item", _text(line), ids, reason))
    return found


def all_claims(pages: Mapping[str, str]) -> tuple[Claim, ...]:
    return tuple(claim for page, text in sorted(pages.items()) for claim in _claims(text, page))


# `mkdocs serve` collects every page again on each rebuild; a page that did not change states
# the same claims (they are immutable), as `bindings.scan` keeps its items.
@functools.lru_cache(maxsize=256)
def _claims(markdown: str, page: str) -> tuple[Claim, ...]:
    return tuple(claims(markdown, page))


def counts(found: Iterable[Claim]) -> dict[str, int]:
    tally = {"checked": 0, "prose": 0, "unchecked": 0}
    for claim in found:
        tally[claim.status] += 1
    return tally
