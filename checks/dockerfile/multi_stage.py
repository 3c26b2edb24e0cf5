"""Multi-stage build: the final image copies its artefacts from a builder stage.

What it checks:
    The Dockerfile has at least two stages, and the final stage (the one `docker build`
    produces without `--target`) copies what it needs from an earlier stage of the same
    file with `COPY --from=<stage name or index>`. A final stage built `FROM` the builder
    stage, or one that copies nothing from an earlier stage, does not count: it either
    carries the build tools along or rebuilds everything itself. `COPY --from=<image>`
    copies from an external image and is not a stage of this build. Stage names are
    matched case-insensitively, as BuildKit does.

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
from checks.common import load_dockerfile, stage_label
from checks.readers.dockerfile_model import expand, flag_value


def _stages(count: int) -> dict[str, str]:
    return {"ja": f"{count}段階", "en": f"{count} stage{'s' if count != 1 else ''}"}


@check("dockerfile.multi_stage", severity="medium", related=("hadolint:DL3022",))
def multi_stage(target: Target, *, dockerfile: str = "Dockerfile") -> Outcome:
    parsed = load_dockerfile(target, dockerfile)
    stages, final = parsed.stages, parsed.final
    froms = [parsed.at(dockerfile, s.from_instruction, stage_label(s)) for s in stages]
    if len(stages) < 2:
        return Outcome.failed(
            f"{dockerfile} has a single stage", *froms, value="1", localized=_stages(1)
        )
    if final.base_stage is not None:
        parent = stages[final.base_stage]
        return Outcome.failed(
            f"the final stage is built FROM {stage_label(parent)}, so it keeps everything "
            "that stage installed",
            *froms,
            value=str(len(stages)),
            localized=_stages(len(stages)),
        )
    by_name = {s.name: s for s in stages[:-1] if s.name}
    copies: list[Evidence] = []
    for _, instruction, variables in parsed.walk_chain(final):
        source = flag_value(instruction, "from") if instruction.keyword == "copy" else None
        if source is None:
            continue
        name = expand(source, variables, escape=parsed.dockerfile.escape)[0].lower()
        stage = by_name.get(name) or (
            stages[int(name)] if name.isdigit() and int(name) < final.index else None
        )
        if stage is not None:
            copies.append(parsed.at(dockerfile, instruction, f"copies from {stage_label(stage)}"))
    if not copies:
        return Outcome.failed(
            "the final stage copies nothing from an earlier stage (no COPY --from=<stage>)",
            *froms,
            value=str(len(stages)),
            localized=_stages(len(stages)),
        )
    return Outcome.passed(
        f"{len(stages)} stages; the final stage copies from an earlier stage",
        *froms,
        *copies,
        value=str(len(stages)),
        localized=_stages(len(stages)),
    )
