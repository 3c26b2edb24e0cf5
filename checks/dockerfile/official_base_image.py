"""Official base image: the image is built on a Docker Official Image.

What it checks:
    The base image of the image built for the target stage (parameter `target`; by default
    the last stage, as `docker build` without `--target`): the FROM of the first stage of
    its final chain — the target and the stages it is built FROM, recursively, whose layers
    are the image. `scratch` is the empty image and always fine. The base must be a Docker
    Official Image: an image of Docker Hub's `library/` namespace. The image is read as
    Docker reads it (distribution/reference's ParseNormalizedNamed): `python`,
    `python:3.13-slim`, `library/python`, `docker.io/library/python` and
    `index.docker.io/library/python@sha256:...` are all `docker.io/library/python`, while
    `bitnami/python` (another Docker Hub namespace), `ghcr.io/...`, `localhost:5000/python`
    and `registry-1.docker.io/library/python` (a host Docker does not normalise to Docker
    Hub) are not. The parameter `allow` adds trusted name prefixes, matched against the full
    name and the short one: `gcr.io/distroless/`, `cgr.dev/chainguard/`,
    `mirror.gcr.io/library/`. ARGs in FROM are expanded with their defaults
    (`FROM python:${PYTHON_VERSION}-slim` with `ARG PYTHON_VERSION=3.13` before the first
    FROM); when a build argument without a default decides the registry or the name, the
    image is unknown until build time and so is the outcome. A tag left to a build argument
    does not matter: the name decides. An image name Docker would refuse is an error at
    the FROM's line.

    Builder stages are not the image's base: their layers are thrown away, and only the
    files copied out of them reach the image. Their images, and images copied from with
    `COPY --from=<image>`, are listed in the evidence but not judged; stages the target
    does not build are ignored.

    hadolint's DL3026 checks a list of trusted registries in every FROM; a registry list
    cannot tell `python` from `someone/python`, both on docker.io, so this check looks at
    the namespace, and only at the image's own base.

Why it matters:
    Official images are maintained and rebuilt by Docker and the upstream projects, get
    security fixes quickly and are scanned; an image from an unknown namespace can hold
    anything and may never be updated (the guide: ベースイメージは公式イメージのみ使用).

How to fix:
    Start from the official image of the runtime, for example `FROM python:3.13-slim`,
    or add the vendor you trust to `allow`, e.g.
    `<!-- check: dockerfile.official_base_image {allow: ["gcr.io/distroless/"]} -->`.
"""

from __future__ import annotations

from collections.abc import Sequence

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.common import (
    ParsedDockerfile,
    allowed,
    invalid_only_by_default,
    load_build,
    read_base,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.build_model import Build
from checks.readers.image_reference import DOCKER_HUB, ImageReference


def is_official(name: ImageReference) -> bool:
    """An image of Docker Hub's `library/` namespace (which has no nested namespaces)."""
    namespace, _, rest = name.path.partition("/")
    return name.domain == DOCKER_HUB and namespace == "library" and "/" not in rest


def _not_judged(parsed: ParsedDockerfile, build: Build, path: str) -> list[Evidence]:
    """Builder stages' images and `COPY --from=<image>`: shown, not judged."""
    found = []
    for stage in build.built:
        if build.in_image(stage):
            continue
        if stage.base_stage is None:
            note = (
                f"{stage_label(stage)} is a builder stage FROM {stage.base}: its layers stay "
                "out of the image (not judged)"
            )
            found.append(parsed.at(path, stage.from_instruction, note))
    for link in build.chain:
        for source in build.model.sources(link):
            if source.kind == "copy" and source.stage is None:
                note = f"copies files from the image {source.name} (not a base image; not judged)"
                found.append(parsed.at(path, source.instruction, note))
    return found


@check("dockerfile.official_base_image", severity="medium", related=("hadolint:DL3026",))
def official_base_image(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    allow: Sequence[str] = (),
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        root = build.root
        label = stage_label(root)
        base = parsed.at(dockerfile, root.from_instruction, f"{label}: the image's base")
        others = _not_judged(parsed, build, dockerfile)
        chain = [
            parsed.at(dockerfile, s.from_instruction, f"{stage_label(s)} is built FROM it")
            for s in build.chain[1:]
        ]
        if root.base == "scratch":
            return Outcome.passed("the image starts from scratch", base, *chain, *others)
        try:
            written = read_base(root, dockerfile)
        except InputError as error:
            reason = invalid_only_by_default(root, error)
            if reason is None:
                raise
            return Outcome.unknown(reason, base, *chain, *others)
        name = written.name
        if name is None or (root.base_unresolved and "$" not in root.base):
            names = ", ".join(root.base_unresolved)
            return Outcome.unknown(
                f"{label}: the name of {root.base} depends on {names}, which has no default",
                base,
                *chain,
                *others,
            )
        prefix = allowed(name, allow)
        if is_official(name):
            return Outcome.passed(
                f"the image is built on {root.base}, a Docker Official Image ({name.name})",
                base,
                *chain,
                *others,
            )
        if prefix is not None:
            return Outcome.passed(
                f"the image is built on {root.base}, allowed by {prefix!r}", base, *chain, *others
            )
        where = (
            f"the Docker Hub namespace {name.path.split('/')[0]}"
            if name.domain == DOCKER_HUB
            else f"the registry {name.domain}"
        )
        return Outcome.failed(
            f"{name.familiar_name} is not a Docker Official Image (it is in {where})",
            base,
            *chain,
            *others,
        )
