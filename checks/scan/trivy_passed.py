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

日本語: セキュリティスキャン合格: Trivy がイメージに HIGH、CRITICAL の問題を見つけていない

何を確認するか:
    Trivy の JSON レポート（`trivy image --format json --output <ファイル> <イメージ>`。
    パスはパラメータ `trivy_report` でターゲットからの相対パス）に、指定した重大度（既定は
    HIGH と CRITICAL）の脆弱性、不合格の設定ミス、シークレットがないことを確認します。
    レポートがなければ、どちらとも言える根拠がないため unknown（未計測）で、合格には
    しません。根拠には、スキャンした成果物、レポートの作成日時、重大度ごとの件数を示します。

なぜ重要か:
    ベースイメージやインストールしたパッケージの既知の脆弱性は、コンテナへの侵入経路として
    最もよくあるものです。ガイドは、イメージを出荷する前にスキャンが問題なしであることを
    求めています。

修正方法:
    新しいベースイメージで再ビルドし、該当するパッケージを更新して（レポートに修正済みの
    バージョンが載っています）、もう一度スキャンし、サイトが読む場所にレポートを保存します:
    `trivy image --severity HIGH,CRITICAL --format json --output <trivy_report> <image>`。
"""

from __future__ import annotations

from collections.abc import Sequence

from checklists import Evidence, InputError, Outcome, Target, check, tr
from checklists.core.target import MAX_REPORT_BYTES
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
            tr(
                "no Trivy report at {path}; the scan result is not known",
                "{path} に Trivy のレポートがなく、スキャン結果は不明",
                path=trivy_report,
            ),
            Evidence(
                tr(
                    "to produce it: trivy image --format json --output {path} <image>",
                    "作成するには: trivy image --format json --output {path} <image>",
                    path=trivy_report,
                ),
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
        tr(
            "report for {artifact} made {created}: {tally}",
            "{artifact} のレポート（作成 {created}）: {tally}",
            artifact=report.artifact_name or tr("an unnamed artefact", "名前のない成果物"),
            created=report.created_at or tr("at an unknown time", "日時不明"),
            tally=tally or tr("no findings", "検出なし"),
        ),
        path=trivy_report,
    )
    if blocking:
        shown = [
            Evidence(
                tr(
                    "{severity} {kind} {id} in {where}: {title}{fixed}",
                    "{severity} の{kind} {id}（{where}）: 「{title}」{fixed}",
                    severity=f.severity,
                    kind=_KINDS.get(f.kind, f.kind),
                    id=f.id,
                    where=f.package or f.target,
                    title=f.title,
                    fixed=tr(" (fixed in {fixed})", "（{fixed} で修正済み）", fixed=f.fixed)
                    if f.fixed
                    else "",
                ),
                path=trivy_report,
            )
            for f in blocking[:20]
        ]
        return Outcome.failed(
            tr(
                "{count} {severities} finding(s) in the Trivy report",
                "Trivy のレポートに {severities} の検出が {count} 件",
                count=len(blocking),
                severities="/".join(sorted(wanted)),
            ),
            about,
            *shown,
            localized={"ja": f"不合格（{len(blocking)}件）", "en": f"failed ({len(blocking)})"},
        )
    return Outcome.passed(
        tr(
            "no {severities} findings in the Trivy report",
            "Trivy のレポートに {severities} の検出なし",
            severities="/".join(sorted(wanted)),
        ),
        about,
        localized={"ja": "合格", "en": "passed"},
    )


_KINDS = {
    "vulnerability": tr("vulnerability", "脆弱性"),
    "misconfiguration": tr("misconfiguration", "設定ミス"),
    "secret": tr("secret", "シークレット"),
}


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
        tr(
            "the report's CreatedAt {created} lies in the future (now {now} UTC): it cannot be "
            "the result of a scan",
            "レポートの CreatedAt {created} は未来の日時（現在 {now} UTC）で、スキャンの結果では"
            "ありえない",
            created=created_at,
            now=f"{now:%Y-%m-%d %H:%M}",
        ),
        path=path,
        line=text.count("\n", 0, at) + 1 if at >= 0 else None,
        kind="implausible",
    )
