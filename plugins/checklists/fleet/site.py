"""Write the fleet site: static HTML in Material's look, built without MkDocs.

Why not MkDocs pages: a fleet of 4,000 repositories is 4,000 report pages. MkDocs renders
each page through Markdown and Jinja and Material writes the whole navigation into every
page, so the work grows with pages x navigation entries, and search would index every
report. Here each page is written once from the compact records (`records.Report`), in one
pass, with the same stylesheets Material ships (copied from the installed theme, so the
header, typography, tables and dark scheme look like the guide's site) plus the guide's own
verdict badges (`checklists.css`). Nothing is loaded from the network.

The matrix is one small HTML page per version and a data file (`data.js`: one character per
cell, ~200 kB for 4,000 x 45 verdicts): a script filters, sorts and pages it in the browser,
rendering 100 rows at a time, so every page stays far below 2 MB however large the fleet.
Without JavaScript the repository list (server-side pages of 1,000) opens every report.

Everything that comes from a report is escaped (`render.esc`); URLs are linked only when
they are http(s); data for the script is JSON with <, > and & escaped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checklists.core.i18n import VERDICT_ICONS, VERDICT_LABELS
from checklists.core.registry import SEVERITIES
from checklists.core.verdict import ORDER, Verdict
from checklists.fleet import svg
from checklists.fleet.model import FAIL, PASS, Fleet, Group, version_label
from checklists.fleet.records import VERDICTS, Column, Report, read_items
from checklists.fleet.text import TEXT
from checklists.site import render
from checklists.site.render import esc

ROWS_PER_LIST_PAGE = 1000
MATRIX_ROWS = 100
# Worst first, as the engine orders verdicts; the matrix sorts a column by this rank.
RANK = {verdict.value: rank for rank, verdict in enumerate(ORDER)}


@dataclass(frozen=True, slots=True)
class Stats:
    pages: int
    bytes: int
    largest_page: int
    largest_name: str


# -- the frame of every page -------------------------------------------------------------


def _material_stylesheets() -> list[Path]:
    """Material's compiled stylesheets from the installed theme (main, then palette); none
    on a core install without the theme (the fleet's own stylesheet still applies)."""
    try:
        folder = Path(str(resources.files("material"))) / "templates" / "assets" / "stylesheets"
    except ModuleNotFoundError:
        return []
    found = [
        next(iter(sorted(folder.glob(f"{name}.*.min.css"))), None) for name in ("main", "palette")
    ]
    return [path for path in found if path is not None]


def _copy_assets(site: Path) -> list[str]:
    """The stylesheets and the script into site/assets; returns the stylesheet names."""
    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    names = []
    for path in _material_stylesheets():
        target = "material-" + path.name.split(".")[0] + ".css"
        shutil.copyfile(path, assets / target)
        names.append(target)
    engine = resources.files("checklists.site").joinpath("assets", "checklists.css")
    (assets / "checklists.css").write_text(engine.read_text("utf-8"), "utf-8")
    names.append("checklists.css")
    for name in ("fleet.css", "fleet.js"):
        text = resources.files("checklists.fleet").joinpath("assets", name).read_text("utf-8")
        (assets / name).write_text(text, "utf-8")
    names.append("fleet.css")
    return names


@dataclass(frozen=True, slots=True)
class Frame:
    lang: str
    stylesheets: tuple[str, ...]
    main_matrix: str | None  # the matrix of the main version, from the site root

    def page(
        self, title: str, body: str, depth: int, *, scripts: Sequence[str] = (), wide: bool = False
    ) -> str:
        text = TEXT[self.lang]
        up = "../" * depth
        links = "".join(
            f'<link rel="stylesheet" href="{up}assets/{name}">' for name in self.stylesheets
        )
        tail = "".join(f'<script src="{esc(src)}"></script>' for src in scripts)
        nav = [(text["nav_overview"], f"{up}index.html"), (text["nav_repos"], f"{up}repos/")]
        if self.main_matrix:
            nav.insert(1, (text["nav_matrix"], f"{up}{self.main_matrix}"))
        tabs = "".join(
            f'<li class="md-tabs__item"><a class="md-tabs__link" href="{esc(href)}">'
            f"{esc(label)}</a></li>"
            for label, href in nav
        )
        grid = "md-grid fl-wide" if wide else "md-grid"
        return (
            f'<!doctype html><html lang="{self.lang}" data-md-color-scheme="default" '
            'data-md-color-primary="indigo" data-md-color-accent="indigo"><head>'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            'initial-scale=1"><link rel="icon" href="data:,">'
            f"<title>{esc(title)} - {esc(text['site'])}</title>{links}"
            f'<script src="{up}assets/fleet.js"></script></head>'
            '<body dir="ltr">'
            '<header class="md-header md-header--shadow"><nav class="md-header__inner md-grid">'
            '<div class="md-header__title"><div class="md-header__ellipsis">'
            f'<div class="md-header__topic"><span class="md-ellipsis">{esc(text["site"])}'
            "</span></div></div></div></nav></header>"
            f'<nav class="md-tabs" aria-label="{esc(text["site"])}"><div class="md-grid">'
            f'<ul class="md-tabs__list">{tabs}</ul></div></nav>'
            f'<div class="md-container"><main class="md-main"><div class="md-main__inner {grid}">'
            '<div class="md-content"><article class="md-content__inner md-typeset">'
            f"{body}</article></div></div></main>"
            '<footer class="md-footer"><div class="md-footer-meta md-typeset">'
            f'<div class="md-footer-meta__inner md-grid fl-footer">{esc(text["footer"])}</div>'
            f"</div></footer></div>{tail}</body></html>\n"
        )


# -- small pieces ------------------------------------------------------------------------


def verdict_badge(value: str, lang: str, *, fails: bool = False, metric: bool = False) -> str:
    return render.badge(Verdict(value), lang, fails=fails, metric=metric)


def severity_of(column: Column, severities: Mapping[str, str]) -> str:
    return severities.get(column.check or "", "unknown")


def _rate(passed: int, applicable: int) -> str:
    return f"{passed / applicable:.0%}" if applicable else "–"


def _ordered_counts(counts: Counter[str]) -> dict[str, int]:
    return {v.value: counts[v.value] for v in ORDER if counts[v.value]}


def _labels(lang: str) -> dict[str, str]:
    return {verdict.value: label for verdict, label in VERDICT_LABELS[lang].items()}


def _column_text(column: Column) -> str:
    where = f" [{column.environment}]" if column.environment else ""
    return f"{column.text}{where}"


def item_trend(group: Group, column: int) -> list[tuple[str, float]]:
    return [
        (point.day, point.passed[column] / point.applicable[column])
        for point in group.trend
        if point.applicable[column]
    ]


def _table(head: Sequence[str], rows: Iterable[str], css: str = "") -> str:
    cells = "".join(f'<th scope="col">{esc(cell)}</th>' for cell in head)
    return (
        f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        f'<table class="{css}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}'
        "</tbody></table></div></div>"
    )


def _when(report: Report, lang: str) -> str:
    if report.generated is None:
        return TEXT[lang]["repo_no_date"]
    return report.generated.strftime("%Y-%m-%d %H:%M UTC")


# -- the pages ---------------------------------------------------------------------------


def _paths(fleet: Fleet) -> dict[str, str]:
    return {name: f"repos/{slug}/" for name, slug in fleet.slugs.items()}


def items_table(group: Group, fleet: Fleet, lang: str, depth: int) -> str:
    text = TEXT[lang]
    labels = _labels(lang)
    up = "../" * depth
    rows = []
    for index, column in enumerate(group.columns):
        passed, applicable = group.pass_rate(index)
        counts = _ordered_counts(group.counts(index))
        title = f"{column.text}: " + ", ".join(f"{labels[v]} {n}" for v, n in counts.items())
        severity = severity_of(column, fleet.severities)
        rows.append(
            f'<tr data-section="{esc(column.section or "")}">'
            f'<td><a href="{up}items/{group.slug}/i{index}.html">'
            f"{render.item_text(_column_text(column))}</a></td>"
            f"<td>{esc(column.section or '')}</td>"
            f'<td><span class="fl-sev fl-sev-{esc(severity)}">{esc(severity)}</span></td>'
            f'<td class="fl-num">{_rate(passed, applicable)}</td>'
            f"<td>{svg.stacked_bar(counts, labels, title=title)}</td>"
            f"<td>{svg.sparkline(item_trend(group, index), title=text['series_rate'])}</td>"
            "</tr>"
        )
    head = [
        text["col_item"],
        text["col_section"],
        text["col_severity"],
        text["col_pass_rate"],
        text["col_breakdown"],
        text["col_trend"],
    ]
    return _table(head, rows, "fl-items")


def _problems(title: str, empty: str, rows: Sequence[tuple[str, str, str]], lang: str) -> str:
    text = TEXT[lang]
    if not rows:
        return f"<h2>{esc(title)}</h2><p>{esc(empty)}</p>"
    body = [
        f"<tr><td>{esc(repository)}</td><td><code>{esc(path)}</code></td><td>{esc(reason)}</td></tr>"
        for repository, path, reason in rows
    ]
    head = [text["col_repository"], text["col_path"], text["col_reason"]]
    return f"<h2>{esc(title)}</h2>" + _table(head, body, "fl-problems")


def index_page(fleet: Fleet, frame: Frame) -> str:
    lang = frame.lang
    text = TEXT[lang]
    accepted = sum(len(reports) for reports in fleet.history.values())
    stats = [
        (len(fleet.history), text["stat_repos"]),
        (accepted, text["stat_reports"]),
        (len(fleet.rejected), text["stat_rejected"]),
        (len(fleet.missing), text["stat_missing"]),
        (len(fleet.groups), text["stat_versions"]),
    ]
    cards = "".join(
        f'<div class="fl-stat"><span class="fl-stat-n">{count:,}</span>'
        f'<span class="fl-stat-l">{esc(label)}</span></div>'
        for count, label in stats
    )
    versions = [
        f"<tr><td><code>{esc(group.label)}</code></td>"
        f'<td class="fl-num">{len(group.latest):,}</td><td class="fl-num">{group.reports:,}</td>'
        f"<td>{esc(group.first or '–')} – {esc(group.last or '–')}</td>"
        f'<td><a href="matrix/{group.slug}/">{esc(text["open_matrix"])}</a></td></tr>'
        for group in fleet.groups
    ]
    body = [
        f"<h1>{esc(text['site'])}</h1><p>{esc(text['overview_intro'])}</p>",
        f'<div class="fl-stats">{cards}</div>',
        f"<h2>{esc(text['versions_title'])}</h2><p>{esc(text['versions_intro'])}</p>",
        _table(
            [
                text["col_version"],
                text["col_repos"],
                text["col_reports"],
                text["col_period"],
                "",
            ],
            versions,
            "fl-versions",
        ),
    ]
    main = next((group for group in fleet.groups if group.latest), None)
    if main is not None:
        body.append(
            f"<h2>{esc(text['items_title'].format(version=main.label))}</h2>"
            f"<p>{esc(text['items_intro'])}</p>" + items_table(main, fleet, lang, 0)
        )
    if fleet.undated:
        body.append(f"<p>{esc(text['undated'].format(count=fleet.undated))}</p>")
    body.append(
        _problems(
            text["missing_title"],
            text["missing_none"],
            [(m.repository or "", m.path, m.reason) for m in fleet.missing],
            lang,
        )
    )
    body.append(
        _problems(
            text["rejected_title"],
            text["rejected_none"],
            [(r.repository or "", r.path, r.reason) for r in fleet.rejected],
            lang,
        )
    )
    return frame.page(text["nav_overview"], "".join(body), 0)


def _script_json(value: object) -> str:
    """JSON that can sit in a script: <, > and & (and the JS line separators) escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def matrix_data(group: Group, fleet: Fleet, lang: str) -> dict[str, Any]:
    labels = VERDICT_LABELS[lang]
    return {
        "labels": TEXT[lang],
        "rowsPerPage": MATRIX_ROWS,
        "verdicts": [
            {
                "value": value,
                "label": labels[Verdict(value)],
                "icon": VERDICT_ICONS[Verdict(value)],
                "rank": RANK[value],
            }
            for value in VERDICTS
        ],
        "severities": [*SEVERITIES, "unknown"],
        "severityLabels": {"unknown": TEXT[lang]["unknown_severity"]},
        "columns": [
            {
                "text": _column_text(column),
                "section": column.section or "",
                "check": column.check or "",
                "severity": severity_of(column, fleet.severities),
                "metric": column.metric,
            }
            for column in group.columns
        ],
        "rows": [
            [
                report.repository,
                fleet.slugs[report.repository],
                list(report.teams),
                report.verdicts,
                report.generated.isoformat() if report.generated else "",
                report.fails,
                report.outcomes,
            ]
            for report in group.latest
        ],
    }


def matrix_page(group: Group, fleet: Fleet, frame: Frame) -> str:
    lang = frame.lang
    text = TEXT[lang]
    selects = "".join(
        f'<label class="fl-control">{esc(text[label])}'
        f'<select data-filter="{name}"><option value="">{esc(text["filter_all"])}</option>'
        "</select></label>"
        for name, label in (
            ("section", "filter_section"),
            ("severity", "filter_severity"),
            ("verdict", "filter_verdict"),
            ("team", "filter_team"),
        )
    )
    sorts = "".join(
        f'<option value="{value}">{esc(text[label])}</option>'
        for value, label in (
            ("name", "sort_name"),
            ("failing", "sort_failing"),
            ("date", "sort_date"),
        )
    )
    legend = " ".join(
        verdict_badge(verdict.value, lang) for verdict in ORDER if verdict is not Verdict.UNBOUND
    )
    body = (
        f"<h1>{esc(text['matrix_title'].format(version=group.label))}</h1>"
        f"<p>{esc(text['matrix_intro'])}</p>"
        f'<form class="fl-controls" data-fleet-controls>{selects}'
        f'<label class="fl-control">{esc(text["filter_name"])}'
        '<input type="search" data-filter="name" autocomplete="off"></label>'
        f'<label class="fl-control">{esc(text["sort_by"])}<select data-filter="sort">{sorts}'
        "</select></label></form>"
        '<p class="fl-shown" data-fleet-shown aria-live="polite"></p>'
        '<div class="fl-matrix-wrap" data-fleet-matrix></div>'
        '<nav class="fl-pager" data-fleet-pager>'
        f'<button type="button" data-page="prev">{esc(text["page_prev"])}</button>'
        f'<button type="button" data-page="next">{esc(text["page_next"])}</button></nav>'
        f'<noscript><p>{esc(text["noscript"])} <a href="../../repos/">'
        f"{esc(text['nav_repos'])}</a></p></noscript>"
        f'<p class="fl-legend"><strong>{esc(text["legend"])}</strong> {legend}</p>'
        f"<h2>{esc(text['items_title'].format(version=group.label))}</h2>"
        f"<p>{esc(text['items_intro'])}</p>" + items_table(group, fleet, lang, 2)
    )
    return frame.page(text["nav_matrix"], body, 2, scripts=["data.js"], wide=True)


def item_page(group: Group, index: int, fleet: Fleet, frame: Frame) -> str:
    lang = frame.lang
    text = TEXT[lang]
    column = group.columns[index]
    passed, applicable = group.pass_rate(index)
    trend = item_trend(group, index)
    chart = (
        svg.line_chart(
            [svg.Series(text["series_rate"], "fl-rate", [trend])],
            title=f"{text['item_trend']}: {column.text}",
            percent=True,
        )
        if trend
        else f"<p>{esc(text['no_trend'])}</p>"
    )
    by_verdict: dict[str, list[Report]] = {}
    for report in group.latest:
        if report.outcomes[index] != PASS:
            value = VERDICTS[ord(report.verdicts[index]) - ord("a")]
            by_verdict.setdefault(value, []).append(report)
    lists = []
    for verdict in ORDER:
        reports = by_verdict.get(verdict.value)
        if not reports:
            continue
        links = "".join(
            f'<li><a href="../../repos/{esc(fleet.slugs[r.repository])}/#i{index}">'
            f"{esc(r.repository)}</a></li>"
            for r in reports
        )
        lists.append(
            f"<h3>{verdict_badge(verdict.value, lang)} {len(reports):,}</h3>"
            f'<ul class="fl-repo-list">{links}</ul>'
        )
    details = [
        (text["col_section"], esc(column.section or "")),
        (text["col_check"], f"<code>{esc(column.check or '')}</code>"),
        (text["col_severity"], esc(severity_of(column, fleet.severities))),
        (text["col_version"], f"<code>{esc(group.label)}</code>"),
    ]
    if column.params not in ("{}", "null"):
        details.append((text["params"], f"<code>{esc(column.params)}</code>"))
    if column.limit:
        details.append((text["limit"], esc(column.limit)))
    facts = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in details)
    rate = _rate(passed, applicable)
    body = (
        f'<h1>{render.item_text(_column_text(column))}</h1><dl class="fl-facts">{facts}</dl>'
        f"<p>{esc(text['item_now'].format(passed=passed, applicable=applicable, rate=rate))}</p>"
        f"<h2>{esc(text['item_trend'])}</h2>{chart}"
        f"<h2>{esc(text['item_not_holding'])}</h2>"
        + ("".join(lists) or f"<p>{esc(text['item_all_hold'])}</p>")
    )
    return frame.page(column.text, body, 2)


def repos_pages(fleet: Fleet, frame: Frame) -> dict[str, str]:
    """The list of repositories, 1,000 per page: the way to every report without a script."""
    lang = frame.lang
    text = TEXT[lang]
    names = fleet.repositories
    pages = max(1, -(-len(names) // ROWS_PER_LIST_PAGE))
    out = {}
    for page in range(pages):
        chunk = names[page * ROWS_PER_LIST_PAGE : (page + 1) * ROWS_PER_LIST_PAGE]
        rows = []
        for name in chunk:
            report = fleet.latest(name)
            group = fleet.group_of[name]
            rows.append(
                f'<tr><td><a href="{esc(fleet.slugs[name])}/">{esc(name)}</a></td>'
                f"<td>{esc(', '.join(report.teams))}</td>"
                f"<td><code>{esc(group.label)}</code></td><td>{esc(_when(report, lang))}</td>"
                f'<td class="fl-num">{report.fails}</td></tr>'
            )
        pager = " ".join(
            f'<a href="{"index.html" if p == 0 else f"page-{p + 1}.html"}"'
            f"{' aria-current=page' if p == page else ''}>{p + 1}</a>"
            for p in range(pages)
        )
        head = [
            text["col_repository"],
            text["col_teams"],
            text["col_version"],
            text["col_date"],
            text["col_failing"],
        ]
        body = (
            f"<h1>{esc(text['repos_title'])}</h1>"
            f"<p>{esc(text['repos_page'].format(page=page + 1, pages=pages))}</p>"
            + _table(head, rows, "fl-repos")
            + (f'<nav class="fl-pager">{pager}</nav>' if pages > 1 else "")
        )
        name = "index.html" if page == 0 else f"page-{page + 1}.html"
        out[name] = frame.page(text["repos_title"], body, 1)
    return out


# -- a repository's page (rendered in worker processes for a large fleet) ----------------


@dataclass(frozen=True, slots=True)
class RepoJob:
    """Everything a repository's page needs, small enough to send to a worker."""

    path: str  # its latest report, read again for the evidence
    repository: str
    out: str
    frame: Frame
    facts: tuple[tuple[str, str], ...]  # (label, HTML) pairs
    severities: tuple[str, ...]  # per column
    source: str | None
    chart: str
    history: str
    matrix: str  # link back to the matrix


def _evidence_link(source: str | None, path: str | None, line: int | None) -> str | None:
    if not source or not path or path.startswith("/") or ".." in path.split("/"):
        return None
    return source.rstrip("/") + "/" + quote(path) + (f"#L{line}" if line else "")


def _evidence(items: list[dict[str, Any]], source: str | None) -> str:
    parts = []
    for evidence in items:
        path, line = evidence.get("path"), evidence.get("line")
        where = ""
        if path:
            shown = f"{path}:{line}" if line else str(path)
            href = _evidence_link(source, path, line)
            code = f'<code class="cl-where">{esc(shown)}</code>'
            where = f'<a href="{esc(href)}" rel="nofollow">{code}</a> ' if href else code + " "
        excerpt = evidence.get("excerpt")
        block = f'<pre class="cl-excerpt"><code>{esc(excerpt)}</code></pre>' if excerpt else ""
        parts.append(f"<li>{where}{esc(evidence.get('note', ''))}{block}</li>")
    return f'<ul class="cl-evidence-list">{"".join(parts)}</ul>' if parts else ""


def repo_page(job: RepoJob) -> tuple[str, int]:
    """Write one repository's page; returns (its file, its size in bytes)."""
    lang = job.frame.lang
    text = TEXT[lang]
    try:
        items = read_items(Path(job.path))
    except ValueError as error:  # the file changed or went away since it was validated
        items = []
        job = replace(job, history=job.history + f"<p>{esc(error)}</p>")
    sections: dict[str, list[str]] = {}
    outcomes: Counter[str] = Counter()
    for index, item in enumerate(items):
        outcomes[item["outcome"]] += 1
        badge = verdict_badge(item["verdict"], lang, fails=item["fails"], metric=item["metric"])
        extra = []
        if item.get("value"):
            extra.append(f"{esc(text['value'])}: {esc(item['value'])}")
        if item.get("limit"):
            extra.append(f"{esc(text['limit'])}: {esc(item['limit'])}")
        waiver = item.get("waiver")
        if waiver:
            extra.append(esc(text["waiver"].format(reason=waiver["reason"], until=waiver["until"])))
        where = f" [{item['environment']}]" if item.get("environment") else ""
        severity = job.severities[index] if index < len(job.severities) else "unknown"
        sections.setdefault(item.get("section") or "", []).append(
            f'<div class="fl-item" id="i{index}"><p class="fl-item-head">{badge} '
            f"<strong>{render.item_text(item['text'] + where)}</strong> "
            f'<code class="fl-check">{esc(item.get("check") or "")}</code> '
            f'<span class="fl-sev fl-sev-{esc(severity)}">{esc(severity)}</span></p>'
            f"<p>{esc(item.get('summary') or '')}</p>"
            + "".join(f'<p class="cl-meta">{part}</p>' for part in extra)
            + f'<div class="fl-evidence"><p class="cl-meta">{esc(text["evidence"])}</p>'
            f"{_evidence(item.get('evidence') or [], job.source)}</div></div>"
        )
    passed = outcomes["pass"]
    failed = outcomes["fail"]
    summary = text["repo_summary"].format(
        items=len(items), passed=passed, failed=failed, other=len(items) - passed - failed
    )
    facts = "".join(f"<dt>{esc(label)}</dt><dd>{value}</dd>" for label, value in job.facts)
    report = "".join(
        (f"<h3>{esc(section)}</h3>" if section else "") + "".join(parts)
        for section, parts in sections.items()
    )
    body = (
        f'<h1>{esc(job.repository)}</h1><dl class="fl-facts">{facts}</dl>'
        f"<p>{esc(summary)}</p>"
        f"<h2>{esc(text['repo_trend'])}</h2>{job.chart}"
        f"<h2>{esc(text['repo_history'])}</h2>{job.history}"
        f"<h2>{esc(text['repo_report'])}</h2>{report}"
    )
    html = job.frame.page(job.repository, body, 2)
    Path(job.out).parent.mkdir(parents=True, exist_ok=True)
    data = html.encode("utf-8", "replace")
    Path(job.out).write_bytes(data)
    return job.out, len(data)


def _repo_job(name: str, fleet: Fleet, frame: Frame, site: Path) -> RepoJob:
    lang = frame.lang
    text = TEXT[lang]
    reports = fleet.history[name]
    latest = reports[-1]
    group = fleet.group_of[name]
    facts = [
        (text["col_teams"], esc(", ".join(latest.teams)) or "–"),
        (
            text["repo_version"],
            f'<a href="../../matrix/{group.slug}/"><code>{esc(group.label)}</code></a>'
            + (
                f' <span class="fl-note">{esc(text["older_version"])}</span>'
                if fleet.groups and group is not fleet.groups[0]
                else ""
            ),
        ),
        (text["repo_generated"], esc(_when(latest, lang))),
    ]
    if latest.commit:
        facts.append((text["repo_commit"], f"<code>{esc(latest.commit)}</code>"))
    for label, url in (
        (text["repo_site"], latest.site),
        (text["repo_source"], latest.source),
        (text["repo_run"], latest.run if latest.run and latest.run.startswith("http") else None),
    ):
        if url:
            facts.append((label, f'<a href="{esc(url)}" rel="nofollow">{esc(url)}</a>'))
    return RepoJob(
        path=str(latest.path),
        repository=name,
        out=str(site / "repos" / fleet.slugs[name] / "index.html"),
        frame=frame,
        facts=tuple(facts),
        severities=tuple(severity_of(c, fleet.severities) for c in latest.guide.columns),
        source=latest.source,
        chart=_repo_chart(reports, lang),
        history=_repo_history(reports, fleet, lang),
        matrix=f"../../matrix/{group.slug}/",
    )


def _repo_chart(reports: Sequence[Report], lang: str) -> str:
    text = TEXT[lang]
    dated = [report for report in reports if report.day]
    if not dated:
        return f"<p>{esc(text['no_trend'])}</p>"
    passed: list[list[tuple[str, float]]] = []
    failed: list[list[tuple[str, float]]] = []
    markers = []
    version = None
    for report in dated:
        assert report.day is not None
        if report.version != version:
            if version is not None:
                markers.append((report.day, text["version_change"]))
            passed.append([])
            failed.append([])
            version = report.version
        outcomes = Counter(report.outcomes)
        passed[-1].append((report.day, float(outcomes[PASS])))
        failed[-1].append((report.day, float(outcomes[FAIL])))
    return svg.line_chart(
        [
            svg.Series(text["series_passed"], "fl-passed", passed),
            svg.Series(text["series_failed"], "fl-failed", failed),
        ],
        title=text["repo_trend"],
        percent=False,
        markers=markers,
    )


def _repo_history(reports: Sequence[Report], fleet: Fleet, lang: str) -> str:
    text = TEXT[lang]
    rows = []
    for report in reversed(reports):
        outcomes = Counter(report.outcomes)
        label = version_label(report.checks, report.guide.fingerprint)
        rows.append(
            f"<tr><td>{esc(_when(report, lang))}</td><td><code>{esc(label)}</code></td>"
            f'<td class="fl-num">{outcomes[PASS]}</td><td class="fl-num">{outcomes[FAIL]}</td>'
            f'<td class="fl-num">{report.fails}</td></tr>'
        )
    head = [
        text["col_date"],
        text["col_version"],
        text["series_passed"],
        text["series_failed"],
        text["col_failing"],
    ]
    return _table(head, rows, "fl-history")


# -- the whole site ----------------------------------------------------------------------


def fleet_json(fleet: Fleet) -> dict[str, Any]:
    """The fleet as data (the site's API): every version, repository and verdict."""
    return {
        "schema_version": 1,
        "versions": [
            {
                "version": group.version,
                "checks": group.checks,
                "guide": group.guide.fingerprint,
                "matrix": f"matrix/{group.slug}/",
                "items": [
                    {
                        "page": column.page,
                        "section": column.section,
                        "text": column.text,
                        "check": column.check,
                        "environment": column.environment,
                        "severity": severity_of(column, fleet.severities),
                        "passed": group.pass_rate(index)[0],
                        "applicable": group.pass_rate(index)[1],
                        "trend": [
                            [point.day, point.passed[index], point.applicable[index]]
                            for point in group.trend
                        ],
                    }
                    for index, column in enumerate(group.columns)
                ],
                "repositories": [
                    {
                        "repository": report.repository,
                        "page": f"repos/{fleet.slugs[report.repository]}/",
                        "teams": list(report.teams),
                        "generated": report.generated.isoformat() if report.generated else None,
                        "fails": report.fails,
                        "verdicts": [VERDICTS[ord(code) - 97] for code in report.verdicts],
                    }
                    for report in group.latest
                ],
            }
            for group in fleet.groups
        ],
        "missing": [{"repository": m.repository, "reason": m.reason} for m in fleet.missing],
        "rejected": [
            {"path": r.path, "repository": r.repository, "reason": r.reason} for r in fleet.rejected
        ],
    }


def write_site(
    fleet: Fleet,
    site: Path,
    lang: str,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Stats:
    """Build the whole site in a fresh folder beside `site`, then put it in place, so a
    server never shows half a site and a failed build leaves the previous one."""
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{site.name}.", dir=site.parent))
    try:
        _write_into(fleet, building, lang, workers, progress)
        stats = _stats(building)
        if site.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{site.name}.old.", dir=site.parent))
            site.replace(old / "site")
            building.replace(site)
            shutil.rmtree(old, ignore_errors=True)
        else:
            building.replace(site)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return stats


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "replace"))


