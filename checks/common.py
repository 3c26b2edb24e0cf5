"""Shared reading helpers for checks: parsed Dockerfiles, stage chains, build contexts.

Everything here goes through the target object, so each file is read and parsed once per
build however many checks look at it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from checklists import Evidence, InputError, Message, Target, localize, tr
from checklists.core.target import MAX_STAGES
from checks.readers.build_model import Build, DockerfileModel, Walked
from checks.readers.dockerfile import Dockerfile, Instruction, parse
from checks.readers.dockerfile_instructions import instruction_refusal, refused, stage_refusal
from checks.readers.dockerfile_model import Stage, stages
from checks.readers.dockerignore import Pattern, PatternMatcher, read_dockerignore
from checks.readers.image_reference import ImageReference, WrittenReference, parse_written

EXCERPT_LINES = 6


@dataclass(frozen=True, slots=True)
class ParsedDockerfile:
    """A parsed Dockerfile, its build model and its physical lines (for excerpts).

    Copies made by `replace` (one per path it was loaded as) share the model, so each stage
    is walked once per build however many checks ask.
    """

    model: DockerfileModel
    lines: tuple[str, ...]  # the physical lines, for excerpts as the author wrote them
    path: str = ""  # the target path it was read from (set by load_dockerfile)

    @property
    def dockerfile(self) -> Dockerfile:
        return self.model.dockerfile

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.model.stages

    @property
    def final(self) -> Stage:
        """The last stage: what `docker build` builds without `--target`."""
        return self.stages[-1]

    def chain(self, stage: Stage) -> list[Stage]:
        """The stage and the earlier stages it is built FROM, root first."""
        return list(self.model.chain(stage))

    def build(self, target: str | None = None) -> Build:
        """The build of `target` (None: the last stage); an unknown stage is an InputError
        that names this Dockerfile."""
        try:
            return self.model.build(target)
        except InputError as error:
            raise error.with_path(self.path) from None

    def walk_chain(
        self, stage: Stage
    ) -> Iterator[tuple[Stage, Instruction, Mapping[str, str | None]]]:
        """Every instruction that shapes `stage`'s image, with the variables visible to it.

        An expansion error (`${X?}`) names this Dockerfile, not just the line.
        """
        for link in self.chain(stage):
            for instruction, variables in self.walk(link):
                yield link, instruction, variables

    def walk(self, stage: Stage) -> Walked:
        """The stage's instructions (after its FROM) with the variables visible to each.

        An expansion error (`${X?}`) names this Dockerfile, not just the line.
        """
        try:
            return self.model.walk(stage)
        except InputError as error:
            raise error.with_path(self.path) from None

    def at(self, path: str, instruction: Instruction, note: str) -> Evidence:
        """Evidence pointing at one instruction, with its lines as written in the file."""
        lines = list(self.lines[instruction.start_line - 1 : instruction.end_line])
        if len(lines) > EXCERPT_LINES:
            lines = [*lines[: EXCERPT_LINES - 1], "..."]
        excerpt = "\n".join(lines) or instruction.original
        return Evidence(note, path=path, line=instruction.start_line, excerpt=excerpt)


def read_dockerfile(data: bytes) -> ParsedDockerfile:
    """The parser every Dockerfile check shares (one parse per file per build).

    A file BuildKit would refuse (`dockerfile_instructions`) is an InputError at the line
    BuildKit names, so no check judges a Dockerfile that never builds. More stages than
    MAX_STAGES is refused too: each stage built FROM another inherits its environment, so
    a chain of thousands would cost quadratic time.
    """
    dockerfile = parse(data)
    refusal = instruction_refusal(dockerfile)
    try:
        found = tuple(stages(dockerfile))
    except InputError as error:
        # BuildKit reads the instructions in order and stops at the first it refuses: a
        # malformed FROM (an invalid stage name, a missing image) or an instruction before
        # the first FROM is as much a refusal as an unknown instruction, whichever is first.
        if refusal is not None and (refusal.line or 0) <= (error.line or 0):
            raise refusal from None
        if error.kind == "invalid":
            raise refused(error.message, error.line) from None
        raise
    if refusal is not None:
        raise refusal
    if len(found) > MAX_STAGES:
        raise InputError(
            tr(
                "more than {MAX_STAGES} build stages: not read",
                "ビルドステージが {MAX_STAGES} 個を超えるため読み取らない",
                MAX_STAGES=MAX_STAGES,
            ),
            line=found[MAX_STAGES].from_instruction.start_line,
            kind="limit",
        )
    problem = stage_refusal(dockerfile, found)
    if problem is not None:
        raise problem
    lines = tuple(data.decode("utf-8").removeprefix("\ufeff").splitlines())
    return ParsedDockerfile(DockerfileModel(dockerfile, found), lines)


def load_dockerfile(target: Target, path: str) -> ParsedDockerfile:
    return replace(target.parse(path, read_dockerfile), path=target.normalize(path))


def load_build(repo: Target, path: str, stage: str | None = None) -> tuple[ParsedDockerfile, Build]:
    """The Dockerfile at `path` and the build of its stage `stage` (None: the last stage).

    Reader errors (a malformed file, an unknown stage, `${X?}`) name the Dockerfile.
    """
    parsed = load_dockerfile(repo, path)
    return parsed, parsed.build(stage)


def read_base(stage: Stage, path: str) -> WrittenReference:
    """The stage's FROM image with its known parts; InputError at the FROM's line."""
    try:
        return parse_written(stage.base)
    except InputError as error:
        raise InputError(
            tr(
                "FROM {base}: {message}",
                "FROM {base}: {message}",
                base=stage.base,
                message=error.message,
            ),
            path=path,
            line=stage.from_instruction.start_line,
        ) from None


def invalid_only_by_default(stage: Stage, error: InputError) -> str | None:
    """Why a FROM that does not parse is unknown rather than an error: its image comes from
    build arguments whose defaults make an invalid name (`${IMAGE}@${DIGEST}` with an empty
    DIGEST). BuildKit only warns about that (InvalidDefaultArgInFrom); the build passes the
    values. None when the name is invalid as written."""
    if "$" not in stage.from_instruction.args[0]:
        return None
    prefix = f"FROM {stage.base}: "  # read_base's, the same in both languages
    problem = Message.texts(
        localize(error.message, "en").removeprefix(prefix),
        localize(error.message, "ja").removeprefix(prefix),
    )
    return tr(
        "FROM {written} gives the invalid image name {base!r} with the build arguments' "
        "defaults ({problem}); the real name is passed at build time",
        "FROM {written} はビルド引数のデフォルト値では不正なイメージ名 {base!r} になります"
        "（{problem}）。実際の名前はビルド時に渡されます",
        written=stage.from_instruction.args[0],
        base=stage.base,
        problem=problem,
    )


def allowed(name: ImageReference, allow: Sequence[str]) -> str | None:
    """The first `allow` prefix that matches the image's full or short name."""
    return next(
        (p for p in allow if name.name.startswith(p) or name.familiar_name.startswith(p)), None
    )


