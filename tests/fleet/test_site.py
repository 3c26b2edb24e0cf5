"""The fleet site: every page written, everything from a report escaped, pages stay small."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checklists.fleet import aggregate
from tests.fleet.support import checklists, report, write

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Tags(HTMLParser):
    """Every start tag and attribute of a page, to find what a report smuggled in."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def built(tmp_path: Path) -> tuple[aggregate.Summary, Path]:
    reports = tmp_path / "reports"
    evidence = [{"note": HOSTILE, "path": "src/<b>.py", "line": 2, "excerpt": "</pre>" + HOSTILE}]
    write(
        reports / "evil" / "1",
        report(["broken", "verified", "error", "not_yet"], evidence=evidence, text=HOSTILE),
        repository=f"acme/{HOSTILE}",
        generated="2026-11-01T00:00:00Z",
        teams=[HOSTILE],
    )
    write(
        reports / "evil" / "2",
        report(["verified", "verified", "error", "not_yet"], evidence=evidence, text=HOSTILE),
        repository=f"acme/{HOSTILE}",
        generated="2026-11-08T00:00:00Z",
        teams=["payments", HOSTILE],
        site="javascript:alert(1)",
        source="https://git.example.test/acme/x/blob/abc/",
    )
    ok = report(["verified"] * 4, text=HOSTILE)
    write(reports / "ok", ok, repository="acme/ok", generated="2026-11-08")
    write(reports / "broken", "{not json", repository="acme/broken")
    site = tmp_path / "site"
    summary = aggregate.aggregate([reports], site, lang="en", packages=["checks"])
    return summary, site


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text("utf-8") for p in sorted(site.rglob("*.html"))
    }


def test_every_page_of_the_fleet_is_written(built: tuple[aggregate.Summary, Path]) -> None:
    summary, site = built
    (group,) = summary.fleet.groups
    names = set(pages(site))
    assert {"index.html", "repos/index.html", f"matrix/{group.slug}/index.html"} <= names
    assert {f"items/{group.slug}/i{n}.html" for n in range(4)} <= names
    slugs = summary.fleet.slugs
    assert {f"repos/{slugs[name]}/index.html" for name in summary.fleet.history} <= names
    assert (site / f"matrix/{group.slug}/data.js").is_file()
    for asset in ("fleet.css", "fleet.js", "checklists.css", "material-main.css"):
        assert (site / "assets" / asset).stat().st_size > 0


def test_nothing_from_a_report_becomes_markup(built: tuple[aggregate.Summary, Path]) -> None:
    _, site = built
    for name, html in pages(site).items():
        found = tags(html)
        assert not [t for t in found if t[0] == "img"], name
        scripts = [a.get("src") for tag, a in found if tag == "script"]
        assert all(src and src.endswith(("fleet.js", "data.js")) for src in scripts), name
        assert not [a for _, a in found if any(k.startswith("on") for k in a)], name
        hrefs = [a.get("href") or "" for _, a in found]
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], name
    data = next(site.glob("matrix/*/data.js")).read_text("utf-8")
    assert "<" not in data and ">" not in data
    payload = json.loads(data.removeprefix("window.FLEET_MATRIX=").removesuffix(";\n"))
    assert any(HOSTILE in row[0] for row in payload["rows"])  # kept as text, not dropped


def test_a_report_that_cannot_be_read_is_listed_and_the_rest_is_built(
    built: tuple[aggregate.Summary, Path],
) -> None:
    summary, site = built
    (rejected,) = summary.fleet.rejected
    assert rejected.repository == "acme/broken"
    index = (site / "index.html").read_text("utf-8")
    assert "acme/broken" in index and "is not valid JSON" in index
    assert len(summary.fleet.history) == 2


