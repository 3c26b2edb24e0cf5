"""The build model: which stages `docker build --target` builds, and what reaches the image."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.build_model import Build, DockerfileModel
from checks.readers.dockerfile import parse
from checks.readers.dockerfile_model import stages

SHARED_BASE = """\
ARG PYTHON=3.12
FROM python:${PYTHON}-slim AS base
ENV PYTHONUNBUFFERED=1
WORKDIR /app

FROM base AS build
RUN pip wheel --wheel-dir /tmp/wheels -r requirements.txt

FROM node:22 AS ui
RUN npm ci && npm run build

FROM base AS Release
ARG uid=1001
RUN --mount=from=build,src=/tmp/wheels,target=/tmp/wheels pip install /tmp/wheels/*
COPY --from=ui /ui/dist static/
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/
USER ${uid}
ENTRYPOINT ["/entrypoint.sh"]
CMD ["uwsgi"]
HEALTHCHECK CMD curl -f http://localhost/
STOPSIGNAL SIGQUIT

FROM release AS development
USER root
ENTRYPOINT ["/dev-entrypoint.sh"]
RUN pip install ipdb

FROM python:3.12 AS docs
RUN pip install mkdocs
"""


def model(text: str) -> DockerfileModel:
    dockerfile = parse(text)
    return DockerfileModel(dockerfile, tuple(stages(dockerfile)))


def names(found: tuple[object, ...] | list[object]) -> list[str | None]:
    return [getattr(s, "name", None) for s in found]


def test_the_default_target_is_the_last_stage_and_builds_only_what_it_needs() -> None:
    build = model(SHARED_BASE).build()
    assert build.final.name == "docs"
    assert names(build.chain) == ["docs"]
    assert names(build.built) == ["docs"]  # base, build, ui, release are never built


def test_a_target_builds_its_chain_and_the_stages_it_copies_or_mounts_from() -> None:
    build = model(SHARED_BASE).build("release")
    assert build.final.name == "release"
    assert names(build.chain) == ["base", "release"]
    assert names(build.built) == ["base", "build", "ui", "release"]
    assert [s.name for s in build.built if build.in_image(s)] == ["base", "release"]
    reads = {(s.kind, s.name, s.paths) for s in build.builder_reads}
    assert reads == {("mount", "build", ("/tmp/wheels",)), ("copy", "ui", ("/ui/dist",))}
    assert [s.name for s in build.copies_into_image] == ["ui"]
    image = [s for s in build.model.sources(build.final) if s.stage is None]
    assert [s.name for s in image] == ["ghcr.io/astral-sh/uv:0.5"]  # an image, not a stage


def test_target_names_match_case_insensitively_and_an_unknown_one_is_an_input_error() -> None:
    built = model(SHARED_BASE)
    assert built.build("RELEASE").final.name == "release"
    with pytest.raises(InputError, match="target stage 'prod' could not be found") as error:
        built.build("prod")
    assert error.value.line == 1


def test_the_image_config_follows_the_chain_as_buildkit_sets_it() -> None:
    release = model(SHARED_BASE).build("release").config
    assert release.user is not None and release.user.value == "1001"
    assert release.entrypoint is not None and release.cmd is not None
    assert release.cmd.instruction.args == ("uwsgi",)
    assert release.healthcheck is not None
    assert release.stopsignal is not None and release.stopsignal.value == "SIGQUIT"
    assert release.workdir == "/app"
    assert release.env["PYTHONUNBUFFERED"] == "1"
    assert "uid" not in release.env  # an ARG is not kept in the image
    development = model(SHARED_BASE).build("development").config
    assert development.user is not None and development.user.value == "root"
    # ENTRYPOINT in a stage without its own CMD resets the inherited CMD (BuildKit's cmdSet).
    assert development.cmd is None
    assert development.healthcheck is not None  # inherited from release


def test_copy_from_an_index_and_from_paths_relative_to_the_root() -> None:
    build = model(
        "FROM golang:1.23 AS build\nWORKDIR /src\nRUN go build -o app .\n"
        "FROM scratch\nWORKDIR /srv\nCOPY --from=0 src/app ./app\n"
    ).build()
    (source,) = build.copies_into_image
    assert source.stage == 0 and source.paths == ("/src/app",)


def test_a_stage_read_only_by_an_unbuilt_stage_is_not_built() -> None:
    build = model(
        "FROM alpine AS tools\nRUN apk add git\n"
        'FROM alpine AS app\nCMD ["/app"]\n'
        "FROM alpine AS debug\nCOPY --from=tools /usr/bin/git /usr/bin/git\n"
    ).build("app")
    assert names(build.built) == ["app"]


def test_results_are_computed_once_per_target() -> None:
    built = model(SHARED_BASE)
    first: Build = built.build("release")
    assert built.build("release") is first
    assert first.config is first.config
    assert built.walk(first.final) is built.walk(first.final)
