"""Security scan integrated: CI scans the built backend image with Trivy and fails on HIGH/CRITICAL.

What it checks:
    A workflow step runs Trivy — `aquasecurity/trivy-action`, or a `trivy image` command
    (also through `docker run aquasec/trivy image ...`, the guide's own form) in a `run:`
    step or in a script, Makefile target or package.json script it calls, or inside a local
    composite action — on the image a build of the Dockerfile (param `dockerfile`, default
    `./backend/Dockerfile`; builds found by the CI build model, see `ci.gha_cache`) built
    earlier in the same job: the scanned reference equals one of the build's tags, or the
    scanned tarball is the build's `type=docker,dest=...` output. The build must load the
    image into the runner (`load: true`, a `type=docker` output, or a plain `docker build`
    on the default builder), or Trivy cannot find it.

    Settings resolve the way trivy-action and Trivy resolve them: an input, else
    `TRIVY_SEVERITY` / `TRIVY_EXIT_CODE` from the `env:` on the way, else the Trivy config
    file (`trivy-config`, `--config`, or `trivy.yaml`), else Trivy's defaults. The scan
    passes when its severities include HIGH and CRITICAL (no severity means every one), its
    exit code on findings is non-zero (Trivy's default 0 never fails the job), no
    `continue-on-error: true` sits on the step, on a composite action's calling step or on
    the job, the command's failure is not ignored (`|| true`), and no build of the same job
    pushes the image before the scan.

    The answer's part `can_fail_job` asks less: whether a scan of the image (by any scanner
    the model knows: Trivy, Grype as `anchore/scan-action` or CLI, Snyk, Docker Scout) exists
    whose findings fail the job. A scan in the same job after a build the model cannot see
    into, of an image no visible build produces, counts as possibly this image's. A scan
    the model cannot read (a remote action, a Justfile recipe not in the target) is unknown
    unless `continue-on-error: true` already keeps it from failing the job. `trivy fs`,
    `trivy config` and `scan-type: fs|config|repo` scan sources, not the image, and do not
    count. A value given by an expression is unknown.

Why it matters:
    A scan that cannot fail the job, that scans another image, or that runs after the
    image was pushed is a report nobody has to read: a vulnerable image still ships.

How to fix:
    After a build step with `load: true` and a tag, add
    `uses: aquasecurity/trivy-action@<version>` with `image-ref: <that tag>`,
    `severity: HIGH,CRITICAL` and `exit-code: "1"`, before any push.

日本語: セキュリティスキャン統合: ビルドしたイメージを Trivy でスキャンし HIGH/CRITICAL で失敗する

何を確認するか:
    ワークフローのステップが Trivy を実行していることを確認します。`aquasecurity/trivy-action`、
    または `trivy image` コマンド（ガイド自身の形である `docker run aquasec/trivy image ...` も
    含む）で、`run:` ステップ、そこから呼ぶスクリプト、Makefile のターゲット、package.json の
    スクリプト、ローカルのコンポジットアクションの中のものも数えます。スキャン対象は、同じ
    ジョブで先に Dockerfile（パラメータ `dockerfile`、既定は `./backend/Dockerfile`。ビルドは
    CI のビルドモデルで見つけます。`ci.gha_cache` を参照）のビルドが作ったイメージである
    必要があります。スキャンする参照がビルドのタグのどれかと一致するか、スキャンする tarball が
    ビルドの `type=docker,dest=...` の出力であることです。ビルドはイメージをランナーに
    読み込む（`load: true`、`type=docker` の出力、または既定のビルダーでの素の
    `docker build`）必要があり、そうでなければ Trivy はイメージを見つけられません。

    設定は trivy-action と Trivy と同じ順で決まります: 入力、なければ途中の `env:` の
    `TRIVY_SEVERITY` / `TRIVY_EXIT_CODE`、なければ Trivy の設定ファイル（`trivy-config`、
    `--config`、または `trivy.yaml`）、なければ Trivy の既定値です。重大度に HIGH と CRITICAL
    が含まれ（指定がなければすべての重大度）、検出時の終了コードが 0 以外で（Trivy の既定の 0
    ではジョブは失敗しません）、ステップ、コンポジットアクションを呼ぶステップ、ジョブのいずれ
    にも `continue-on-error: true` がなく、コマンドの失敗が無視されておらず（`|| true`）、
    同じジョブのビルドがスキャンより前にイメージを push していなければ合格です。

    部分 `can_fail_job` はもっと少なく、検出があるとジョブを失敗させるイメージのスキャン
    （モデルが知るどのスキャナーでもよい: Trivy、`anchore/scan-action` か CLI の Grype、Snyk、
    Docker Scout）があるかだけを問います。モデルが中を見られないビルドの後の、同じジョブでの、
    見えるビルドが作らないイメージのスキャンは、このイメージのものかもしれないとして数えます。
    モデルが読めないスキャン（リモートのアクション、ターゲットにない Justfile のレシピ）は、
    `continue-on-error: true` がすでにジョブの失敗を止めている場合を除き unknown（未計測）
    です。`trivy fs`、`trivy config`、`scan-type: fs|config|repo` はイメージではなくソースを
    スキャンするため数えません。式で与えられた値は unknown（未計測）です。

なぜ重要か:
    ジョブを失敗させられないスキャン、別のイメージをスキャンするもの、イメージを push した
    後で実行されるものは、誰も読まなくてよいレポートにすぎず、脆弱なイメージがそのまま
    出荷されます。

修正方法:
    `load: true` とタグを付けたビルドのステップの後、push より前に、
    `uses: aquasecurity/trivy-action@<version>` を `image-ref: <そのタグ>`、
    `severity: HIGH,CRITICAL`、`exit-code: "1"` で追加します。
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from checklists import Evidence, Outcome, Status, Target, check, join, tr
from checks.ci._model import Selection, continue_on_error, relevant_opaque_workflows, select
from checks.readers import located_yaml
from checks.readers.ci_builds import ImageBuild, ImageScan, Opaque
from checks.readers.expressions import has_expression
from checks.readers.located_yaml import YMap, scalar_text


def _canonical(name: str) -> str:
    name = name.strip().removeprefix("docker.io/").removeprefix("registry://")
    last = name.rsplit("/", 1)[-1]
    return name if (":" in last or "@" in name) else f"{name}:latest"


def _same_image(reference: str, tags: tuple[str, ...]) -> bool:
    return _canonical(reference) in {_canonical(tag) for tag in tags}


def _tarball_of(scan: ImageScan, build: ImageBuild) -> bool:
    if scan.tarball is None:
        return False
    dests = {
        part.partition("=")[2]
        for output in build.outputs
        for part in output.split(",")
        if part.startswith("dest=")
    }
    return scan.tarball in dests or posixpath.basename(scan.tarball) in {
        posixpath.basename(d) for d in dests
    }


def _target_of(scan: ImageScan, chosen: Selection) -> tuple[str, ImageBuild | None]:
    """("this" | "maybe" | "other", the build it scans) for one image scan."""
    for build in chosen.builds:
        if (scan.image is not None and _same_image(scan.image, build.tags)) or _tarball_of(
            scan, build
        ):
            return "this", build
    for build in chosen.others:
        if (scan.image is not None and _same_image(scan.image, build.tags)) or _tarball_of(
            scan, build
        ):
            return "other", build
    for build in chosen.candidates:
        if (scan.image is not None and _same_image(scan.image, build.tags)) or _tarball_of(
            scan, build
        ):
            return "maybe", build
    reference = scan.image or scan.tarball or ""
    if has_expression(reference) or "$" in reference:
        return "maybe", None
    # An image no visible build produces may be the one a build the model cannot read
    # made, earlier in the job or in a job of the same workflow run (which it may pull).
    root = scan.step.run.root
    unseen = [o for o in chosen.opaque if o.run is not None and o.run.root == root]
    unseen_candidates = [b for b in chosen.candidates if b.step.run.root == root]
    if unseen or unseen_candidates:
        return "maybe", None
    return "other", None


def _can_fail(scan: ImageScan) -> tuple[bool | None, str]:
    ignored, gate = continue_on_error(scan.step.continue_on_error)
    if ignored:
        where = f" ({gate.place.path}:{gate.place.line})" if gate else ""
        return False, tr(
            "continue-on-error: true{where} keeps its findings from failing the job",
            "continue-on-error: true{where} により検出があってもジョブは失敗しない",
            where=where,
        )
    if scan.ignored:
        return False, scan.ignored
    if scan.fails is False:
        return False, scan.fails_note
    if scan.fails is None or ignored is None:
        return None, scan.fails_note if scan.fails is None else _COE_EXPRESSION
    return True, scan.fails_note


_COE_EXPRESSION = tr("continue-on-error is an expression", "continue-on-error が式")


def _opaque_can_fail(item: Opaque) -> tuple[bool | None, str]:
    if item.step is not None:
        ignored, _ = continue_on_error(item.step.continue_on_error)
        if ignored:
            return False, tr(
                "{reason}; continue-on-error: true keeps it from failing the job",
                "{reason}。continue-on-error: true によりジョブは失敗しない",
                reason=item.reason,
            )
    return None, item.reason


def _can_fail_part(scans: list[tuple[ImageScan, str]], opaque: list[Opaque]) -> Status:
    verdicts = [_can_fail(scan)[0] for scan, _ in scans]
    verdicts += [_opaque_can_fail(item)[0] for item in opaque]
    if True in verdicts:
        return Status.PASS
    if None in verdicts:
        return Status.UNKNOWN
    return Status.FAIL


def _config_settings(target: Target, scan: ImageScan) -> tuple[Mapping[str, str], list[Evidence]]:
    """severity / exit-code from a Trivy config file, when the scan names one."""
    name = scan.config_file
    if name is None and target.is_file("trivy.yaml"):
        name = "trivy.yaml"  # Trivy reads ./trivy.yaml by default
    if name is None or has_expression(name):
        return {}, []
    path = posixpath.normpath(name)
    if not target.is_file(path):
        return {}, [
            scan.place.evidence(
                tr(
                    "the Trivy config {path} is not in the target",
                    "Trivy の設定 {path} がターゲットにない",
                    path=path,
                )
            )
        ]
    document = target.parse(path, located_yaml.load)
    if not isinstance(document, YMap):
        return {}, []
    settings: dict[str, str] = {}
    for key in ("severity", "exit-code"):
        if key in document:
            raw = document[key]
            settings[key] = (
                ",".join(map(scalar_text, raw)) if isinstance(raw, list) else scalar_text(raw)
            )
    note = tr(
        "Trivy config {path}: {settings}",
        "Trivy の設定 {path}: {settings}",
        path=path,
        settings=repr(settings),
    )
    return settings, [Evidence(note, path=path, line=document.line)]


def _severities(text: str) -> set[str]:
    return {part.strip().upper() for part in text.split(",") if part.strip()}


def _judge(
    target: Target, scan: ImageScan, build: ImageBuild | None, relation: str, chosen: Selection
) -> tuple[list[str], list[str], list[Evidence]]:
    """(failures, unknowns, evidence) for one Trivy image scan against the guide's claim."""
    failures: list[str] = []
    unknowns: list[str] = []
    what = scan.image or scan.tarball or tr("no image", "イメージなし")
    evidence = [
        scan.place.evidence(
            tr("{label} scans {what}", "{label} が {what} をスキャン", label=scan.label, what=what)
        )
    ]
    if relation == "maybe":
        unknowns.append(
            tr(
                "{label} scans {what}, which cannot be tied to a build of {dockerfile}",
                "{label} がスキャンする {what} は {dockerfile} のビルドと結び付けられない",
                label=scan.label,
                what=what,
                dockerfile=chosen.dockerfile,
            )
        )
    elif build is not None:
        evidence.append(
            build.at("tags").evidence(
                tr(
                    "{label} builds it (tags {tags})",
                    "{label} がビルド（タグ {tags}）",
                    label=build.label,
                    tags=repr(list(build.tags)),
                )
            )
        )
        same_job = build.step.before(scan.step)
        if scan.tarball is None and same_job:
            if build.load is None:
                unknowns.append(
                    tr(
                        "whether the build loads the image depends on the builder",
                        "ビルドがイメージを読み込むかはビルダー次第",
                    )
                )
            elif not build.load:
                failures.append(
                    tr(
                        "{label} does not load the image (load: true), so Trivy cannot find it",
                        "{label} がイメージを読み込まない（load: true がない）ため、Trivy はそれを"
                        "見つけられない",
                        label=build.label,
                    )
                )
        elif scan.tarball is None and not same_job:
            if build.push.strip().lower() == "true":
                failures.append(
                    tr(
                        "the scan runs after {label} pushed the image",
                        "スキャンは {label} がイメージを push した後に実行される",
                        label=build.label,
                    )
                )
            else:
                failures.append(
                    tr(
                        "{label} builds the image in another job, where the scan cannot see it",
                        "{label} は別のジョブでイメージをビルドしており、スキャンからは見えない",
                        label=build.label,
                    )
                )
    settings, shown = _config_settings(target, scan)
    evidence.extend(shown)
    severity = scan.severity or settings.get("severity")
    source = "" if scan.severity else _FROM_CONFIG
    if severity is None:
        evidence.append(
            scan.place.evidence(
                tr(
                    "no severity given: Trivy reports every severity",
                    "重大度の指定なし: Trivy はすべての重大度を報告する",
                )
            )
        )
    elif has_expression(severity):
        unknowns.append(
            tr(
                "the severity {severity} cannot be resolved statically",
                "重大度 {severity} は静的に解決できない",
                severity=severity,
            )
        )
    else:
        missing = {"HIGH", "CRITICAL"} - _severities(severity)
        setting = f"severity {severity}"  # as written: the same in every language
        evidence.append(
            scan.severity_place.evidence(
                tr("{setting}{source}", "{setting}{source}", setting=setting, source=source)
                if source
                else setting
            )
        )
        if missing:
            failures.append(
                tr(
                    "the scan ignores {missing} (severity {severity})",
                    "スキャンが {missing} を無視している（severity {severity}）",
                    missing=", ".join(sorted(missing)),
                    severity=severity,
                )
            )
    exit_code = scan.exit_code or settings.get("exit-code")
    if exit_code is None:
        failures.append(
            tr(
                "the scan has no exit-code, and Trivy's default 0 never fails the job",
                "スキャンに exit-code がなく、Trivy の既定の 0 ではジョブは失敗しない",
            )
        )
    elif has_expression(exit_code):
        unknowns.append(
            tr(
                "the exit code {code} cannot be resolved statically",
                "終了コード {code} は静的に解決できない",
                code=exit_code,
            )
        )
    elif exit_code.strip() in ("0", ""):
        failures.append(
            tr(
                "exit-code {code} never fails the job",
                "exit-code {code} ではジョブは失敗しない",
                code=exit_code.strip(),
            )
        )
    else:
        source = "" if scan.exit_code else _FROM_CONFIG
        evidence.append(
            scan.exit_code_place.evidence(
                tr(
                    "exit-code {code}{source} fails the job on findings",
                    "exit-code {code}{source} は検出があるとジョブを失敗させる",
                    code=exit_code.strip(),
                    source=source,
                )
            )
        )
    ignored, gate = continue_on_error(scan.step.continue_on_error)
    if ignored and gate is not None:
        if gate.place.line >= scan.step.step.line:
            failures.append(
                tr(
                    "continue-on-error: true on the step keeps findings from failing the job",
                    "ステップの continue-on-error: true により検出があってもジョブは失敗しない",
                )
            )
        else:
            failures.append(
                tr(
                    "continue-on-error: true on the job keeps findings from failing the job",
                    "ジョブの continue-on-error: true により検出があってもジョブは失敗しない",
                )
            )
        evidence.append(gate.place.evidence("continue-on-error: true"))
    elif ignored is None:
        unknowns.append(
            tr(
                "a continue-on-error on the way is an expression",
                "途中の continue-on-error が式になっている",
            )
        )
    if scan.ignored:
        failures.append(
            tr(
                "the trivy command's failure is ignored (|| true)",
                "trivy コマンドの失敗が無視されている（|| true）",
            )
        )
    for push in [*chosen.builds, *chosen.others]:
        if push.step.before(scan.step) and push.push.strip().lower() == "true":
            failures.append(
                tr(
                    "{label} pushes before the scan runs",
                    "{label} がスキャンの実行前に push する",
                    label=push.label,
                )
            )
            evidence.append(
                push.at("push").evidence(tr("pushes before the scan", "スキャンの前に push"))
            )
    return failures, unknowns, evidence


