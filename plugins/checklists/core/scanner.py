"""How a Markdown page is read line by line, shared by the bindings (`bindings.py`) and the
coverage of the guide's statements (`claims.py`): list markers, fences, HTML comments and
the bindings in them, table rows and their cells, and which lines are code.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
COMMENT = re.compile(r"<!--(?P<body>.*?)-->")
BINDING = re.compile(r"^\s*(?P<kind>check|metric):\s*(?P<id>\S*)(?P<rest>.*?)\s*$", re.DOTALL)
TABLE_LINE = re.compile(r"^ {0,3}\|")
DELIMITER_CELL = re.compile(r"^:?-+:?$")


def mask_inline_code(line: str) -> str:
    """The line with every inline code span (CommonMark backtick rules) blanked out."""
    if "`" not in line:
        return line
    masked = list(line)
    position = 0
    while (start := line.find("`", position)) != -1:
        run = len(line[start:]) - len(line[start:].lstrip("`"))
        closer = re.compile(rf"(?<!`)`{{{run}}}(?!`)")
        match = closer.search(line, start + run)
        if match is None:
            position = start + run
            continue
        for index in range(start, match.end()):
            masked[index] = " "
        position = match.end()
    return "".join(masked)


@dataclass
class CodeTracker:
    """Line-by-line state of fences and indented code: which lines are code, not text."""

    page: str
    fence: str | None = None
    previous_blank: bool = True
    in_list: bool = False

    def is_code(self, line: str) -> bool:
        """Track fences and indented code; True when `line` is code, not Markdown text."""
        fence_match = FENCE.match(line)
        if self.fence is not None:
            if (
                fence_match
                and fence_match["fence"].startswith(self.fence)
                and not fence_match["info"].strip()
            ):
                self.fence = None
            return True
        if fence_match and not (fence_match["fence"][0] == "`" and "`" in fence_match["info"]):
            self.fence = fence_match["fence"]
            return True
        expanded = line.expandtabs(4)
        indented = len(expanded) - len(expanded.lstrip(" ")) >= 4 and expanded.strip() != ""
        return indented and self.previous_blank and not self.in_list


def is_delimiter(line: str) -> bool:
    cells = [line[a:b] for a, b in cell_spans(line)]
    return bool(cells) and all(DELIMITER_CELL.match(cell.replace(" ", "")) for cell in cells)


def cell_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's trimmed text; pipes in inline code or escaped don't split."""
    masked = mask_inline_code(line)
    bars = [i for i, char in enumerate(masked) if char == "|" and masked[i - 1 : i] != "\\"]
    if not bars:
        return []
    edges = bars if masked[: bars[0]].strip() == "" else [-1, *bars]
    if masked[edges[-1] + 1 :].strip():
        edges = [*edges, len(line)]
    spans = []
    for left, right in itertools.pairwise(edges):
        cell = line[left + 1 : right]
        start = left + 1 + len(cell) - len(cell.lstrip())
        spans.append((start, start + len(cell.strip())))
    return spans
