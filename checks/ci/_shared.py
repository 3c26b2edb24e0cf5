"""What the CI checks share: the target's workflows and the steps that build the backend image.

A build step is a `docker/build-push-action` step, a `docker/bake-action` step whose `set`
overrides name the context or Dockerfile, or a `run:` step that calls `docker build`,
`docker image build` or `docker buildx build`. Its inputs are read the way the action
reads them (`input_list`), its paths normalised (`./backend/` is `backend`). In a job with
a static `strategy.matrix`, every combination is a build of its own with `${{ matrix.* }}`
filled in. A build of the backend is one whose context or Dockerfile is the backend's.
Steps that might build it but cannot be resolved statically (a matrix from an expression,
a bake file, a shell variable, a reusable workflow in another repository) are collected
with the reason, so a check can answer `unknown` instead of guessing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from checklists import Evidence, Outcome, Target
from checks.common import shell_commands, split_option_lists
from checks.readers.expressions import fences, has_expression, substitute
from checks.readers.workflow import Job, Step, Workflow, input_list, read_workflow

WORKFLOW_FOLDER = ".github/workflows"
BUILD_PUSH = "docker/build-push-action"
BAKE = "docker/bake-action"
SETUP_BUILDX = "docker/setup-buildx-action"

BuildKind = Literal["build-push-action", "bake-action", "run"]


def workflow_files(target: Target) -> list[str]:
    """The workflow files GitHub runs: `.github/workflows/*.yml` and `*.yaml`."""
    return sorted(
        {*target.glob(f"{WORKFLOW_FOLDER}/*.yml"), *target.glob(f"{WORKFLOW_FOLDER}/*.yaml")}
    )


def load_workflows(target: Target) -> list[tuple[str, Workflow]]:
    return [(path, target.parse(path, read_workflow)) for path in workflow_files(target)]


def shell_words(script: str) -> list[list[str]]:
    """`shell_commands` of a `run:` script, each `${{ ... }}` kept whole inside its word
    (GitHub substitutes expressions before the shell sees the script)."""
    found: list[str] = []
    parts: list[str] = []
    position = 0
    for start, end, _ in fences(script):  # linear: see expressions.fences
        found.append(script[start:end])
        parts += [script[position:start], f"\x00{len(found) - 1}\x00"]
        position = end
    masked = "".join([*parts, script[position:]])

    def unmask(word: str) -> str:
        return re.sub("\x00(\\d+)\x00", lambda m: found[int(m.group(1))], word)

    return [[unmask(word) for word in command] for command in shell_commands(masked)]


def normalise(path: str) -> str:
    """A target path in canonical form: `./backend/` -> `backend`, `` -> `.`."""
    cleaned = posixpath.normpath(path.strip().replace("\\", "/") or ".")
    return cleaned.removeprefix("/") or "."


def at(path: str, workflow: Workflow, line: int, note: str, lines: int = 1) -> Evidence:
    """Evidence pointing at a line of a workflow, with the line as excerpt."""
    return Evidence(note, path=path, line=line, excerpt=workflow.excerpt(line, lines) or None)


@dataclass(frozen=True, slots=True)
class BuildStep:
    """One image build in a workflow, with its inputs as the builder receives them."""

    path: str  # the workflow file
    workflow: Workflow
    job: Job
    step: Step
    kind: BuildKind
    variant: str | None  # "matrix: service=backend" for one matrix combination
    context: str  # normalised; "." also for the Git context of the repository root
    dockerfile: str  # normalised target path of the Dockerfile built
    values: Mapping[str, str]  # the inputs or flags as given, matrix values filled in
    tags: tuple[str, ...]
    build_args: tuple[str, ...]
    cache_from: tuple[str, ...]
    cache_to: tuple[str, ...]
    outputs: tuple[str, ...]
    push: str  # "true", "false" or the text of an expression
    load: bool | None  # None when it depends on the builder in use
    lines: Mapping[str, int] = field(default_factory=dict)  # input name -> line

    @property
    def label(self) -> str:
        where = f"job '{self.job.id}', step '{self.step.label}'"
        return f"{where} ({self.variant})" if self.variant else where

    def line_of(self, key: str | None = None) -> int:
        return self.lines.get(key, self.step.line) if key else self.step.line

    def at(self, note: str, key: str | None = None) -> Evidence:
        return at(self.path, self.workflow, self.line_of(key), note)


@dataclass(frozen=True, slots=True)
class Builds:
    """The builds of the backend, other builds, and what could not be resolved."""

    backend: tuple[BuildStep, ...]
    others: tuple[BuildStep, ...]
    unresolved: tuple[Evidence, ...]
    workflows: tuple[tuple[str, Workflow], ...]


# --- Matrix ----------------------------------------------------------------------------------


def _variants(job: Job) -> list[tuple[str | None, dict[str, Any]]] | None:
    """(label, expression context) per matrix combination; None when not static."""
    if job.matrix is None:
        return [(None, {})]
    combos = job.matrix.combinations()
    if combos is None:
        return None
    found: list[tuple[str | None, dict[str, Any]]] = []
    for combo in combos:
        shown = ", ".join(f"{k}={v}" for k, v in combo.items() if not isinstance(v, dict | list))
        found.append((f"matrix: {shown}", {"matrix": combo}))
    return found or [(None, {})]


def _uses_matrix(step: Step) -> bool:
    texts = [v.text for v in step.inputs.values()] + ([step.run.text] if step.run else [])
    return any("matrix." in text for text in texts if has_expression(text))


# --- build-push-action and bake-action -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a step is: its workflow file, the workflow, the job and the step."""

    path: str
    workflow: Workflow
    job: Job
    step: Step

    def at(self, line: int, note: str) -> Evidence:
        return at(self.path, self.workflow, line, note)


