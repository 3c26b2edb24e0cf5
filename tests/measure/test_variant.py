"""The build without `--no-install-recommends` that `checklists measure` adds for the guide's
効果 claim (約40%): which Dockerfile it builds, and when there is nothing to compare."""

from __future__ import annotations

from pathlib import Path

from checklists_measure.command import bound_images
from checklists_measure.steps import variant_tag, without_no_install_recommends

DOCKERFILE = """\
# --no-install-recommends keeps the image small (a comment: left alone)
FROM python:3.13-slim
RUN apt-get update && apt-get install -y --no-install-recommends \\
        libffi8 curl \\
    && rm -rf /var/lib/apt/lists/*
RUN apt-get install --no-install-recommends -y git; echo done
LABEL note="--no-install-recommends"
"""


def test_the_option_is_taken_out_of_every_run_and_nothing_else() -> None:
    variant, reason = without_no_install_recommends(DOCKERFILE)
    assert reason == ""
    assert variant == DOCKERFILE.replace(
        "install -y --no-install-recommends \\", "install -y \\"
    ).replace("install --no-install-recommends -y git", "install -y git")
    assert variant is not None and variant.startswith("# --no-install-recommends")
    assert 'LABEL note="--no-install-recommends"' in variant  # not a RUN: not an apt option


def test_nothing_to_compare_is_said_with_the_reason() -> None:
    none, reason = without_no_install_recommends("FROM debian\nRUN apt-get install -y curl\n")
    assert none is None and reason == "no RUN of the Dockerfile passes --no-install-recommends"
    other = (
        "FROM debian\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/no\n"
        "RUN apt-get install -y --no-install-recommends curl\n"
    )
    none, reason = without_no_install_recommends(other)
    assert none is None and "APT::Install-Recommends another way" in reason


def test_the_variant_is_tagged_beside_the_image() -> None:
    assert variant_tag("app:prod") == "app:prod-with-recommends"
    assert variant_tag("localhost:5000/app") == "localhost:5000/app:with-recommends"
    assert variant_tag("app@sha256:abc") == "app:with-recommends"


def test_the_images_to_size_are_the_ones_the_pages_bind(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "| 段階 | サイズ |\n| --- | --- |\n"
        '| python:3.13 <!-- metric: image.base_size {image: "python:3.13"} --> | 1.2GB |\n'
        "| slim <!-- metric: image.base_size {image: python:3.13-slim} --> | 180MB |\n"
        "\n```markdown\n<!-- metric: image.base_size {image: shown-only} -->\n```\n",
        "utf-8",
    )
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\nplugins:\n  - checklists\n", "utf-8")
    assert bound_images(config) == ["python:3.13", "python:3.13-slim"]
