"""The reports of a run: the format table, and the path every format is written by.

One module of this package per format (`compliance` for compliance.json, `junit`,
`sarif`, `badges`); `FORMATS` is the table the `reports` option, `checklists check
--format`, the site's build and `--pages` read, so adding a format is one module here
with a `render(run, context)` function and one `register(Format(...))` row below. A writer
module is imported only when its report is written (`checklists check` prints a table).
GitHub annotations and the job summary (`github`) are not a file format: they go to stdout
and $GITHUB_STEP_SUMMARY when running in GitHub Actions (`github_output`).

The plugin writes the reports into the built site and, when configured, to extra paths;
the command line writes them where it is told; each file atomically (`core.files`).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checklists.core import files, options
from checklists.core.engine import Run
from checklists.core.i18n import TEXT
from checklists.core.message import localize
from checklists.core.registry import REGISTRY, CheckSpec
from checklists.core.runner import Log
from checklists.core.verdict import Verdict


@dataclass(frozen=True, slots=True)
class Format:
    """One report format: `name` as the `reports` option and `--format` spell it, the file
    it is written to (the folder its files go into when `several`), and the module that
    writes it. The module's `render(run, context)` returns the file's text, or for
    `several` a mapping of file names (inside the folder) to texts."""

    name: str
    file_name: str
    module: str
    several: bool = False


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add a format to the table (in order) and to the names the `reports` option takes."""
    FORMATS[fmt.name] = fmt
    if fmt.name not in options.REPORT_FORMATS:
        options.REPORT_FORMATS.append(fmt.name)


for _format in (
    Format("json", "compliance.json", "checklists.reports.compliance"),
    Format("junit", "compliance.junit.xml", "checklists.reports.junit"),
    Format("sarif", "compliance.sarif", "checklists.reports.sarif"),
    Format("badges", "badges", "checklists.reports.badges", several=True),
):
    register(_format)


DISTRIBUTION = "docker-guide-checklists"


def package_version() -> str:
    """The installed version of the project, for the reports. Read from the first
    `*.dist-info/METADATA` of the distribution on `sys.path`, as `importlib.metadata` finds
    it, without importing that (it brings email, zipfile and more: ~20 ms of a
    `checklists check`, which MkDocs has paid already); `importlib.metadata` when the
    distribution is installed another way."""
    if "importlib.metadata" not in sys.modules:
        found = _dist_info_version(DISTRIBUTION)
        if found is not None:
            return found
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0"


def _dist_info_version(name: str) -> str | None:
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                folders = sorted(e.name for e in listing if e.name.endswith(".dist-info"))
        except OSError:
            continue
        for folder in folders:
            stem = folder.removesuffix(".dist-info").rpartition("-")[0]
            if re.sub(r"[-_.]+", "_", stem).lower() != wanted:
                continue
            try:
                with open(os.path.join(entry or ".", folder, "METADATA"), encoding="utf-8") as f:  # noqa: PTH118, PTH123
                    for line in f:
                        if not line.strip():
                            break  # the headers end at the first blank line
                        if line.startswith("Version:"):
                            return line.removeprefix("Version:").strip()
            except OSError:
                continue
            return None  # found, without a version: ask importlib.metadata
    return None


@dataclass(frozen=True, slots=True)
class Context:
    """What the reports need besides the run: names and paths as the repository sees them."""

    lang: str
    target_name: str  # the target as configured, e.g. examples/autoforgenexus
    sarif_root: str  # prefix that makes target paths repository paths ("" when outside)
    docs: str  # the docs folder, for locations on the guide's pages
    specs: Mapping[str, CheckSpec]


def context_for(lang: str, target_name: str, docs: str) -> Context:
    """The context of a run; call it after the checks are loaded (it keeps their specs)."""
    inside = not target_name.startswith("..") and not Path(target_name).is_absolute()
    root = target_name if inside and target_name != "." else ""
    specs = {spec.id: spec for spec in REGISTRY.loaded()}  # the run's: it loaded them
    return Context(lang, target_name, root, docs, specs)


def render(run: Run, fmt: str, context: Context) -> dict[str, str]:
    """File name -> content for one format (a format of several files gives its folder's)."""
    found = FORMATS.get(fmt)
    if found is None:
        raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    written = importlib.import_module(found.module).render(run, context)
    if not found.several:
        return {found.file_name: written}
    return {f"{found.file_name}/{name}": text for name, text in written.items()}


