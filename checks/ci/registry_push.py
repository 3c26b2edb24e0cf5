"""Registry push: CI logs in with a secret and pushes the tagged image from main or tags only.

What it checks:
    Every push of the image of the Dockerfile (param `dockerfile`, default
    `./backend/Dockerfile`) that the CI build model finds: a build of it (see `ci.gha_cache`)
    with `push: true` or an expression, an `outputs` entry `type=image,push=true` or
    `type=registry`, `--push` on a command line, `push = true` in a bake target; and a later
    `docker push`, `podman push`, `buildx imagetools create` or
    `redhat-actions/push-to-registry` of one of its tags. There must be at least one, and each
    must

    * come after a registry login in the same job: `docker/login-action` whose `password`
      is a `${{ secrets.* }}` value (`${{ github.token }}` / `secrets.GITHUB_TOKEN` only for
      ghcr.io; no password for ECR, whose credentials come from the AWS environment), also
      through a composite action's input, or a `docker login` fed from a secret; a literal
      password or `${{ vars.* }}` fails;
    * push with tags;
    * run only for the default branch, a tag, a release, a schedule or a manual run. The
      default branch is the parameter `default_branch`, else read from the target's git
      metadata (`.git/refs/remotes/origin/HEAD`, the branch `.git/HEAD` has checked out);
      when neither says, a push to a named branch is unknown rather than assumed to be
      `main`. The root workflow's triggers are turned into the situations GitHub starts
      them in (through local reusable workflows, the callers' triggers), and every `if:`
      on the way (the caller job's, the job's, a composite action's calling step's, the
      step's) and the push value are evaluated as GitHub expressions in each. A condition
      that depends on what cannot be known statically is unknown, with the reason.

    The answer's part `no_push_on_pull_request` asks only the guide's prohibition, across
    every image the workflows push: no push happens in a pull-request run (`pull_request`,
    `pull_request_target`, `merge_group`, or a `workflow_run` after a pull-request run),
    which holds too when nothing is pushed at all. A push the model cannot read (a remote
    reusable workflow or action, skaffold, a script not in the target) that can run on a
    pull request makes it unknown; one that cannot (its job's `if:` excludes pull requests,
    or no registry login reaches it) does not.

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

日本語: レジストリプッシュ設定: シークレットでログインし、main かタグからだけイメージを push する

何を確認するか:
    CI のビルドモデルが見つける Dockerfile（パラメータ `dockerfile`、既定は
    `./backend/Dockerfile`）のイメージのすべての push を確認します: `push: true` か式を
    持つビルド（`ci.gha_cache` を参照）、`type=image,push=true` や `type=registry` の
    `outputs` のエントリー、コマンドラインの `--push`、bake ターゲットの `push = true`、
    そしてそのタグの 1 つを後から `docker push`、`podman push`、
    `buildx imagetools create`、`redhat-actions/push-to-registry` するものです。少なくとも
    1 つあり、それぞれが次を満たす必要があります:

    * 同じジョブの中で、レジストリへのログインの後に来ること。`password` が
      `${{ secrets.* }}` の値である `docker/login-action`（`${{ github.token }}` /
      `secrets.GITHUB_TOKEN` は ghcr.io に限る。ECR は AWS の環境から認証情報を得るため
      パスワードなし）で、コンポジットアクションの入力経由も含みます。またはシークレットを
      渡した `docker login` です。直書きのパスワードや `${{ vars.* }}` は不合格です。
    * タグを付けて push すること。
    * デフォルトブランチ、タグ、リリース、スケジュール、手動実行のときだけ実行されること。
      デフォルトブランチはパラメータ `default_branch`、なければターゲットの git のメタデータ
      （`.git/refs/remotes/origin/HEAD`、`.git/HEAD` がチェックアウトしているブランチ）から
      読みます。どちらからも分からなければ、名前の付いたブランチへの push は `main` と
      決めつけず unknown（未計測）とします。ルートのワークフローのトリガーを GitHub が
      起動する状況に置き換え（ローカルの再利用可能ワークフローでは呼び出し元のトリガー）、
      途中のすべての `if:`（呼び出し元のジョブ、ジョブ、コンポジットアクションを呼ぶステップ、
      ステップ）と push の値を、それぞれの状況で GitHub の式として評価します。静的に
      分からないものに依存する条件は、理由を添えて unknown（未計測）です。

    部分 `no_push_on_pull_request` は、ワークフローが push するすべてのイメージについて、
    ガイドの禁止事項だけを問います: プルリクエストの実行（`pull_request`、
    `pull_request_target`、`merge_group`、プルリクエストの実行に続く `workflow_run`）では
    push しないこと。何も push しない場合も成り立ちます。モデルが読めない push（リモートの
    再利用可能ワークフローやアクション、skaffold、ターゲットにないスクリプト）がプルリクエストで
    実行されうるなら unknown（未計測）です。実行されえないもの（ジョブの `if:` がプル
    リクエストを除外している、レジストリへのログインが届かない）は影響しません。

    関連するほかのルール: zizmor の `dangerous-triggers` は pull_request_target を全般に
    指摘し、`hardcoded-container-credentials` はワークフローに書かれたパスワードを指摘します。
    どちらもイメージがどこから push されるかは確認しません。

なぜ重要か:
    プルリクエストやフィーチャーブランチから push されたイメージは、レビューされていない
    成果物としてレジストリに残ります。pull_request_target の実行では、フォークのコードを
    リポジトリの認証情報で push できてしまいます。ワークフローに書いたパスワードは、
    リポジトリを読めるすべての人に公開されます。

修正方法:
    `docker/login-action` と `password: ${{ secrets.REGISTRY_TOKEN }}`（ghcr.io なら
    `permissions: packages: write` と `${{ secrets.GITHUB_TOKEN }}`）でログインし、`main` への
    `push` とバージョンタグで実行されるワークフローで、
    `push: ${{ github.event_name != 'pull_request' }}` と `tags:` を付けてビルドします。
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklists import Evidence, Outcome, Status, Target, check, join, tr
from checks.ci._model import Selection, push_holds, run_situations, runs_in, select
from checks.readers.ci_builds import (
    CiModel,
    ImageBuild,
    Login,
    Opaque,
    Place,
    StepRef,
    read_git_default_branch,
)
from checks.readers.expressions import UNKNOWN, expressions
from checks.readers.workflow import input_list

METADATA = "docker/metadata-action"
_SECRET = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)|\bsecrets\[\s*'([^']+)'\s*\]")
_GITHUB_TOKEN = re.compile(r"\bgithub\.token\b")
_ECR = re.compile(r"(^|\.)dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$|^public\.ecr\.aws$")
_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", ""})


def registry_of(image: str) -> str:
    """The registry host of an image reference, docker.io when it names none."""
    first, sep, _ = image.strip().partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host = first.lower()
        return "docker.io" if host in _DOCKER_HUB else host
    return "docker.io"


@dataclass(frozen=True, slots=True)
class Push:
    """One way an image is pushed: a step, the push value it reads, the tags it pushes."""

    step: StepRef | None
    gates_only: bool  # an opaque item: only its gates are known
    value: str  # "true", or the text of an expression
    tags: tuple[str, ...]
    label: str
    place: Place
    opaque: bool = False

    def at(self, note: str) -> Evidence:
        return self.place.evidence(note)


def _all_pushes(found: CiModel) -> list[Push]:
    pushes: list[Push] = []
    for build in found.builds:
        if build.push.strip().lower() != "false":
            pushes.append(
                Push(build.step, False, build.push, build.tags, build.label, build.at("push"))
            )
    for item in found.pushes:
        pushes.append(Push(item.step, False, "true", item.images, item.label, item.place))
    for opaque in found.opaque:
        if opaque.kind == "scan" or (opaque.kind == "workflow" and not opaque.image_related):
            continue
        if opaque.push is not None and opaque.push.strip().lower() == "false":
            continue
        pushes.append(
            Push(
                opaque.step,
                opaque.push is None,
                opaque.push or "true",
                (),
                opaque.label,
                opaque.place,
                True,
            )
        )
    return pushes


def _run_of(push: Push, found: CiModel, opaque: Opaque | None = None) -> object:
    return push.step.run if push.step is not None else None


# radon D: every push against every situation of its run, with unreadable runs kept apart.
def _pull_request_part(
    found: CiModel, default_branch: str | None
) -> tuple[Status, list[str], list[Evidence]]:
    """Whether any push of any image can happen in a pull-request run."""
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    opaque_runs = {id(o): o for o in found.opaque}
    for push in _all_pushes(found):
        run = push.step.run if push.step is not None else None
        gates = push.step.gates if push.step is not None else ()
        if run is None:  # a remote reusable workflow: its caller job's gates
            match = next(
                (o for o in opaque_runs.values() if o.place == push.place and o.run is not None),
                None,
            )
            if match is None or match.run is None:
                unknowns.append(
                    tr(
                        "{label} may push; when it runs cannot be read",
                        "{label} は push しうるが、いつ実行されるかは読み取れない",
                        label=push.label,
                    )
                )
                continue
            run = match.run
            gates = run.gates
        situations, unmodelled = run_situations(found, run, default_branch)
        for situation in situations:
            if not situation.pull_request:
                continue
            if push.gates_only or push.step is None:
                verdict = runs_in(gates, situation.github)
                if verdict is False:
                    continue
                unknowns.append(
                    tr(
                        "{label} may push in {situation} and cannot be read",
                        "{label} は {situation} で push しうるが、読み取れない",
                        label=push.label,
                        situation=situation.label,
                    )
                )
                evidence.append(
                    push.at(
                        tr(
                            "may push in {situation}",
                            "{situation} で push しうる",
                            situation=situation.label,
                        )
                    )
                )
                continue
            verdict = push_holds(push.value, push.step, situation.github)
            if verdict is True:
                failures.append(_pushes_in(push.label, situation.label))
                evidence.append(
                    push.at(
                        tr(
                            "pushes in {situation}",
                            "{situation} で push する",
                            situation=situation.label,
                        )
                    )
                )
            elif verdict is None:
                unknowns.append(
                    tr(
                        "whether {label} pushes in {situation} depends on an expression that "
                        "cannot be evaluated statically",
                        "{label} が {situation} で push するかは、静的に評価できない式に依存",
                        label=push.label,
                        situation=situation.label,
                    )
                )
        if unmodelled and not any(s.pull_request for s in situations):
            unknowns.extend(
                tr("{label}: {why}", "{label}: {why}", label=push.label, why=u) for u in unmodelled
            )
    if failures:
        return Status.FAIL, failures, evidence
    if unknowns:
        return Status.UNKNOWN, unknowns, evidence
    return Status.PASS, [], evidence


# --- The guide's claim for one image ----------------------------------------------------------


def _metadata_images(step: StepRef, tag: str) -> list[str] | None:
    match = re.fullmatch(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.tags\s*\}\}", tag.strip())
    if not match:
        return None
    for other in step.run.job.steps:
        if other.id == match.group(1) and other.uses is not None and other.uses.is_action(METADATA):
            images = other.input("images")
            return [
                i.split(",")[0].split(" ")[0] for i in input_list(images.text if images else "")
            ]
    return None


def _registries(push: Push) -> set[str] | None:
    """The registries the tags go to; None when they cannot be told."""
    found: set[str] = set()
    assert push.step is not None
    for tag in push.tags:
        images = _metadata_images(push.step, tag)
        names = images if images is not None else [tag]
        for written in names:
            name = push.step.scope.fill(written)
            host = name.partition("/")[0]
            if "${{" in host and "/" in name:
                return None
            if name.startswith("${{") and "/" not in name:
                return None
            found.add(registry_of(name))
    return found


def _secret_source(text: str, step: StepRef, depth: int = 0) -> tuple[str, str | None]:
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
        if env and depth < 4:
            value = step.scope.env.get(env.group(1))
            if value is not None:
                return _secret_source(value, step, depth + 1)
            return "unknown", None
        given = re.search(r"\binputs\.([A-Za-z0-9_-]+)", inner)
        if given and depth < 4:
            source = step.scope.inputs.get(given.group(1))
            if source is not None and source.text is not None:
                return _secret_source(source.text, step, depth + 1)
            return "unknown", None
        if re.search(r"\bvars\.", inner):
            return "vars", None
    return "unknown", None


def _logins(found: CiModel, push: Push) -> list[Login]:
    assert push.step is not None
    return [
        login
        for login in found.logins
        if login.step.job_key == push.step.job_key and login.step.position <= push.step.position
    ]


def _judge_login(found: CiModel, push: Push) -> tuple[list[str], list[str], list[Evidence]]:
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    logins = _logins(found, push)
    if not logins:
        return (
            [
                tr(
                    "{label} pushes without a registry login before it in its job",
                    "{label} はジョブ内で先にレジストリへログインせずに push する",
                    label=push.label,
                )
            ],
            [],
            [],
        )
    for login in logins:
        source, secret = _secret_source(login.password, login.step)
        if login.step.step.run is not None and source == "literal":
            source = "secret" if "secrets." in login.password else "unknown"
        shown = f": {secret}" if secret else ""
        evidence.append(
            login.place.evidence(
                tr(
                    "logs in to {registry} ({source}{shown})",
                    "{registry} にログイン（{source}{shown}）",
                    registry=login.registry,
                    source=source,
                    shown=shown,
                )
            )
        )
        registry = login.registry
        if source == "literal":
            failures.append(
                tr(
                    "the login to {registry} has its password written in the workflow",
                    "{registry} へのログインのパスワードがワークフローに書かれている",
                    registry=registry,
                )
            )
        elif source == "vars":
            failures.append(
                tr(
                    "the login to {registry} takes its password from vars, which are not secret",
                    "{registry} へのログインはシークレットではない vars からパスワードを取る",
                    registry=registry,
                )
            )
        elif source == "github-token" and login.registry != "ghcr.io":
            failures.append(
                tr(
                    "GITHUB_TOKEN cannot log in to {registry}, only to ghcr.io",
                    "GITHUB_TOKEN でログインできるのは ghcr.io だけで、{registry} にはできない",
                    registry=registry,
                )
            )
        elif source == "none" and not _ECR.search(login.registry):
            failures.append(
                tr(
                    "the login to {registry} has no password",
                    "{registry} へのログインにパスワードがない",
                    registry=registry,
                )
            )
        elif source == "unknown":
            unknowns.append(
                tr(
                    "where the password of the login to {registry} comes from is not known",
                    "{registry} へのログインのパスワードの出どころが分からない",
                    registry=registry,
                )
            )
    registries = _registries(push) if push.tags else set()
    if registries is not None:
        for registry in sorted(registries - {login.registry for login in logins}):
            failures.append(
                tr(
                    "{label} pushes to {registry} without logging in to it",
                    "{label} はログインせずに {registry} へ push する",
                    label=push.label,
                    registry=registry,
                )
            )
    return failures, unknowns, evidence


def _judge_branches(
    found: CiModel, push: Push, default_branch: str | None
) -> tuple[list[str], list[str], list[Evidence]]:
    assert push.step is not None
    run = push.step.run
    runs, unmodelled = run_situations(found, run, default_branch)
    failures: list[str] = []
    unknowns = list(unmodelled)
    evidence = [
        Evidence(
            f"on: {', '.join(t.event for t in run.root_workflow.triggers)}",
            path=run.root,
            line=run.root_workflow.on_line,
            excerpt=run.root_workflow.excerpt(run.root_workflow.on_line) or None,
        )
    ]
    allowed_somewhere = False
    for situation in runs:
        verdict = push_holds(push.value, push.step, situation.github)
        if situation.allowed is True:
            allowed_somewhere = allowed_somewhere or verdict is not False
        elif verdict is True and situation.allowed is False:
            failures.append(_pushes_in(push.label, situation.label))
        elif verdict is not False:
            why = (
                tr(
                    "the default branch is not known (set default_branch)",
                    "デフォルトブランチが分からない（default_branch を指定してください）",
                )
                if situation.allowed is None
                else tr(
                    "it depends on an expression that cannot be evaluated statically",
                    "静的に評価できない式に依存する",
                )
            )
            unknowns.append(
                tr(
                    "whether {label} may push in {situation}: {why}",
                    "{label} が {situation} で push するか: {why}",
                    label=push.label,
                    situation=situation.label,
                    why=why,
                )
            )
    for gate in push.step.gates:
        evidence.append(gate.place.evidence(f"if: {gate.text.strip()}"))
    evidence.append(push.at(f"push: {push.value}"))
    if not failures and not unknowns and not allowed_somewhere:
        failures.append(
            tr(
                "{label} never pushes: no trigger runs it on the default branch or a tag",
                "{label} は push しない: デフォルトブランチやタグで実行するトリガーがない",
                label=push.label,
            )
        )
    return failures, unknowns, evidence


def _pushes_in(label: str, situation: str) -> str:
    return tr(
        "{label} pushes in {situation}",
        "{label} は {situation} で push する",
        label=label,
        situation=situation,
    )


def _image_pushes(chosen: Selection) -> tuple[list[Push], list[ImageBuild]]:
    pushes: list[Push] = []
    tags = {t for b in chosen.builds for t in b.tags}
    for build in chosen.builds:
        if build.push.strip().lower() != "false":
            pushes.append(
                Push(build.step, False, build.push, build.tags, build.label, build.at("push"))
            )
    for item in chosen.model.pushes:
        if any(image in tags for image in item.images):
            pushes.append(Push(item.step, False, "true", item.images, item.label, item.place))
    unsure = [b for b in chosen.candidates if b.push.strip().lower() != "false"]
    return pushes, unsure


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
    default_branch: str | None = None,
) -> Outcome:
    del context  # builds are matched by the Dockerfile they build
    branch = default_branch or read_git_default_branch(target)
    chosen = select(target, dockerfile)
    part, part_notes, part_evidence = _pull_request_part(chosen.model, branch)
    pushes, unsure = _image_pushes(chosen)
    may_push = [o for o in chosen.opaque if o.push is None or o.push.strip().lower() != "false"]
    if not pushes:
        shown = [chosen.searched(), *part_evidence]
        shown += [
            b.at("push").evidence(
                tr("{label}: push: {push}", "{label}: push: {push}", label=b.label, push=b.push)
            )
            for b in chosen.builds
        ]
        if unsure or may_push:
            shown += [
                b.place.evidence(
                    tr(
                        "{label} might push it",
                        "{label} が push しているかもしれない",
                        label=b.label,
                    )
                )
                for b in unsure
            ]
            shown += [
                o.place.evidence(
                    tr("{label}: {reason}", "{label}: {reason}", label=o.label, reason=o.reason)
                )
                for o in may_push
            ]
            return Outcome.unknown(
                tr(
                    "no step provably pushes the image of {dockerfile}; some pushes cannot be read",
                    "{dockerfile} のイメージを push すると確かめられるステップがなく、読み取れない"
                    " push がある",
                    dockerfile=chosen.dockerfile,
                ),
                *shown,
            ).with_parts(no_push_on_pull_request=part)
        return Outcome.failed(
            tr(
                "no step pushes the image of {dockerfile} to a registry",
                "{dockerfile} のイメージをレジストリに push するステップがない",
                dockerfile=chosen.dockerfile,
            ),
            *shown,
        ).with_parts(no_push_on_pull_request=part)
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    if branch is None:
        evidence.append(
            Evidence(
                tr(
                    "the default branch is not known: no default_branch and no git metadata",
                    "デフォルトブランチが分からない: default_branch の指定も git のメタデータも"
                    "ない",
                )
            )
        )
    for push in pushes:
        evidence.append(
            push.at(
                tr(
                    "{label} pushes {tags}",
                    "{label} が {tags} を push",
                    label=push.label,
                    tags=repr(list(push.tags)) if push.tags else tr("no tags", "タグなし"),
                )
            )
        )
        if not push.tags:
            failures.append(
                tr(
                    "{label} pushes without tags",
                    "{label} はタグなしで push する",
                    label=push.label,
                )
            )
        for judge in (
            _judge_login(chosen.model, push),
            _judge_branches(chosen.model, push, branch),
        ):
            failures.extend(judge[0])
            unknowns.extend(judge[1])
            evidence.extend(judge[2])
    if part is Status.FAIL:
        failures.extend(part_notes)
    if failures:
        outcome = Outcome.failed(
            join(dict.fromkeys(failures), "; ", "。"), *evidence, *part_evidence
        )
    elif unknowns:
        outcome = Outcome.unknown(
            join(dict.fromkeys(unknowns), "; ", "。"), *evidence, *part_evidence
        )
    else:
        outcome = Outcome.passed(
            tr(
                "{count} step(s) log in with a secret and push the tagged image of {dockerfile} "
                "only from {branch} or tags",
                "{count} 個のステップがシークレットでログインし、{dockerfile} のタグ付きイメージを "
                "{branch} かタグからだけ push する",
                count=len(pushes),
                dockerfile=chosen.dockerfile,
                branch=branch or tr("the default branch", "デフォルトブランチ"),
            ),
            *evidence,
        )
    return outcome.with_parts(no_push_on_pull_request=part)


__all__ = ["UNKNOWN", "registry_of", "registry_push"]
