"""Healthcheck: the final image tells the engine how to probe that it is healthy.

What it checks:
    The image built for the target stage (parameter `target`; by default the last stage,
    as `docker build` without `--target`) has a HEALTHCHECK with a command, either the
    stage's own or one it inherits from an earlier stage of the same file that it is built
    FROM; the last one wins, as in BuildKit. A HEALTHCHECK in a builder stage or in a stage
    the target does not build is not in the image. `HEALTHCHECK NONE` switches the check
    off and fails. The flags are read as BuildKit reads them (Go durations, `--retries`
    not negative, unknown flags rejected), and the evidence shows the interval, timeout,
    start period and retries in effect, with Docker's defaults (30s, 30s, 0s, 3) where a
    flag is not given. A healthcheck that only the base image defines is not visible in
    the Dockerfile and does not count.

Why it matters:
    Without a healthcheck the engine only knows whether the process runs, not whether the
    service answers; orchestrators cannot restart a hung container or hold traffic back
    until it is ready.

How to fix:
    Add to the final stage, for example
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD
    curl -f http://localhost:8000/health || exit 1`.
"""

from __future__ import annotations

from checklists import Outcome, Target, check
from checks.common import load_build
from checks.dockerfile._errors import located
from checks.readers.healthcheck import read_healthcheck

MISSING = {"ja": "未実装", "en": "missing"}


@check(
    "dockerfile.healthcheck",
    severity="medium",
    related=("trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def healthcheck(
    repo: Target, *, dockerfile: str = "Dockerfile", target: str | None = None
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        setting = build.config.healthcheck
        if setting is None:
            final = build.final
            return Outcome.failed(
                "the final stage has no HEALTHCHECK",
                parsed.at(dockerfile, final.from_instruction, "the final stage starts here"),
                localized=MISSING,
            )
        found = read_healthcheck(setting.instruction)
        where = parsed.at(dockerfile, setting.instruction, "the healthcheck in effect")
        if found.disabled:
            return Outcome.failed(
                "HEALTHCHECK NONE disables the healthcheck", where, localized=MISSING
            )
        shown = ("interval", "timeout", "start-period", "retries")
        summary = " ".join(f"{name}={found.options[name]}" for name in shown)
        return Outcome.passed(
            f"the final stage has a HEALTHCHECK ({summary})",
            parsed.at(dockerfile, setting.instruction, f"healthcheck in effect: {summary}"),
            value=summary,
            localized={"ja": "実装済み", "en": "implemented"},
        )
