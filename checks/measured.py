"""What the metric checks share: the newest measurement of an environment, judged fresh or stale.

Measurements come from evidence files that `checklists measure` writes into the target
(the `evidence` glob, relative to the target). The newest file that measured the
environment wins. Evidence whose recorded Dockerfile hash differs from the Dockerfile in
the target today is stale: it is shown, never compared with a limit. Nothing here ever
produces a number that was not measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from checklists import (
    Environment,
    Evidence,
    InputError,
    Kind,
    Outcome,
    Quantity,
    Status,
    Target,
    tr,
)
from checklists.core.target import MAX_REPORT_BYTES
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
    found = _newest_file(
        target, pattern, lambda evidence: environment.name in evidence.environments
    )
    if found is None:
        return None
    path, evidence = found
    return path, evidence, evidence.environments[environment.name]


def _newest_file(
    target: Target, pattern: str, measured: Callable[[EvidenceFile], bool]
) -> tuple[str, EvidenceFile] | None:
    """(path, file) of the newest evidence file that `measured` what is asked; InputError
    when such a file claims a time in the future (it would win as the newest, yet no
    measurement made it)."""
    found = []
    now = target.now()
    for path in target.glob(pattern):
        evidence = target.parse(path, read_measurements, limit=MAX_REPORT_BYTES)
        if measured(evidence):
            if in_the_future(evidence.measured_at, now):
                raise InputError(
                    tr(
                        "measured_at {at} lies in the future (now {now} UTC): the evidence "
                        "cannot be trusted",
                        "measured_at {at} は未来の日時（現在 {now} UTC）で、この証拠は信頼できない",
                        at=f"{evidence.measured_at:%Y-%m-%dT%H:%M:%SZ}",
                        now=f"{now:%Y-%m-%d %H:%M}",
                    ),
                    path=path,
                    kind="implausible",
                )
            found.append((evidence.measured_at, path, evidence))
    if not found:
        return None
    _, path, evidence = max(found, key=lambda entry: (entry[0], entry[1]))
    return path, evidence


def measured_metric(
    target: Target, environment: Environment | None, pattern: str, metric: str
) -> Outcome:
    """The outcome of one measured metric for one environment (see the module's docstring)."""
    found = _fresh(target, environment, pattern, metric)
    if isinstance(found, Outcome):
        return found
    measured, about = found
    reading = measured.measurements.get(metric)
    if reading is None:
        return _missing(metric, measured, about, environment)
    return _outcome(reading, about)


def _missing(
    metric: str, measured: EnvironmentEvidence, about: Evidence, environment: Environment | None
) -> Outcome:
    assert environment is not None
    return Outcome.unknown(
        tr(
            "the evidence has no {metric} for {env}",
            "証拠に環境「{env}」の {metric} がない",
            metric=metric,
            env=measured.name,
        ),
        about,
        Evidence(_to_measure(environment)),
    )


def derived_metric(
    target: Target,
    environment: Environment | None,
    pattern: str,
    metric: str,
    *,
    inputs: tuple[str, str],
    describe: tuple[str, str],
) -> Outcome:
    """A percentage computed from two readings of one evidence file: how much smaller the
    second is than the first, `(first - second) / first`. Unknown unless both were measured
    (the reason of the one that was not is given)."""
    found = _fresh(target, environment, pattern, metric)
    if isinstance(found, Outcome):
        return found
    measured, about = found
    readings = []
    for name in inputs:
        reading = measured.measurements.get(name)
        if reading is None:
            return _missing(name, measured, about, environment)
        if reading.status != "measured" or reading.value is None:
            outcome = _outcome(reading, about)
            return Outcome.unknown(
                tr(
                    "{metric} needs {name}, which was not measured: {why}",
                    "{metric} には {name} が必要だが計測されていない: {why}",
                    metric=metric,
                    name=name,
                    why=outcome.summary,
                ),
                *outcome.evidence,
            )
        readings.append(reading)
    first, second = readings
    assert first.value is not None and second.value is not None
    if first.value <= 0:
        return Outcome.unknown(
            tr("{name} measured 0", "{name} の計測値が 0", name=first.metric), about
        )
    percent = 100.0 * (first.value - second.value) / first.value
    kind = _KINDS.get(first.unit or "", Kind.SIZE)
    return Outcome.measured(
        percent,
        tr(
            "{percent:.1f}% less: {second} ({second_name}) against {first} ({first_name})",
            "{percent:.1f}% 減: {second}（{second_name}）対 {first}（{first_name}）",
            percent=percent,
            first=Quantity(first.value, kind),
            second=Quantity(second.value, kind),
            first_name=describe[0],
            second_name=describe[1],
        ),
        about,
        *(
            Evidence(
                tr("{metric}: {command}", "{metric}: 実行したコマンド {command}", metric=r.metric,
                   command=" ".join(r.command)),
                excerpt=r.raw,
            )
            for r in readings
        ),
    )  # fmt: skip


def _fresh(
    target: Target, environment: Environment | None, pattern: str, metric: str
) -> tuple[EnvironmentEvidence, Evidence] | Outcome:
    """The newest evidence of the environment that measured its Dockerfile as it is now,
    with the note that says when and how; else the outcome that says why there is none."""
    if environment is None:
        return Outcome.error(
            tr(
                "{metric} is measured per environment: bind it in a table column named after "
                "one, or pass {{env: <name>}}",
                "{metric} は環境ごとに計測します: 環境名の列の表に結び付けるか、"
                "{{env: <名前>}} を指定してください",
                metric=metric,
            ),
            Evidence(tr("no environment given", "環境の指定なし")),
        )
    latest = newest(target, pattern, environment)
    if latest is None:
        return Outcome.unknown(
            tr(
                "not measured: no evidence for {env} in {pattern}",
                "未計測: {pattern} に環境「{env}」の証拠がない",
                env=environment.name,
                pattern=pattern,
            ),
            Evidence(_to_measure(environment), path=pattern),
        )
    path, evidence, measured = latest
    # The note starts with "measured <date>" in English: the page reads the day from it.
    about = Evidence(
        tr(
            "measured {at} UTC with {engine} {version} on {host}{commit}",
            "{at} UTC にホスト「{host}」の {engine} {version} で計測{commit}",
            at=f"{evidence.measured_at:%Y-%m-%d %H:%M}",
            engine=evidence.engine_name,
            version=evidence.engine_version,
            host=evidence.host,
            commit=tr(
                ", target commit {commit}",
                "（ターゲットのコミット {commit}）",
                commit=evidence.target_commit[:12],
            )
            if evidence.target_commit
            else "",
        ),
        path=path,
    )
    dockerfile = str(environment.options.get("dockerfile", measured.dockerfile))
    if sha256_file(target.read_bytes(dockerfile)) != measured.dockerfile_sha256:
        return Outcome.unknown(
            tr(
                "stale: {dockerfile} changed after it was measured; measure again",
                "古い計測: 計測後に {dockerfile} が変わっている。計測し直してください",
                dockerfile=dockerfile,
            ),
            about,
            Evidence(
                tr(
                    "the evidence measured a Dockerfile with sha256 {sha}; to measure again: "
                    "{command}",
                    "証拠が計測したのは sha256 {sha} の Dockerfile。計測し直すには: {command}",
                    sha=measured.dockerfile_sha256[:12],
                    command=how_to_measure(environment),
                ),
                path=dockerfile,
            ),
            stale=True,
        )
    return measured, about


def _to_measure(environment: Environment) -> str:
    return tr(
        "to measure: {command}", "計測するには: {command}", command=how_to_measure(environment)
    )


_KINDS = {"B": Kind.SIZE, "s": Kind.DURATION, "%": Kind.PERCENT}


def _outcome(reading: Measurement, about: Evidence) -> Outcome:
    command = " ".join(reading.command)
    if reading.status == "measured" and reading.value is not None:
        raw = (
            Evidence(
                tr("{command}", "実行したコマンド: {command}", command=command),
                excerpt=reading.raw,
            )
            if command
            else about
        )
        kind = _KINDS.get(reading.unit or "")
        shown = (
            Quantity(reading.value, kind)
            if kind is not None
            else f"{reading.value:g} {reading.unit or ''}".strip()
        )
        return Outcome.measured(
            reading.value, tr("measured {value}", "計測値 {value}", value=shown), about, raw
        )
    if reading.status == "failed":
        return Outcome.failed(
            tr(
                "the measurement failed: {error}",
                "計測に失敗:「{error}」",
                error=reading.error or "",
            ),
            about,
            Evidence(
                tr("{command} failed", "{command} が失敗", command=command),
                excerpt=reading.log_tail or reading.error,
            ),
        )
    return Outcome.unknown(
        # The measure command's own words, recorded in the evidence: quoted in Japanese.
        tr("not measured: {reason}", "未計測:「{reason}」", reason=reading.reason or ""),
        about,
    )


def image_command(name: str) -> str:
    return f"checklists measure --image {name} --pull"


def named_image_metric(target: Target, pattern: str, name: str, metric: str) -> Outcome:
    """A metric of an image measured by name (a base image), from the newest evidence that
    measured it; unknown with the command that measures it when none did."""
    found = _newest_file(target, pattern, lambda evidence: name in evidence.images)
    to_measure = Evidence(
        tr("to measure: {command}", "計測するには: {command}", command=image_command(name))
    )
    if found is None:
        return Outcome.unknown(
            tr(
                "not measured: no evidence for the image {name} in {pattern}",
                "未計測: {pattern} にイメージ {name} の証拠がない",
                name=name,
                pattern=pattern,
            ),
            Evidence(to_measure.note, path=pattern),
        )
    path, evidence = found
    image = evidence.images[name]
    about = Evidence(
        tr(
            "measured {at} UTC with {engine} {version} on {host}{id}",
            "{at} UTC にホスト「{host}」の {engine} {version} で計測{id}",
            at=f"{evidence.measured_at:%Y-%m-%d %H:%M}",
            engine=evidence.engine_name,
            version=evidence.engine_version,
            host=evidence.host,
            id=tr(", image {id}", "（イメージ {id}）", id=image.image_id[:19])
            if image.image_id
            else "",
        ),
        path=path,
    )
    reading = image.measurements.get(metric)
    if reading is None:
        return Outcome.unknown(
            tr(
                "the evidence has no {metric} for the image {name}",
                "証拠にイメージ {name} の {metric} がない",
                metric=metric,
                name=name,
            ),
            about,
            to_measure,
        )
    outcome = _outcome(reading, about)
    if outcome.status is Status.UNKNOWN:
        return replace(outcome, evidence=(*outcome.evidence, to_measure))
    return outcome