def _write_into(
    fleet: Fleet,
    site: Path,
    lang: str,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    stylesheets = _copy_assets(site)
    main = next((group for group in fleet.groups if group.latest), None)
    frame = Frame(lang, tuple(stylesheets), f"matrix/{main.slug}/" if main else None)
    _write(site / "index.html", index_page(fleet, frame))
    for group in fleet.groups:
        folder = site / "matrix" / group.slug
        _write(folder / "index.html", matrix_page(group, fleet, frame))
        data = _script_json(matrix_data(group, fleet, lang))
        _write(folder / "data.js", f"window.FLEET_MATRIX={data};\n")
        for index in range(len(group.columns)):
            _write(
                site / "items" / group.slug / f"i{index}.html",
                item_page(group, index, fleet, frame),
            )
    for name, html in repos_pages(fleet, frame).items():
        _write(site / "repos" / name, html)
    _write(
        site / "fleet.json",
        json.dumps(fleet_json(fleet), ensure_ascii=False, sort_keys=True, indent=1) + "\n",
    )
    jobs = [_repo_job(name, fleet, frame, site) for name in fleet.repositories]
    done = 0
    if workers > 1 and len(jobs) > 50:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(repo_page, jobs, chunksize=32):
                done += 1
                if progress:
                    progress(done, len(jobs))
    else:
        for job in jobs:
            repo_page(job)
            done += 1
            if progress:
                progress(done, len(jobs))


def _stats(site: Path) -> Stats:
    pages = total = largest = 0
    largest_name = ""
    for folder, _, files in os.walk(site):
        for name in files:
            size = (Path(folder) / name).stat().st_size
            total += size
            if name.endswith(".html"):
                pages += 1
                if size > largest:
                    largest, largest_name = size, str((Path(folder) / name).relative_to(site))
    return Stats(pages, total, largest, largest_name)
