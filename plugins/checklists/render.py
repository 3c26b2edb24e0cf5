"""HTML for verdicts: the badge and evidence of an item, the summary, the compliance report.

Everything that comes from the target or from a check (file names, excerpts, messages) goes
through `esc`, so a file holding `<script>` is shown as text. The output is one line per
fragment, because it is spliced into Markdown-rendered HTML.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit

from checklists.bindings import Columns
from checklists.engine import ItemResult, Run
from checklists.i18n import METRIC_HINTS, TEXT, VERDICT_HINTS, VERDICT_ICONS, VERDICT_LABELS
from checklists.model import Evidence
from checklists.verdict import ORDER, Verdict


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


_STRONG = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def item_text(text: str) -> str:
    """An item's Markdown text as HTML: escaped, with its **emphasis** and `code` kept."""
    escaped = esc(text)
    escaped = _CODE.sub(lambda m: f"<code>{m[1]}</code>", escaped)
    return _STRONG.sub(lambda m: f"<strong>{m[1]}</strong>", escaped)


def anchor(result: ItemResult) -> str:
    """The id of an item's verdict element, stable across builds while the line stays."""
    return f"check-{result.item.slot}"


def badge(verdict: Verdict, lang: str, *, fails: bool = False, metric: bool = False) -> str:
    label = VERDICT_LABELS[lang][verdict]
    hint = (METRIC_HINTS[lang] if metric else {}).get(verdict) or VERDICT_HINTS[lang][verdict]
    if fails:
        hint = TEXT[lang]["hint_fails"].format(hint=hint)
    return (
        f'<span class="cl-badge cl-v-{verdict.value}" title="{esc(hint)}">'
        f'<span class="cl-icon" aria-hidden="true">{VERDICT_ICONS[verdict]}</span>'
        f"{esc(label)}</span>"
    )


def evidence_html(evidence: Iterable[Evidence]) -> str:
    parts = []
    for item in evidence:
        where = f'<code class="cl-where">{esc(item.location)}</code> ' if item.location else ""
        excerpt = (
            f'<pre class="cl-excerpt"><code>{esc(item.excerpt)}</code></pre>'
            if item.excerpt
            else ""
        )
        parts.append(f"<li>{where}{esc(item.note)}{excerpt}</li>")
    return f'<ul class="cl-evidence-list">{"".join(parts)}</ul>' if parts else ""


def item_html(result: ItemResult, lang: str) -> str:
    """The verdict of one item: a badge that opens the evidence in place."""
    text = TEXT[lang]
    outcome = result.outcome
    rows = []
    if outcome is not None:
        rows.append(f'<p class="cl-outcome">{esc(outcome.summary)}</p>')
        if outcome.value:
            rows.append(f'<p class="cl-value">{esc(text["value"])}: {esc(outcome.value)}</p>')
        rows.append(evidence_html(outcome.evidence))
    item = result.item
    if item.waiver is not None:
        by = text["waiver_by"].format(by=esc(item.waiver.by)) if item.waiver.by else ""
        waiver = text["waiver_text"].format(
            reason=esc(item.waiver.reason), until=item.waiver.until.isoformat(), by=by
        )
        rows.append(f'<p class="cl-waiver">{esc(text["waiver"])}: {waiver}</p>')
    if item.limit:
        claim = text["claim_limit"].format(limit=item.limit)
    elif item.kind != "task":
        claim = text["claim_stated"]
    else:
        claim = text["claim_ticked"] if item.claim else text["claim_open"]
    meta = f"{esc(text['claim'])}: {esc(claim)}"
    if item.check_id:
        meta += f" · {esc(text['check'])}: <code>{esc(item.check_id)}</code>"
    if item.params:
        params = ", ".join(f"{key}={value}" for key, value in sorted(item.params.items()))
        meta += f" · {esc(text['params'])}: <code>{esc(params)}</code>"
    rows.append(f'<p class="cl-meta">{meta}</p>')
    observed = ""
    if item.metric and item.kind == "claim" and outcome is not None and outcome.value:
        observed = f'<span class="cl-observed">{esc(outcome.value)}</span>'
    return (
        f"{observed}"
        f'<details class="cl-result cl-v-{result.verdict.value}" id="{anchor(result)}"'
        f' data-verdict="{result.verdict.value}">'
        f"<summary>{badge(result.verdict, lang, fails=result.fails, metric=item.metric)}</summary>"
        f'<div class="cl-evidence">{"".join(rows)}</div></details>'
    )


