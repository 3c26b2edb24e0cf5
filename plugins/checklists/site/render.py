"""HTML for verdicts: the badge and evidence of an item, the summary, the compliance report.

Everything that comes from the target or from a check (file names, excerpts, messages) goes
through `esc`, so a file holding `<script>` is shown as text. A check's messages (summary,
evidence notes, value) are shown in the page's language (`message.localize`). The output is
one line per fragment, because it is spliced into Markdown-rendered HTML.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from checklists.core.bindings import Columns
from checklists.core.claims import counts as claim_counts
from checklists.core.engine import ItemResult, Run, headline
from checklists.core.i18n import METRIC_HINTS, TEXT, VERDICT_HINTS, VERDICT_ICONS, VERDICT_LABELS
from checklists.core.message import localize
from checklists.core.model import Evidence, Outcome, Status
from checklists.core.registry import REGISTRY
from checklists.core.verdict import ORDER, Verdict


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


def shown_value(outcome: Outcome, lang: str) -> str:
    """The outcome's observed value in `lang` (empty when it has none)."""
    return localize(outcome.value, lang)


def cell_value(outcome: Outcome, lang: str) -> str:
    """What a value column shows: the check's word for it in `lang` (`localized`: 2段階,
    実装済み), else the observed value."""
    return outcome.localized.get(lang) or shown_value(outcome, lang)


def evidence_html(evidence: Iterable[Evidence], lang: str) -> str:
    parts = []
    for item in evidence:
        where = f'<code class="cl-where">{esc(item.location)}</code> ' if item.location else ""
        excerpt = (
            f'<pre class="cl-excerpt"><code>{esc(item.excerpt)}</code></pre>'
            if item.excerpt
            else ""
        )
        parts.append(f"<li>{where}{esc(localize(item.note, lang))}{excerpt}</li>")
    return f'<ul class="cl-evidence-list">{"".join(parts)}</ul>' if parts else ""


@dataclass(frozen=True, slots=True)
class Links:
    """Where a verdict sends a reader to fix it, as URLs relative to the page shown: the
    check's 修正方法 in the catalog, and the guide's own section on it (a heading bound
    to the same check), both by check id."""

    fix: Mapping[str, str] = field(default_factory=dict)
    guide: Mapping[str, str] = field(default_factory=dict)


def fix_links(result: ItemResult, lang: str, links: Links | None) -> str:
    """The links to the fix of an item's check; nothing when there is nowhere to go."""
    check_id = result.item.check_id
    if links is None or check_id is None:
        return ""
    text, found = TEXT[lang], []
    if check_id in links.fix:
        found.append(
            f'<a class="cl-fix-link" href="{esc(links.fix[check_id])}">{esc(text["fix"])}</a>'
        )
    guide = links.guide.get(check_id)
    if guide and not guide.endswith(f"#{anchor(result)}"):  # not a link to itself
        found.append(f'<a class="cl-guide-link" href="{esc(guide)}">{esc(text["fix_guide"])}</a>')
    return f'<p class="cl-fix">{" · ".join(found)}</p>' if found else ""


_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})-(\d{2})-(\d{2})")
_MEASURED_ON = re.compile(r"^measured (\d{4}-\d{2}-\d{2})")


def author_date(result: ItemResult) -> str | None:
    """The date the author gives the item's values: a date in its section's heading, as
    written ("実測値（2025年10月8日）" gives 2025年10月8日)."""
    match = _DATE.search(result.item.section or "")
    return match[0] if match else None


def live_label(result: ItemResult, lang: str) -> str:
    """計測値 (with the day it was measured) for a metric, 観測値 for what a check read."""
    text, outcome = TEXT[lang], result.outcome
    if not result.item.metric:
        return text["value"]
    for evidence in outcome.evidence if outcome else ():
        match = _MEASURED_ON.match(evidence.note)
        if match:
            return text["dated"].format(label=text["measured_value"], date=match[1])
    return text["measured_value"]


