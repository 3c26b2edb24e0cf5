"""`located_yaml.load` composes from libyaml's events (`_compose_fast`) and hands anything
unusual to PyYAML's own composer (`_compose_careful`): both readings must give the same
values, lines and errors, and the fast one must refuse what it cannot read alike."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checks.readers import located_yaml

ROOT = Path(__file__).resolve().parents[2]

CRAFTED = [
    "",
    "# only a comment\n",
    "---\n",
    "--- \n...\n",
    "a: &x 1\nb: *x\nc: [*x, {d: *x}]\n",
    "? [a, b]\n: c\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !!str 0755\nb: !custom x\nc: 0o17\nd: 0x1F\ne: .inf\nf: .NaN\ng: on\nh: 1_000\n",
    "\ufeffa: 1\n",
    "a:\r\n  - 1\r\n  - 2\r\n",
    "a: b\x85c: d\n",
    "a: 'x\n  y'\nb: >\n  folded\n  text\nc: |-\n  kept\n\n",
    "a: |+2 # kept\n    x\nb: >-\n  y\nc: |9-\n         z\n",
    "[1, [2, [3, {a: b}]]]",
    "- &a x\n- *a\n- *a\n",
    "%YAML 1.2\n---\na: 1\n",
    "? &k a\n: *k\n",
    "a: [x, ?y]\n",
    "on:\n  push:\n    branches: [main]\njobs:\n  b:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: echo ${{ github.sha }}\n",
]


def _shape(value: object) -> object:
    """The value with every line it carries, NaN made comparable."""
    if isinstance(value, located_yaml.YMap):
        return ("map", value.line, [(k, value.key_lines[k], _shape(v)) for k, v in value.items()])
    if isinstance(value, located_yaml.YList):
        return ("list", value.line, value.item_lines, [_shape(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return (type(value).__name__, value)


def _read(compose: object, text: str) -> object:
    """The document as `load` makes it from the node tree `compose` gives (a bomb refused
    before anything is expanded)."""
    node = compose(text)  # type: ignore[operator]
    if node is None:
        return None
    located_yaml._check_expansion(node)
    return _shape(located_yaml._convert(node, {}))


def _documents() -> list[str]:
    found = [
        p.read_text("utf-8")
        for folder in ("examples", "tests/fixtures")
        for p in sorted((ROOT / folder).rglob("*.y*ml"))
        if p.is_file() and "\t" not in p.read_text("utf-8", errors="replace")
    ]
    return CRAFTED + found


def test_the_fast_and_the_careful_reading_agree() -> None:
    documents = _documents()
    assert len(documents) > 100  # the repository's own workflows, Compose files, samples
    fast = careful = 0
    for text in documents:
        try:
            expected = _read(located_yaml._compose_careful, text)
        except InputError:
            continue  # the samples of bad YAML: the next test
        careful += 1
        assert _read(located_yaml._compose_fast, text) == expected, text[:200]
        fast += 1
    assert fast == careful > 100


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a:\tb\n", "a tab (libyaml takes some that PyYAML refuses)"),
        ("a: [x ?y]\n", 'a "?" in a plain value inside [ ] (libyaml reads it as text)'),
        ("a: &x 1\nb: &x 2\n", "a duplicate anchor"),
        ("a: *nope\n", "an undefined alias"),
        ("a: 1\n---\nb: 2\n", "a second document"),
        ("a: [1, 2\n", "a syntax error"),
        ("a: |# note\n  x\n", "a block scalar header libyaml takes and YAML does not"),
        ("x: " + "[" * 300 + "]" * 300 + "\n", "nesting past the bound"),
    ],
)
def test_what_the_fast_reading_cannot_take_is_read_the_careful_way(text: str, why: str) -> None:
    with pytest.raises(located_yaml._NotPlainError):
        located_yaml._compose_fast(text)
    try:
        expected: object = _read(located_yaml._compose_careful, text)
    except InputError as error:
        expected = (str(error), error.line, error.kind)
    try:
        got: object = _shape(located_yaml.load(text.encode()))
    except InputError as error:
        got = (str(error), error.line, error.kind)
    assert got == expected, why


def test_a_plain_document_never_reaches_the_careful_composer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("read the slow way")

    monkeypatch.setattr(located_yaml, "_compose_careful", refuse)
    workflow = (ROOT / "examples").rglob("*.yml")
    document = located_yaml.load(next(iter(sorted(workflow))).read_bytes())
    assert isinstance(document, located_yaml.YMap)
