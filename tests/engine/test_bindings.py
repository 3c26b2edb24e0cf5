"""The binding scanner: items, claims, params, waivers, and code that only shows the syntax."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from checklists.core.bindings import (
    Columns,
    Item,
    _load_mapping,
    parse_binding,
    scan,
)
from checklists.core.scanner import mask_inline_code


def bound(markdown: str) -> list[Item]:
    return [item for item in scan(markdown, "page.md") if item.bound]


def test_task_items_keep_page_line_section_and_claim() -> None:
    items = scan(
        "# Guide\n\n## Checklist\n\n- [x] done <!-- check: a.b -->\n- [ ] open\n* [X] caps\n",
        "guide.md",
    )
    assert [(i.line, i.section, i.text, i.claim, i.check_id) for i in items] == [
        (5, "Checklist", "done", True, "a.b"),
        (6, "Checklist", "open", False, None),
        (7, "Checklist", "caps", True, None),
    ]
    assert items[0].location == "guide.md:5"
    assert items[0].comment == (5, 11, 30)


def test_params_are_a_yaml_flow_mapping() -> None:
    (item,) = bound("- [x] user <!-- check: dockerfile.non_root_user {uid: 1000, gid: 1000} -->")
    assert item.check_id == "dockerfile.non_root_user"
    assert dict(item.params) == {"uid": 1000, "gid": 1000}
    assert item.error is None


@pytest.mark.parametrize(
    "markdown",
    [
        "```markdown\n- [x] shown <!-- check: a.b -->\n```\n",
        "~~~\n- [x] shown <!-- check: a.b -->\n~~~\n",
        "- item\n\n    ```md\n    - [x] nested fence <!-- check: a.b -->\n    ```\n",
        "Text.\n\n    - [x] indented code <!-- check: a.b -->\n",
        "- [x] inline `<!-- check: a.b -->` only\n",
        "Write ``<!-- check: a.b -->`` after the item.\n",
    ],
    ids=[
        "backtick-fence",
        "tilde-fence",
        "fence-in-list",
        "indented-code",
        "inline-code",
        "double-backtick-inline",
    ],
)
def test_code_is_never_a_binding(markdown: str) -> None:
    assert bound(markdown) == []


def test_nested_task_item_in_a_list_is_not_indented_code() -> None:
    items = bound("- [x] parent <!-- check: a.b -->\n\n    - [x] child <!-- check: a.c -->\n")
    assert [i.check_id for i in items] == ["a.b", "a.c"]


def test_a_fence_closes_only_with_its_own_kind_and_length() -> None:
    markdown = "````\n```\n- [x] a <!-- check: a.b -->\n```\n````\n- [x] b <!-- check: a.c -->\n"
    assert [i.check_id for i in bound(markdown)] == ["a.c"]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("<!-- check: a.b {uid: *alias} -->", "use a YAML anchor or alias"),
        ("<!-- check: a.b {uid: a: b} -->", "bad YAML"),
        ("<!-- check: a.b {uid: 1000 -->", "not closed"),
        ("<!-- check: a.b [1, 2] -->", "unexpected text"),
        ("<!-- check: -->", "names no id"),
        ("<!-- check: a.b {x: 1} trailing -->", "unexpected text"),
        ("<!-- check: a.b {waive: {until: 2027-01-31}} -->", "needs a reason"),
        ("<!-- check: a.b {waive: {reason: r, until: someday}} -->", "not a date"),
        ("<!-- check: a.b {waive: {reason: r, until: 2027-01-31, who: x}} -->", "unknown waiver"),
    ],
)
def test_malformed_bindings_are_located_errors(comment: str, message: str) -> None:
    (item,) = scan(f"text\n\n- [x] item {comment}\n", "p.md")
    assert item.line == 3
    assert item.error is not None
    assert message in item.error


def test_two_bindings_on_one_item_are_reported() -> None:
    (item,) = bound("- [x] twice <!-- check: a.b --> <!-- check: a.c -->")
    assert item.error is not None
    assert "2 bindings" in item.error


def test_a_binding_outside_a_task_item_is_an_error() -> None:
    (item,) = scan("A paragraph <!-- check: a.b -->\n", "p.md")
    assert item.error is not None
    assert "must end a list item" in item.error


def test_ordinary_comments_are_not_bindings() -> None:
    (item,) = scan("- [x] text <!-- just a note -->\n", "p.md")
    assert not item.bound
    assert item.text == "text <!-- just a note -->"


def test_waiver_inside_or_after_the_params() -> None:
    inside = parse_binding(" check: a.b {x: 1, waive: {reason: 'vendor fix', until: 2027-01-31}} ")
    after = parse_binding(" check: a.b {x: 1} waive: {reason: 'vendor fix', until: 2027-01-31} ")
    alone = parse_binding(" check: a.b waive: {reason: 'vendor fix', until: '2027-01-31', by: ops}")
    assert inside == after
    assert inside[1] == {"x": 1}
    assert inside[2] is not None
    assert inside[2].until == dt.date(2027, 1, 31)
    assert alone[2] is not None
    assert alone[2].by == "ops"


def test_quoted_braces_do_not_end_the_mapping() -> None:
    check_id, params, _ = parse_binding(" check: a.b {pattern: '}{'} ")
    assert (check_id, params) == ("a.b", {"pattern": "}{"})


def test_same_check_and_params_share_a_key() -> None:
    first, second, other = bound(
        "- [x] a <!-- check: a.b {y: 2, x: 1} -->\n- [x] b <!-- check: a.b {x: 1, y: 2} -->\n"
        "- [x] c <!-- check: a.b {x: 2} -->\n"
    )
    assert first.key == second.key
    assert first.key != other.key


def test_mask_inline_code_blanks_only_closed_spans() -> None:
    assert mask_inline_code("a `b` c") == "a     c"
    assert mask_inline_code("a `` b ` c `` d") == "a             d"
    assert mask_inline_code("unclosed `tick") == "unclosed `tick"


ENVIRONMENTS = Columns(environments=frozenset({"開発", "本番"}))


def test_a_metric_row_gives_one_item_per_environment_column() -> None:
    page = (
        "| メトリクス | 開発 | 本番 |\n| --- | :---: | ---: |\n"
        "| イメージサイズ <!-- metric: image.size --> | < 700MB | < 250MB |\n"
        "| unbound row | < 8分 | < 6分 |\n"
    )
    items = scan(page, "p.md", ENVIRONMENTS)
    assert [(i.line, i.text, i.environment, i.limit, i.slot) for i in items] == [
        (3, "イメージサイズ", "開発", "< 700MB", "3-開発"),
        (3, "イメージサイズ", "本番", "< 250MB", "3-本番"),
    ]
    cell = items[1].cells[0]
    line = page.splitlines()[2]
    assert (cell.role, line[cell.start : cell.end]) == ("limit", "< 250MB")
    assert items[0].key != items[1].key


def test_value_and_status_columns_receive_a_row_result() -> None:
    page = (
        "| メトリクス | 値 | ステータス |\n|---|---|---|\n"
        "| 本番 <!-- metric: image.size {env: 本番} --> | 220MB | ✅ 目標達成 |\n"
    )
    (item,) = scan(page, "p.md", ENVIRONMENTS)
    assert (item.environment, dict(item.params)) == ("本番", {})
    assert [(c.role, c.text) for c in item.cells] == [("value", "220MB"), ("status", "✅ 目標達成")]


def test_pipes_in_code_or_escaped_do_not_split_cells() -> None:
    page = "| a | 値 | ステータス |\n|---|---|---|\n| `x | y` \\| z <!-- check: a.b --> | v | s |\n"
    (item,) = scan(page, "p.md")
    assert item.text == "`x | y` \\| z"
    assert [c.text for c in item.cells] == ["v", "s"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("| a | <!-- check: a.b --> | s |", "goes in the first cell"),
        # a metric has a value to show; a check on such a row is the row's claim
        ("| a <!-- metric: a.b --> | x | y |", "no column to show the result"),
    ],
)
def test_misplaced_row_bindings_are_errors(row: str, message: str) -> None:
    header = "| a | 値 | ステータス |" if "first" in message else "| a | b | c |"
    (item,) = scan(f"{header}\n|---|---|---|\n{row}\n", "p.md")
    assert item.error is not None
    assert message in item.error


def test_a_table_inside_a_fence_is_text() -> None:
    page = "```\n| a | 値 |\n|---|---|\n| x <!-- check: a.b --> | 1 |\n```\n"
    assert scan(page, "p.md") == []


def test_a_plain_list_item_can_bind_a_claim() -> None:
    (item,) = scan(
        "- ビルドコンテキスト削減（約80%） <!-- metric: context.reduction {env: 本番} -->\n", "p.md"
    )
    assert (item.kind, item.claim, item.metric, item.environment) == ("claim", True, True, "本番")
    assert item.text == "ビルドコンテキスト削減（約80%）"


def test_a_heading_can_bind_the_claim_of_its_section() -> None:
    (item,) = scan("## セキュリティ\n\n### 1. 非rootユーザー実行 <!-- check: a.b -->\n", "p.md")
    assert (item.kind, item.text, item.section, item.line) == (
        "heading",
        "1. 非rootユーザー実行",
        "1. 非rootユーザー実行",
        3,
    )


FLAT_WORDS = (
    *("1000", "0", "017", "0o17", "0x1F", "0b101", "1_000", "190", "09", "00", "1-2"),
    *("1.5", "1e3", "1.0e+3", "6.8523015e+5", ".inf", ".nan", "1.", "1.0.0", "nan", "inf"),
    *("yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "tRUE"),
    *("null", "Null", "NULL", "2027-01-31", "2027-01-31t10:00:00z", "2027-1-3"),
    *("backend/Dockerfile", "Dockerfile.dev", ".env", "a.b", "_x", "x+y", "x_", "/health"),
)


@pytest.mark.parametrize("key", ["dockerfile", "on", "yes", "1", "null", "Y", "x_1"])
def test_flat_parameters_read_as_yaml_reads_them(key: str) -> None:
    """The parser that skips YAML for flat maps of plain words gives what YAML 1.1 gives,
    value and type (a word it cannot read the same way goes to YAML)."""
    for word in FLAT_WORDS:
        text = f"{{{key}: {word}, uid: 1000}}"
        expected = yaml.safe_load(text)
        got = _load_mapping(text)
        assert got == expected or repr(got) == repr(expected), text  # nan != nan
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()], text
        assert list(got) == list(expected), text


@pytest.mark.parametrize(
    "text",
    ["{}", "{ }", "{a: 1,}", "{a:1}", "{a: x y}", "{a: [1, 2]}", "{a: 'q, r'}", "{a: 1, a: 2}",
     "{a: -1}", "{a: ~}", "{path: /health, uid: 1000, x: {y: 1}}"],
)  # fmt: skip
def test_every_other_shape_reads_as_yaml_reads_it(text: str) -> None:
    assert _load_mapping(text) == yaml.safe_load(text)


def test_the_bindings_of_the_docs_and_samples_read_as_yaml_reads_them() -> None:
    root = Path(__file__).resolve().parents[2]
    pages = [*root.glob("docs/**/*.md"), *root.glob("tests/fixtures/**/*.md")]
    seen = 0
    for page in pages:
        for match in re.finditer(r"<!--\s*(?:check|metric):\s*\S+\s*(\{[^}]*\})", page.read_text()):
            text = match[1]
            assert _load_mapping(text) == yaml.safe_load(text), f"{page}: {text}"
            seen += 1
    assert seen >= 3