def stated_html(result: ItemResult, lang: str) -> str:
    """The author's number beside the live one, for an item whose sentence states one."""
    number = result.stated
    if number is None:
        return ""
    text = TEXT[lang]
    rule = text["stated_rule"].format(accepted=number.accepted_in(lang))
    live = (shown_value(result.outcome, lang) if result.outcome else "") or "—"
    return (
        f'<p class="cl-compare"><span class="cl-stated">{esc(text["stated"])}: '
        f"<strong>{esc(number.text)}</strong>{esc(rule)}</span> "
        f'<span class="cl-live">{esc(live_label(result, lang))}: <strong>{esc(live)}</strong>'
        "</span></p>"
    )


def item_html(result: ItemResult, lang: str, links: Links | None = None) -> str:
    """The verdict of one item: a badge that opens the evidence in place."""
    text = TEXT[lang]
    outcome = result.outcome
    rows = []
    if outcome is not None:
        rows.append(f'<p class="cl-outcome">{esc(localize(outcome.summary, lang))}</p>')
        compare = stated_html(result, lang)
        if compare:
            rows.append(compare)
        elif outcome.value:
            label = live_label(result, lang)
            value = shown_value(outcome, lang)
            rows.append(f'<p class="cl-value">{esc(label)}: {esc(value)}</p>')
        rows.append(evidence_html(outcome.evidence, lang))
    rows.append(fix_links(result, lang, links))
    item = result.item
    if item.waiver is not None:
        by = text["waiver_by"].format(by=esc(item.waiver.by)) if item.waiver.by else ""
        waiver = text["waiver_text"].format(
            reason=esc(item.waiver.reason), until=item.waiver.until.isoformat(), by=by
        )
        rows.append(f'<p class="cl-waiver">{esc(text["waiver"])}: {waiver}</p>')
    if item.limit:
        claim = text["claim_limit"].format(limit=item.limit)
    elif item.kind == "snippet" and item.snippet is not None:
        claim = text["claim_snippet"].format(where=f"{item.page}:{item.snippet.span}")
    elif item.kind == "block" and item.snippet is not None:
        claim = text["claim_block"].format(where=f"{item.page}:{item.snippet.span}")
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
        observed = f'<span class="cl-observed">{esc(shown_value(outcome, lang))}</span>'
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
    count = headline(results)
    verdict = worst(results)
    label = VERDICT_LABELS[lang][verdict]
    hint = TEXT[lang]["section_hint"].format(held=count.held, total=count.total, worst=label)
    return (
        f'<span class="cl-section-status cl-v-{verdict.value}" title="{esc(hint)}">'
        f'<span class="cl-icon" aria-hidden="true">{VERDICT_ICONS[verdict]}</span>'
        f"{count}</span>"
    )


