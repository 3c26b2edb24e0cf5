"""The readers' bounds against hostile input: every exceeded bound is a located InputError.

Nesting (JSON, YAML, JSON5, nginx), alias expansion (billion laughs), Dockerfile
instruction count, stage count and ARG/ENV expansion length, and non-finite numbers.
None of these may reach a check as RecursionError, MemoryError or a hang.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checklists.core.model import Environment, Status
from checklists.core.registry import REGISTRY, CheckSpec, load_packages
from checklists.core.runner import Task, run_one
from checklists.core.target import (
    MAX_EXPANSION_CHARS,
    MAX_INSTRUCTIONS,
    MAX_NESTING,
    MAX_STAGES,
    MAX_YAML_VALUES,
    Target,
)
from checks.common import read_dockerfile
from checks.readers import located_yaml
from checks.readers.bounds import in_the_future, json_loads, rfc3339
from checks.readers.dockerfile import parse
from checks.readers.json5_lite import read_json5
from checks.readers.measurements import read_measurements
from checks.readers.nginx import read_nginx
from checks.readers.trivy import read_trivy_report


def _limit(call: object, *args: object) -> InputError:
    assert callable(call)
    with pytest.raises(InputError) as raised:
        call(*args)
    assert raised.value.kind == "limit", raised.value
    return raised.value


# -- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_NESTING, 5_000, 200_000])
def test_json_nested_past_the_bound_is_refused_at_its_line(depth: int) -> None:
    text = '{\n  "SchemaVersion": 2,\n  "x": ' + "[" * depth + "]" * depth + "\n}"
    error = _limit(json_loads, text, "the report")
    assert error.line == 3
    assert f"nested more than {MAX_NESTING} levels" in error.message


def test_json_at_the_bound_is_read() -> None:
    text = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert json_loads(text) is not None


def test_a_bracket_inside_a_string_is_not_nesting() -> None:
    deep_looking = json.dumps({"Description": "[" * 500 + '"{' * 300})
    assert json_loads(deep_looking) == json.loads(deep_looking)


@pytest.mark.parametrize("text", ["[NaN]", "[Infinity]", '{"a": -Infinity}', "[1e400]"])
def test_json_numbers_that_are_not_finite_are_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"not a JSON number|out of range"):
        json_loads(text)


def test_a_trivy_report_nested_too_deep_is_a_located_error() -> None:
    text = '{"SchemaVersion": 2,\n"Results": [{"Target": "x", "Extra": ' + "[" * 3000
    text += "]" * 3000 + "}]}"
    error = _limit(read_trivy_report, text)
    assert error.line == 2


def test_evidence_nested_too_deep_is_a_located_error() -> None:
    error = _limit(read_measurements, ("{\n" + '"a": ' + "[" * 2000 + "]" * 2000 + "}").encode())
    assert error.line == 2


def test_rfc3339_reads_go_nanoseconds_and_refuses_local_times() -> None:
    when = rfc3339("2025-01-14T03:12:09.771326401Z")
    assert when is not None
    assert (when.year, when.microsecond) == (2025, 771326)
    assert rfc3339("2025-01-14T03:12:09") is None  # no zone: not a point in time
    assert rfc3339("yesterday") is None


def test_the_future_allows_a_day_of_clock_skew() -> None:
    now = rfc3339("2026-06-01T12:00:00Z")
    assert now is not None
    for text, future in (
        ("2026-06-02T11:59:00Z", False),  # within a day: a skewed clock
        ("2026-06-02T12:01:00Z", True),
        ("2999-01-01T00:00:00Z", True),
    ):
        when = rfc3339(text)
        assert when is not None
        assert in_the_future(when, now) is future, text


# -- YAML ----------------------------------------------------------------------------------


def test_yaml_nested_past_the_bound_is_refused_at_its_line() -> None:
    text = "services:\n  app:\n    x: " + "[" * 5_000 + "]" * 5_000 + "\n"
    error = _limit(located_yaml.load, text.encode())
    assert error.line == 3


def test_yaml_block_nesting_is_bounded_too() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_NESTING + 5)) + "  " * 105 + "v\n"
    error = _limit(located_yaml.load, text.encode())
    assert error.line == MAX_NESTING + 1


def test_yaml_nested_within_the_bound_is_read() -> None:
    depth = MAX_NESTING - 1
    document = located_yaml.load(("x: " + "[" * depth + "]" * depth).encode())
    assert isinstance(document, located_yaml.YMap)


def test_more_yaml_values_than_the_bound_are_refused_at_the_first_one_over() -> None:
    # Two values per service (its key and `image`): the bound is passed halfway down.
    services = MAX_YAML_VALUES // 2 + 10
    text = "services:\n" + "".join(f"  s{i}:\n    image: x\n" for i in range(services))
    error = _limit(located_yaml.load, text.encode())
    assert f"more than {MAX_YAML_VALUES:,} values" in error.message
    assert error.line == MAX_YAML_VALUES // 2 + 1  # the key of the service past the bound


def test_yaml_values_up_to_the_bound_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(located_yaml, "MAX_YAML_VALUES", 50)
    at_the_bound = "x: [" + ", ".join("1" * 47) + "]\n"  # with the mapping, its key, the list
    document = located_yaml.load(at_the_bound.encode())
    assert isinstance(document, located_yaml.YMap)
    assert len(document["x"]) == 47
    error = _limit(located_yaml.load, at_the_bound.replace("[", "[1, ").encode())
    assert "more than 50 values" in error.message


def test_a_syntax_error_is_reported_by_the_composer_as_before() -> None:
    with pytest.raises(InputError, match="invalid YAML") as raised:
        located_yaml.load(b"services:\n  app: [\n")
    assert raised.value.kind == "invalid"


def _laughs(levels: int) -> bytes:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + f"\nlast: *a{levels - 1}\n").encode()


def test_a_billion_laughs_is_refused_without_expanding_it() -> None:
    error = _limit(located_yaml.load, _laughs(10))
    assert "aliases expanded" in error.message


def test_excessive_aliasing_is_refused_as_yaml_v3_refuses_it() -> None:
    # 10^5 values from a few lines: under the absolute bound, over yaml.v3's alias ratio.
    error = _limit(located_yaml.load, _laughs(5))
    assert "excessive aliasing" in error.message


def test_an_anchor_that_contains_itself_is_refused() -> None:
    error = _limit(located_yaml.load, b"a: &a [1, *a]\n")
    assert error.line == 1


def test_ordinary_anchors_and_merge_keys_are_read() -> None:
    text = b"""\
