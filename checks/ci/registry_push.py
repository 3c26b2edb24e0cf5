"""Registry push: CI logs in with a secret and pushes the tagged image from main or tags only.

What it checks:
    Every step that pushes the backend image: a backend build step (see `ci.gha_cache`)
    with `push: true`, an `outputs` entry `type=image,push=true` or `type=registry`, or
    `--push` on a `docker build`; and a `docker push` of one of the backend build's tags.
    There must be at least one, and each must

    * come after a login in the same job: `docker/login-action` whose `password` is a
      `${{ secrets.* }}` value (`${{ github.token }}` / `secrets.GITHUB_TOKEN` only for
      ghcr.io, as that token authenticates to no other registry; no password for an ECR
      registry, whose credentials come from the AWS environment), or a `docker login`
      fed from a secret. A literal password or `${{ vars.* }}` fails. The login must be
      for the registry of the pushed tags (docker.io when a tag names none);
    * push with tags (build-push-action refuses to push without one); tags from
      `docker/metadata-action` (`${{ steps.<id>.outputs.tags }}`) are read from its
      `images` input;
    * run only for the default branch (param `default_branch`, default `main`) or tags.
      The workflow's triggers are turned into the situations GitHub can run them in — a
      pull request, a pull_request_target run (whose `github.ref` is the *base* branch),
      a push to another branch that the `branches` filter admits, a manual run on any
      branch — and the job's `if`, the step's `if` and the `push:` value are evaluated
      as GitHub expressions in each. The documented idiom
      `push: ${{ github.event_name != 'pull_request' }}` and conditions on `github.ref`,
      `github.ref_name`, `github.ref_type` and `startsWith(...)` are understood; a
      condition that depends on something else is unknown, with the reason. An `if:`
      written as a block scalar with `${{ }}` inside is always true (GitHub evaluates the
      text with its trailing newline), as zizmor's `unsound-condition` explains.

    Related peer rules: zizmor's `dangerous-triggers` flags pull_request_target in general
    and its `hardcoded-container-credentials` flags passwords written into a workflow;
    neither checks where an image is pushed from.

Why it matters:
    An image pushed from a pull request or a feature branch is an unreviewed artefact in
    the registry, and a pull_request_target run can push code from a fork with the
    repository's credentials. A password written into the workflow is public to everyone
    who can read the repository.

How to fix:
    Log in with `docker/login-action` and `password: ${{ secrets.REGISTRY_TOKEN }}` (or
    `${{ secrets.GITHUB_TOKEN }}` for ghcr.io with `permissions: packages: write`), then
    build with `push: ${{ github.event_name != 'pull_request' }}` and `tags:` in a workflow
    that runs on `push` to `main` and on version tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check
from checks.ci._shared import BuildStep, at, builds, shell_words, without_backend
from checks.readers.expressions import (
    UNKNOWN,
    Open,
    evaluate,
    expressions,
    interpolate,
    truthy,
)
from checks.readers.workflow import Job, Step, Value, Workflow, input_list

LOGIN = "docker/login-action"
METADATA = "docker/metadata-action"
_SECRET = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)|\bsecrets\[\s*'([^']+)'\s*\]")
_GITHUB_TOKEN = re.compile(r"\bgithub\.token\b")
_ECR = re.compile(r"(^|\.)dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$|^public\.ecr\.aws$")
_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", ""})
_BAD_EVENTS = frozenset({"pull_request", "pull_request_target", "merge_group"})
_FULL = re.compile(r"\A\$\{\{(.*)\}\}\Z", re.DOTALL)
_OTHER_BRANCH = "feature/x"


def registry_of(image: str) -> str:
    """The registry host of an image reference, docker.io when it names none."""
    first, sep, _ = image.strip().partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host = first.lower()
        return "docker.io" if host in _DOCKER_HUB else host
    return "docker.io"


# --- Situations a workflow runs in -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Situation:
    label: str
    allowed: bool  # may the image be pushed here?
    github: Open


def _context(event: str, ref: str, default_branch: str, **extra: str) -> Open:
    kind = "tag" if ref.startswith("refs/tags/") else "branch"
    name = ref.removeprefix("refs/tags/").removeprefix("refs/heads/")
    if ref.startswith("refs/pull/"):
        name = ref.removeprefix("refs/pull/")
    repository = Open({"default_branch": default_branch})
    return Open(
        {
            "event_name": event,
            "ref": ref,
            "ref_name": name,
            "ref_type": kind,
            "head_ref": extra.get("head_ref", ""),
            "base_ref": extra.get("base_ref", ""),
            "event": Open({"repository": repository}),
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
    )


def situations(workflow: Workflow, default_branch: str) -> tuple[list[Situation], list[str]]:
    """The situations the workflow's triggers run it in, and triggers that cannot be modelled."""
    found: list[Situation] = []
    unknown: list[str] = []
    main = f"refs/heads/{default_branch}"
    for trigger in workflow.triggers:
        event = trigger.event
        if event in _BAD_EVENTS:
            ref = main if event == "pull_request_target" else "refs/pull/1/merge"
            if event == "merge_group":
                ref = f"refs/heads/gh-readonly-queue/{default_branch}/pr-1"
            context = _context(
                event, ref, default_branch, head_ref=_OTHER_BRANCH, base_ref=default_branch
            )
            found.append(Situation(f"a {event} run", False, context))
        elif event == "push":
            branches, ignored = trigger.filter("branches"), trigger.filter("branches-ignore")
            tags, tags_ignored = trigger.filter("tags"), trigger.filter("tags-ignore")
            branch_filter = branches is not None or ignored is not None
            tag_filter = tags is not None or tags_ignored is not None
            if branch_filter or not tag_filter:
                if _admits(branches, ignored, default_branch):
                    found.append(
                        Situation(
                            f"a push to {default_branch}",
                            True,
                            _context(event, main, default_branch),
                        )
                    )
                samples = [_sample(p) for p in branches or ()] + [_OTHER_BRANCH, "develop"]
                other = next(
                    (s for s in samples if s != default_branch and _admits(branches, ignored, s)),
                    None,
                )
                if other is not None:
                    found.append(
                        Situation(
                            f"a push to the branch {other}",
                            False,
                            _context(event, f"refs/heads/{other}", default_branch),
                        )
                    )
            if tag_filter or not branch_filter:
                found.append(
                    Situation(
                        "a push of a tag", True, _context(event, "refs/tags/v1.0.0", default_branch)
                    )
                )
        elif event == "workflow_dispatch":
            found.append(
                Situation(
                    "a manual run on the default branch",
                    True,
                    _context(event, main, default_branch),
                )
            )
            found.append(
                Situation(
                    f"a manual run on the branch {_OTHER_BRANCH}",
                    False,
                    _context(event, f"refs/heads/{_OTHER_BRANCH}", default_branch),
                )
            )
        elif event == "workflow_call":
            unknown.append(
                "the workflow is called by others (workflow_call): their triggers decide"
            )
        elif event == "release":
            found.append(
                Situation("a release", True, _context(event, "refs/tags/v1.0.0", default_branch))
            )
        else:  # schedule, workflow_run, repository_dispatch, ...: the default branch
            found.append(Situation(f"a {event} run", True, _context(event, main, default_branch)))
    return found, unknown


