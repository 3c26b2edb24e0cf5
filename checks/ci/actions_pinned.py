"""Actions pinned: every third-party `uses:` names at least a version tag, never a branch.

What it checks:
    Every `uses:` of a step or of a job (a reusable workflow) in `.github/workflows/*.yml`
    and `*.yaml`, except local ones (`./...`) and Docker images (`docker://...`). Each
    must carry a ref that is a full 40-hex commit SHA or a version tag: `v4`, `v6.9.0`,
    `0.28.0`, `v1.2.3-rc.1`. Actions owned by GitHub (`actions/*`, `github/*`) are checked
    like any other. A SHA is reported in the evidence as the stronger pin, with the version
    the comment on its line names (`# v0.35.0`). No ref, a branch-like ref (`main`,
    `master`, `release/v1`), a short SHA and an expression fail.

    This follows zizmor's `unpinned-uses` in spirit, with a different default: since zizmor
    v1.20.0 the default policy requires a hash pin for *every* action (before, `actions/*`,
    `github/*` and `dependabot/*` could be ref-pinned), and a ref pin means any branch or
    tag. The guide asks for less than zizmor's hash pin but more than its ref pin: a
    version tag passes and a branch fails. Without network access a tag cannot be told from
    a branch of the same name, so the decision is made on the ref's form, a version
    number being a tag by convention. Docker `uses:` are left to zizmor (`docker://` needs
    a tag or digest there); composite actions under `.github/actions/` are not read.

Why it matters:
    A branch moves with every commit upstream: `@main` runs whatever the action's owner,
    or whoever compromised the account, pushed last (the tj-actions/changed-files incident
    of March 2025 rewrote tags of a popular action to leak CI secrets). A version tag at
    least changes only on a release; a commit SHA cannot change at all.

How to fix:
    Replace `@main` / `@master` with a release tag (`actions/checkout@v4`), or better with
    the commit it points to and the tag as a comment:
    `uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`. Dependabot
    (`package-ecosystem: github-actions`) or Renovate keep both forms up to date.
"""

from __future__ import annotations

import re

from checklists import Evidence, Outcome, Target, check
from checks.readers.ci_builds import workflow_files
from checks.readers.workflow import ActionRef, Workflow, read_workflow


def load_workflows(target: Target) -> list[tuple[str, Workflow]]:
    return [(path, target.parse(path, read_workflow)) for path in workflow_files(target)]


def at(path: str, workflow: Workflow, line: int, note: str) -> Evidence:
    """Evidence pointing at a line of a workflow, with the line as excerpt."""
    return Evidence(note, path=path, line=line, excerpt=workflow.excerpt(line) or None)


_VERSION = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$")
_COMMENT_VERSION = re.compile(r"#\s*(?:tag[=:]\s*)?(v?\d+(?:\.\d+)*\S*)")


def pin_of(ref: ActionRef) -> tuple[str, str | None]:
    """('sha'|'tag'|'branch'|'none'|'short-sha'|'expression', problem or None)."""
    if ref.ref is None or not ref.ref.strip():
        return "none", "has no ref, so it runs the default branch's latest commit"
    if "${{" in ref.ref:
        return "expression", "uses an expression as its ref, which GitHub does not allow"
    if ref.is_sha:
        return "sha", None
    if re.fullmatch(r"[0-9a-f]{7,39}", ref.ref):
        return "short-sha", "is pinned to a short SHA; GitHub needs the full 40-character SHA"
    if _VERSION.match(ref.ref):
        return "tag", None
    return "branch", f"is pinned to {ref.ref!r}, which is not a version tag (a branch moves)"


@check("ci.actions_pinned", severity="medium", related=("zizmor:unpinned-uses",))
def actions_pinned(target: Target) -> Outcome:
    workflows = load_workflows(target)
    if not workflows:
        return Outcome.not_applicable(
            "the target has no workflows",
            Evidence("looked in .github/workflows/ for *.yml and *.yaml"),
        )
    problems: list[Evidence] = []
    pinned: list[Evidence] = []
    counts = {"sha": 0, "tag": 0}
    for path, workflow in workflows:
        uses: list[tuple[ActionRef, int]] = []
        for job in workflow.jobs:
            if job.uses is not None:
                uses.append((job.uses, job.line))
            uses.extend(
                (step.uses, step.uses_line or step.line)
                for step in job.steps
                if step.uses is not None
            )
        for ref, line in uses:
            if ref.kind != "repository":
                continue
            form, problem = pin_of(ref)
            if problem is not None:
                problems.append(at(path, workflow, line, f"{ref.raw} {problem}"))
                continue
            counts[form] += 1
            if form == "sha":
                comment = _COMMENT_VERSION.search(workflow.excerpt(line))
                named = f" ({comment.group(1)})" if comment else ""
                note = f"{ref.name} pinned to commit {ref.ref}{named}: immutable"
            else:
                note = f"{ref.name} pinned to the version tag {ref.ref}"
            pinned.append(at(path, workflow, line, note))
    if problems:
        return Outcome.failed(
            f"{len(problems)} action reference(s) are not pinned to a version tag or commit",
            *problems,
            *pinned,
        )
    if not pinned:
        return Outcome.passed(
            "the workflows use no third-party actions",
            Evidence(f"read {len(workflows)} workflow(s); every uses: is local or docker://"),
        )
    return Outcome.passed(
        f"all {len(pinned)} action reference(s) are pinned: {counts['sha']} by commit SHA, "
        f"{counts['tag']} by version tag",
        *pinned,
    )