def test_a_cell_leads_to_the_item_and_its_evidence(built: tuple[aggregate.Summary, Path]) -> None:
    summary, site = built
    slug = summary.fleet.slugs["acme/ok"]
    page = (site / "repos" / slug / "index.html").read_text("utf-8")
    for index in range(4):
        assert f'id="i{index}"' in page
    assert "USER app" in page  # the evidence excerpt
    evil = summary.fleet.slugs[f"acme/{HOSTILE}"]
    page = (site / "repos" / evil / "index.html").read_text("utf-8")
    # Evidence links below the source URL of the report; the javascript: site is dropped.
    assert 'href="https://git.example.test/acme/x/blob/abc/src/%3Cb%3E.py#L2"' in page
    assert "javascript:" not in page


def test_the_repository_page_shows_its_history_and_trend(
    built: tuple[aggregate.Summary, Path],
) -> None:
    summary, site = built
    evil = summary.fleet.slugs[f"acme/{HOSTILE}"]
    page = (site / "repos" / evil / "index.html").read_text("utf-8")
    chart = re.search(r'<svg class="fl-chart".*?</svg>', page, re.S)
    assert chart is not None
    assert chart[0].count("<polyline") == 2  # holds / does not hold, one version
    assert "2026-11-01" in chart[0] and "2026-11-08" in chart[0]
    assert page.count("<tr><td>2026-11-") == 2  # both reports in the history


def test_item_pages_list_where_the_claim_does_not_hold(
    built: tuple[aggregate.Summary, Path],
) -> None:
    summary, site = built
    (group,) = summary.fleet.groups
    page = (site / "items" / group.slug / "i2.html").read_text("utf-8")  # error in evil
    assert "acme/&lt;script&gt;" in page
    assert f"repos/{summary.fleet.slugs[f'acme/{HOSTILE}']}/#i2" in page
    assert "Now: 1/2 hold (50%)" in page
    assert "fl-chart" in page


def test_a_failed_build_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    write(reports / "a", report(["verified"] * 4), repository="a")
    site = tmp_path / "site"
    aggregate.aggregate([reports], site, packages=["checks"])
    before = (site / "index.html").read_text("utf-8")

    def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("checklists.fleet.site.repos_pages", explode)
    with pytest.raises(RuntimeError):
        aggregate.aggregate([reports], site, packages=["checks"])
    assert (site / "index.html").read_text("utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "site"]


def test_the_command_lists_what_it_left_out_and_strict_fails_on_it(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write(reports / "a", report(["verified"] * 4), repository="a")
    write(reports / "b", "[]", repository="b")
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "repositories:\n  - {name: a, path: .}\n  - {name: b, path: .}\n  - {name: c, path: .}\n",
        "utf-8",
    )
    argv: list[str | Path] = ["aggregate", reports, "--fleet", fleet, "--site", tmp_path / "site"]
    argv += ["--lang", "en"]
    done = checklists(*argv)
    assert done.returncode == 0, done.stderr
    assert "1 repositories, 1 reports used, 1 left out, 2 without a report" in done.stderr
    assert f"left out: {reports / 'b' / 'compliance.json'}: (top level):" in done.stderr
    assert "no report: b: its report was left out: (top level):" in done.stderr
    assert "no report: c: no report was found for this repository" in done.stderr
    strict = checklists(*argv, "--strict")
    assert strict.returncode == 1


def test_reports_read_in_worker_processes_are_the_same(tmp_path: Path) -> None:
    for number in range(6):
        verdicts = ["verified", "broken", "unverified", "not_yet"][number % 4 :]
        verdicts += ["verified"] * (4 - len(verdicts))
        write(tmp_path / f"r{number}", report(verdicts), repository=f"r{number}")
    write(tmp_path / "bad", "{", repository="bad")
    alone = aggregate.read_reports([tmp_path], {"r1": ("t",)})
    pooled = aggregate.read_reports([tmp_path], {"r1": ("t",)}, workers=2, parallel_above=0)
    assert [(r.repository, r.verdicts, r.teams) for r in pooled.reports] == [
        (r.repository, r.verdicts, r.teams) for r in alone.reports
    ]
    assert pooled.rejected == alone.rejected
    assert len({id(r.guide) for r in pooled.reports}) == 1  # the claims are shared again
