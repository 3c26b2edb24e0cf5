"""The measurement steps for one environment, in order, each recorded as it happened.

1. build without cache from the target's context, timed;
2. copy the context to a temporary folder, append a comment line to the last-copied `.py`
   file (else the last copied file) there, and build again from the copy with cache, timed
   (the engines' cache keys on content, so this is a real source change; the target is
   never written);
3. read the image size (`image inspect --format {{.Size}}`);
4. run the container and time it until healthy: the image's HEALTHCHECK status, or without
   one `GET http://127.0.0.1:PORT/health` answering 200 on a port published on loopback;
5. sample its memory (`stats --no-stream`);
6. stop and remove the container, always;
7. build the image again from a copy of the Dockerfile without `--no-install-recommends`
   (written next to a copy of its `<Dockerfile>.dockerignore`, in a temporary folder; the
   context is the target's, untouched), read that size, and remove that image: how much
   the option saves (`image.size_with_recommends`). Skipped when the Dockerfile never
   passes the option, or turns recommends off another way too (`Install-Recommends` in
   an apt option or configuration), since the two builds would then be the same.

Images named rather than built (the base images a guide compares) are sized with
`image inspect`; one the engine does not have is pulled only with `--pull`
(`measure_image`).

Podman specifics: it builds OCI images by default, which drop HEALTHCHECK, so builds pass
`--format docker` to keep the image Docker would build; and without systemd its health
timers never fire, so each poll also runs `podman healthcheck run` (the image's own check).

A step that cannot produce a number is `failed` (with the engine's error and log tail) or
`skipped` (with the reason); the steps after a failed no-cache build are skipped.
"""

from __future__ import annotations

import http.client
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checklists import InputError, Target
from checks.common import ignore_file
from checks.readers.dockerfile import parse
from checks.readers.dockerignore import PatternMatcher
from checks.readers.measurements import Measurement

from . import outputs
from .engine import CallResult, Engine, call
from .evidence import Copy, file_to_change

BUILD_NO_CACHE = "build.time_no_cache"
BUILD_CACHED = "build.time_cached"
IMAGE_SIZE = "image.size"
WITH_RECOMMENDS = "image.size_with_recommends"
STARTUP = "container.startup_time"
MEMORY = "container.memory"
METRICS = (BUILD_NO_CACHE, BUILD_CACHED, IMAGE_SIZE, STARTUP, MEMORY, WITH_RECOMMENDS)

CHANGE_COMMENT = b"# checklists measure: simulated source change\n"
POLL_SECONDS = 0.5
STOPPED = frozenset({"exited", "dead", "stopped", "removing"})


@dataclass(frozen=True, slots=True)
class Environment:
    """One entry of the plugin's `environments`, paths relative to the target."""

    name: str
    dockerfile: str
    context: str
    image: str


@dataclass(frozen=True, slots=True)
class Settings:
    engine: Engine
    isolation: str | None  # podman build --isolation
    build_timeout: float  # seconds per build call
    call_timeout: float  # seconds per other engine call
    startup_timeout: float  # seconds to wait for the container to become ready
    skip_run: bool
    progress: Callable[[str], None]
    skip_variant: bool = False  # no build without --no-install-recommends
    pull: bool = False  # pull a named image the engine does not have


def measured(metric: str, value: float, unit: str, command: Sequence[str], raw: str) -> Measurement:
    return Measurement(metric, "measured", value, unit, None, None, None, raw, tuple(command))


def failed(
    metric: str, error: str, command: Sequence[str] = (), log_tail: str | None = None
) -> Measurement:
    return Measurement(metric, "failed", None, None, error, None, log_tail, None, tuple(command))


def skipped(metric: str, reason: str) -> Measurement:
    return Measurement(metric, "skipped", None, None, None, reason, None, None, ())