def legend_html(lang: str, *, open_: bool = False) -> str:
    """What each verdict means: its badge (colour, icon, label) and its explanation."""
    rows = "".join(
        f"<dt>{badge(verdict, lang)}</dt><dd>{esc(VERDICT_HINTS[lang][verdict])}</dd>"
        for verdict in ORDER
    )
    return (
        f'<details class="cl-legend"{" open" if open_ else ""}>'
        f"<summary>{esc(TEXT[lang]['legend'])}</summary><dl>{rows}</dl></details>"
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
    count = headline(results)
    verified = count.held
    title = text["summary"].format(total=count.total, verified=verified)
    status = "fail" if any(r.fails for r in results) else "ok"
    link = (
        f' <a class="cl-report-link" href="{esc(report_url)}">{esc(text["report_link"])}</a>'
        if report_url
        else ""
    )
    image = (
        f'<img class="cl-overall-badge" src="{esc(badge_url)}" alt="{esc(text["badge_label"])}: '
        f'{headline(run.bound)}"> '
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
        f'<p class="cl-headline">{image}<strong>{esc(title)}</strong>{link}</p>'
        f'<ul class="cl-counts" aria-label="{esc(text["summary_detail"])}">'
        f"{counts_html(run, results, lang)}</ul>{grid}"
        f"{legend_html(lang) if page is not None else ''}</div>"
    )


SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def severity(result: ItemResult) -> str | None:
    spec = REGISTRY.get(result.item.check_id or "")
    return spec.severity if spec is not None else None


@dataclass(frozen=True, slots=True)
class Cause:
    """One fault of the target that several items fail on: the same file:line, the same
    finding. Shown once on the report, with every item it breaks."""

    number: int
    where: Evidence
    summary: str
    results: tuple[ItemResult, ...]

    @property
    def id(self) -> str:
        return f"cause-{self.number}"


def shared_causes(run: Run) -> list[Cause]:
    """Failing outcomes that point at the same place in the target with the same summary
    and are counted under more than one item, in the order of their first item."""
    groups: dict[tuple[str, int | None, str], list[ItemResult]] = {}
    places: dict[tuple[str, int | None, str], Evidence] = {}
    for result in run.bound:
        outcome = result.outcome
        if outcome is None or outcome.status is not Status.FAIL:
            continue
        place = run.location(result)
        if place is None or place.path is None:
            continue
        key = (place.path, place.line, outcome.summary)
        groups.setdefault(key, []).append(result)
        places.setdefault(key, place)
    shared = [(key, found) for key, found in groups.items() if len(found) > 1]
    return [
        Cause(number, places[key], key[2], tuple(found))
        for number, (key, found) in enumerate(shared, start=1)
    ]


def _wrap_id(check_id: str) -> str:
    """A check id that may break after its dots and underscores, never inside a word."""
    return re.sub(r"([._])", r"\1<wbr>", esc(check_id))


def _evidence_cell(result: ItemResult, cause: Cause | None, lang: str, links: Links | None) -> str:
    """A report row's evidence: the shared cause it points to, or its own outcome; then
    the number the guide states and the links to the fix."""
    outcome = result.outcome
    if cause is not None:
        ref = TEXT[lang]["cause_ref"].format(n=cause.number, count=len(cause.results))
        evidence = (
            f'<p><a class="cl-cause-link" href="#{cause.id}">{esc(ref)}</a></p>'
            f'<p><code class="cl-where">{esc(cause.where.location)}</code> '
            f"{esc(localize(cause.summary, lang))}</p>"
        )
    elif outcome is not None:
        summary = esc(localize(outcome.summary, lang))
        evidence = f"<p>{summary}</p>{evidence_html(outcome.evidence, lang)}"
    else:
        evidence = ""
    return evidence + stated_html(result, lang) + fix_links(result, lang, links)


def _table_controls(run: Run, lang: str) -> str:
    """The report table's bars: a filter button per verdict present, and the grouping."""
    text = TEXT[lang]
    present = [v for v in ORDER if any(r.verdict is v for r in run.bound)]
    buttons = "".join(
        f'<button type="button" data-verdict="{v.value}" aria-pressed="false">'
        f'<span aria-hidden="true">{VERDICT_ICONS[v]}</span> {esc(VERDICT_LABELS[lang][v])}'
        "</button>"
        for v in present
    )
    filters = (
        f'<div class="cl-filters" data-for="cl-compliance" role="group" '
        f'aria-label="{esc(text["filter"])}"><button type="button" data-verdict="all" '
        f'aria-pressed="true">{esc(text["filter_all"])}</button>{buttons}</div>'
    )
    grouping = "".join(
        f'<button type="button" data-group="{key}" aria-pressed="{str(key == "section").lower()}">'
        f"{esc(text[label])}</button>"
        for key, label in (
            ("section", "group_section"),
            ("severity", "group_severity"),
            ("none", "group_none"),
        )
    )
    group_bar = (
        f'<div class="cl-grouping" data-for="cl-compliance" role="group" '
        f'aria-label="{esc(text["group_by"])}"><span class="cl-bar-label" aria-hidden="true">'
        f"{esc(text['group_by'])}:</span>{grouping}</div>"
    )
    return filters + group_bar


def compliance_html(
    run: Run,
    lang: str,
    pages: Mapping[str, str],
    target_name: str,
    links: Links | None = None,
) -> str:
    """The generated report page: the headline, the causes several items share, every bound
    item (grouped by section, regrouped by severity, sorted and filtered in the browser),
    then the items without a binding.

    `pages` maps each page's source path to its URL relative to the report page.
    """
    text = TEXT[lang]
    causes = shared_causes(run)
    cause_of = {id(r): cause for cause in causes for r in cause.results}

    def link(result: ItemResult) -> str:
        return f"{pages.get(result.item.page, '')}#{anchor(result)}"

    columns = (
        ("verdict", "col_verdict"),
        ("item", "col_item"),
        ("severity", "col_severity"),
        ("check", "col_check"),
        ("evidence", "col_evidence"),
    )
    head = "".join(
        f'<th scope="col" aria-sort="none" class="cl-col-{name}"><button type="button" '
        f'class="cl-sort" data-column="{index}">{esc(text[key])}</button></th>'
        if name != "evidence"
        else f'<th scope="col" class="cl-col-{name}">{esc(text[key])}</th>'
        for index, (name, key) in enumerate(columns)
    )
    labels = {name: esc(text[key]) for name, key in columns}
    sections: dict[str, int] = {}
    groups: dict[str, list[str]] = {}
    for order, result in enumerate(run.bound):
        item = result.item
        section = item.section or text["no_section"]
        sections.setdefault(section, len(sections))
        rank = severity(result)
        rank_label = text[f"severity_{rank}"] if rank else text["severity_none"]
        rank_key = SEVERITY_ORDER.index(rank) if rank in SEVERITY_ORDER else len(SEVERITY_ORDER)
        evidence = _evidence_cell(result, cause_of.get(id(result)), lang, links)
        env = f" ({esc(item.environment)})" if item.environment else ""
        if item.service is not None:
            env += f' <span class="cl-service">[{esc(item.service)}]</span>'
        groups.setdefault(section, []).append(
            f'<tr class="cl-row" data-verdict="{result.verdict.value}" data-order="{order}"'
            f' data-section="{esc(section)}" data-section-order="{sections[section]}"'
            f' data-severity="{esc(rank or "none")}" data-severity-order="{rank_key}"'
            f' data-severity-label="{esc(rank_label)}">'
            f'<td data-label="{labels["verdict"]}"'
            f' data-sort-key="{ORDER.index(result.verdict):02d}">'
            f"{badge(result.verdict, lang, fails=result.fails, metric=item.metric)}</td>"
            f'<td data-label="{labels["item"]}" data-sort-key="{esc(item.page)}:{item.line:06d}">'
            f'<a href="{esc(link(result))}">{item_text(item.text)}</a>{env}'
            f' <span class="cl-location">{esc(item.location)} · {esc(section)}</span></td>'
            f'<td data-label="{labels["severity"]}" data-sort-key="{rank_key}">'
            f"{esc(rank_label)}</td>"
            f'<td data-label="{labels["check"]}" data-sort-key="{esc(item.check_id or "")}">'
            f'<code class="cl-check-id">{_wrap_id(item.check_id or "")}</code></td>'
            f'<td data-label="{labels["evidence"]}" class="cl-evidence-cell">{evidence}</td></tr>'
        )
    count = text["group_count"]
    bodies = "".join(
        f'<tbody data-group="{esc(section)}"><tr class="cl-group-row"><th colspan="{len(columns)}"'
        f' scope="rowgroup">{esc(section)} <span class="cl-group-count">'
        f"{esc(count.format(count=len(rows)))}</span></th></tr>{''.join(rows)}</tbody>"
        for section, rows in groups.items()
    )
    table = (
        f'{_table_controls(run, lang)}<p class="cl-sort-hint">{esc(text["sort_hint"])}</p>'
        f'<div class="cl-table-wrap"><table class="cl-compliance" id="cl-compliance"'
        f' data-count="{esc(count)}"><thead><tr>{head}</tr></thead>{bodies}</table></div>'
        if groups
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
        f"{summary_html(run, lang, None)}{legend_html(lang, open_=True)}"
        f'<h2 id="causes">{esc(text["causes_title"])}</h2>{causes_html(causes, lang, link, links)}'
        f'<h2 id="items">{esc(text["items_title"])}</h2>{table}'
        f'<h2 id="unbound">{esc(text["unbound_title"])}</h2>{unbound_html}'
        f"{guide_html(run, lang, link, links)}"
    )


def guide_html(run: Run, lang: str, link: Callable[[ItemResult], str], links: Links | None) -> str:
    """The guide's own code checked against its rules, and every statement of the guide
    with how the site checks it (or why it stays prose)."""
    text = TEXT[lang]
    rows = []
    for result in run.snippets:
        item, outcome = result.item, result.outcome
        where = f"{item.page}:{item.snippet.span}" if item.snippet else item.location
        summary = esc(localize(outcome.summary, lang)) if outcome else ""
        evidence = evidence_html(outcome.evidence, lang) if outcome else ""
        rows.append(
            f'<li class="cl-snippet" data-verdict="{result.verdict.value}">'
            f"{badge(result.verdict, lang)} "
            f'<a href="{esc(link(result))}"><span class="cl-location">{esc(where)}</span></a> '
            f'<code class="cl-check-id">{_wrap_id(item.check_id or "")}</code>'
            f"<p>{summary}</p>{evidence}{fix_links(result, lang, links)}</li>"
        )
    snippets = (
        f'<ul class="cl-snippets">{"".join(rows)}</ul>'
        if rows
        else f"<p>{esc(text['snippets_none'])}</p>"
    )
    claims = ""
    if run.claims:
        tally = claim_counts(run.claims)
        head = "".join(
            f'<th scope="col">{esc(text[key])}</th>'
            for key in ("col_item", "col_kind", "col_status")
        )
        body = []
        for claim in run.claims:
            status = text[f"claim_status_{claim.status}"]
            if claim.checks:
                detail = ", ".join(f"<code>{esc(c)}</code>" for c in dict.fromkeys(claim.checks))
            else:
                detail = esc(claim.prose or "")
            body.append(
                f'<tr data-status="{claim.status}"><td><span class="cl-location">'
                f"{esc(claim.location)}</span> {item_text(claim.text)}</td>"
                f"<td>{esc(text['claim_kind_' + claim.kind])}</td>"
                f"<td><strong>{esc(status)}</strong> {detail}</td></tr>"
            )
        counted = text["claims_counts"].format(total=len(run.claims), **tally)
        claims = (
            f'<h2 id="claims">{esc(text["claims_title"])}</h2>'
            f'<p>{esc(text["claims_intro"])}</p><p class="cl-claims-counts">{esc(counted)}</p>'
            f'<div class="cl-table-wrap"><table class="cl-claims"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    return (
        f'<h2 id="guide-code">{esc(text["snippets_title"])}</h2>'
        f"<p>{esc(text['snippets_intro'])}</p>{snippets}{claims}"
    )


def causes_html(
    causes: list[Cause], lang: str, link: Callable[[ItemResult], str], links: Links | None
) -> str:
    """Each shared fault once: where, what, the excerpt, and the items it breaks."""
    text = TEXT[lang]
    if not causes:
        return f"<p>{esc(text['cause_none'])}</p>"
    affected = sum(len(cause.results) for cause in causes)
    parts = []
    for cause in causes:
        excerpt = (
            f'<pre class="cl-excerpt"><code>{esc(cause.where.excerpt)}</code></pre>'
            if cause.where.excerpt
            else ""
        )
        items = "".join(
            f"<li>{badge(r.verdict, lang, fails=r.fails, metric=r.item.metric)} "
            f'<a href="{esc(link(r))}">{item_text(r.item.text)}</a>'
            f' <span class="cl-location">{esc(r.item.location)}</span></li>'
            for r in cause.results
        )
        parts.append(
            f'<li class="cl-cause" id="{cause.id}"><p><code class="cl-where">'
            f"{esc(cause.where.location)}</code> {esc(localize(cause.summary, lang))}</p>{excerpt}"
            f"{fix_links(cause.results[0], lang, links)}"
            f'<p class="cl-cause-items">{esc(text["cause_items"].format(count=len(cause.results)))}'
            f"</p><ul>{items}</ul></li>"
        )
    intro = text["causes_intro"].format(causes=len(causes), items=affected)
    return f'<p>{esc(intro)}</p><ol class="cl-causes">{"".join(parts)}</ol>'


SUMMARY_MARKER = "<!-- checklists:summary -->"
STYLE = "assets/checklists/checklists.css"
SCRIPT = "assets/checklists/checklists.js"
BADGE = "badges/compliance.svg"
_ASSETS = Path(__file__).parent / "assets"


def site_pages(lang: str, report: str, enabled: bool) -> dict[str, str]:
    """Site path -> content of what the plugin adds: the compliance page (the nav names it
    either way; with the checks off it says why it is empty), its stylesheet and script."""
    body = slot("compliance") if enabled else TEXT[lang]["disabled"]
    # The report is a wide table: Material's table of contents would take a third of a
    # laptop's width beside it.
    front = "---\nhide:\n  - toc\n---\n\n" if enabled else ""
    pages = {report: f"{front}# {TEXT[lang]['compliance_title']}\n\n{body}\n"}
    if enabled:
        pages |= {name: (_ASSETS / Path(name).name).read_text("utf-8") for name in (STYLE, SCRIPT)}
    return pages


CATALOG = "catalog:"  # key prefix of the catalog's area pages among the page URLs


def catalog_urls(pages: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(source, URL) of the catalog's generated pages -> their URLs keyed by area
    (`catalog:dockerfile`), so verdicts can link to their check's 修正方法."""
    return {CATALOG + Path(src).stem: url for src, url in pages if Path(src).stem != "index"}


def page_urls(
    urls: Mapping[str, str], page: str, report: str, relative: Callable[[str], str]
) -> dict[str, str]:
    """The URLs a page's verdicts link to, made relative to it: every page's (the report's
    table links back to each item, a verdict to the guide's section and the catalog's fix),
    and the badge's."""
    linked = {src: relative(url) for src, url in urls.items() if url}
    return linked | {BADGE: relative(BADGE)}


def links_for(run: Run, urls: Mapping[str, str], page: str) -> Links:
    """The fix links of a page's verdicts: the catalog's 修正方法 of each check (when the
    catalog is part of the site) and the guide's section bound to the same check."""
    from checklists.site.catalog import fix_anchor  # noqa: PLC0415 - the catalog imports Markdown

    fix: dict[str, str] = {}
    guide: dict[str, str] = {}
    for result in run.bound:
        check_id = result.item.check_id
        if not check_id:
            continue
        area = urls.get(CATALOG + check_id.split(".", 1)[0])
        if area is not None:
            fix.setdefault(check_id, f"{area}#{fix_anchor(check_id)}")
        if result.item.kind == "heading":
            here = "" if result.item.page == page else urls.get(result.item.page)
            if here is not None:
                guide.setdefault(check_id, f"{here}#{anchor(result)}")
    return Links(fix, guide)


def slot(key: str) -> str:
    """An empty span the Markdown renderer passes through untouched; filled after rendering."""
    return f'<span class="cl-slot" data-cl-slot="{esc(key)}"></span>'


Slots = dict[str, tuple[ItemResult, str]]  # slot key -> (result, role)


WITHOUT_PLUGIN = re.compile(
    r"^<!-- checklists:without-plugin -->\n.*?^<!-- /checklists:without-plugin -->\n?",
    re.MULTILINE | re.DOTALL,
)


def drop_unverified_notice(markdown: str) -> str:
    """The page's notice that verdicts are missing, removed: the checks ran. A generator
    that ignores MkDocs plugins keeps it, so its page never looks verified without them."""
    # Blank lines in its place keep every later line where the bindings were found.
    return WITHOUT_PLUGIN.sub(lambda match: "\n" * match[0].count("\n"), markdown)


def worst_per_slot(results: list[ItemResult]) -> list[ItemResult]:
    """One result per binding: with several services, the worst of their verdicts (a
    failing one first), so a page never shows one service's pass over another's failure.
    The reports keep every service's result."""
    if not any(r.item.service is not None for r in results):
        return results
    rank = {verdict: n for n, verdict in enumerate(ORDER)}
    chosen: dict[tuple[int, str], ItemResult] = {}
    for result in results:
        key = (result.item.line, result.item.slot)
        known = chosen.get(key)
        worse = known is None or (not known.fails, rank.get(known.verdict, 99)) > (
            not result.fails,
            rank.get(result.verdict, 99),
        )
        if worse:
            chosen[key] = result
    return [r for r in results if chosen.get((r.item.line, r.item.slot)) is r]


def bind_slots(slots: Slots, results: list[ItemResult]) -> Slots:
    """Slots that `place_slots` laid out from a run's placeholders (`Prepared.placeholders`:
    where each result goes, before the checks ran), each given the page's result for its
    binding: with several services, the worst of theirs, as `place_slots` picks it."""
    judged = {r.item.slot: r for r in worst_per_slot(results) if r.item.bound}
    return {key: (judged[placed.item.slot], role) for key, (placed, role) in slots.items()}


# radon D: one branch per place a binding sits (heading, code block, table row, list item)
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
    from checklists.core.bindings import scan  # noqa: PLC0415 - keeps render importable alone

    results = worst_per_slot(results)
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
        if item.kind in ("block", "snippet") and item.snippet is not None:
            # The verdict on a code block goes under it, a block of its own.
            edits[item.comment] = ""
            end = item.snippet.parts[-1].end
            end_of_line = len(lines[end - 1].rstrip("\r\n")) if end <= len(lines) else 0
            place = (min(end, len(lines)), end_of_line, end_of_line)
            indent = " " * (len(lines[end - 1]) - len(lines[end - 1].lstrip(" ")))
            role = "snippet" if found.item.kind == "snippet" else "block"
            edits[place] = edits.get(place, "") + f"\n\n{indent}{block_slot(key)}\n"
            filled[key] = (found, role)
            continue
        if item.kind != "row" or not item.cells:
            edits[item.comment] = slot(key)  # a list item, or a row that is itself the claim
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
        if result.item.kind == "snippet":  # about the guide's code, not the target
            continue
        if result.item.bound and line is not None and result.item.kind != "heading":
            groups.setdefault(line, []).append(result)
    return groups


def block_html(result: ItemResult, lang: str, links: Links | None = None) -> str:
    return f'<div class="cl-section-result">{item_html(result, lang, links)}</div>'


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
    html_text: str,
    slots: Slots,
    lang: str,
    run: Run | None = None,
    base: str = "",
    *,
    links: Links | None = None,
) -> str:
    """Replace the slots with verdicts; section slots need the whole `run` for their counts;
    evidence locations link into the target's repository when `base` is set, and verdicts
    to their fix when `links` says where."""

    def section(result: ItemResult, lang: str, links: Links | None) -> str:
        page = run.for_page(result.item.page) if run else [result]
        group = [r for r in page if r.item.section_line == result.item.section_line]
        return section_badge(group, lang)

    renderers: dict[str, Callable[[ItemResult, str, Links | None], str]] = {
        "item": item_html,
        "limit": limit_html,
        "value": value_html,
        "status": status_html,
        "block": block_html,
        "section": section,
    }
    renderers["snippet"] = block_html
    for key, (result, role) in slots.items():
        placeholder = block_slot(key) if role in ("block", "snippet") else slot(key)
        rendered = renderers[role](result, lang, links)
        if role != "snippet":  # a snippet's evidence is on the guide's page, not the target
            rendered = link_locations(rendered, base)
        html_text = html_text.replace(placeholder, rendered, 1)
    return html_text


# -- table cells ----------------------------------------------------------------------------


def authors_html(result: ItemResult, role: str, lang: str) -> str:
    """What the author wrote in a value or status cell, kept beside the live result, with
    the date the author gives it (the section heading's)."""
    written = next((c.text for c in result.item.cells if c.role == role), "").strip()
    if not written:
        return ""
    text = TEXT[lang]
    date = author_date(result)
    label = text["dated"].format(label=text["stated"], date=date) if date else text["stated"]
    return f'<span class="cl-stated">{esc(label)}: {item_text(written)}</span>'


def value_html(result: ItemResult, lang: str, links: Links | None = None) -> str:
    """The observed value of a row in a value column, with the author's dated value; the
    verdict too when the table has no status column (比較表)."""
    outcome = result.outcome
    shown = "—"
    if outcome is not None:
        shown = cell_value(outcome, lang) or shown
    verdict = (
        "" if any(c.role == "status" for c in result.item.cells) else item_html(result, lang, links)
    )
    return (
        f'<span class="cl-live">{esc(live_label(result, lang))}: <span class="cl-observed"'
        f' data-verdict="{result.verdict.value}">{esc(shown)}</span></span>'
        f"{authors_html(result, 'value', lang)}{verdict}"
    )


def status_html(result: ItemResult, lang: str, links: Links | None = None) -> str:
    """The verdict of a row in a status column, with the author's dated status."""
    return f"{item_html(result, lang, links)}{authors_html(result, 'status', lang)}"


def limit_html(result: ItemResult, lang: str, links: Links | None = None) -> str:
    """An environment's limit as the author wrote it, the measured value and the verdict."""
    outcome, item = result.outcome, result.item
    observed = ""
    if outcome is not None and outcome.value:
        label = live_label(result, lang)
        value = shown_value(outcome, lang)
        observed = f'<span class="cl-observed">{esc(label)}: {esc(value)}</span> '
    return (
        f'<span class="cl-limit">{esc(item.limit or "")}</span><br>{observed}'
        f"{item_html(result, lang, links)}{bar_svg(result, lang)}"
    )


def bar_svg(result: ItemResult, lang: str) -> str:
    """A small bar of the measured value against the limit; nothing when not measured."""
    from checklists.core.limits import format_quantity, parse_limit  # noqa: PLC0415

    outcome, item = result.outcome, result.item
    if outcome is None or outcome.quantity is None or not item.limit:
        return ""
    try:
        limit = parse_limit(item.limit)
    except ValueError:
        return ""
    scale = max(outcome.quantity, limit.bound.value) * 1.25 or 1.0
    width, bound = 100 * outcome.quantity / scale, 100 * limit.bound.value / scale
    label = f"{format_quantity(outcome.quantity, limit.kind, lang)} / {limit.text}"
    return (
        f'<svg class="cl-bar cl-v-{result.verdict.value}" viewBox="0 0 100 10" width="100" '
        f'height="10" role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>'
        '<rect x="0" y="2" width="100" height="6" rx="1" fill="currentColor" opacity="0.15"/>'
        f'<rect x="0" y="2" width="{width:.1f}" height="6" rx="1" fill="currentColor"/>'
        f'<line x1="{bound:.1f}" y1="0" x2="{bound:.1f}" y2="10" stroke="currentColor" '
        'stroke-width="1.5" stroke-dasharray="2 1"/></svg>'
    )


_TASK_BOX = re.compile(r'<input type="checkbox"(?P<attrs>[^>]*?)(?P<end>\s*/?>)')


def name_checkboxes(html_text: str, lang: str) -> str:
    """The author's task-list boxes (read-only) named for screen readers: 作者のチェック:
    完了 / 未完了. Markdown gives them no label text, so they were read as nameless."""
    text = TEXT[lang]

    def named(match: re.Match[str]) -> str:
        attrs = match["attrs"]
        if "aria-label" in attrs or "disabled" not in attrs:
            return match[0]
        state = text["claim_ticked"] if re.search(r"\bchecked\b", attrs) else text["claim_open"]
        label = esc(f"{text['claim']}: {state}")
        return f'<input type="checkbox"{attrs} aria-label="{label}"{match["end"]}'

    return _TASK_BOX.sub(named, html_text)


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
    links = links_for(run, urls, page)
    html_text = fill_slots(html_text, slots, lang, run, base, links=links)
    if page == report:  # one page per build: warn once
        warning = unsafe_base_warning(base)
        if warning:
            log.warning(warning)
        table = link_locations(compliance_html(run, lang, urls, target, links), base)
        html_text = html_text.replace(slot("compliance"), table)
    html_text = name_checkboxes(html_text, lang)
    if SUMMARY_MARKER not in html_text:
        return html_text
    summary = summary_html(run, lang, urls.get(report), page, urls.get(BADGE))
    return html_text.replace(SUMMARY_MARKER, summary)
