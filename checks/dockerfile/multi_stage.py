"""Multi-stage build: the final image copies its artefacts from a builder stage.

What it checks:
    The image that `docker build` produces for the target stage (parameter `target`; by
    default the last stage, as without `--target`) copies its artefacts from a builder
    stage of the same file: some stage of the final chain — the target and the stages it is
    built `FROM`, recursively, whose layers are the image — has a `COPY --from=<stage name
    or index>`, or a `RUN --mount=type=bind,from=<stage>` (a RUN that installs the wheels
    a builder made), that names a stage outside that chain. A shared runtime base is fine
    (`FROM python:3.12-slim AS base`, `FROM base AS builder`, `FROM base AS runtime` with
    `COPY --from=builder`): the builder's layers stay out of the image. It fails for a
    single stage, for a final stage built `FROM` the stage that does the build and copies
    from no other stage (it carries the build tools along), and for an image that copies
    nothing from another stage. `COPY --from=<image>` copies from an external image and is
    not a stage of this build. Stage names are matched case-insensitively, as BuildKit
    does; a target that names no stage is an error, as in `docker build --target`.

Why it matters:
    Compilers, headers and caches that the builder needs stay out of the runtime image,
    which keeps it small and shrinks what an attacker can use (the guide's image drops
    from 650MB with build tools to 220MB at runtime).

How to fix:
    Build dependencies in a `FROM ... AS builder` stage, start the final stage from a
    fresh slim base image, and bring over only the results, for example
    `COPY --from=builder /install /usr/local`.
"""

from __future__ import annotations

from checklists import Evidence, Outcome, Target, check
from checks.common import load_build, stage_label
from checks.dockerfile._errors import located


def _stages(count: int) -> dict[str, str]:
    return {"ja": f"{count}段階", "en": f"{count} stage{'s' if count != 1 else ''}"}


@check("dockerfile.multi_stage", severity="medium", related=("hadolint:DL3022",))
def multi_stage(
    repo: Target, *, dockerfile: str = "Dockerfile", target: str | None = None
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
    built = build.built
    count = len(built)
    froms = [parsed.at(dockerfile, s.from_instruction, stage_label(s)) for s in built]
    final = build.final
    if len(parsed.stages) < 2:
        return Outcome.failed(
            f"{dockerfile} has a single stage", *froms, value="1", localized=_stages(1)
        )
    chain = " -> ".join(stage_label(s) for s in build.chain)
    copies: list[Evidence] = []
    for source in build.builder_reads:
        assert source.stage is not None  # builder_reads only holds stages
        builder = parsed.stages[source.stage]
        how = "copies from" if source.kind == "copy" else "mounts files of"
        note = f"the image {how} {stage_label(builder)}, whose layers stay out of it"
        copies.append(parsed.at(dockerfile, source.instruction, note))
    if copies:
        return Outcome.passed(
            f"{count} stages built for {stage_label(final)}; the image ({chain}) copies "
            "artefacts from a builder stage",
            *froms,
            *copies,
            value=str(count),
            localized=_stages(count),
        )
    if final.base_stage is not None:
        parent = parsed.stages[final.base_stage]
        reason = (
            f"the final stage is built FROM {stage_label(parent)} and the image ({chain}) "
            "copies nothing from a stage outside that chain, so it keeps everything those "
            "stages installed"
        )
    else:
        reason = "the final stage copies nothing from an earlier stage (no COPY --from=<stage>)"
    return Outcome.failed(reason, *froms, value=str(count), localized=_stages(count))