def worst(results: list[ItemResult]) -> Verdict:
    verdicts = {r.verdict for r in results}
    return next((v for v in ORDER if v in verdicts), Verdict.VERIFIED)


def section_badge(results: list[ItemResult], lang: str) -> str:
    """A small status beside a section heading: the worst verdict and how many hold."""
    held = sum(1 for r in results if r.verdict in (Verdict.VERIFIED, Verdict.MEASURED))
    verdict = worst(results)
    label = VERDICT_LABELS[lang][verdict]
    hint = TEXT[lang]["section_hint"].format(held=held, total=len(results), worst=label)
    return (
        f'<span class="cl-section-status cl-v-{verdict.value}" title="{esc(hint)}">'
        f'<span class="cl-icon" aria-hidden="true">{VERDICT_ICONS[verdict]}</span>'
        f"{held}/{len(results)}</span>"
    )


def counts_html(run: Run, results: list[ItemResult], lang: str) -> str:
    return "".join(
        f'<li>{badge(verdict, lang)} <span class="cl-count">{count}</span></li>'
        for verdict, count in run.counts(results).items()
    )


def summary_html(
    run: Run,
    lang: str,
    report_url: str | None,
    page: str | None = None,
    badge_url: str | None = None,
) -> str:
    """The box at the top of the guide: how many of its claims hold, then a card per section."""
    text = TEXT[lang]
    results = run.bound if page is None else [r for r in run.for_page(page) if r.item.bound]
    verified = sum(1 for r in results if r.verdict is Verdict.VERIFIED)
    headline = text["summary"].format(total=len(results), verified=verified)
    status = "fail" if any(r.fails for r in results) else "ok"
    link = (
        f' <a class="cl-report-link" href="{esc(report_url)}">{esc(text["report_link"])}</a>'
        if report_url
        else ""
    )
    image = (
        f'<img class="cl-overall-badge" src="{esc(badge_url)}" alt="{esc(text["badge_label"])}: '
        f'{verified}/{len(results)}"> '
        if badge_url
        else ""
    )
    groups: dict[str, list[ItemResult]] = {}
    for result in results:
        groups.setdefault(result.item.section or text["no_section"], []).append(result)
    cards = "".join(
        f'<li class="cl-card cl-v-{worst(group).value}"><p class="cl-card-title">'
        f"{section_badge(group, lang)} <strong>{esc(name)}</strong></p>"
        f'<ul class="cl-counts">{counts_html(run, group, lang)}</ul></li>'
        for name, group in groups.items()
    )
    grid = f'<div class="grid cards cl-cards"><ul>{cards}</ul></div>' if page is not None else ""
    return (
        f'<div class="cl-summary cl-summary-{status}" data-total="{len(results)}"'
        f' data-verified="{verified}">'
        f'<p class="cl-headline">{image}<strong>{esc(headline)}</strong>{link}</p>'
        f'<ul class="cl-counts" aria-label="{esc(text["summary_detail"])}">'
        f"{counts_html(run, results, lang)}</ul>{grid}</div>"
    )


