"""The published guide as a reader sees it, in a real browser (Chromium from Debian).

The real site is built once with `mkdocs build --strict`, served on 127.0.0.1 and opened in
light and dark schemes, at a laptop width (1280×800) and a phone width (390×844). Every
visit also asserts that the page logged no console error, threw nothing, loaded nothing
that failed, and requested nothing outside the local server.

Screenshots go to `test-artifacts/screenshots/` at the repository root (git-ignored);
`guide-checklist.png` there is the one meant for the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from checklists.core.i18n import TEXT, VERDICT_ICONS, VERDICT_LABELS
from checklists.core.verdict import Verdict
from checklists.site.render import badge
from tests.browser.support import LAPTOP, PHONE, Opener, Scheme, Served, Visit, build_site, serve
from tests.test_site import copy_site

LABELS = VERDICT_LABELS["ja"]
ICON_OF = {verdict.value: icon for verdict, icon in VERDICT_ICONS.items()}
LABEL_OF = {verdict.value: label for verdict, label in LABELS.items()}
# WCAG 2.x AA contrast for normal-size text; the badges are small bold text.
MIN_CONTRAST = 4.5

# Every `.cl-badge` and section status of the page: its verdict class, icon, label, box,
# whether it is rendered, and the contrast of its text against the background it sits on
# (semi-transparent layers blended down to the first opaque ancestor).
BADGES_JS = """
(selector) => {
  const rgba = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => base.map((v, i) => v * (1 - top[3]) + top[i] * top[3]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((base, layer) => over(layer, base), [255, 255, 255]);
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const style = getComputedStyle(el);
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const rect = el.getBoundingClientRect();
    const icon = el.querySelector('.cl-icon');
    const verdict = [...el.classList].find((c) => c.startsWith('cl-v-'));
    return {
      verdict: verdict ? verdict.slice(5) : null,
      icon: icon ? icon.textContent : '',
      label: el.textContent.slice(icon ? icon.textContent.length : 0).trim(),
      width: rect.width,
      height: rect.height,
      rendered: el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
      contrast: (hi + 0.05) / (lo + 0.05),
    };
  });
}
"""

# Tofu check, font-name independent. Every distinct character of the page's text nodes is
# drawn alone on a canvas, in the font its element computes (weight, style, family: the
# browser falls back through the system fonts exactly as it does for the page). A character
# that no installed font has is drawn as the `.notdef` glyph (the tofu box) of the first
# font, the same glyph as for code points that are unassigned in Unicode (U+0378, U+0379,
# U+0380), whatever the font. So a character whose pixels equal one of those references, or
# that leaves no ink at all, is tofu. Marks, format characters and spaces are skipped: they
# have no glyph of their own. (`document.fonts.check()` is no help here: it answers true for
# a family that is not installed at all, since nothing needs loading.)
TOFU_JS = """
(root) => {
  const byFont = new Map();
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  const skip = /[\\p{M}\\p{Cf}\\p{Cc}\\p{Z}]/u;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, svg')) continue;
    const s = getComputedStyle(parent);
    const font = `${s.fontStyle} ${s.fontWeight} 32px ${s.fontFamily}`;
    if (!byFont.has(font)) byFont.set(font, new Set());
    for (const ch of node.textContent) if (!skip.test(ch)) byFont.get(font).add(ch);
  }
  const canvas = document.createElement('canvas');
  canvas.width = 72; canvas.height = 72;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, 72, 72);
    ctx.font = font; ctx.fillStyle = '#000'; ctx.textBaseline = 'middle';
    ctx.fillText(ch, 8, 36);
    const data = ctx.getImageData(0, 0, 72, 72).data;
    let hash = 0, ink = 0;
    for (let i = 0; i < data.length; i++) { hash = (hash * 31 + data[i]) | 0; ink += data[i]; }
    return ink === 0 ? 'blank' : String(hash);
  };
  const tofu = [], checked = [];
  for (const [font, chars] of byFont) {
    const notdef = new Set(['\\u0378', '\\u0379', '\\u0380'].map((c) => draw(font, c)));
    for (const ch of chars) {
      const drawn = draw(font, ch);
      checked.push(ch);
      const code = ch.codePointAt(0).toString(16).toUpperCase();
      if (drawn === 'blank' || notdef.has(drawn)) tofu.push(`${ch} U+${code} in ${font}`);
    }
  }
  return {tofu, checked: checked.length, fonts: byFont.size};
}
"""

# Common Japanese-capable families (Linux, macOS, Windows); the name Chromium reports for the
# font that actually drew the glyphs must be one of them.
CJK_FAMILY = re.compile(
    r"CJK|Source Han|IPA|Takao|VL ?Gothic|Droid Sans (Fallback|Japanese)|WenQuanYi|Hiragino"
    r"|Yu ?Gothic|Meiryo|MS ?(P)?Gothic|Noto Sans JP|Noto Serif JP"
)
PAYLOAD = '# <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


# Every badge on the page except those of a closed legend (shown when it is opened).
SHOWN_BADGES = ".cl-badge:not(details.cl-legend:not([open]) *)"


def verdict_badges(page: Page, selector: str = SHOWN_BADGES) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(BADGES_JS, selector)
    return found


def assert_legible(found: list[dict[str, Any]]) -> None:
    """Each badge is drawn with a box, its verdict's icon and Japanese label, and contrast."""
    assert found
    for item in found:
        assert item["rendered"] and item["width"] > 0 and item["height"] > 0, item
        assert item["label"] == LABEL_OF[item["verdict"]], item
        assert item["icon"] == ICON_OF[item["verdict"]], item
        assert item["contrast"] >= MIN_CONTRAST, item