def _git_context(value: str) -> tuple[str, bool]:
    """(context, is_git_context) for build-push-action's `context` input."""
    if value.startswith("{{defaultContext}}"):
        sub = value.removeprefix("{{defaultContext}}").removeprefix(":")
        return normalise(sub or "."), True
    return normalise(value), False


def _action_build(
    place: _Place, variant: str | None, values: dict[str, str]
) -> BuildStep | Evidence:
    step = place.step
    lines = {k: v.line for k, v in step.inputs.items()}
    raw_context = values.get("context")
    file_input = values.get("file")
    for name, text in (("context", raw_context), ("file", file_input)):
        if text is not None and has_expression(text):
            return place.at(
                lines.get(name, step.line), f"{name}: {text} cannot be resolved statically"
            )
    if raw_context is None:
        context, git = ".", True  # the Git context of the repository at the ref
    else:
        context, git = _git_context(raw_context)
    if file_input:
        # With a Git context the file is relative to the context, else to the workspace root.
        dockerfile = normalise(posixpath.join(context, file_input) if git else file_input)
    else:
        dockerfile = normalise(posixpath.join(context, "Dockerfile"))
    outputs = tuple(input_list(values.get("outputs"), ignore_comma=True, quote=False))
    return BuildStep(
        path=place.path,
        workflow=place.workflow,
        job=place.job,
        step=step,
        kind="build-push-action",
        variant=variant,
        context=context,
        dockerfile=dockerfile,
        values=MappingProxyType(values),
        tags=tuple(input_list(values.get("tags"))),
        build_args=tuple(input_list(values.get("build-args"), ignore_comma=True)),
        cache_from=tuple(input_list(values.get("cache-from"), ignore_comma=True)),
        cache_to=tuple(input_list(values.get("cache-to"), ignore_comma=True)),
        outputs=outputs,
        push=values.get("push", "false").strip(),
        load=values.get("load", "false").strip().lower() == "true"
        or any(_output_type(o) == "docker" for o in outputs),
        lines=MappingProxyType(lines),
    )


def _output_type(entry: str) -> str:
    """The `type=` of an --output / outputs entry (a bare path means type=local)."""
    fields = dict(part.partition("=")[::2] for part in entry.split(","))
    if "type" not in fields:
        return "local" if "=" not in entry else ""
    return fields["type"].strip().lower()


