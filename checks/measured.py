"""What the metric checks share: the newest measurement of an environment, judged fresh or stale.

Measurements come from evidence files that `checklists measure` writes into the target
(the `evidence` glob, relative to the target). The newest file that measured the
environment wins. Evidence whose recorded Dockerfile hash differs from the Dockerfile in
the target today is stale: it is shown, never compared with a limit. Nothing here ever
produces a number that was not measured.
"""

from __future__ import annotations

from checklists import Environment, Evidence, Outcome, Target
from checklists.errors import InputError
from checklists.target import MAX_REPORT_BYTES
from checks.readers.bounds import in_the_future
from checks.readers.measurements import (
    EnvironmentEvidence,
    Measurement,
    read_measurements,
    sha256_file,
)
from checks.readers.measurements import (
    Evidence as EvidenceFile,
)

DEFAULT_EVIDENCE = "reports/measurements/*.json"


def how_to_measure(environment: Environment) -> str:
    return f"checklists measure --env {environment.name}"


def newest(
    target: Target, pattern: str, environment: Environment
) -> tuple[str, EvidenceFile, EnvironmentEvidence] | None:
    """(path, file, the environment's part) of the newest evidence for the environment."""
    found = []
    now = target.now()
    for path in target.glob(pattern):
        evidence = target.parse(path, read_measurements, limit=MAX_REPORT_BYTES)
        if environment.name in evidence.environments:
            if in_the_future(evidence.measured_at, now):
                # It would win as the newest evidence, yet no measurement made it.
                raise InputError(
                    f"measured_at {evidence.measured_at:%Y-%m-%dT%H:%M:%SZ} lies in the future "
                    f"(now {now:%Y-%m-%d %H:%M} UTC): the evidence cannot be trusted",
                    path=path,
                    kind="implausible",
                )
            found.append((evidence.measured_at, path, evidence))
    if not found:
        return None
    _, path, evidence = max(found, key=lambda entry: (entry[0], entry[1]))
    return path, evidence, evidence.environments[environment.name]


def measured_metric(
    target: Target, environment: Environment | None, pattern: str, metric: str
) -> Outcome:
    """The outcome of one measured metric for one environment (see the module's docstring)."""
    if environment is None:
        return Outcome.error(
            f"{metric} is measured per environment: bind it in a table column named after "
            "one, or pass {env: <name>}",
            Evidence("no environment given"),
        )
    latest = newest(target, pattern, environment)
    if latest is None:
        return Outcome.unknown(
            f"not measured: no evidence for {environment.name} in {pattern}",
            Evidence(f"to measure: {how_to_measure(environment)}", path=pattern),
        )
    path, evidence, measured = latest
    about = Evidence(
        f"measured {evidence.measured_at:%Y-%m-%d %H:%M} UTC with {evidence.engine_name} "
        f"{evidence.engine_version} on {evidence.host}"
        + (f", target commit {evidence.target_commit[:12]}" if evidence.target_commit else ""),
        path=path,
    )
    dockerfile = str(environment.options.get("dockerfile", measured.dockerfile))
    if sha256_file(target.read_bytes(dockerfile)) != measured.dockerfile_sha256:
        return Outcome.unknown(
            f"stale: {dockerfile} changed after it was measured; measure again",
            about,
            Evidence(
                f"the evidence measured a Dockerfile with sha256 {measured.dockerfile_sha256[:12]}"
                f"; to measure again: {how_to_measure(environment)}",
                path=dockerfile,
            ),
            stale=True,
        )
    reading = measured.measurements.get(metric)
    if reading is None:
        return Outcome.unknown(
            f"the evidence has no {metric} for {environment.name}",
            about,
            Evidence(f"to measure: {how_to_measure(environment)}"),
        )
    return _outcome(reading, about)


def _outcome(reading: Measurement, about: Evidence) -> Outcome:
    command = " ".join(reading.command)
    if reading.status == "measured" and reading.value is not None:
        raw = Evidence(f"{command}", excerpt=reading.raw) if command else about
        return Outcome.measured(
            reading.value, f"measured {reading.value:g} {reading.unit}", about, raw
        )
    if reading.status == "failed":
        return Outcome.failed(
            f"the measurement failed: {reading.error}",
            about,
            Evidence(f"{command} failed", excerpt=reading.log_tail or reading.error),
        )
    return Outcome.unknown(f"not measured: {reading.reason}", about)
