"""Build arguments: CI passes the required build args and the Dockerfile really uses them.

What it checks:
    Every build of the Dockerfile (param `dockerfile`, default `./backend/Dockerfile`) that
    the CI build model finds (see `ci.gha_cache`: actions, bake targets, `docker build` in
    steps, scripts and Makefile targets, composite actions, reusable workflows, matrix
    combinations), read with the Dockerfile it builds:

    * The build passes each build arg of `required` (default `["PYTHON_VERSION"]`) —
      `build-args` of an action (one `KEY=VALUE` per line), `args` of a bake target or a
      compose service, `--build-arg` of a command line. A bare `KEY` passes the runner's
      environment variable, as buildx does: it counts when an `env:` on the way sets it and
      is unknown otherwise.
    * The Dockerfile declares each required arg with ARG and uses it: a global ARG must appear
      in a FROM line (`FROM python:${PYTHON_VERSION}-slim`) or be re-declared in a stage
      that uses it; an ARG in a stage must be referenced later in that stage or be followed
      by a RUN, which sees it as an environment variable. A FROM that hard-codes the version
      (`FROM python:3.13-slim` while `PYTHON_VERSION` is passed) fails, and so does a
      required arg the Dockerfile never declares (BuildKit ignores it).
    * Any other passed arg the Dockerfile never declares is shown as a warning in the
      evidence: BuildKit ignores it ("build-args were not consumed"), but the claim is about
      the required args. The answer's part `declared` says whether every passed arg is
      declared (Docker's predefined args — the `*_PROXY` family, `BUILDKIT_*`,
      `SOURCE_DATE_EPOCH` — need no declaration).

    A build whose Dockerfile or args cannot be read statically, or a build the model
    cannot see into, makes the answer unknown with the reason; no build of the Dockerfile
    at all fails. hadolint and Trivy's Dockerfile checks read the Dockerfile alone; this
    check reads the CI build and the Dockerfile together, which is where the mismatch hides.

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

from checklists import Evidence, Outcome, Status, Target, check
from checks.ci._model import select
from checks.common import ParsedDockerfile, load_dockerfile, stage_label
from checks.readers.ci_builds import ImageBuild, normalise
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


def _passed(build: ImageBuild) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for entry in build.build_args:
        key, sep, value = entry.partition("=")
        if key.strip():
            values[key.strip()] = value if sep else None
    return values


def _from_environment(build: ImageBuild, name: str) -> bool:
    return name in build.step.scope.env


@check("ci.build_args", severity="medium", related=())
def build_args(
    target: Target,
    *,
    required: Sequence[str] = ("PYTHON_VERSION",),
    context: str = "./backend",
    dockerfile: str = "./backend/Dockerfile",
) -> Outcome:
    chosen = select(target, dockerfile)
    if not chosen.builds:
        wanted = normalise(context)
        missing = [
            f"{b.label} builds {b.dockerfile}, which is not in the target"
            for b in chosen.others
            if b.context == wanted and b.dockerfile and not target.is_file(b.dockerfile)
        ]
        if missing:
            return Outcome.failed(
                "; ".join(missing), *(b.place.evidence(b.label) for b in chosen.others)
            ).with_parts(declared=Status.NOT_APPLICABLE)
        shown = [chosen.searched()]
        shown += [
            b.place.evidence(f"{b.label} might build it: {'; '.join(b.unresolved)}")
            for b in chosen.candidates
        ]
        shown += [o.place.evidence(f"{o.label}: {o.reason}") for o in chosen.opaque]
        if chosen.candidates or chosen.opaque:
            return Outcome.unknown(
                f"no build provably builds {chosen.dockerfile}; the builds that might cannot "
                "be read",
                *shown,
            ).with_parts(declared=Status.UNKNOWN)
        return Outcome.failed(
            f"no workflow builds {chosen.dockerfile}, so no build passes its build args",
            *shown,
        ).with_parts(declared=Status.NOT_APPLICABLE)
    failures: list[str] = []
    unknowns: list[str] = []
    undeclared: list[str] = []
    incomplete: list[str] = []
    evidence: list[Evidence] = []
    for build in chosen.builds:
        passed = _passed(build)
        evidence.append(
            build.at("build-args").evidence(f"{build.label} passes {list(build.build_args)}")
        )
        if not build.args_complete:
            incomplete.append(f"{build.label}: some build args cannot be read statically")
        if not target.is_file(chosen.dockerfile):
            failures.append(f"{build.label} builds {chosen.dockerfile}, which is not in the target")
            continue
        parsed = load_dockerfile(target, chosen.dockerfile)
        declared = _declarations(parsed)
        for name in passed:
            if name not in declared and not _predefined(name):
                note = (
                    f"{build.label} passes {name}, which {chosen.dockerfile} never declares "
                    "with ARG (BuildKit ignores it)"
                )
                undeclared.append(note)
                evidence.append(build.at("build-args").evidence(f"warning: {note}"))
        for name in required:
            if name not in passed:
                if build.args_complete:
                    failures.append(f"{build.label} does not pass the build arg {name}")
                else:
                    unknowns.append(f"{build.label}: whether it passes {name} cannot be read")
                continue
            if passed[name] is None and not _from_environment(build, name):
                unknowns.append(
                    f"{build.label} passes {name} from the runner's environment, which no env: sets"
                )
            if name not in declared:
                failures.append(
                    f"{build.label} passes {name}, which {chosen.dockerfile} never declares "
                    "with ARG (BuildKit ignores it)"
                )
                continue
            evidence.extend(
                parsed.at(chosen.dockerfile, ins, f"declares ARG {name}")
                for _, ins in declared[name]
            )
            used = _uses(parsed, chosen.dockerfile, name, declared[name])
            if used:
                evidence.extend(used)
                continue
            bases = ", ".join(dict.fromkeys(f"FROM {s.base}" for s in parsed.stages))
            failures.append(
                f"{chosen.dockerfile} declares {name} but never uses it: {bases} "
                "hard-codes what the arg should set"
            )
            evidence.extend(
                parsed.at(
                    chosen.dockerfile, s.from_instruction, f"{stage_label(s)} ignores ${name}"
                )
                for s in parsed.stages
            )
    declared_part = Status.FAIL if undeclared else (Status.UNKNOWN if incomplete else Status.PASS)
    if failures:
        outcome = Outcome.failed("; ".join(dict.fromkeys(failures)), *evidence)
    elif unknowns or incomplete:
        outcome = Outcome.unknown("; ".join(dict.fromkeys(unknowns + incomplete)), *evidence)
    else:
        outcome = Outcome.passed(
            f"{len(chosen.builds)} build(s) of {chosen.dockerfile} pass {', '.join(required)} "
            "and the Dockerfile declares and uses each",
            *evidence,
        )
    return outcome.with_parts(declared=declared_part)
