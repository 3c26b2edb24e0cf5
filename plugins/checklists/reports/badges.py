"""Status badges drawn locally: one for the whole guide and one per section.

Each badge is a small flat SVG ("準拠 | 14/15") coloured by the worst verdict it covers,
plus a shields.io endpoint JSON with the same label, message and colour, so a README can
use either without this project calling any service. Text widths are estimated (wide for
CJK characters), which is what shields does too; no fonts are needed at build time.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata

from checklists.core.engine import ItemResult, Run, headline
from checklists.core.i18n import TEXT
from checklists.core.verdict import ORDER, Verdict
from checklists.reports import Context

# Dark enough that white 12 px text on them has a contrast of at least 4.5:1 (WCAG AA);
# the label's grey too. A test computes every pair.
COLOURS = {
    "red": "#b3261e",
    "yellow": "#7a5c00",
    "blue": "#1a5fb4",
    "green": "#1b7f3b",
    "grey": "#5f6368",
}
LABEL_COLOUR = "#555"
TEXT_COLOUR = "#fff"
FONT_SIZE = 12  # px: the smallest text the badge draws
_BY_VERDICT = {
    Verdict.ERROR: "red",
    Verdict.BROKEN: "red",
    Verdict.CONTRADICTED: "red",
    Verdict.WAIVER_EXPIRED: "red",
    Verdict.UNVERIFIED: "yellow",
    Verdict.STALE: "yellow",
    Verdict.UNBOUND: "yellow",
    Verdict.NOT_YET: "blue",
    Verdict.DONE_UNTICKED: "blue",
    Verdict.WAIVED: "blue",
}


def colour(results: list[ItemResult]) -> str:
    """The colour name of the worst verdict (failures red, missing evidence yellow, ...)."""
    verdicts = {r.verdict for r in results}
    worst = next((v for v in ORDER if v in verdicts), None)
    if worst is None:
        return "grey"
    if any(r.fails for r in results):
        return "red"
    return _BY_VERDICT.get(worst, "green")


def message(results: list[ItemResult]) -> str:
    """ "held/total", the same figure as the page's headline (`engine.headline`)."""
    return str(headline(results))


def _width(text: str) -> int:
    """Estimated width in px at FONT_SIZE: Verdana's digits are ~0.64 em, CJK 1 em."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in "WF")
    return round(FONT_SIZE * (0.64 * (len(text) - wide) + 1.0 * wide)) + 12


def svg(label: str, text: str, colour_name: str) -> str:
    """A flat badge in the shape shields.io draws, with a title for screen readers."""
    left, right = _width(label), _width(text)
    total, fill = left + right, COLOURS[colour_name]
    title = html.escape(f"{label}: {text}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/></g>'
        f'<g fill="{TEXT_COLOUR}" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
        f'Noto Sans CJK JP,sans-serif" font-size="{FONT_SIZE}">'
        f'<text x="{left / 2:g}" y="14.5">{html.escape(label)}</text>'
        f'<text x="{left + right / 2:g}" y="14.5">{html.escape(text)}</text></g></svg>\n'
    )


def endpoint(label: str, text: str, colour_name: str) -> str:
    """shields.io endpoint JSON (https://shields.io/badges/endpoint-badge), in the same
    colours as the SVG (shields takes hex colours), so both read the same."""
    data = {
        "schemaVersion": 1,
        "label": label,
        "message": text,
        "color": COLOURS[colour_name],
        "labelColor": LABEL_COLOUR,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def slug(section: str) -> str:
    """An ASCII file name for a section: its ASCII words, then a short hash of the whole title
    (Japanese headings have few ASCII words, and file names must survive any web server)."""
    words = "-".join(re.findall(r"[a-z0-9]+", section.lower()))[:40].strip("-")
    digest = hashlib.sha256(section.encode()).hexdigest()[:8]
    return f"{words}-{digest}" if words else digest


def badges(results: list[ItemResult], lang: str) -> dict[str, str]:
    """File name -> content: the overall badge and one per section, SVG and endpoint JSON."""
    label = TEXT[lang]["badge_label"]
    files: dict[str, str] = {}
    groups: dict[str, list[ItemResult]] = {}
    for result in results:
        groups.setdefault(result.item.section or "", []).append(result)
    index: dict[str, str] = {}
    for name, group in [
        ("compliance", results),
        *((f"section-{slug(s)}", g) for s, g in groups.items()),
    ]:
        shown = label if name == "compliance" else (group[0].item.section or label)
        text, colour_name = message(group), colour(group)
        files[f"{name}.svg"] = svg(shown, text, colour_name)
        files[f"{name}.json"] = endpoint(shown, text, colour_name)
        index[f"{name}.svg"] = shown
    # Which badge is which section: the names are ASCII, the labels stay in the site language.
    files["index.json"] = json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return files


def render(run: Run, context: Context) -> dict[str, str]:
    """The `badges` format: the files of the badges folder."""
    return badges(list(run.bound), context.lang)
