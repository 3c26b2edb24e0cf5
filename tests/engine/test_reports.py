"""JUnit, SARIF, badges and GitHub output of a run: valid shapes, escaping, caps, waivers."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.registry import CheckSpec, Registry
from checklists.core.verdict import Policy
from checklists.reports import badges, github, junit, sarif
from checklists.reports.compliance import json_text

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
PAGE = """## 一覧

- [x] holds <!-- check: fake.passes -->
- [x] broken <!-- check: fake.fails -->
- [ ] planned <!-- check: fake.fails {} -->
- [x] crashes <!-- check: fake.raises -->
- [x] no report <!-- check: fake.unknown -->
- [x] waived <!-- check: fake.fails waive: {reason: "vendor fix, see #12", until: 2027-01-31} -->
- [x] expired <!-- check: fake.fails waive: {reason: old, until: 2026-01-31} -->
- [x] stale waiver <!-- check: fake.passes waive: {reason: gone, until: 2027-01-31} -->
- [ ] not bound
"""


@pytest.fixture
def run(registry: Registry, tmp_path: Path) -> Run:
    (tmp_path / "file.txt").write_text("x\n", "utf-8")
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    return evaluate(collect({"guide.md": PAGE}), settings, logging.getLogger("t"), registry)


def specs(registry: Registry) -> dict[str, CheckSpec]:
    return {spec.id: spec for spec in registry}


def test_junit_has_the_common_shape_and_counts(run: Run) -> None:
    root = ET.fromstring(junit.junit_xml(run))
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite" and suite.get("name") == "guide.md › 一覧"
    allowed = {"testcase"}
    assert {child.tag for child in suite} <= allowed
    outcomes = {}
    for case in suite:
        assert set(case.attrib) <= {"classname", "name", "file", "line", "time"}
        assert {child.tag for child in case} <= {"failure", "error", "skipped"}
        kind = next((child.tag for child in case), "passed")
        outcomes[case.get("name")] = kind
    assert outcomes == {
        "holds [fake.passes]": "passed",
        "broken [fake.fails]": "failure",
        "planned [fake.fails]": "skipped",
        "crashes [fake.raises]": "error",
        "no report [fake.unknown]": "skipped",
        "waived [fake.fails]": "skipped",
        "expired [fake.fails]": "failure",
        "stale waiver [fake.passes]": "passed",
        "not bound": "skipped",
    }
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "9",
        "2",
        "1",
        "4",
    )
    broken = suite.find("testcase[@name='broken [fake.fails]']")
    assert broken is not None and (broken.get("file"), broken.get("line")) == ("file.txt", "2")
    unbound = suite.find("testcase[@name='not bound']")
    assert unbound is not None and unbound.get("file") == "docs/guide.md"
    failure = suite.find("testcase[@name='broken [fake.fails]']/failure")
    assert failure is not None and failure.text is not None
    assert "guide.md:4: broken" in failure.text and "file.txt:2: broken" in failure.text


def test_sarif_validates_and_locates_failures_in_the_target(run: Run, registry: Registry) -> None:
    log = json.loads(sarif.sarif(run, specs(registry), root="examples/app", docs="docs"))
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema)
    (sarif_run,) = log["runs"]
    results = sarif_run["results"]
    by_text = {r["message"]["text"].split(":")[0]: r for r in results}
    # `crashes` raised before it named a file of the target: a notification, not a result
    # pointing at the guide's page.
    assert set(by_text) == {"broken", "waived", "expired"}
    (notification,) = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith("docs/guide.md:6: crashes: ")
    location = by_text["broken"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "examples/app/file.txt",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"]["startLine"] == 2
    assert "%SRCROOT%" in sarif_run["originalUriBaseIds"]
    assert sarif_run["automationDetails"] == {"id": "checklists/"}
    fingerprints = {r["partialFingerprints"]["checklistsFinding/v1"] for r in results}
    assert len(fingerprints) == 1  # three verdicts on one finding: the same fingerprint
    for result in results:
        assert not any(
            loc["physicalLocation"]["artifactLocation"]["uri"].startswith("docs/")
            for loc in result["locations"]
        )
    assert by_text["waived"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "vendor fix, see #12"}
    ]
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["fake.fails"]["help"]["text"].endswith("How to fix: Nothing to fix.")
    assert 0 < float(rules["fake.fails"]["properties"]["security-severity"]) <= 10
    assert rules["fake.fails"]["fullDescription"]["text"] == "A fake check for the engine's tests."


def test_annotation_escaping() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_annotations_are_capped_with_a_pointer_to_the_rest(
    registry: Registry, tmp_path: Path
) -> None:
    page = "".join(
        f"- [x] item {n} <!-- check: fake.reads {{path: missing-{n:02}.txt}} -->\n"
        for n in range(13)
    )
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    run = evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)
    lines = github.error_annotations(
        run, specs(registry), docs="docs", report="site/compliance.json"
    )
    assert len(lines) == github.ANNOTATION_CAP
    # A missing file is no place in the target: the annotation sits on the binding's line.
    assert lines[0].startswith("::error file=docs/p.md,line=1,title=fake.reads (error)::item 0")
    assert lines[-1].endswith(
        "%0A3 more failing item(s) are not annotated; see site/compliance.json"
    )


def test_one_finding_bound_to_several_claims_is_annotated_once(
    registry: Registry, tmp_path: Path
) -> None:
    page = "".join(f"- [x] item {n} <!-- check: fake.fails {{}} -->\n" for n in range(3))
    (tmp_path / "file.txt").write_text("x\nbroken\n", "utf-8")
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    run = evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)
    (line,) = github.error_annotations(run, specs(registry), docs="docs")
    assert line == (
        "::error file=file.txt,line=2,title=fake.fails (broken)"
        "::item 0; item 1; item 2: it does not hold"
    )


def test_summary_stays_under_githubs_limit(run: Run) -> None:
    text = github.summary_markdown(run, "準拠レポート", "site/compliance.json")
    assert text.startswith("## 準拠レポート")
    assert "| Claim broken | broken | guide.md:4 |" in text
    japanese = github.summary_markdown(run, "準拠レポート", "site/compliance.json", "ja")
    assert "| 主張違反 | broken | guide.md:4 |" in japanese
    assert "| 判定 | 項目 | 場所 | 要約 |" in japanese
    assert len(text.encode()) < github.SUMMARY_LIMIT


def test_badges_are_well_formed_svg_and_endpoint_json(run: Run) -> None:
    files = badges.badges(list(run.bound), "ja")
    section = f"section-{badges.slug('一覧')}"
    assert set(files) == {
        "compliance.svg",
        "compliance.json",
        f"{section}.svg",
        f"{section}.json",
        "index.json",
    }
    assert all(name.isascii() for name in files)
    assert json.loads(files["index.json"])[f"{section}.svg"] == "一覧"
    assert badges.slug("ビルド・デプロイ (CI/CD)").startswith("ci-cd-")
    assert badges.slug("一覧") != badges.slug("一覧 ")
    root = ET.fromstring(files["compliance.svg"])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("aria-label") == "準拠: 2/8"  # holds, and the stale waiver that passes
    assert json.loads(files["compliance.json"]) == {
        "color": badges.COLOURS["red"],
        "labelColor": badges.LABEL_COLOUR,
        "label": "準拠",
        "message": "2/8",
        "schemaVersion": 1,
    }


def test_badge_colour_follows_the_worst_verdict(registry: Registry, tmp_path: Path) -> None:
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))

    def colour_of(page: str) -> str:
        run = evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)
        return badges.colour(list(run.bound))

    assert colour_of("- [x] a <!-- check: fake.passes -->\n") == "green"
    assert (
        colour_of("- [x] a <!-- check: fake.passes -->\n- [ ] b <!-- check: fake.fails -->\n")
        == "blue"
    )
    assert colour_of("- [x] a <!-- check: fake.unknown -->\n") == "yellow"
    assert colour_of("- [x] a <!-- check: fake.fails -->\n") == "red"


def test_json_text_is_the_same_json_with_one_line_per_item() -> None:
    data = {
        "items": [{"b": [1, {"z": None}], "a": '日本 "q" <x>'}, {}],
        "summary": {"verdicts": {"pass": 2}},
        "empty": [],
    }
    text = json_text(data, levels=2, sort_keys=True)
    assert json.loads(text) == data
    assert text.splitlines() == [
        "{",
        '  "empty": [],',
        '  "items": [',
        '    {"a": "日本 \\"q\\" <x>", "b": [1, {"z": null}]},',
        "    {}",
        "  ],",
        '  "summary": {',
        '    "verdicts": {"pass": 2}',
        "  }",
        "}",
    ]


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_badge_text_is_at_least_12px_with_contrast_on_every_colour(run: Run) -> None:
    svg = badges.badges(list(run.bound), "ja")["compliance.svg"]
    root = ET.fromstring(svg)
    group = next(g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("font-size"))
    assert float(group.get("font-size", "0")) >= 12
    text = group.get("fill", "")
    assert contrast(text, badges.LABEL_COLOUR) >= 4.5
    for name, fill in badges.COLOURS.items():
        assert contrast(text, fill) >= 4.5, (name, fill, contrast(text, fill))
    # The message fits its box: the estimated width covers the text at 12 px.
    assert badges._width("25/45") >= 12 * 0.6 * 5
