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
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator

from checklists import Evidence, Outcome, Target, check
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
            yield Evidence(f"looks like {label}", path, number, _masked(line.strip()))


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
        " (git-ignored, but present in the checkout, so a build context may send it)"
        if ignored
        else ""
    )
    for entry in target.parse(path, read_dotenv):
        value = entry.value or ""
        if not value or value.startswith("encrypted:") or not secret_name(entry.name):
            continue
        if template and _placeholder(value):
            continue
        yield Evidence(
            f"{entry.name} holds a value in plain text{suffix}", path, entry.line, f"{entry.name}=…"
        )


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
                                f"service {service.name!r} sets {variable.name} inline",
                                path,
                                variable.line,
                                f"{variable.name}: …",
                            )
                        )
                for env_file in service.env_files:
                    env_files.append(posixpath.normpath(posixpath.join(folder, env_file.path)))
            for secret in compose.secrets:
                if secret.external:
                    stores.append(
                        Evidence(f"Compose secret {secret.name!r} is external", path, secret.line)
                    )
    return findings, env_files, stores


def _workflow_findings(target: Target) -> tuple[list[Evidence], list[Evidence]]:
    """(findings, encrypted-store evidence) of the GitHub Actions workflows."""
    findings: list[Evidence] = []
    stores: list[Evidence] = []
    paths = target.glob(".github/workflows/*.yml") + target.glob(".github/workflows/*.yaml")
    for path in paths:
        workflow = target.parse(path, read_workflow)
        scopes: list[tuple[str, dict[str, Value], bool]] = [
            ("workflow env", dict(workflow.env), False)
        ]
        for job in workflow.jobs:
            scopes.append((f"job {job.id} env", dict(job.env), False))
            for step in job.steps:
                scopes.append((f"step {step.label!r} env", dict(step.env), False))
                scopes.append((f"step {step.label!r} with", dict(step.inputs), True))
                if step.uses and step.uses.is_action("cloudflare/wrangler-action"):
                    secrets_input = step.input("secrets")
                    if secrets_input and secrets_input.text.strip():
                        stores.append(
                            Evidence("wrangler-action uploads secrets", path, secrets_input.line)
                        )
                if step.run is not None and _runs_wrangler_secret(step.run.text):
                    stores.append(Evidence("runs wrangler secret put", path, step.run.line))
        for scope, values, is_input in scopes:
            for name, value in values.items():
                if not _workflow_secret_name(name, is_input=is_input):
                    continue
                if _VARS_EXPRESSION.search(value.text):
                    findings.append(
                        Evidence(
                            f"{scope}: {name} comes from vars.*, which GitHub stores unencrypted",
                            path,
                            value.line,
                            workflow.excerpt(value.line),
                        )
                    )
                elif (
                    value.text.strip() and not value.has_expression and not _placeholder(value.text)
                ):
                    findings.append(
                        Evidence(f"{scope}: {name} is a literal", path, value.line, f"{name}: …")
                    )
        for number, line in enumerate(workflow.lines, start=1):
            if line.lstrip().startswith("#"):
                continue
            names = [n for n in _SECRETS_EXPRESSION.findall(line) if n != "GITHUB_TOKEN"]
            if names:
                stores.append(
                    Evidence(
                        f"reads GitHub Actions secrets: {', '.join(names)}",
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
                f"{scope} {variable.name} is shipped as plain text; use wrangler secret put",
                path,
                variable.line,
                f"{variable.name} = …",
            )


def _store_in_file(path: str, text: str) -> Evidence | None:
    name = basename(path)
    if "ENC[AES256_GCM," in text and "sops" in text:
        return Evidence("SOPS-encrypted file", path, 1)
    if _is_dotenv(name) and "DOTENV_PUBLIC_KEY" in text and "encrypted:" in text:
        return Evidence("dotenvx-encrypted .env file", path, 1)
    if re.search(r"^kind:\s*SealedSecret\b", text, re.MULTILINE):
        return Evidence("Bitnami Sealed Secret", path, 1)
    if name == ".gitattributes" and "filter=git-crypt" in text:
        return Evidence("git-crypt encrypts files on commit", path, 1)
    if name.endswith(".sh") and _runs_wrangler_secret(text):
        return Evidence("script runs wrangler secret put", path, 1)
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
            f"{len(findings)} plaintext secret(s) in the repository", *findings, *stores
        )
    looked = Evidence(
        "no plaintext secret in .env files, wrangler.toml vars, Compose environment, "
        f"workflow env/with or any text file ({len(dotenv_files)} dotenv file(s) read)"
    )
    if not stores:
        return Outcome.failed(
            "no plaintext secret, but nothing shows that secrets come from an encrypted "
            "store (GitHub Actions secrets, wrangler secret put, SOPS, ...)",
            looked,
            *(Evidence("dotenv file without secret values", p, 1) for p in dotenv_files),
        )
    return Outcome.passed(
        f"no plaintext secret; secrets come from an encrypted store ({stores[0].note})",
        *stores,
        looked,
    )
