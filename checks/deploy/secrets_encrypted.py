"""Secrets encrypted: no plaintext secret in the repository, and secrets come from a store.

What it checks:
    Both of:

    1. No plaintext secret is committed. The target is a checkout, and every file present
       is judged, `.gitignore`d or not: an ignored `.env` on disk still reaches a build
       context (`docker build .`, `COPY . .`) and the check cannot tell a local file from a
       committed one, so a secret in it is a finding on its path. Findings:

       * a `.env`, `.env.<name>` or `<name>.env` file, or a file named by a Compose
         `env_file:`, with a variable named like a secret and a non-empty value (templates
         `.env.example`, `.env.sample`, `.env.template`, `.env.dist` may hold names with
         empty values or placeholders; dotenvx `encrypted:` values are not plaintext);
       * a value that looks like a live credential in any text file (dependency, VCS and
         cache folders and files over 1 MiB skipped): `sk_live_...` / `sk_test_...`
         (Clerk, Stripe), GitHub tokens (`ghp_...`), AWS access key ids (`AKIA...`),
         Slack tokens, private key blocks, URLs with a password. Obvious placeholders
         (`EXAMPLE`, `xxxx`, `changeme`, `<your-key>`, `${VAR}`) are not findings;
       * `wrangler.toml` `[vars]` / `[env.<name>.vars]` with a secret-named key and a
         value: Wrangler ships vars as plain text; secrets belong in `wrangler secret put`;
       * a Compose `environment:` entry named like a secret with a literal value
         (`${VAR}` from the shell is fine; a `${VAR:-default}` default is a literal);
       * a GitHub Actions `env:` (workflow, job or step) named like a secret whose value
         is a literal or comes from `${{ vars.* }}` (configuration variables are stored
         unencrypted), and a step `with:` input named like a password, secret, token or
         API key (`password`, `api-token`, `client-secret`; not `key` or `token-format`,
         which actions use for other things) with a literal value.

       Names are judged by the same rule as `dockerfile.env_without_secrets` (BuildKit's
       SecretsUsedInArgOrEnv words) and values by the same patterns.
    2. Secrets are delivered from an encrypted store, shown by at least one of: a workflow
       reading `${{ secrets.NAME }}` (other than the automatic GITHUB_TOKEN), `wrangler
       secret put|bulk` run by a workflow or script, `cloudflare/wrangler-action` given
       `secrets:`, a SOPS-encrypted file (`ENC[AES256_GCM,...]` with `sops:` metadata), a
       dotenvx-encrypted `.env`, a `kind: SealedSecret` manifest, git-crypt in
       `.gitattributes`, or Compose `secrets:` with `external: true` (Swarm keeps them
       encrypted). A comment that mentions `wrangler secret put` is not evidence; plain
       Compose file secrets are files on the host, not encryption.

    Unlike gitleaks or Trivy's secret scanner, which only look for leaks, a clean
    repository without any encrypted delivery does not pass: the claim is that secrets
    are encrypted, so something must show where they are kept.

Why it matters:
    A secret in a repository is readable by everyone with access to it, forever (history
    keeps it after deletion), and ends up in images, caches and logs. A secret store
    encrypts it at rest and hands it to the runtime only.

How to fix:
    Remove the value from the file (and rotate it: it has leaked), keep only names in
    `.env.example`, and set secrets in the store of the platform: `wrangler secret put
    CLERK_SECRET_KEY --env production`, GitHub Actions secrets read as
    `${{ secrets.CLERK_SECRET_KEY }}`, or SOPS-encrypted files.

日本語: 環境変数の暗号化: リポジトリに平文のシークレットがなく、シークレットはストアから来る

何を確認するか:
    次の両方です:

    1. 平文のシークレットがコミットされていないこと。ターゲットはチェックアウトしたもので、
       そこにあるファイルは `.gitignore` されていてもいなくてもすべて判定します。無視された
       `.env` でもディスクにあればビルドコンテキストに入り（`docker build .`、`COPY . .`）、
       チェックからはローカルのファイルとコミットされたファイルを区別できないため、そこに
       あるシークレットはそのパスでの検出になります。検出するもの:

       * `.env`、`.env.<名前>`、`<名前>.env` のファイル、または Compose の `env_file:` が
         指すファイルで、シークレットらしい名前の変数に空でない値があるもの（テンプレートの
         `.env.example`、`.env.sample`、`.env.template`、`.env.dist` は、空の値や
         プレースホルダーの名前だけを持てます。dotenvx の `encrypted:` の値は平文では
         ありません）。
       * 任意のテキストファイル（依存関係、VCS、キャッシュのフォルダーと 1 MiB を超える
         ファイルは除く）にある、本物の認証情報に見える値: `sk_live_...` / `sk_test_...`
         （Clerk、Stripe）、GitHub トークン（`ghp_...`）、AWS アクセスキー ID（`AKIA...`）、
         Slack トークン、秘密鍵のブロック、パスワード入りの URL。明らかなプレースホルダー
         （`EXAMPLE`、`xxxx`、`changeme`、`<your-key>`、`${VAR}`）は検出しません。
       * シークレットらしい名前のキーと値を持つ `wrangler.toml` の `[vars]` /
         `[env.<名前>.vars]`。Wrangler は vars を平文で配布します。シークレットは
         `wrangler secret put` で扱うものです。
       * シークレットらしい名前でリテラルの値を持つ Compose の `environment:` のエントリー
         （シェルからの `${VAR}` は問題ありません。`${VAR:-default}` のデフォルト値は
         リテラルです）。
       * シークレットらしい名前で、値がリテラルか `${{ vars.* }}` から来る（構成変数は
         暗号化されずに保存されます）GitHub Actions の `env:`（ワークフロー、ジョブ、
         ステップ）と、パスワード、シークレット、トークン、API キーらしい名前
         （`password`、`api-token`、`client-secret`。アクションが別の用途に使う `key` や
         `token-format` は除く）でリテラルの値を持つステップの `with:` の入力。

       名前は `dockerfile.env_without_secrets` と同じ規則（BuildKit の
       SecretsUsedInArgOrEnv の語）で、値は同じパターンで判定します。
    2. シークレットが暗号化されたストアから渡されていること。次の少なくとも 1 つで示します:
       `${{ secrets.NAME }}`（自動の GITHUB_TOKEN を除く）を読むワークフロー、ワークフローか
       スクリプトが実行する `wrangler secret put|bulk`、`secrets:` を渡した
       `cloudflare/wrangler-action`、SOPS で暗号化したファイル（`sops:` のメタデータ付きの
       `ENC[AES256_GCM,...]`）、dotenvx で暗号化した `.env`、`kind: SealedSecret` の
       マニフェスト、`.gitattributes` の git-crypt、`external: true` の Compose の `secrets:`
       （Swarm が暗号化して保持します）。`wrangler secret put` に触れるだけのコメントは根拠に
       なりません。ファイルを使う素の Compose のシークレットはホスト上のファイルで、暗号化では
       ありません。

    漏洩だけを探す gitleaks や Trivy のシークレットスキャナーと違い、暗号化した渡し方が
    何もないリポジトリは、きれいでも合格しません。主張は「シークレットが暗号化されている」
    ことなので、どこに保管されているかを示す何かが必要です。

なぜ重要か:
    リポジトリにあるシークレットは、アクセスできる全員がいつまでも読めます（削除しても履歴に
    残ります）。そしてイメージ、キャッシュ、ログに入り込みます。シークレットストアは保存時に
    暗号化し、実行時にだけ渡します。

修正方法:
    ファイルから値を取り除き（漏洩したのでローテーションもします）、`.env.example` には
    名前だけを残し、シークレットはプラットフォームのストアに設定します:
    `wrangler secret put CLERK_SECRET_KEY --env production`、
    `${{ secrets.CLERK_SECRET_KEY }}` として読む GitHub Actions のシークレット、または SOPS で
    暗号化したファイルです。
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator

from checklists import Evidence, Outcome, Target, check, tr
from checks.common import secret_name, secret_value
from checks.deploy._support import (
    basename,
    compose_projects,
    interpolate,
    scanned_files,
    text_or_none,
)
from checks.readers.dotenv import read_dotenv
from checks.readers.shell import commands
from checks.readers.workflow import Value, read_workflow
from checks.readers.wrangler import read_wrangler

_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
_PLACEHOLDER = re.compile(
    r"example|placeholder|changeme|change[-_]me|your[-_]|<[^>]*>|x{4,}|\*{3,}|dummy|redacted"
    r"|\$\{|\.\.\.",
    re.IGNORECASE,
)
_PLACEHOLDER_PASSWORDS = frozenset({"password", "pass", "secret", "pwd", "passwd"})
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:(?P<password>[^/\s@]+)@")
_SECRETS_EXPRESSION = re.compile(r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)")
_VARS_EXPRESSION = re.compile(r"\$\{\{\s*vars\.")
_INPUT_WORDS = re.compile(
    r"(?:^|[-_])(?:password|passwd|secret|token|api[-_]?key|credentials|private[-_]key)(?:[-_]|$)",
    re.IGNORECASE,
)
_NOT_SECRET_INPUTS = frozenset({"token-format", "token_format", "id-token"})


def _is_dotenv(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _is_template(name: str) -> bool:
    return name.endswith(_TEMPLATE_SUFFIXES)


def _placeholder(text: str) -> bool:
    if _PLACEHOLDER.search(text):
        return True
    url = _URL_PASSWORD.search(text)
    return url is not None and url["password"].lower() in _PLACEHOLDER_PASSWORDS


def _literal_value(value: str) -> str | None:
    """The literal part of a value: None when it is empty or comes from the environment."""
    resolved, _ = interpolate(value)
    if resolved is None or not resolved.strip():
        return None
    return resolved


def _value_findings(path: str, text: str) -> Iterator[Evidence]:
    for number, line in enumerate(text.splitlines(), start=1):
        label = secret_value(line)
        if label and not _placeholder(line):
            note = tr("looks like {label}", "{label} に見える", label=label)
            yield Evidence(note, path, number, _masked(line.strip()))


def _masked(text: str) -> str:
    """The line with token-like runs (letters and digits, 12 or more) cut after 6
    characters, so the report does not repeat the secret."""

    def cut(match: re.Match[str]) -> str:
        word = match[0]
        has_digit = any(c.isdigit() for c in word)
        return word[:6] + "…" if has_digit and any(c.isalpha() for c in word) else word

    return re.sub(r"[A-Za-z0-9_\-/+]{12,}", cut, text)[:160]


def _dotenv_findings(target: Target, path: str, ignored: bool) -> Iterator[Evidence]:
    template = _is_template(basename(path))
    suffix = (
        tr(
            " (git-ignored, but present in the checkout, so a build context may send it)",
            "（git では無視されているが、チェックアウトにあるためビルドコンテキストで送られうる）",
        )
        if ignored
        else ""
    )
    for entry in target.parse(path, read_dotenv):
        value = entry.value or ""
        if not value or value.startswith("encrypted:") or not secret_name(entry.name):
            continue
        if template and _placeholder(value):
            continue
        note = tr(
            "{name} holds a value in plain text{suffix}",
            "{name} に平文の値がある{suffix}",
            name=entry.name,
            suffix=suffix,
        )
        yield Evidence(note, path, entry.line, f"{entry.name}=…")


def _git_ignored(target: Target, path: str) -> bool:
    """Whether a .gitignore next to the file or at the root names it (a rough reading:
    only to explain a finding, never to excuse one)."""
    name = basename(path)
    folder = posixpath.dirname(path)
    for ignore in {posixpath.join(folder, ".gitignore"), ".gitignore"}:
        if not target.is_file(ignore):
            continue
        text = text_or_none(target, ignore) or ""
        patterns = [line.strip().lstrip("/") for line in text.splitlines()]
        if any(p and not p.startswith(("#", "!")) and fnmatch.fnmatch(name, p) for p in patterns):
            return True
    return False


def _compose_findings(target: Target) -> tuple[list[Evidence], list[str], list[Evidence]]:
    """(findings, env files named by Compose, encrypted-store evidence)."""
    findings: list[Evidence] = []
    env_files: list[str] = []
    stores: list[Evidence] = []
    for project in compose_projects(target, None):
        for path, compose in project.files:
            folder = path.rsplit("/", 1)[0] if "/" in path else "."
            for service in compose.services:
                for variable in service.environment:
                    literal = _literal_value(variable.value or "")
                    if literal and secret_name(variable.name) and not _placeholder(literal):
                        findings.append(
                            Evidence(
                                tr(
                                    "service {service!r} sets {name} inline",
                                    "サービス {service!r} が {name} を直接設定",
                                    service=service.name,
                                    name=variable.name,
                                ),
                                path,
                                variable.line,
                                f"{variable.name}: …",
                            )
                        )
                for env_file in service.env_files:
                    env_files.append(posixpath.normpath(posixpath.join(folder, env_file.path)))
            for secret in compose.secrets:
                if secret.external:
                    note = tr(
                        "Compose secret {name!r} is external",
                        "Compose のシークレット {name!r} は external",
                        name=secret.name,
                    )
                    stores.append(Evidence(note, path, secret.line))
    return findings, env_files, stores


def _workflow_findings(target: Target) -> tuple[list[Evidence], list[Evidence]]:
    """(findings, encrypted-store evidence) of the GitHub Actions workflows."""
    findings: list[Evidence] = []
    stores: list[Evidence] = []
    paths = target.glob(".github/workflows/*.yml") + target.glob(".github/workflows/*.yaml")
    for path in paths:
        workflow = target.parse(path, read_workflow)
        scopes: list[tuple[str, dict[str, Value], bool]] = [
            (tr("workflow env", "ワークフローの env"), dict(workflow.env), False)
        ]
        for job in workflow.jobs:
            scopes.append(
                (tr("job {id} env", "ジョブ {id} の env", id=job.id), dict(job.env), False)
            )
            for step in job.steps:
                label = step.label
                env = tr("step {label!r} env", "ステップ {label!r} の env", label=label)
                given = tr("step {label!r} with", "ステップ {label!r} の with", label=label)
                scopes.append((env, dict(step.env), False))
                scopes.append((given, dict(step.inputs), True))
                if step.uses and step.uses.is_action("cloudflare/wrangler-action"):
                    secrets_input = step.input("secrets")
                    if secrets_input and secrets_input.text.strip():
                        note = tr(
                            "wrangler-action uploads secrets",
                            "wrangler-action がシークレットをアップロード",
                        )
                        stores.append(Evidence(note, path, secrets_input.line))
                if step.run is not None and _runs_wrangler_secret(step.run.text):
                    note = tr("runs wrangler secret put", "wrangler secret put を実行")
                    stores.append(Evidence(note, path, step.run.line))
        for scope, values, is_input in scopes:
            for name, value in values.items():
                if not _workflow_secret_name(name, is_input=is_input):
                    continue
                if _VARS_EXPRESSION.search(value.text):
                    findings.append(
                        Evidence(
                            tr(
                                "{scope}: {name} comes from vars.*, which GitHub stores "
                                "unencrypted",
                                "{scope}: {name} は GitHub が暗号化せずに保存する vars.* から来る",
                                scope=scope,
                                name=name,
                            ),
                            path,
                            value.line,
                            workflow.excerpt(value.line),
                        )
                    )
                elif (
                    value.text.strip() and not value.has_expression and not _placeholder(value.text)
                ):
                    note = tr(
                        "{scope}: {name} is a literal",
                        "{scope}: {name} はリテラル",
                        scope=scope,
                        name=name,
                    )
                    findings.append(Evidence(note, path, value.line, f"{name}: …"))
        for number, line in enumerate(workflow.lines, start=1):
            if line.lstrip().startswith("#"):
                continue
            names = [n for n in _SECRETS_EXPRESSION.findall(line) if n != "GITHUB_TOKEN"]
            if names:
                stores.append(
                    Evidence(
                        tr(
                            "reads GitHub Actions secrets: {names}",
                            "GitHub Actions のシークレットを読む: {names}",
                            names=", ".join(names),
                        ),
                        path,
                        number,
                        line.strip(),
                    )
                )
    return findings, stores


def _workflow_secret_name(name: str, *, is_input: bool) -> bool:
    if not is_input:
        return secret_name(name)
    return name.lower() not in _NOT_SECRET_INPUTS and bool(_INPUT_WORDS.search(name))


def _runs_wrangler_secret(script: str) -> bool:
    for command in commands(script):
        argv = [word.rsplit("/", 1)[-1] for word in command.argv]
        if "wrangler" in argv:
            rest = argv[argv.index("wrangler") + 1 :]
            if rest[:1] == ["secret"] and rest[1:2] in (["put"], ["bulk"]):
                return True
    return False


def _wrangler_findings(target: Target, path: str) -> Iterator[Evidence]:
    config = target.parse(path, read_wrangler)
    for variable in config.vars:
        if secret_name(variable.name) and variable.value.strip() not in ("", '""'):
            scope = f"[env.{variable.environment}.vars]" if variable.environment else "[vars]"
            yield Evidence(
                tr(
                    "{scope} {name} is shipped as plain text; use wrangler secret put",
                    "{scope} {name} は平文で配布される。wrangler secret put を使ってください",
                    scope=scope,
                    name=variable.name,
                ),
                path,
                variable.line,
                f"{variable.name} = …",
            )


def _store_in_file(path: str, text: str) -> Evidence | None:
    name = basename(path)
    if "ENC[AES256_GCM," in text and "sops" in text:
        return Evidence(tr("SOPS-encrypted file", "SOPS で暗号化したファイル"), path, 1)
    if _is_dotenv(name) and "DOTENV_PUBLIC_KEY" in text and "encrypted:" in text:
        return Evidence(
            tr("dotenvx-encrypted .env file", "dotenvx で暗号化した .env ファイル"), path, 1
        )
    if re.search(r"^kind:\s*SealedSecret\b", text, re.MULTILINE):
        return Evidence(tr("Bitnami Sealed Secret", "Bitnami の Sealed Secret"), path, 1)
    if name == ".gitattributes" and "filter=git-crypt" in text:
        return Evidence(
            tr("git-crypt encrypts files on commit", "git-crypt がコミット時にファイルを暗号化"),
            path,
            1,
        )
    if name.endswith(".sh") and _runs_wrangler_secret(text):
        return Evidence(
            tr("script runs wrangler secret put", "スクリプトが wrangler secret put を実行"),
            path,
            1,
        )
    return None


@check(
    "deploy.secrets_encrypted",
    severity="critical",
    related=(
        "trivy:secret-scanning",
        "checkov:CKV_SECRET_2",
        "zizmor:hardcoded-container-credentials",
        "gitleaks:generic-api-key",
    ),
)
def secrets_encrypted(target: Target) -> Outcome:
    compose_findings, env_files, stores = _compose_findings(target)
    workflow_findings, workflow_stores = _workflow_findings(target)
    findings = [*compose_findings, *workflow_findings]
    stores += workflow_stores
    dotenv_files: list[str] = []
    for path in scanned_files(target):
        name = basename(path)
        if name == "wrangler.toml":  # read as Wrangler reads it, UTF-8 or not
            findings += _wrangler_findings(target, path)
        text = text_or_none(target, path)
        if text is None:
            continue
        if _is_dotenv(name) or path in env_files:
            dotenv_files.append(path)
            findings += _dotenv_findings(target, path, _git_ignored(target, path))
        findings += _value_findings(path, text)
        store = _store_in_file(path, text)
        if store:
            stores.append(store)
    findings = list(dict.fromkeys(findings))
    if findings:
        return Outcome.failed(
            tr(
                "{count} plaintext secret(s) in the repository",
                "リポジトリに平文のシークレットが {count} 件",
                count=len(findings),
            ),
            *findings,
            *stores,
        )
    looked = Evidence(
        tr(
            "no plaintext secret in .env files, wrangler.toml vars, Compose environment, "
            "workflow env/with or any text file ({count} dotenv file(s) read)",
            ".env ファイル、wrangler.toml の vars、Compose の environment、ワークフローの "
            "env/with、その他のテキストファイルに平文のシークレットなし（dotenv ファイル "
            "{count} 個を読んだ）",
            count=len(dotenv_files),
        )
    )
    if not stores:
        return Outcome.failed(
            tr(
                "no plaintext secret, but nothing shows that secrets come from an encrypted "
                "store (GitHub Actions secrets, wrangler secret put, SOPS, ...)",
                "平文のシークレットはないが、シークレットが暗号化されたストア（GitHub Actions の"
                "シークレット、wrangler secret put、SOPS など）から来ることを示すものがない",
            ),
            looked,
            *(
                Evidence(
                    tr(
                        "dotenv file without secret values",
                        "シークレットの値のない dotenv ファイル",
                    ),
                    p,
                    1,
                )
                for p in dotenv_files
            ),
        )
    return Outcome.passed(
        tr(
            "no plaintext secret; secrets come from an encrypted store ({store})",
            "平文のシークレットなし。シークレットは暗号化されたストアから（{store}）",
            store=stores[0].note,
        ),
        *stores,
        looked,
    )
