"""The CI build model: every image build, push, scan and login a repository's workflows perform.

`model(target)` reads `.github/workflows/*.yml|yaml` once per build and follows what the
workflows run, however it is written:

* `docker/build-push-action` and `depot/build-push-action` steps (their inputs read as the
  actions read them); `docker/bake-action` steps and `docker buildx bake` commands, with
  the bake files (`checks.readers.bake`), their variables from the step's environment and
  the `set` overrides; `redhat-actions/buildah-build`;
* `run:` scripts, split by a real shell lexer: `docker build`, `docker buildx build`,
  `docker image build`, `podman build`, `buildah bud|build`, `docker compose build` and
  `docker compose up --build` (the services of the compose files, `-f`, `COMPOSE_FILE` or
  the default names), and what a script calls: shell files, Makefile targets
  (`checks.readers.makefile`), package.json scripts (`npm run`, `yarn`, `pnpm run`,
  `node --run`, `bun run`) and Justfile recipes, up to a few levels deep. Shell variables
  assigned in the same script are expanded (each assigned value is a possibility); a
  Dockerfile copied into a context by the script (`cp Dockerfile build/x`) is followed;
* local composite actions (`uses: ./path`) and local reusable workflows (`uses:
  ./.github/workflows/x.yml`) with the `with:` inputs they receive, and `strategy.matrix`
  combinations (a matrix from an expression is left unexpanded);
* pushes besides a build's own (`docker push`, `podman push`, `buildah push`, `docker
  buildx imagetools create`, `docker manifest push`, `redhat-actions/push-to-registry`),
  registry logins, and image scans (Trivy, Grype, Snyk, Docker Scout, as actions or CLI)
  with what decides whether their failure fails the job.

What cannot be read is in the model as opaque, with the reason and the step: a remote
reusable workflow, a remote action that builds or scans images, third-party builders that
keep their definition elsewhere (goreleaser, skaffold), a script or Makefile not in the
target. Every item carries the workflow run it belongs to: the root workflow (whose
triggers decide when it runs), the chain of jobs, the `if:` gates on the way and the
expression scope (matrix, inputs, env) to evaluate them in a situation (`situations`).

`image_builds(target)` lists the image builds with Dockerfile, context and target stage,
for callers that only need to know what the repository builds. The module judges nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from checklists import Evidence, InputError, Target, join, tr
from checks.readers import located_yaml
from checks.readers.bounds import drop_heredocs, replace_braces
from checks.readers.expressions import (
    UNKNOWN,
    Open,
    evaluate,
    fences,
    has_expression,
    interpolate,
    substitute,
    truthy,
)
from checks.readers.located_yaml import YList, YMap, scalar_text
from checks.readers.shell import command as shell_command
from checks.readers.shell import shell_commands, split_option_lists, strip_comments
from checks.readers.workflow import (
    Action,
    ActionRef,
    Job,
    Step,
    Trigger,
    Value,
    Workflow,
    input_list,
    read_action,
    read_workflow,
)

if TYPE_CHECKING:  # imported where a bake file is read: most targets have none
    from checks.readers.bake import BakeFile, BakeTarget

__all__ = [
    "CiModel",
    "ImageBuild",
    "ImagePush",
    "ImageScan",
    "Login",
    "Opaque",
    "Place",
    "Run",
    "Situation",
    "image_builds",
    "model",
    "normalise",
    "read_git_default_branch",
    "situations",
    "workflow_files",
]

WORKFLOW_FOLDER = ".github/workflows"
_MAX_DEPTH = 4
_MAX_VARIANTS = 64


def normalise(path: str) -> str:
    """A target path in canonical form: `./backend/` -> `backend`, `` -> `.`."""
    cleaned = posixpath.normpath(path.strip().replace("\\", "/") or ".")
    return cleaned.removeprefix("/") or "."


def workflow_files(target: Target) -> list[str]:
    """The workflow files GitHub runs: `.github/workflows/*.yml` and `*.yaml`."""
    return sorted(
        {*target.glob(f"{WORKFLOW_FOLDER}/*.yml"), *target.glob(f"{WORKFLOW_FOLDER}/*.yaml")}
    )


# --- Places and scopes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where something is written in the target: a file, a line and the line's text."""

    path: str
    line: int
    excerpt: str | None = None

    def evidence(self, note: str) -> Evidence:
        return Evidence(note, path=self.path, line=self.line, excerpt=self.excerpt)


@dataclass(frozen=True, slots=True)
class _Input:
    """An input value as the caller wrote it, evaluated in the caller's scope."""

    text: str | None  # None: not given (the default applies) or not known
    scope: Scope | None
    kind: str | None = None  # workflow_call input type: boolean, number, string


class Scope:
    """The expression contexts of one place in a run, except `github` (the situation's).

    `matrix` is the combination's values (None: not expanded, so unknown); `env` the
    workflow, job and step `env:` texts merged; `inputs` what a reusable workflow or
    composite action receives, evaluated in the caller's scope on demand.
    """

    def __init__(
        self,
        *,
        matrix: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, _Input] | None = None,
        dispatch_inputs: bool = False,
    ) -> None:
        self.matrix = matrix
        self.env = dict(env or {})
        self.inputs = dict(inputs or {})
        self.dispatch_inputs = dispatch_inputs

    def with_env(self, env: Mapping[str, Value]) -> Scope:
        if not env:
            return self
        merged = {**self.env, **{k: v.text for k, v in env.items()}}
        return Scope(
            matrix=self.matrix,
            env=merged,
            inputs=self.inputs,
            dispatch_inputs=self.dispatch_inputs,
        )

    def context(self, github: Mapping[str, Any] | None = None, depth: int = 0) -> dict[str, Any]:
        github = github if github is not None else Open()
        base: dict[str, Any] = {
            "github": github,
            "matrix": Open(self.matrix) if self.matrix is not None else Open(),
            "vars": Open(),
            "secrets": Open(),
            "steps": Open(),
            "needs": Open(),
            "runner": Open(),
            "job": Open(),
            "jobs": Open(),
            "strategy": Open(),
        }
        inputs: dict[str, Any] = {}
        if depth < 8:
            for name, given in self.inputs.items():
                inputs[name] = _input_value(given, github, depth)
        base["inputs"] = Open(inputs)
        env: dict[str, Any] = {}
        for name, text in self.env.items():
            if has_expression(text):
                try:
                    rendered = interpolate(text, base)
                except InputError:
                    rendered = None
                env[name] = UNKNOWN if rendered is None else rendered
            else:
                env[name] = text
        base["env"] = Open(env)
        return base

    def fill(self, text: str, github: Mapping[str, Any] | None = None) -> str:
        """`text` with each expression whose value is known here replaced by it."""
        return substitute(text, self.context(github))


def _input_value(given: _Input, github: Mapping[str, Any], depth: int) -> object:
    if given.text is None or given.scope is None:
        return UNKNOWN if given.text is None else given.text
    text = given.text
    full = re.fullmatch(r"\s*\$\{\{(.*)\}\}\s*", text, re.DOTALL)
    try:
        if full and "${{" not in full.group(1):
            value = evaluate(full.group(1).strip(), given.scope.context(github, depth + 1))
        else:
            value = interpolate(text, given.scope.context(github, depth + 1))
            value = UNKNOWN if value is None else value
    except InputError:
        return UNKNOWN
    if value is UNKNOWN:
        return UNKNOWN
    if given.kind == "boolean":
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return truthy(value)
    if given.kind == "number" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return UNKNOWN
    if given.kind in (None, "string") and isinstance(value, bool):
        return "true" if value else "false"  # a composite action's inputs are strings
    return value


@dataclass(frozen=True, slots=True)
class Gate:
    """An `if:` on the way to an item (a job's, a step's, a caller's), with its scope."""

    text: str
    place: Place
    scope: Scope


@dataclass(frozen=True, slots=True)
class Run:
    """A job as it runs: the root workflow (whose triggers start it), the jobs on the way
    (a caller job, then the reusable workflow's job), the matrix combination and gates."""

    root: str  # the root workflow file
    root_workflow: Workflow
    path: str  # the file of the job that has the steps
    workflow: Workflow
    job: Job
    jobs: tuple[str, ...]  # job ids from the root's caller job to this job
    variant: str | None
    scope: Scope
    gates: tuple[Gate, ...]
    external_callers: bool = False  # a reusable workflow no local workflow calls

    @property
    def key(self) -> tuple[str, tuple[str, ...], str | None]:
        return (self.root, self.jobs, self.variant)

    @property
    def label(self) -> str:
        chain = " > ".join(self.jobs)
        if self.variant:
            return tr(
                "{root}: job '{chain}' ({variant})",
                "{root}: ジョブ '{chain}'（{variant}）",
                root=self.root,
                chain=chain,
                variant=self.variant,
            )
        return tr("{root}: job '{chain}'", "{root}: ジョブ '{chain}'", root=self.root, chain=chain)


def step_label(ref: StepRef, via: tuple[str, ...] = ()) -> str:
    """ "<workflow>: job 'x', step 'y'" (with the scripts, targets on the way), per language."""
    if via:
        return tr(
            "{run}, step '{step}' via {via}",
            "{run}、ステップ '{step}'（経由: {via}）",
            run=ref.run.label,
            step=ref.label,
            via=join(via, " > ", " > "),
        )
    return tr("{run}, step '{step}'", "{run}、ステップ '{step}'", run=ref.run.label, step=ref.label)


@dataclass(frozen=True, slots=True)
class StepRef:
    """One step in a run (a composite action's inner step too)."""

    run: Run
    position: tuple[int, ...]
    step: Step
    path: str  # the file the step is written in
    lines: tuple[str, ...]
    scope: Scope
    gates: tuple[Gate, ...]  # every `if:` from the root job to this step
    continue_on_error: tuple[Gate, ...]  # step, caller steps and job `continue-on-error`
    working_directory: str
    label: str

    def place(self, line: int | None = None) -> Place:
        where = line or self.step.line
        text = (
            "\n".join(self.lines[where - 1 : where]).rstrip()
            if 0 < where <= len(self.lines)
            else None
        )
        return Place(self.path, where, text or None)

    @property
    def job_key(self) -> tuple[str, tuple[str, ...], str | None]:
        return self.run.key

    def before(self, other: StepRef) -> bool:
        return self.job_key == other.job_key and self.position < other.position


# --- Items -----------------------------------------------------------------------------------

BuildTool = Literal[
    "docker/build-push-action",
    "depot/build-push-action",
    "docker/bake-action",
    "docker buildx bake",
    "redhat-actions/buildah-build",
    "docker build",
    "podman build",
    "buildah build",
    "docker compose build",
]


@dataclass(frozen=True, slots=True)
class ImageBuild:
    """One image build with the settings the builder receives.

    `dockerfile` and `context` are normalised target paths, None when they cannot be
    resolved statically (`unresolved` says why). `push` is the text the builder reads for
    pushing ("true", "false", or an expression evaluated per situation); `build_args`
    are `KEY=VALUE` (or a bare `KEY`) entries, `args_complete` False when some cannot be read.
    """

    tool: str
    step: StepRef
    place: Place
    via: tuple[str, ...]  # scripts, Makefile targets, bake targets on the way
    dockerfile: str | None
    context: str | None
    target: str | None
    target_known: bool
    build_args: tuple[str, ...]
    args_complete: bool
    cache_from: tuple[str, ...]
    cache_to: tuple[str, ...]
    cache_note: str | None  # why the cache settings cannot be judged (depot, expression)
    tags: tuple[str, ...]
    outputs: tuple[str, ...]
    push: str
    load: bool | None
    unresolved: tuple[str, ...] = ()
    places: Mapping[str, Place] = field(default_factory=dict)  # setting -> where written

    @property
    def label(self) -> str:
        return step_label(self.step, self.via)

    def at(self, key: str | None = None) -> Place:
        return self.places.get(key, self.place) if key else self.place

    @property
    def pushes_by_output(self) -> bool:
        return any(_pushes_output(o) for o in self.outputs)


@dataclass(frozen=True, slots=True)
class Opaque:
    """Something that may build, push or scan an image but cannot be read, and why."""

    kind: Literal["build", "scan", "workflow"]
    step: StepRef | None
    run: Run | None
    place: Place
    reason: str
    push: str | None = None  # "true"/"false"/expression when known, None when not known
    fails_job: bool | None = None  # for an opaque scan
    subject: str = ""  # the action, workflow or script that cannot be read

    @property
    def image_related(self) -> bool:
        """Whether the name of what cannot be read says it builds or publishes images."""
        name = self.subject.split("@")[0].rsplit("/", 1)[-1]
        return _IMAGEY.search(name)

    @property
    def label(self) -> str:
        if self.step is not None:
            return step_label(self.step)
        if self.run is not None:
            return self.run.label
        return self.place.path