def platform_fonts(page: Page, selector: str) -> list[dict[str, Any]]:
    """The system fonts Chromium used to draw the text of the first element matching."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts: list[dict[str, Any]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})[
            "fonts"
        ]
        return fonts
    finally:
        cdp.detach()


def horizontal_overflow(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return width


def evidence_details(page: Page, text: str) -> Locator:
    """The verdicts whose evidence mentions `text`."""
    return page.locator("details.cl-result").filter(has=page.locator(".cl-evidence", has_text=text))


# -- the guide page: schemes and widths -------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "viewport", "device"),
    [
        ("light", LAPTOP, "laptop"),
        ("dark", LAPTOP, "laptop"),
        ("light", PHONE, "phone"),
        ("dark", PHONE, "phone"),
    ],
    ids=["light-laptop", "dark-laptop", "light-phone", "dark-phone"],
)
def test_the_guide_shows_legible_badges(
    open_page: Opener, guide: Served, scheme: Scheme, viewport: ViewportSize, device: str
) -> None:
    visit = open_page(guide, scheme=scheme, viewport=viewport)
    page = visit.page
    # Material picks the palette whose media query matches (nothing is stored yet) and
    # marks the body with its scheme; the plugin's dark colours key on that attribute.
    expected = {"light": "default", "dark": "slate"}[scheme]
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    summary = page.locator(".cl-summary").first
    expect(summary).to_be_visible()
    expect(summary.locator(".cl-headline")).to_have_text(re.compile(r"\d+項目中 \d+ 検証済み"))
    expect(page.locator(".cl-card").first).to_be_visible()
    found = verdict_badges(page)
    assert len(found) >= 20
    assert_legible(found)
    assert {item["label"] for item in found} >= {"検証済み", "未計測", "未対応"}
    statuses = verdict_badges(page, ".cl-section-status")
    assert statuses
    for item in statuses:
        assert item["rendered"] and item["icon"] == ICON_OF[item["verdict"]], item
        assert re.fullmatch(r"\d+/\d+", item["label"]), item
        assert item["contrast"] >= MIN_CONTRAST, item
    expect(page.locator(".cl-badge").first).to_be_in_viewport()
    assert horizontal_overflow(page) <= 0, "the guide scrolls sideways"
    visit.screenshot(f"guide-{scheme}-{device}.png")

    # Every verdict, also those the example target does not produce (broken, error,
    # waived...), has its icon, its label and a legible colour in this scheme.
    all_badges = "".join(badge(verdict, "ja") for verdict in Verdict)
    page.evaluate(
        """(html) => {
          const p = document.createElement('p');
          p.id = 'every-verdict';
          p.innerHTML = html;
          document.querySelector('article').prepend(p);
        }""",
        all_badges,
    )
    every = verdict_badges(page, "#every-verdict .cl-badge")
    assert [item["verdict"] for item in every] == [verdict.value for verdict in Verdict]
    assert_legible(every)
    visit.assert_clean()


def test_the_palette_toggle_switches_the_scheme_and_is_remembered(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide, scheme="light")
    page = visit.page
    page.locator("form[data-md-component='palette'] label:visible").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    page.reload(wait_until="load")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    assert verdict_badges(page)[0]["contrast"] >= MIN_CONTRAST
    visit.assert_clean()


def test_japanese_text_renders_with_a_real_font_and_no_tofu(
    open_page: Opener, guide: Served
) -> None:
    for path in ("/", "/compliance/"):
        visit = open_page(guide, path)
        page = visit.page
        page.evaluate("document.fonts.ready.then(() => true)")
        # 1. Pixels: no character of the page (text, headings, navigation, badges, code,
        #    closed evidence) is drawn as the missing-glyph box or as nothing.
        result = page.evaluate(TOFU_JS, "body")
        assert result["checked"] > 100, result
        assert not result["tofu"], result["tofu"]
        # 2. Names: the system font Chromium used for pure Japanese text, asked over the
        #    DevTools protocol (what was drawn, not what the CSS asked for: the CSS names
        #    only Latin families and leaves Japanese to the system's fallback).
        labels = "".join(LABELS.values()) + TEXT["ja"]["summary_detail"] + "準拠レポート"
        page.evaluate(
            """([labels]) => {
              const add = (id, text) => {
                const span = document.createElement('span');
                span.id = id; span.textContent = text;
                document.querySelector('article').append(span);
              };
              add('probe-ja', labels);
              add('probe-tofu', '\\u0378');
            }""",
            [re.sub(r"[・\s]", "", labels)],
        )
        japanese = platform_fonts(page, "#probe-ja")
        tofu_font = {f["familyName"] for f in platform_fonts(page, "#probe-tofu")}
        drawn = page.evaluate("[...document.querySelector('#probe-ja').textContent].length")
        assert sum(f["glyphCount"] for f in japanese) == drawn, japanese
        for font in japanese:
            assert font["familyName"] not in tofu_font, (japanese, tofu_font)
            assert CJK_FAMILY.search(font["familyName"]), japanese
        heading = platform_fonts(page, "h1")
        assert any(CJK_FAMILY.search(f["familyName"]) for f in heading), heading
        visit.assert_clean()


# -- evidence ---------------------------------------------------------------------------------


def test_the_evidence_opens_in_place_on_click(open_page: Opener, guide: Served) -> None:
    visit = open_page(guide)
    page = visit.page
    item = page.locator("li.task-list-item", has_text="非rootユーザー実行")
    details = item.locator("details.cl-result")
    expect(details).to_have_count(1)
    evidence = details.locator(".cl-evidence")
    expect(evidence).to_be_hidden()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(evidence).to_be_visible()
    expect(evidence).to_contain_text("backend/Dockerfile:")
    expect(evidence.locator("pre.cl-excerpt").first).to_be_visible()
    expect(evidence.locator("code.cl-where").first).to_have_text(
        re.compile(r"backend/Dockerfile:\d+")
    )
    expect(evidence).to_contain_text("USER appuser")
    expect(evidence).to_contain_text("dockerfile.non_root_user")
    visit.screenshot("guide-evidence-open.png")

    # The README's screenshot: the checklist with live badges and one evidence open.
    heading = page.locator("h2", has_text="チェックリスト")
    heading.evaluate("(el) => window.scrollTo(0, el.getBoundingClientRect().top + scrollY - 64)")
    content = page.locator(".md-content").bounding_box()
    assert content is not None
    visit.screenshot(
        "guide-checklist.png",
        clip={"x": content["x"], "y": 48, "width": content["width"], "height": 752},
    )

    details.locator("summary").click()  # closes again
    expect(evidence).to_be_hidden()
    details.locator("summary").focus()  # and opens from the keyboard
    page.keyboard.press("Enter")
    expect(evidence).to_be_visible()
    visit.assert_clean()


# -- the compliance page ----------------------------------------------------------------------


def row_keys(page: Page, column: int) -> list[str]:
    keys: list[str] = page.evaluate(
        """(column) => [...document.querySelectorAll('table.cl-compliance tr.cl-row')]
             .map((row) => row.cells[column])
             .map((cell) => cell.dataset.sortKey || cell.textContent.trim())""",
        column,
    )
    return keys


def test_the_compliance_table_sorts_filters_and_links_back(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide, "/compliance/")
    page = visit.page
    table = page.locator("table.cl-compliance[data-cl-ready]")
    expect(table).to_be_visible()
    rows = table.locator("tr.cl-row")
    total = rows.count()
    assert total >= 20
    headers = table.locator("thead th")
    assert headers.all_inner_texts() == ["判定", "項目", "重大度", "チェック", "根拠"]
    sorts = table.locator("thead th button.cl-sort")
    expect(sorts).to_have_count(4)  # every column but the evidence sorts

    # Sort by verdict: worst first (the keys are the verdict's rank), then reversed. Rows
    # sort within their group (a section); with no grouping, over the whole table.
    page.locator(".cl-grouping button[data-group='none']").click()
    sorts.nth(0).click()
    expect(headers.nth(0)).to_have_attribute("aria-sort", "ascending")
    ranks = row_keys(page, 0)
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
    verdicts = rows.evaluate_all("(rows) => rows.map((r) => r.dataset.verdict)")
    assert verdicts[0] != verdicts[-1]
    sorts.nth(0).click()
    expect(headers.nth(0)).to_have_attribute("aria-sort", "descending")
    assert row_keys(page, 0) == sorted(ranks, reverse=True)
    # Sort by item: page and line order (zero-padded keys), descending on a second click.
    sorts.nth(1).click()
    expect(headers.nth(0)).to_have_attribute("aria-sort", "none")
    items = row_keys(page, 1)
    assert items == sorted(items) and items != row_keys(page, 0)
    sorts.nth(1).click()
    assert row_keys(page, 1) == sorted(items, reverse=True)
    expect(rows).to_have_count(total)  # sorting moves rows, never loses one

    # Filter by each verdict present, then show all again.
    present = rows.evaluate_all("(rows) => rows.map((r) => r.dataset.verdict)")
    buttons = page.locator(".cl-filters button")
    for verdict in sorted(set(present)):
        button = buttons.and_(page.locator(f"[data-verdict='{verdict}']"))
        expect(button).to_contain_text(LABEL_OF[verdict])
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        visible = table.locator("tr.cl-row:visible")
        expect(visible).to_have_count(present.count(verdict))
        assert set(visible.evaluate_all("(rows) => rows.map((r) => r.dataset.verdict)")) == {
            verdict
        }
    every = buttons.filter(has_text=TEXT["ja"]["filter_all"])
    every.click()
    expect(every).to_have_attribute("aria-pressed", "true")
    expect(table.locator("tr.cl-row:visible")).to_have_count(total)
    page.locator(".cl-grouping button[data-group='section']").click()
    visit.screenshot("compliance-laptop.png")

    # Each item links back to its verdict in the guide.
    link = table.locator("tr.cl-row a[href*='#check-']").first
    href = link.get_attribute("href")
    assert href is not None
    anchor = href.partition("#")[2]
    link.click()
    page.wait_for_url(re.compile(r"/#check-"))
    target = page.locator(f"details.cl-result[id='{anchor}']")
    expect(target).to_have_count(1)
    expect(target.locator("summary")).to_be_in_viewport()
    visit.assert_clean()


def test_the_compliance_items_read_as_text_not_markdown(open_page: Opener, guide: Served) -> None:
    visit = open_page(guide, "/compliance/")
    items = visit.page.locator("table.cl-compliance tr.cl-row td a[href*='#check-']")
    texts = items.all_inner_texts()
    assert texts
    assert [text for text in texts if "**" in text or "`" in text] == []


def test_the_compliance_check_ids_break_only_between_their_words(
    open_page: Opener, guide: Served
) -> None:
    visit = open_page(guide, "/compliance/")
    codes = visit.page.locator("table.cl-compliance tr.cl-row code.cl-check-id")
    # Each line of a wrapped id ends at a dot or an underscore (the <wbr> after them).
    pieces = codes.evaluate_all(
        """(codes) => codes.flatMap((code) => {
             const range = document.createRange();
             const lines = new Map();
             for (const node of code.childNodes) {
               if (node.nodeType !== Node.TEXT_NODE) continue;
               range.selectNodeContents(node);
               const top = Math.round(range.getClientRects()[0].top);
               lines.set(top, (lines.get(top) || '') + node.textContent);
             }
             return [...lines.values()].slice(0, -1);
           })"""
    )
    assert all(piece.endswith((".", "_")) for piece in pieces), pieces


# -- a phone ----------------------------------------------------------------------------------


def test_the_compliance_page_does_not_scroll_sideways_on_a_phone(
    open_page: Opener, guide: Served
) -> None:
    """(The guide's own check is part of `test_the_guide_shows_legible_badges[*-phone]`.)"""
    visit = open_page(guide, "/compliance/", viewport=PHONE)
    expect(visit.page.locator("table.cl-compliance")).to_be_visible()
    visit.screenshot("compliance-phone.png")
    visit.assert_clean()
    overflow = horizontal_overflow(visit.page)
    assert overflow <= 0, f"the compliance page scrolls sideways by {overflow} px"


# -- print ------------------------------------------------------------------------------------


def open_for_print(open_page: Opener, guide: Served) -> Visit:
    visit = open_page(guide)
    visit.page.emulate_media(media="print")
    # What a real print does first; lets a script-based print fix be tested as well.
    visit.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert visit.page.evaluate("matchMedia('print').matches")
    return visit


def test_the_guide_prints_with_badges_and_evidence(open_page: Opener, guide: Served) -> None:
    """On paper every badge keeps its icon, label and contrast, and every evidence is open.

    Material opens every <details> on `beforeprint` (and closes them on `afterprint`); the
    plugin's print rule alone cannot show the content of a closed <details> in Chromium.
    """
    visit = open_for_print(open_page, guide)
    page = visit.page
    assert_legible(verdict_badges(page))
    item = page.locator("li.task-list-item", has_text="非rootユーザー実行")
    evidence = item.locator(".cl-evidence")
    expect(evidence).to_be_visible()
    expect(evidence).to_contain_text("backend/Dockerfile:")
    closed = page.evaluate(
        """[...document.querySelectorAll('details.cl-result > .cl-evidence')]
             .filter((e) => !e.checkVisibility()).length"""
    )
    assert closed == 0
    item.scroll_into_view_if_needed()
    visit.screenshot("guide-print.png")
    visit.assert_clean()


# -- a hostile target -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built from a target whose Dockerfile holds a script payload.

    The payload is a comment line inside the RUN that creates the user; comment lines in a
    continuation are allowed (BuildKit drops them), the claim still holds, and the non-root
    check's evidence shows that instruction's lines as written, comment included.
    """
    tmp = tmp_path_factory.mktemp("hostile")
    root = copy_site(tmp)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    text = dockerfile.read_text("utf-8")
    line = "RUN groupadd -g 1000 appuser && \\\n"
    assert line in text
    dockerfile.write_text(text.replace(line, f"{line}    {PAYLOAD}\n"), "utf-8")
    site = build_site(root, tmp / "site")
    assert PAYLOAD not in (site / "index.html").read_text("utf-8")  # escaped in the HTML
    with serve(site) as served:
        yield served


@pytest.mark.parametrize("path", ["/", "/compliance/"])
def test_a_script_payload_in_the_target_is_shown_as_text_never_run(
    open_page: Opener, hostile: Served, path: str
) -> None:
    visit = open_page(hostile, path)
    page = visit.page
    page.wait_for_load_state("load")  # an injected <img onerror> would have fired by now
    excerpt = page.locator("pre.cl-excerpt", has_text="__pwned").first
    expect(excerpt).to_have_count(1)
    if path == "/":  # in the guide the evidence is behind its badge
        expect(excerpt).to_be_hidden()
        evidence_details(page, "__pwned").first.locator("summary").click()
    expect(excerpt).to_be_visible()
    assert PAYLOAD in excerpt.inner_text()  # the reader sees the payload, as text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("article script, article img[src='x']").count() == 0
    if path == "/":
        visit.screenshot("hostile-evidence.png")
    visit.assert_clean()  # and no request for "x" left the page either
