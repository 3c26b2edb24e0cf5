"""Read an image reference (`python:3.13-slim`, `gcr.io/distroless/static@sha256:...`) the way
Docker does, and judge nothing.

BuildKit parses the image of a FROM with `reference.ParseNormalizedNamed` from
github.com/distribution/reference; this module follows that function and its grammar:

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ domain "/" ] remote-name
    domain     := host [ ":" port ]          a first component with "." or ":", "localhost",
                                            or an upper-case letter; otherwise Docker Hub
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex          sha256, sha384 or sha512 with their lengths

A name without a domain is on Docker Hub (`docker.io`), `index.docker.io` is Docker Hub
under its legacy name, and a Docker Hub name of one component is in the `library/`
namespace: `python` is `docker.io/library/python`. Names must be lower-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklists import InputError, tr

__all__ = ["DOCKER_HUB", "ImageReference", "WrittenReference", "parse_reference", "parse_written"]

DOCKER_HUB = "docker.io"
_LEGACY_DOCKER_HUB = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
_MAX_PATH = 255

_ALNUM = "[a-z0-9]+"
_SEPARATOR = "(?:[._]|__|[-]+)"
_PATH_COMPONENT = f"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = f"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = f"{_DOMAIN_COMPONENT}(?:\\.{_DOMAIN_COMPONENT})*"
_HOST = f"(?:{_DOMAIN_NAME}|\\[(?:[a-fA-F0-9:]+)\\])"
_DOMAIN_AND_PORT = f"{_HOST}(?::[0-9]+)?"
_TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    f"((?:{_DOMAIN_AND_PORT}/)?{_REMOTE_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII
)
_NAME = re.compile(f"(?:({_DOMAIN_AND_PORT})/)?({_REMOTE_NAME})", re.ASCII)
_IDENTIFIER = re.compile("[a-f0-9]{64}")
# go-digest's registered algorithms and the length of their lower-case hex encoding.
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A normalised reference: `python:3.13-slim` is docker.io, library/python, 3.13-slim."""

    domain: str  # "docker.io" for Docker Hub
    path: str  # the repository path, e.g. "library/python" or "distroless/static"
    tag: str | None
    digest: str | None  # "sha256:..."

    @property
    def name(self) -> str:
        """The full repository name, e.g. 'docker.io/library/python'."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """The name as `docker images` shows it: 'python', 'bitnami/python', 'gcr.io/x/y'."""
        if self.domain != DOCKER_HUB:
            return self.name
        rest = self.path.removeprefix(_OFFICIAL_PREFIX)
        return rest if "/" not in rest else self.path

    @property
    def repository(self) -> str:
        """The last path component, e.g. 'python' for 'docker.io/library/python'."""
        return self.path.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_domain(name: str) -> tuple[str, str]:
    """distribution/reference's splitDockerDomain (the current version)."""
    first, sep, rest = name.partition("/")
    if not sep:
        return DOCKER_HUB, _OFFICIAL_PREFIX + name
    if first == "localhost" or any(c in first for c in ".:") or first.lower() != first:
        domain, remote = first, rest
    else:
        domain, remote = DOCKER_HUB, name
    if domain == _LEGACY_DOCKER_HUB:
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in remote:
        remote = _OFFICIAL_PREFIX + remote
    return domain, remote


def parse_reference(text: str) -> ImageReference:
    """ParseNormalizedNamed: the reference normalised; InputError when Docker refuses it."""
    if _IDENTIFIER.fullmatch(text):
        raise InputError(
            tr(
                "invalid repository name ({text}), cannot specify 64-byte hexadecimal strings",
                "リポジトリ名 ({text}) が不正: 64 バイトの 16 進文字列は指定できない",
                text=text,
            )
        )
    domain, remainder = _split_domain(text)
    remote = remainder.partition(":")[0]
    if remote.lower() != remote:
        raise InputError(
            tr(
                "invalid reference format: repository name ({remote}) must be lowercase",
                "参照の形式が不正: リポジトリ名 ({remote}) は小文字でなければならない",
                remote=remote,
            )
        )
    match = _REFERENCE.fullmatch(f"{domain}/{remainder}")
    if match is None:
        raise InputError(
            tr("invalid reference format: {text!r}", "参照の形式が不正: {text!r}", text=text)
        )
    name = _NAME.fullmatch(match[1])
    assert name is not None  # the reference pattern contains the name pattern
    found_domain, path = name[1] or "", name[2]
    if len(path) > _MAX_PATH:
        raise InputError(
            tr(
                "repository name must not be more than {_MAX_PATH} characters",
                "リポジトリ名は {_MAX_PATH} 文字以下でなければならない",
                _MAX_PATH=_MAX_PATH,
            )
        )
    digest = match[3]
    if digest is not None:
        algorithm, _, encoded = digest.partition(":")
        length = _DIGEST_LENGTHS.get(algorithm)
        if length is None:
            raise InputError(
                tr(
                    "unsupported digest algorithm in {text!r}",
                    "{text!r} のダイジェストのアルゴリズムには対応していない",
                    text=text,
                )
            )
        if len(encoded) != length or not re.fullmatch("[a-f0-9]+", encoded):
            raise InputError(
                tr(
                    "invalid checksum digest format in {text!r}",
                    "{text!r} のチェックサムダイジェストの形式が不正",
                    text=text,
                )
            )
    return ImageReference(found_domain, path, match[2], digest)


@dataclass(frozen=True, slots=True)
class WrittenReference:
    """A FROM image as written after ARG expansion, where build arguments without a default
    stay as `${NAME}`: which parts are known and which are not."""

    text: str
    reference: ImageReference | None  # the whole reference, when nothing is left unresolved
    name: ImageReference | None  # the repository without tag or digest, when it is known
    tag: str | None  # the tag as written, possibly holding ${NAME}; None when absent
    digest: str | None  # the digest as written; None when absent


def parse_written(text: str) -> WrittenReference:
    """Read the known parts of a reference that may still hold `$` references.

    The name is known when the first `$` comes after the tag's `:` (a `:` after the last
    `/`) or after the digest's `@`; `${REGISTRY}/app:1` and `registry:${PORT}/app` have an
    unknown name. InputError when the known part is not a valid reference.
    """
    pos = text.find("$")
    if pos < 0:
        ref = parse_reference(text)
        bare = ImageReference(ref.domain, ref.path, None, None)
        return WrittenReference(text, ref, bare, ref.tag, ref.digest)
    at = text.find("@")
    if 0 <= at < pos:
        known = parse_reference(text[:at])
        bare = ImageReference(known.domain, known.path, None, None)
        return WrittenReference(text, None, bare, known.tag, text[at + 1 :])
    colon = text.rfind(":", 0, pos)
    if colon >= 0 and colon > text.rfind("/"):
        known = parse_reference(text[:colon])
        tag, _, digest = text[colon + 1 :].partition("@")
        return WrittenReference(text, None, known, tag, digest or None)
    return WrittenReference(text, None, None, None, None)