@dataclass(frozen=True, slots=True)
class ImagePush:
    """A push of images after their build (`docker push`, push-to-registry, ...)."""

    tool: str
    step: StepRef
    place: Place
    images: tuple[str, ...]
    via: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return step_label(self.step)


@dataclass(frozen=True, slots=True)
class ImageScan:
    """One scan of an image (or of sources) and what decides whether it fails the job.

    `fails` is True when a finding makes the scanner exit non-zero, False when it never
    does (Trivy without `--exit-code`), None when that cannot be known; `ignored` names
    what keeps a failure from failing the job (`|| true`, `set +e`).
    """

    scanner: str
    step: StepRef
    place: Place
    kind: str  # "image" or the source scan type (fs, config, repo, ...)
    image: str | None
    tarball: str | None
    severity: str | None
    severity_place: Place
    exit_code: str | None
    exit_code_place: Place
    fails: bool | None
    fails_note: str
    ignored: str | None
    config_file: str | None = None
    via: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return step_label(self.step)


@dataclass(frozen=True, slots=True)
class Login:
    registry: str
    password: str  # the text the password comes from ("" when none)
    step: StepRef
    place: Place


@dataclass(frozen=True, slots=True)
class CiModel:
    workflows: tuple[tuple[str, Workflow], ...]
    runs: tuple[Run, ...]
    builds: tuple[ImageBuild, ...]
    opaque: tuple[Opaque, ...]
    pushes: tuple[ImagePush, ...]
    scans: tuple[ImageScan, ...]
    logins: tuple[Login, ...]
    problems: tuple[Evidence, ...]  # files that could not be read (with the reason)

    def builds_of(self, dockerfile: str) -> list[ImageBuild]:
        wanted = normalise(dockerfile)
        return [b for b in self.builds if b.dockerfile == wanted]


# --- Situations ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Situation:
    """One way GitHub can start a workflow, with the `github` context it has there."""

    label: str
    allowed: bool | None  # may an image be pushed here? None: depends on the default branch
    pull_request: bool  # a run on behalf of a pull request
    github: Open


_BAD_EVENTS = frozenset({"pull_request", "pull_request_target", "merge_group"})
_OTHER_BRANCH = "feature/x"


def _github(event_name: str, ref: str | None, default_branch: str | None, **extra: object) -> Open:
    repository = Open({"default_branch": default_branch or UNKNOWN, "fork": False})
    given = extra.pop("event", {})
    event_data = Open({"repository": repository, **(given if isinstance(given, dict) else {})})
    if ref is None:
        return Open({"event_name": event_name, "event": event_data, **extra})
    kind = "tag" if ref.startswith("refs/tags/") else "branch"
    name = ref.removeprefix("refs/tags/").removeprefix("refs/heads/")
    if ref.startswith("refs/pull/"):
        name = ref.removeprefix("refs/pull/")
    return Open(
        {
            "event_name": event_name,
            "ref": ref,
            "ref_name": name,
            "ref_type": kind,
            "head_ref": extra.pop("head_ref", ""),
            "base_ref": extra.pop("base_ref", ""),
            "event": event_data,
            **extra,
        }
    )


