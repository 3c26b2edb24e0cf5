"""Start-up time, measured by a real container engine.

What it checks:
    The time from starting the container until it is healthy: its HEALTHCHECK reports
    healthy, or, without one, `GET /health` answers 200 on loopback. Read from the newest
    measurement evidence and compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    Slow start-up delays deployments, scale-outs and restarts after a crash.

How to fix:
    Avoid work at import time, run migrations as a separate step, and keep the image small;
    then measure again with `checklists measure`.
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("container.startup_time", unit=Kind.DURATION, severity="medium", related=())
def startup_time(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "container.startup_time")
