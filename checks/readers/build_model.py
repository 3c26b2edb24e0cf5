"""One build of a Dockerfile: what BuildKit builds for a target stage, and what ends in the image.

`docker build --target <stage>` (or the last stage without `--target`) builds the target and
every stage it depends on: the stage it is `FROM`, the stages it copies from (`COPY --from`)
or mounts (`RUN --mount=from=`), recursively (dockerfile2llb's `allReachableStages`). Stages
nothing reaches are never built. Of the built stages only the *final chain* ends in the image:
the target and the stages it is built `FROM`, recursively. Another built stage reaches the
image only through the paths copied out of it.

This module answers those questions once per (Dockerfile, target) and judges nothing:

- `DockerfileModel`: the parsed file, its stages, each stage walked once (the variables in
  scope at every instruction), and what each stage reads from other stages or images;
- `Build`: for one target, the built stages, the final chain, the copies into the image, and
  the image's configuration (`ImageConfig`: USER, ENTRYPOINT, CMD, SHELL, HEALTHCHECK,
  STOPSIGNAL, WORKDIR and ENV as the final stage leaves them).

Stage names match case-insensitively, as in BuildKit; an unknown target is an InputError
("target stage ... could not be found"), as `docker build --target` reports it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from checklists import InputError, tr

from .dockerfile import Dockerfile, Instruction
from .dockerfile_model import Stage, copy_parts, env_at_end, expand, flag_value, walk
from .run_mount import join_path, run_mounts

__all__ = [
    "Build",
    "DockerfileModel",
    "ImageConfig",
    "Setting",
    "StageSource",
    "Walked",
]

Walked = tuple[tuple[Instruction, Mapping[str, str | None]], ...]
K = TypeVar("K")
V = TypeVar("V")
_DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True, slots=True)
class StageSource:
    """An instruction that reads files from another stage or an image.

    `COPY --from=<stage|index|image>` (kind "copy") puts files into this stage's layers;
    `RUN --mount=type=bind|cache,from=<...>` (kind "mount") only exposes them while the RUN
    runs. `stage` is the index of the stage read, None when `name` is an image.
    """

    instruction: Instruction
    kind: str  # "copy" or "mount"
    name: str  # the --from value, expanded
    stage: int | None
    paths: tuple[str, ...]  # absolute paths read in the source (COPY sources, mount source)
    unresolved: frozenset[str]  # variables in --from or the paths without a known value


@dataclass(frozen=True, slots=True)
class Setting:
    """One instruction that sets part of the image configuration, with its expanded value."""

    instruction: Instruction
    stage: Stage
    value: str  # the first argument expanded ("" when the instruction has none)
    unresolved: frozenset[str]


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """What the image's configuration holds when the target stage ends, with the
    instructions that set it (all from the final chain)."""

    user: Setting | None
    entrypoint: Setting | None
    cmd: Setting | None
    shell: tuple[str, ...]
    shell_set: Setting | None
    healthcheck: Setting | None
    stopsignal: Setting | None
    workdir: str
    env: Mapping[str, str | None]  # ENV as the image keeps it; None = not known until build


class DockerfileModel:
    """A parsed Dockerfile and its stages, each stage walked once (thread-safe caches)."""

    def __init__(self, dockerfile: Dockerfile, stages: tuple[Stage, ...]) -> None:
        self.dockerfile = dockerfile
        self.stages = stages
        self._lock = threading.Lock()
        self._walks: dict[int, Walked | InputError] = {}
        self._sources: dict[int, tuple[StageSource, ...] | InputError] = {}
        self._builds: dict[str | None, Build | InputError] = {}

    @property
    def escape(self) -> str:
        return self.dockerfile.escape

    def stage_named(self, name: str) -> Stage | None:
        """The stage `--target`/`--from` names (case-insensitively); the last of that name."""
        wanted = name.lower()
        found = [s for s in self.stages if s.name == wanted]
        return found[-1] if found else None

    def walk(self, stage: Stage) -> Walked:
        """The stage's instructions (after its FROM) with the variables visible to each."""
        return self._cached(
            self._walks, stage.index, lambda: tuple(walk(self.dockerfile, stage, self.stages))
        )

    def chain(self, stage: Stage) -> tuple[Stage, ...]:
        """The stage and the earlier stages it is built FROM, root first."""
        found = [stage]
        while found[0].base_stage is not None:
            found.insert(0, self.stages[found[0].base_stage])
        return tuple(found)

    def sources(self, stage: Stage) -> tuple[StageSource, ...]:
        """What the stage reads from other stages or images (COPY --from, RUN --mount from=)."""
        return self._cached(self._sources, stage.index, lambda: self._read_sources(stage))

    def build(self, target: str | None = None) -> Build:
        """The build `docker build [--target <target>]` runs; InputError for an unknown target."""
        key = target.lower() if target else None
        return self._cached(self._builds, key, lambda: self._new_build(target))

    def _new_build(self, target: str | None) -> Build:
        if target:
            stage = self.stage_named(target)
            if stage is None:
                names = ", ".join(s.name for s in self.stages if s.name) or tr("none", "なし")
                raise InputError(
                    tr(
                        "target stage {target!r} could not be found (stage names: {names})",
                        "ターゲットステージ {target!r} が見つからない（ステージ名: {names}）",
                        target=target,
                        names=names,
                    ),
                    line=self.dockerfile.start_line,
                )
        else:
            stage = self.stages[-1]
        return Build(self, stage)

    def _cached(self, cache: dict[K, V | InputError], key: K, compute: Callable[[], V]) -> V:
        """`compute()` once per key; an InputError is remembered and raised again."""
        with self._lock:
            found = cache.get(key)
        if found is None:
            try:
                found = compute()
            except InputError as error:
                found = error
            with self._lock:
                found = cache.setdefault(key, found)
        if isinstance(found, InputError):
            raise found
        return found

    def _resolve(self, name: str, stage: Stage) -> int | None:
        """The stage a --from names: a stage name, or an index of another stage."""
        named = self.stage_named(name)
        if named is not None:
            return named.index
        if name.isdigit() and int(name) < len(self.stages) and int(name) != stage.index:
            return int(name)
        return None

    def _read_sources(self, stage: Stage) -> tuple[StageSource, ...]:
        found: list[StageSource] = []
        workdir = "/"
        for link in self.chain(stage)[:-1]:
            for instruction, variables in self.walk(link):
                workdir = _next_workdir(workdir, instruction, variables, self.escape)
        for instruction, variables in self.walk(stage):
            workdir = _next_workdir(workdir, instruction, variables, self.escape)
            if instruction.keyword == "copy":
                source = flag_value(instruction, "from")
                if source is None:
                    continue
                name = expand(source, variables, escape=self.escape)
                parts = copy_parts(instruction)
                paths: list[str] = []
                unresolved = set(name.unresolved)
                for path in parts.sources:
                    expanded = expand(path, variables, escape=self.escape)
                    unresolved |= expanded.unresolved
                    # COPY --from reads its sources from the root of the stage, not its WORKDIR.
                    paths.append(join_path("/", expanded.text))
                found.append(
                    StageSource(
                        instruction,
                        "copy",
                        name.text,
                        self._resolve(name.text, stage),
                        tuple(paths),
                        frozenset(unresolved),
                    )
                )
            elif instruction.keyword == "run":
                for mount in run_mounts(
                    instruction, variables, escape=self.escape, workdir=workdir
                ):
                    if mount.from_ is None or mount.type not in ("bind", "cache"):
                        continue
                    path = join_path("/", mount.source or "/")
                    found.append(
                        StageSource(
                            instruction,
                            "mount",
                            mount.from_,
                            self._resolve(mount.from_, stage),
                            (path,),
                            mount.unresolved,
                        )
                    )
        return tuple(found)


