"""Image size, measured by a real container engine.

What it checks:
    The size of the environment's image as the container engine reports it
    (`image inspect --format {{.Size}}`, bytes), read from the newest measurement evidence
    of that environment, compared with the limit the guide's table states (decimal MB, as
    Docker shows sizes).
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    A large image is slow to pull and push, costs registry storage, and usually carries
    packages an attacker can use; the guide sets < 700MB for development and < 250MB for
    production.

How to fix:
    Use a slim base image, keep build tools in a builder stage, install with
    `--no-install-recommends` and remove caches in the same layer; then measure again with
    `checklists measure`.
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric(
    "image.size", unit=Kind.SIZE, severity="medium", related=("hadolint:DL3009", "hadolint:DL3015")
)
def size(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "image.size")
