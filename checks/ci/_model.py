"""What the CI checks share: the builds of one Dockerfile in the CI build model, and the
evaluation of a run's `if:` gates and push settings in a situation.

The model (`checks.readers.ci_builds`) reads the workflows once; the checks only ask it.
A build "of" the Dockerfile is one the model resolved to that path. A build whose Dockerfile
cannot be resolved is a candidate when its written path could name it; an opaque build
(a remote reusable workflow, goreleaser, a script that is not in the target) might build it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checklists import Evidence, InputError, Target, tr
from checks.readers.ci_builds import (
    CiModel,
    Gate,
    ImageBuild,
    Opaque,
    Run,
    Situation,
    StepRef,
    model,
    normalise,
    situations,
)
from checks.readers.expressions import UNKNOWN, evaluate, interpolate, truthy

_FULL = re.compile(r"\A\s*\$\{\{(.*)\}\}\s*\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Selection:
    """The builds of one Dockerfile, and what might build it without being readable."""

    model: CiModel
    dockerfile: str
    builds: tuple[ImageBuild, ...]  # resolved to the Dockerfile
    candidates: tuple[ImageBuild, ...]  # Dockerfile not resolved; might be this one
    opaque: tuple[Opaque, ...]  # opaque builds and image-related remote workflows
    others: tuple[ImageBuild, ...]  # builds of other Dockerfiles

    @property
    def any(self) -> bool:
        return bool(self.builds or self.candidates)

    def searched(self) -> Evidence:
        return Evidence(
            tr(
                "searched {workflows} workflow(s) and what they run for a build of "
                "{dockerfile}; {builds} build(s) found in all",
                "{workflows} 個のワークフローとそこから実行されるものから {dockerfile} の"
                "ビルドを探索。見つかったビルドは全体で {builds} 件",
                workflows=len(self.model.workflows),
                dockerfile=self.dockerfile,
                builds=len(self.model.builds),
            )
        )


def select(target: Target, dockerfile: str) -> Selection:
    found = model(target)
    wanted = normalise(dockerfile)
    builds: list[ImageBuild] = []
    candidates: list[ImageBuild] = []
    others: list[ImageBuild] = []
    for build in found.builds:
        if build.dockerfile == wanted:
            builds.append(build)
        elif build.dockerfile is None:
            candidates.append(build)
        else:
            others.append(build)
    opaque = [o for o in found.opaque if o.kind == "build" or _image_workflow(o)]
    return Selection(found, wanted, tuple(builds), tuple(candidates), tuple(opaque), tuple(others))


def _image_workflow(item: Opaque) -> bool:
    return item.kind == "workflow" and item.image_related


def relevant_opaque_workflows(found: CiModel) -> list[Opaque]:
    """Remote reusable workflows whose name says they build, publish or release images."""
    return [o for o in found.opaque if _image_workflow(o)]


# --- Evaluating gates in a situation ---------------------------------------------------------


def gate_holds(gate: Gate, github: Mapping[str, Any]) -> bool | None:
    """Whether an `if:` lets the job or step run in the situation (None when unknown).

    A condition without `${{ }}` is an expression; one written entirely as `${{ x }}` is x;
    any other text with `${{ }}` inside (a block scalar with a trailing newline, text around
    the expression) is a non-empty string, which GitHub treats as true.
    """
    text = gate.text
    context = gate.scope.context(github)
    try:
        full = _FULL.match(text)
        if full and "${{" not in full.group(1) and not text.endswith("\n"):
            return truthy(evaluate(full.group(1).strip(), context))
        if "${{" in text:
            rendered = interpolate(text, context)
            return None if rendered is None else rendered != ""
        return truthy(evaluate(text, context))
    except InputError:
        return None


def value_in(text: str, step: StepRef, github: Mapping[str, Any]) -> str | None:
    """An input's text (`push: ${{ ... }}`) as the action receives it in the situation."""
    try:
        return interpolate(text, step.scope.context(github))
    except InputError:
        return None


def runs_in(gates: tuple[Gate, ...], github: Mapping[str, Any]) -> bool | None:
    """All gates hold (True), one is false (False), or one is unknown (None)."""
    verdict: bool | None = True
    for gate in gates:
        holds = gate_holds(gate, github)
        if holds is False:
            return False
        if holds is None:
            verdict = None
    return verdict


def push_holds(push: str, step: StepRef, github: Mapping[str, Any]) -> bool | None:
    """Whether a step pushes in the situation: its gates hold and its push value is true."""
    runs = runs_in(step.gates, github)
    if runs is False:
        return False
    rendered = value_in(push, step, github)
    pushes = None if rendered is None else rendered.strip().lower() == "true"
    if pushes is False:
        return False
    if runs is None or pushes is None:
        return None
    return True


def run_situations(
    found: CiModel, run: Run, default_branch: str | None
) -> tuple[list[Situation], list[str]]:
    """The situations a run starts in (its root workflow's), and what cannot be modelled."""
    found_situations, unknown = situations(run.root_workflow, default_branch, found.workflows)
    if run.external_callers:
        unknown.append(
            tr(
                "{root} is a reusable workflow no workflow of this repository calls; its "
                "callers elsewhere decide when it runs",
                "{root} はこのリポジトリのどのワークフローからも呼ばれない再利用可能ワーク"
                "フローで、いつ実行されるかは外部の呼び出し元が決める",
                root=run.root,
            )
        )
    return found_situations, unknown


def continue_on_error(gates: tuple[Gate, ...]) -> tuple[bool | None, Gate | None]:
    """Whether a `continue-on-error` on the way is true (statically), and which one."""
    verdict: bool | None = False
    for gate in gates:
        text = gate.text.strip()
        if text.lower() == "true":
            return True, gate
        if text.lower() in ("false", ""):
            continue
        value = gate_holds(gate, {})
        if value is True:
            return True, gate
        if value is None:
            verdict = None
    return verdict, None


def unknown_value(value: object) -> bool:
    return value is UNKNOWN