def _next_workdir(
    workdir: str, instruction: Instruction, variables: Mapping[str, str | None], escape: str
) -> str:
    if instruction.keyword == "workdir" and instruction.args:
        return join_path(workdir, expand(instruction.args[0], variables, escape=escape).text)
    return workdir


class Build:
    """What `docker build [--target]` builds, and what of it ends in the image."""

    def __init__(self, model: DockerfileModel, final: Stage) -> None:
        self.model = model
        self.final = final
        self.chain: tuple[Stage, ...] = model.chain(final)
        self._chain_indexes = frozenset(s.index for s in self.chain)

    @property
    def root(self) -> Stage:
        """The first stage of the final chain: its FROM names the image's base."""
        return self.chain[0]

    @functools.cached_property
    def built(self) -> tuple[Stage, ...]:
        """Every stage BuildKit builds for this target, in file order."""
        reached: set[int] = set()
        pending = [self.final.index]
        while pending:
            index = pending.pop()
            if index in reached:
                continue
            reached.add(index)
            stage = self.model.stages[index]
            if stage.base_stage is not None:
                pending.append(stage.base_stage)
            pending.extend(s.stage for s in self.model.sources(stage) if s.stage is not None)
        return tuple(s for s in self.model.stages if s.index in reached)

    def in_image(self, stage: Stage) -> bool:
        """Whether the stage's layers are the image's layers (it is in the final chain)."""
        return stage.index in self._chain_indexes

    def is_built(self, stage: Stage) -> bool:
        return any(s.index == stage.index for s in self.built)

    def walk_chain(self) -> Iterator[tuple[Stage, Instruction, Mapping[str, str | None]]]:
        """Every instruction that shapes the image, with the stage and the variables it sees."""
        for link in self.chain:
            for instruction, variables in self.model.walk(link):
                yield link, instruction, variables

    @functools.cached_property
    def builder_reads(self) -> tuple[StageSource, ...]:
        """What the final chain takes from stages outside it: `COPY --from=<stage>` and
        `RUN --mount=from=<stage>` (whose files a RUN of the image can install or copy)."""
        return tuple(
            source
            for link in self.chain
            for source in self.model.sources(link)
            if source.stage is not None and source.stage not in self._chain_indexes
        )

    @property
    def copies_into_image(self) -> tuple[StageSource, ...]:
        """The COPY --from in the final chain that read a stage outside the chain."""
        return tuple(s for s in self.builder_reads if s.kind == "copy")

    def copied_paths(self, stage: Stage) -> tuple[StageSource, ...]:
        """The copies that bring files of `stage` (outside the chain) into the image."""
        return tuple(s for s in self.copies_into_image if s.stage == stage.index)

    @functools.cached_property
    def config(self) -> ImageConfig:
        return _config(self)


