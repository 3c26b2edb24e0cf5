"""The fleet site in a real browser: open the matrix, filter it, follow a cell to evidence.

The example fleet (the guide's example target, this project and the real-repository corpus)
is scanned and aggregated once per session (`tests/fleet/support.py`), served on 127.0.0.1
and opened in Debian's Chromium. Every visit asserts no console error and no request that
leaves the local server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from checklists.core.i18n import VERDICT_LABELS
from checklists.core.verdict import Verdict
from tests.browser.support import SCREENSHOTS, Opener, Served, serve
from tests.fleet.support import example_site

BROKEN = VERDICT_LABELS["ja"][Verdict.BROKEN]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(example_site(tmp_path_factory.getbasetemp())) as served:
        yield served


def matrix_rows(page: Page) -> list[str]:
    return page.locator("table.fl-matrix tbody th[scope=row]").all_inner_texts()


def open_matrix(open_page: Opener, fleet: Served) -> Page:
    visit = open_page(fleet, "/")
    page = visit.page
    page.get_by_role("link", name="マトリクス").first.click()
    expect(page.locator("table.fl-matrix")).to_be_visible()
    visit.assert_clean()
    return page


def test_the_matrix_shows_every_repository_of_the_fleet(open_page: Opener, fleet: Served) -> None:
    page = open_matrix(open_page, fleet)
    api = json.loads((fleet.site / "fleet.json").read_text("utf-8"))
    expected = sorted(r["repository"] for r in api["versions"][0]["repositories"])
    assert matrix_rows(page) == expected
    columns = page.locator("table.fl-matrix thead th.fl-col")
    assert columns.count() == len(api["versions"][0]["items"])
    expect(page.locator("[data-fleet-shown]")).to_contain_text(f"{len(expected)} 件中 1–")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "fleet-matrix.png"))


def test_filters_narrow_the_matrix_and_stay_in_the_address(
    open_page: Opener, fleet: Served
) -> None:
    page = open_matrix(open_page, fleet)
    everyone = matrix_rows(page)
    page.locator('select[data-filter="team"]').select_option("platform")
    assert matrix_rows(page) == ["docker-guide-checklists", "examples/autoforgenexus"]
    assert "team=platform" in unquote(page.url)
    page.locator('select[data-filter="team"]').select_option("")
    page.locator('select[data-filter="verdict"]').select_option("broken")
    broken = matrix_rows(page)
    assert 0 < len(broken) < len(everyone)
    assert "examples/autoforgenexus" not in broken  # its ticked claims all hold
    for row in page.locator("table.fl-matrix tbody tr").all():
        assert row.locator('td.fl-cell:not(.fl-dim) a[data-verdict="broken"]').count() > 0
    # A section filter leaves only that section's columns.
    section = page.locator('select[data-filter="section"] option').nth(1).get_attribute("value")
    assert section
    page.locator('select[data-filter="section"]').select_option(section)
    headers = page.locator("table.fl-matrix thead th.fl-col button").all()
    assert headers
    # Reloading the address restores the same view.
    page.reload()
    expect(page.locator('select[data-filter="verdict"]')).to_have_value("broken")
    expect(page.locator('select[data-filter="section"]')).to_have_value(section)


def test_severity_keeps_only_items_at_least_that_severe(open_page: Opener, fleet: Served) -> None:
    page = open_matrix(open_page, fleet)
    before = page.locator("table.fl-matrix thead th.fl-col").count()
    page.locator('select[data-filter="severity"]').select_option("high")
    titles = [
        b.get_attribute("title") or ""
        for b in page.locator("table.fl-matrix thead th.fl-col button").all()
    ]
    assert 0 < len(titles) < before
    assert all(re.search(r"\((critical|high)\)$", title) for title in titles), titles


def test_a_column_heading_sorts_the_worst_first(open_page: Opener, fleet: Served) -> None:
    page = open_matrix(open_page, fleet)
    first = page.locator("table.fl-matrix thead th.fl-col").first
    first.locator("button").click()
    expect(first).to_have_attribute("aria-sort", "ascending")
    verdicts = page.locator("table.fl-matrix tbody tr td.fl-cell:nth-of-type(2) a").evaluate_all(
        "links => links.map(a => a.dataset.verdict)"
    )
    ranks = {"error": 0, "broken": 1, "waiver_expired": 2, "unverified": 3}
    order = [ranks.get(v, 9) for v in verdicts]
    assert order == sorted(order)


def test_a_cell_leads_to_the_item_and_its_evidence(open_page: Opener, fleet: Served) -> None:
    page = open_matrix(open_page, fleet)
    page.locator('input[data-filter="name"]').fill("coredns")
    assert matrix_rows(page) == ["coredns__coredns"]
    cell = page.locator('table.fl-matrix tbody a[data-verdict="broken"]').first
    label = cell.get_attribute("aria-label") or ""
    assert label.startswith("coredns__coredns — ") and label.endswith(BROKEN)
    cell.click()
    page.wait_for_load_state("load")
    anchor = page.url.rsplit("#", 1)[1]
    assert re.fullmatch(r"i\d+", anchor)
    item = page.locator(f"#{anchor}")
    expect(item).to_be_in_viewport()
    expect(item.locator(".cl-badge")).to_contain_text(BROKEN)
    item_text = label.split(" — ", 1)[1].rsplit(": ", 1)[0]
    expect(item.locator(".fl-item-head strong")).to_contain_text(item_text.split(" [")[0])
    expect(item.locator(".cl-evidence-list li").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "fleet-evidence.png"))


def test_the_fleet_site_follows_the_dark_scheme(open_page: Opener, fleet: Served) -> None:
    visit = open_page(fleet, "/", scheme="dark")
    scheme = visit.page.evaluate("document.documentElement.dataset.mdColorScheme")
    assert scheme == "slate"
    visit.assert_clean()
