"""The `checklists measure` subcommand: options, configuration, and the run.

Reads the plugin's `target` and `environments` from mkdocs.yml (the target may be overridden
by CHECKLISTS_TARGET or --target), checks everything it can before touching an engine (the
Dockerfiles exist and parse, the output file does not exist yet), finds an engine, measures
each environment (see `steps`) and writes one evidence file. Progress goes to stderr, one
line per step, then a summary.

Exit status: 0 when every step that ran was measured, 1 when the evidence was written but a
step failed, 2 when nothing could be measured (no engine, bad configuration); in that case
no file is written.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checklists import InputError, SetupError, Target, plugin_options, site_bindings
from checks.readers.measurements import Measurement, sha256_file

from . import engine as engines
from . import evidence, outputs, steps

EXIT_OK, EXIT_FAILED = 0, 1
BUILD_TIMEOUT, CALL_TIMEOUT, STARTUP_TIMEOUT = 900.0, 60.0, 120.0
ENV_STORAGE_DRIVER = "CHECKLISTS_PODMAN_STORAGE_DRIVER"
ENV_PODMAN_ROOT = "CHECKLISTS_PODMAN_ROOT"

EPILOG = f"""\
Podman as root in a sandbox (as on CI machines): `--engine podman --isolation chroot`.
If its default storage driver does not work there, try `--podman-storage-driver vfs
--podman-root /var/tmp/checklists-podman` (a store of another driver needs its own root);
the environment variables {ENV_STORAGE_DRIVER} and {ENV_PODMAN_ROOT} set the same.
Exit status: 0 all measured, 1 evidence written but a step failed, 2 nothing measured."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "measure",
        help="measure image size, build, start-up time and memory with Docker or Podman",
        description="Build, run and measure every environment configured in mkdocs.yml with "
        "a real container engine, and write the results with their provenance to an "
        "evidence file the site reads.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: %(default)s)")
    add(
        "--target",
        help="the repository to measure (default: CHECKLISTS_TARGET, else the "
        "plugin's `target`, relative to mkdocs.yml)",
    )
    add(
        "--environment",
        action="append",
        metavar="NAME",
        help="measure only this environment (repeatable; default: all)",
    )
    add(
        "--engine",
        choices=("auto", "docker", "podman"),
        default="auto",
        help="auto: docker if `docker info` works, else podman (default: %(default)s)",
    )
    add("--isolation", metavar="TYPE", help="podman build --isolation (chroot on CI machines)")
    add(
        "--podman-storage-driver",
        metavar="DRIVER",
        default=os.environ.get(ENV_STORAGE_DRIVER),
        help=f"podman --storage-driver for every call (env: {ENV_STORAGE_DRIVER})",
    )
    add(
        "--podman-root",
        metavar="DIR",
        default=os.environ.get(ENV_PODMAN_ROOT),
        help=f"podman --root DIR/storage --runroot DIR/run (env: {ENV_PODMAN_ROOT})",
    )
    add(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"limit for each engine call (default: {BUILD_TIMEOUT:g} for builds, "
        f"{CALL_TIMEOUT:g} for the others)",
    )
    add(
        "--startup-timeout",
        type=_seconds,
        default=STARTUP_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for the container to become healthy (default: %(default)g)",
    )
    add(
        "--skip-run",
        action="store_true",
        help="build and size only; start-up time and memory are recorded as skipped",
    )
    add(
        "--skip-variant",
        action="store_true",
        help="do not build each image again without --no-install-recommends "
        "(image.size_with_recommends is recorded as skipped)",
    )
    add(
        "--image",
        action="append",
        metavar="NAME",
        help="also size this image by name, not built (repeatable; default: the images "
        "the site's pages bind with image.base_size, e.g. python:3.13)",
    )
    add(
        "--pull",
        action="store_true",
        help="pull a named image the engine does not have (else it is recorded as skipped)",
    )
    add(
        "--output",
        metavar="PATH",
        help="the evidence file to write (never overwritten; "
        "default: <target>/reports/measurements/measure-<UTC time>.json)",
    )
    parser.set_defaults(handler=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def progress(line: str) -> None:
    print(f"measure: {line}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    config = Path(args.config)
    options = plugin_options(config)
    target = Target(target_root(args.target, options, config))
    environments = configured(options, args.environment, target)
    named = list(dict.fromkeys([*(args.image or ()), *bound_images(config)]))
    prepared = [(env, *_prepare(target, env)) for env in environments]
    output = Path(args.output) if args.output else None
    if output is not None and output.exists():
        raise SetupError(f"{output} exists; the measure command never overwrites evidence")

    call_timeout = args.timeout or CALL_TIMEOUT
    podman_args = engines.podman_global_args(args.podman_storage_driver, args.podman_root)
    engine = engines.detect(
        args.engine, call_timeout, podman_args=podman_args, avoid=(target.root,)
    )
    engine_version = engines.version(engine, call_timeout)
    if args.isolation and engine.name != "podman":
        progress(f"--isolation {args.isolation} is for podman; not passed to {engine.name}")
    progress(f"engine: {engine.name} {engine_version.version}; target: {target.root}")
    settings = steps.Settings(
        engine=engine,
        isolation=args.isolation,
        build_timeout=args.timeout or BUILD_TIMEOUT,
        call_timeout=call_timeout,
        startup_timeout=args.startup_timeout,
        skip_run=args.skip_run,
        progress=progress,
        skip_variant=args.skip_variant,
        pull=args.pull,
    )

    started = datetime.now(UTC).replace(microsecond=0)
    paths = sorted({p for env in environments for p in (env.dockerfile, env.context)})
    commit, dirty = evidence.git_revision(target.root, paths)
    entries, results = [], []
    for env, dockerfile_sha256, copies, inputs in prepared:
        measurements = steps.measure(env, target, copies, settings)
        results.append((env, measurements))
        entries.append(_entry(env, dockerfile_sha256, inputs, measurements))
    images = []
    for name in named:
        image_id, size = steps.measure_image(name, settings)
        shown = f"{size.value:,.0f} B" if size.value is not None else size.status
        progress(f"image {name}: {steps.IMAGE_SIZE}: {shown}")
        entry: dict[str, Any] = {"name": name}
        if image_id:
            entry["id"] = image_id
        entry["measurements"] = {steps.IMAGE_SIZE: evidence.measurement_json(size)}
        images.append(entry)
    data = evidence.document(
        measured_at=started,
        engine={
            "name": engine.name,
            "version": engine_version.version,
            "version_output": engine_version.output,
        },
        commit=commit,
        dirty=dirty,
        environments=entries,
        images=images,
    )
    path = output or evidence.default_output(target.root, started)
    evidence.write(path, data)
    _summary(results, path)
    failures = any(m.status == "failed" for _, ms in results for m in ms.values())
    return EXIT_FAILED if failures else EXIT_OK


# --- configuration --------------------------------------------------------------------------


def bound_images(config: Path) -> list[str]:
    """The images the site's pages bind with `image.base_size {image: NAME}`: what the guide
    claims about images it only names. Pages that cannot be read give none (the build says
    what is wrong with them)."""
    try:
        bindings = site_bindings(config)
    except SetupError:
        return []
    found = []
    for check_id, params in bindings:
        image = params.get("image")
        if check_id == "image.base_size" and isinstance(image, str) and image:
            found.append(image)
    return found


def target_root(given: str | None, options: Mapping[str, Any], config: Path) -> Path:
    """--target (relative to the working folder), else CHECKLISTS_TARGET, else the option."""
    if given:
        root = Path(given)
    else:
        setting = os.environ.get("CHECKLISTS_TARGET") or options.get("target")
        if not isinstance(setting, str) or not setting:
            setting = "examples/autoforgenexus"  # the plugin's default
        root = Path(setting)
        if not root.is_absolute():
            root = config.resolve().parent / root
    if not root.is_dir():
        raise SetupError(
            f"the target {root} is not a folder; set `target` in {config}, "
            "CHECKLISTS_TARGET or --target to the repository to measure"
        )
    return root.resolve()


def configured(
    options: Mapping[str, Any], wanted: Sequence[str] | None, target: Target
) -> list[steps.Environment]:
    """The environments to measure, from the plugin option `environments`."""
    table = options.get("environments")
    if not isinstance(table, Mapping) or not table:
        raise SetupError(
            "no environments to measure: add `environments` (name: {dockerfile, context, "
            "image}) to the checklists plugin's options in mkdocs.yml"
        )
    unknown = sorted(set(wanted or ()) - set(map(str, table)))
    if unknown:
        known = ", ".join(map(str, table))
        raise SetupError(f"unknown environment(s) {', '.join(unknown)}; configured: {known}")
    found = []
    for name, entry in table.items():
        if wanted and str(name) not in wanted:
            continue
        found.append(_environment(str(name), entry, target))
    return found


def _environment(name: str, entry: object, target: Target) -> steps.Environment:
    where = f"environments.{name}"
    if not isinstance(entry, Mapping):
        raise SetupError(f"{where} must be a mapping with dockerfile, context and image")
    fields: dict[str, str] = {}
    for key in ("dockerfile", "image", "context"):
        value = entry.get(key)
        if value is None and key == "context":
            value = posixpath.dirname(fields["dockerfile"]) or "."
        if not isinstance(value, str) or not value.strip():
            raise SetupError(f"{where}.{key} must be a non-empty string")
        fields[key] = value.strip()
    try:
        dockerfile = target.normalize(fields["dockerfile"])
        context = target.normalize(fields["context"])
        if not target.is_file(dockerfile):
            raise SetupError(f"{where}.dockerfile: {dockerfile} is not a file in {target.root}")
        if not target.path(context).is_dir():
            raise SetupError(f"{where}.context: {context} is not a folder in {target.root}")
    except InputError as error:
        raise SetupError(f"{where}: {error}") from error
    return steps.Environment(name, dockerfile, context, fields["image"])


def _prepare(
    target: Target, env: steps.Environment
) -> tuple[str, list[evidence.Copy], dict[str, str]]:
    """The Dockerfile's hash, what it copies and the inputs' hashes, read before any build;
    SetupError when they cannot be read."""
    try:
        digest = sha256_file(target.read_bytes(env.dockerfile))
        copies = evidence.context_copies(target, env.dockerfile, env.context)
        return digest, copies, evidence.inputs_sha256(target, copies)
    except InputError as error:
        raise SetupError(f"environment {env.name}: {error.with_path(env.dockerfile)}") from error


# --- output ---------------------------------------------------------------------------------


def _entry(
    env: steps.Environment,
    dockerfile_sha256: str,
    inputs: Mapping[str, str],
    measurements: Mapping[str, Measurement],
) -> dict[str, Any]:
    return {
        "name": env.name,
        "dockerfile": env.dockerfile,
        "context": env.context,
        "image": env.image,
        "dockerfile_sha256": dockerfile_sha256,
        "inputs_sha256": dict(sorted(inputs.items())),
        "measurements": {
            metric: evidence.measurement_json(measurements[metric])
            for metric in steps.METRICS
            if metric in measurements
        },
    }


def _summary(
    results: Sequence[tuple[steps.Environment, Mapping[str, Measurement]]], path: Path
) -> None:
    progress("summary:")
    for env, measurements in results:
        for metric in steps.METRICS:
            m = measurements.get(metric)
            if m is None:
                continue
            if m.status == "measured" and m.unit == "B":
                shown = f"{m.value:,.0f} B"
            elif m.status == "measured":
                shown = f"{m.value:.3f} {m.unit}"
            else:
                shown = f"{m.status} ({outputs.headline(m.error or m.reason or '')})"
            progress(f"  {env.name:<8} {metric:<24} {shown}")
    progress(f"evidence written to {path}")
