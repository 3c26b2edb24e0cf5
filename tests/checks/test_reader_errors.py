"""A target file the readers cannot read is named with its place and why, in the site's
language: Japanese on the Japanese site and command line, English with `--lang en`.

Three layers are held to it. Each reader, given a malformed file, raises an `InputError`
whose text is a `Message`; rendered the way the runner renders it (`unreadable`, the
outcome's summary, and `read_error`, its evidence) it is Japanese with no English sentence
(`tests/language.py`) and in English is the reader's English, location first. The `error`
samples under `tests/fixtures/checks` give the same through the engine. And a guard reads
`checks/` so that no `InputError` (or a helper that builds one) is raised again with a plain
English literal: such a text would reach the Japanese site in English.

What stays as it is: a third-party parser's own diagnostic (PyYAML, json, tomllib,
crossplane, jsonschema, an OS error) is quoted in the Japanese text in 「」. The engine's
own target errors (`plugins/checklists/core/target.py`: a missing file, a directory where a file
is expected) are held to the same rule through the error samples.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checklists.core.message import Message, localize
from checklists.core.model import Status
from checklists.core.runner import read_error, unreadable
from checks.common import read_dockerfile
from checks.readers.bake import read_bake_hcl, read_bake_json
from checks.readers.compose import read_compose
from checks.readers.dockerignore import PatternMatcher, read_dockerignore
from checks.readers.dotenv import read_dotenv
from checks.readers.expressions import parse as parse_expression
from checks.readers.image_reference import parse_reference
from checks.readers.json5_lite import read_json5
from checks.readers.located_yaml import load as load_yaml
from checks.readers.logging_config import (
    read_logging_dict,
    read_logging_ini,
    read_python_logging,
)
from checks.readers.measurements import read_measurements
from checks.readers.nginx import read_nginx
from checks.readers.run_mount import parse_mount
from checks.readers.trivy import read_trivy_report
from checks.readers.updaters import read_dependabot, read_renovate, read_renovate_package_json
from checks.readers.workflow import read_action, read_workflow
from checks.readers.wrangler import read_wrangler
from tests.checks.test_samples import cases, run_case
from tests.language import JAPANESE, english_runs, is_english
from tests.paths import ROOT


def _matcher(text: bytes) -> object:
    """A .dockerignore whose pattern fails only when it is compiled (Go's ErrBadPattern)."""
    return PatternMatcher(read_dockerignore(text)).matches("a/b")


def _walked(text: bytes) -> object:
    """Every instruction of every stage walked with its variables (where `${X?}` fails)."""
    parsed = read_dockerfile(text)
    return [list(parsed.model.walk(stage)) for stage in parsed.stages]


# (name, reader, malformed input): one or more per reader, each a mistake found in real files.
MALFORMED: list[tuple[str, Callable[[bytes], object], bytes]] = [
    ("dockerfile/unknown-instruction", read_dockerfile, b"FROM alpine\nFORM alpine\n"),
    ("dockerfile/no-from", read_dockerfile, b"ARG A=1\nRUN true\n"),
    ("dockerfile/heredoc", read_dockerfile, b"FROM alpine\nRUN <<EOF\necho hi\n"),
    ("dockerfile/env", read_dockerfile, b"FROM alpine\nENV A\n"),
    ("dockerfile/stage-name", read_dockerfile, b"FROM alpine AS 1st\n"),
    ("dockerfile/json-array", read_dockerfile, b'FROM alpine\nCMD ["a", 1]\n'),
    ("dockerfile/copy", read_dockerfile, b"FROM alpine\nCOPY onlyone\n"),
    ("run-mount", lambda data: parse_mount(data.decode()), b"type=disk,target=/x"),
    ("run-mount/field", lambda data: parse_mount(data.decode()), b"type=cache,target"),
    ("dockerfile/flag", read_dockerfile, b"FROM alpine\nUSER --chown=1 app\n"),
    (
        "dockerfile/healthcheck",
        read_dockerfile,
        b"FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n",
    ),
    ("dockerfile/expansion", _walked, b"FROM alpine\nENV B=${A?}\n"),
    ("dockerfile/expansion-word", _walked, b"FROM alpine\nENV B=${A?set A}\n"),
    ("dockerfile/empty", read_dockerfile, b"# nothing here\n"),
    ("dockerfile/nul", read_dockerfile, b"FROM alpine\x00\n"),
    ("dockerignore/lone-bang", _matcher, b"node_modules\n!\n"),
    ("dockerignore/bad-pattern", _matcher, b"a/[\n"),
    ("workflow/not-a-mapping", read_workflow, b"- just\n- a list\n"),
    ("workflow/no-on", read_workflow, b"jobs:\n  build:\n    runs-on: ubuntu-latest\n"),
    ("workflow/steps", read_workflow, b"on: push\njobs:\n  build:\n    steps: run\n"),
    ("workflow/step", read_workflow, b"on: push\njobs:\n  build:\n    steps:\n      - run\n"),
    ("workflow/yaml", read_workflow, b"on: push\njobs: [\n"),
    ("workflow/duplicate-key", read_workflow, b"on: push\non: pull_request\njobs: {}\n"),
    ("action/not-a-mapping", read_action, b"- a\n"),
    ("compose/empty", read_compose, b""),
    ("compose/services", read_compose, b"services: [web]\n"),
    ("compose/environment", read_compose, b"services:\n  web:\n    environment: 3\n"),
    ("compose/secret", read_compose, b"services:\n  web:\n    secrets:\n      - target: x\n"),
    ("nginx/brace", read_nginx, b"events {}\nhttp {\n  server {\n"),
    ("nginx/unexpected", read_nginx, b"http {\n}\n}\n"),
    ("nginx/directive", read_nginx, b"http {\n  listen 80;\n}\n"),
    ("bake/hcl-string", read_bake_hcl, b'target "app" {\n  tags = ["x\n}\n'),
    ("bake/hcl-block", read_bake_hcl, b'target "app" {\n  context = "."\n'),
    ("bake/hcl-label", read_bake_hcl, b'target {\n  context = "."\n}\n'),
    ("bake/json", read_bake_json, b'{"target": {"app": []}}'),
    ("bake/json-syntax", read_bake_json, b'{"target": '),
    ("dotenv/quote", read_dotenv, b'A="open\n'),
    ("dotenv/name", read_dotenv, b"=1\n"),
    ("dotenv/equals", read_dotenv, b"A B\n"),
    ("json5/syntax", read_json5, b'{"a": 1,, }'),
    ("json5/end", read_json5, b'{"a": '),
    ("renovate/array", read_renovate, b"[]"),
    ("renovate/package-json", read_renovate_package_json, b'{"renovate": 1}'),
    ("dependabot/updates", read_dependabot, b"version: 2\nupdates: 3\n"),
    ("trivy/list", read_trivy_report, b"[]"),
    ("trivy/schema", read_trivy_report, b"{}"),
    ("trivy/json", read_trivy_report, b'{"SchemaVersion": '),
    ("trivy/results", read_trivy_report, b'{"SchemaVersion": 2, "Results": {}}'),
    ("measurements/empty", read_measurements, b""),
    ("measurements/type", read_measurements, b"[]"),
    ("measurements/json", read_measurements, b'{"schema": '),
    ("measurements/schema", read_measurements, json.dumps({"schema": "x"}).encode()),
    ("wrangler/toml", read_wrangler, b"name = \n"),
    ("wrangler/vars", read_wrangler, b'name = "x"\nvars = 3\n'),
    ("logging/python", read_python_logging, b"import logging\nlogging.basicConfig(\n"),
    ("logging/ini", read_logging_ini, b"[loggers\nkeys=root\n"),
    ("logging/json", read_logging_dict, b'{"version": 1,'),
    ("yaml/nesting", load_yaml, b"a: " + b"[" * 2000 + b"\n"),
    ("expression", lambda data: parse_expression(data.decode()), b"github.event == "),
    ("image-reference", lambda data: parse_reference(data.decode()), b"Alpine:3.20"),
]


def _raised(reader: Callable[[bytes], object], data: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        reader(data)
    return caught.value


@pytest.mark.parametrize(("reader", "data"), [pytest.param(r, d, id=n) for n, r, d in MALFORMED])
def test_a_malformed_file_is_named_in_japanese_on_the_japanese_site(
    reader: Callable[[bytes], object], data: bytes
) -> None:
    error = _raised(reader, data).with_path("target/file")
    assert isinstance(error.message, Message), f"an English-only reader error: {error.message!r}"
    summary, note = unreadable(error), read_error(error)
    for text in (summary, note):
        japanese = localize(text, "ja")
        assert JAPANESE.search(japanese), japanese
        assert not english_runs(japanese), (japanese, english_runs(japanese))
    assert localize(summary, "ja").startswith("target/file"), "the place comes first"


@pytest.mark.parametrize(("reader", "data"), [pytest.param(r, d, id=n) for n, r, d in MALFORMED])
def test_the_same_error_is_english_with_lang_en(
    reader: Callable[[bytes], object], data: bytes
) -> None:
    error = _raised(reader, data).with_path("target/file")
    summary = localize(unreadable(error), "en")
    assert summary == str(error), "the English is the error as logs and old callers see it"
    assert summary.startswith("target/file") and is_english(summary), summary
    assert localize(read_error(error), "en") == error.message.en  # type: ignore[attr-defined]


def test_a_location_without_a_path_is_a_line_in_either_language() -> None:
    error = _raised(read_dockerfile, b"FROM alpine\nFORM alpine\n")
    assert error.path is None and error.line == 2
    assert localize(unreadable(error), "en").startswith("line 2: ")
    assert localize(unreadable(error), "ja").startswith("2 行目 ")


ERROR_SAMPLES = [case for case in cases() if case.values[1] == "error"]


@pytest.mark.parametrize(("check_id", "expected", "case"), ERROR_SAMPLES)
def test_error_samples_give_their_reason_in_both_languages(
    check_id: str, expected: str, case: Path
) -> None:
    outcome, _ = run_case(check_id, case)
    assert outcome.status is Status.ERROR
    assert isinstance(outcome.summary, Message)
    assert JAPANESE.search(localize(outcome.summary, "ja")), outcome.summary.ja
    for text in [outcome.summary, *(e.note for e in outcome.evidence)]:
        assert is_english(localize(text, "en")), localize(text, "en")
        japanese = localize(text, "ja")
        assert not english_runs(japanese), (japanese, english_runs(japanese))


def test_most_error_samples_are_a_translated_reader_error() -> None:
    """Not vacuous: the samples above do reach a reader's translated error."""
    translated = 0
    for param in ERROR_SAMPLES:
        outcome, _ = run_case(param.values[0], param.values[2])
        notes = [e.note for e in outcome.evidence if isinstance(e.note, Message)]
        if any(n.ja.startswith("読み取りエラー: ") and n.ja[9:] != n.en for n in notes):
            translated += 1
    assert translated >= len(ERROR_SAMPLES) // 2, (translated, len(ERROR_SAMPLES))


# Calls that raise or build an InputError from their first text argument.
ERROR_BUILDERS = frozenset(
    {"InputError", "_ContextError", "refused", "_refused", "_pattern_error", "fail", "_bomb"}
)
# file:function-or-line -> why a plain literal is right there (none today).
ALLOWED: dict[str, str] = {}


def _plain_in(source: str, where: str) -> list[str]:
    """Error builders in `source` called with a plain string or f-string literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in ERROR_BUILDERS:
            continue
        for arg in node.args:
            plain = isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
            place = f"{where}:{node.lineno}"
            if plain and place not in ALLOWED:
                found.append(f"{place}: {name}({ast.unparse(arg)[:60]})")
    return found


def test_no_reader_error_is_raised_with_a_plain_english_literal() -> None:
    """Every text of an InputError in checks/ goes through `tr(en, ja)`; a plain literal
    would be English on the Japanese site. A justified exception goes in ALLOWED."""
    found = [
        plain
        for path in sorted((ROOT / "checks").rglob("*.py"))
        for plain in _plain_in(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


def test_the_guard_finds_a_plain_literal() -> None:
    source = (
        'raise InputError(f"bad {x}", line=1)\n'
        'raise InputError("no such stage")\n'
        "raise self.fail('unterminated string')\n"
        'raise InputError(tr("a", "b"))\n'
        "raise InputError(error.message, line=2)\n"
    )
    assert [p.split(": ")[0] for p in _plain_in(source, "x.py")] == ["x.py:1", "x.py:2", "x.py:3"]
