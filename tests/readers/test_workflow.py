"""The GitHub Actions workflow reader: YAML 1.2 scalars, triggers, jobs, steps and lines."""

from __future__ import annotations

import textwrap

import pytest

from checklists.core.errors import InputError
from checks.readers import located_yaml
from checks.readers.workflow import (
    ActionRef,
    Matrix,
    Value,
    input_list,
    parse_uses,
    read_workflow,
)


def workflow(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode("utf-8")


GUIDE = workflow(
    """
    name: Backend CI
    on:
      push:
        branches: [main]
        tags: ["v*"]
        paths:
          - "backend/**"
      pull_request:
      schedule:
        - cron: "0 3 * * 1"
    jobs:
      docker:
        needs: test
        if: github.event_name != 'pull_request'
        runs-on: ubuntu-24.04
        steps:
          - uses: actions/checkout@v4
          - name: 🏗️ Build Docker image
            id: build
            uses: docker/build-push-action@v6.9.0
            with:
              context: ./backend
              push: true
              load: True
              exit-code: 1
              empty:
              build-args: |
                PYTHON_VERSION=3.13
          - run: |
              echo one
              echo two
            working-directory: backend
            continue-on-error: true
    """
)


def test_on_is_a_string_key_not_yaml_1_1_true() -> None:
    parsed = read_workflow(GUIDE)
    assert [t.event for t in parsed.triggers] == ["push", "pull_request", "schedule"]
    assert parsed.on_line == 2


def test_trigger_filters_and_schedule() -> None:
    parsed = read_workflow(GUIDE)
    push = parsed.trigger("push")
    assert push is not None
    assert push.filter("branches") == ("main",)
    assert push.filter("tags") == ("v*",)
    assert push.filter("paths") == ("backend/**",)
    assert push.filter("branches-ignore") is None
    assert parsed.trigger("pull_request") is not None
    schedule = parsed.trigger("schedule")
    assert schedule is not None and schedule.crons == ("0 3 * * 1",)


@pytest.mark.parametrize(
    ("on", "events"),
    [
        ("on: push", ["push"]),
        ("on: [push, pull_request]", ["push", "pull_request"]),
        ("'on': workflow_dispatch", ["workflow_dispatch"]),
        ("on:\n  push:\n  release:\n    types: [published]", ["push", "release"]),
    ],
)
def test_trigger_forms(on: str, events: list[str]) -> None:
    text = f"{on}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: true\n"
    assert [t.event for t in read_workflow(text.encode()).triggers] == events


def test_steps_keep_lines_and_string_values() -> None:
    parsed = read_workflow(GUIDE)
    job = parsed.job("docker")
    assert job is not None
    assert job.needs == ("test",)
    assert job.if_ == Value("github.event_name != 'pull_request'", 14)
    build = job.steps[1]
    assert (build.line, build.id, build.label) == (18, "build", "🏗️ Build Docker image")
    assert build.uses == ActionRef(
        "docker/build-push-action@v6.9.0",
        "repository",
        "docker",
        "build-push-action",
        None,
        "v6.9.0",
    )
    assert build.uses_line == 20
    # GitHub hands every input to the action as a string.
    assert build.input("push") == Value("true", 23)
    assert build.input("LOAD") == Value("true", 24)  # input names ignore case; True -> "true"
    assert build.input("exit-code") == Value("1", 25)
    assert build.input("empty") == Value("", 26)
    assert build.input("build-args") == Value("PYTHON_VERSION=3.13\n", 27)
    run = job.steps[2]
    assert run.run is not None and run.run.text == "echo one\necho two\n"
    assert run.working_directory == Value("backend", 32)
    assert run.continue_on_error == Value("true", 33)
    assert run.label == "run: echo one"
    assert parsed.excerpt(20) == "        uses: docker/build-push-action@v6.9.0"


def test_expressions_are_kept_and_flagged() -> None:
    text = workflow(
        """
        on: push
        jobs:
          a:
            runs-on: x
            steps:
              - uses: docker/build-push-action@v6
                with:
                  tags: app:${{ github.sha }}
                  context: ./backend
        """
    )
    step = read_workflow(text).jobs[0].steps[0]
    tags, context = step.input("tags"), step.input("context")
    assert tags is not None and tags.text == "app:${{ github.sha }}" and tags.has_expression
    assert context is not None and not context.has_expression


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ("actions/checkout@v4", ("repository", "actions/checkout", "v4")),
        (
            "github/codeql-action/upload-sarif@v3",
            ("repository", "github/codeql-action/upload-sarif", "v3"),
        ),
        (
            "acme/wf/.github/workflows/build.yml@main",
            ("repository", "acme/wf/.github/workflows/build.yml", "main"),
        ),
        ("actions/checkout", ("repository", "actions/checkout", None)),
        ("./.github/actions/setup", ("local", "./.github/actions/setup", None)),
        ("docker://alpine:3.20", ("docker", "docker://alpine:3.20", "alpine:3.20")),
    ],
)
def test_parse_uses(uses: str, expected: tuple[str, str, str | None]) -> None:
    ref = parse_uses(uses)
    assert (ref.kind, ref.name, ref.ref) == expected


