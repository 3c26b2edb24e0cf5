"""Non-root user: the final image runs as a user other than root.

What it checks:
    The effective user of the image built for the target stage (parameter `target`; by
    default the last stage, as `docker build` without `--target`), the one the container
    starts with. It follows that stage and the earlier stages it is built FROM, expands ARG
    and ENV defaults the way BuildKit does (`ARG UID=0` then `USER $UID` is root), and
    treats `USER root`, `USER 0`, `root:root` and `0:0` as root. No USER at all means the
    base image's user, which is root for the official images; only a base whose tag names
    the `nonroot` variant (distroless `:nonroot`, `:debug-nonroot`: uid 65532) runs as
    another user by default. A USER set only in a builder stage, or in a stage the target
    does not build, does not reach the image and does not count. A user created with uid 0
    (`useradd -o -u 0 app`) is root under another name. With the parameters `uid` / `gid` it
    also checks that the user is created with those fixed ids (`useradd -u`, `groupadd -g`,
    or a numeric `USER uid:gid`). A USER that depends on a build argument without a default
    cannot be judged and is reported as unknown.

    Unlike hadolint's DL3002, which only flags a last `USER root`, a missing USER fails
    here, as in Trivy's DS-0002 and Checkov's CKV_DOCKER_3.

Why it matters:
    A process that runs as root in the container is root on the host when it escapes the
    container, and can modify everything in the image at run time. Fixed ids keep file
    ownership on volumes predictable (CIS Docker Benchmark 4.1).

How to fix:
    In the final stage create a dedicated user with fixed ids and switch to it after the
    files are in place:
    `RUN groupadd -g 1000 appuser && useradd -m -u 1000 -g appuser appuser` then
    `USER appuser`.

日本語: 非rootユーザー実行: 最終イメージを root 以外のユーザーで実行する

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく最後の
    ステージ）から作られるイメージの実効ユーザー、つまりコンテナ起動時のユーザーを確認します。
    そのステージと FROM で辿れる前段のステージを追い、ARG と ENV のデフォルト値を BuildKit と
    同じように展開します（`ARG UID=0` のあとの `USER $UID` は root です）。`USER root`、
    `USER 0`、`root:root`、`0:0` は root として扱います。USER がまったくなければベースイメージの
    ユーザーになり、公式イメージでは root です。既定で別ユーザーになるのは、タグが `nonroot`
    バリアントを示すベースイメージ（distroless の `:nonroot`、`:debug-nonroot`: uid 65532）
    だけです。builder ステージや、対象ステージがビルドしないステージにだけある USER は
    イメージに届かないため数えません。uid 0 で作られたユーザー（`useradd -o -u 0 app`）は
    名前が違うだけの root です。パラメータ `uid` / `gid` を指定すると、そのユーザーが固定の ID
    （`useradd -u`、`groupadd -g`、または数値の `USER uid:gid`）で作られていることも確認します。
    デフォルト値のないビルド引数に依存する USER は判定できないため unknown（未計測）とします。

    最後の `USER root` だけを指摘する hadolint の DL3002 と違い、ここでは Trivy の DS-0002 や
    Checkov の CKV_DOCKER_3 と同じく、USER がないことも不合格とします。

なぜ重要か:
    コンテナ内で root として動くプロセスは、コンテナを脱出するとホストでも root になり、
    実行時にイメージ内のあらゆるファイルを書き換えられます。ID を固定しておくと、ボリューム上の
    ファイル所有者が予測可能になります（CIS Docker Benchmark 4.1）。

修正方法:
    最終ステージで固定 ID の専用ユーザーを作り、ファイルを配置したあとで切り替えます:
    `RUN groupadd -g 1000 appuser && useradd -m -u 1000 -g appuser appuser` のあとに
    `USER appuser`。
"""

from __future__ import annotations

from dataclasses import dataclass

