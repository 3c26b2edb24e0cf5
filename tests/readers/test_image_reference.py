"""Image references read the way Docker's distribution/reference normalises them."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.image_reference import parse_reference, parse_written

DIGEST = "sha256:" + "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"


@pytest.mark.parametrize(
    ("text", "name", "familiar"),
    [
        ("python", "docker.io/library/python", "python"),
        ("python:3.13-slim", "docker.io/library/python", "python"),
        ("library/python", "docker.io/library/python", "python"),
        ("docker.io/python", "docker.io/library/python", "python"),
        ("docker.io/library/python", "docker.io/library/python", "python"),
        ("index.docker.io/library/python", "docker.io/library/python", "python"),
        ("index.docker.io/debian", "docker.io/library/debian", "debian"),
        ("bitnami/python", "docker.io/bitnami/python", "bitnami/python"),
        ("library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar"),
        ("gcr.io/distroless/static", "gcr.io/distroless/static", "gcr.io/distroless/static"),
        ("localhost/app", "localhost/app", "localhost/app"),
        ("localhost:5000/app", "localhost:5000/app", "localhost:5000/app"),
        ("127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", None),
        ("[fc00::1]:5000/docker", "[fc00::1]:5000/docker", None),
        ("registry-1.docker.io/library/python", "registry-1.docker.io/library/python", None),
        ("Docker/docker", "Docker/docker", None),  # an upper-case first part is a host
        ("test_com/foo", "docker.io/test_com/foo", None),
        ("docker---rules/docker", "docker.io/docker---rules/docker", None),
        ("192.168.0.1", "docker.io/library/192.168.0.1", None),
    ],
)
def test_names_normalise_like_docker(text: str, name: str, familiar: str | None) -> None:
    ref = parse_reference(text)
    assert ref.name == name
    if familiar is not None:
        assert ref.familiar_name == familiar


def test_tag_and_digest() -> None:
    ref = parse_reference(f"busybox:latest@{DIGEST}")
    assert (ref.path, ref.tag, ref.digest) == ("library/busybox", "latest", DIGEST)
    assert str(ref) == f"docker.io/library/busybox:latest@{DIGEST}"
    assert parse_reference("192.168.0.1:80").tag == "80"  # no "/": the ":" starts a tag
    assert parse_reference("localhost:5000/app").tag is None
    assert parse_reference("node:22-alpine3.20").repository == "node"


@pytest.mark.parametrize(
    "text",
    [
        "Python:3.13",
        "docker/Docker",
        "-docker",
        "docker-/docker",
        "docker///docker",
        "dock..er/docker",
        "docker/",
        "https://github.com/docker/docker",
        "fc00::1:5000/debian",
        "[fc00::1]:5000",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "python:-slim",
        "python@sha256:4f2d3a8c",
        "python@md5:" + "0" * 32,
        "python@sha256:" + "A" * 64,
        "a/" + "b" * 260,
    ],
)
def test_docker_refuses(text: str) -> None:
    with pytest.raises(InputError):
        parse_reference(text)


def test_written_reference_with_unresolved_parts() -> None:
    tag_arg = parse_written("python:${PYTHON_VERSION}-slim")
    assert tag_arg.reference is None
    assert tag_arg.name is not None and tag_arg.name.name == "docker.io/library/python"
    assert tag_arg.tag == "${PYTHON_VERSION}-slim"

    digest_arg = parse_written("python:3.13-slim@${DIGEST}")
    assert digest_arg.name is not None and digest_arg.tag == "3.13-slim"
    assert digest_arg.digest == "${DIGEST}"

    for unknown in ("${REGISTRY}/python:3.13", "registry:${PORT}/app", "$IMAGE"):
        assert parse_written(unknown).name is None

    plain = parse_written("ghcr.io/astral-sh/uv:0.5.11")
    assert plain.reference is not None and plain.tag == "0.5.11"
    with pytest.raises(InputError):
        parse_written("Python:${V}")
