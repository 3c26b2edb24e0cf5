"""Build time without cache, measured by a real container engine.

What it checks:
    The wall-clock time of `build --no-cache` for the environment, from the newest
    measurement evidence, compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    A slow cold build delays every CI run that misses the cache and every new developer's
    first build.

How to fix:
    Order instructions so that dependencies install before the code is copied, keep the
    context small with `.dockerignore`, and drop unneeded build dependencies; then measure
    again with `checklists measure`.
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("build.time_no_cache", unit=Kind.DURATION, severity="medium", related=())
def time_no_cache(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "build.time_no_cache")