def condition(value: Value | None, github: Open) -> bool | None:
    """Whether an `if:` lets the step or job run (None when unknown)."""
    if value is None:
        return True
    text = value.text
    full = _FULL.match(text)
    if full and "${{" not in full.group(1):
        return truthy(evaluate(full.group(1).strip(), {"github": github}))
    if "${{" in text:
        rendered = interpolate(text, {"github": github})
        return None if rendered is None else rendered != ""
    return truthy(evaluate(text, {"github": github}))


def pushes(value: str, github: Open) -> bool | None:
    """Whether a build-push-action `push:` value is true (getBooleanInput)."""
    rendered = interpolate(value, {"github": github})
    if rendered is None:
        return None
    return rendered.strip() in ("true", "True", "TRUE")


# --- Pushing steps and logins ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Push:
    path: str
    workflow: Workflow
    job: Job
    step: Step
    label: str
    tags: tuple[str, ...]
    push_value: str  # "true" or the expression
    line: int

    def at(self, note: str, line: int | None = None) -> Evidence:
        return at(self.path, self.workflow, line or self.line, note)


def _build_pushes(build: BuildStep) -> Push | None:
    value = build.push
    registry_output = any(
        "type=registry" in o or ("type=image" in o and "push=true" in o) for o in build.outputs
    )
    if registry_output:
        value = "true"
    if value.strip().lower() == "false" or (not value.strip()):
        return None
    return Push(
        build.path,
        build.workflow,
        build.job,
        build.step,
        build.label,
        build.tags,
        value,
        build.line_of("push") if "push" in build.lines else build.step.line,
    )