def compliance_html(run: Run, lang: str, pages: Mapping[str, str], target_name: str) -> str:
    """The generated report page: every bound item, then the items without a binding.

    `pages` maps each page's source path to its URL relative to the report page.
    """
    text = TEXT[lang]

    def link(result: ItemResult) -> str:
        return f"{pages.get(result.item.page, '')}#{anchor(result)}"

    head = "".join(
        f'<th data-sort scope="col">{esc(text[key])}</th>'
        for key in ("col_verdict", "col_section", "col_item", "col_check", "col_evidence")
    )
    rows = []
    for result in run.bound:
        outcome = result.outcome
        evidence = ""
        if outcome is not None:
            evidence = f"<p>{esc(outcome.summary)}</p>{evidence_html(outcome.evidence)}"
        env = f" ({esc(result.item.environment)})" if result.item.environment else ""
        rows.append(
            f'<tr data-verdict="{result.verdict.value}">'
            f'<td data-sort-key="{ORDER.index(result.verdict):02d}">'
            f"{badge(result.verdict, lang, fails=result.fails)}</td>"
            f"<td>{esc(result.item.section or '')}</td>"
            f'<td data-sort-key="{esc(result.item.page)}:{result.item.line:06d}">'
            f'<a href="{esc(link(result))}">{item_text(result.item.text)}</a>{env}'
            f' <span class="cl-location">{esc(result.item.location)}</span></td>'
            f"<td><code>{esc(result.item.check_id or '')}</code></td>"
            f"<td>{evidence}</td></tr>"
        )
    present = [v for v in ORDER if any(r.verdict is v for r in run.bound)]
    buttons = "".join(
        f'<button type="button" data-verdict="{v.value}" aria-pressed="false">'
        f"{VERDICT_ICONS[v]} {esc(VERDICT_LABELS[lang][v])}</button>"
        for v in present
    )
    filters = (
        f'<div class="cl-filters" data-for="cl-compliance" role="toolbar" '
        f'aria-label="{esc(text["filter"])}"><button type="button" data-verdict="all" '
        f'aria-pressed="true">{esc(text["filter_all"])}</button>{buttons}</div>'
    )
    # Material's own wrappers: its table styling, and a scroll box on narrow screens.
    table = (
        f'{filters}<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        f'<table class="cl-compliance" id="cl-compliance"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></div>"
        if rows
        else f"<p>{esc(text['no_items'])}</p>"
    )
    unbound = [
        f'<li><span class="cl-location">{esc(r.item.location)}</span> '
        f'<a href="{esc(link(r))}">{item_text(r.item.text)}</a>'
        f"{' ' + badge(r.verdict, lang, fails=True) if r.fails else ''}</li>"
        for r in run.unbound
    ]
    unbound_html = (
        f'<ul class="cl-unbound">{"".join(unbound)}</ul>'
        if unbound
        else f"<p>{esc(text['unbound_none'])}</p>"
    )
    return (
        f'<p class="cl-intro">{esc(text["compliance_intro"].format(target=target_name))}</p>'
        f"{summary_html(run, lang, None)}{table}"
        f'<h2 id="unbound">{esc(text["unbound_title"])}</h2>{unbound_html}'
    )


SUMMARY_MARKER = "<!-- checklists:summary -->"
STYLE = "assets/checklists/checklists.css"
SCRIPT = "assets/checklists/checklists.js"
BADGE = "badges/compliance.svg"
_ASSETS = Path(__file__).parent / "assets"


def site_pages(lang: str, report: str, enabled: bool) -> dict[str, str]:
    """Site path -> content of what the plugin adds: the compliance page (the nav names it
    either way; with the checks off it says why it is empty), its stylesheet and script."""
    body = slot("compliance") if enabled else TEXT[lang]["disabled"]
    pages = {report: f"# {TEXT[lang]['compliance_title']}\n\n{body}\n"}
    if enabled:
        pages |= {name: (_ASSETS / Path(name).name).read_text("utf-8") for name in (STYLE, SCRIPT)}
    return pages


def page_urls(
    urls: Mapping[str, str], page: str, report: str, relative: Callable[[str], str]
) -> dict[str, str]:
    """The URLs a page's verdicts link to, made relative to it: every page's for the report
    page (its table links back to each item), the report's and the badge's for the others."""
    wanted = urls if page == report else {report: urls.get(report, "")}
    linked = {src: relative(url) for src, url in wanted.items() if url}
    return linked | {BADGE: relative(BADGE)}


def slot(key: str) -> str:
    """An empty span the Markdown renderer passes through untouched; filled after rendering."""
    return f'<span class="cl-slot" data-cl-slot="{esc(key)}"></span>'


Slots = dict[str, tuple[ItemResult, str]]  # slot key -> (result, role)