x-defaults: &defaults
  restart: unless-stopped
  logging: &logging {driver: json-file, options: {max-size: 10m}}
services:
  api: {<<: *defaults, image: api}
  worker: {<<: *defaults, image: worker, logging: *logging}
"""
    document = located_yaml.load(text)
    assert isinstance(document, located_yaml.YMap)
    assert document["services"]["worker"]["logging"]["driver"] == "json-file"


# -- JSON5 and nginx -----------------------------------------------------------------------


def test_json5_nested_past_the_bound_is_refused_at_its_line() -> None:
    text = "{\n  // renovate\n  extends: " + "[" * 50_000 + "]" * 50_000 + "\n}"
    error = _limit(read_json5, text.encode())
    assert error.line == 3


def test_json5_lines_stay_right_when_counted_forward() -> None:
    document = read_json5(b'{\n "a": {"b": 1},\n\n "c": {\n  "d": [1]}}')
    assert isinstance(document, dict)
    assert document.key_lines == {"a": 2, "c": 4}  # type: ignore[attr-defined]
    assert document["c"].key_lines == {"d": 5}


def test_nginx_blocks_nested_past_the_bound_are_refused_at_their_line() -> None:
    text = "server {\n" + "location / {\n" * 200 + "}\n" * 200 + "}\n"
    error = _limit(read_nginx, text.encode())
    assert error.line == MAX_NESTING + 1
    assert error.message.startswith("nginx:")


# -- Dockerfile ----------------------------------------------------------------------------


def test_an_arg_expansion_bomb_stops_at_the_line_that_passes_the_bound() -> None:
    lines = ["ARG A0=xxxxxxxxxx"]
    lines += [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 41)]
    lines += ["FROM python:3.12-slim-${A40}"]
    error = _limit(read_dockerfile, "\n".join(lines).encode())
    # A0..A16 hold 10 * (2^17 - 1) characters together: the first total over 1 MiB.
    assert error.line == 17


def test_one_expansion_longer_than_the_bound_is_refused() -> None:
    part = "x" * 60_000  # a Dockerfile line holds at most 64 KiB
    copies = MAX_EXPANSION_CHARS // len(part) + 1
    text = f"FROM alpine\nENV A={part}\nENV B={'${A}' * copies}\n"
    parsed = read_dockerfile(text.encode())
    error = _limit(parsed.walk, parsed.final)
    assert error.line == 3


def test_a_substitution_that_multiplies_its_value_is_bounded() -> None:
    text = "FROM alpine\nENV A=" + "x" * 2000 + "\nENV B=${A//x/${A}}\n"
    parsed = read_dockerfile(text.encode())
    error = _limit(parsed.walk, parsed.final)
    assert "expansion is longer" in error.message
    assert error.line == 3


def test_many_instructions_past_the_bound_are_refused_at_the_first_one_over() -> None:
    text = "FROM alpine\n" + "ENV A=1\n" * MAX_INSTRUCTIONS
    error = _limit(parse, text.encode())
    assert error.line == MAX_INSTRUCTIONS + 1


def test_instructions_up_to_the_bound_are_read_and_walked() -> None:
    body = "".join(f"ENV V{i}=v{i}\n" for i in range(MAX_INSTRUCTIONS - 2))
    parsed = read_dockerfile(f"FROM alpine\n{body}USER 1000\n".encode())
    walked = parsed.walk(parsed.final)
    assert walked[-1][1][f"V{MAX_INSTRUCTIONS - 3}"] == f"v{MAX_INSTRUCTIONS - 3}"


def test_more_stages_than_the_bound_are_refused() -> None:
    text = "FROM alpine AS s0\n" + "".join(
        f"FROM s{i - 1} AS s{i}\n" for i in range(1, MAX_STAGES + 1)
    )
    error = _limit(read_dockerfile, text.encode())
    assert error.line == MAX_STAGES + 1


def test_a_chain_of_stages_up_to_the_bound_is_walked_without_recursion_errors() -> None:
    text = "FROM alpine AS s0\nENV A=1\n" + "".join(
        f"FROM s{i - 1} AS s{i}\nENV A${i}=$A\n" for i in range(1, MAX_STAGES)
    )
    parsed = read_dockerfile(text.encode())
    assert len(parsed.walk(parsed.final)) == 1


# -- plausibility through the clock seam ---------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"


def _at(now: str) -> Callable[[], dt.datetime]:
    when = rfc3339(now)
    assert when is not None
    return lambda: when


def _report_made_at(tmp_path: Path, created_at: str) -> Path:
    source = FIXTURES / "scan" / "trivy_passed" / "pass" / "clean-report" / "trivy-report.json"
    report = json.loads(source.read_text("utf-8"))
    report["CreatedAt"] = created_at
    (tmp_path / "trivy-report.json").write_text(json.dumps(report, indent=2), "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("created_at", "status"),
    [
        ("2026-06-01T11:00:00Z", Status.PASS),  # an hour ago
        ("2026-06-02T10:00:00.123456789Z", Status.PASS),  # within a day: clock skew
        ("2026-06-02T13:00:00Z", Status.ERROR),  # past the skew: no scan made it yet
    ],
)
def test_a_trivy_report_from_the_future_is_not_judged(
    tmp_path: Path, created_at: str, status: Status
) -> None:
    target = Target(_report_made_at(tmp_path, created_at), now=_at("2026-06-01T12:00:00Z"))
    outcome = run_one(Task(_spec("scan.trivy_passed"), {}), target, logging.getLogger("t"))
    assert outcome.status is status, outcome.summary
    if status is Status.ERROR:
        assert "lies in the future" in outcome.summary
        assert outcome.evidence[0].line == 3  # the CreatedAt line


def test_evidence_from_the_future_is_not_judged_and_cannot_win_as_the_newest(
    tmp_path: Path,
) -> None:
    case = FIXTURES / "image" / "size" / "pass" / "newest-evidence-wins"
    environment = Environment("本番", {"dockerfile": "Dockerfile", "context": "."})
    task = Task(_spec("image.size"), {}, environment)
    log = logging.getLogger("t")
    assert run_one(task, Target(case, now=_at("2026-11-21T00:00:00Z")), log).status is (Status.PASS)
    # The newest file was measured 2026-11-20T09:30Z: a clock a day and more behind refuses.
    outcome = run_one(task, Target(case, now=_at("2026-11-19T09:00:00Z")), log)
    assert outcome.status is Status.ERROR
    assert "measured_at 2026-11-20T09:30:00Z lies in the future" in outcome.summary


def _spec(check_id: str) -> CheckSpec:
    load_packages(["checks"])
    spec = REGISTRY.get(check_id)
    assert spec is not None
    return spec


def test_the_directive_reader_agrees_with_buildkits_expression() -> None:
    # BuildKit: ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ ; read here without backtracking.
    from checks.readers.dockerfile import _DIRECTIVE, _directive

    rng = random.Random(14)
    alphabet = "aZ9=\t\n\f\r \vx.-`\\"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.5:
            text = rng.choice(["syntax", "escape", "check"]) + text
        found = _DIRECTIVE.fullmatch(text)
        assert _directive(text) == (found.groups() if found else None), repr(text)


def test_a_directive_line_of_64_kib_is_read_at_once() -> None:
    # The expression backtracked quadratically inside the regex engine: minutes for this line.
    parsed = parse(("# syntax=docker/dockerfile:1" + " " * 65_000 + "x\nFROM alpine\n").encode())
    assert parsed.directives["syntax"].endswith(" x")


def test_expression_fences_agree_with_the_expression_and_take_linear_time() -> None:
    from checks.readers.expressions import _FENCE, expressions, fences

    rng = random.Random(7)
    for _ in range(5_000):
        text = "".join(rng.choice(["${{", "}}", "}", "{", "$", "a", " ", "\n"]) for _ in range(12))
        want = [(m.start(), m.end(), m.group(1)) for m in _FENCE.finditer(text)]
        assert list(fences(text)) == want, repr(text)
    # 200,000 openings without a close: the expression rescanned the rest from each one.
    assert expressions("run: " + "${{" * 200_000) == []


def test_heredocs_and_braces_are_dropped_as_the_expressions_did_in_linear_time() -> None:
    from checks.readers.bounds import drop_heredocs, replace_braces

    heredoc = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?[^\n]*\n.*?\n\s*\1\s*(?:\n|$)", re.DOTALL)
    braces = re.compile(r"\{\{.*?\}\}")
    tokens = ["<<", "<<-", "EOF", "EO", "EOFX", "'", '"', "\n", "\n\n", " ", "\t", "\r"]
    tokens += ["cat ", "a", "{{", "}}"]
    rng = random.Random(3)
    for _ in range(20_000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 14)))
        assert drop_heredocs(text) == heredoc.sub("\n", text), repr(text)
        assert replace_braces(text, "R") == braces.sub("R", text), repr(text)
    # Openers without terminators, braces without closes: each rescanned the rest before.
    assert drop_heredocs("cat <<EOF\n" * 100_000) == "cat <<EOF\n" * 100_000
    assert replace_braces("echo {{" * 100_000, "R") == "echo {{" * 100_000