def _setting(
    stage: Stage, instruction: Instruction, variables: Mapping[str, str | None], escape: str
) -> Setting:
    if not instruction.args:
        return Setting(instruction, stage, "", frozenset())
    expansion = expand(instruction.args[0], variables, escape=escape)
    return Setting(instruction, stage, expansion.text, expansion.unresolved)


def _config(build: Build) -> ImageConfig:
    escape = build.model.escape
    user = entrypoint = cmd = shell_set = healthcheck = stopsignal = None
    shell: tuple[str, ...] = _DEFAULT_SHELL
    workdir = "/"
    for link in build.chain:
        cmd_set = False  # BuildKit's per-stage cmdSet: ENTRYPOINT resets an inherited CMD
        for instruction, variables in build.model.walk(link):
            keyword = instruction.keyword
            raw = Setting(instruction, link, "", frozenset())
            if keyword == "user" and instruction.args:
                user = _setting(link, instruction, variables, escape)
            elif keyword == "cmd":
                cmd, cmd_set = raw, True
            elif keyword == "entrypoint":
                entrypoint = raw
                if not cmd_set:
                    cmd = None
            elif keyword == "shell" and instruction.args:
                shell, shell_set = tuple(instruction.args), raw
            elif keyword == "healthcheck":
                healthcheck = raw
            elif keyword == "stopsignal" and instruction.args:
                stopsignal = _setting(link, instruction, variables, escape)
            workdir = _next_workdir(workdir, instruction, variables, escape)
    env = env_at_end(build.model.dockerfile, build.final, build.model.stages)
    return ImageConfig(
        user=user,
        entrypoint=entrypoint,
        cmd=cmd,
        shell=shell,
        shell_set=shell_set,
        healthcheck=healthcheck,
        stopsignal=stopsignal,
        workdir=workdir,
        env=MappingProxyType(env),
    )