def _docker_pushes(build_tags: set[str], path: str, workflow: Workflow) -> list[Push]:
    found: list[Push] = []
    for job, step in workflow.steps():
        if step.run is None or "docker" not in step.run.text:
            continue
        for words in shell_words(step.run.text):
            if (
                len(words) >= 3
                and words[0] == "docker"
                and (words[1] == "push" or words[1:3] == ["image", "push"])
            ):
                image = words[-1]
                if image in build_tags:
                    found.append(
                        Push(
                            path,
                            workflow,
                            job,
                            step,
                            f"job '{job.id}', step '{step.label}'",
                            (image,),
                            "true",
                            step.run.line,
                        )
                    )
    return found


def _metadata_images(push: Push, tag: str) -> list[str] | None:
    match = re.fullmatch(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.tags\s*\}\}", tag.strip())
    if not match:
        return None
    for step in push.job.steps:
        if step.id == match.group(1) and step.uses is not None and step.uses.is_action(METADATA):
            images = step.input("images")
            return [
                i.split(",")[0].split(" ")[0] for i in input_list(images.text if images else "")
            ]
    return None


def _registries(push: Push) -> set[str] | None:
    """The registries the tags go to; None when they cannot be told."""
    found: set[str] = set()
    for tag in push.tags:
        images = _metadata_images(push, tag)
        names = images if images is not None else [tag]
        for name in names:
            host = name.partition("/")[0]
            if "${{" in host and "/" in name:
                return None
            if name.startswith("${{") and "/" not in name:
                return None
            found.add(registry_of(name))
    return found


def _secret_source(text: str, step: Step, job: Job, workflow: Workflow) -> tuple[str, str | None]:
    """('secret'|'github-token'|'literal'|'vars'|'none'|'unknown', the secret's name)."""
    if not text.strip():
        return "none", None
    if "${{" not in text:
        return "literal", None
    for inner in expressions(text):
        secret = _SECRET.search(inner)
        if secret:
            name = secret.group(1) or secret.group(2)
            return ("github-token" if name == "GITHUB_TOKEN" else "secret"), name
        if _GITHUB_TOKEN.search(inner):
            return "github-token", None
        env = re.search(r"\benv\.([A-Za-z_][A-Za-z0-9_]*)", inner)
        if env:
            for scope in (step.env, job.env, workflow.env):
                if env.group(1) in scope:
                    return _secret_source(scope[env.group(1)].text, step, job, workflow)
            return "unknown", None
        if re.search(r"\bvars\.", inner):
            return "vars", None
    return "unknown", None


@dataclass(frozen=True, slots=True)
class Login:
    registry: str
    source: str
    secret: str | None
    step: Step
    line: int


def _logins(push: Push) -> list[Login]:
    found: list[Login] = []
    for step in push.job.steps[: push.step.index]:
        if step.uses is not None and step.uses.is_action(LOGIN):
            registry = step.input("registry")
            password = step.input("password")
            host = (
                registry_of(f"{registry.text.strip()}/x")
                if registry and registry.text.strip()
                else "docker.io"
            )
            source, secret = _secret_source(
                password.text if password else "", step, push.job, push.workflow
            )
            found.append(
                Login(host, source, secret, step, password.line if password else step.line)
            )
        elif step.run is not None and "docker login" in step.run.text:
            commands = [w for w in shell_words(step.run.text) if w[:2] == ["docker", "login"]]
            host = next(
                (w for c in commands for w in c[2:] if not w.startswith("-") and "." in w),
                "docker.io",
            )
            env_text = " ".join(v.text for v in step.env.values())
            source, secret = _secret_source(
                step.run.text + " " + env_text, step, push.job, push.workflow
            )
            found.append(Login(registry_of(f"{host}/x"), source, secret, step, step.run.line))
    return found


