"""Environment variables set appropriately: no secrets baked into the image.

What it checks:
    The ENV and ARG of every stage that `docker build` builds for the target stage
    (parameter `target`; by default the last stage, as without `--target`). ENV values of
    the image's stages are kept in its configuration; BuildKit writes the ARGs in scope of
    every RUN into that RUN's history entry (`|1 TOKEN=... /bin/sh -c ...`); a builder
    stage's layers and history go to the build cache, which `cache-to` exports. A stage the
    target does not build is not judged. A variable is a secret when:

    - its name says so and its value is written out: the words of BuildKit's
      SecretsUsedInArgOrEnv rule (apikey, auth, credential(s), key, password, pword, passwd,
      secret, token, between underscores or at either end, case-insensitive, unless the
      name also has the word public), plus passphrase and the endings _PSW, _PWD, _PASS; a
      name whose last word says the value is something about a secret is not one
      (`PASSWORD_FILE`, `TOKEN_TTL`, `AUTH_USER`, `SECRET_NAME`), nor nginx's upstream
      directives (`UWSGI_PASS`). A value is not a credential when it is empty, a boolean,
      a reference (`$VAR`, `${VAR:-}`), a path (`/run/secrets/db`) or a URL without a
      password. So `ENV DB_PASSWORD=hunter2` fails, `ENV DD_ADMIN_PASSWORD=''` and
      `ENV ENABLE_AUTH_PROXY=False` pass;
    - its name says so, it has no default, and a RUN after it in the stage records the
      value given with `--build-arg` in the history, or an ENV copies it into the image
      (`ARG GITHUB_TOKEN` then `RUN git clone ...`);
    - whatever its name, its value holds a credential in a known token format: AWS access
      key ids, GitHub tokens, Stripe/Clerk secret keys, Slack tokens, private key blocks,
      URLs with a written-out `user:password@`.

    Finally no `.env` file of the build context may be copied: a COPY or ADD from the
    context in a built stage whose source is, or includes, a `.env` or `.env.<name>` file
    that is in the repository and that `.dockerignore` does not exclude fails (templates
    named `.env.example`, `.env.sample`, `.env.template` or `.env.dist` are fine). A `.env`
    that exists only on a developer's machine is the business of `.dockerignore` (the
    check `dockerignore.excludes`), not counted here.

Why it matters:
    ENV values are stored in the image config and ARG values in its build history; anyone
    who can pull the image (or the build cache) can read them. A copied `.env` file ships
    every secret of a developer's machine.

How to fix:
    Inject secrets at run time (`docker run -e`, an orchestrator's secret store) and use
    `RUN --mount=type=secret` for build-time secrets. Exclude `.env*` in `.dockerignore`.

日本語: 環境変数の適切な設定: イメージにシークレットを焼き込まない

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしと同じく最後のステージ）の
    ために `docker build` がビルドするすべてのステージの ENV と ARG を確認します。イメージの
    ステージの ENV の値はイメージの設定に残ります。BuildKit は各 RUN から見える ARG を、その
    RUN の履歴エントリーに書き込みます（`|1 TOKEN=... /bin/sh -c ...`）。builder ステージの
    レイヤーと履歴はビルドキャッシュに入り、`cache-to` で外部に出ていきます。対象ステージが
    ビルドしないステージは判定しません。変数は次の場合にシークレットとみなします:

    - 名前がシークレットを示し、値が書かれている場合。BuildKit の SecretsUsedInArgOrEnv
      ルールの語（apikey、auth、credential(s)、key、password、pword、passwd、secret、token。
      アンダースコアの間か両端にあり、大文字小文字を区別せず、名前に public という語も
      含まれない場合）に、passphrase と語尾 _PSW、_PWD、_PASS を加えたものです。最後の語が
      値はシークレットについての情報だと示す名前（`PASSWORD_FILE`、`TOKEN_TTL`、`AUTH_USER`、
      `SECRET_NAME`）や nginx の upstream ディレクティブ（`UWSGI_PASS`）は該当しません。空、
      真偽値、参照（`$VAR`、`${VAR:-}`）、パス（`/run/secrets/db`）、パスワードのない URL は
      認証情報ではありません。そのため `ENV DB_PASSWORD=hunter2` は不合格、
      `ENV DD_ADMIN_PASSWORD=''` と `ENV ENABLE_AUTH_PROXY=False` は合格です。
    - 名前がシークレットを示し、デフォルト値がなく、ステージ内でその後にある RUN が
      `--build-arg` で渡された値を履歴に記録するか、ENV がその値をイメージにコピーする場合
      （`ARG GITHUB_TOKEN` のあとの `RUN git clone ...`）。
    - 名前にかかわらず、値が既知のトークン形式の認証情報を含む場合: AWS アクセスキー ID、
      GitHub トークン、Stripe/Clerk のシークレットキー、Slack トークン、秘密鍵のブロック、
      `user:password@` が書かれた URL。

    最後に、ビルドコンテキストの `.env` ファイルをコピーしてはいけません。ビルドされる
    ステージでビルドコンテキストから COPY または ADD し、そのソースがリポジトリにあって
    `.dockerignore` が除外しない `.env` または `.env.<名前>` ファイルであるか、それを含む
    場合は不合格です（`.env.example`、`.env.sample`、`.env.template`、`.env.dist` という
    名前のテンプレートは問題ありません）。開発者のマシンにだけある `.env` は `.dockerignore`
    の役目（チェック `dockerignore.excludes`）で、ここでは数えません。

なぜ重要か:
    ENV の値はイメージの設定に、ARG の値はビルド履歴に保存され、イメージ（やビルドキャッシュ）
    を pull できる人なら誰でも読めます。コピーされた `.env` ファイルは、開発者のマシンの
    シークレットをすべて運び出します。

修正方法:
    シークレットは実行時に注入し（`docker run -e`、オーケストレーターのシークレットストア）、
    ビルド時のシークレットには `RUN --mount=type=secret` を使います。`.dockerignore` で
    `.env*` を除外します。
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from checklists import Evidence, Outcome, Target, check, tr
from checks.common import (
    ParsedDockerfile,
    context_of,
    ignore_file,
    literal_secret,
    load_build,
    relative_to,
    secret_name,
    secret_value,
    shared_matcher,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.build_model import Build
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, copy_parts, expand, global_args

_ENV_FILE = re.compile(r"^\.env(?:\..+)?$")
_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})


def _pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    """(name, value as written) of each variable an ENV or ARG declares (None: no default)."""
    if instruction.keyword == "env":
        args = instruction.args
        return [(args[i], args[i + 1]) for i in range(0, len(args) - 2, 3)]
    pairs: list[tuple[str, str | None]] = []
    for word in instruction.args:
        name, equals, value = word.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


def _is_env_file(path: str) -> bool:
    name = posixpath.basename(path)
    return bool(_ENV_FILE.match(name)) and name not in _ENV_TEMPLATES


class _Judge:
    def __init__(self, parsed: ParsedDockerfile, build: Build, path: str) -> None:
        self.parsed = parsed
        self.build = build
        self.path = path
        self.findings: list[Evidence] = []
        self.declared: list[Evidence] = []
        self.count = 0

    def where(self, stage: Stage) -> str:
        if self.build.in_image(stage):
            return stage_label(stage)
        return tr(
            "{stage} (a builder: its layers and history go to the build cache)",
            "{stage}（builder ステージ: そのレイヤーと履歴はビルドキャッシュに入る）",
            stage=stage_label(stage),
        )

    def stage(self, stage: Stage) -> None:
        walked = self.parsed.walk(stage)
        for index, (instruction, variables) in enumerate(walked):
            if instruction.keyword not in ("env", "arg"):
                continue
            names = []
            for name, raw in _pairs(instruction):
                names.append(name)
                self.count += 1
                note = self._judge(
                    stage, instruction, variables, name, raw, after=walked[index + 1 :]
                )
                if note:
                    self.findings.append(self.parsed.at(self.path, instruction, note))
            where = tr(
                "{stage}: declares {names}",
                "{stage}: {names} を宣言",
                stage=self.where(stage),
                names=", ".join(names),
            )
            self.declared.append(self.parsed.at(self.path, instruction, where))

    def _judge(
        self,
        stage: Stage,
        instruction: Instruction,
        variables: Mapping[str, str | None],
        name: str,
        raw: str | None,
        *,
        after: tuple[tuple[Instruction, Mapping[str, str | None]], ...],
    ) -> str | None:
        label = self.where(stage)
        if raw is not None and (kind := secret_value(raw)):
            return tr(
                "{label}: the value of {name} looks like {kind}",
                "{label}: {name} の値は{kind}に見える",
                label=label,
                name=name,
                kind=kind,
            )
        if not secret_name(name):
            return None
        if raw is not None:
            text = expand(
                raw, variables, escape=self.parsed.dockerfile.escape, keep_unresolved=True
            )
            if literal_secret(raw) and literal_secret(text.text):
                return tr(
                    "{label}: {name} is named like a secret and its value is written out",
                    "{label}: {name} はシークレットらしい名前で、値が書かれている",
                    label=label,
                    name=name,
                )
            return None
        if instruction.keyword != "arg":
            return None
        recorded = next((i for i, _ in after if i.keyword == "run"), None)
        copied = next(
            (
                i
                for i, _ in after
                if i.keyword == "env" and re.search(rf"\${{?{re.escape(name)}\b", i.original)
            ),
            None,
        )
        if copied is not None:
            return tr(
                "{label}: the build argument {name} is named like a secret and the ENV at line "
                "{line} puts its value into the image configuration",
                "{label}: ビルド引数 {name} はシークレットらしい名前で、{line} 行目の ENV が"
                "その値をイメージの設定に入れる",
                label=label,
                name=name,
                line=copied.start_line,
            )
        if recorded is not None:
            return tr(
                "{label}: the build argument {name} is named like a secret; BuildKit records "
                "the value given with --build-arg in the history of the RUN at line {line}",
                "{label}: ビルド引数 {name} はシークレットらしい名前で、--build-arg で渡した"
                "値を BuildKit が {line} 行目の RUN の履歴に記録する",
                label=label,
                name=name,
                line=recorded.start_line,
            )
        return None


@check(
    "dockerfile.env_without_secrets",
    severity="critical",
    related=("buildkit:SecretsUsedInArgOrEnv", "trivy:DS-0031", "checkov:CKV_DOCKER_10"),
)
def env_without_secrets(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    target: str | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        judge = _Judge(parsed, build, dockerfile)
        for name, value in global_args(parsed.dockerfile).items():
            if value and (kind := secret_value(value)):
                first = next(i for i in parsed.dockerfile.instructions if i.keyword == "arg")
                note = tr(
                    "the global build argument {name} has a default that looks like {kind}",
                    "グローバルなビルド引数 {name} のデフォルト値は{kind}に見える",
                    name=name,
                    kind=kind,
                )
                judge.findings.append(parsed.at(dockerfile, first, note))
        for stage in build.built:
            judge.stage(stage)
        folder = context_of(dockerfile, context)
        judge.findings.extend(_copied_env_files(repo, parsed, build, dockerfile, folder))
    if judge.findings:
        return Outcome.failed(
            tr(
                "{count} secret(s) would be baked into the image or its build cache; {first}",
                "{count} 件のシークレットがイメージかビルドキャッシュに焼き込まれる。{first}",
                count=len(judge.findings),
                first=judge.findings[0].note,
            ),
            *judge.findings,
        )
    ignore = ignore_file(repo, dockerfile, folder)
    guard = Evidence(
        tr(
            "{path} keeps .env files out of the build context",
            "{path} が .env ファイルをビルドコンテキストから除外",
            path=ignore.path,
        )
        if ignore.path and ignore.matcher.matches(".env")
        else tr(
            "no COPY or ADD takes a .env file of the repository from the build context",
            "リポジトリの .env ファイルをビルドコンテキストから取り込む COPY や ADD はない",
        ),
        path=ignore.path or dockerfile,
    )
    return Outcome.passed(
        tr(
            "{count} ENV/ARG variable(s) of the built stages, none holding a secret; no .env "
            "file is copied",
            "ビルドされるステージの ENV/ARG 変数 {count} 個にシークレットはなく、.env ファイルの"
            "コピーもない",
            count=judge.count,
        ),
        *judge.declared,
        guard,
    )


def _copied_env_files(
    repo: Target, parsed: ParsedDockerfile, build: Build, dockerfile: str, context: str
) -> list[Evidence]:
    """Evidence for every `.env` file of the repository that a COPY/ADD from the build
    context of a built stage would copy."""
    if not repo.exists(context):
        return []
    excluded = ignore_file(repo, dockerfile, context).matcher
    present = [relative_to(context, f) for f in repo.files(context)]
    sendable = [p for p in present if _is_env_file(p) and not excluded.matches(p)]
    if not sendable:
        return []
    findings: list[Evidence] = []
    for stage in build.built:
        for instruction, variables in parsed.walk(stage):
            if instruction.keyword not in ("copy", "add"):
                continue
            parts = copy_parts(instruction)
            if "from" in parts.flags:
                continue
            for source in parts.sources:
                text = expand(source, variables, escape=parsed.dockerfile.escape).text
                matcher = shared_matcher((text.lstrip("/") or ".",))
                for candidate in sendable:
                    if text.strip("/") in ("", ".") or matcher.matches(candidate):
                        note = tr(
                            "{stage}: copies {candidate} from the build context (not excluded "
                            "by .dockerignore)",
                            "{stage}: {candidate} をビルドコンテキストからコピー（.dockerignore "
                            "で除外されていない）",
                            stage=stage_label(stage),
                            candidate=candidate,
                        )
                        findings.append(parsed.at(dockerfile, instruction, note))
    return findings