def render_all(run: Run, context: Context) -> dict[str, str]:
    """Every format's files by their path in a site (badges under badges/), in a fixed
    order."""
    return {name: text for fmt in FORMATS for name, text in render(run, fmt, context).items()}


def write_all(run: Run, folder: Path, context: Context) -> list[Path]:
    """Every format into `folder` (badges into folder/badges), in a fixed order."""
    return files.write_files(folder, render_all(run, context))  # part of the site


def log_results(run: Run, log: Log, lang: str = "en") -> None:
    """One log line per item at the level its verdict deserves, then the totals.

    Failures are errors; done-but-unticked items and stale waivers are warnings (so a
    strict build fails on them); missing evidence and unbound items are info.
    """
    for result in run.results:
        item, outcome = result.item, result.outcome
        detail = f" - {localize(outcome.summary, lang)}" if outcome else ""
        where = f" ({item.environment})" if item.environment else ""
        if item.service is not None:
            where += f" [service {item.service}]"
        message = f"{item.location} [{result.verdict.value}] {item.text}{where}{detail}"
        if result.fails:
            log.error(message)
        elif result.verdict is Verdict.DONE_UNTICKED:
            log.warning(message)
        elif result.verdict in (Verdict.UNBOUND, Verdict.UNVERIFIED, Verdict.STALE):
            log.info(message)
        else:
            log.debug(message)
        if result.stale_waiver:
            log.warning(
                f"{item.location}: the waiver is stale: {item.check_id} passes now; remove it"
            )
    for result in run.snippets:  # about the guide's own code: never an error of the build
        item, outcome = result.item, result.outcome
        detail = f" - {localize(outcome.summary, lang)}" if outcome else ""
        message = f"{item.location} [{result.verdict.value}] {item.check_id}{detail}"
        (log.info if result.verdict is Verdict.GUIDE_CONTRADICTED else log.debug)(message)
    counts = ", ".join(f"{v.value} {n}" for v, n in run.counts().items())
    log.info(f"{len(run.bound)} bound items ({counts}); {len(run.unbound)} unbound")
    target = run.target
    log.debug(
        f"{run.evaluations} checks ran, {run.reused} kept from the last build; "
        f"{target.reads} target files read, {target.parses} parsed"
    )


def github_output(run: Run, context: Context, report_path: str) -> None:
    """Annotations on stdout and the job summary, when running in GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from checklists.reports import github  # noqa: PLC0415 - only in GitHub Actions

    for line in github.error_annotations(
        run,
        dict(context.specs),
        root=context.sarif_root,
        docs=context.docs,
        report=report_path,
        lang=context.lang,
    ):
        print(line, flush=True)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        title = TEXT[context.lang]["compliance_title"]
        text = github.summary_markdown(run, title, report_path, context.lang)
        try:
            with Path(summary).open("a", encoding="utf-8", errors="backslashreplace") as stream:
                stream.write(text)
        except OSError as error:  # the runner's file: say so, the reports are written
            print(f"checklists: cannot append the job summary to {summary}: {error}", flush=True)


def publish(
    run: Run, site: Path | None, context: Context, extra: Mapping[str, str], log: Log
) -> list[Path]:
    """Write every report (into the site and to the configured extra paths), log, annotate.

    An extra path that cannot take its report (a device, a file where a folder is meant, a
    full disk) is logged and the others are still written; then ReportPathError says
    which."""
    problems: list[str] = []
    written = write_all(run, site, context) if site is not None else []
    for fmt, destination in sorted(extra.items()):
        try:
            several = FORMATS[fmt].several
            if several:
                files.check_destination(Path(destination), folder=True)
            for name, text in render(run, fmt, context).items():
                path = Path(destination) / Path(name).name if several else Path(destination)
                files.write_atomic(path, text)
                written.append(path)
        except files.ReportPathError as error:
            problems.append(f"the '{fmt}' report: {error}")
    log_results(run, log, context.lang)
    github_output(
        run, context, str(site / FORMATS["json"].file_name) if site else "compliance.json"
    )
    if problems:
        raise files.ReportPathError("; ".join(problems))
    return written


def failure_message(run: Run) -> str:
    return (
        f"checklists: {len(run.failures)} claim(s) of the guide do not hold or could not be "
        "checked; the site and the reports were written, see the errors above"
    )