class _Run:
    """The steps of one environment, sharing its settings and its progress output."""

    def __init__(self, env: Environment, target: Target, settings: Settings) -> None:
        self.env, self.target, self.settings = env, target, settings
        self.engine = settings.engine
        self.results: dict[str, Measurement] = {}

    def record(self, measurement: Measurement) -> Measurement:
        self.results[measurement.metric] = measurement
        if measurement.status == "measured":
            shown = f"{measurement.value:.2f} s" if measurement.unit == "s" else ""
            shown = shown or f"{measurement.value:,.0f} {measurement.unit}"
            outcome = f"measured {shown}"
        elif measurement.status == "failed":
            outcome = f"FAILED: {outputs.headline(measurement.error or '')}"
        else:
            outcome = f"skipped ({measurement.reason})"
        self.settings.progress(f"{self.env.name}: {measurement.metric}: {outcome}")
        return measurement

    def command(self, argv: Sequence[str]) -> list[str]:
        return self.engine.recorded(argv)

    # -- builds ------------------------------------------------------------------------------

    def build(self, metric: str, dockerfile: Path, context: Path, *, no_cache: bool) -> bool:
        args = ["build"] + (["--no-cache"] if no_cache else [])
        if self.engine.name == "podman":
            args += ["--format", "docker"]
            if self.settings.isolation:
                args += ["--isolation", self.settings.isolation]
        args += ["-t", self.env.image, "-f", str(dockerfile), str(context)]
        self.settings.progress(f"{self.env.name}: {metric}: building ...")
        result = call(self.engine.argv(*args), self.settings.build_timeout)
        command = self.command(result.argv)
        if result.ok:
            self.record(measured(metric, round(result.seconds, 3), "s", command, result.tail()))
            return True
        self.record(failed(metric, result.failure(), command, result.tail()))
        return False

    def cached_build(self, copies: Sequence[Copy]) -> None:
        changed = file_to_change(copies)
        if changed is None:
            reason = "the Dockerfile copies no file from the build context to change"
            self.record(skipped(BUILD_CACHED, reason))
            return
        context = self.target.path(self.env.context)
        dockerfile = self.target.path(self.env.dockerfile)
        matcher = ignore_file(self.target, self.env.dockerfile, self.env.context).matcher
        with tempfile.TemporaryDirectory(prefix="checklists-measure-") as temporary:
            copy = Path(temporary) / "context"
            try:
                copy_context(context, copy, matcher, keep={dockerfile})
                edited = copy / Path(changed).relative_to(Path(self.env.context))
                data = edited.read_bytes()
                separator = b"\n" if data and not data.endswith(b"\n") else b""
                edited.write_bytes(data + separator + CHANGE_COMMENT)
            except (OSError, shutil.Error) as error:
                message = f"cannot prepare the changed copy of the context: {error}"
                self.record(failed(BUILD_CACHED, message))
                return
            self.settings.progress(f"{self.env.name}: {BUILD_CACHED}: source change in {changed}")
            if dockerfile.is_relative_to(context):
                dockerfile = copy / dockerfile.relative_to(context)
            self.build(BUILD_CACHED, dockerfile, copy, no_cache=False)

    # -- image and container -----------------------------------------------------------------

    def image_size(self, metric: str = IMAGE_SIZE, image: str | None = None) -> None:
        result = self.call("image", "inspect", "--format", "{{.Size}}", image or self.env.image)
        command = self.command(result.argv)
        if not result.ok:
            self.record(failed(metric, result.failure(), command, result.tail()))
            return
        try:
            size = outputs.parse_byte_count(result.output)
        except outputs.OutputError as error:
            self.record(failed(metric, str(error), command, result.tail()))
            return
        self.record(measured(metric, size, "B", command, result.output.strip()))

    def with_recommends(self) -> None:
        """Build again without `--no-install-recommends` and size that image."""
        dockerfile = self.target.path(self.env.dockerfile)
        text = dockerfile.read_text("utf-8")
        variant, reason = without_no_install_recommends(text)
        if variant is None:
            self.record(skipped(WITH_RECOMMENDS, reason))
            return
        image = variant_tag(self.env.image)
        ignore = Path(f"{dockerfile}.dockerignore")
        with tempfile.TemporaryDirectory(prefix="checklists-variant-") as temporary:
            copy = Path(temporary) / f"{dockerfile.name}.with-recommends"
            copy.write_text(variant, encoding="utf-8")
            if ignore.is_file():  # BuildKit reads <Dockerfile>.dockerignore first
                shutil.copyfile(ignore, Path(f"{copy}.dockerignore"))
            args = ["build"]
            if self.engine.name == "podman":
                args += ["--format", "docker"]
                if self.settings.isolation:
                    args += ["--isolation", self.settings.isolation]
            context = self.target.path(self.env.context)
            args += ["-t", image, "-f", str(copy), str(context)]
            self.settings.progress(f"{self.env.name}: {WITH_RECOMMENDS}: building ...")
            result = call(self.engine.argv(*args), self.settings.build_timeout)
        if not result.ok:
            command = self.command(result.argv)
            self.record(failed(WITH_RECOMMENDS, result.failure(), command, result.tail()))
            return
        try:
            self.image_size(WITH_RECOMMENDS, image)
        finally:
            call(self.engine.argv("rmi", "-f", image), self.settings.call_timeout)

    def call(self, *args: str) -> CallResult:
        return call(self.engine.argv(*args), self.settings.call_timeout, stdout_only=True)

    def container(self) -> None:
        inspected = self.call("image", "inspect", self.env.image)
        try:
            if not inspected.ok:
                raise outputs.OutputError(inspected.failure())
            config = outputs.image_config(inspected.output)
        except outputs.OutputError as error:
            self.fail_run(f"cannot inspect the image: {error}", self.command(inspected.argv))
            return
        if not config.healthcheck and not config.ports:
            self.fail_run("the image has no HEALTHCHECK and exposes no port to ask /health")
            return
        name = f"checklists-measure-{secrets.token_hex(6)}"
        args = ["run", "-d", "--name", name]
        port = None
        if not config.healthcheck:
            port = free_loopback_port()
            args += ["-p", f"127.0.0.1:{port}:{config.ports[0]}"]
        try:
            start = time.monotonic()
            started = call(self.engine.argv(*args, self.env.image), self.settings.call_timeout)
            command = self.command(started.argv)
            if not started.ok:
                self.fail_run(started.tail() or started.failure(), command)
                return
            ready, how = self.wait_until_ready(name, port, start)
            if ready is None:
                self.fail_run(how, command, self.logs(name))
                return
            self.record(measured(STARTUP, round(ready - start, 3), "s", command, how))
            self.memory(name)
        finally:
            call(self.engine.argv("stop", "-t", "5", name), self.settings.call_timeout)
            call(self.engine.argv("rm", "-f", name), self.settings.call_timeout)

    def fail_run(self, error: str, command: Sequence[str] = (), log: str | None = None) -> None:
        self.record(failed(STARTUP, error, command, log))
        self.record(failed(MEMORY, f"the container did not start: {error}", (), None))

    def wait_until_ready(
        self, name: str, port: int | None, start: float
    ) -> tuple[float | None, str]:
        """(the moment it was ready, how that was seen), or (None, why it never was)."""
        deadline = start + self.settings.startup_timeout
        last = "no answer yet"
        while True:
            inspected = self.call("inspect", name)
            try:
                state = outputs.container_state(inspected.output)
            except outputs.OutputError as error:
                return None, f"cannot inspect the container: {inspected.failure()} ({error})"
            if state.status in STOPPED:
                detail = f"exit code {state.exit_code}" if state.exit_code is not None else ""
                return None, f"the container stopped ({state.status} {detail}) {state.error}"
            if port is None:
                if state.health == "healthy":
                    return time.monotonic(), "health status: healthy"
                if self.engine.name == "podman" and self.call("healthcheck", "run", name).ok:
                    return time.monotonic(), "podman healthcheck run: healthy"
                last = f"health status: {state.health or 'unknown'}"
            else:
                answer = http_status(port)
                if answer == 200:
                    return time.monotonic(), f"GET http://127.0.0.1:{port}/health: 200"
                last = f"GET /health: {answer}"
            if time.monotonic() >= deadline:
                timeout = self.settings.startup_timeout
                return None, f"not ready after {timeout:g} s (last: {last})"
            time.sleep(POLL_SECONDS)

    def memory(self, name: str) -> None:
        result = self.call("stats", "--no-stream", "--format", "{{.MemUsage}}", name)
        command = self.command(result.argv)
        try:
            if not result.ok:
                raise outputs.OutputError(result.failure())
            used = outputs.parse_memory_usage(result.output)
        except outputs.OutputError as error:
            self.record(failed(MEMORY, str(error), command, result.tail()))
            return
        self.record(measured(MEMORY, round(used), "B", command, result.output.strip()))

    def logs(self, name: str) -> str:
        return call(
            self.engine.argv("logs", "--tail", "40", name), self.settings.call_timeout
        ).tail()