def stage_label(stage: Stage) -> str:
    """ "stage 1 (runtime)" / "ステージ 1（runtime）", for evidence notes and summaries."""
    if stage.name:
        return tr(
            "stage {index} ({name})",
            "ステージ {index} ({name})",
            index=stage.index,
            name=stage.name,
        )
    return tr("stage {index}", "ステージ {index}", index=stage.index)


# -- build contexts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    path: str | None  # None when the context has no ignore file
    patterns: tuple[Pattern, ...]

    @property
    def matcher(self) -> PatternMatcher:
        return shared_matcher(self.patterns)


@functools.lru_cache(maxsize=1024)
def shared_matcher(patterns: tuple[Pattern | str, ...]) -> PatternMatcher:
    """One matcher per pattern list, shared by the checks: each pattern compiles once and a
    path asked about again is answered from memory. Invalid patterns raise on every call."""
    return PatternMatcher(patterns)


def context_of(dockerfile: str, context: str | None) -> str:
    """The build context: given explicitly, else the Dockerfile's folder."""
    if context is not None:
        return posixpath.normpath(context)
    return posixpath.dirname(dockerfile) or "."


def ignore_file(target: Target, dockerfile: str, context: str) -> IgnoreFile:
    """The ignore file BuildKit uses: `<Dockerfile>.dockerignore` first, then the context's."""
    candidates = (f"{dockerfile}.dockerignore", posixpath.join(context, ".dockerignore"))
    for candidate in candidates:
        if target.is_file(candidate):
            patterns = target.parse(candidate, read_dockerignore)
            return IgnoreFile(candidate, tuple(patterns))
    return IgnoreFile(None, ())


