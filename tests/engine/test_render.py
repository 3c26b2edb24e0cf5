"""Rendering goldens: exact HTML out, target text always escaped."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import markdown
import pytest

from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.registry import Registry
from checklists.core.verdict import Policy
from checklists.site import render

PAYLOAD = '"><img src=x onerror=alert(1)>\n<script>alert(1)</script>\n'


def run_for(page: str, tmp_path: Path, registry: Registry) -> Run:
    (tmp_path / "file.txt").write_text(PAYLOAD, encoding="utf-8")
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    return evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)


def test_item_golden_escapes_target_text(tmp_path: Path, registry: Registry) -> None:
    run = run_for("- [x] a <!-- check: fake.reads -->\n", tmp_path, registry)
    assert render.item_html(run.results[0], "ja") == (
        '<details class="cl-result cl-v-verified" id="check-1" data-verdict="verified">'
        '<summary><span class="cl-badge cl-v-verified" title="チェック済みの主張がターゲットで'
        '成り立つことを確認しました"><span class="cl-icon" aria-hidden="true">✓</span>検証済み'
        '</span></summary><div class="cl-evidence"><p class="cl-outcome">read</p>'
        '<ul class="cl-evidence-list"><li><code class="cl-where">file.txt:1</code> '
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;"
        '<pre class="cl-excerpt"><code>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\n'
        "&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre></li></ul>"
        '<p class="cl-meta">作者の主張: 完了 [x] · チェック: <code>fake.reads</code></p>'
        "</div></details>"
    )


def test_broken_claim_golden_in_english(tmp_path: Path, registry: Registry) -> None:
    run = run_for("- [x] b <!-- check: fake.fails -->\n", tmp_path, registry)
    assert render.item_html(run.results[0], "en") == (
        '<details class="cl-result cl-v-broken" id="check-1" data-verdict="broken">'
        '<summary><span class="cl-badge cl-v-broken" title="The item is ticked but does not '
        'hold in the target. This fails the build"><span class="cl-icon" aria-hidden="true">'
        '✗</span>Claim broken</span></summary><div class="cl-evidence">'
        '<p class="cl-outcome">it does not hold</p><ul class="cl-evidence-list"><li>'
        '<code class="cl-where">file.txt:2</code> broken</li></ul><p class="cl-meta">'
        "Author&#x27;s claim: done [x] · Check: <code>fake.fails</code></p></div></details>"
    )


def test_summary_golden(tmp_path: Path, registry: Registry) -> None:
    run = run_for(
        "## 一覧\n\n- [x] a <!-- check: fake.passes -->\n- [x] b <!-- check: fake.fails -->\n"
        "- [ ] c\n",
        tmp_path,
        registry,
    )
    broken = (
        '<span class="cl-badge cl-v-broken" title="チェック済みの項目ですが、'
        'ターゲットでは成り立っていません"><span class="cl-icon" aria-hidden="true">✗</span>'
        '主張違反</span> <span class="cl-count">1</span>'
    )
    verified = (
        '<span class="cl-badge cl-v-verified" title="チェック済みの主張がターゲットで成り立つことを'
        '確認しました"><span class="cl-icon" aria-hidden="true">✓</span>検証済み</span> '
        '<span class="cl-count">1</span>'
    )
    counts = f"<li>{broken}</li><li>{verified}</li>"
    assert render.summary_html(run, "ja", "../compliance/", "p.md", "badges/compliance.svg") == (
        '<div class="cl-summary cl-summary-fail" data-total="2" data-verified="1">'
        '<p class="cl-headline"><img class="cl-overall-badge" src="badges/compliance.svg" '
        'alt="準拠: 1/2"> <strong>2項目中 1 検証済み</strong> <a class="cl-report-link" '
        'href="../compliance/">準拠レポート</a></p><ul class="cl-counts" aria-label="内訳">'
        f'{counts}</ul><div class="grid cards cl-cards"><ul><li class="cl-card cl-v-broken">'
        '<p class="cl-card-title"><span class="cl-section-status cl-v-broken" title="このセクション'
        'の 2 件中 1 件が成立。最も悪い判定: 主張違反"><span class="cl-icon" aria-hidden="true">✗'
        "</span>1/2</span> <strong>一覧</strong></p>"
        f'<ul class="cl-counts">{counts}</ul></li></ul></div>{render.legend_html("ja")}</div>'
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_slots_survive_markdown_and_are_filled_in_place(
    tmp_path: Path, registry: Registry, lang: str
) -> None:
    page = (
        "## List\n\n- [x] shows `<!-- check: fake.passes -->` <!-- check: fake.reads -->\n"
        "- [ ] other <!-- check: fake.fails -->\n\n"
        "```\n- [x] code <!-- check: fake.fails -->\n```\n"
    )
    run = run_for(page, tmp_path, registry)
    text, slots = render.place_slots(page, "p.md", run.for_page("p.md"))
    assert sorted(slots) == ["3", "4", "section-1"]  # the items and their section heading
    converter = markdown.Markdown(extensions=["pymdownx.tasklist", "pymdownx.superfences"])
    html = render.fill_slots(converter.convert(text), slots, lang)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror=alert(1)>" not in html
    assert html.count('<details class="cl-result') == 2
    assert "&lt;!-- check: fake.passes --&gt;" in html  # the inline code stays text
    assert "- [x] code &lt;!-- check: fake.fails --&gt;" in html  # so does the fence
    assert 'class="cl-slot"' not in html


def test_compliance_page_lists_bound_and_unbound_items(tmp_path: Path, registry: Registry) -> None:
    run = run_for(
        "## S\n\n- [x] a <!-- check: fake.passes -->\n- [ ] <b>c</b>\n", tmp_path, registry
    )
    html = render.compliance_html(run, "ja", {"p.md": "../"}, "examples/x")
    assert html.count('<tr class="cl-row" data-verdict="verified"') == 1
    assert '<a href="../#check-3">a</a>' in html
    assert (
        '<th colspan="5" scope="rowgroup">S <span class="cl-group-count">1 項目</span></th>' in html
    )
    assert '<th scope="col" aria-sort="none" class="cl-col-verdict"><button type="button"' in html
    assert 'p.md:4</span> <a href="../#check-4">&lt;b&gt;c&lt;/b&gt;</a>' in html
    assert "examples/x" in html


def test_limit_cell_golden(tmp_path: Path, registry: Registry) -> None:
    from tests.engine.test_metrics import TARGET_TABLE, run

    result = run(TARGET_TABLE, registry, tmp_path, 開発={"size": 600e6}, 本番={"size": 260e6})
    assert render.limit_html(result.results[1], "ja") == (
        '<span class="cl-limit">&lt; 250MB</span><br><span class="cl-observed">計測値: 260MB'
        '</span> <details class="cl-result cl-v-broken" id="check-5-本番" data-verdict="broken">'
        '<summary><span class="cl-badge cl-v-broken" title="計測値がガイドの上限を満たして'
        'いません。このビルドを失敗させます"><span class="cl-icon" aria-hidden="true">✗</span>'
        '主張違反</span></summary><div class="cl-evidence"><p class="cl-outcome">260MB: '
        '&lt; 250MB を満たしていません。measured</p><p class="cl-value">計測値: 260MB</p>'
        '<ul class="cl-evidence-list"><li>x</li></ul><p class="cl-meta">作者の主張: 上限 '
        "&lt; 250MB · チェック: "
        "<code>fake.size</code></p></div></details>"
        '<svg class="cl-bar cl-v-broken" viewBox="0 0 100 10" width="100" height="10" role="img" '
        'aria-label="260MB / &lt; 250MB"><title>260MB / &lt; 250MB</title><rect x="0" y="2" '
        'width="100" height="6" rx="1" fill="currentColor" opacity="0.15"/><rect x="0" y="2" '
        'width="80.0" height="6" rx="1" fill="currentColor"/><line x1="76.9" y1="0" x2="76.9" '
        'y2="10" stroke="currentColor" stroke-width="1.5" stroke-dasharray="2 1"/></svg>'
    )
    # The live value, and the author's below it (the section gives no date here).
    assert render.value_html(result.results[2], "en") == (
        '<span class="cl-live">Measured: <span class="cl-observed" data-verdict="broken">260MB'
        '</span></span><span class="cl-stated">Author&#x27;s value: 220MB</span>'
    )


def test_an_unmeasured_cell_has_no_bar_and_no_number(tmp_path: Path, registry: Registry) -> None:
    from tests.engine.test_metrics import TARGET_TABLE, run

    result = run(TARGET_TABLE, registry, tmp_path, 開発={}, 本番={})
    cell = render.limit_html(result.results[0], "ja")
    assert "<svg" not in cell
    assert "cl-observed" not in cell
    assert ">未計測</span></summary>" in cell
    assert ">—</span></span>" in render.value_html(result.results[2], "ja")


def test_a_heading_verdict_is_a_block_after_the_heading(tmp_path: Path, registry: Registry) -> None:
    page = "### 1. 非rootユーザー実行 <!-- check: fake.passes -->\n\nText.\n"
    run = run_for(page, tmp_path, registry)
    text, slots = render.place_slots(page, "p.md", run.for_page("p.md"))
    html = render.fill_slots(markdown.Markdown(extensions=["toc"]).convert(text), slots, "ja")
    assert html.startswith(
        '<h3 id="1-root">1. 非rootユーザー実行</h3>\n<div class="cl-section-result">'
    )
    assert "<h3" not in html[html.index("</h3>") :]
    assert "cl-slot" not in html


def test_evidence_locations_link_into_the_targets_repository(
    tmp_path: Path, registry: Registry
) -> None:
    run = run_for("- [x] a <!-- check: fake.reads -->\n", tmp_path, registry)
    html = render.link_locations(
        render.item_html(run.results[0], "en"), "https://git.example/o/r/blob/main/app"
    )
    assert (
        '<a class="cl-where-link" href="https://git.example/o/r/blob/main/app/file.txt#L1">'
        '<code class="cl-where">file.txt:1</code></a>'
    ) in html
    assert render.link_locations("<p>x</p>", "") == "<p>x</p>"


def test_the_collected_items_place_the_same_slots_as_a_rescan(
    tmp_path: Path, registry: Registry
) -> None:
    # The plugin skips the second scan when a page is still the text it collected from.
    page = (
        "## A <!-- check: fake.passes -->\n\n"
        "- [x] shows `<!-- check: fake.fails -->` <!-- check: fake.reads -->\n"
        "- [ ] unbound\n"
        "text <!-- check: fake.fails -->\n\n"
        "| 項目 | 値 |\n|---|---|\n| size <!-- check: fake.passes --> | x |\n"
    )
    run = run_for(page, tmp_path, registry)
    results = run.for_page("p.md")
    assert render.place_slots(page, "p.md", results, collected=True) == render.place_slots(
        page, "p.md", results
    )


def test_every_page_gets_the_urls_its_verdicts_link_to() -> None:
    urls = {"index.md": "./", "guide/more.md": "guide/more/", "compliance.md": "compliance/"}
    urls |= render.catalog_urls([("checks/index.md", "checks/"), ("checks/ci.md", "checks/ci/")])
    assert urls["catalog:ci"] == "checks/ci/" and "catalog:index" not in urls

    def relative(url: str) -> str:
        return f"../{url}"

    expected = {src: f"../{url}" for src, url in urls.items()} | {
        render.BADGE: "../badges/compliance.svg"
    }
    assert render.page_urls(urls, "guide/more.md", "compliance.md", relative) == expected
    assert render.page_urls(urls, "compliance.md", "compliance.md", relative) == expected


def test_the_site_pages_with_the_checks_on_and_off() -> None:
    on = render.site_pages("ja", "compliance.md", enabled=True)
    assert set(on) == {"compliance.md", render.STYLE, render.SCRIPT}
    assert on["compliance.md"] == (
        f"---\nhide:\n  - toc\n---\n\n# 準拠レポート\n\n{render.slot('compliance')}\n"
    )
    assert ".cl-badge" in on[render.STYLE]
    off = render.site_pages("en", "report.md", enabled=False)
    assert list(off) == ["report.md"]
    assert (
        off["report.md"].startswith("# Compliance report\n\n")
        and "CHECKLISTS_ENABLED" in off["report.md"]
    )


def test_a_fault_several_items_fail_on_is_shown_once_with_the_items(
    tmp_path: Path, registry: Registry
) -> None:
    run = run_for(
        "## A\n\n- [x] one <!-- check: fake.fails -->\n"
        "## B\n\n- [ ] two <!-- check: fake.fails -->\n"
        "- [x] three <!-- check: fake.passes -->\n",
        tmp_path,
        registry,
    )
    (cause,) = render.shared_causes(run)
    assert cause.where.location == "file.txt:2" and cause.summary == "it does not hold"
    assert [r.item.text for r in cause.results] == ["one", "two"]
    html = render.compliance_html(run, "ja", {"p.md": ""}, "t")
    listed = html[html.index('<ol class="cl-causes">') : html.index("</ol>")]
    assert listed.count('<li class="cl-cause"') == 1
    assert '<a href="#check-3">one</a>' in listed and '<a href="#check-6">two</a>' in listed
    table = html[html.index('<table class="cl-compliance"') :]
    assert table.count('href="#cause-1">共通の原因 1（2 項目に共通）</a>') == 2
    assert table.count("it does not hold") == 2  # named, with its place; the details once
    assert "直すべき箇所は 1 件で、2 項目に影響しています。" in html


def test_verdicts_link_to_the_catalogs_fix_and_the_guides_section(
    tmp_path: Path, registry: Registry
) -> None:
    page = "### 1. 何か <!-- check: fake.fails -->\n\n- [x] item <!-- check: fake.fails -->\n"
    run = run_for(page, tmp_path, registry)
    urls = {"p.md": "../", "catalog:fake": "../checks/fake/"}
    links = render.links_for(run, urls, "p.md")
    assert links.fix == {"fake.fails": "../checks/fake/#fake-fails-fix"}
    assert links.guide == {"fake.fails": "#check-1"}
    heading, item = run.results
    item_html = render.item_html(item, "ja", links)
    assert (
        '<p class="cl-fix"><a class="cl-fix-link" href="../checks/fake/#fake-fails-fix">'
        '修正方法</a> · <a class="cl-guide-link" href="#check-1">ガイドの該当箇所</a></p>'
    ) in item_html
    # The section itself links to the fix, not to itself.
    assert "cl-guide-link" not in render.item_html(heading, "ja", links)
    assert render.links_for(run, {"p.md": "../"}, "p.md").fix == {}  # no catalog, no link


def test_the_authors_value_keeps_the_date_its_heading_gives(
    tmp_path: Path, registry: Registry
) -> None:
    page = (
        "### 実測値（2025年10月8日）\n\n| メトリクス | 値 | ステータス |\n| --- | --- | --- |\n"
        "| 段階 <!-- check: fake.passes --> | 2段階 | ✅ 最適化済み |\n"
    )
    run = run_for(page, tmp_path, registry)
    (row,) = run.results
    assert render.author_date(row) == "2025年10月8日"
    assert render.value_html(row, "ja").endswith(
        '<span class="cl-stated">著者の記載値（2025年10月8日）: 2段階</span>'
    )
    assert render.status_html(row, "en").endswith(
        '<span class="cl-stated">Author&#x27;s value (2025年10月8日): ✅ 最適化済み</span>'
    )
