"""What the tests compare between site generators: the verdicts a built page shows, the
compliance table, the reports."""

from __future__ import annotations

import re
from pathlib import Path

REPORTS = ("compliance.json", "compliance.junit.xml", "compliance.sarif", "badges/compliance.svg")
NOTICE = "判定が表示されていません"  # the guide's own notice, removed when verdicts go in
MARKER = "checklists:without-plugin"  # the comment around it, kept in the built HTML
_DETAILS = re.compile(r'<details class="cl-(?:result|legend)[^"]*".*?</details>', re.DOTALL)
_CELLS = re.compile(r'<span class="cl-(?:limit|live|stated|observed)[^"]*"[^>]*>[^<]*')


def verdicts(page: Path) -> list[tuple[str, str]]:
    """(element id, verdict) of every verdict on a built page, in page order."""
    text = page.read_text("utf-8")
    return re.findall(r'<details class="cl-result cl-v-([a-z_]+)" id="([^"]+)"', text)


def verdict_html(page: Path) -> list[str]:
    """Every verdict element (badge, evidence, fix links) and the legend, as built."""
    return _DETAILS.findall(page.read_text("utf-8"))


def cells(page: Path) -> list[str]:
    """What the metrics tables' cells show besides the verdicts: limits, live values, the
    author's dated values."""
    return _CELLS.findall(page.read_text("utf-8"))


def summary(page: Path) -> str:
    text = page.read_text("utf-8")
    start = text.index('<div class="cl-summary')
    return text[start : text.index("</ul>", start)]


def compliance_table(site: Path) -> str:
    """The compliance page from its intro to the end of its table."""
    text = (site / "compliance" / "index.html").read_text("utf-8")
    start = text.index('<p class="cl-intro">')
    return text[start : text.index("</table>", start)]


def non_root_rule_line(root: Path) -> int:
    """The line of docs/index.md whose binding the tests break (the 非root rule's heading)."""
    lines = (root / "docs" / "index.md").read_text("utf-8").splitlines()
    return next(
        n for n, line in enumerate(lines, 1) if line.startswith("### 1. 非rootユーザー実行")
    )
