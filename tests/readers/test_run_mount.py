"""RUN --mount values read as BuildKit reads them."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.dockerfile import parse
from checks.readers.dockerfile_model import stages, walk
from checks.readers.run_mount import join_path, parse_mount, run_mounts


def test_defaults_synonyms_and_workdir() -> None:
    bind = parse_mount("source=requirements.txt,dst=req.txt", "/app")
    assert (bind.type, bind.source, bind.target) == ("bind", "requirements.txt", "/app/req.txt")
    cache = parse_mount("type=cache,target=/root/.cache/pip,sharing=locked,id=pip")
    assert (cache.type, cache.target, cache.id) == ("cache", "/root/.cache/pip", "pip")
    assert parse_mount("type=Cache,Target=/x,ro").type == "cache"
    assert join_path("/app", "../tmp") == "/tmp"


@pytest.mark.parametrize(
    "value", ["type=volume,target=/x", "target", "type=cache,target=/x,colour=red", 'a="b']
)
def test_refused(value: str) -> None:
    with pytest.raises(InputError):
        parse_mount(value)


def test_values_are_expanded_per_field() -> None:
    df = parse(
        "FROM python:3.13-slim\nARG CACHE=/root/.cache\nWORKDIR /app\n"
        "RUN --mount=type=cache,target=$CACHE/pip --mount=type=bind,source=$NOPE pip install .\n"
    )
    stage = stages(df)[0]
    run, variables = next((i, v) for i, v in walk(df, stage) if i.keyword == "run")
    cache, bind = run_mounts(run, variables, workdir="/app")
    assert cache.target == "/root/.cache/pip" and not cache.unresolved
    assert bind.source == "" and bind.target is None


def test_error_has_the_line() -> None:
    df = parse("FROM alpine\nRUN --mount=type=nfs,target=/x true\n")
    run, variables = next((i, v) for i, v in walk(df, stages(df)[0]) if i.keyword == "run")
    with pytest.raises(InputError) as raised:
        run_mounts(run, variables)
    assert raised.value.line == 2