def test_full_sha_is_recognised() -> None:
    assert parse_uses("a/b@57a97c7e7821a5776cebc9bb87c984fa69cba8f1").is_sha
    assert not parse_uses("a/b@57a97c7").is_sha


def test_matrix_combinations_with_include_and_exclude() -> None:
    matrix = Matrix(
        1,
        axes={"service": ["backend", "frontend"], "python": ["3.12", "3.13"]},
        include=({"service": "backend", "python": "3.13", "latest": "true"}, {"service": "docs"}),
        exclude=({"service": "frontend", "python": "3.12"},),
    )
    assert matrix.combinations() == [
        {"service": "backend", "python": "3.12"},
        {"service": "backend", "python": "3.13", "latest": "true"},
        {"service": "frontend", "python": "3.13"},
        {"service": "docs"},
    ]
    assert Matrix(1, expression="${{ fromJSON(x) }}").combinations() is None


def test_matrix_is_read_from_strategy() -> None:
    text = workflow(
        """
        on: push
        jobs:
          a:
            strategy:
              matrix:
                python: [3.12, "3.10", 3.10]
            runs-on: x
            steps:
              - run: true
        """
    )
    matrix = read_workflow(text).jobs[0].matrix
    assert matrix is not None
    # An unquoted 3.10 is the number 3.1, as GitHub reads it (a well-known pitfall).
    assert matrix.combinations() == [{"python": "3.12"}, {"python": "3.10"}, {"python": "3.1"}]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("on: push\njobs:\n  a:\n    steps: nope\n", 4, "must be a list"),
        ("jobs: {}\n", 1, "has no 'on:'"),
        ("on: push\non: pull_request\njobs: {}\n", 2, "already defined"),
        ("on: push\njobs:\n  a:\n    steps:\n  - run: x\n   bad: [\n", 5, "invalid YAML"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_invalid_workflows_raise_with_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as raised:
        read_workflow(text.encode())
    assert raised.value.line == line
    assert message in raised.value.message


def test_yaml_12_core_schema_scalars() -> None:
    data = b"a: yes\nb: on\nc: 0o17\nd: 017\ne: ~\nf: 1_000\ng: '1'\nh: .inf\n"
    document = located_yaml.load(data)
    assert document == {
        "a": "yes",
        "b": "on",
        "c": 15,
        "d": 17,
        "e": None,
        "f": "1_000",
        "g": "1",
        "h": float("inf"),
    }
    assert isinstance(document, located_yaml.YMap)
    assert document.line_of("h") == 8


def test_aliases_resolve_to_the_anchored_value() -> None:
    document = located_yaml.load(b"base: &b {context: ./backend}\nother: *b\n")
    assert isinstance(document, dict)
    assert document["other"] == {"context": "./backend"}


@pytest.mark.parametrize(
    ("text", "ignore_comma", "expected"),
    [
        ("type=gha,scope=backend", True, ["type=gha,scope=backend"]),
        (
            "user/app:cache\ntype=local,src=path/to/dir",
            True,
            ["user/app:cache", "type=local,src=path/to/dir"],
        ),
        ('"type=gha,scope=backend"\n\n', True, ["type=gha,scope=backend"]),
        ("a:1,b:2\nc:3", False, ["a:1", "b:2", "c:3"]),
        ("PYTHON_VERSION=3.13\nGIT_SHA=abc\n", True, ["PYTHON_VERSION=3.13", "GIT_SHA=abc"]),
        ('"A=1\nB=2",C=3', True, ["A=1\nB=2,C=3"]),
        ("", True, []),
    ],
)
def test_input_list_splits_like_actions_toolkit(
    text: str, ignore_comma: bool, expected: list[str]
) -> None:
    assert input_list(text, ignore_comma=ignore_comma) == expected
