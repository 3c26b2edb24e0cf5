"""Build arguments: CI passes the required build args and the Dockerfile really uses them.

What it checks:
    Every step that builds the backend image (see `ci.gha_cache` for how a build step is
    found; parameters `context`, default `./backend`, and `dockerfile`, default
    `./backend/Dockerfile`) is read together with the Dockerfile it builds: the step's
    `file` resolved from the repository root (for a Git context, from the context), or
    `<context>/Dockerfile` when `file` is not given.

    * The step passes each build arg of `required` (default `["PYTHON_VERSION"]`) in
      `build-args` (one `KEY=VALUE` per line, as docker/build-push-action reads it; or
      `--build-arg` of a `docker build`). A bare `KEY` passes the runner's environment
      variable, as buildx does: it counts when the step's, job's or workflow's `env:` sets
      it and is unknown otherwise.
    * The Dockerfile declares each passed arg with ARG. An arg it never declares fails:
      BuildKit ignores it ("build-args were not consumed"), so the value CI sets has no
      effect. Docker's predefined args (the `*_PROXY` family), `BUILDKIT_*` and
      `SOURCE_DATE_EPOCH` need no declaration.
    * The Dockerfile uses each required arg: a global ARG must appear in a FROM line
      (`FROM python:${PYTHON_VERSION}-slim`) or be re-declared in a stage that uses it; an
      ARG in a stage must be referenced later in that stage or be followed by a RUN, which
      sees it as an environment variable. A FROM that hard-codes the version
      (`FROM python:3.13-slim` while `PYTHON_VERSION` is passed) fails.

    hadolint and Trivy's Dockerfile checks read the Dockerfile alone; this check reads the
    workflow and the Dockerfile together, which is where the mismatch hides.

Why it matters:
    A version passed as a build arg is a promise that CI decides which Python the image
    gets. If the Dockerfile hard-codes the base image tag or never declares the arg, the
    promise is silently broken: upgrading the workflow's value changes nothing.

How to fix:
    Declare the arg before the first FROM and use it in every FROM that should follow it:
    `ARG PYTHON_VERSION=3.13` then `FROM python:${PYTHON_VERSION}-slim AS builder`; pass
    it from the workflow with `build-args: PYTHON_VERSION=3.13`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checklists import Evidence, Outcome, Target, check
from checks.ci._shared import BuildStep, builds, without_backend
from checks.common import ParsedDockerfile, load_dockerfile, stage_label
from checks.readers.dockerfile import Instruction

_PREDEFINED = frozenset(
    name
    for base in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY")
    for name in (base, base.lower())
) | {"SOURCE_DATE_EPOCH"}


def _predefined(name: str) -> bool:
    return name in _PREDEFINED or name.startswith("BUILDKIT_")


def _reference(name: str) -> re.Pattern[str]:
    return re.compile(r"\$(?:\{" + re.escape(name) + r"\b|" + re.escape(name) + r"\b)")


def _declarations(parsed: ParsedDockerfile) -> dict[str, list[tuple[int | None, Instruction]]]:
    """ARG name -> [(stage index or None for global, instruction)]."""
    found: dict[str, list[tuple[int | None, Instruction]]] = {}
    for instruction in parsed.dockerfile.instructions:
        if instruction.keyword == "from":
            break
        if instruction.keyword == "arg":
            for word in instruction.args:
                found.setdefault(word.partition("=")[0], []).append((None, instruction))
    for stage in parsed.stages:
        for instruction in stage.instructions:
            if instruction.keyword == "arg":
                for word in instruction.args:
                    found.setdefault(word.partition("=")[0], []).append((stage.index, instruction))
    return found


def _uses(
    parsed: ParsedDockerfile, path: str, name: str, declared: list[tuple[int | None, Instruction]]
) -> list[Evidence]:
    """Evidence of each place the build uses the arg."""
    pattern = _reference(name)
    used: list[Evidence] = []
    if any(stage is None for stage, _ in declared):
        for stage in parsed.stages:
            if pattern.search(stage.from_instruction.original):
                used.append(
                    parsed.at(
                        path, stage.from_instruction, f"{stage_label(stage)} is FROM {stage.base}"
                    )
                )
    for stage in parsed.stages:
        after = False
        for instruction in stage.instructions:
            if instruction.keyword == "arg" and any(
                w.partition("=")[0] == name for w in instruction.args
            ):
                after = True
                continue
            if not after:
                continue
            if pattern.search(instruction.original):
                used.append(parsed.at(path, instruction, f"uses ${name} in {stage_label(stage)}"))
            elif instruction.keyword == "run":
                used.append(
                    parsed.at(path, instruction, f"RUN sees {name} as an environment variable")
                )
    return used


def _passed(build: BuildStep) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for entry in build.build_args:
        key, sep, value = entry.partition("=")
        values[key.strip()] = value if sep else None
    return values


def _from_environment(build: BuildStep, name: str) -> bool:
    scopes = (build.step.env, build.job.env, build.workflow.env)
    return any(name in scope for scope in scopes)


@check("ci.build_args", severity="medium", related=())
def build_args(
    target: Target,
    *,
    required: Sequence[str] = ("PYTHON_VERSION",),
    context: str = "./backend",
    dockerfile: str = "./backend/Dockerfile",
) -> Outcome:
    found = builds(target, context=context, dockerfile=dockerfile)
    missing = without_backend(found, context, dockerfile, "no step builds the backend")
    if missing is not None:
        return missing
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    for build in found.backend:
        passed = _passed(build)
        evidence.append(build.at(f"{build.label} passes {list(build.build_args)}", "build-args"))
        if not target.is_file(build.dockerfile):
            failures.append(f"{build.label} builds {build.dockerfile}, which is not in the target")
            continue
        parsed = load_dockerfile(target, build.dockerfile)
        declared = _declarations(parsed)
        for name in required:
            if name not in passed:
                failures.append(f"{build.label} does not pass the build arg {name}")
            elif passed[name] is None and not _from_environment(build, name):
                unknowns.append(
                    f"{build.label} passes {name} from the runner's environment, which no env: sets"
                )
        for name in passed:
            if name not in declared and not _predefined(name):
                failures.append(
                    f"{build.label} passes {name}, which {build.dockerfile} never declares "
                    "with ARG (BuildKit ignores it)"
                )
        for name in required:
            if name not in passed or name not in declared:
                continue
            evidence.extend(
                parsed.at(build.dockerfile, ins, f"declares ARG {name}")
                for _, ins in declared[name]
            )
            used = _uses(parsed, build.dockerfile, name, declared[name])
            if used:
                evidence.extend(used)
                continue
            bases = ", ".join(dict.fromkeys(f"FROM {s.base}" for s in parsed.stages))
            failures.append(
                f"{build.dockerfile} declares {name} but never uses it: {bases} "
                "hard-codes what the arg should set"
            )
            evidence.extend(
                parsed.at(build.dockerfile, s.from_instruction, f"{stage_label(s)} ignores ${name}")
                for s in parsed.stages
            )
    if failures:
        return Outcome.failed("; ".join(failures), *evidence)
    if unknowns:
        return Outcome.unknown("; ".join(unknowns), *evidence)
    return Outcome.passed(
        f"{len(found.backend)} backend build(s) pass {', '.join(required)} and the Dockerfile "
        "declares and uses each",
        *evidence,
    )
