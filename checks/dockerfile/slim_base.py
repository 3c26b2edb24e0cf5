"""Slim base image: the final image starts from a slim, Alpine or distroless variant.

What it checks:
    The base image of the image built for the target stage (parameter `target`; by default
    the last stage, as `docker build` without `--target`), followed through earlier stages
    it is built FROM, down to the image the chain starts from. It passes when that image is
    `scratch`, a distroless image (a repository path with a `distroless` component, such
    as `gcr.io/distroless/python3`),
    the `alpine` image itself, an image whose tag contains `slim` or `alpine`
    (`python:3.13-slim`, `python:3.13-slim-bookworm`, `node:22-alpine3.20`,
    `debian:bookworm-slim`), or an image that matches a prefix of the parameter `allow`
    (for other minimal images: `cgr.dev/chainguard/`, `registry.access.redhat.com/ubi9/
    ubi-minimal`). No tag means `latest`, the full image, and fails. The tag is read after
    ARG expansion: in `python:${PYTHON_VERSION}-slim` the variant is written out, so it
    passes even when the version is a build argument without a default; a variant that
    is itself a build argument (`python:3.13${VARIANT}`), a registry or name that is one,
    or an image pinned by digest alone (`python@sha256:...`, which names no variant) is
    unknown. Only the final image counts: a full `python:3.13` builder stage whose
    results are copied into a slim runtime stage is fine.

    No peer linter checks the variant; hadolint's DL3007 and Trivy's DS-0001 only share
    the `latest` part (an untagged image is the full one).

Why it matters:
    The full Debian-based images carry compilers, headers and hundreds of packages the
    application never uses: `python:3.13` is about 1.2GB against about 180MB for
    `python:3.13-slim` (the guide's table), and every extra package is attack surface
    that scanners report and that must be patched.

How to fix:
    Base the final stage on the slim (or Alpine, or distroless) variant of the runtime,
    for example `FROM python:3.13-slim AS runtime`, and keep build tools in a builder
    stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checklists import Outcome, Target, check
from checklists.errors import InputError
from checks.common import allowed, invalid_only_by_default, load_build, read_base, stage_label
from checks.dockerfile._errors import located

_REFERENCE_TO_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_VARIANTS = ("slim", "alpine")


@check("dockerfile.slim_base", severity="low", related=("hadolint:DL3007", "trivy:DS-0001"))
def slim_base(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    allow: Sequence[str] = (),
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        final = build.final
        root = build.root
        evidence = [
            parsed.at(dockerfile, root.from_instruction, f"{stage_label(root)}: {root.base}")
        ]
        if root is not final:
            note = f"the final {stage_label(final)} is built FROM {stage_label(root)}"
            evidence.append(parsed.at(dockerfile, final.from_instruction, note))
        if root.base == "scratch":
            return Outcome.passed("the final image starts from scratch", *evidence, value="scratch")
        try:
            written = read_base(root, dockerfile)
        except InputError as error:
            reason = invalid_only_by_default(root, error)
            if reason is None:
                raise
            return Outcome.unknown(reason, *evidence)
        name = written.name
        if name is None:
            return Outcome.unknown(
                f"the final base image {root.base} depends on build arguments without a default "
                f"({', '.join(root.base_unresolved)})",
                *evidence,
            )
        prefix = allowed(name, allow)
        if prefix is not None:
            return Outcome.passed(
                f"{root.base} is allowed by {prefix!r}", *evidence, value=root.base
            )
        if "distroless" in name.path.split("/") or name.repository == "alpine":
            kind = "distroless" if name.repository != "alpine" else "Alpine"
            return Outcome.passed(f"{root.base} is a {kind} image", *evidence, value=root.base)
        if written.tag is None:
            if written.digest is not None:
                return Outcome.unknown(
                    f"{root.base} is pinned by digest only, which does not name the variant",
                    *evidence,
                )
            return Outcome.failed(
                f"{root.base} has no tag, so it is {name.familiar_name}:latest, the full image",
                *evidence,
                value=root.base,
            )
        literal = _REFERENCE_TO_VARIABLE.sub("", written.tag).lower()
        variant = next((v for v in _VARIANTS if v in literal), None)
        if variant is not None:
            return Outcome.passed(
                f"the final image starts from {root.base}, a {variant} variant",
                *evidence,
                value=root.base,
            )
        if "$" in written.tag:
            return Outcome.unknown(
                f"the tag of {root.base} depends on build arguments without a default "
                f"({', '.join(root.base_unresolved)})",
                *evidence,
            )
        return Outcome.failed(
            f"the final image starts from {root.base}, which is not a slim, Alpine or "
            "distroless variant",
            *evidence,
            value=root.base,
        )