def _judge_login(
    push: Push, registries: set[str] | None
) -> tuple[list[str], list[str], list[Evidence]]:
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    logins = _logins(push)
    if not logins:
        return (
            [f"{push.label} pushes without a registry login before it in job '{push.job.id}'"],
            [],
            [],
        )
    for login in logins:
        secret = f": {login.secret}" if login.secret else ""
        where = push.at(f"logs in to {login.registry} ({login.source}{secret})", login.line)
        evidence.append(where)
        if login.source == "literal":
            failures.append(
                f"the login to {login.registry} has its password written in the workflow"
            )
        elif login.source == "vars":
            failures.append(
                f"the login to {login.registry} takes its password from vars, which are not secret"
            )
        elif login.source == "github-token" and login.registry != "ghcr.io":
            failures.append(f"GITHUB_TOKEN cannot log in to {login.registry}, only to ghcr.io")
        elif login.source == "none" and not _ECR.search(login.registry):
            failures.append(f"the login to {login.registry} has no password")
        elif login.source == "unknown":
            unknowns.append(
                f"where the password of the login to {login.registry} comes from is not known"
            )
    if registries is not None:
        for registry in sorted(registries - {login.registry for login in logins}):
            failures.append(f"{push.label} pushes to {registry} without logging in to it")
    return failures, unknowns, evidence


def _judge_branches(push: Push, default_branch: str) -> tuple[list[str], list[str], list[Evidence]]:
    runs, unmodelled = situations(push.workflow, default_branch)
    failures: list[str] = []
    unknowns = list(unmodelled)
    evidence = [
        push.at(f"on: {', '.join(t.event for t in push.workflow.triggers)}", push.workflow.on_line)
    ]
    allowed_somewhere = False
    for situation in runs:
        parts = [
            condition(push.job.if_, situation.github),
            condition(push.step.if_, situation.github),
            pushes(push.push_value, situation.github),
        ]
        verdict: bool | None = False if False in parts else (None if None in parts else True)
        if situation.allowed:
            allowed_somewhere = allowed_somewhere or verdict is not False
        elif verdict is True:
            failures.append(f"{push.label} pushes in {situation.label}")
        elif verdict is None:
            unknowns.append(
                f"whether {push.label} pushes in {situation.label} depends on an expression "
                "that cannot be evaluated statically"
            )
    for value, what in ((push.job.if_, "job if"), (push.step.if_, "step if")):
        if value is not None:
            evidence.append(push.at(f"{what}: {value.text.strip()}", value.line))
    evidence.append(push.at(f"push: {push.push_value}"))
    if not failures and not unknowns and not allowed_somewhere:
        failures.append(
            f"{push.label} never pushes: no trigger runs it on {default_branch} or a tag"
        )
    return failures, unknowns, evidence


@check(
    "ci.registry_push",
    severity="medium",
    related=("zizmor:dangerous-triggers", "zizmor:hardcoded-container-credentials"),
)
def registry_push(
    target: Target,
    *,
    context: str = "./backend",
    dockerfile: str = "./backend/Dockerfile",
    default_branch: str = "main",
) -> Outcome:
    found = builds(target, context=context, dockerfile=dockerfile)
    missing = without_backend(
        found, context, dockerfile, "no step builds the backend, so nothing pushes it"
    )
    if missing is not None:
        return missing
    push_steps = [p for b in found.backend if (p := _build_pushes(b)) is not None]
    tags = {t for b in found.backend for t in b.tags}
    for path, workflow in found.workflows:
        push_steps.extend(_docker_pushes(tags, path, workflow))
    if not push_steps:
        return Outcome.failed(
            "no step pushes the backend image to a registry",
            *(b.at(f"{b.label}: push: {b.push}", "push") for b in found.backend),
        )
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    for push in push_steps:
        evidence.append(push.at(f"{push.label} pushes {list(push.tags) or 'no tags'}"))
        if not push.tags:
            failures.append(f"{push.label} pushes without tags")
        registries = _registries(push) if push.tags else set()
        for judge in (_judge_login(push, registries), _judge_branches(push, default_branch)):
            failures.extend(judge[0])
            unknowns.extend(judge[1])
            evidence.extend(judge[2])
    if failures:
        return Outcome.failed("; ".join(dict.fromkeys(failures)), *evidence)
    if unknowns:
        return Outcome.unknown("; ".join(dict.fromkeys(unknowns)), *evidence)
    return Outcome.passed(
        f"{len(push_steps)} step(s) log in with a secret and push the tagged backend image "
        f"only from {default_branch} or tags",
        *evidence,
    )


__all__ = ["UNKNOWN", "registry_of", "registry_push"]