def _bake_builds(
    place: _Place, variant: str | None, values: dict[str, str]
) -> list[BuildStep | Evidence]:
    """Targets whose context or Dockerfile the step's `set` overrides give."""
    groups: dict[str, dict[str, list[str]]] = {}
    for entry in input_list(values.get("set"), ignore_comma=True):
        key, _, value = entry.partition("=")
        name, _, attribute = key.partition(".")
        groups.setdefault(name, {}).setdefault(attribute, []).append(value)
    shared = groups.pop("*", {})
    found: list[BuildStep | Evidence] = []
    step = place.step
    lines = {k: v.line for k, v in step.inputs.items()}
    set_line = lines.get("set", step.line)
    for name, attributes in groups.items() or [("*", {})]:
        merged = {**shared, **attributes}
        if "context" not in merged and "dockerfile" not in merged:
            continue
        context = normalise(merged.get("context", ["."])[-1])
        dockerfile = normalise(
            posixpath.join(context, merged.get("dockerfile", ["Dockerfile"])[-1])
        )
        args = [
            f"{key.removeprefix('args.')}={value[-1]}"
            for key, value in merged.items()
            if key.startswith("args.")
        ]
        outputs = tuple(merged.get("output", []))
        found.append(
            BuildStep(
                path=place.path,
                workflow=place.workflow,
                job=place.job,
                step=step,
                kind="bake-action",
                variant=f"target {name}" + (f", {variant}" if variant else ""),
                context=context,
                dockerfile=dockerfile,
                values=MappingProxyType(values),
                tags=tuple(t for value in merged.get("tags", []) for t in value.split(",")),
                build_args=tuple(args),
                cache_from=tuple(merged.get("cache-from", [])),
                cache_to=tuple(merged.get("cache-to", [])),
                outputs=outputs,
                push=values.get("push", "false").strip(),
                load=values.get("load", "false").strip().lower() == "true",
                lines=MappingProxyType(
                    {
                        **lines,
                        "cache-from": set_line,
                        "cache-to": set_line,
                        "build-args": set_line,
                    }
                ),
            )
        )
    if not found:
        files = values.get("files") or "docker-bake.hcl"
        found.append(
            place.at(
                step.uses_line or step.line,
                f"{step.label} builds targets defined in {files.strip()}, which is not read",
            )
        )
    return found


# --- docker build in run: -------------------------------------------------------------------

_VALUE_FLAGS = frozenset(
    {
        *("-t", "--tag", "-f", "--file", "--build-arg", "--cache-from", "--cache-to", "-o"),
        *("--output", "--target", "--platform", "--label", "--secret", "--ssh", "--builder"),
        *("--progress", "--network", "--iidfile", "--metadata-file", "--build-context"),
        *("--add-host", "--allow", "--annotation", "--attest", "--sbom", "--provenance"),
        *("--shm-size", "--ulimit", "--cgroup-parent", "--call", "--no-cache-filter"),
    }
)


_RUN_KEYS = ("tags", "build-args", "cache-from", "cache-to", "outputs", "push", "load")


def _docker_builds(script: str) -> Iterator[tuple[dict[str, list[str]], str | None]]:
    """(flags, context) of each `docker build` in a shell script, without expansion."""
    for command in shell_words(script):
        index = 0
        while index < len(command) and "=" in command[index] and not command[index].startswith("-"):
            index += 1  # VAR=value prefixes
        words = command[index:]
        if len(words) < 2 or words[0].rsplit("/", 1)[-1] != "docker":
            continue
        if words[1] == "build":
            rest = words[2:]
        elif words[1:3] in (["buildx", "build"], ["image", "build"], ["buildx", "b"]):
            rest = words[3:]
        else:
            continue
        options, positional = split_option_lists(rest, _VALUE_FLAGS, flag="true")
        flags = {"_command": [" ".join(words[:3])], **options}
        yield flags, positional[-1] if positional else None


def _run_builds(place: _Place, variant: str | None, script: str) -> list[BuildStep | Evidence]:
    found: list[BuildStep | Evidence] = []
    step, job = place.step, place.job
    base = normalise(step.working_directory.text) if step.working_directory else "."
    buildx_set_up = any(
        s.uses is not None and s.uses.is_action(SETUP_BUILDX) for s in job.steps[: step.index]
    )
    line = step.run.line if step.run else step.line
    for flags, context_word in _docker_builds(script):
        files = flags.get("-f", []) + flags.get("--file", [])
        file_word = files[-1] if files else None
        words = [w for w in (context_word, file_word) if w is not None]
        if context_word is None or any("$" in w for w in words):
            found.append(place.at(line, f"{step.label}: the build's paths use shell variables"))
            continue
        context = normalise(posixpath.join(base, context_word))
        dockerfile = (
            normalise(posixpath.join(base, file_word))
            if file_word
            else normalise(posixpath.join(context, "Dockerfile"))
        )
        outputs = tuple(flags.get("-o", []) + flags.get("--output", []))
        pushes = "--push" in flags or any(
            _output_type(o) == "registry" or "push=true" in o for o in outputs
        )
        loads: bool | None = "--load" in flags or any(_output_type(o) == "docker" for o in outputs)
        if not loads and not outputs and not pushes:
            # The default builder (docker driver) loads the image; after setup-buildx-action
            # the selected docker-container builder keeps it in its cache only.
            loads = None if buildx_set_up else True
        found.append(
            BuildStep(
                path=place.path,
                workflow=place.workflow,
                job=job,
                step=step,
                kind="run",
                variant=variant,
                context=context,
                dockerfile=dockerfile,
                values=MappingProxyType({k: " ".join(v) for k, v in flags.items()}),
                tags=tuple(flags.get("-t", []) + flags.get("--tag", [])),
                build_args=tuple(flags.get("--build-arg", [])),
                cache_from=tuple(flags.get("--cache-from", [])),
                cache_to=tuple(flags.get("--cache-to", [])),
                outputs=outputs,
                push="true" if pushes else "false",
                load=loads,
                lines=MappingProxyType(dict.fromkeys(_RUN_KEYS, line)),
            )
        )
    return found


