"""What the reader sees of the verdicts, in Debian's Chromium: a report that fits a phone,
a tablet and a laptop and prints whole, sorting and filtering from the keyboard, one
headline figure everywhere, legible and distinct badges with a legend, fixes one click away,
the author's dated values beside the live ones, and no serious or critical accessibility
violation (axe-core, vendored in `vendor/axe-core/`, injected from disk: no network).

Screenshots go to `test-artifacts/screenshots/` (`compliance-390.png` is the phone view of
the report, `compliance-print.png` its print view).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from checklists.core.i18n import TEXT
from checklists.core.verdict import ORDER, Verdict
from checklists.site.render import badge
from tests.browser.support import LAPTOP, PHONE, Opener, Scheme, Served, serve
from tests.browser.test_guide_in_browser import (
    MIN_CONTRAST,
    assert_legible,
    horizontal_overflow,
    verdict_badges,
)
from tests.test_site import copy_site

TABLET: ViewportSize = {"width": 768, "height": 1024}
WIDTHS = {390: PHONE, 768: TABLET, 1280: LAPTOP}
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
JA = TEXT["ja"]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built from a target whose final stage lost its USER: the guide's section
    and its checklist item both fail on the same line of the same Dockerfile."""
    tmp = tmp_path_factory.mktemp("broken")
    root = copy_site(tmp)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    from tests.test_site import build

    site = tmp / "site"
    result = build(root, site)
    assert result.returncode == 1, result.stderr  # a broken claim fails, after writing
    with serve(site) as served:
        yield served


# The font size of every element that draws text of its own inside `root` (hidden ones too).
TEXT_SIZES_JS = """
(root) => [...root.querySelectorAll('*')]
  .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((e) => [e.tagName + '.' + e.className, parseFloat(getComputedStyle(e).fontSize)])
"""


def smallest_text(root: Any) -> list[Any]:
    sizes: list[list[Any]] = root.evaluate(TEXT_SIZES_JS)
    assert sizes
    return min(sizes, key=lambda pair: pair[1])


# -- layout at every width, and in print ------------------------------------------------------

# Boxes that stick out: the table wider than its column, a cell's content wider than the
# cell, an excerpt that scrolls instead of wrapping, anything past the viewport's right edge.
OVERFLOW_JS = """
() => {
  const table = document.querySelector('table.cl-compliance');
  const wrap = table.parentElement;
  const right = document.documentElement.clientWidth;
  const out = [];
  if (table.scrollWidth > wrap.clientWidth + 1)
    out.push(`table ${table.scrollWidth} > ${wrap.clientWidth}`);
  for (const el of table.querySelectorAll('tr.cl-row td, pre.cl-excerpt, code')) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.right > right + 1) out.push(`${el.tagName} ends at ${box.right} > ${right}`);
    if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'CODE')
      out.push(`${el.tagName}.${el.className} scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return out;
}
"""


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_report_fits_the_width_with_its_evidence_in_view(
    open_page: Opener, guide: Served, width: int
) -> None:
    visit = open_page(guide, "/compliance/", viewport=WIDTHS[width])
    page = visit.page
    table = page.locator("table.cl-compliance[data-cl-ready]")
    expect(table).to_be_visible()
    assert horizontal_overflow(page) <= 0, "the report scrolls sideways"
    assert page.evaluate(OVERFLOW_JS) == []
    # The evidence (with its excerpt) is on screen, not past the right edge.
    first = table.locator("tr.cl-row").first
    evidence = first.locator("td.cl-evidence-cell")
    excerpt = evidence.locator("pre.cl-excerpt").first
    expect(excerpt).to_be_visible()
    box = excerpt.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    # Readable: no text of the report under 12 px.
    for part in ("table.cl-compliance", "details.cl-legend", ".cl-summary", ".cl-filters"):
        smallest = smallest_text(page.locator(part).first)
        assert smallest[1] >= 12, (part, smallest)
    if width == 390:  # a card per item, each cell named
        assert (
            first.locator("td").nth(1).evaluate("(td) => getComputedStyle(td, '::before').content")
            == f'"{JA["col_item"]}: "'
        )
    first.evaluate("(row) => window.scrollTo(0, row.getBoundingClientRect().top + scrollY - 120)")
    visit.screenshot(f"compliance-{width}.png")
    visit.assert_clean()


def test_the_guide_fits_a_tablet(open_page: Opener, guide: Served) -> None:
    """(Phone and laptop widths: `test_the_guide_shows_legible_badges`.)"""
    visit = open_page(guide, viewport=TABLET)
    assert horizontal_overflow(visit.page) <= 0
    visit.screenshot("guide-768.png")
    visit.assert_clean()