from checklists import Evidence, InputError, Outcome, Target, check, join, tr
from checks.common import (
    ParsedDockerfile,
    load_build,
    read_base,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.accounts import created_account
from checks.readers.build_model import Build
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, shell_script
from checks.readers.shell import shell_commands


@dataclass(frozen=True, slots=True)
class Account:
    """A user or group created by a RUN command."""

    name: str
    id: str | None
    group: str | None  # the primary group (name or id) of a user
    instruction: Instruction


def _accounts(build: Build) -> tuple[dict[str, Account], dict[str, Account]]:
    """Users and groups created in the image's chain of stages, by name."""
    users: dict[str, Account] = {}
    groups: dict[str, Account] = {}
    for _, instruction, _ in build.walk_chain():
        if instruction.keyword != "run":
            continue
        for words in shell_commands(shell_script(instruction)):
            created = created_account(words)
            if created is None:
                continue
            account = Account(created.name, created.id, created.group, instruction)
            (users if created.kind == "user" else groups)[created.name] = account
    return users, groups


def _is_root(user: str) -> bool:
    return user == "root" or (user.isdigit() and int(user) == 0)


@check(
    "dockerfile.non_root_user",
    severity="high",
    related=("hadolint:DL3002", "trivy:DS-0002", "checkov:CKV_DOCKER_3"),
)
def non_root_user(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    uid: int | None = None,
    gid: int | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        return _judge(parsed, build, dockerfile, uid, gid)


def _tag(stage: Stage, dockerfile: str) -> str | None:
    """The tag of the stage's base image; None for scratch, none, or a reference that only a
    build argument makes valid (an empty digest default)."""
    if stage.base == "scratch":
        return None
    try:
        return read_base(stage, dockerfile).tag
    except InputError:
        return None


def _base_user(parsed: ParsedDockerfile, build: Build, dockerfile: str) -> Outcome:
    """No USER in the image's chain: the user is the base image's default."""
    final, root = build.final, build.root
    base = root.base
    elsewhere = [
        parsed.at(
            dockerfile,
            i,
            tr(
                "USER in {stage}, which the image does not build on",
                "{stage} の USER（イメージはこのステージの上に作られません）",
                stage=stage_label(s),
            ),
        )
        for s in parsed.stages
        if not build.in_image(s)
        for i in s.instructions
        if i.keyword == "user"
    ]
    where = parsed.at(
        dockerfile,
        final.from_instruction,
        tr("final {stage}", "最終{stage}", stage=stage_label(final)),
    )
    tag = _tag(root, dockerfile)
    if tag is not None and "nonroot" in tag.lower().split("-"):
        return Outcome.passed(
            tr(
                "the image sets no USER and runs as the default user of {base}: the `nonroot` "
                "variant of distroless images runs as uid 65532 (nonroot)",
                "USER の指定はなく、{base} の既定ユーザーで実行: distroless の `nonroot` "
                "バリアントは uid 65532（nonroot）で動作",
                base=base,
            ),
            where,
            parsed.at(
                dockerfile,
                root.from_instruction,
                tr("the image's base: {base}", "イメージのベース: {base}", base=base),
            ),
            *elsewhere,
        )
    return Outcome.failed(
        tr(
            "the final stage sets no USER, so the container runs as the user of {base}, "
            "which is root",
            "最終ステージに USER がなく、コンテナは {base} のユーザー（root）で実行される",
            base=base or tr("its base image", "ベースイメージ"),
        ),
        where,
        *elsewhere,
    )


def _judge(
    parsed: ParsedDockerfile, build: Build, dockerfile: str, uid: int | None, gid: int | None
) -> Outcome:
    setting = build.config.user
    if setting is None:
        return _base_user(parsed, build, dockerfile)
    instruction, value, unresolved = setting.instruction, setting.value, setting.unresolved
    if unresolved:
        return Outcome.unknown(
            tr(
                "USER depends on the build argument(s) {names}, which have no default",
                "USER がデフォルト値のないビルド引数 {names} に依存",
                names=sorted(unresolved),
            ),
            parsed.at(
                dockerfile,
                instruction,
                tr("the effective USER of the final stage", "最終ステージで有効な USER"),
            ),
        )
    user, _, group = value.partition(":")
    where = parsed.at(
        dockerfile,
        instruction,
        tr("the final stage runs as {value!r}", "最終ステージは {value!r} で実行", value=value),
    )
    if not user:
        return Outcome.failed(
            tr("USER {value!r} names no user", "USER {value!r} にユーザー名がない", value=value),
            where,
        )
    if _is_root(user):
        return Outcome.failed(
            tr(
                "the final stage runs as root ({value!r})",
                "最終ステージは root で実行（{value!r}）",
                value=value,
            ),
            where,
        )
    users, groups = _accounts(build)
    account = users.get(user)
    created = (
        [
            parsed.at(
                dockerfile, account.instruction, tr("creates {user}", "{user} を作成", user=user)
            )
        ]
        if account
        else []
    )
    if account and account.id is not None and account.id.isdigit() and int(account.id) == 0:
        return Outcome.failed(
            tr(
                "{user} is created with uid 0, which is root",
                "{user} は uid 0（root）で作成されている",
                user=user,
            ),
            where,
            *created,
        )
    problems: list[str] = []
    evidence: list[Evidence] = [where, *created]
    unknowns: list[str] = []
    if uid is not None:
        _check_uid(user, account, uid, dockerfile, problems=problems, unknowns=unknowns)
    if gid is not None:
        _check_gid(
            parsed,
            dockerfile,
            user=user,
            group=group,
            account=account,
            groups=groups,
            gid=gid,
            problems=problems,
            unknowns=unknowns,
            evidence=evidence,
        )
    if problems:
        return Outcome.failed(join(problems, "; ", "。"), *evidence)
    if unknowns:
        return Outcome.unknown(join(unknowns, "; ", "。"), *evidence)
    if uid is not None and gid is not None:
        return Outcome.passed(
            tr(
                "the final stage runs as {value} (uid {uid}, gid {gid})",
                "最終ステージは {value} で実行（uid {uid}、gid {gid}）",
                value=value,
                uid=uid,
                gid=gid,
            ),
            *evidence,
        )
    return Outcome.passed(
        tr("the final stage runs as {value}", "最終ステージは {value} で実行", value=value),
        *evidence,
    )


def _check_uid(
    user: str,
    account: Account | None,
    uid: int,
    dockerfile: str,
    *,
    problems: list[str],
    unknowns: list[str],
) -> None:
    """Whether the user runs with the uid the guide asks for; adds to problems or unknowns."""
    actual = user if user.isdigit() else (account.id if account else None)
    if account is None and not user.isdigit():
        unknowns.append(
            tr(
                "{user} is not created in {dockerfile}; its uid comes from the base image",
                "{user} は {dockerfile} で作成されておらず、uid はベースイメージ次第",
                user=user,
                dockerfile=dockerfile,
            )
        )
    elif actual is None or not actual.isdigit() or int(actual) != uid:
        problems.append(
            tr(
                "{user} has uid {actual}, not {uid}",
                "{user} の uid は {actual} で、{uid} ではない",
                user=user,
                actual=actual
                or tr("unset (assigned by the system)", "未指定（システムが割り当て）"),
                uid=uid,
            )
        )


def _check_gid(
    parsed: ParsedDockerfile,
    dockerfile: str,
    *,
    user: str,
    group: str,
    account: Account | None,
    groups: dict[str, Account],
    gid: int,
    problems: list[str],
    unknowns: list[str],
    evidence: list[Evidence],
) -> None:
    """Whether the primary group has the gid the guide asks for; adds to problems, unknowns
    and evidence (the RUN that creates the group)."""
    primary = group or (account.group if account else None)
    if primary is not None and not primary.isdigit() and primary in groups:
        creation = groups[primary].instruction
        if account is None or creation is not account.instruction:  # one excerpt per RUN
            evidence.append(
                parsed.at(
                    dockerfile,
                    creation,
                    tr("creates group {group}", "グループ {group} を作成", group=primary),
                )
            )
        primary = groups[primary].id
    if primary is None and account is None and not user.isdigit():
        unknowns.append(
            tr(
                "the primary group of {user} comes from the base image",
                "{user} のプライマリグループはベースイメージ次第",
                user=user,
            )
        )
    elif primary is None or not primary.isdigit() or int(primary) != gid:
        problems.append(
            tr(
                "the primary group id is {primary}, not {gid}",
                "プライマリグループの ID は {primary} で、{gid} ではない",
                primary=primary or tr("unset", "未指定"),
                gid=gid,
            )
        )