def place_slots(
    markdown: str,
    page: str,
    results: list[ItemResult],
    columns: Columns | None = None,
    *,
    collected: bool = False,
) -> tuple[str, Slots]:
    """Replace each binding of the page with slots for its verdict; return what fills them.

    A list item's binding becomes one slot. A table row's binding is removed and each cell
    that shows a result (a limit, a value, a status) becomes a slot. Unless `collected`
    says the Markdown is the very text the results were collected from, the page is scanned
    again, because another plugin may have changed it since: results are then matched by
    line and column, then by order.
    """
    from checklists.bindings import scan  # noqa: PLC0415 - keeps render importable alone

    by_slot = {r.item.slot: r for r in results if r.item.bound}
    in_order = [r for r in results if r.item.bound]
    items = [r.item for r in results] if collected else scan(markdown, page, columns)
    rescanned = [i for i in items if i.comment is not None]
    edits: dict[tuple[int, int, int], str] = {}
    filled: Slots = {}
    lines = markdown.splitlines(keepends=True)
    for index, item in enumerate(rescanned):
        found = by_slot.get(item.slot)
        if found is None or found.item.check_id != item.check_id:
            found = in_order[index] if index < len(in_order) else None
        if found is None or item.comment is None:
            continue
        key = found.item.slot
        if item.kind == "heading":
            # A <details> may not sit inside <h3>: the verdict goes in a block of its own.
            number = item.comment[0]
            end_of_line = len(lines[number - 1].rstrip("\r\n"))
            edits[item.comment] = ""
            edits[(number, end_of_line, end_of_line)] = f"\n\n{block_slot(key)}\n"
            filled[key] = (found, "block")
            continue
        if item.kind != "row":
            edits[item.comment] = slot(key)
            filled[key] = (found, "item")
            continue
        edits[item.comment] = ""
        for cell in item.cells:
            edits[(cell.line, cell.start, cell.end)] = slot(f"{key}:{cell.role}")
            filled[f"{key}:{cell.role}"] = (found, cell.role)
    for number, results_here in _sections(results).items():
        end_of_line = len(lines[number - 1].rstrip("\r\n"))
        key = f"section-{number}"
        edits.setdefault((number, end_of_line, end_of_line), "")
        edits[(number, end_of_line, end_of_line)] += " " + slot(key)
        filled[key] = (results_here[0], "section")
    for (number, start, end), text in sorted(edits.items(), reverse=True):
        line = lines[number - 1]
        lines[number - 1] = line[:start] + text + line[end:]
    return "".join(lines), filled


def block_slot(key: str) -> str:
    """A slot that stands as a block of its own, for verdicts that may not sit inline."""
    return f'<div class="cl-slot" data-cl-slot="{esc(key)}"></div>'


def _sections(results: list[ItemResult]) -> dict[int, list[ItemResult]]:
    """Bound results by the line of the heading they sit under (headings that bind a claim
    themselves show that claim under the heading instead)."""
    groups: dict[int, list[ItemResult]] = {}
    for result in results:
        line = result.item.section_line
        if result.item.bound and line is not None and result.item.kind != "heading":
            groups.setdefault(line, []).append(result)
    return groups


def block_html(result: ItemResult, lang: str) -> str:
    return f'<div class="cl-section-result">{item_html(result, lang)}</div>'


_WHERE = re.compile(r'<code class="cl-where">([^<]*)</code>')
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f\\\"'<>`]")
log = logging.getLogger("mkdocs.plugins.checklists")  # a name, not an import of MkDocs


def link_base(url: str) -> str | None:
    """`url` when evidence locations may link below it: an absolute http(s) URL with a host
    and no character that could leave an attribute or hide a scheme; else None. A
    `javascript:` or `data:` base would make every location a script to run on click."""
    if not url or _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def unsafe_base_warning(url: str) -> str | None:
    """The warning for a `target_url` that gets no links, or None when it is fine or unset."""
    if not url or link_base(url) is not None:
        return None
    return (
        f"target_url {url!r} is not an absolute http(s) URL: evidence locations are shown "
        "without links (set it to e.g. https://github.com/<owner>/<repo>/blob/main/)"
    )


def _linkable(path: str) -> bool:
    """A target-relative path: no absolute path, no `..` step out of the target's root."""
    return bool(path) and not path.startswith("/") and ".." not in path.split("/")


def link_locations(html_text: str, base: str) -> str:
    """Link every evidence location to the file in the target's repository (`base` is the URL
    of the target's root there, e.g. https://github.com/o/r/blob/main/); GitHub-style `#L12`.
    Only below an http(s) `base` (see `link_base`), and only target-relative paths."""
    safe = link_base(base)
    if safe is None:
        return html_text

    def link(match: re.Match[str]) -> str:
        where = html.unescape(match[1])
        path, _, line = (
            where.rpartition(":") if where.rpartition(":")[2].isdigit() else (where, "", "")
        )
        if not _linkable(path):
            return match[0]
        url = safe.rstrip("/") + "/" + quote(path) + (f"#L{line}" if line else "")
        return f'<a class="cl-where-link" href="{esc(url)}">{match[0]}</a>'

    return _WHERE.sub(link, html_text)