def test_the_report_prints_every_row_wrapped_within_the_page(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide, "/compliance/", viewport={"width": 794, "height": 1123})  # A4
    page = visit.page
    page.locator(".cl-filters button[data-verdict='not_yet']").click()  # a filter is on
    total = page.locator("tr.cl-row").count()
    assert page.locator("tr.cl-row:visible").count() < total
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("tr.cl-row:visible")).to_have_count(total)  # paper shows them all
    counts = page.locator("tr.cl-group-row .cl-group-count").all_inner_texts()
    assert sum(int(c.split()[0]) for c in counts) == total, counts
    expect(page.locator(".cl-filters")).to_be_hidden()
    expect(page.locator(".cl-grouping")).to_be_hidden()
    assert page.evaluate(OVERFLOW_JS) == []
    assert horizontal_overflow(page) <= 0
    excerpts = page.locator("tr.cl-row pre.cl-excerpt")
    assert excerpts.count() > 0
    assert set(
        excerpts.evaluate_all("(es) => es.map((e) => getComputedStyle(e.firstChild).whiteSpace)")
    ) == {"pre-wrap"}
    page.locator("table.cl-compliance").evaluate(
        "(t) => window.scrollTo(0, t.getBoundingClientRect().top + scrollY)"
    )
    visit.screenshot("compliance-print.png")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    expect(page.locator("tr.cl-row:visible")).not_to_have_count(total)  # the filter is back
    visit.assert_clean()


# -- keyboard ---------------------------------------------------------------------------------


def keys(page: Page, column: int) -> list[str]:
    found: list[str] = page.evaluate(
        """(column) => [...document.querySelectorAll('tr.cl-row')]
             .filter((row) => !row.hidden).map((row) => row.cells[column].dataset.sortKey)""",
        column,
    )
    return found


def test_sorting_filtering_and_grouping_work_from_the_keyboard(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide, "/compliance/")
    page = visit.page
    expect(page.locator("table.cl-compliance[data-cl-ready]")).to_be_visible()
    # Tab from the last grouping button reaches the first sort button: the headers are
    # buttons in the tab order, not clickable cells.
    page.locator(".cl-grouping button").last.focus()
    page.keyboard.press("Enter")  # まとめない: one list, sorted over the whole table
    expect(page.locator("tr.cl-group-row")).to_have_count(0)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('th')?.className")
    assert focused == "cl-col-verdict", focused
    header = page.locator("th.cl-col-verdict")
    expect(header).to_have_attribute("aria-sort", "none")
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    ranks = keys(page, 0)
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
    page.keyboard.press("Space")
    expect(header).to_have_attribute("aria-sort", "descending")
    assert keys(page, 0) == sorted(ranks, reverse=True)
    page.keyboard.press("Tab")  # the item column
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "none")
    expect(page.locator("th.cl-col-item")).to_have_attribute("aria-sort", "ascending")
    assert keys(page, 1) == sorted(keys(page, 1))

    # Filters are buttons too.
    button = page.locator(".cl-filters button[data-verdict='verified']")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    shown = page.locator("tr.cl-row:visible")
    assert set(shown.evaluate_all("(rows) => rows.map((r) => r.dataset.verdict)")) == {"verified"}
    every = page.locator(".cl-filters button[data-verdict='all']")
    every.focus()
    page.keyboard.press("Space")
    expect(every).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_attribute("aria-pressed", "false")
    visit.assert_clean()


def test_the_report_groups_by_section_and_by_severity(open_page: Opener, guide: Served) -> None:
    visit = open_page(guide, "/compliance/")
    page = visit.page
    groups = page.locator("tr.cl-group-row")
    sections = groups.all_inner_texts()
    assert len(sections) > 5 and sections[0].startswith("基本方針")
    assert all(re.search(r"\d+ 項目$", text) for text in sections), sections
    page.locator(".cl-grouping button[data-group='severity']").click()
    labels = [re.sub(r"\s*\d+ 項目$", "", text) for text in groups.all_inner_texts()]
    order = [JA[f"severity_{s}"] for s in ("critical", "high", "medium", "low", "info")]
    assert labels == [label for label in order if label in labels] and len(labels) >= 3
    for body in page.locator("table.cl-compliance tbody").all():
        severities = body.locator("tr.cl-row").evaluate_all(
            "(rows) => [...new Set(rows.map((r) => r.dataset.severityLabel))]"
        )
        assert len(severities) == 1 and body.locator("tr.cl-group-row").inner_text().startswith(
            severities[0]
        )
    visit.screenshot("compliance-by-severity.png")
    visit.assert_clean()


