"""Official base images: every image the build starts FROM is a Docker Official Image.

What it checks:
    Every FROM that names an image rather than an earlier stage (stage names match
    case-insensitively, as in BuildKit; `scratch` is the empty image and always fine) must
    be a Docker Official Image: an image of Docker Hub's `library/` namespace. The image is
    read as Docker reads it (distribution/reference's ParseNormalizedNamed): `python`,
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
    the FROM's line. Images copied from with `COPY --from=<image>` are listed in the
    evidence but not judged: they are not base images.

    hadolint's DL3026 checks a list of trusted registries; a registry list cannot tell
    `python` from `someone/python`, both on docker.io, so this check looks at the namespace.

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
from checks.common import ParsedDockerfile, load_dockerfile, stage_label
from checks.dockerfile._errors import located
from checks.readers.dockerfile_model import Stage, expand, flag_value
from checks.readers.image_reference import (
    DOCKER_HUB,
    ImageReference,
    WrittenReference,
    parse_written,
)


def read_base(parsed: ParsedDockerfile, stage: Stage, path: str) -> WrittenReference:
    """The stage's FROM image with its known parts; InputError at the FROM's line."""
    try:
        return parse_written(stage.base)
    except InputError as error:
        raise InputError(
            f"FROM {stage.base}: {error.message}",
            path=path,
            line=stage.from_instruction.start_line,
        ) from None


def allowed(name: ImageReference, allow: Sequence[str]) -> str | None:
    """The first `allow` prefix that matches the image's full or short name."""
    return next(
        (p for p in allow if name.name.startswith(p) or name.familiar_name.startswith(p)), None
    )


def is_official(name: ImageReference) -> bool:
    """An image of Docker Hub's `library/` namespace (which has no nested namespaces)."""
    namespace, _, rest = name.path.partition("/")
    return name.domain == DOCKER_HUB and namespace == "library" and "/" not in rest


def _external_copies(parsed: ParsedDockerfile, path: str) -> list[Evidence]:
    """`COPY --from=<image>` in any stage: noted, since such files also end up in images."""
    names = {s.name for s in parsed.stages if s.name}
    found = []
    for stage in parsed.stages:
        for instruction, variables in parsed.walk(stage):
            source = flag_value(instruction, "from") if instruction.keyword == "copy" else None
            if source is None:
                continue
            text = expand(source, variables, escape=parsed.dockerfile.escape).text
            if text.lower() in names or text.isdigit():
                continue
            note = f"copies files from the image {text} (not a base image; not judged)"
            found.append(parsed.at(path, instruction, note))
    return found


@check("dockerfile.official_base_image", severity="medium", related=("hadolint:DL3026",))
def official_base_image(
    target: Target, *, dockerfile: str = "Dockerfile", allow: Sequence[str] = ()
) -> Outcome:
    with located(dockerfile):
        parsed = load_dockerfile(target, dockerfile)
        passed: list[Evidence] = []
        failed: list[tuple[str, Evidence]] = []
        unknown: list[tuple[str, Evidence]] = []
        for stage in parsed.stages:
            if stage.base_stage is not None:
                continue
            label = stage_label(stage)
            if stage.base == "scratch":
                passed.append(parsed.at(dockerfile, stage.from_instruction, f"{label}: scratch"))
                continue
            written = read_base(parsed, stage, dockerfile)
            name = written.name
            if name is None or (stage.base_unresolved and "$" not in stage.base):
                names = ", ".join(stage.base_unresolved)
                reason = (
                    f"{label}: the name of {stage.base} depends on {names}, which has no default"
                )
                unknown.append((reason, parsed.at(dockerfile, stage.from_instruction, reason)))
                continue
            prefix = allowed(name, allow)
            if is_official(name):
                note = f"{label}: {stage.base} is a Docker Official Image ({name.name})"
                passed.append(parsed.at(dockerfile, stage.from_instruction, note))
            elif prefix is not None:
                note = f"{label}: {stage.base} is allowed by {prefix!r}"
                passed.append(parsed.at(dockerfile, stage.from_instruction, note))
            else:
                where = (
                    f"the Docker Hub namespace {name.path.split('/')[0]}"
                    if name.domain == DOCKER_HUB
                    else f"the registry {name.domain}"
                )
                reason = f"{name.familiar_name} is not a Docker Official Image (it is in {where})"
                failed.append(
                    (reason, parsed.at(dockerfile, stage.from_instruction, f"{label}: {reason}"))
                )
        copies = _external_copies(parsed, dockerfile)
        if failed:
            return Outcome.failed(
                "; ".join(reason for reason, _ in failed),
                *(e for _, e in failed),
                *passed,
                *copies,
            )
        if unknown:
            return Outcome.unknown(
                "; ".join(reason for reason, _ in unknown), *(e for _, e in unknown), *passed
            )
        return Outcome.passed(
            f"all {len(passed)} base image(s) are Docker Official Images or allowed",
            *passed,
            *copies,
        )