def relative_to(context: str, path: str) -> str:
    if context == ".":
        return path
    if path.startswith(context + "/"):  # the common case, without relpath's absolute paths
        return path[len(context) + 1 :]
    return posixpath.relpath(path, context)


# -- shell scripts ---------------------------------------------------------------------------

# -- secrets ---------------------------------------------------------------------------------

# BuildKit's SecretsUsedInArgOrEnv words (frontend/dockerfile/dockerfile2llb: secretsRegexp),
# plus the spellings it misses: passphrase anywhere, and _PSW, _PWD, _PASS, _PASSWD at the end
# of a name (`JENKINS_PSW`, `DB_PWD`, `SMTP_PASS`; `PWD` alone is the shell's working folder).
_SECRET_WORD = re.compile(
    r"(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|passphrase|"
    r"secret|token)(?:_|$)|_(?:psw|pwd|pass)$",
    re.IGNORECASE,
)
_PUBLIC_WORD = re.compile(r"(?:_|^)public(?:_|$)", re.IGNORECASE)
# A last word that makes the value something about a secret rather than the secret itself:
# where it is (`_FILE`, `_PATH`, `_URL`), who uses it (`_USER`), how it behaves (`_TTL`).
_ABOUT_A_SECRET = frozenset(
    {
        *("file", "files", "path", "dir", "url", "uri", "endpoint", "host", "port", "user"),
        *("username", "name", "id", "type", "method", "mode", "header", "ttl", "timeout"),
        *("expiry", "expires", "expiration", "length", "size", "enabled", "disabled", "required"),
        *("provider", "backend", "issuer", "audience", "algorithm", "scheme", "realm", "version"),
    }
)
# nginx's *_pass directives name an upstream, not a password (`UWSGI_PASS=uwsgi_server`).
_UPSTREAM_PASS = re.compile(r"(?:^|_)(?:proxy|uwsgi|fastcgi|grpc|scgi|memcached)_pass$", re.I)
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "y", "n"})
_REFERENCE = re.compile(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:(?P<password>[^/\s@]+)@")
SECRET_VALUES = (
    (
        tr("a Stripe/Clerk-style secret key", "Stripe/Clerk 形式のシークレットキー"),
        re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}"),
    ),
    (
        tr("a GitHub token", "GitHub トークン"),
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
    ),
    (
        tr("an AWS access key id", "AWS アクセスキー ID"),
        re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ),
    (tr("a Slack token", "Slack トークン"), re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    (tr("a private key", "秘密鍵"), re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


def secret_name(name: str) -> bool:
    """Whether a variable's name says it holds a secret (BuildKit's words and a few more),
    and not only something about one (`TOKEN_TTL`, `PASSWORD_FILE`, `PUBLIC_KEY`)."""
    if not _SECRET_WORD.search(name) or _PUBLIC_WORD.search(name) or _UPSTREAM_PASS.search(name):
        return False
    last = name.lower().rsplit("_", 1)[-1]
    return not ("_" in name and last in _ABOUT_A_SECRET)


def secret_value(text: str) -> str | None:
    """The kind of credential a text holds in a known token format (anywhere in it), or None.
    A URL counts when it carries a password that is written out, not a reference."""
    for label, pattern in SECRET_VALUES:
        if pattern.search(text):
            return label
    for match in _URL_PASSWORD.finditer(text):
        password = match["password"]
        if not _REFERENCE.fullmatch(password) and not password.startswith("$"):
            return tr("a URL with a password", "パスワード入りの URL")
    return None


def literal_secret(value: str) -> bool:
    """Whether a value of a secret-named variable is a credential written out. Not one: an
    empty value, a boolean, a reference (`$VAR`, `${VAR:-}`, `${{ secrets.X }}`), a path
    (`/run/secrets/db`), a URL without a password."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    if not text or text.lower() in _BOOLEAN_WORDS:
        return False
    if not _REFERENCE.sub("", text).strip(" -_:/.'\""):
        return False
    if text.startswith(("/", "./", "../", "~/")):
        return False
    return "://" not in text or secret_value(text) is not None
