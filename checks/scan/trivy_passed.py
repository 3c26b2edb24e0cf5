"""Security scan passed: Trivy found no HIGH or CRITICAL problem in the image.

What it checks:
    A Trivy JSON report (`trivy image --format json --output <file> <image>`, path set by
    the `trivy_report` parameter, relative to the target) lists no vulnerability, failed
    misconfiguration or secret of the given severities (HIGH and CRITICAL by default).
    Without a report there is no evidence either way: the result is unknown, never a pass.
    The evidence names the scanned artefact, when the report was made and the count per
    severity.

Why it matters:
    Known vulnerabilities in the base image or the installed packages are the most common
    way into a container; the guide requires a clean scan before the image ships.

How to fix:
    Rebuild on a current base image, upgrade the affected packages (the report names the
    fixed versions), then scan again and store the report where the site reads it:
    `trivy image --severity HIGH,CRITICAL --format json --output <trivy_report> <image>`.
"""

from __future__ import annotations

from collections.abc import Sequence

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checklists.target import MAX_REPORT_BYTES
from checks.readers.bounds import in_the_future, rfc3339
from checks.readers.trivy import read_trivy_report


@check("scan.trivy_passed", severity="high", related=("trivy:image",))
def trivy_passed(
    target: Target,
    *,
    trivy_report: str = "trivy-report.json",
    severities: Sequence[str] = ("HIGH", "CRITICAL"),
) -> Outcome:
    if not target.is_file(trivy_report):
        return Outcome.unknown(
            f"no Trivy report at {trivy_report}; the scan result is not known",
            Evidence(
                f"to produce it: trivy image --format json --output {trivy_report} <image>",
                path=trivy_report,
            ),
        )
    report = target.parse(trivy_report, read_trivy_report, limit=MAX_REPORT_BYTES)
    _refuse_future(target, trivy_report, report.created_at)
    wanted = {severity.upper() for severity in severities}
    blocking = [
        f
        for f in report.findings
        if f.severity in wanted and (f.kind != "misconfiguration" or f.status == "FAIL")
    ]
    counts = report.count_by_severity()
    tally = ", ".join(f"{severity} {count}" for severity, count in counts.items() if count)
    about = Evidence(
        f"report for {report.artifact_name or 'an unnamed artefact'}"
        f" made {report.created_at or 'at an unknown time'}: {tally or 'no findings'}",
        path=trivy_report,
    )
    if blocking:
        shown = [
            Evidence(
                f"{f.severity} {f.kind} {f.id} in {f.package or f.target}: {f.title}"
                + (f" (fixed in {f.fixed})" if f.fixed else ""),
                path=trivy_report,
            )
            for f in blocking[:20]
        ]
        return Outcome.failed(
            f"{len(blocking)} {'/'.join(sorted(wanted))} finding(s) in the Trivy report",
            about,
            *shown,
            localized={"ja": f"不合格（{len(blocking)}件）", "en": f"failed ({len(blocking)})"},
        )
    return Outcome.passed(
        f"no {'/'.join(sorted(wanted))} findings in the Trivy report",
        about,
        localized={"ja": "合格", "en": "passed"},
    )


def _refuse_future(target: Target, path: str, created_at: str | None) -> None:
    """A report dated in the future (past the allowed clock skew) was not made by a scan
    that has happened: its verdict cannot be trusted either way."""
    when = rfc3339(created_at) if created_at else None
    now = target.now()
    if when is None or not in_the_future(when, now):
        return
    text = target.read_text(path, limit=MAX_REPORT_BYTES)
    at = text.find('"CreatedAt"')
    raise InputError(
        f"the report's CreatedAt {created_at} lies in the future "
        f"(now {now:%Y-%m-%d %H:%M} UTC): it cannot be the result of a scan",
        path=path,
        line=text.count("\n", 0, at) + 1 if at >= 0 else None,
        kind="implausible",
    )
