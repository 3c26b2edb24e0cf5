"""Security scan integrated: CI scans the built backend image with Trivy and fails on HIGH/CRITICAL.

What it checks:
    A workflow step runs Trivy — `aquasecurity/trivy-action`, or a `run:` that calls
    `trivy image` (also through `docker run aquasec/trivy image ...`, the guide's own
    form) — on the image that a backend build step of the same job built earlier (see
    `ci.gha_cache` for how build steps are found): the action's `image-ref` or the
    command's image equals one of the build's `tags`, or its `input` / `--input` tarball is
    the build's `outputs: type=docker,dest=...`. The build must load the image into the
    runner (`load: true`, `type=docker` output, or a plain `docker build` on the default
    builder), or Trivy cannot find it.

    The settings are resolved the way trivy-action and Trivy resolve them: an input
    (trivy-action exports it as `TRIVY_*` only when it differs from the input's default),
    else `TRIVY_SEVERITY` / `TRIVY_EXIT_CODE` in the step's, job's or workflow's `env:`,
    else the `trivy-config` / `--config` file of the target (`severity`, `exit-code`),
    else Trivy's defaults. The scan passes when:

    * its severities include HIGH and CRITICAL (Trivy's default is every severity, so no
      severity at all counts);
    * its exit code on findings is non-zero (Trivy's default is 0, which can never fail
      the job);
    * neither the step nor its job has `continue-on-error: true`, and the command is not
      followed by `|| true`;
    * no build step of the same job pushes the image before the scan.

    `trivy fs`, `trivy config` and `scan-type: fs|config|repo` are listed but do not count:
    they scan the sources, not the image. A value given by an expression is unknown. No
    peer linter checks that a scan gates the build it follows; this check does, because a
    scanner step elsewhere in the workflow proves nothing about the image that ships.

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
import re
from collections.abc import Mapping
from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check
from checks.ci._shared import Builds, BuildStep, at, builds, shell_words, without_backend
from checks.common import split_options
from checks.readers import located_yaml
from checks.readers.expressions import has_expression
from checks.readers.located_yaml import YMap, scalar_text
from checks.readers.workflow import Job, Step, Value, Workflow

TRIVY_ACTION = "aquasecurity/trivy-action"
ACTION_DEFAULT_SEVERITY = "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"
_IMAGE_SUBCOMMANDS = frozenset({"image", "i"})
_SOURCE_SUBCOMMANDS = frozenset(
    {"fs", "filesystem", "config", "conf", "repo", "repository", "rootfs", "sbom", "vm", "k8s"}
)
_TRIVY_IMAGE = re.compile(
    r"^(?:docker\.io/|ghcr\.io/|public\.ecr\.aws/)?aqua(?:sec|security)/trivy(?::.*)?$"
)
_IGNORED_FAILURE = re.compile(r"trivy\b[^\n]*\|\|\s*(?:true|:|exit\s+0)\b")
_VALUE_FLAGS = frozenset(
    {
        *("-s", "--severity", "--exit-code", "--input", "-c", "--config", "-f", "--format"),
        *("-o", "--output", "--cache-dir", "--timeout", "--scanners", "--pkg-types"),
        *("--vuln-type", "--ignorefile", "--template", "-t", "--skip-dirs", "--skip-files"),
        *("--platform", "--image-src", "--docker-host", "--db-repository", "--username"),
        *("--password", "--ignore-policy", "--cache-backend", "--severity-src"),
    }
)


@dataclass(frozen=True, slots=True)
class Scan:
    """One Trivy invocation and its settings (None = not set at this level)."""

    path: str
    workflow: Workflow
    job: Job
    step: Step
    kind: str  # "image" or the source scan type
    image: str | None
    tarball: str | None
    severity: str | None
    severity_line: int
    exit_code: str | None
    exit_code_line: int
    config_file: str | None
    ignores_failure: bool

    def at(self, note: str, line: int | None = None) -> Evidence:
        return at(self.path, self.workflow, line or self.step.line, note)


def _env(step: Step, job: Job, workflow: Workflow, name: str) -> Value | None:
    for scope in (step.env, job.env, workflow.env):
        if name in scope:
            return scope[name]
    return None


def _action_scan(path: str, workflow: Workflow, job: Job, step: Step) -> Scan:
    def given(name: str, default: str = "") -> Value | None:
        value = step.input(name)
        return value if value is not None and value.text.strip() not in ("", default) else None

    scan_type = step.input("scan-type")
    severity = given("severity", ACTION_DEFAULT_SEVERITY) or _env(
        step, job, workflow, "TRIVY_SEVERITY"
    )
    exit_code = given("exit-code") or _env(step, job, workflow, "TRIVY_EXIT_CODE")
    image = step.input("image-ref")
    tarball = step.input("input")
    config = given("trivy-config")
    return Scan(
        path=path,
        workflow=workflow,
        job=job,
        step=step,
        kind=(scan_type.text.strip().lower() if scan_type else "image") or "image",
        image=image.text.strip() if image and image.text.strip() else None,
        tarball=tarball.text.strip() if tarball and tarball.text.strip() else None,
        severity=severity.text if severity else None,
        severity_line=severity.line if severity else step.line,
        exit_code=exit_code.text if exit_code else None,
        exit_code_line=exit_code.line if exit_code else step.line,
        config_file=config.text.strip() if config else None,
        ignores_failure=False,
    )


def _trivy_arguments(words: list[str]) -> list[str] | None:
    """The arguments after `trivy` (or after the aquasec/trivy image of `docker run`)."""
    program = words[0].rsplit("/", 1)[-1]
    if program == "trivy":
        return words[1:]
    if program == "docker" and len(words) > 2 and words[1] == "run":
        for index, word in enumerate(words[2:], start=2):
            if _TRIVY_IMAGE.match(word):
                return words[index + 1 :]
    return None


def _run_scans(path: str, workflow: Workflow, job: Job, step: Step) -> list[Scan]:
    if step.run is None or "trivy" not in step.run.text:
        return []
    found: list[Scan] = []
    line = step.run.line
    for words in shell_words(step.run.text):
        arguments = _trivy_arguments(words)
        if arguments is None:
            continue
        flags, positional = split_options(arguments, _VALUE_FLAGS, flag="true")
        if not positional:
            continue
        subcommand = positional[0]
        if subcommand not in _IMAGE_SUBCOMMANDS | _SOURCE_SUBCOMMANDS:
            continue
        env_severity = _env(step, job, workflow, "TRIVY_SEVERITY")
        env_exit = _env(step, job, workflow, "TRIVY_EXIT_CODE")
        severity = flags.get("--severity") or flags.get("-s")
        exit_code = flags.get("--exit-code")
        found.append(
            Scan(
                path=path,
                workflow=workflow,
                job=job,
                step=step,
                kind="image" if subcommand in _IMAGE_SUBCOMMANDS else subcommand,
                image=positional[1] if len(positional) > 1 else None,
                tarball=flags.get("--input"),
                severity=severity or (env_severity.text if env_severity else None),
                severity_line=line if severity or not env_severity else env_severity.line,
                exit_code=exit_code or (env_exit.text if env_exit else None),
                exit_code_line=line if exit_code or not env_exit else env_exit.line,
                config_file=flags.get("--config") or flags.get("-c"),
                ignores_failure=bool(_IGNORED_FAILURE.search(step.run.text)),
            )
        )
    return found


def _scans(workflows: tuple[tuple[str, Workflow], ...]) -> list[Scan]:
    found: list[Scan] = []
    for path, workflow in workflows:
        for job, step in workflow.steps():
            if step.uses is not None and step.uses.is_action(TRIVY_ACTION):
                found.append(_action_scan(path, workflow, job, step))
            found.extend(_run_scans(path, workflow, job, step))
    return found


def _config_settings(target: Target, scan: Scan) -> tuple[Mapping[str, str], list[Evidence]]:
    """severity / exit-code from a Trivy config file, when the scan names one."""
    name = scan.config_file
    if name is None and target.is_file("trivy.yaml"):
        name = "trivy.yaml"  # Trivy reads ./trivy.yaml by default
    if name is None or has_expression(name):
        return {}, []
    path = posixpath.normpath(name)
    if not target.is_file(path):
        return {}, [scan.at(f"the Trivy config {path} is not in the target")]
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
    line = document.line
    return settings, [Evidence(f"Trivy config {path}: {settings}", path=path, line=line)]


def _same_image(reference: str, tags: tuple[str, ...]) -> bool:
    def canonical(name: str) -> str:
        name = name.strip()
        last = name.rsplit("/", 1)[-1]
        return name if (":" in last or "@" in name) else f"{name}:latest"

    return canonical(reference) in {canonical(tag) for tag in tags}


def _built_by(scan: Scan, found: Builds) -> tuple[BuildStep | None, str | None]:
    """The backend build the scan scans, and a problem with how it gets the image."""
    candidates: list[BuildStep] = []
    for build in found.backend:
        same_image = scan.image is not None and _same_image(scan.image, build.tags)
        dests = {
            part.partition("=")[2]
            for output in build.outputs
            for part in output.split(",")
            if part.startswith("dest=")
        }
        same_tar = scan.tarball is not None and (
            scan.tarball in dests
            or posixpath.basename(scan.tarball) in {posixpath.basename(d) for d in dests}
        )
        if same_image or same_tar:
            candidates.append(build)
    if not candidates:
        return None, None
    same_job = [
        b
        for b in candidates
        if b.path == scan.path and b.job.id == scan.job.id and b.step.index < scan.step.index
    ]
    if same_job:
        build = same_job[-1]
        if scan.tarball is not None:
            return build, None
        if build.load is None:
            return build, "unknown: whether the build loads the image depends on the builder"
        if not build.load:
            return (
                build,
                f"{build.label} does not load the image (load: true), so Trivy cannot find it",
            )
        return build, None
    build = candidates[0]
    if scan.tarball is not None:
        return build, None  # an image tarball passed on as an artifact
    if build.push.lower() == "true":
        return build, f"the scan runs after {build.label} pushed the image"
    return build, f"{build.label} builds the image in another job, where the scan cannot see it"


def _severities(text: str) -> set[str]:
    return {part.strip().upper() for part in text.split(",") if part.strip()}


def _judge(
    target: Target, scan: Scan, found: Builds
) -> tuple[list[str], list[str], list[Evidence]]:
    """(failures, unknowns, evidence) for one image scan."""
    failures: list[str] = []
    unknowns: list[str] = []
    what = scan.image or scan.tarball or "no image"
    evidence = [scan.at(f"{scan.step.label} scans {what}")]
    build, problem = _built_by(scan, found)
    if build is None:
        if scan.image is not None and has_expression(scan.image):
            unknowns.append(f"the scanned image {scan.image} cannot be resolved statically")
        else:
            tags = sorted({t for b in found.backend for t in b.tags}) or ["none"]
            failures.append(
                f"{scan.step.label} scans {what}, not the backend image ({', '.join(tags)})"
            )
        return failures, unknowns, evidence
    evidence.append(build.at(f"{build.label} builds it (tags {list(build.tags)})", "tags"))
    if problem and problem.startswith("unknown: "):
        unknowns.append(problem.removeprefix("unknown: "))
    elif problem:
        failures.append(problem)
    settings, shown = _config_settings(target, scan)
    evidence.extend(shown)
    severity = scan.severity or settings.get("severity")
    source = "" if scan.severity else " (from the Trivy config)"
    if severity is None:
        evidence.append(scan.at("no severity given: Trivy reports every severity"))
    elif has_expression(severity):
        unknowns.append(f"the severity {severity} cannot be resolved statically")
    else:
        missing = {"HIGH", "CRITICAL"} - _severities(severity)
        evidence.append(scan.at(f"severity {severity}{source}", scan.severity_line))
        if missing:
            failures.append(f"the scan ignores {', '.join(sorted(missing))} (severity {severity})")
    exit_code = scan.exit_code or settings.get("exit-code")
    source = "" if scan.exit_code else " (from the Trivy config)"
    if exit_code is None:
        failures.append("the scan has no exit-code, and Trivy's default 0 never fails the job")
    elif has_expression(exit_code):
        unknowns.append(f"the exit code {exit_code} cannot be resolved statically")
    elif exit_code.strip() in ("0", ""):
        failures.append(f"exit-code {exit_code.strip()} never fails the job")
    else:
        evidence.append(
            scan.at(
                f"exit-code {exit_code.strip()}{source} fails the job on findings",
                scan.exit_code_line,
            )
        )
    for owner, flag in (("step", scan.step.continue_on_error), ("job", scan.job.continue_on_error)):
        if flag is None:
            continue
        if flag.has_expression:
            unknowns.append(f"the {owner}'s continue-on-error is {flag.text}")
        elif flag.text.strip().lower() == "true":
            failures.append(
                f"continue-on-error: true on the {owner} keeps findings from failing it"
            )
            evidence.append(scan.at(f"continue-on-error on the {owner}", flag.line))
    if scan.ignores_failure:
        failures.append("the trivy command's failure is ignored (|| true)")
    pushes = [
        b
        for b in found.backend + found.others
        if b.path == scan.path
        and b.job.id == scan.job.id
        and b.step.index < scan.step.index
        and b.push.lower() == "true"
    ]
    for push in pushes:
        failures.append(f"{push.label} pushes before the scan runs")
        evidence.append(push.at("pushes before the scan", "push"))
    return failures, unknowns, evidence


@check("ci.security_scan", severity="high", related=())
def security_scan(
    target: Target, *, context: str = "./backend", dockerfile: str = "./backend/Dockerfile"
) -> Outcome:
    found = builds(target, context=context, dockerfile=dockerfile)
    scans = _scans(found.workflows)
    if not scans:
        return Outcome.failed(
            "no workflow step runs Trivy",
            Evidence(f"searched {len(found.workflows)} workflow(s) for trivy-action or trivy"),
        )
    missing = without_backend(
        found, context, dockerfile, "no step builds the backend, so no scan can scan it"
    )
    if missing is not None:
        return missing
    image_scans = [s for s in scans if s.kind == "image"]
    skipped = [
        s.at(f"{s.step.label}: trivy {s.kind} scans the sources, not the image")
        for s in scans
        if s.kind != "image"
    ]
    if not image_scans:
        return Outcome.failed("no Trivy step scans an image", *skipped)
    results = [(scan, *_judge(target, scan, found)) for scan in image_scans]
    for scan, failures, unknowns, evidence in results:
        if not failures and not unknowns:
            return Outcome.passed(
                f"{scan.step.label} scans the backend image for HIGH and CRITICAL and fails "
                "the job on findings",
                *evidence,
                *skipped,
            )
    evidence = [e for _, _, _, shown in results for e in shown] + skipped
    if any(not failures for _, failures, _, _ in results):
        unknowns = [u for _, failures, us, _ in results if not failures for u in us]
        return Outcome.unknown("; ".join(unknowns), *evidence)
    failures = [f for _, fs, _, _ in results for f in fs]
    return Outcome.failed("; ".join(dict.fromkeys(failures)), *evidence)
