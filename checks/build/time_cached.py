"""Build time with cache, measured by a real container engine.

What it checks:
    The wall-clock time of a rebuild with the layer cache after one source file changed
    (the measure command changes a copy, never the target), from the newest measurement
    evidence, compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    This is the build developers and CI wait for on every change; a rebuild that
    reinstalls dependencies for a code change means the layer order is wrong.

How to fix:
    Copy dependency manifests (pyproject.toml) and install them before `COPY src`, so a
    code change only rebuilds the last layers; then measure again with `checklists measure`.
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("build.time_cached", unit=Kind.DURATION, severity="medium", related=())
def time_cached(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "build.time_cached")