_FROM_CONFIG = tr(" (from the Trivy config)", "（Trivy の設定から）")


@check("ci.security_scan", severity="high", related=())
def security_scan(
    target: Target, *, context: str = "./backend", dockerfile: str = "./backend/Dockerfile"
) -> Outcome:
    del context  # builds are matched by the Dockerfile they build
    chosen = select(target, dockerfile)
    all_scans = chosen.model.scans
    image_scans = [s for s in all_scans if s.kind == "image"]
    related = [(scan, *_target_of(scan, chosen)) for scan in image_scans]
    ours = [(scan, relation) for scan, relation, _ in related if relation != "other"]
    opaque_scans = [o for o in chosen.model.opaque if o.kind == "scan"]
    opaque_workflows = relevant_opaque_workflows(chosen.model)
    part = _can_fail_part(ours, [*opaque_scans, *opaque_workflows])
    skipped = [
        s.place.evidence(
            tr(
                "{label}: {scanner} {kind} scans the sources, not the image",
                "{label}: {scanner} {kind} がスキャンするのはイメージではなくソース",
                label=s.label,
                scanner=s.scanner,
                kind=s.kind,
            )
        )
        for s in all_scans
        if s.kind != "image"
    ]
    skipped += [
        s.place.evidence(
            tr(
                "{label} scans {what}, another image",
                "{label} がスキャンするのは別のイメージ {what}",
                label=s.label,
                what=s.image or s.tarball or "",
            )
        )
        for s, relation, _ in related
        if relation == "other"
    ]
    unseen = [
        o.place.evidence(
            tr("{label}: {reason}", "{label}: {reason}", label=o.label, reason=o.reason)
        )
        for o in [*opaque_scans, *opaque_workflows]
    ]
    trivy = [(s, r, b) for s, r, b in related if s.scanner == "trivy" and r != "other"]
    undecided = [
        o for o in [*opaque_scans, *opaque_workflows] if _opaque_can_fail(o)[0] is not False
    ]
    if not trivy:
        if undecided:
            return Outcome.unknown(
                tr(
                    "no Trivy scan of {dockerfile} can be seen; some scans cannot be read",
                    "{dockerfile} の Trivy スキャンが見えず、読み取れないスキャンがある",
                    dockerfile=chosen.dockerfile,
                ),
                *unseen,
                *skipped,
            ).with_parts(can_fail_job=part)
        others = [s for s in all_scans if s.kind == "image" and s.scanner != "trivy"]
        elsewhere = [
            s for s, relation, _ in related if relation == "other" and s.scanner == "trivy"
        ]
        if elsewhere:
            summary = tr(
                "Trivy scans {shown}, not the image of {dockerfile}",
                "Trivy がスキャンするのは {shown} で、{dockerfile} のイメージではない",
                shown=", ".join(dict.fromkeys(s.image or s.tarball or "?" for s in elsewhere)),
                dockerfile=chosen.dockerfile,
            )
        elif others:
            summary = tr(
                "no Trivy scan of the image ({scanners} found)",
                "イメージの Trivy スキャンがない（見つかったのは {scanners}）",
                scanners=", ".join(sorted({s.scanner for s in others})),
            )
        elif all_scans:
            summary = tr(
                "no Trivy scan of the image: the scans read the sources",
                "イメージの Trivy スキャンがない: スキャンはソースを読んでいる",
            )
        else:
            summary = tr(
                "no workflow step runs Trivy on the image",
                "イメージに Trivy を実行するワークフローのステップがない",
            )
        evidence = skipped + unseen or [
            Evidence(
                tr(
                    "searched {count} workflow(s) for image scans",
                    "{count} 個のワークフローからイメージのスキャンを探した",
                    count=len(chosen.model.workflows),
                )
            )
        ]
        return Outcome.failed(summary, *evidence).with_parts(can_fail_job=part)
    if not chosen.builds and not chosen.candidates and not chosen.opaque:
        return Outcome.failed(
            tr(
                "no workflow builds {dockerfile}, so no scan can scan it",
                "{dockerfile} をビルドするワークフローがなく、それをスキャンできるスキャンもない",
                dockerfile=chosen.dockerfile,
            ),
            chosen.searched(),
        ).with_parts(can_fail_job=part)
    results = [
        (scan, *_judge(target, scan, build, relation, chosen)) for scan, relation, build in trivy
    ]
    for scan, failures, unknowns, evidence in results:
        if not failures and not unknowns:
            return Outcome.passed(
                tr(
                    "{label} scans the image of {dockerfile} for HIGH and CRITICAL and fails "
                    "the job on findings",
                    "{label} が {dockerfile} のイメージを HIGH と CRITICAL についてスキャンし、"
                    "検出があるとジョブを失敗させる",
                    label=scan.label,
                    dockerfile=chosen.dockerfile,
                ),
                *evidence,
                *skipped,
            ).with_parts(can_fail_job=part)
    evidence = [e for _, _, _, shown in results for e in shown] + skipped + unseen
    if any(not failures for _, failures, _, _ in results):
        unknowns = [u for _, failures, us, _ in results if not failures for u in us]
        return Outcome.unknown(join(dict.fromkeys(unknowns), "; ", "。"), *evidence).with_parts(
            can_fail_job=part
        )
    failures = [f for _, fs, _, _ in results for f in fs]
    return Outcome.failed(join(dict.fromkeys(failures), "; ", "。"), *evidence).with_parts(
        can_fail_job=part
    )