def _glob(pattern: str) -> re.Pattern[str]:
    """GitHub's filter pattern: `*` within a path segment, `**` across, `?`, `+`, `[]`."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append(".?")
            index += 1
        elif pattern[index] == "+" and parts:
            parts.append("+")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index)
            parts.append(pattern[index : end + 1] if end > 0 else re.escape("["))
            index = end + 1 if end > 0 else index + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts))


def _admits(patterns: tuple[str, ...] | None, ignored: tuple[str, ...] | None, name: str) -> bool:
    if patterns is not None:
        included = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            if _glob(pattern.removeprefix("!")).fullmatch(name):
                included = not negated
        return included
    if ignored is not None:
        return not any(_glob(p).fullmatch(name) for p in ignored)
    return True


def _sample(pattern: str) -> str:
    return (
        re.sub(r"\[[^\]]*\]", "x", pattern.removeprefix("!"))
        .replace("**", "x/y")
        .replace("*", "x")
        .replace("?", "x")
        .replace("+", "")
    )


def situations(
    workflow: Workflow,
    default_branch: str | None,
    workflows: Sequence[tuple[str, Workflow]] = (),
) -> tuple[list[Situation], list[str]]:
    """The situations the workflow's triggers start it in, and triggers not modelled.

    Pull requests (`pull_request`, and `pull_request_target`, whose `github.ref` is the base
    branch) never allow a push; nor does `merge_group` (a temporary gh-readonly-queue
    branch), which is not a pull-request event itself. A push to the default branch, a tag, a
    release, a schedule and a manual run allow it; a push to another branch the filters
    admit does not. `workflow_run` is as its triggering workflows (looked up by name in
    `workflows`): after a pull-request run it is a run on behalf of that pull request.
    With the default branch unknown, a push to a named branch is undecided (None).
    """
    found: list[Situation] = []
    unknown: list[str] = []
    main = f"refs/heads/{default_branch}" if default_branch else None
    for trigger in workflow.triggers:
        event = trigger.event
        if event in _BAD_EVENTS:
            found.append(_pull_request_situation(event, main, default_branch))
        elif event == "push":
            found.extend(_push_situations(trigger, main, default_branch))
        elif event == "workflow_dispatch":
            found.append(
                Situation(
                    tr("a manual run", "手動実行"),
                    True,
                    False,
                    _github(event, main, default_branch),
                )
            )
        elif event == "workflow_call":
            continue  # the callers' situations; see `Run`
        elif event == "release":
            found.append(
                Situation(
                    tr("a release", "リリース"),
                    True,
                    False,
                    _github(
                        event,
                        "refs/tags/v1.0.0",
                        default_branch,
                        event={"release": Open({"tag_name": "v1.0.0"})},
                    ),
                )
            )
        elif event == "workflow_run":
            found.extend(
                _workflow_run(trigger.filter("workflows") or (), workflows, main, default_branch)
            )
        else:  # schedule, repository_dispatch, ...: the default branch
            found.append(
                Situation(_a_run(event), True, False, _github(event, main, default_branch))
            )
    return found, unknown


def _pull_request_situation(event: str, main: str | None, default_branch: str | None) -> Situation:
    """A pull request, `pull_request_target` (on the base branch) or a merge queue run."""
    ref = "refs/pull/1/merge"
    if event == "pull_request_target":
        ref = main or "refs/heads/base"
    elif event == "merge_group":
        ref = f"refs/heads/gh-readonly-queue/{default_branch or 'main'}/pr-1"
    github = _github(
        event,
        ref,
        default_branch,
        head_ref=_OTHER_BRANCH,
        base_ref=default_branch or "base",
        event=(
            {"pull_request": Open({"head": Open(), "base": Open()}), "number": 1}
            if event != "merge_group"
            else {}
        ),
    )
    # A merge queue run is not a pull-request event: it tests the queued merge of an
    # approved pull request on a temporary gh-readonly-queue branch. Not a pull
    # request, but not the default branch either.
    return Situation(_a_run(event), False, event != "merge_group", github)


# radon D: GitHub's branch and tag filters of a push trigger, with the default branch maybe unknown.
def _push_situations(
    trigger: Trigger, main: str | None, default_branch: str | None
) -> list[Situation]:
    """The pushes a `push` trigger's branch and tag filters admit: to the default branch,
    to another branch, of a tag."""
    event = trigger.event
    found: list[Situation] = []
    branches, ignored = trigger.filter("branches"), trigger.filter("branches-ignore")
    tags, tags_ignored = trigger.filter("tags"), trigger.filter("tags-ignore")
    branch_filter = branches is not None or ignored is not None
    tag_filter = tags is not None or tags_ignored is not None
    if branch_filter or not tag_filter:
        if default_branch is None:
            for pattern in branches or ("main",):
                name = _sample(pattern)
                if _admits(branches, ignored, name):
                    found.append(
                        Situation(
                            tr(
                                "a push to the branch {name} (the default branch?)",
                                "ブランチ {name} への push（デフォルトブランチ？）",
                                name=name,
                            ),
                            None,
                            False,
                            _github(event, f"refs/heads/{name}", None),
                        )
                    )
        elif _admits(branches, ignored, default_branch):
            found.append(
                Situation(
                    tr(
                        "a push to {branch}",
                        "{branch} への push",
                        branch=default_branch,
                    ),
                    True,
                    False,
                    _github(event, main, default_branch),
                )
            )
        samples = [_sample(p) for p in branches or ()] + [_OTHER_BRANCH, "develop"]
        other = next(
            (
                s
                for s in samples
                if s != (default_branch or "")
                and _admits(branches, ignored, s)
                and (default_branch is not None or branches is None)
            ),
            None,
        )
        if other is not None:
            found.append(
                Situation(
                    tr(
                        "a push to the branch {name}",
                        "ブランチ {name} への push",
                        name=other,
                    ),
                    False,
                    False,
                    _github(event, f"refs/heads/{other}", default_branch),
                )
            )
    if tag_filter or not branch_filter:
        found.append(
            Situation(
                tr("a push of a tag", "タグの push"),
                True,
                False,
                _github(event, "refs/tags/v1.0.0", default_branch),
            )
        )
    return found


def _a_run(event: str) -> str:
    return tr("a {event} run", "{event} の実行", event=event)


def _workflow_run(
    names: tuple[str, ...],
    workflows: Sequence[tuple[str, Workflow]],
    main: str | None,
    default_branch: str | None,
) -> list[Situation]:
    events: set[str] = set()
    for name in names:
        for path, other in workflows:
            if other.name == name or posixpath.basename(path) == name:
                events.update(t.event for t in other.triggers)
    if not events:
        events = {"push", "pull_request"}  # the triggering workflow is not known
    found: list[Situation] = []
    for event in sorted(events):
        run = Open({"event": event, "conclusion": "success", "pull_requests": [Open()]})
        github = _github("workflow_run", main, default_branch, event={"workflow_run": run})
        bad = event in _BAD_EVENTS
        label = tr(
            "a workflow_run after a {event} run",
            "{event} の実行に続く workflow_run",
            event=event,
        )
        found.append(Situation(label, not bad, bad, github))
    return found


def read_git_default_branch(target: Target) -> str | None:
    """The default branch from the target's git metadata, read as files (git is never run):
    `refs/remotes/origin/HEAD`, else the branch `HEAD` has checked out."""
    for path in (".git/refs/remotes/origin/HEAD", ".git/HEAD"):
        try:
            if not target.is_file(path):
                continue
            text = target.read_text(path).strip()
        except InputError:
            continue
        match = re.fullmatch(r"ref:\s*refs/(?:remotes/origin|heads)/(\S+)", text)
        if match:
            return match.group(1)
    return None


# --- Building the model ----------------------------------------------------------------------

_MODELS: weakref.WeakKeyDictionary[Target, tuple[CiModel, frozenset[tuple[str, str]]]] = (
    weakref.WeakKeyDictionary()
)
_MODEL_LOCK = threading.Lock()


def model(target: Target) -> CiModel:
    """The CI build model of the target, built once per Target and shared by the checks.

    A later caller re-reads what the model read (from the Target's cache), so the serve
    cache knows every check that asks for the model depends on those files.
    """
    with _MODEL_LOCK:
        known = _MODELS.get(target)
        if known is None:
            with target.tracing() as probes:
                built = _Builder(target).build()
            known = (built, frozenset(probes))
            _MODELS[target] = known
            return built
    built, probed = known
    for kind, rel in sorted(probed):
        try:
            if kind == "content":
                target.read_bytes(rel)
                target.parse(rel, _touch)
            elif kind == "listing":
                list(target.files(rel))
            else:
                target.exists(rel)
        except InputError:
            pass
    return built


def _touch(data: bytes) -> int:
    return len(data)


def image_builds(target: Target) -> list[ImageBuild]:
    """Every image build the target's workflows perform that the model can see, with its
    Dockerfile, context and target stage (`ImageBuild.dockerfile`, `.context`, `.target`);
    None in a field means it cannot be resolved statically. Builds written once but run
    per matrix combination are listed per combination."""
    return list(model(target).builds)


def _bake_environment(ref: StepRef) -> dict[str, str | None]:
    """The environment bake reads variables from: the step's env, GitHub's own unknown."""
    environment: dict[str, str | None] = {}
    context = ref.scope.context()
    for name, value in context["env"].items():
        environment[name] = None if value is UNKNOWN else str(value)
    for name in ("GITHUB_REF", "GITHUB_SHA", "GITHUB_REF_NAME", "GITHUB_RUN_ID"):
        environment.setdefault(name, None)
    return environment


def _cli_context(context_word: str | None, directory: str, unresolved: list[str]) -> str | None:
    """The build context folder of a `docker build` command line; None (with the reason added
    to `unresolved`) when it is missing, remote or not known statically."""
    context: str | None = None
    if context_word is None:
        unresolved.append(
            tr("the build has no context argument", "ビルドにコンテキストの引数がない")
        )
    elif context_word == "-" or "://" in context_word or context_word.startswith("git@"):
        unresolved.append(
            tr(
                "the context {context} is not a folder of the repository",
                "コンテキスト {context} はリポジトリのフォルダーではない",
                context=context_word,
            )
        )
    elif _unresolved(context_word):
        unresolved.append(
            tr(
                "the context {context} uses a value not known statically",
                "コンテキスト {context} は静的に分からない値を使う",
                context=context_word,
            )
        )
    else:
        context = normalise(posixpath.join(directory, context_word))
    return context


def _trivy_action(
    ref: StepRef,
    here: Place,
    values: Mapping[str, str],
    places: Mapping[str, Place],
    env_text: Callable[[str], str | None],
) -> ImageScan:
    """aquasecurity/trivy-action, with TRIVY_SEVERITY and TRIVY_EXIT_CODE from the env."""
    kind = (values.get("scan-type") or "image").strip().lower() or "image"
    severity = values.get("severity")
    if severity is None or severity.strip() == "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL":
        severity = env_text("TRIVY_SEVERITY") or severity
    exit_code = values.get("exit-code") or env_text("TRIVY_EXIT_CODE")
    fails, note = _exit_code_fails(exit_code, _TRIVY_DEFAULT)
    return ImageScan(
        "trivy",
        ref,
        here,
        kind,
        (values.get("image-ref") or "").strip() or None,
        (values.get("input") or "").strip() or None,
        severity,
        places.get("severity", here),
        exit_code,
        places.get("exit-code", here),
        fails,
        note,
        None,
        (values.get("trivy-config") or "").strip() or None,
    )


def _grype_action(
    ref: StepRef, here: Place, values: Mapping[str, str], places: Mapping[str, Place]
) -> ImageScan:
    """anchore/scan-action: Grype fails the build at the cutoff unless fail-build is false."""
    fail_build = (values.get("fail-build") or "true").strip().lower()
    fails = None if has_expression(fail_build) else fail_build == "true"
    return ImageScan(
        "grype",
        ref,
        here,
        "image" if values.get("image") else "fs",
        (values.get("image") or "").strip() or None,
        None,
        values.get("severity-cutoff") or "medium",
        places.get("severity-cutoff", here),
        fail_build,
        places.get("fail-build", here),
        fails,
        tr(
            "fail-build (default true) fails the job at the severity cutoff",
            "fail-build（既定 true）は重大度の閾値でジョブを失敗させる",
        )
        if fails
        else tr(
            "fail-build: false never fails the job",
            "fail-build: false ではジョブは失敗しない",
        ),
        None,
    )


def _snyk_action(
    name: str, ref: StepRef, here: Place, values: Mapping[str, str], places: Mapping[str, Place]
) -> ImageScan:
    """snyk/actions/*: Snyk exits 1 on findings."""
    args = values.get("args", "")
    return ImageScan(
        "snyk",
        ref,
        here,
        "image" if name.endswith("/docker") else "fs",
        (values.get("image") or "").strip() or None,
        None,
        _flag_value(args.split(), "--severity-threshold"),
        places.get("args", here),
        None,
        here,
        True,
        tr(
            "Snyk exits 1 when it finds vulnerabilities",
            "Snyk は脆弱性を見つけると 1 で終了する",
        ),
        None,
    )


def _scout_action(
    ref: StepRef, here: Place, values: Mapping[str, str], places: Mapping[str, Place]
) -> ImageScan:
    """docker/scout-action: findings fail the job only with exit-code: true."""
    exit_code = (values.get("exit-code") or "false").strip().lower()
    fails = None if has_expression(exit_code) else exit_code == "true"
    return ImageScan(
        "docker scout",
        ref,
        here,
        "image",
        (values.get("image") or "").strip() or None,
        None,
        values.get("only-severities"),
        places.get("only-severities", here),
        exit_code,
        places.get("exit-code", here),
        fails,
        tr(
            "exit-code: true fails the job on findings",
            "exit-code: true は検出があるとジョブを失敗させる",
        )
        if fails
        else tr(
            "exit-code is false (the default): findings never fail the job",
            "exit-code が false（既定）: 検出があってもジョブは失敗しない",
        ),
        None,
    )


_GLOBAL_VALUED = frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"})


def _container_subcommand(program: str, args: list[str]) -> tuple[str, list[str]]:
    """What a docker, podman or buildah command line does ("buildah build", "build", "bake",
    "imagetools", "compose", "push", "login", "trivy", "scout", or "" for anything else) and
    the words after the subcommand."""
    words = list(args)
    while words and words[0].startswith("-"):  # global options before the subcommand
        words = words[2:] if words[0] in _GLOBAL_VALUED else words[1:]
    if not words:
        return "", []
    sub, rest = words[0], words[1:]
    if program == "buildah" and sub in ("bud", "build", "build-using-dockerfile"):
        return "buildah build", rest
    if sub == "build":
        return "build", rest
    if (sub == "image" and rest[:1] == ["build"]) or (
        sub in ("buildx", "builder") and rest[:1] in (["build"], ["b"])
    ):
        return "build", rest[1:]
    return _other_subcommand(sub, rest)


def _other_subcommand(sub: str, rest: list[str]) -> tuple[str, list[str]]:
    if sub == "buildx" and rest[:1] == ["bake"]:
        return "bake", rest[1:]
    if sub == "buildx" and rest[:2] == ["imagetools", "create"]:
        return "imagetools", rest[2:]
    if sub == "compose":
        return "compose", rest
    if sub == "push":
        return "push", rest
    if sub in ("image", "manifest") and rest[:1] == ["push"]:
        return "push", rest[1:]
    if sub == "login":
        return "login", rest
    if sub == "run" and any(_TRIVY_IMAGE.match(w) for w in rest):
        index = next(i for i, w in enumerate(rest) if _TRIVY_IMAGE.match(w))
        return "trivy", rest[index + 1 :]
    if sub == "scout" and rest[:1] in (["cves"], ["quickview"], ["cve"]):
        return "scout", rest[1:]
    return "", rest


class _Builder:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.workflows: list[tuple[str, Workflow]] = []
        self.runs: list[Run] = []
        self.builds: list[ImageBuild] = []
        self.opaque: list[Opaque] = []
        self.pushes: list[ImagePush] = []
        self.scans: list[ImageScan] = []
        self.logins: list[Login] = []
        self.problems: list[Evidence] = []

    def build(self) -> CiModel:
        for path in workflow_files(self.target):
            self.workflows.append((path, self.target.parse(path, read_workflow)))
        called = self._locally_called()
        for path, workflow in self.workflows:
            events = {t.event for t in workflow.triggers}
            only_called = events <= {"workflow_call"} and bool(events)
            if only_called and path in called:
                continue
            self._root(path, workflow, external=only_called)
        return CiModel(
            tuple(self.workflows),
            tuple(self.runs),
            tuple(_dedupe_builds(self.builds)),
            tuple(self.opaque),
            tuple(self.pushes),
            tuple(self.scans),
            tuple(self.logins),
            tuple(self.problems),
        )

    def _locally_called(self) -> set[str]:
        found: set[str] = set()
        for _, workflow in self.workflows:
            for job in workflow.jobs:
                if job.uses is not None and job.uses.kind == "local":
                    found.add(normalise(job.uses.raw.partition("@")[0]))
        return found

    def _root(self, path: str, workflow: Workflow, *, external: bool) -> None:
        scope = Scope(
            env={k: v.text for k, v in workflow.env.items()},
            dispatch_inputs=workflow.trigger("workflow_dispatch") is not None,
        )
        for job in workflow.jobs:
            self._job(path, workflow, job, scope, (), (), path, workflow, 0, external)

    def _job(
        self,
        path: str,
        workflow: Workflow,
        job: Job,
        scope: Scope,
        jobs: tuple[str, ...],
        gates: tuple[Gate, ...],
        root: str,
        root_workflow: Workflow,
        depth: int,
        external: bool,
    ) -> None:
        job_place = Place(path, job.line, workflow.excerpt(job.line) or None)
        for variant, matrix in self._variants(job):
            job_scope = Scope(
                matrix=matrix,
                env={**scope.env, **{k: v.text for k, v in job.env.items()}},
                inputs=scope.inputs,
                dispatch_inputs=scope.dispatch_inputs,
            )
            job_gates = gates
            if job.if_ is not None:
                job_gates = (
                    *gates,
                    Gate(
                        job.if_.text,
                        Place(path, job.if_.line, workflow.excerpt(job.if_.line)),
                        job_scope,
                    ),
                )
            run = Run(
                root,
                root_workflow,
                path,
                workflow,
                job,
                (*jobs, job.id),
                variant,
                job_scope,
                job_gates,
                external,
            )
            if job.uses is not None:
                self._call(run, job, job_place, depth)
                continue
            self.runs.append(run)
            self._steps(
                run, job.steps, path, workflow.lines, job_scope, job_gates, (), (), ".", depth, ()
            )
            if job.continue_on_error is not None:
                pass  # read per step below through `_continue_gates`

    def _variants(self, job: Job) -> list[tuple[str | None, dict[str, Any] | None]]:
        if job.matrix is None:
            return [(None, {})]
        combos = job.matrix.combinations()
        if combos is None or not combos:
            return [(None, None)]  # the matrix is an expression: values unknown
        if len(combos) > _MAX_VARIANTS:
            return [(None, None)]
        found: list[tuple[str | None, dict[str, Any] | None]] = []
        for combo in combos:
            shown = ", ".join(
                f"{k}={v}" if not isinstance(v, dict | list) else f"{k}={_short(v)}"
                for k, v in combo.items()
            )
            found.append((f"matrix: {shown}", combo))
        return found

    def _call(self, run: Run, job: Job, place: Place, depth: int) -> None:
        uses = job.uses
        assert uses is not None
        if uses.kind != "local":
            self.opaque.append(
                Opaque(
                    "workflow",
                    None,
                    run,
                    place,
                    tr(
                        "job '{job}' calls the reusable workflow {uses}, which is not in this "
                        "repository, so what it builds, pushes or scans cannot be read",
                        "ジョブ '{job}' はこのリポジトリにない再利用可能ワークフロー {uses} を"
                        "呼び出すため、何をビルド、push、スキャンするかは読み取れない",
                        job=job.id,
                        uses=uses.raw,
                    ),
                    subject=uses.raw,
                )
            )
            return
        callee_path = normalise(uses.raw.partition("@")[0])
        if depth >= _MAX_DEPTH:
            return
        try:
            callee = (
                self.target.parse(callee_path, read_workflow)
                if self.target.is_file(callee_path)
                else None
            )
        except InputError as error:
            self.problems.append(place.evidence(_cannot_read(callee_path, error)))
            callee = None
        if callee is None:
            self.opaque.append(
                Opaque(
                    "workflow",
                    None,
                    run,
                    place,
                    tr(
                        "job '{job}' calls {uses}, which is not in the target",
                        "ジョブ '{job}' はターゲットにない {uses} を呼び出す",
                        job=job.id,
                        uses=uses.raw,
                    ),
                )
            )
            return
        call = callee.trigger("workflow_call")
        specs = call.inputs if call is not None else {}
        inputs: dict[str, _Input] = {}
        for name, spec in specs.items():
            kind = spec.get("type") if isinstance(spec, dict) else None
            default = spec.get("default") if isinstance(spec, dict) else None
            if name in job.inputs:
                inputs[name] = _Input(job.inputs[name].text, run.scope, kind)
            elif default is not None:
                inputs[name] = _Input(str(default), Scope(), kind)
            else:
                inputs[name] = _Input("", Scope(), kind)
        for name, value in job.inputs.items():
            inputs.setdefault(name, _Input(value.text, run.scope, None))
        scope = Scope(env={k: v.text for k, v in callee.env.items()}, inputs=inputs)
        for inner in callee.jobs:
            self._job(
                callee_path,
                callee,
                inner,
                scope,
                run.jobs,
                run.gates,
                run.root,
                run.root_workflow,
                depth + 1,
                run.external_callers,
            )

    def _steps(
        self,
        run: Run,
        steps: Sequence[Step],
        path: str,
        lines: tuple[str, ...],
        scope: Scope,
        gates: tuple[Gate, ...],
        position: tuple[int, ...],
        continue_gates: tuple[Gate, ...],
        default_directory: str,
        depth: int,
        caller_labels: tuple[str, ...],
    ) -> None:
        job = run.job
        for step in steps:
            step_scope = scope.with_env(step.env)
            step_gates = gates
            if step.if_ is not None:
                step_gates = (
                    *gates,
                    Gate(
                        step.if_.text,
                        Place(path, step.if_.line, _line(lines, step.if_.line)),
                        step_scope,
                    ),
                )
            step_continue = continue_gates
            if step.continue_on_error is not None:
                step_continue = (
                    *step_continue,
                    Gate(
                        step.continue_on_error.text,
                        Place(
                            path,
                            step.continue_on_error.line,
                            _line(lines, step.continue_on_error.line),
                        ),
                        step_scope,
                    ),
                )
            if not position and job.continue_on_error is not None:
                step_continue = (
                    *step_continue,
                    Gate(
                        job.continue_on_error.text,
                        Place(
                            run.path,
                            job.continue_on_error.line,
                            run.workflow.excerpt(job.continue_on_error.line),
                        ),
                        run.scope,
                    ),
                )
            directory = default_directory
            if step.working_directory is not None:
                directory = normalise(step_scope.fill(step.working_directory.text))
            label = " > ".join((*caller_labels, step.label))
            ref = StepRef(
                run,
                (*position, step.index),
                step,
                path,
                lines,
                step_scope,
                step_gates,
                step_continue,
                directory,
                label,
            )
            if step.uses is not None:
                self._uses(ref, step.uses, depth)
            elif step.run is not None:
                script = step_scope.fill(step.run.text)
                self._script(ref, script, step.run.line, path, lines, directory, (), depth)

    def _opaque(
        self,
        kind: Literal["build", "scan"],
        ref: StepRef,
        place: Place,
        reason: str,
        push: str | None = None,
    ) -> None:
        """Record what cannot be read. An opaque build that runs with no registry login or
        credentials before it in its job cannot push (registries refuse anonymous pushes)."""
        if kind == "build" and push is None and not self._credentials(ref):
            push = "false"
            reason = tr(
                "{reason}; no registry login or credentials reach it, so it cannot push",
                "{reason}。レジストリへのログインも認証情報も届かないため push できない",
                reason=reason,
            )
        self.opaque.append(Opaque(kind, ref, ref.run, place, reason, push=push))

    def _credentials(self, ref: StepRef) -> bool:
        if any(
            login.step.job_key == ref.job_key and login.step.position <= ref.position
            for login in self.logins
        ):
            return True
        texts = [v.text for v in ref.step.inputs.values()] + [v.text for v in ref.step.env.values()]
        if ref.step.run is not None:
            texts.append(ref.step.run.text)
        return any("secrets." in t or "github.token" in t for t in texts)

    # -- actions ----------------------------------------------------------------------------

    def _inputs(self, ref: StepRef) -> dict[str, str]:
        return {k.casefold(): ref.scope.fill(v.text) for k, v in ref.step.inputs.items()}

    def _input_places(self, ref: StepRef) -> dict[str, Place]:
        return {k.casefold(): ref.place(v.line) for k, v in ref.step.inputs.items()}

    # radon D: one branch per kind of step action (local, docker, composite, build, scan, push ...).
    def _uses(self, ref: StepRef, uses: ActionRef, depth: int) -> None:
        name = uses.name.casefold()
        if uses.kind == "local":
            self._composite(ref, uses, depth)
            return
        if uses.kind == "docker":
            return
        values = self._inputs(ref)
        places = self._input_places(ref)
        if name in ("docker/build-push-action", "depot/build-push-action"):
            self._action_build(ref, name, values, places)
        elif name == "docker/bake-action" or name.startswith("docker/bake-action/"):
            self._bake_action(ref, values, places)
        elif name == "redhat-actions/buildah-build":
            self._buildah_action(ref, values, places)
        elif name == "redhat-actions/push-to-registry":
            image = values.get("image", "")
            tags = values.get("tags", "").split() or ["latest"]
            registry = values.get("registry", "")
            images = tuple(
                f"{registry.rstrip('/')}/{image}:{tag}" if registry else f"{image}:{tag}"
                for tag in tags
            )
            self.pushes.append(ImagePush(uses.name, ref, ref.place(ref.step.uses_line), images))
        elif name == "docker/login-action":
            registry = values.get("registry", "").strip() or "docker.io"
            password = ref.step.input("password")
            self.logins.append(
                Login(
                    _registry_host(registry),
                    password.text if password else "",
                    ref,
                    ref.place(password.line if password else ref.step.line),
                )
            )
        elif name == "goreleaser/goreleaser-action":
            self._goreleaser(ref, values)
        elif name in _SCAN_ACTIONS:
            self._action_scan(ref, name, values, places)
        elif name in ("nick-fields/retry", "wandalen/wretry.action") and "command" in values:
            line = ref.step.input("command")
            self._script(
                ref,
                values["command"],
                line.line if line else ref.step.line,
                ref.path,
                ref.lines,
                ref.working_directory,
                (),
                depth,
            )
        elif _looks_like(name, _SCAN_WORDS):
            self._opaque(
                "scan",
                ref,
                ref.place(ref.step.uses_line),
                tr(
                    "the remote action {uses} scans images; what makes it fail is defined "
                    "outside this repository",
                    "リモートアクション {uses} はイメージをスキャンするが、何で失敗するかは"
                    "このリポジトリの外で定義されている",
                    uses=uses.raw,
                ),
            )
        elif (_looks_like(name, _BUILD_WORDS) and _looks_like(name, _IMAGE_WORDS)) or (
            _credential_inputs(ref.step) and not _BENIGN.search(name)
        ):
            self._opaque(
                "build",
                ref,
                ref.place(ref.step.uses_line),
                tr(
                    "the remote action {uses} may build or push images; what it does is "
                    "defined outside this repository",
                    "リモートアクション {uses} はイメージをビルドまたは push しうるが、何をするかは"
                    "このリポジトリの外で定義されている",
                    uses=uses.raw,
                ),
            )

    def _composite(self, ref: StepRef, uses: ActionRef, depth: int) -> None:
        folder = normalise(uses.raw)
        path = next(
            (
                p
                for p in (f"{folder}/action.yml", f"{folder}/action.yaml")
                if self.target.is_file(p)
            ),
            None,
        )
        if path is None:
            self._opaque(
                "build",
                ref,
                ref.place(ref.step.uses_line),
                tr(
                    "the local action {uses} is not in the target",
                    "ローカルアクション {uses} がターゲットにない",
                    uses=uses.raw,
                ),
            )
            return
        try:
            action: Action = self.target.parse(path, read_action)
        except InputError as error:
            self.problems.append(ref.place().evidence(_cannot_read(path, error)))
            return
        if action.using != "composite" or depth >= _MAX_DEPTH:
            return
        inputs: dict[str, _Input] = {}
        for name, default in action.inputs.items():
            given = ref.step.input(name)
            if given is not None:
                inputs[name] = _Input(given.text, ref.scope, None)
            else:
                inputs[name] = _Input(default or "", Scope(), None)
        scope = Scope(
            matrix=None,
            env=ref.scope.env,
            inputs=inputs,
        )
        scope.matrix = {}  # a composite action sees no matrix context of its own
        self._steps(
            ref.run,
            action.steps,
            path,
            action.lines,
            scope,
            ref.gates,
            ref.position,
            ref.continue_on_error,
            ref.working_directory,
            depth + 1,
            (ref.step.label,),
        )

    # radon D: build-push-action's context, file, push, load and outputs each decide the build.
    def _action_build(
        self, ref: StepRef, name: str, values: Mapping[str, str], places: Mapping[str, Place]
    ) -> None:
        unresolved: list[str] = []
        raw_context = values.get("context")
        file_input = values.get("file")
        git = raw_context is None or raw_context.strip().startswith("{{defaultContext}}")
        context: str | None
        if raw_context is None:
            context = "."
        elif has_expression(raw_context):
            context = None
            unresolved.append(_not_static("context", raw_context.strip()))
        else:
            text = raw_context.strip().removeprefix("{{defaultContext}}").removeprefix(":")
            context = normalise(text or ".") if not re.match(r"^[a-z]+://", text) else None
            if context is None:
                unresolved.append(
                    tr(
                        "the context {context} is a remote URL",
                        "コンテキスト {context} はリモートの URL",
                        context=text,
                    )
                )
        dockerfile: str | None
        if file_input and has_expression(file_input):
            dockerfile = None
            unresolved.append(_not_static("file", file_input.strip()))
        elif file_input:
            base = context if git and context is not None else "."
            dockerfile = normalise(posixpath.join(base, file_input.strip()))
        elif context is not None:
            dockerfile = normalise(posixpath.join(context, "Dockerfile"))
        else:
            dockerfile = None
        target_text = values.get("target", "").strip()
        outputs = tuple(input_list(values.get("outputs"), ignore_comma=True, quote=False))
        build_args = tuple(input_list(values.get("build-args"), ignore_comma=True))
        cache_note = None
        if name.startswith("depot/"):
            cache_note = tr(
                "depot's builders keep their own layer cache; cache-from/cache-to are not used",
                "depot のビルダーは独自のレイヤーキャッシュを持ち、cache-from/cache-to は"
                "使われない",
            )
        load_text = values.get("load", "false").strip().lower()
        load: bool | None = load_text == "true" or any(_output_type(o) == "docker" for o in outputs)
        push = values.get("push", "false").strip() or "false"
        if any(_pushes_output(o) for o in outputs):
            push = "true"
        self.builds.append(
            ImageBuild(
                tool=name,
                step=ref,
                place=ref.place(ref.step.uses_line),
                via=(),
                dockerfile=dockerfile,
                context=context,
                target=target_text if target_text and not has_expression(target_text) else None,
                target_known=not has_expression(target_text),
                build_args=build_args,
                args_complete=not any(has_expression(a) and "=" not in a for a in build_args),
                cache_from=tuple(input_list(values.get("cache-from"), ignore_comma=True)),
                cache_to=tuple(input_list(values.get("cache-to"), ignore_comma=True)),
                cache_note=cache_note,
                tags=tuple(input_list(values.get("tags"))),
                outputs=outputs,
                push=push,
                load=load,
                unresolved=tuple(unresolved),
                places=dict(places),
            )
        )

    def _buildah_action(
        self, ref: StepRef, values: Mapping[str, str], places: Mapping[str, Place]
    ) -> None:
        context_text = values.get("context", ".").strip() or "."
        files = (values.get("containerfiles") or values.get("dockerfiles") or "").split()
        unresolved: list[str] = []
        context = None if has_expression(context_text) else normalise(context_text)
        dockerfile: str | None = None
        if files:
            first = files[0]
            if has_expression(first):
                unresolved.append(_not_static("containerfiles", first))
            else:
                dockerfile = normalise(first)
        elif context is not None:
            dockerfile = self._default_containerfile(context)
        if context is None:
            unresolved.append(_not_static("context", context_text))
        image = values.get("image", "").strip()
        tags = tuple(f"{image}:{t}" for t in values.get("tags", "latest").split()) if image else ()
        self.builds.append(
            ImageBuild(
                tool="redhat-actions/buildah-build",
                step=ref,
                place=ref.place(ref.step.uses_line),
                via=(),
                dockerfile=dockerfile,
                context=context,
                target=None,
                target_known=True,
                build_args=tuple(input_list(values.get("build-args"), ignore_comma=True)),
                args_complete=True,
                cache_from=(),
                cache_to=(),
                cache_note=None,
                tags=tags,
                outputs=(),
                push="false",
                load=True,
                unresolved=tuple(unresolved),
                places=dict(places),
            )
        )

    def _default_containerfile(self, context: str) -> str:
        for name in ("Containerfile", "Dockerfile"):
            path = normalise(posixpath.join(context, name))
            try:
                if self.target.is_file(path):
                    return path
            except InputError:
                pass
        return normalise(posixpath.join(context, "Containerfile"))

    def _goreleaser(self, ref: StepRef, values: Mapping[str, str]) -> None:
        args = values.get("args", "")
        words = args.split()
        no_publish = (
            "--snapshot" in words
            or any(
                w in ("--skip-publish",) or (w.startswith("--skip=") and "publish" in w)
                for w in words
            )
            or (
                "--skip" in words
                and any(
                    "publish" in w
                    for w in words[words.index("--skip") + 1 : words.index("--skip") + 2]
                )
            )
        )
        self.opaque.append(
            Opaque(
                "build",
                ref,
                ref.run,
                ref.place(ref.step.uses_line),
                tr(
                    "goreleaser builds the images its .goreleaser.yaml `dockers:` section "
                    "defines, which this model does not read",
                    "goreleaser は .goreleaser.yaml の `dockers:` セクションが定義するイメージを"
                    "ビルドするが、このモデルはそれを読まない",
                ),
                push="false" if no_publish else ("true" if "release" in words else None),
            )
        )

    def _bake_action(
        self, ref: StepRef, values: Mapping[str, str], places: Mapping[str, Place]
    ) -> None:
        files = input_list(values.get("files") or "", ignore_comma=False) or []
        targets = input_list(values.get("targets") or "")
        overrides = input_list(values.get("set"), ignore_comma=True)
        push = values.get("push", "false").strip() or "false"
        load = values.get("load", "false").strip().lower() == "true"
        source = values.get("source", "").strip()
        base = (
            normalise(source)
            if source
            and source not in (".",)
            and not has_expression(source)
            and "://" not in source
            else "."
        )
        self._bake(
            ref,
            files,
            targets,
            overrides,
            push,
            load,
            base,
            ref.place(ref.step.uses_line),
            (),
            places,
        )

    def _bake(
        self,
        ref: StepRef,
        files: list[str],
        targets: list[str],
        overrides: list[str],
        push: str,
        load: bool,
        base: str,
        place: Place,
        via: tuple[str, ...],
        places: Mapping[str, Place],
    ) -> None:
        found = self._bake_files(ref, files, base, push, place, via)
        if found is None:
            return
        files, loaded, extra_tags = found
        if not loaded:
            if not files:
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr("no bake file is in the target", "ターゲットに bake ファイルがない"),
                )
            return
        from checks.readers.bake import resolve  # noqa: PLC0415 - only a target with bake files

        environment = _bake_environment(ref)
        resolved = resolve(loaded, targets, environment, overrides)
        for missing in resolved.missing:
            if missing != "docker-metadata-action":
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "the bake target {missing} is not defined in {files}",
                        "bake ターゲット {missing} は {files} に定義されていない",
                        missing=missing,
                        files=", ".join(p for p, _ in loaded),
                    ),
                )
        for item in resolved.targets:
            self._bake_target(
                ref,
                item,
                base,
                push=push,
                load=load,
                place=place,
                via=via,
                places=places,
                extra_tags=extra_tags,
            )

    def _bake_files(
        self,
        ref: StepRef,
        files: list[str],
        base: str,
        push: str,
        place: Place,
        via: tuple[str, ...],
    ) -> tuple[list[str], list[tuple[str, BakeFile]], list[str]] | None:
        """(the files named or found by default, the bake files read, tags added by
        docker/metadata-action); None when a file cannot be resolved or read (the build is
        then opaque). A compose file is read as compose builds."""
        from checks.readers.bake import read_bake_hcl, read_bake_json  # noqa: PLC0415 - as above

        loaded: list[tuple[str, BakeFile]] = []
        extra_tags: list[str] = []
        if not files:
            defaults = (
                "docker-bake.json",
                "docker-bake.override.json",
                "docker-bake.hcl",
                "docker-bake.override.hcl",
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
            )
            files = [f for f in defaults if self.target.is_file(normalise(posixpath.join(base, f)))]
            files = [f for f in files if not f.startswith(("compose", "docker-compose"))] or files
        for written in files:
            name = written.strip()
            if has_expression(name) and "outputs.bake-file" in name:
                extra_tags.append("(tags from docker/metadata-action)")
                continue
            if has_expression(name):
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "the bake file {name} cannot be resolved statically",
                        "bake ファイル {name} は静的に解決できない",
                        name=name,
                    ),
                )
                return None
            path = normalise(posixpath.join(base, name.removeprefix("cwd://")))
            if not self.target.is_file(path):
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "the bake file {path} is not in the target",
                        "bake ファイル {path} がターゲットにない",
                        path=path,
                    ),
                )
                return None
            try:
                if path.endswith(".json"):
                    loaded.append((path, self.target.parse(path, read_bake_json)))
                elif path.endswith((".yml", ".yaml")):
                    self._compose_build(ref, [path], [], [], push, place, (*via, f"bake {path}"))
                    continue
                else:
                    loaded.append((path, self.target.parse(path, read_bake_hcl)))
            except InputError as error:
                self.problems.append(
                    Evidence(_cannot_read(path, error), path=path, line=error.line)
                )
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "the bake file {path} cannot be read: {error}",
                        "bake ファイル {path} を読み取れない: {error}",
                        path=path,
                        error=error.message,
                    ),
                )
                return None
        return files, loaded, extra_tags

    # radon D: a bake target's context, Dockerfile, push and load, each maybe unknown.
    def _bake_target(
        self,
        ref: StepRef,
        item: BakeTarget,
        base: str,
        *,
        push: str,
        load: bool,
        place: Place,
        via: tuple[str, ...],
        places: Mapping[str, Place],
        extra_tags: list[str],
    ) -> None:
        """One resolved bake target as an image build."""
        unresolved: list[str] = [
            tr(
                "bake target {name}: {key} cannot be evaluated statically",
                "bake ターゲット {name}: {key} は静的に評価できない",
                name=item.name,
                key=key,
            )
            for key in item.unknown
            if key in ("context", "dockerfile")
        ]
        context_dir = item.context
        if context_dir is not None and re.match(r"^[a-z]+://", context_dir):
            unresolved.append(
                tr(
                    "the context {context} is remote",
                    "コンテキスト {context} はリモート",
                    context=context_dir,
                )
            )
            context_dir = None
        ctx = (
            normalise(posixpath.join(base, context_dir))
            if context_dir is not None
            else (None if "context" in item.unknown else base)
        )
        dockerfile: str | None = None
        if item.dockerfile_inline:
            unresolved.append(
                tr(
                    "bake target {name} has an inline Dockerfile",
                    "bake ターゲット {name} にはインラインの Dockerfile がある",
                    name=item.name,
                )
            )
        elif ctx is not None and "dockerfile" not in item.unknown:
            dockerfile = normalise(posixpath.join(ctx, item.dockerfile or "Dockerfile"))
        where = {k: Place(p, ln, None) for k, (p, ln) in item.lines.items()}
        target_place = Place(item.path, item.line, None)
        bake_places = {
            **places,
            "cache-from": where.get("cache-from", target_place),
            "cache-to": where.get("cache-to", target_place),
            "build-args": where.get("args", target_place),
            "target": where.get("target", target_place),
        }
        item_push = push
        if item.push is True:
            item_push = "true"
        if any(_pushes_output(o) for o in item.outputs):
            item_push = "true"
        self.builds.append(
            ImageBuild(
                tool="docker/bake-action" if not via else "docker buildx bake",
                step=ref,
                place=place,
                via=(
                    *via,
                    tr(
                        "bake target {name} ({path}:{line})",
                        "bake ターゲット {name}（{path}:{line}）",
                        name=item.name,
                        path=item.path,
                        line=item.line,
                    ),
                ),
                dockerfile=dockerfile,
                context=ctx,
                target=item.target,
                target_known="target" not in item.unknown,
                build_args=tuple(
                    f"{k}={v}" if v is not None else f"{k}=${{unknown}}"
                    for k, v in item.args.items()
                ),
                args_complete="args" not in item.unknown,
                cache_from=item.cache_from,
                cache_to=item.cache_to,
                cache_note=tr(
                    "the bake definition's cache settings cannot be evaluated statically",
                    "bake 定義のキャッシュ設定は静的に評価できない",
                )
                if {"cache-from", "cache-to"} & set(item.unknown)
                else None,
                tags=item.tags + tuple(extra_tags),
                outputs=item.outputs,
                push=item_push,
                load=load or any(_output_type(o) == "docker" for o in item.outputs),
                unresolved=tuple(unresolved),
                places=bake_places,
            )
        )

    def _action_scan(
        self, ref: StepRef, name: str, values: Mapping[str, str], places: Mapping[str, Place]
    ) -> None:
        step = ref.step
        here = ref.place(step.uses_line)
        env = ref.scope.context()["env"]

        def env_text(key: str) -> str | None:
            value = env.get(key) if isinstance(env, dict) else None
            return None if value is None or value is UNKNOWN else str(value)

        if name == "aquasecurity/trivy-action":
            self.scans.append(_trivy_action(ref, here, values, places, env_text))
        elif name == "anchore/scan-action":
            self.scans.append(_grype_action(ref, here, values, places))
        elif name.startswith("snyk/actions/"):
            self.scans.append(_snyk_action(name, ref, here, values, places))
        elif name == "docker/scout-action":
            self.scans.append(_scout_action(ref, here, values, places))

    # -- scripts ----------------------------------------------------------------------------

    def _script(
        self,
        ref: StepRef,
        script: str,
        line: int,
        path: str,
        lines: tuple[str, ...],
        directory: str,
        via: tuple[str, ...],
        depth: int,
        variables: Mapping[str, list[str]] | None = None,
    ) -> None:
        """The images a shell script builds, pushes or scans, and what it calls."""
        if depth > _MAX_DEPTH + 2:
            return
        place = Place(path, line, _line(lines, line))
        known = _assignments(script)
        env = ref.scope.context()["env"]
        for name, value in env.items():
            if value is not UNKNOWN and name not in known:
                known[name] = [str(value)]
        for name, values in (variables or {}).items():
            known.setdefault(name, values)
        aliases = self._copies(script, directory)
        ignored = _ignores_failure(script)
        skaffold_remote = "local-cluster false" in script
        script_lines = script.splitlines()
        first = line
        if 0 < line <= len(lines) and re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", lines[line - 1]):
            first = line + 1  # a block scalar starts on the next line
        cursor = 0
        for words in _commands(script):
            cmd = shell_command(words)
            if cmd.argv:
                found_at = next(
                    (i for i in range(cursor, len(script_lines)) if cmd.argv[0] in script_lines[i]),
                    None,
                )
                if found_at is not None:
                    cursor = found_at
                    place = Place(path, first + found_at, _line(lines, first + found_at))
            argv = list(cmd.argv)
            if not argv:
                continue
            for alternative in _expanded(argv, known):
                if not self._command(
                    ref,
                    alternative,
                    cmd.program,
                    place,
                    directory,
                    via,
                    depth,
                    aliases,
                    ignored,
                    skaffold_remote,
                ):
                    break

    def _command(
        self,
        ref: StepRef,
        argv: list[str],
        program: str,
        place: Place,
        directory: str,
        via: tuple[str, ...],
        depth: int,
        aliases: Mapping[str, str],
        ignored: str | None,
        skaffold_remote: bool,
    ) -> bool:
        """Record what one command does; False when its alternatives need not be expanded."""
        args = argv[1:]
        if program in ("docker", "podman", "nerdctl", "buildah", "docker-compose"):
            return self._container_cli(ref, program, args, place, directory, via, aliases, depth)
        if program in ("trivy", "grype", "snyk"):
            self._cli_scan(ref, program, args, place, ignored, via)
            return True
        if program == "skaffold" and args[:1] and args[0] in ("build", "run", "dev", "deploy"):
            if args[0] != "deploy":
                pushed = "--push=true" in args or skaffold_remote or "--push" in args
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "skaffold {command} builds the artifacts of skaffold.yaml, which this "
                        "model does not read",
                        "skaffold {command} は skaffold.yaml の成果物をビルドするが、このモデルは"
                        "それを読まない",
                        command=args[0],
                    ),
                    push="true" if pushed else None,
                )
            return False
        if program in {"make", "gmake"}:
            self._make(ref, args, place, directory, via, depth, argv)
            return False
        if program in ("npm", "pnpm", "yarn", "bun", "node"):
            self._package_script(ref, program, args, place, directory, via, depth, argv)
            return False
        if program == "just":
            self._just(ref, args, place, directory, via, depth, argv)
            return False
        if (
            program in ("bash", "sh", "dash", "zsh", "source", ".")
            or argv[0].endswith(".sh")
            or argv[0].startswith("./")
        ):
            self._shell_file(ref, argv, place, directory, via, depth)
            return False
        if program in ("gcloud",) and args[:2] == ["builds", "submit"]:
            self._opaque(
                "build",
                ref,
                place,
                tr(
                    "gcloud builds submit builds and pushes in Cloud Build, outside this "
                    "repository's workflows",
                    "gcloud builds submit はこのリポジトリのワークフローの外、Cloud Build で"
                    "ビルドと push を行う",
                ),
                push="true",
            )
            return False
        return False

    def _container_cli(
        self,
        ref: StepRef,
        program: str,
        args: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        aliases: Mapping[str, str],
        depth: int,
    ) -> bool:
        if program == "docker-compose":
            self._compose_cli(ref, args, place, directory, via)
            return True
        kind, rest = _container_subcommand(program, args)
        if kind == "buildah build":
            self._cli_build(ref, kind, rest, place, directory, via, aliases, pushes=False)
        elif kind == "build":
            tool = "podman build" if program == "podman" else "docker build"
            self._cli_build(ref, tool, rest, place, directory, via, aliases, pushes=None)
        elif kind == "bake":
            self._cli_bake(ref, rest, place, directory, via)
        elif kind == "imagetools":
            self._cli_imagetools(ref, rest, place, via)
        elif kind == "compose":
            self._compose_cli(ref, rest, place, directory, via)
        elif kind == "push":
            self._cli_push(ref, program, rest, place, via)
        elif kind == "login":
            self._cli_login(ref, rest, place)
        elif kind == "trivy":
            failure_ignored = _ignores_failure(ref.step.run.text if ref.step.run else "")
            self._cli_scan(ref, "trivy", rest, place, failure_ignored, via)
        elif kind == "scout":
            self._cli_scout(ref, rest, place, via)
        return True

    def _cli_imagetools(
        self, ref: StepRef, args: list[str], place: Place, via: tuple[str, ...]
    ) -> None:
        """`docker buildx imagetools create -t ...` pushes the tags it names."""
        options, _ = split_option_lists(
            args,
            frozenset({"-t", "--tag", "-f", "--file", "--annotation", "--builder"}),
            flag="true",
        )
        tags = tuple(options.get("-t", []) + options.get("--tag", []))
        if tags and "--dry-run" not in options:
            self.pushes.append(ImagePush("docker buildx imagetools create", ref, place, tags, via))

    def _cli_push(
        self, ref: StepRef, program: str, args: list[str], place: Place, via: tuple[str, ...]
    ) -> None:
        """`docker push`, `podman push SOURCE DESTINATION`, `docker manifest push`."""
        _, positional = split_option_lists(
            args,
            frozenset({"--digestfile", "--creds", "--authfile", "-f", "--format", "--sign-by"}),
            flag="true",
        )
        images = tuple(
            positional[-1:]
            if program in ("podman", "buildah") and len(positional) > 1
            else positional[:1]
        )
        if images:
            self.pushes.append(ImagePush(f"{program} push", ref, place, images, via))

    def _cli_login(self, ref: StepRef, args: list[str], place: Place) -> None:
        """`docker login`: the registry and where its password comes from."""
        options, positional = split_option_lists(
            args, frozenset({"-u", "--username", "-p", "--password"}), flag="true"
        )
        host = positional[0] if positional else "docker.io"
        password = " ".join(options.get("-p", []) + options.get("--password", []))
        if "--password-stdin" in options:
            password = ref.step.run.text if ref.step.run else ""
            password += " " + " ".join(v.text for v in ref.step.env.values())
        self.logins.append(Login(_registry_host(host), password, ref, place))

    def _cli_scout(self, ref: StepRef, args: list[str], place: Place, via: tuple[str, ...]) -> None:
        """`docker scout cves|quickview`: an image scan that fails only with --exit-code."""
        options, positional = split_option_lists(
            args,
            frozenset({"--only-severity", "--format", "-o", "--output", "--platform"}),
            flag="true",
        )
        fails = "--exit-code" in options or "-e" in options
        self.scans.append(
            ImageScan(
                "docker scout",
                ref,
                place,
                "image",
                positional[0] if positional else None,
                None,
                ",".join(options.get("--only-severity", [])) or None,
                place,
                "1" if fails else None,
                place,
                fails,
                tr(
                    "--exit-code fails the job on findings",
                    "--exit-code は検出があるとジョブを失敗させる",
                )
                if fails
                else tr(
                    "without --exit-code docker scout exits 0",
                    "--exit-code がなければ docker scout は 0 で終了する",
                ),
                _ignores_failure(ref.step.run.text if ref.step.run else ""),
                None,
                via,
            )
        )

    def _cli_build(
        self,
        ref: StepRef,
        tool: str,
        args: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        aliases: Mapping[str, str],
        pushes: bool | None,
    ) -> None:
        options, positional = split_option_lists(args, _BUILD_VALUE_FLAGS, flag="true")
        unresolved: list[str] = []
        context_word = positional[-1] if positional else None
        files = options.get("-f", []) + options.get("--file", [])
        file_word = files[-1] if files else None
        context = _cli_context(context_word, directory, unresolved)
        dockerfile = self._cli_dockerfile(
            tool, file_word, context_word, context, directory, aliases, unresolved
        )
        outputs = tuple(options.get("-o", []) + options.get("--output", []))
        push = "--push" in options or any(_pushes_output(o) for o in outputs)
        load: bool | None = "--load" in options or any(_output_type(o) == "docker" for o in outputs)
        if not load and not outputs and not push:
            # The default builder (docker driver) loads the image; after setup-buildx-action
            # the selected docker-container builder keeps it in its cache only, unless it
            # was set up with the docker driver: not known here.
            load = True if tool != "docker build" else (None if self._buildx_set_up(ref) else True)
        target_values = options.get("--target", [])
        build_args = tuple(options.get("--build-arg", []))
        self.builds.append(
            ImageBuild(
                tool=tool,
                step=ref,
                place=place,
                via=via,
                dockerfile=dockerfile,
                context=context,
                target=target_values[-1]
                if target_values and not _unresolved(target_values[-1])
                else None,
                target_known=not (target_values and _unresolved(target_values[-1])),
                build_args=build_args,
                args_complete=not any(
                    _unresolved(w) and w.startswith("$") for w in positional[:-1]
                ),
                cache_from=tuple(options.get("--cache-from", [])),
                cache_to=tuple(options.get("--cache-to", [])),
                cache_note=None,
                tags=tuple(options.get("-t", []) + options.get("--tag", [])),
                outputs=outputs,
                push="true" if push else "false",
                load=load,
                unresolved=tuple(unresolved),
                places={},
            )
        )

    def _cli_dockerfile(
        self,
        tool: str,
        file_word: str | None,
        context_word: str | None,
        context: str | None,
        directory: str,
        aliases: Mapping[str, str],
        unresolved: list[str],
    ) -> str | None:
        """The Dockerfile a build command line reads: `-f`, or the default in its context
        (a Containerfile first for podman and buildah); None when it cannot be known."""
        dockerfile: str | None = None
        if file_word is not None:
            candidate = normalise(posixpath.join(directory, file_word))
            if file_word == "-":
                unresolved.append(
                    tr(
                        "the Dockerfile is read from standard input",
                        "Dockerfile は標準入力から読まれる",
                    )
                )
            elif candidate in aliases:
                dockerfile = aliases[candidate]
            elif _unresolved(file_word):
                unresolved.append(
                    tr(
                        "the Dockerfile {file} uses a value not known statically",
                        "Dockerfile {file} は静的に分からない値を使う",
                        file=file_word,
                    )
                )
            else:
                dockerfile = candidate
        elif context_word is not None and not _unresolved(context_word) and context is not None:
            dockerfile = (
                self._default_containerfile(context)
                if tool in ("podman build", "buildah build")
                else normalise(posixpath.join(context, "Dockerfile"))
            )
        elif context_word is not None:
            guess = normalise(posixpath.join(directory, context_word, "Dockerfile"))
            if guess in aliases:
                dockerfile = aliases[guess]
        return dockerfile

    def _buildx_set_up(self, ref: StepRef) -> bool:
        return any(
            step.uses is not None and step.uses.is_action("docker/setup-buildx-action")
            for step in ref.run.job.steps[: ref.position[0]]
        )

    def _cli_bake(
        self, ref: StepRef, args: list[str], place: Place, directory: str, via: tuple[str, ...]
    ) -> None:
        options, positional = split_option_lists(
            args,
            frozenset(
                {
                    "-f",
                    "--file",
                    "--set",
                    "--builder",
                    "--progress",
                    "--metadata-file",
                    "--call",
                    "--allow",
                    "--provenance",
                    "--sbom",
                }
            ),
            flag="true",
        )
        files = options.get("-f", []) + options.get("--file", [])
        push = "true" if "--push" in options else "false"
        if "--print" in options or "--list" in options or "--call" in options:
            return
        self._bake(
            ref,
            files,
            positional,
            options.get("--set", []),
            push,
            "--load" in options,
            directory,
            place,
            (*via, "docker buildx bake"),
            {},
        )

    def _compose_cli(
        self, ref: StepRef, args: list[str], place: Place, directory: str, via: tuple[str, ...]
    ) -> None:
        options: dict[str, list[str]] = {}
        index = 0
        while index < len(args) and args[index].startswith("-"):
            word = args[index]
            if "=" in word:
                key, _, value = word.partition("=")
                options.setdefault(key, []).append(value)
                index += 1
            elif word in (
                "-f",
                "--file",
                "-p",
                "--project-name",
                "--project-directory",
                "--env-file",
                "--profile",
                "--ansi",
                "--progress",
                "--parallel",
            ):
                options.setdefault(word, []).append(
                    args[index + 1] if index + 1 < len(args) else ""
                )
                index += 2
            else:
                index += 1
        rest = args[index:]
        if not rest:
            return
        sub, sub_args = rest[0], rest[1:]
        builds = sub == "build" or (sub in ("up", "run", "create") and "--build" in sub_args)
        if sub == "push":
            files = self._compose_files(ref, options, directory)
            for path in files:
                document = self._load_yaml(path)
                for name, service in _services(document):
                    image = service.get("image") if isinstance(service, YMap) else None
                    if image and (not sub_args or name in sub_args):
                        self.pushes.append(
                            ImagePush("docker compose push", ref, place, (scalar_text(image),), via)
                        )
            return
        if not builds:
            return
        sub_options, services = split_option_lists(
            sub_args,
            frozenset({"--build-arg", "--builder", "--progress", "-m", "--memory", "--ssh"}),
            flag="true",
        )
        if sub != "build":
            services = []
        files = self._compose_files(ref, options, directory)
        if not files:
            self._opaque(
                "build",
                ref,
                place,
                tr(
                    "docker compose builds services, but no compose file is in the target",
                    "docker compose がサービスをビルドするが、ターゲットに compose ファイルがない",
                ),
            )
            return
        push = "true" if "--push" in sub_options else "false"
        self._compose_build(
            ref,
            files,
            services,
            sub_options.get("--build-arg", []),
            push,
            place,
            (*via, "docker compose"),
        )

    def _compose_files(
        self, ref: StepRef, options: Mapping[str, list[str]], directory: str
    ) -> list[str]:
        given = options.get("-f", []) + options.get("--file", [])
        if not given:
            env = ref.scope.context()["env"]
            value = env.get("COMPOSE_FILE") if isinstance(env, dict) else None
            if isinstance(value, str) and value:
                given = value.split(":")
        if given:
            return [normalise(posixpath.join(directory, f)) for f in given if not _unresolved(f)]
        for name in ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"):
            path = normalise(posixpath.join(directory, name))
            if self.target.is_file(path):
                found = [path]
                stem = name.rsplit(".", 1)
                for override in (f"{stem[0]}.override.{stem[1]}",):
                    override_path = normalise(posixpath.join(directory, override))
                    if self.target.is_file(override_path):
                        found.append(override_path)
                return found
        return []

    def _load_yaml(self, path: str) -> object:
        try:
            if not self.target.is_file(path):
                return None
            return self.target.parse(path, located_yaml.load)
        except InputError as error:
            self.problems.append(
                Evidence(
                    tr("{path}: {error}", "{path}: {error}", path=path, error=error.message),
                    path=path,
                    line=error.line,
                )
            )
            return None

    # radon D: docker compose build's files, profiles, services and push, each with its unknowns.
    def _compose_build(
        self,
        ref: StepRef,
        files: list[str],
        services: list[str],
        extra_args: list[str],
        push: str,
        place: Place,
        via: tuple[str, ...],
    ) -> None:
        merged: dict[str, tuple[str, YMap]] = {}
        for path in files:
            document = self._load_yaml(path)
            if document is None:
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "the compose file {path} is not in the target",
                        "compose ファイル {path} がターゲットにない",
                        path=path,
                    ),
                )
                continue
            for name, service in _services(document):
                if isinstance(service, YMap) and "build" in service:
                    merged[name] = (path, service)
        for name, (path, service) in merged.items():
            if services and name not in services:
                continue
            build = service["build"]
            folder = posixpath.dirname(path) or "."
            line = service.line_of("build")
            where = Place(path, line, None)
            unresolved: list[str] = []
            if isinstance(build, YMap):
                context_text = scalar_text(build.get("context", "."))
                dockerfile_text = (
                    scalar_text(build.get("dockerfile")) if build.get("dockerfile") else None
                )
                args = _compose_args(build.get("args"))
                target_text = scalar_text(build.get("target")) if build.get("target") else None
                cache_from = tuple(
                    scalar_text(v)
                    for v in (build.get("cache_from") or [])
                    if isinstance(build.get("cache_from"), list)
                )
                cache_to = tuple(
                    scalar_text(v)
                    for v in (build.get("cache_to") or [])
                    if isinstance(build.get("cache_to"), list)
                )
                tags = tuple(
                    scalar_text(v)
                    for v in (build.get("tags") or [])
                    if isinstance(build.get("tags"), list)
                )
            else:
                context_text, dockerfile_text, args, target_text = (
                    scalar_text(build),
                    None,
                    [],
                    None,
                )
                cache_from = cache_to = tags = ()
            image = service.get("image")
            if image is not None:
                tags = (*tags, scalar_text(image))
            context: str | None = None
            dockerfile: str | None = None
            if "$" in context_text or "://" in context_text:
                unresolved.append(
                    tr(
                        "service {name}: the context {context} is not known statically",
                        "サービス {name}: コンテキスト {context} は静的に分からない",
                        name=name,
                        context=context_text,
                    )
                )
            else:
                context = normalise(posixpath.join(folder, context_text))
                if dockerfile_text is None:
                    dockerfile = normalise(posixpath.join(context, "Dockerfile"))
                elif "$" not in dockerfile_text:
                    dockerfile = normalise(posixpath.join(context, dockerfile_text))
                else:
                    unresolved.append(
                        tr(
                            "service {name}: the Dockerfile {file} is not known statically",
                            "サービス {name}: Dockerfile {file} は静的に分からない",
                            name=name,
                            file=dockerfile_text,
                        )
                    )
            self.builds.append(
                ImageBuild(
                    tool="docker compose build",
                    step=ref,
                    place=place,
                    via=(
                        *via,
                        tr(
                            "service {name} ({path}:{line})",
                            "サービス {name}（{path}:{line}）",
                            name=name,
                            path=path,
                            line=line,
                        ),
                    ),
                    dockerfile=dockerfile,
                    context=context,
                    target=target_text if target_text and "$" not in target_text else None,
                    target_known=not (target_text and "$" in target_text),
                    build_args=tuple(args) + tuple(extra_args),
                    args_complete=True,
                    cache_from=cache_from,
                    cache_to=cache_to,
                    cache_note=None,
                    tags=tags,
                    outputs=(),
                    push=push,
                    load=True,
                    unresolved=tuple(unresolved),
                    places={
                        "cache-from": where,
                        "cache-to": where,
                        "build-args": where,
                        "target": where,
                    },
                )
            )

    def _cli_scan(
        self,
        ref: StepRef,
        program: str,
        args: list[str],
        place: Place,
        ignored: str | None,
        via: tuple[str, ...],
    ) -> None:
        env = ref.scope.context()["env"]

        def env_text(key: str) -> str | None:
            value = env.get(key) if isinstance(env, dict) else None
            return None if value is None or value is UNKNOWN else str(value)

        if program == "trivy":
            options, positional = split_option_lists(args, _TRIVY_VALUE_FLAGS, flag="true")
            if not positional or positional[0] not in _TRIVY_SUBCOMMANDS:
                return
            if "--download-db-only" in options or "--download-java-db-only" in options:
                return
            subcommand = positional[0]
            severity = _last(options, "--severity", "-s") or env_text("TRIVY_SEVERITY")
            exit_code = _last(options, "--exit-code") or env_text("TRIVY_EXIT_CODE")
            fails, note = _exit_code_fails(exit_code, _TRIVY_DEFAULT)
            config = _last(options, "--config", "-c")
            self.scans.append(
                ImageScan(
                    "trivy",
                    ref,
                    place,
                    "image" if subcommand in ("image", "i") else subcommand,
                    positional[1] if len(positional) > 1 else None,
                    _last(options, "--input"),
                    severity,
                    place,
                    exit_code,
                    place,
                    fails,
                    note,
                    ignored,
                    config,
                    via,
                )
            )
        elif program == "grype":
            options, positional = split_option_lists(
                args,
                frozenset(
                    {
                        "-o",
                        "--output",
                        "-f",
                        "--fail-on",
                        "-c",
                        "--config",
                        "--platform",
                        "--scope",
                        "-s",
                    }
                ),
                flag="true",
            )
            fail_on = _last(options, "--fail-on", "-f")
            self.scans.append(
                ImageScan(
                    "grype",
                    ref,
                    place,
                    "image",
                    positional[0] if positional else None,
                    None,
                    fail_on,
                    place,
                    fail_on,
                    place,
                    fail_on is not None,
                    tr(
                        "--fail-on {level} fails the job",
                        "--fail-on {level} はジョブを失敗させる",
                        level=fail_on,
                    )
                    if fail_on
                    else tr(
                        "grype exits 0 without --fail-on",
                        "--fail-on がなければ grype は 0 で終了する",
                    ),
                    ignored,
                    None,
                    via,
                )
            )
        elif program == "snyk" and args[:2] == ["container", "test"]:
            options, positional = split_option_lists(
                args[2:], frozenset({"--file", "--severity-threshold", "--org"}), flag="true"
            )
            self.scans.append(
                ImageScan(
                    "snyk",
                    ref,
                    place,
                    "image",
                    positional[0] if positional else None,
                    None,
                    _last(options, "--severity-threshold"),
                    place,
                    None,
                    place,
                    True,
                    tr(
                        "snyk container test exits 1 when it finds vulnerabilities",
                        "snyk container test は脆弱性を見つけると 1 で終了する",
                    ),
                    ignored,
                    None,
                    via,
                )
            )

    # -- what a script calls ----------------------------------------------------------------

    def _copies(self, script: str, directory: str) -> dict[str, str]:
        """Dockerfiles a script copies into a folder: copy path -> original path."""
        found: dict[str, str] = {}
        for words in _commands(script):
            cmd = shell_command(words)
            if cmd.program != "cp" or len(cmd.argv) < 3:
                continue
            sources = [w for w in cmd.argv[1:-1] if not w.startswith("-")]
            destination = cmd.argv[-1]
            for source in sources:
                original = normalise(posixpath.join(directory, source))
                if _unresolved(source) or not _dockerfile_name(posixpath.basename(original)):
                    continue
                dest = normalise(posixpath.join(directory, destination))
                found[dest] = original
                found[normalise(posixpath.join(dest, posixpath.basename(original)))] = original
                found[normalise(posixpath.join(dest, "Dockerfile"))] = original
        return found

    def _make(
        self,
        ref: StepRef,
        args: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        depth: int,
        argv: list[str],
    ) -> None:
        options, positional = split_option_lists(
            args,
            frozenset(
                {
                    "-f",
                    "--file",
                    "--makefile",
                    "-C",
                    "--directory",
                    "-j",
                    "--jobs",
                    "-I",
                    "-o",
                    "-W",
                }
            ),
            flag="true",
        )
        folder = directory
        for value in options.get("-C", []) + options.get("--directory", []):
            folder = normalise(posixpath.join(folder, value))
        names = options.get("-f", []) + options.get("--file", []) + options.get("--makefile", [])
        if any(f in options for f in ("-n", "--dry-run", "--just-print", "--recon")):
            return  # make prints the commands without running them
        overrides = {
            w.partition("=")[0]: w.partition("=")[2]
            for w in positional
            if "=" in w and not w.startswith("=")
        }
        goals = [w for w in positional if "=" not in w]
        candidates = [normalise(posixpath.join(folder, n)) for n in names] or [
            normalise(posixpath.join(folder, n)) for n in ("GNUmakefile", "makefile", "Makefile")
        ]
        path = next((p for p in candidates if self.target.is_file(p)), None)
        shown = " ".join(argv)
        if path is None:
            if _IMAGEY.search(shown) or _IMAGEY.search(ref.step.label):
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "`{shown}` runs a Makefile that is not in the target",
                        "`{shown}` はターゲットにない Makefile を実行する",
                        shown=shown,
                    ),
                )
            return
        from checks.readers.makefile import read_makefile  # noqa: PLC0415 - a target's Makefile

        makefile = self.target.parse(path, read_makefile)
        commands = makefile.commands(goals, overrides)
        if commands is None:
            if _IMAGEY.search(shown):
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "`{shown}`: {path} has no rule for {goals}",
                        "`{shown}`: {path} に {goals} のルールがない",
                        shown=shown,
                        path=path,
                        goals=" ".join(goals),
                    ),
                )
            return
        make_lines = tuple(self.target.read_text(path).splitlines())
        for recipe in commands:
            self._script(
                ref,
                recipe.text,
                recipe.line,
                path,
                make_lines,
                folder,
                (*via, f"{path}: {recipe.target}"),
                depth + 1,
            )

    # radon D: npm/yarn/pnpm/make scripts followed to the commands they run, with depth and loops.
    def _package_script(
        self,
        ref: StepRef,
        program: str,
        args: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        depth: int,
        argv: list[str],
    ) -> None:
        name: str | None = None
        if program == "node":
            if args[:1] == ["--run"] and len(args) > 1:
                name = args[1]
            elif args and not args[0].startswith("-"):
                script_path = normalise(posixpath.join(directory, args[0]))
                if (_IMAGEY.search(args[0]) or _IMAGEY.search(ref.step.label)) and re.search(
                    r"build|push|release|publish", args[0] + ref.step.label, re.I
                ):
                    exists = self.target.is_file(script_path)
                    why: str
                    if exists:
                        why = tr(
                            "`{shown}`: {path} is a Node program, which this model does not read",
                            "`{shown}`: {path} は Node のプログラムで、このモデルは読まない",
                            shown=" ".join(argv),
                            path=script_path,
                        )
                    else:
                        why = _not_in_target(argv, script_path)
                    self._opaque("build", ref, place, why)
                return
        elif (
            program in ("npm", "pnpm", "bun")
            and args[:1] in (["run"], ["run-script"])
            and len(args) > 1
        ):
            name = args[1]
        elif program == "yarn" and args:
            name = args[1] if args[0] == "run" and len(args) > 1 else args[0]
        if name is None:
            return
        path = normalise(posixpath.join(directory, "package.json"))
        if not self.target.is_file(path):
            if _IMAGEY.search(name):
                self._opaque("build", ref, place, _not_in_target(argv, path))
            return
        try:
            document = json.loads(self.target.read_text(path))
        except (ValueError, InputError):
            return
        scripts = document.get("scripts") if isinstance(document, dict) else None
        script = scripts.get(name) if isinstance(scripts, dict) else None
        if not isinstance(script, str):
            return
        text = self.target.read_text(path)
        line = next((i + 1 for i, ln in enumerate(text.splitlines()) if f'"{name}"' in ln), 1)
        self._script(
            ref,
            script,
            line,
            path,
            tuple(text.splitlines()),
            directory,
            (*via, f"{path}: {name}"),
            depth + 1,
        )

    def _just(
        self,
        ref: StepRef,
        args: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        depth: int,
        argv: list[str],
    ) -> None:
        positional = [a for a in args if not a.startswith("-") and "=" not in a]
        if not positional:
            return
        recipe_name = positional[0]
        path = next(
            (
                normalise(posixpath.join(directory, n))
                for n in ("justfile", "Justfile", ".justfile")
                if self.target.is_file(normalise(posixpath.join(directory, n)))
            ),
            None,
        )
        if path is None:
            if _IMAGEY.search(recipe_name) or _SCAN_WORDS.search(recipe_name):
                kind: Literal["build", "scan"] = (
                    "scan" if _SCAN_WORDS.search(recipe_name) else "build"
                )
                self.opaque.append(
                    Opaque(
                        kind,
                        ref,
                        ref.run,
                        place,
                        tr(
                            "`{shown}` runs a Justfile recipe, and no Justfile is in the target",
                            "`{shown}` は Justfile のレシピを実行するが、ターゲットに Justfile が"
                            "ない",
                            shown=" ".join(argv),
                        ),
                    )
                )
            return
        text = self.target.read_text(path)
        lines = text.splitlines()
        body, start = _just_recipe(lines, recipe_name)
        if body is None:
            return
        script = "\n".join(body)
        script = re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", r"${\1}", script)
        script = replace_braces(script, "${JUST_EXPRESSION}")  # linear: see bounds
        self._script(
            ref,
            script,
            start,
            path,
            tuple(lines),
            directory,
            (*via, f"{path}: {recipe_name}"),
            depth + 1,
        )

    def _shell_file(
        self,
        ref: StepRef,
        argv: list[str],
        place: Place,
        directory: str,
        via: tuple[str, ...],
        depth: int,
    ) -> None:
        words = (
            argv[1:]
            if argv[0].rsplit("/", 1)[-1] in ("bash", "sh", "dash", "zsh", "source", ".")
            else argv
        )
        words = [w for w in words if not w.startswith("-")]
        if not words or _unresolved(words[0]):
            return
        path = normalise(posixpath.join(directory, words[0]))
        if not self.target.is_file(path):
            if _IMAGEY.search(words[0]) or _IMAGEY.search(ref.step.label):
                self._opaque(
                    "build",
                    ref,
                    place,
                    tr(
                        "`{shown}` runs {path}, which is not in the target",
                        "`{shown}` はターゲットにない {path} を実行する",
                        shown=" ".join(argv),
                        path=path,
                    ),
                )
            return
        try:
            text = self.target.read_text(path)
        except InputError:
            return
        if text.startswith("#!") and not re.match(r"#!.*\b(ba|da|z)?sh\b", text.splitlines()[0]):
            return
        self._script(
            ref, text, 1, path, tuple(text.splitlines()), directory, (*via, path), depth + 1
        )


# --- Helpers ---------------------------------------------------------------------------------

_BUILD_VALUE_FLAGS = frozenset(
    {
        *("-t", "--tag", "-f", "--file", "--build-arg", "--cache-from", "--cache-to", "-o"),
        *("--output", "--target", "--platform", "--label", "--secret", "--ssh", "--builder"),
        *("--progress", "--network", "--iidfile", "--metadata-file", "--build-context"),
        *("--add-host", "--allow", "--annotation", "--attest", "--sbom", "--provenance"),
        *("--shm-size", "--ulimit", "--cgroup-parent", "--call", "--no-cache-filter"),
        *("--layers", "--format", "--authfile", "--creds", "--arch", "--os", "--jobs"),
        *("--build-arg-file", "--ignorefile", "--squash-all", "--manifest", "--isolation"),
    }
)
_TRIVY_SUBCOMMANDS = frozenset(
    {
        "image",
        "i",
        "fs",
        "filesystem",
        "config",
        "conf",
        "repo",
        "repository",
        "rootfs",
        "sbom",
        "vm",
        "k8s",
    }
)
_TRIVY_VALUE_FLAGS = frozenset(
    {
        *("-s", "--severity", "--exit-code", "--input", "-c", "--config", "-f", "--format"),
        *("-o", "--output", "--cache-dir", "--timeout", "--scanners", "--pkg-types"),
        *("--vuln-type", "--ignorefile", "--template", "-t", "--skip-dirs", "--skip-files"),
        *("--platform", "--image-src", "--docker-host", "--db-repository", "--username"),
        *("--password", "--ignore-policy", "--cache-backend", "--severity-src"),
    }
)
_TRIVY_IMAGE = re.compile(
    r"^(?:docker\.io/|ghcr\.io/|public\.ecr\.aws/)?aqua(?:sec|security)/trivy(?::.*)?$"
)
_SCAN_ACTIONS = frozenset(
    {"aquasecurity/trivy-action", "anchore/scan-action", "docker/scout-action"}
    | {
        f"snyk/actions/{n}"
        for n in (
            "docker",
            "node",
            "python",
            "golang",
            "maven",
            "gradle",
            "php",
            "ruby",
            "dotnet",
            "iac",
            "setup",
        )
    }
)
_SCAN_WORDS = re.compile(
    r"trivy|grype|snyk|scout|anchore|clair|(container|image|docker)[-_]?scan", re.IGNORECASE
)
_BUILD_WORDS = re.compile(r"build|push|publish|releaser|bake|kaniko|buildah|ko-", re.IGNORECASE)
_IMAGE_WORDS = re.compile(r"docker|podman|buildah|kaniko|container|image|oci\b|ko-", re.IGNORECASE)


class _Imagey:
    """Text that names both an image and building or pushing it (`build-container`,
    "Build Docker image"): a script or task we cannot read that is probably an image build."""

    @staticmethod
    def search(text: str) -> bool:
        return bool(_IMAGE_WORDS.search(text)) and bool(_BUILD_WORDS.search(text))


_IMAGEY = _Imagey()
_REGISTRY_INPUT = re.compile(r"docker|registry|dockerhub|ghcr|quay|ecr|gcr", re.IGNORECASE)


_BENIGN = re.compile(
    r"^(actions|github)/|setup|metadata|description|login|cache|checkout|upload|download|"
    r"cosign|sbom|attest|install|lint|hadolint|labeler|comment|summary|dockerfile",
    re.IGNORECASE,
)


def _looks_like(name: str, words: re.Pattern[str]) -> bool:
    bare = name.split("@", maxsplit=1)[0]
    return bool(words.search(bare)) and not _BENIGN.search(bare)


def _credential_inputs(step: Step) -> bool:
    """A remote action handed registry credentials may push with them."""
    return any(
        _REGISTRY_INPUT.search(key) and "secrets." in value.text
        for key, value in step.inputs.items()
    )


def _line(lines: tuple[str, ...], line: int) -> str | None:
    return lines[line - 1].rstrip() or None if 0 < line <= len(lines) else None


def _short(value: object) -> str:
    if isinstance(value, dict):
        inner = next(iter(value.values()), "")
        return str(inner) if not isinstance(inner, dict | list) else "{...}"
    return "[...]"


def _output_type(entry: str) -> str:
    """The `type=` of an --output / outputs entry (a bare path means type=local)."""
    fields = dict(part.partition("=")[::2] for part in entry.split(","))
    if "type" not in fields:
        return "local" if "=" not in entry else ""
    return fields["type"].strip().lower()


def _pushes_output(entry: str) -> bool:
    kind = _output_type(entry)
    if kind == "registry":
        return True
    return kind in ("image", "oci") and bool(
        re.search(r"(^|,)push=true(,|$)", entry.replace(" ", ""))
    )


def _registry_host(text: str) -> str:
    host = text.strip().removeprefix("https://").removeprefix("http://").split("/")[0].lower()
    return (
        "docker.io"
        if host in ("", "docker.io", "index.docker.io", "registry-1.docker.io")
        else host
    )


_TRIVY_DEFAULT = tr(
    "Trivy's default exit code 0 never fails the job",
    "Trivy の既定の終了コード 0 ではジョブは失敗しない",
)


def _exit_code_fails(exit_code: str | None, default_note: str) -> tuple[bool | None, str]:
    if exit_code is None or not exit_code.strip():
        return False, default_note
    written = exit_code.strip()
    if has_expression(exit_code) or _unresolved(exit_code):
        return None, tr(
            "the exit code {code} cannot be resolved statically",
            "終了コード {code} は静的に解決できない",
            code=written,
        )
    if written == "0":
        return False, tr("exit-code 0 never fails the job", "exit-code 0 ではジョブは失敗しない")
    return True, tr(
        "exit-code {code} fails the job on findings",
        "exit-code {code} は検出があるとジョブを失敗させる",
        code=written,
    )


def _not_static(key: str, value: str) -> str:
    return tr(
        "{key}: {value} cannot be resolved statically",
        "{key}: {value} は静的に解決できない",
        key=key,
        value=value,
    )


def _not_in_target(argv: list[str], path: str) -> str:
    return tr(
        "`{shown}`: {path} is not in the target",
        "`{shown}`: {path} がターゲットにない",
        shown=" ".join(argv),
        path=path,
    )


def _cannot_read(path: str, error: InputError) -> str:
    return tr("{path}: {error}", "{path} を読み取れない: {error}", path=path, error=error.message)


def _last(options: Mapping[str, list[str]], *names: str) -> str | None:
    """The last value given to the first of the options that was given."""
    for name in names:
        values = options.get(name)
        if values:
            return values[-1]
    return None


def _flag_value(words: list[str], flag: str) -> str | None:
    for index, word in enumerate(words):
        if word.startswith(flag + "="):
            return word.partition("=")[2]
        if word == flag and index + 1 < len(words):
            return words[index + 1]
    return None


_IGNORED_FAILURE = re.compile(r"(?:trivy|grype|snyk|scout)\b[^\n]*\|\|\s*(?:true|:|exit\s+0)\b")


def _ignores_failure(script: str) -> str | None:
    if _IGNORED_FAILURE.search(script):
        return tr(
            "the scan command's failure is ignored (|| true)",
            "スキャンコマンドの失敗が無視されている（|| true）",
        )
    return None


def _commands(script: str) -> list[list[str]]:
    """The simple commands of a script, each `${{ ... }}` kept whole inside its word."""
    found: list[str] = []
    parts: list[str] = []
    position = 0
    for start, end, _ in fences(script):  # linear, unlike a lazy ${{.*?}}: see fences
        found.append(script[start:end])
        parts += [script[position:start], f"\x00{len(found) - 1}\x00"]
        position = end
    masked = drop_heredocs("".join([*parts, script[position:]]))

    def unmask(word: str) -> str:
        return re.sub("\x00(\\d+)\x00", lambda m: found[int(m.group(1))], word)

    return [[unmask(word) for word in command] for command in shell_commands(masked)]


_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def _assignments(script: str) -> dict[str, list[str]]:
    """Every value a script assigns to each shell variable (`X=v`, `export X=v`, also after
    `then`, `do` and the like); a value from a command substitution is not known."""
    found: dict[str, list[str]] = {}
    for words in _commands(strip_comments(script)):
        cmd = shell_command(words)  # drops `then`, `do`, ... and collects NAME=value
        if cmd.argv[:1] and cmd.argv[0] in ("export", "local", "declare", "readonly"):
            pairs = [tuple(w.split("=", 1)) for w in cmd.argv[1:] if _ASSIGNMENT.match(w)]
        elif not cmd.argv:
            pairs = list(cmd.assignments.items())
        else:
            continue
        for name, written in pairs:
            value = written
            if "$(" in value or "`" in value:
                value = "${" + f"UNRESOLVED_{name}" + "}"
            values = found.setdefault(name, [])
            if value not in values:
                values.append(value)
    return found


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _expanded(argv: list[str], known: Mapping[str, list[str]]) -> Iterator[list[str]]:
    """The command with shell variables replaced by each value the script assigns them
    (a variable the script never assigns stays as written), at most a few alternatives."""
    names = {m.group(1) or m.group(2) for w in argv for m in _VARIABLE.finditer(w)}
    choices = [(n, known[n]) for n in sorted(names) if n in known and len(known[n]) >= 1]
    combos: list[dict[str, str]] = [{}]
    for name, values in choices:
        combos = [{**c, name: v} for c in combos for v in values][:16]
    for combo in combos:
        out: list[str] = []
        for word in argv:
            whole = _VARIABLE.fullmatch(word)
            if whole and (whole.group(1) or whole.group(2)) in combo:
                out.extend(combo[whole.group(1) or whole.group(2)].split())  # unquoted: split
                continue
            out.append(_VARIABLE.sub(partial(_substitute_variable, combo), word))
        yield out


def _substitute_variable(combo: Mapping[str, str], match: re.Match[str]) -> str:
    return combo.get(match.group(1) or match.group(2), match.group(0))


def _unresolved(word: str) -> bool:
    return "$" in word or "`" in word


def _dockerfile_name(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("dockerfile", "containerfile")
        or lowered.startswith(("dockerfile.", "dockerfile-", "containerfile."))
        or lowered.endswith((".dockerfile", ".containerfile"))
    )


def _services(document: object) -> Iterator[tuple[str, YMap]]:
    if not isinstance(document, YMap):
        return
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    for name, body in services.items():
        if isinstance(body, YMap):
            yield name, _merge_keys(body)


def _merge_keys(body: YMap) -> YMap:
    if "<<" not in body:
        return body
    merged = YMap(body.line)
    bases = body["<<"]
    for base in bases if isinstance(bases, list) else [bases]:
        if isinstance(base, YMap):
            for key, value in _merge_keys(base).items():
                if key not in merged:
                    merged[key] = value
                    merged.key_lines[key] = base.line_of(key)
    for key, value in body.items():
        if key != "<<":
            merged[key] = value
            merged.key_lines[key] = body.line_of(key)
    return merged


def _compose_args(raw: object) -> list[str]:
    if isinstance(raw, YMap):
        return [f"{k}={scalar_text(v)}" if v is not None else k for k, v in raw.items()]
    if isinstance(raw, YList):
        return [scalar_text(v) for v in raw]
    return []


def _just_recipe(lines: list[str], name: str) -> tuple[list[str] | None, int]:
    header = re.compile(r"^@?" + re.escape(name) + r"(\s[^:]*)?:(?!=)")
    for index, line in enumerate(lines):
        if header.match(line):
            body: list[str] = []
            for following in lines[index + 1 :]:
                if following and not following[0].isspace():
                    break
                body.append(following.strip().lstrip("@-"))
            return body, index + 2
    return None, 0


def _dedupe_builds(builds: list[ImageBuild]) -> list[ImageBuild]:
    seen: set[tuple[object, ...]] = set()
    found: list[ImageBuild] = []
    for build in builds:
        key = (
            build.step.run.key,
            build.step.position,
            build.tool,
            build.via,
            build.dockerfile,
            build.context,
            build.target,
            build.build_args,
            build.cache_from,
            build.cache_to,
            build.tags,
            build.push,
        )
        if key not in seen:
            seen.add(key)
            found.append(build)
    return found