def fill_slots(
    html_text: str, slots: Slots, lang: str, run: Run | None = None, base: str = ""
) -> str:
    """Replace the slots with verdicts; section slots need the whole `run` for their counts;
    evidence locations link into the target's repository when `base` is set."""

    def section(result: ItemResult, lang: str) -> str:
        page = run.for_page(result.item.page) if run else [result]
        group = [r for r in page if r.item.section_line == result.item.section_line]
        return section_badge(group, lang)

    renderers = {
        "item": item_html,
        "limit": limit_html,
        "value": value_html,
        "status": status_html,
        "block": block_html,
        "section": section,
    }
    for key, (result, role) in slots.items():
        placeholder = block_slot(key) if role == "block" else slot(key)
        rendered = link_locations(renderers[role](result, lang), base)
        html_text = html_text.replace(placeholder, rendered, 1)
    return html_text


# -- table cells ----------------------------------------------------------------------------


def value_html(result: ItemResult, lang: str) -> str:
    """The observed value of a row, replacing the author's text in a value column."""
    outcome = result.outcome
    shown = "—"
    if outcome is not None and (outcome.localized.get(lang) or outcome.value):
        shown = outcome.localized.get(lang) or outcome.value or shown
    return f'<span class="cl-observed" data-verdict="{result.verdict.value}">{esc(shown)}</span>'


def status_html(result: ItemResult, lang: str) -> str:
    """The verdict of a row, replacing the author's text in a status column."""
    return item_html(result, lang)


def limit_html(result: ItemResult, lang: str) -> str:
    """An environment's limit as the author wrote it, the measured value and the verdict."""
    outcome, item = result.outcome, result.item
    observed = ""
    if outcome is not None and outcome.value:
        observed = (
            f'<span class="cl-observed">{esc(TEXT[lang]["value"])}: {esc(outcome.value)}</span> '
        )
    return (
        f'<span class="cl-limit">{esc(item.limit or "")}</span><br>{observed}'
        f"{item_html(result, lang)}{bar_svg(result, lang)}"
    )


def bar_svg(result: ItemResult, lang: str) -> str:
    """A small bar of the measured value against the limit; nothing when not measured."""
    from checklists.limits import format_quantity, parse_limit  # noqa: PLC0415

    outcome, item = result.outcome, result.item
    if outcome is None or outcome.quantity is None or not item.limit:
        return ""
    try:
        limit = parse_limit(item.limit)
    except ValueError:
        return ""
    scale = max(outcome.quantity, limit.bound.value) * 1.25 or 1.0
    width, bound = 100 * outcome.quantity / scale, 100 * limit.bound.value / scale
    label = f"{format_quantity(outcome.quantity, limit.kind)} / {limit.text}"
    return (
        f'<svg class="cl-bar cl-v-{result.verdict.value}" viewBox="0 0 100 10" width="100" '
        f'height="10" role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>'
        '<rect x="0" y="2" width="100" height="6" rx="1" fill="currentColor" opacity="0.15"/>'
        f'<rect x="0" y="2" width="{width:.1f}" height="6" rx="1" fill="currentColor"/>'
        f'<line x1="{bound:.1f}" y1="0" x2="{bound:.1f}" y2="10" stroke="currentColor" '
        'stroke-width="1.5" stroke-dasharray="2 1"/></svg>'
    )


def finish_page(
    html_text: str,
    slots: Slots,
    run: Run,
    page: str,
    urls: Mapping[str, str],
    *,
    lang: str,
    report: str,
    target: str,
    base: str = "",
) -> str:
    """A rendered page with its verdicts in place: the slots, the report page's table, and
    the summary. `urls` maps page sources (and the overall badge) to URLs relative to it."""
    html_text = fill_slots(html_text, slots, lang, run, base)
    if page == report:  # one page per build: warn once
        warning = unsafe_base_warning(base)
        if warning:
            log.warning(warning)
        table = link_locations(compliance_html(run, lang, urls, target), base)
        html_text = html_text.replace(slot("compliance"), table)
    if SUMMARY_MARKER not in html_text:
        return html_text
    summary = summary_html(run, lang, urls.get(report), page, urls.get(BADGE))
    return html_text.replace(SUMMARY_MARKER, summary)