# -- one figure, readable badges, a legend ------------------------------------------------------


def test_the_headline_is_one_figure_on_the_page_the_report_the_badge_and_the_json(
    open_page: Opener, guide: Served
) -> None:
    data = json.loads((guide.site / "compliance.json").read_text("utf-8"))
    figure = f"{data['summary']['verified']}/{data['summary']['items']}"
    svg = (guide.site / "badges" / "compliance.svg").read_text("utf-8")
    assert f'aria-label="準拠: {figure}"' in svg
    headline = JA["summary"].format(
        total=data["summary"]["items"], verified=data["summary"]["verified"]
    )
    for path in ("/", "/compliance/"):
        visit = open_page(guide, path)
        expect(visit.page.locator(".cl-headline strong").first).to_have_text(headline)
        if path == "/":
            image = visit.page.locator("img.cl-overall-badge")
            expect(image).to_have_attribute("alt", f"準拠: {figure}")
            assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
        visit.assert_clean()


DISTINCT = 30  # the least RGB distance between two verdicts' colours


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_verdict_has_its_own_legible_colour_at_12px_or_more(
    open_page: Opener, guide: Served, scheme: Scheme
) -> None:
    visit = open_page(guide, scheme=scheme)
    page = visit.page
    page.evaluate(
        """(html) => {
          const p = document.createElement('p');
          p.id = 'every-verdict';
          p.innerHTML = html;
          document.querySelector('article').prepend(p);
        }""",
        "".join(badge(verdict, "ja") for verdict in Verdict),
    )
    every = verdict_badges(page, "#every-verdict .cl-badge")
    assert_legible(every)
    styles = page.locator("#every-verdict .cl-badge").evaluate_all(
        "(els) => els.map((e) => getComputedStyle(e)).map((s) => [s.color, parseFloat(s.fontSize)])"
    )
    assert min(size for _, size in styles) >= 12
    colours = {
        v.value: tuple(int(c) for c in re.findall(r"\d+", colour)[:3])
        for v, (colour, _) in zip(Verdict, styles, strict=True)
    }
    close = [
        (a, b)
        for a, b in itertools.combinations(colours, 2)
        if sum((x - y) ** 2 for x, y in zip(colours[a], colours[b], strict=True)) ** 0.5 < DISTINCT
    ]
    assert close == [], close
    statuses = page.locator(".cl-section-status").evaluate_all(
        "(els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert statuses and min(statuses) >= 12
    visit.assert_clean()


def test_the_guide_and_the_report_carry_a_legend_of_every_verdict(
    open_page: Opener, guide: Served
) -> None:
    for path in ("/", "/compliance/"):
        visit = open_page(guide, path)
        page = visit.page
        legend = page.locator("details.cl-legend").first
        expect(legend.locator("summary")).to_have_text(JA["legend"])
        if path == "/":
            expect(legend).not_to_have_attribute("open", "")
            legend.locator("summary").click()
        entries = legend.locator("dt .cl-badge")
        expect(entries).to_have_count(len(ORDER))
        found = verdict_badges(page, "details.cl-legend dt .cl-badge")
        assert [item["verdict"] for item in found] == [v.value for v in ORDER]
        assert_legible(found)
        assert all(item["contrast"] >= MIN_CONTRAST for item in found)
        expect(legend.locator("dd").nth(2)).to_contain_text("本文に書かれた数値")  # 記載と矛盾
        visit.assert_clean()


# -- fixes and causes -------------------------------------------------------------------------


def test_a_broken_claim_links_to_its_fix_and_the_guides_section(
    open_page: Opener, broken: Served
) -> None:
    visit = open_page(broken)
    page = visit.page
    item = page.locator("li.task-list-item", has_text="非rootユーザー実行")
    details = item.locator("details.cl-result.cl-v-broken")
    details.locator("summary").click()
    fix = details.locator("a.cl-fix-link")
    expect(fix).to_have_text(JA["fix"])
    guide_link = details.locator("a.cl-guide-link")
    expect(guide_link).to_have_text(JA["fix_guide"])
    href = guide_link.get_attribute("href") or ""
    guide_link.click()
    section = page.locator(f"details.cl-result[id='{href.partition('#')[2]}']")
    expect(section.locator("summary")).to_be_in_viewport()
    expect(section).to_have_class(re.compile(r"cl-v-broken"))
    expect(fix).to_be_visible()  # the item's evidence is still open above
    fix.click()
    page.wait_for_url(re.compile(r"/checks/dockerfile/#dockerfile-non-root-user-fix$"))
    target = page.locator("#dockerfile-non-root-user-fix")
    expect(target).to_have_text(JA["catalog_fix"])
    expect(target).to_be_in_viewport()
    expect(target.locator("xpath=following-sibling::p[1]")).to_contain_text("USER appuser")
    visit.screenshot("catalog-fix.png")
    visit.assert_clean()


def test_a_fault_several_items_fail_on_is_listed_once_with_its_items(
    open_page: Opener, broken: Served
) -> None:
    visit = open_page(broken, "/compliance/")
    page = visit.page
    causes = page.locator("ol.cl-causes > li.cl-cause")
    expect(causes).to_have_count(1)
    cause = causes.first
    expect(cause.locator("code.cl-where").first).to_have_text(re.compile(r"backend/Dockerfile:\d+"))
    expect(cause.locator("ul > li")).to_have_count(2)
    expect(cause.locator("a.cl-fix-link")).to_have_count(1)
    refs = page.locator("tr.cl-row a.cl-cause-link")
    expect(refs).to_have_count(2)
    expect(refs.first).to_have_text("共通の原因 1（2 項目に共通）")
    refs.first.click()
    page.wait_for_url(re.compile(r"#cause-1$"))
    expect(cause).to_be_in_viewport()
    visit.screenshot("compliance-shared-cause.png")
    visit.assert_clean()


# -- the author's values beside the live ones ---------------------------------------------------


def test_the_authors_dated_values_stay_beside_the_live_ones(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide)
    page = visit.page
    row = page.locator("tr", has_text="マルチステージ段階")
    value, status = row.locator("td").nth(1), row.locator("td").nth(2)
    expect(value.locator(".cl-live")).to_have_text("観測値: 2段階")
    expect(value.locator(".cl-stated")).to_have_text("著者の記載値（2025年10月8日）: 2段階")
    expect(status.locator(".cl-badge")).to_have_text(re.compile("検証済み"))
    expect(status.locator(".cl-stated")).to_have_text(
        "著者の記載値（2025年10月8日）: ✅ 最適化済み"
    )
    size = page.locator("tr", has_text="本番イメージサイズ")
    expect(size.locator(".cl-stated").first).to_have_text("著者の記載値（2025年10月8日）: 220MB")
    # The .dockerignore's "約80%": the author's number, what agrees with it, the reading.
    item = page.locator("li", has_text="ビルドコンテキスト削減")
    item.locator("summary").first.click()
    compare = item.locator(".cl-compare")
    expect(compare.locator(".cl-stated")).to_contain_text(
        "著者の記載値: 約80%（60.0%–100.0% なら一致）"
    )
    expect(compare.locator(".cl-live")).to_have_text(re.compile(r"計測値: \d+\.\d%"))
    expect(item.locator(".cl-outcome")).to_contain_text("本文の「約80%」と矛盾")
    for part in (row, size, item.locator(".cl-evidence")):
        smallest = smallest_text(part)
        assert smallest[1] >= 12, smallest
    row.scroll_into_view_if_needed()
    visit.screenshot("guide-authors-values.png")
    visit.assert_clean()


# -- accessibility ------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text("utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then((result) =>
             result.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
             })))"""
    )
    return found


def test_the_vendored_axe_is_the_recorded_release() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    readme = (AXE.parent / "README.md").read_text("utf-8")
    assert AXE_SHA256 in readme and "MPL" in readme and (AXE.parent / "LICENSE").is_file()


@pytest.mark.parametrize(
    ("path", "scheme", "width"),
    [
        ("/", "light", 1280),
        ("/", "dark", 1280),
        ("/compliance/", "light", 1280),
        ("/compliance/", "dark", 1280),
        ("/compliance/", "light", 390),
    ],
    ids=["guide-light", "guide-dark", "report-light", "report-dark", "report-phone"],
)
def test_axe_finds_no_serious_or_critical_violation(
    open_page: Opener, guide: Served, path: str, scheme: Scheme, width: int
) -> None:
    visit = open_page(guide, path, scheme=scheme, viewport=WIDTHS[width])
    visit.page.wait_for_load_state("networkidle")
    violations = axe_violations(visit.page)
    assert visit.page.evaluate("axe.version") == "4.14.1"  # the vendored engine ran
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    visit.assert_clean()