def measure(
    env: Environment, target: Target, copies: Sequence[Copy], settings: Settings
) -> dict[str, Measurement]:
    """Run every step for one environment; the result has one entry per metric."""
    run = _Run(env, target, settings)
    built = run.build(
        BUILD_NO_CACHE, target.path(env.dockerfile), target.path(env.context), no_cache=True
    )
    if not built:
        reason = "the build without cache failed"
        for metric in METRICS[1:]:
            run.record(skipped(metric, reason))
        return run.results
    run.cached_build(copies)
    run.image_size()
    if settings.skip_run:
        run.record(skipped(STARTUP, "--skip-run"))
        run.record(skipped(MEMORY, "--skip-run"))
    else:
        run.container()
    if settings.skip_variant:
        run.record(skipped(WITH_RECOMMENDS, "--skip-variant"))
    else:
        run.with_recommends()
    return run.results


_NO_RECOMMENDS = re.compile(r"[ \t]+--no-install-recommends(?=[\s\\;&|)]|$)")


def without_no_install_recommends(text: str) -> tuple[str | None, str]:
    """The Dockerfile with `--no-install-recommends` taken out of its RUN instructions, or
    None and why there is nothing to compare."""
    if "Install-Recommends" in text or "install-recommends=" in text:
        return None, (
            "the Dockerfile also sets APT::Install-Recommends another way; a build without "
            "the option would not install recommended packages either"
        )
    try:
        instructions = parse(text.encode("utf-8")).instructions
    except InputError as error:
        return None, f"the Dockerfile cannot be read: {error}"
    lines = text.splitlines(keepends=True)
    changed = False
    for instruction in instructions:
        if instruction.keyword != "run":
            continue
        for index in range(instruction.start_line - 1, instruction.end_line):
            new = _NO_RECOMMENDS.sub("", lines[index])
            changed = changed or new != lines[index]
            lines[index] = new
    if not changed:
        return None, "no RUN of the Dockerfile passes --no-install-recommends"
    return "".join(lines), ""


