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

日本語: アクションの固定: サードパーティの `uses:` はバージョンタグ以上で固定しブランチを指さない

何を確認するか:
    `.github/workflows/*.yml` と `*.yaml` にあるステップとジョブ（再利用可能ワークフロー）の
    すべての `uses:` を確認します。ローカルのもの（`./...`）と Docker イメージ
    （`docker://...`）は除きます。それぞれが、40 桁の 16 進数のコミット SHA か、`v4`、
    `v6.9.0`、`0.28.0`、`v1.2.3-rc.1` のようなバージョンタグの ref を持つ必要があります。
    GitHub が所有するアクション（`actions/*`、`github/*`）もほかと同じように確認します。SHA は
    より強い固定として根拠に示し、その行のコメントが示すバージョン（`# v0.35.0`）も添えます。
    ref がない、ブランチのような ref（`main`、`master`、`release/v1`）、短い SHA、式は
    不合格です。

    考え方は zizmor の `unpinned-uses` に沿っていますが、既定が異なります。zizmor v1.20.0
    以降の既定のポリシーは*すべての*アクションにハッシュでの固定を求め（それ以前は
    `actions/*`、`github/*`、`dependabot/*` は ref での固定で足りました）、ref での固定は
    任意のブランチやタグを意味します。ガイドが求めるのは zizmor のハッシュ固定よりは弱く、
    ref 固定よりは強いもので、バージョンタグは合格、ブランチは不合格です。ネットワークに
    アクセスできないと同名のタグとブランチを区別できないため、ref の形で判断し、慣例に従って
    バージョン番号をタグとみなします。Docker の `uses:` は zizmor に任せ（そこでは
    `docker://` にタグかダイジェストが必要です）、`.github/actions/` のコンポジット
    アクションは読みません。

なぜ重要か:
    ブランチは上流のコミットのたびに動きます。`@main` は、アクションの所有者か、その
    アカウントを乗っ取った誰かが最後に push したものを実行します（2025年3月の
    tj-actions/changed-files の事件では、人気のあるアクションのタグが書き換えられ、CI の
    シークレットが漏洩しました）。バージョンタグなら少なくともリリースのときにしか変わらず、
    コミット SHA はまったく変わりません。

修正方法:
    `@main` / `@master` をリリースタグ（`actions/checkout@v4`）に、できればタグが指す
    コミットとコメントのタグに置き換えます:
    `uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`。
    Dependabot（`package-ecosystem: github-actions`）か Renovate を使えば、どちらの形も
    最新に保てます。
"""

from __future__ import annotations

import re

from checklists import Evidence, Outcome, Target, check, tr
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
        return "none", tr(
            "has no ref, so it runs the default branch's latest commit",
            "ref がなく、デフォルトブランチの最新コミットを実行する",
        )
    if "${{" in ref.ref:
        return "expression", tr(
            "uses an expression as its ref, which GitHub does not allow",
            "ref に式を使っているが、GitHub はそれを認めない",
        )
    if ref.is_sha:
        return "sha", None
    if re.fullmatch(r"[0-9a-f]{7,39}", ref.ref):
        return "short-sha", tr(
            "is pinned to a short SHA; GitHub needs the full 40-character SHA",
            "短い SHA で固定されている。GitHub には 40 文字の完全な SHA が必要",
        )
    if _VERSION.match(ref.ref):
        return "tag", None
    return "branch", tr(
        "is pinned to {ref!r}, which is not a version tag (a branch moves)",
        "バージョンタグではない {ref!r} で固定されている（ブランチは動く）",
        ref=ref.ref,
    )


@check("ci.actions_pinned", severity="medium", related=("zizmor:unpinned-uses",))
def actions_pinned(target: Target) -> Outcome:
    workflows = load_workflows(target)
    if not workflows:
        return Outcome.not_applicable(
            tr("the target has no workflows", "ターゲットにワークフローがない"),
            Evidence(
                tr(
                    "looked in .github/workflows/ for *.yml and *.yaml",
                    ".github/workflows/ で *.yml と *.yaml を探した",
                )
            ),
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
                note = tr("{raw} {problem}", "{raw}: {problem}", raw=ref.raw, problem=problem)
                problems.append(at(path, workflow, line, note))
                continue
            counts[form] += 1
            if form == "sha":
                comment = _COMMENT_VERSION.search(workflow.excerpt(line))
                note = tr(
                    "{name} pinned to commit {ref}{named}: immutable",
                    "{name} はコミット {ref}{named} で固定: 変更不能",
                    name=ref.name,
                    ref=ref.ref or "",
                    named=f" ({comment.group(1)})" if comment else "",
                )
            else:
                note = tr(
                    "{name} pinned to the version tag {ref}",
                    "{name} はバージョンタグ {ref} で固定",
                    name=ref.name,
                    ref=ref.ref or "",
                )
            pinned.append(at(path, workflow, line, note))
    if problems:
        return Outcome.failed(
            tr(
                "{count} action reference(s) are not pinned to a version tag or commit",
                "アクションの参照 {count} 件がバージョンタグにもコミットにも固定されていない",
                count=len(problems),
            ),
            *problems,
            *pinned,
        )
    if not pinned:
        return Outcome.passed(
            tr(
                "the workflows use no third-party actions",
                "ワークフローはサードパーティのアクションを使っていない",
            ),
            Evidence(
                tr(
                    "read {count} workflow(s); every uses: is local or docker://",
                    "{count} 個のワークフローを読んだ。uses: はすべてローカルか docker://",
                    count=len(workflows),
                )
            ),
        )
    return Outcome.passed(
        tr(
            "all {count} action reference(s) are pinned: {sha} by commit SHA, {tag} by version tag",
            "アクションの参照 {count} 件すべてが固定済み: コミット SHA で {sha} 件、"
            "バージョンタグで {tag} 件",
            count=len(pinned),
            sha=counts["sha"],
            tag=counts["tag"],
        ),
        *pinned,
    )
