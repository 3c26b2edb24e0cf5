"""Memory use, measured by a real container engine.

What it checks:
    The container's memory use shortly after start-up as the engine reports it
    (`stats --no-stream`, MemUsage), from the newest measurement evidence, compared with the
    limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    Memory above the limit gets the container killed by its orchestrator or starves other
    services on the host.

How to fix:
    Reduce worker processes and preloaded data, and set a memory limit that matches the
    guide's target; then measure again with `checklists measure`.
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("container.memory", unit=Kind.SIZE, severity="medium", related=())
def memory(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "container.memory")