def variant_tag(image: str) -> str:
    """`app:prod` -> `app:prod-with-recommends`; `app` -> `app:with-recommends`."""
    name = image.partition("@")[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        return f"{name}-with-recommends"
    return f"{name}:with-recommends"


def measure_image(name: str, settings: Settings) -> tuple[str | None, Measurement]:
    """(image ID, size) of an image named rather than built; pulled first with `--pull`
    when the engine does not have it. A pull that fails is no reading of the size: it is
    skipped with the engine's words, never a failure of the guide's number."""
    engine, timeout = settings.engine, settings.call_timeout
    argv = engine.argv("image", "inspect", "--format", "{{.Id}} {{.Size}}", name)
    result = call(argv, timeout, stdout_only=True)
    if not result.ok and settings.pull:
        settings.progress(f"image {name}: pulling ...")
        pulled = call(engine.argv("pull", name), settings.build_timeout)
        if not pulled.ok:
            reason = f"pull failed: {outputs.headline(pulled.failure())}"
            return None, skipped(IMAGE_SIZE, reason)
        result = call(argv, timeout, stdout_only=True)
    if not result.ok:
        reason = (
            f"the engine does not have {name} ({outputs.headline(result.failure())}); "
            "pass --pull to pull it"
        )
        return None, skipped(IMAGE_SIZE, reason)
    command = engine.recorded(result.argv)
    image_id, _, size_text = result.output.strip().partition(" ")
    try:
        size = outputs.parse_byte_count(size_text)
    except outputs.OutputError as error:
        return None, failed(IMAGE_SIZE, str(error), command, result.tail())
    return image_id or None, measured(IMAGE_SIZE, size, "B", command, result.output.strip())


# --- helpers --------------------------------------------------------------------------------


def copy_context(source: Path, destination: Path, matcher: PatternMatcher, keep: set[Path]) -> None:
    """Copy a build context, symlinks as links. Without `!` exceptions in .dockerignore, what
    it excludes is never sent to the engine, so it is left out of the copy (a `.venv` need
    not be copied); the Dockerfile and the ignore file are always kept."""

    def ignored(folder: str, names: list[str]) -> set[str]:
        if matcher.exclusions:
            return set()
        here = Path(folder)
        skipped_names: set[str] = set()
        for name in names:
            path = here / name
            relative = path.relative_to(source).as_posix()
            if (
                not name.endswith(".dockerignore")
                and path not in keep
                and matcher.matches(relative)
            ):
                skipped_names.add(name)
        return skipped_names

    shutil.copytree(source, destination, symlinks=True, ignore=ignored)


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http_status(port: int) -> int | str:
    """The status of GET /health on the loopback port, or why there is none."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__
    finally:
        connection.close()
