"""End to end: build the real site with mkdocs and read the verdicts back.

These run `mkdocs build` in a subprocess, as a user or CI would, against the real
`mkdocs.yml`, the real guide and the embedded example target (or a broken copy of it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.language import JAPANESE, KANA, english_runs, strip_quoted, verdict_texts
from tests.paths import ORIGINAL_GUIDE, ROOT

SCHEMA = ROOT / "plugins" / "checklists" / "site" / "assets" / "compliance.schema.json"
FIRST_CHECKLIST = {
    "dockerfile.multi_stage": "verified",
    "dockerfile.non_root_user": "verified",
    "dockerfile.healthcheck": "verified",
    "dockerfile.env_without_secrets": "verified",
    "dockerignore.excludes": "verified",
    "scan.trivy_passed": "unverified",
}


def build(
    root: Path, site: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site), *extra],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def copy_site(tmp_path: Path) -> Path:
    """A copy of the site and its target that a test may break."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root)
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "examples", root / "examples")
    return root


def report(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "compliance.json").read_text("utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text("utf-8")))
    return data


def verdict_of(
    data: dict[str, Any], check_id: str, section: str = "Dockerfile 作成時"
) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        i for i in data["items"] if i["check"] == check_id and i["section"] == section
    ]
    (item,) = items
    return item


def checklist(data: dict[str, Any]) -> dict[str, str]:
    return {i["check"]: i["verdict"] for i in data["items"] if i["section"] == "Dockerfile 作成時"}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    site = tmp_path_factory.mktemp("site")
    return build(ROOT, site), site


