"""Environment variables set appropriately: no secrets baked into the image.

What it checks:
    In every stage, no `ENV` or `ARG` has a name that marks it as a secret, judged as
    BuildKit's SecretsUsedInArgOrEnv rule does: the name contains one of the words
    apikey, auth, credential(s), key, password, pword, passwd, secret or token between
    underscores or at either end (case-insensitive), unless it also contains the word
    public. So `CLERK_SECRET_KEY` and `ARG GITHUB_TOKEN` fail while `MONKEY` and
    `PUBLIC_KEY` pass. Unlike BuildKit it also looks at values: a default that looks like
    a live credential (`sk_live_...`, `ghp_...`, `AKIA...`, a private key block, a URL
    with a password) fails whatever its name. Finally no `.env` file may reach the image:
    a COPY or ADD from the build context whose source is, or includes, a `.env` or
    `.env.<name>` file that `.dockerignore` does not exclude fails (templates named
    `.env.example`, `.env.sample` or `.env.template` are allowed). A `.env` that exists
    only on a developer's machine is covered too: the check asks whether one at the
    context root would be copied.

Why it matters:
    ENV values are stored in the image config and ARG values in its build history; anyone
    who can pull the image can read them. A copied `.env` file ships every secret of a
    developer's machine.

How to fix:
    Inject secrets at run time (`docker run -e`, an orchestrator's secret store) and use
    `RUN --mount=type=secret` for build-time secrets. Exclude `.env*` in `.dockerignore`.
"""

from __future__ import annotations

import posixpath
import re

from checklists import Evidence, Outcome, Target, check
from checks.common import (
    ParsedDockerfile,
    context_of,
    ignore_file,
    load_dockerfile,
    relative_to,
    shared_matcher,
)
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import copy_parts

_SECRET_NAME = re.compile(
    r"(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)",
    re.IGNORECASE,
)
_ALLOWED_NAME = re.compile(r"(?:_|^)public(?:_|$)", re.IGNORECASE)
_SECRET_VALUES = (
    ("a Stripe/Clerk-style secret key", re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
)
_ENV_FILE = re.compile(r"^\.env(?:\..+)?$")
_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})
_ENV_PROBES = (".env", ".env.local", ".env.production")


def secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _ALLOWED_NAME.search(name)


def secret_value(value: str) -> str | None:
    return next((label for label, pattern in _SECRET_VALUES if pattern.search(value)), None)


def _variables(instruction: Instruction) -> list[tuple[str, str | None]]:
    """(name, value) pairs an ENV or ARG instruction declares."""
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


@check(
    "dockerfile.env_without_secrets",
    severity="critical",
    related=("buildkit:SecretsUsedInArgOrEnv", "trivy:DS-0031", "checkov:CKV_DOCKER_10"),
)
def env_without_secrets(
    target: Target, *, dockerfile: str = "Dockerfile", context: str | None = None
) -> Outcome:
    parsed = load_dockerfile(target, dockerfile)
    findings: list[Evidence] = []
    declared = 0
    instructions = [i for i in parsed.dockerfile.instructions if i.keyword in ("env", "arg")]
    for instruction in instructions:
        for name, value in _variables(instruction):
            declared += 1
            if secret_name(name):
                findings.append(
                    parsed.at(dockerfile, instruction, f"{name} is named like a secret")
                )
            elif value and (label := secret_value(value)):
                findings.append(
                    parsed.at(dockerfile, instruction, f"the value of {name} looks like {label}")
                )
    folder = context_of(dockerfile, context)
    findings.extend(_copied_env_files(target, parsed, dockerfile, folder))
    if findings:
        return Outcome.failed(f"{len(findings)} secret(s) would be baked into the image", *findings)
    declarations = [
        parsed.at(dockerfile, i, "declares " + ", ".join(n for n, _ in _variables(i)))
        for i in instructions
    ]
    ignore = ignore_file(target, dockerfile, folder)
    guard = Evidence(
        f"{ignore.path} keeps .env files out of the build context"
        if ignore.path and ignore.matcher.matches(".env")
        else "no COPY or ADD takes a .env file from the build context",
        path=ignore.path or dockerfile,
    )
    return Outcome.passed(
        f"{declared} ENV/ARG variable(s), none named or valued like a secret; "
        "no .env file is copied",
        *declarations,
        guard,
    )


def _copied_env_files(
    target: Target, parsed: ParsedDockerfile, dockerfile: str, context: str
) -> list[Evidence]:
    """Evidence for every `.env` file a COPY/ADD from the context would put in the image."""
    ignore = ignore_file(target, dockerfile, context)
    excluded = ignore.matcher
    present = (
        [relative_to(context, f) for f in target.files(context)] if target.exists(context) else []
    )
    candidates = sorted({*(p for p in present if _is_env_file(p)), *_ENV_PROBES})
    sendable = [c for c in candidates if not excluded.matches(c)]
    findings: list[Evidence] = []
    for instruction in parsed.dockerfile.instructions:
        if instruction.keyword not in ("copy", "add"):
            continue
        parts = copy_parts(instruction)
        if "from" in parts.flags:
            continue
        for source in parts.sources:
            matcher = shared_matcher((source.lstrip("/") or ".",))
            for candidate in sendable:
                if source.strip("/") in ("", ".") or matcher.matches(candidate):
                    hypothetical = candidate not in present
                    note = (
                        f"a {candidate} in the build context would be copied by this instruction"
                        if hypothetical
                        else f"copies {candidate} from the build context"
                    )
                    findings.append(
                        parsed.at(
                            dockerfile, instruction, note + " (not excluded by .dockerignore)"
                        )
                    )
    return findings