# --- All builds ------------------------------------------------------------------------------


def _step_builds(path: str, workflow: Workflow, job: Job, step: Step) -> list[BuildStep | Evidence]:
    is_action = step.uses is not None and (
        step.uses.is_action(BUILD_PUSH) or step.uses.is_action(BAKE)
    )
    is_run = step.run is not None and "docker" in step.run.text and "build" in step.run.text
    if not (is_action or is_run):
        return []
    variants = _variants(job) if _uses_matrix(step) else [(None, {})]
    if variants is None:
        line = job.matrix.line if job.matrix else job.line
        return [
            at(path, workflow, line, f"{step.label}: the matrix of job '{job.id}' is an expression")
        ]
    found: list[BuildStep | Evidence] = []
    place = _Place(path, workflow, job, step)
    for variant, context in variants:
        if is_action and step.uses is not None:
            values = {k: substitute(v.text, context) for k, v in step.inputs.items()}
            if step.uses.is_action(BUILD_PUSH):
                found.append(_action_build(place, variant, values))
            else:
                found.extend(_bake_builds(place, variant, values))
        elif step.run is not None:
            found.extend(_run_builds(place, variant, substitute(step.run.text, context)))
    return found


def builds(target: Target, *, context: str, dockerfile: str) -> Builds:
    """Every image build in the target's workflows, split into the backend's and others."""
    backend: list[BuildStep] = []
    others: list[BuildStep] = []
    unresolved: list[Evidence] = []
    want_context, want_file = normalise(context), normalise(dockerfile)
    workflows = load_workflows(target)
    for path, workflow in workflows:
        for job in workflow.jobs:
            if job.uses is not None and job.uses.kind == "repository":
                unresolved.append(
                    at(
                        path,
                        workflow,
                        job.line,
                        f"job '{job.id}' calls the reusable workflow {job.uses.raw}, "
                        "which is not followed",
                    )
                )
            for step in job.steps:
                for found in _step_builds(path, workflow, job, step):
                    if isinstance(found, Evidence):
                        unresolved.append(found)
                    elif found.context == want_context or found.dockerfile == want_file:
                        backend.append(found)
                    else:
                        others.append(found)
    return Builds(tuple(backend), tuple(others), tuple(unresolved), tuple(workflows))


def no_backend_build_note(found: Builds, context: str, dockerfile: str) -> list[Evidence]:
    """Evidence for 'no step builds the backend': what was searched and what was found."""
    evidence = [
        Evidence(
            f"searched {len(found.workflows)} workflow(s) in {WORKFLOW_FOLDER}/ for a "
            f"build of context {normalise(context)} or Dockerfile {normalise(dockerfile)}"
        )
    ]
    evidence += [
        b.at(f"builds {b.dockerfile} (context {b.context}), not the backend") for b in found.others
    ]
    return evidence


def without_backend(found: Builds, context: str, dockerfile: str, failure: str) -> Outcome | None:
    """The outcome when no step provably builds the backend (unknown if some builds cannot be
    resolved, else `failure`), or None when there are backend builds to judge."""
    if found.backend:
        return None
    if found.unresolved:
        return Outcome.unknown(
            "no step provably builds the backend; some builds cannot be resolved",
            *found.unresolved,
        )
    return Outcome.failed(failure, *no_backend_build_note(found, context, dockerfile))
