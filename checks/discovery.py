"""The Docker library's service discoverer: the images a repository ships, as services.

Registered with the engine (`checklists.core.registry.discoverer`); the engine calls it when the
configuration names no services (`checklists.core.services`). The reading is
`checks.readers.services.discover`; this module only names the services it found.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from checklists import Target, discoverer
from checklists.core.services import Discovered, Service, unique_names
from checks.readers.services import Build, discover

_GENERIC = frozenset({"src", "docker", ".docker", "build", "container", "containers", "deploy"})


def _base_name(build: Build, root: str) -> str:
    """A service name from what names the image: the Compose service or the image name,
    else the Dockerfile (`api/Dockerfile` -> api, `Dockerfile.alpine` -> alpine)."""
    if build.name_hint:
        return build.name_hint
    folder, name = posixpath.split(build.dockerfile)
    lowered = name.lower()
    for stem in ("dockerfile", "containerfile"):
        if lowered == stem:
            # `cartservice/src/Dockerfile`, `app/docker/Dockerfile`: the folder above a
            # generic one names the service.
            parts = [p for p in folder.split("/") if p]
            while len(parts) > 1 and parts[-1].lower() in _GENERIC:
                parts.pop()
            return parts[-1] if parts else root
        if lowered.startswith((f"{stem}.", f"{stem}-")):
            return name[len(stem) + 1 :]
        if lowered.endswith(f".{stem}"):
            return name[: -len(stem) - 1]
    return name


def _qualified(base: str, dockerfile: str) -> str:
    """`genproto` of src/checkout/genproto/Dockerfile -> checkout-genproto."""
    parts = [p for p in posixpath.dirname(dockerfile).split("/") if p]
    while parts and (parts[-1] == base or parts[-1].lower() in _GENERIC):
        parts.pop()
    return f"{parts[-1]}-{base}" if parts else base


@discoverer
def services(target: Target) -> Discovered:
    found = discover(target)
    root = target.root.name or "app"
    bases = [_base_name(build, root) for build in found.builds]
    # A name from an image or Compose service that several Dockerfiles share (one image
    # name with a tag per component) does not tell them apart: their files do.
    files: dict[str, set[str]] = {}
    for base, build in zip(bases, found.builds, strict=True):
        files.setdefault(base, set()).add(build.dockerfile)
    bases = [
        _base_name(replace(build, name_hint=None), root) if len(files[base]) > 1 else base
        for base, build in zip(bases, found.builds, strict=True)
    ]
    # A file name that repeats in several folders (src/a/genproto, src/b/genproto): the
    # folder above names each.
    files = {}
    for base, build in zip(bases, found.builds, strict=True):
        files.setdefault(base, set()).add(build.dockerfile)
    bases = [
        _qualified(base, build.dockerfile) if len(files[base]) > 1 else base
        for base, build in zip(bases, found.builds, strict=True)
    ]
    # One name for several builds (a matrix of stages, one image name): the stage tells
    # them apart; what still repeats gets a number.
    counts = {base: bases.count(base) for base in bases}
    names = unique_names(
        [
            f"{base}:{build.target}" if counts[base] > 1 and build.target else base
            for base, build in zip(bases, found.builds, strict=True)
        ]
    )
    return Discovered(
        tuple(
            Service(
                name,
                build.dockerfile,
                build.context,
                build.target,
                development=build.development,
                origin=", ".join(dict.fromkeys(f.location for f in build.found)),
                published=build.published,
            )
            for name, build in zip(names, found.builds, strict=True)
        ),
        tuple((s.dockerfile, s.reason) for s in found.skipped),
        found.notes,
    )