def test_the_real_site_builds_strict_with_the_first_checklist_bound(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, site = built
    assert result.returncode == 0, result.stderr
    data = report(site)
    assert checklist(data) == FIRST_CHECKLIST
    first = [i for i in data["items"] if i["section"] == "Dockerfile 作成時"]
    assert all(i["claim"] == "checked" for i in first)
    tasks = [i for i in data["items"] if i["kind"] == "task"]
    assert len(tasks) == 15  # every checklist item of the guide
    unticked = {i["text"]: i["verdict"] for i in tasks if i["claim"] == "unchecked"}
    assert set(unticked.values()) == {"not_yet"}  # shown as 未対応, not as failures
    assert len(unticked) == 6
    assert data["summary"]["failed"] is False
    assert data["unbound"] == []  # every checklist item is bound, and the site requires it
    non_root = verdict_of(data, "dockerfile.non_root_user")
    assert non_root["params"] == {"uid": 1000, "gid": 1000}
    assert any(e["path"] == "backend/Dockerfile" and e["line"] for e in non_root["evidence"])


def test_the_guide_page_shows_badges_and_evidence(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    page = (site / "index.html").read_text("utf-8")
    section = page[page.index('id="dockerfile-作成時"') : page.index('id="cicd-統合時"')]
    verdicts = re.findall(r'<details class="cl-result cl-v-(\w+)" id="check-\d+"', section)
    assert verdicts == ["verified"] * 5 + ["unverified"]
    assert section.count(">検証済み</span></summary>") == 5
    assert ">未計測</span></summary>" in section
    assert '<code class="cl-where">backend/Dockerfile:' in section
    assert re.search(r"\d+項目中 \d+ 検証済み", page)
    assert "<!-- check:" not in page  # every binding was replaced
    assert 'href="compliance/"' in page


def test_every_verdict_of_the_example_is_said_in_japanese(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """No outcome, value or evidence note on the guide or the report is an English sentence
    (the target's names, paths, commands and excerpts excepted): the site speaks Japanese."""
    _, site = built
    for page in ("index.html", "compliance/index.html"):
        texts = verdict_texts((site / page).read_text("utf-8"))
        kinds = {kind for kind, _ in texts}
        assert len(texts) > 100 and {"outcome", "evidence"} <= kinds, (page, kinds)
        english = [(kind, text) for kind, text in texts if english_runs(text)]
        assert english == [], english[:5]
        unsaid = [text for kind, text in texts if kind == "outcome" and not JAPANESE.search(text)]
        assert unsaid == [], unsaid[:5]


def test_an_english_site_build_speaks_english(tmp_path: Path) -> None:
    """The same site with `theme.language: en`: the verdicts, their evidence and the catalog
    are English, from the same checks."""
    root = copy_site(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("  language: ja\n", "  language: en\n", 1), "utf-8"
    )
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    texts = verdict_texts(page)
    assert len(texts) > 100
    # The guide is the author's Japanese; what the checks say is English (a target's own
    # names may be Japanese: an environment named 開発 has no kana).
    said = [text for _, text in texts if KANA.search(strip_quoted(text))]
    assert said == [], said[:5]
    outcomes = [text for kind, text in texts if kind == "outcome"]
    assert sum(1 for text in outcomes if english_runs(text)) > len(outcomes) / 2
    assert ">Verified</span></summary>" in page
    assert "the final stage runs as appuser (uid 1000, gid 1000)" in page
    data = report(tmp_path / "site")
    assert data["lang"] == "en"
    reduction = next(i for i in data["items"] if i["check"] == "context.reduction")
    assert "contradicts the text's 約80% (60.0%–100.0% would agree)" in reduction["summary"]
    catalog = (tmp_path / "site" / "checks" / "dockerfile" / "index.html").read_text("utf-8")
    assert "What it checks" in catalog and "何を確認するか" not in catalog
    assert "Non-root user: the final image runs as a user other than root" in catalog


def test_the_compliance_page_lists_every_binding_and_the_unbound_items(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    page = (site / "compliance" / "index.html").read_text("utf-8")
    data = report(site)
    assert page.count('<tr class="cl-row" data-verdict=') == len(data["items"])
    assert 'href="../#check-' in page
    assert "GitHub Actions キャッシュ設定" in page  # unbound, listed with its line
    assert "index.md:" in page


def test_a_removed_user_breaks_the_claim_after_writing_the_report(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    text = dockerfile.read_text("utf-8")
    assert "USER appuser\n" in text
    dockerfile.write_text(text.replace("USER appuser\n", ""), "utf-8")
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "index.md:" in result.stderr and "[broken]" in result.stderr
    data = report(tmp_path / "site")
    item = verdict_of(data, "dockerfile.non_root_user")
    assert (item["verdict"], item["fails"]) == ("broken", True)
    assert any(e["path"] == "backend/Dockerfile" for e in item["evidence"])
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<details class="cl-result cl-v-broken"' in page
    assert ">主張違反</span></summary>" in page
    # The SARIF log names the broken check's rule, with its description, for code scanning.
    sarif = json.loads((tmp_path / "site" / "compliance.sarif").read_text("utf-8"))
    (run,) = sarif["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["dockerfile.non_root_user"]["shortDescription"]["text"]
    assert "dockerfile.non_root_user" in {result["ruleId"] for result in run["results"]}


def test_unreadable_target_input_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    backend = root / "examples" / "autoforgenexus" / "backend"
    (backend / "Dockerfile").write_bytes(b"FROM python:3.13-slim\n\x00\x01binary")
    outside = tmp_path / "outside.dockerignore"
    outside.write_text("*\n", "utf-8")
    (backend / ".dockerignore").unlink()
    (backend / ".dockerignore").symlink_to(outside)
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    data = report(tmp_path / "site")
    # Every Dockerfile check of backend/Dockerfile; the 開発 rows read Dockerfile.dev, intact.
    dockerfile_items = [
        i
        for i in data["items"]
        if i["check"].startswith("dockerfile.") and i["environment"] != "開発"
    ]
    assert {i["verdict"] for i in dockerfile_items} == {"error"}
    development = [i for i in data["items"] if i["environment"] == "開発"]
    assert development and all("backend/Dockerfile:2" not in i["summary"] for i in development)
    assert all("backend/Dockerfile:2" in i["summary"] for i in dockerfile_items)
    ignore = verdict_of(data, "dockerignore.excludes")
    assert ignore["verdict"] == "error"
    assert "ターゲットの外を指すシンボリックリンク" in ignore["summary"]  # the site speaks ja


def test_a_broken_binding_fails_with_its_page_line(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    guide = root / "docs" / "index.md"
    text = guide.read_text("utf-8")
    text = text.replace(
        "- [x] ヘルスチェック実装 <!-- check: dockerfile.healthcheck -->",
        "- [x] ヘルスチェック実装 <!-- check: dockerfile.healthchek -->",
    )
    text = text.replace(
        "- [x] 非rootユーザー実行 <!-- check: dockerfile.non_root_user {uid: 1000, gid: 1000} -->",
        "- [x] 非rootユーザー実行 <!-- check: dockerfile.non_root_user {uid: 1000, gid: }} -->",
    )
    guide.write_text(text, "utf-8")
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    # The build's log speaks the site's language, with the ids as written.
    assert (
        "不明なチェック ID 'dockerfile.healthchek'（'dockerfile.healthcheck' の誤りでは"
        "ありませんか）" in result.stderr
    )
    data = report(tmp_path / "site")
    assert verdict_of(data, "dockerfile.multi_stage")["verdict"] == "verified"
    broken = [i for i in data["items"] if i["verdict"] == "error"]
    assert len(broken) == 2
    assert all(re.match(r"index\.md:\d+: ", i["summary"]) for i in broken)


def test_a_missing_target_is_a_clear_setup_error(tmp_path: Path) -> None:
    result = build(ROOT, tmp_path / "site", env={"CHECKLISTS_TARGET": str(tmp_path / "nowhere")})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"the target folder {tmp_path / 'nowhere'} does not exist" in result.stderr


def guide_structure(markdown: str) -> tuple[int, int, int]:
    """(headings, code blocks, tables) of the author's guide, outside code."""
    headings = blocks = tables = 0
    in_fence = previous_table = False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            blocks += 0 if in_fence else 1
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        headings += bool(re.match(r"#{1,6} ", line))
        is_table = stripped.startswith("|")
        tables += is_table and not previous_table
        previous_table = is_table
    return headings, blocks, tables


def test_the_whole_guide_is_rendered(built: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, site = built
    original = ORIGINAL_GUIDE.read_text("utf-8")
    headings, blocks, tables = guide_structure(original)
    page = (site / "index.html").read_text("utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    assert len(re.findall(r"<h[1-6] id=", article)) == headings
    assert len(re.findall(r"<pre", article)) - article.count('<pre class="cl-excerpt"') == blocks
    assert article.count("<table>") == tables
    # The fenced block stays inside its list item (after the site's invisible prose note).
    assert re.search(
        r"<p><strong>Backend</strong>: Cloudflare Workers Python（サーバーレス実行）"
        r"(?: <!-- prose: [^>]*-->)?</p>\n(?:<!-- prose: [^>]*-->\n)?"
        r'<div class="highlight"><pre>',
        article,
    )
    assert "backend/CLAUDE.md</code> - バックエンド実装ガイド" in article
    assert "このサイトには含まれていません" in article
    assert 'href="../../backend/CLAUDE.md"' not in article


def write_evidence(
    root: Path, measurements: dict[str, Any], *, dockerfile: bytes | None = None
) -> None:
    """Test evidence for 本番 in the copied target (values are test data, not measurements)."""
    from tests.evidence import evidence

    target = root / "examples" / "autoforgenexus"
    current = (target / "backend" / "Dockerfile").read_bytes()
    folder = target / "reports" / "measurements"
    folder.mkdir(parents=True)
    text = evidence(
        dockerfile if dockerfile is not None else current,
        "本番",
        measurements,
        dockerfile_path="backend/Dockerfile",
        context="backend",
    )
    (folder / "measure-20261120T093000Z.json").write_text(text, "utf-8")


def test_an_image_over_its_limit_fails_the_build_after_writing_the_report(tmp_path: Path) -> None:
    from tests.evidence import measured

    root = copy_site(tmp_path)
    write_evidence(root, {"image.size": measured(262_000_000, "B")})
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    data = report(tmp_path / "site")
    cell = next(
        i
        for i in data["items"]
        if i["check"] == "image.size" and i["environment"] == "本番" and i["limit"] == "< 250MB"
    )
    assert (cell["verdict"], cell["value"], cell["fails"]) == ("broken", "262MB", True)
    # The 比較表 row states 220MB for the same image: the reading contradicts it.
    compared = next(i for i in data["items"] if i["text"] == "マルチステージ（本番）")
    assert (compared["verdict"], compared["stated"]["text"]) == ("contradicted", "220MB")
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    row = page[page.index("イメージサイズ</td>") :][:4000]
    assert '<span class="cl-limit">&lt; 250MB</span>' in row
    assert "262MB" in row
    assert ">主張違反</span></summary>" in row
    assert '<svg class="cl-bar cl-v-broken"' in row
    measured_table = page[page.index("本番イメージサイズ") :][:3000]
    assert '<span class="cl-observed" data-verdict="broken">262MB</span>' in measured_table


def test_evidence_for_an_older_dockerfile_is_shown_as_stale(tmp_path: Path) -> None:
    from tests.evidence import measured

    root = copy_site(tmp_path)
    write_evidence(root, {"image.size": measured(201_000_000, "B")}, dockerfile=b"FROM old\n")
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    data = report(tmp_path / "site")
    cells = [i for i in data["items"] if i["check"] == "image.size" and i["environment"] == "本番"]
    assert {(c["verdict"], c["stale"], c["value"]) for c in cells} == {("stale", True, None)}
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert ">古い計測</span></summary>" in page


def test_a_corrupt_evidence_file_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    folder = root / "examples" / "autoforgenexus" / "reports" / "measurements"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text('{"schema": "docker-guide/measurements",', "utf-8")
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    data = report(tmp_path / "site")
    metric_cells = [i for i in data["items"] if i["check"] == "image.size"]
    assert {i["verdict"] for i in metric_cells} == {"error"}
    assert all("reports/measurements/broken.json" in i["summary"] for i in metric_cells)


def test_the_default_build_shows_limits_unmeasured_and_the_context_reduction(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    data = report(site)
    cells = [i for i in data["items"] if i["kind"] == "row" and i["environment"] and i["limit"]]
    assert len(cells) == 11  # five metrics for two environments, and the measured image size
    assert {c["verdict"] for c in cells} == {"unverified"}
    assert all("checklists measure --env" in e["note"] for c in cells for e in c["evidence"][:1])
    rows = {i["text"]: i for i in data["items"] if i["section"] == "実測値（2025年10月8日）"}
    assert rows["マルチステージ段階"]["verdict"] == "verified"
    assert rows["ヘルスチェック"]["verdict"] == "verified"
    assert rows["セキュリティチェック"]["verdict"] == "unverified"
    # The guide says the .dockerignore cuts the context by 約80% (60%-100% agrees); the
    # example target, which has no .venv or .git to leave out, measures far less: the
    # reading contradicts the text, and the guide's waiver (with its reason) accepts that.
    reduction = next(i for i in data["items"] if i["check"] == "context.reduction")
    assert reduction["stated"] == {"text": "約80%", "agrees": "60.0%–100.0%"}
    assert reduction["quantity"] is not None and 0 < reduction["quantity"] < 60
    # compliance.json speaks the site's language (ja): the summary is the page's.
    assert data["lang"] == "ja"
    assert reduction["outcome"] == "fail" and "本文の「約80%」と矛盾" in reduction["summary"]
    assert reduction["verdict"] == "waived" and reduction["waiver"]["until"] == "2027-12-31"
    page = (site / "index.html").read_text("utf-8")
    assert '<span class="cl-observed">2段階</span>' not in page  # value cells carry their verdict
    assert '<span class="cl-observed" data-verdict="verified">2段階</span>' in page
    assert '<span class="cl-observed" data-verdict="verified">実装済み</span>' in page


def test_the_site_carries_every_report_and_they_validate(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    from xml.etree import ElementTree as ET

    _, site = built
    report(site)
    sarif_schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(json.loads((site / "compliance.sarif").read_text("utf-8")), sarif_schema)
    junit = ET.parse(site / "compliance.junit.xml").getroot()
    assert junit.tag == "testsuites" and int(junit.get("tests") or 0) > 0
    # Dashboards open these paths from the repository root: each must be a file there.
    for case in junit.iter("testcase"):
        assert (ROOT / str(case.get("file"))).is_file(), case.attrib
    sarif = json.loads((site / "compliance.sarif").read_text("utf-8"))
    for result in sarif["runs"][0]["results"]:
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert (ROOT / uri).is_file() and not uri.startswith("docs/"), uri
    assert all(path.name.isascii() for path in (site / "badges").iterdir())
    badge = ET.parse(site / "badges" / "compliance.svg").getroot()
    assert badge.get("aria-label", "").startswith("準拠: ")
    assert (
        json.loads((site / "badges" / "compliance.json").read_text("utf-8"))["schemaVersion"] == 1
    )


def test_two_builds_with_source_date_epoch_write_identical_reports(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1764316800"}
    for name in ("one", "two"):
        assert build(ROOT, tmp_path / name, env=env).returncode == 0
    files = ["compliance.json", "compliance.junit.xml", "compliance.sarif", "badges/compliance.svg"]
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )


def test_checks_can_be_turned_off_and_the_bindings_stay_harmless(tmp_path: Path) -> None:
    result = build(ROOT, tmp_path / "site", env={"CHECKLISTS_ENABLED": "false"})
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "cl-result" not in page and "cl-slot" not in page
    assert "<!-- check: dockerfile.multi_stage -->" in page  # an HTML comment, invisible
    assert not (tmp_path / "site" / "compliance.json").exists()
    report_page = (tmp_path / "site" / "compliance" / "index.html").read_text("utf-8")
    assert "CHECKLISTS_ENABLED=false" in report_page
    # The catalog is a plugin of its own: it documents the checks whether or not they run.
    assert_full_catalog(tmp_path / "site")


def assert_full_catalog(site: Path) -> None:
    from checklists.core.registry import load_packages
    from checklists.site.catalog import anchor

    specs = load_packages(["checks"])
    areas = {spec.id.split(".", 1)[0] for spec in specs}
    index = (site / "checks" / "index.html").read_text("utf-8")
    for area in areas:
        page = (site / "checks" / area / "index.html").read_text("utf-8")
        members = [spec for spec in specs if spec.id.startswith(f"{area}.")]
        for spec in members:
            assert f'id="{anchor(spec)}"' in page, spec.id
            assert f"<code>{spec.id}</code>" in index, spec.id
        assert page.count('class="tabbed-set') == len(members)  # pass/fail samples each


def test_the_site_carries_the_check_catalog(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    assert_full_catalog(site)
    page = (site / "checks" / "dockerfile" / "index.html").read_text("utf-8")
    assert "checklists-catalog:samples" not in page  # every placeholder was filled
    assert "builder-defined-but-unused" in page  # a failing sample's tab
    assert '<span class="k">FROM</span>' in page  # its Dockerfile, highlighted


def test_search_finds_the_guide_and_the_catalog_not_the_run(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    index = (site / "search" / "search_index.json").read_text("utf-8")
    docs = json.loads(index)["docs"]
    text = " ".join(f"{d['title']} {d['text']}" for d in docs)
    assert "マルチステージビルド" in text  # the guide's words
    assert any(d["location"].startswith("checks/dockerfile/#dockerfile-multi-stage") for d in docs)
    # The run's verdicts and evidence, and the samples' code, are not in the index.
    assert "backend/Dockerfile:" not in text  # evidence locations
    assert "builder-defined-but-unused" not in text  # a sample's tab, with its code


def test_a_broken_catalog_option_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Guide\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - checklists-catalog:\n      checks: [no_such_checks]\n",
        "utf-8",
    )
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "checklists-catalog: cannot import the check package 'no_such_checks'" in result.stderr


def _with_hook(root: Path, priority: int) -> None:
    """A hook that drops every HTML comment from the finished pages, as minifiers do."""
    (root / "strip_comments.py").write_text(
        "import re\n"
        "from mkdocs.plugins import event_priority\n\n"
        f"@event_priority({priority})\n"
        "def on_post_page(output, page, config):\n"
        "    return re.sub(r'<!--.*?-->', '', output, flags=re.S)\n",
        "utf-8",
    )
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "hooks:\n  - strip_comments.py\n", "utf-8")


def test_verdicts_and_samples_go_in_before_other_html_rewriters(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    (root / "tests").symlink_to(ROOT / "tests")  # the catalog's samples
    _with_hook(root, priority=50)  # a default-priority rewriter runs after ours
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert re.search(r"\d+項目中 \d+ 検証済み", page) and "cl-slot" not in page
    assert "<!--" not in page  # the hook did run
    assert_full_catalog(tmp_path / "site")


def test_a_rewriter_that_eats_the_catalog_placeholders_is_a_clear_error(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    (root / "tests").symlink_to(ROOT / "tests")
    _with_hook(root, priority=200)  # runs before the catalog fills its samples in
    result = build(root, tmp_path / "site")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "checklists-catalog: checks/" in result.stderr
    assert "lost sample placeholders" in result.stderr


def test_the_moved_catalog_options_say_where_they_went(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "      require_evidence: false\n" in text
    config.write_text(
        text.replace(
            "      require_evidence: false\n",
            "      require_evidence: false\n      catalog: checks\n",
        ),
        "utf-8",
    )
    result = build(root, tmp_path / "site")
    assert result.returncode != 0  # --strict: a deprecated option is a warning
    assert "the catalog is the 'checklists-catalog' plugin" in result.stderr
