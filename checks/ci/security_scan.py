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
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from checklists import Evidence, Outcome, Status, Target, check
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
        return False, f"continue-on-error: true{where} keeps its findings from failing the job"
    if scan.ignored:
        return False, scan.ignored
    if scan.fails is False:
        return False, scan.fails_note
    if scan.fails is None or ignored is None:
        return None, scan.fails_note if scan.fails is None else "continue-on-error is an expression"
    return True, scan.fails_note


def _opaque_can_fail(item: Opaque) -> tuple[bool | None, str]:
    if item.step is not None:
        ignored, _ = continue_on_error(item.step.continue_on_error)
        if ignored:
            return False, f"{item.reason}; continue-on-error: true keeps it from failing the job"
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
        return {}, [scan.place.evidence(f"the Trivy config {path} is not in the target")]
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
    return settings, [Evidence(f"Trivy config {path}: {settings}", path=path, line=document.line)]


def _severities(text: str) -> set[str]:
    return {part.strip().upper() for part in text.split(",") if part.strip()}


def _judge(
    target: Target, scan: ImageScan, build: ImageBuild | None, relation: str, chosen: Selection
) -> tuple[list[str], list[str], list[Evidence]]:
    """(failures, unknowns, evidence) for one Trivy image scan against the guide's claim."""
    failures: list[str] = []
    unknowns: list[str] = []
    what = scan.image or scan.tarball or "no image"
    evidence = [scan.place.evidence(f"{scan.label} scans {what}")]
    if relation == "maybe":
        unknowns.append(
            f"{scan.label} scans {what}, which cannot be tied to a build of {chosen.dockerfile}"
        )
    elif build is not None:
        evidence.append(
            build.at("tags").evidence(f"{build.label} builds it (tags {list(build.tags)})")
        )
        same_job = build.step.before(scan.step)
        if scan.tarball is None and same_job:
            if build.load is None:
                unknowns.append("whether the build loads the image depends on the builder")
            elif not build.load:
                failures.append(
                    f"{build.label} does not load the image (load: true), so Trivy cannot find it"
                )
        elif scan.tarball is None and not same_job:
            if build.push.strip().lower() == "true":
                failures.append(f"the scan runs after {build.label} pushed the image")
            else:
                failures.append(
                    f"{build.label} builds the image in another job, where the scan cannot see it"
                )
    settings, shown = _config_settings(target, scan)
    evidence.extend(shown)
    severity = scan.severity or settings.get("severity")
    source = "" if scan.severity else " (from the Trivy config)"
    if severity is None:
        evidence.append(scan.place.evidence("no severity given: Trivy reports every severity"))
    elif has_expression(severity):
        unknowns.append(f"the severity {severity} cannot be resolved statically")
    else:
        missing = {"HIGH", "CRITICAL"} - _severities(severity)
        evidence.append(scan.severity_place.evidence(f"severity {severity}{source}"))
        if missing:
            failures.append(f"the scan ignores {', '.join(sorted(missing))} (severity {severity})")
    exit_code = scan.exit_code or settings.get("exit-code")
    if exit_code is None:
        failures.append("the scan has no exit-code, and Trivy's default 0 never fails the job")
    elif has_expression(exit_code):
        unknowns.append(f"the exit code {exit_code} cannot be resolved statically")
    elif exit_code.strip() in ("0", ""):
        failures.append(f"exit-code {exit_code.strip()} never fails the job")
    else:
        source = "" if scan.exit_code else " (from the Trivy config)"
        evidence.append(
            scan.exit_code_place.evidence(
                f"exit-code {exit_code.strip()}{source} fails the job on findings"
            )
        )
    ignored, gate = continue_on_error(scan.step.continue_on_error)
    if ignored and gate is not None:
        owner = "the step" if gate.place.line >= scan.step.step.line else "the job"
        failures.append(f"continue-on-error: true on {owner} keeps findings from failing the job")
        evidence.append(gate.place.evidence("continue-on-error: true"))
    elif ignored is None:
        unknowns.append("a continue-on-error on the way is an expression")
    if scan.ignored:
        failures.append("the trivy command's failure is ignored (|| true)")
    for push in [*chosen.builds, *chosen.others]:
        if push.step.before(scan.step) and push.push.strip().lower() == "true":
            failures.append(f"{push.label} pushes before the scan runs")
            evidence.append(push.at("push").evidence("pushes before the scan"))
    return failures, unknowns, evidence


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
        s.place.evidence(f"{s.label}: {s.scanner} {s.kind} scans the sources, not the image")
        for s in all_scans
        if s.kind != "image"
    ]
    skipped += [
        s.place.evidence(f"{s.label} scans {s.image or s.tarball}, another image")
        for s, relation, _ in related
        if relation == "other"
    ]
    unseen = [
        o.place.evidence(f"{o.label}: {o.reason}") for o in [*opaque_scans, *opaque_workflows]
    ]
    trivy = [(s, r, b) for s, r, b in related if s.scanner == "trivy" and r != "other"]
    undecided = [
        o for o in [*opaque_scans, *opaque_workflows] if _opaque_can_fail(o)[0] is not False
    ]
    if not trivy:
        if undecided:
            return Outcome.unknown(
                f"no Trivy scan of {chosen.dockerfile} can be seen; some scans cannot be read",
                *unseen,
                *skipped,
            ).with_parts(can_fail_job=part)
        others = [s for s in all_scans if s.kind == "image" and s.scanner != "trivy"]
        elsewhere = [
            s for s, relation, _ in related if relation == "other" and s.scanner == "trivy"
        ]
        if elsewhere:
            shown = ", ".join(dict.fromkeys(s.image or s.tarball or "?" for s in elsewhere))
            summary = f"Trivy scans {shown}, not the image of {chosen.dockerfile}"
        elif others:
            summary = (
                f"no Trivy scan of the image ({', '.join(sorted({s.scanner for s in others}))} "
                "found)"
            )
        elif all_scans:
            summary = "no Trivy scan of the image: the scans read the sources"
        else:
            summary = "no workflow step runs Trivy on the image"
        evidence = skipped + unseen or [
            Evidence(f"searched {len(chosen.model.workflows)} workflow(s) for image scans")
        ]
        return Outcome.failed(summary, *evidence).with_parts(can_fail_job=part)
    if not chosen.builds and not chosen.candidates and not chosen.opaque:
        return Outcome.failed(
            f"no workflow builds {chosen.dockerfile}, so no scan can scan it", chosen.searched()
        ).with_parts(can_fail_job=part)
    results = [
        (scan, *_judge(target, scan, build, relation, chosen)) for scan, relation, build in trivy
    ]
    for scan, failures, unknowns, evidence in results:
        if not failures and not unknowns:
            return Outcome.passed(
                f"{scan.label} scans the image of {chosen.dockerfile} for HIGH and CRITICAL and "
                "fails the job on findings",
                *evidence,
                *skipped,
            ).with_parts(can_fail_job=part)
    evidence = [e for _, _, _, shown in results for e in shown] + skipped + unseen
    if any(not failures for _, failures, _, _ in results):
        unknowns = [u for _, failures, us, _ in results if not failures for u in us]
        return Outcome.unknown("; ".join(dict.fromkeys(unknowns)), *evidence).with_parts(
            can_fail_job=part
        )
    failures = [f for _, fs, _, _ in results for f in fs]
    return Outcome.failed("; ".join(dict.fromkeys(failures)), *evidence).with_parts(
        can_fail_job=part
    )
