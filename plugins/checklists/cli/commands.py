"""The engine's own subcommands: `check` (the compliance report without HTML), `list`, `explain`.

`check` reads mkdocs.yml the way the plugin does, collects the bindings of every page in
the docs folder, evaluates them with the same engine, and applies the same exit policy
as `mkdocs build`: 0 every claim holds (or is honestly not yet measured), 1 a claim is
broken or a check errored (with --strict also a stale waiver or a done-but-unticked
item), 2 a usage or setup error.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from checklists import reports
from checklists.cli import init, scaffold
from checklists.core import collector, project
from checklists.core.claims import counts as claim_counts
from checklists.core.engine import (
    ItemResult,
    Run,
    Settings,
    collect,
    decode_page,
    evaluate,
    headline,
    settings_from_options,
    today,
)
from checklists.core.errors import SetupError
from checklists.core.files import check_destination, write_atomic
from checklists.core.i18n import LANGUAGES, TEXT, VERDICT_ICONS, VERDICT_LABELS, language
from checklists.core.message import localize, unwrap
from checklists.core.options import Locate
from checklists.core.registry import REGISTRY, CheckSpec
from checklists.core.services import SERVICE_PARAMS, Service, environments_for, services_listing
from checklists.core.target import Target
from checklists.core.verdict import Verdict

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
Subparsers = argparse._SubParsersAction


# the subcommands `register` adds
NAMES = frozenset({"check", "list", "explain", "init", "new", "manifest"})


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    check = subparsers.add_parser(
        "check",
        help="evaluate every binding of the site against the target, without building HTML",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    check.add_argument(
        "path",
        nargs="?",
        help="the repository to check (default: the configured target, else the current "
        "folder); with no configuration, its services are discovered",
    )
    check.add_argument(
        "--config",
        help="a site's mkdocs.yml or a repository's .checklists.yml (default: mkdocs.yml "
        "here, else PATH/.checklists.yml, else the guide's own configuration)",
    )
    check.add_argument("--target", help="the repository to check (same as PATH)")
    check.add_argument(
        "--format",
        action="append",
        choices=("table", *reports.FORMATS),
        help="what to write (repeatable; default: table)",
    )
    check.add_argument(
        "--output",
        help="where to write it (a file; a folder for badges, or for several formats; "
        "- prints one report); default: the table on stdout, reports into the current folder",
    )
    check.add_argument(
        "--pages",
        nargs="?",
        const="",
        metavar="DIR",
        help="also write the site's generated pages (compliance page, check catalog, "
        "stylesheet, reports) as Markdown any generator renders, into DIR (default: the "
        "site's docs folder); for Zensical and the checklists.extension Markdown extension",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("--quiet", action="store_true", help="no progress line")
    check.set_defaults(handler=run_check)
    listing = subparsers.add_parser("list", help="the check catalog")
    listing.add_argument("--config")
    listing.add_argument(
        "--format", choices=("table", "json"), default="table", help="table or json"
    )
    listing.set_defaults(handler=run_list)
    explain = subparsers.add_parser(
        "explain",
        help="what a check checks, why, how to fix, and the parameters in effect here",
    )
    explain.add_argument("id", help="a check id, e.g. dockerfile.non_root_user")
    explain.add_argument("path", nargs="?", help="the repository (default: as for check)")
    explain.add_argument("--config")
    explain.set_defaults(handler=run_explain)
    for command in (check, listing, explain):
        command.add_argument(
            "--lang",
            choices=LANGUAGES,
            help="the language of verdicts, evidence and reports (default: the site's "
            "theme.language in mkdocs.yml)",
        )
    init.register(subparsers)
    scaffold.register(subparsers)


class _StderrLog:
    """The engine's log on stderr: errors and warnings always, the rest with -v."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("checklists.cli")

    def debug(self, msg: str, /, *args: object) -> None: ...
    def info(self, msg: str, /, *args: object) -> None: ...

    def warning(self, msg: str, /, *args: object) -> None:
        print(f"warning: {msg % args if args else msg}", file=sys.stderr)

    def error(self, msg: str, /, *args: object) -> None:
        print(f"error: {msg % args if args else msg}", file=sys.stderr)


def _load(args: argparse.Namespace) -> tuple[dict[str, object], Path]:
    found = _project(args)
    # Imported as the run binds them (`Registry.defer`); listing the registry imports all.
    REGISTRY.defer(list(found.options.get("checks") or ["checks"]))
    return found.options, found.root


def _project(args: argparse.Namespace) -> project.Project:
    path = getattr(args, "path", None) or getattr(args, "target", None)
    found = project.find(path, getattr(args, "config", None))
    args.project = found
    return found


def run_check(args: argparse.Namespace) -> int:
    options, root = _load(args)
    found: project.Project = args.project
    pages, docs = _guide_pages(found, root)
    settings = settings_from_options(options, root, today(), locate=found.locate())
    if args.pages is not None and (found.kind != "site" or found.config is None):
        raise SetupError("--pages writes a site's pages: run it with a site's mkdocs.yml")
    formats = args.format or ["table"]
    _check_destinations(formats, args.output)
    run = _evaluate(pages, settings, found, args)
    context = reports.context_for(
        _language(args), os.path.relpath(settings.target, root), os.path.relpath(docs, root)
    )
    _report(run, formats, context, args)
    if args.pages is not None and found.config is not None:
        _write_pages(run, found, Path(args.pages) if args.pages else docs, context)
    reports.github_output(run, context, "compliance.json")
    warned = any(r.stale_waiver or r.verdict is Verdict.DONE_UNTICKED for r in run.results)
    return EXIT_FAILED if run.failures or (args.strict and warned) else EXIT_OK


def _guide_pages(found: project.Project, root: Path) -> tuple[dict[str, str], Path]:
    """The guide's pages (a docs folder, or one page) and the folder they are in."""
    docs = found.pages
    if not docs.exists():
        raise SetupError(f"the docs folder {docs} does not exist (docs_dir in {found.shown})")
    if docs.is_dir():
        return project.read_pages(docs, os.path.relpath(docs, root)), docs
    return {docs.name: decode_page(docs.read_bytes(), str(docs))}, docs.parent


def _evaluate(
    pages: dict[str, str], settings: Settings, found: project.Project, args: argparse.Namespace
) -> Run:
    """Collect and evaluate the pages' bindings, saying how many and how long on stderr."""
    started = time.monotonic()
    with collector.paused():
        items = collect(pages, settings.columns)
    if found.packaged_guide:  # its waivers were written for its own example target
        items = [replace(item, waiver=None) if item.waiver else item for item in items]
    if not args.quiet:
        print(
            f"checklists: evaluating {sum(i.bound for i in items)} bindings on "
            f"{len(pages)} page(s) against {settings.target} ...",
            file=sys.stderr,
        )
    log = _StderrLog()
    with collector.paused():
        run = evaluate(items, settings, log)
    reports.log_results(run, log, _language(args))
    if not args.quiet:
        print(
            f"checklists: {run.evaluations} distinct checks in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
        )
    return run


def _report(
    run: Run, formats: list[str], context: reports.Context, args: argparse.Namespace
) -> None:
    """Each asked format where `--output` says; without the table, the services checked
    and each failure with its fix on stderr."""
    lang = context.lang
    if "table" not in formats and not args.quiet:
        for line in services_listing(run, lang):
            print(line, file=sys.stderr)
    with collector.paused():  # reports of a large run allocate as much as the run itself
        for fmt in formats:
            _emit(run, fmt, context, args.output, several=len(formats) > 1)
    if "table" not in formats:  # the table says where and how to fix; else say it here
        for result in run.failures:
            print("\n".join([_row(result, lang), *_fix_lines(run, result, lang)]), file=sys.stderr)


def _write_pages(run: Run, found: project.Project, folder: Path, context: reports.Context) -> None:
    """The site's generated pages and reports into `folder` (`checklists.site.pages`)."""
    from checklists.site import pages as generated_pages  # noqa: PLC0415 - only for --pages

    assert found.config is not None
    written = generated_pages.write(
        run,
        folder,
        lang=context.lang,
        config_file=found.config,
        guide_pages=run_pages(run),
        report_page=str(found.options["report_page"]),
        target_name=context.target_name,
        base=str(found.options["target_url"]),
        reports=reports.render_all(run, context),
    )
    print(f"checklists: wrote {len(written)} files for the site into {folder}", file=sys.stderr)


def run_pages(run: Run) -> list[str]:
    """The guide's pages the run read, in order."""
    return list(dict.fromkeys(result.item.page for result in run.results))


def _language(args: argparse.Namespace) -> str:
    """`--lang`, else the site's theme.language (ja when it names none)."""
    if getattr(args, "lang", None):
        return str(args.lang)
    found = getattr(args, "project", None) or _project(args)
    return language(found.lang)


def _folder(fmt: str) -> bool:
    """Whether a format writes several files (into a folder: badges)."""
    found = reports.FORMATS.get(fmt)
    return found is not None and found.several


def _destination(fmt: str, output: str | None, *, several: bool) -> Path | None:
    """Where one format goes: a file, a folder (badges, several formats, no --output), or
    None for stdout (the table by default, any single report with `--output -`)."""
    if output == "-":
        if several or _folder(fmt):
            raise SetupError("`--output -` prints one report; badges and several formats "
                             "need a folder")  # fmt: skip
        return None
    if fmt == "table":
        return Path(output) if output and not several else None
    if output is None or several or _folder(fmt):
        return Path(output or ".")
    return Path(output)


def _check_destinations(formats: list[str], output: str | None) -> None:
    """ReportPathError (exit 2) before any check runs, for a destination that cannot take
    its report: a device, a FIFO, a folder where a file is meant, a path below a file."""
    several = len(formats) > 1
    for fmt in formats:
        where = _destination(fmt, output, several=several)
        if where is None:
            continue
        if fmt != "table" and (output is None or several or _folder(fmt)):
            check_destination(where, folder=True)
            found = reports.FORMATS[fmt]
            check_destination(where / found.file_name, folder=found.several)
        else:
            check_destination(where)


def _emit(
    run: Run, fmt: str, context: reports.Context, output: str | None, *, several: bool
) -> None:
    where = _destination(fmt, output, several=several)
    if fmt == "table":
        text = table(run, context.lang)
        if where is None:
            sys.stdout.write(colored(text) if use_color(sys.stdout) else text)
        else:
            write_atomic(where, text)
        return
    rendered = reports.render(run, fmt, context)
    if where is None:
        (text,) = rendered.values()
        sys.stdout.write(text)
    elif output is None or several or _folder(fmt):
        for name, text in rendered.items():
            write_atomic(where / name, text)
    else:
        (text,) = rendered.values()
        write_atomic(where, text)


_COLORS = {"✓": "32", "✗": "31", "⚠": "31", "≠": "31", "?": "33", "↻": "33"}  # green, red, yellow


def use_color(stream: object) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    isatty = getattr(stream, "isatty", None)
    return (
        callable(isatty)
        and bool(isatty())
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


def colored(text: str) -> str:
    """The table with each item's mark coloured by its verdict."""
    lines = []
    for line in text.split("\n"):
        mark = line[2:3] if line.startswith("  ") else ""
        code = _COLORS.get(mark)
        lines.append(f"  \033[{code}m{mark}\033[0m{line[3:]}" if code else line)
    return "\n".join(lines)


def table(run: Run, lang: str) -> str:
    """The readable report: one block per page and section, one line per item."""
    lines: list[str] = services_listing(run, lang)
    heading = None
    order = {s.name: n for n, s in enumerate(run.services or ())}
    for result in sorted(run.results, key=lambda r: order.get(r.item.service or "", -1)):
        item = result.item
        if (item.service, item.page, item.section) != heading:
            if item.service is not None and (heading is None or heading[0] != item.service):
                lines.append(f"\n== service {item.service} ==")
            heading = (item.service, item.page, item.section)
            lines.append(f"\n{item.page} › {item.section or ''}")
        lines.append("  " + _row(result, lang))
        if result.fails:
            lines += _fix_lines(run, result, lang)
    text = TEXT[lang]
    lines += guide_lines(run, lang)
    counts = text["list_separator"].join(
        f"{VERDICT_LABELS[lang][v]} {n}" for v, n in run.counts().items()
    )
    lines += [
        "",
        text["summary"].format(total=len(run.bound), verified=headline(run.bound).held),
        text["cli_counts"].format(bound=len(run.bound), unbound=len(run.unbound), counts=counts),
        text["cli_failing"].format(count=len(run.failures))
        if run.failures
        else text["cli_no_failures"],
    ]
    return "\n".join(lines).lstrip("\n") + "\n"


def guide_lines(run: Run, lang: str) -> list[str]:
    """The guide's own code checked against its rules, then how much of what the guide
    states the site checks, with every statement not checked yet."""
    text, lines = TEXT[lang], []
    if run.snippets:
        lines.append(f"\n{text['snippets_title']}")
        lines += ["  " + _row(result, lang) for result in run.snippets]
    if run.claims:
        tally = claim_counts(run.claims)
        lines.append("\n" + text["claims_counts"].format(total=len(run.claims), **tally))
        lines += [
            f"  · {claim.location} {claim.text}"
            for claim in run.claims
            if claim.status == "unchecked"
        ]
    return lines


def _row(result: ItemResult, lang: str) -> str:
    item, outcome = result.item, result.outcome
    mark = "✗" if result.fails else VERDICT_ICONS[result.verdict]
    label = VERDICT_LABELS[lang][result.verdict]
    env = f" [{item.environment}]" if item.environment else ""
    summary = f" — {localize(outcome.summary, lang)}" if outcome else ""
    return f"{mark} {label:<8} L{item.line:<4} {item.text}{env} ({item.check_id or '-'}){summary}"


def _fix_lines(run: Run, result: ItemResult, lang: str) -> list[str]:
    """Under a failing item: the place in the target it fails on (file:line), and its
    check's How to fix (the catalog's 修正方法) with the command that explains more."""
    text, lines = TEXT[lang], []
    place = run.location(result)
    if place is not None:
        lines.append(f"      → {place.location}")
    spec = REGISTRY.get(result.item.check_id or "")
    if spec is not None and spec.prose(lang).fix.strip():
        fix = " ".join(unwrap(spec.prose(lang).fix.strip()).split("\n\n")[0].split())
        lines.append(f"      {text['fix']}: {fix} (checklists explain {spec.id})")
    return lines


def run_list(args: argparse.Namespace) -> int:
    _load(args)
    lang = _language(args)
    if args.format == "json":
        listed = [
            {
                "id": spec.id,
                "kind": "metric" if spec.is_metric else "check",
                "severity": spec.severity,
                "title": spec.prose(lang).title,
                "parameters": {
                    name: None if default is inspect.Parameter.empty else _jsonable(default)
                    for name, default in spec.params.items()
                },
                "required": [n for n, d in spec.params.items() if d is inspect.Parameter.empty],
                "related": list(spec.related),
            }
            for spec in REGISTRY
        ]
        sys.stdout.write(json.dumps(listed, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for spec in REGISTRY:
        kind = "metric" if spec.is_metric else "check"
        print(f"{spec.id:<34} {kind:<6} {spec.severity:<8} {spec.prose(lang).title}")
    return EXIT_OK


def _jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def run_explain(args: argparse.Namespace) -> int:
    _load(args)
    spec = REGISTRY.get(args.id)
    if spec is None:
        print(f"checklists explain: no check {args.id!r}; see `checklists list`", file=sys.stderr)
        return EXIT_USAGE
    params = ", ".join(
        name if default is inspect.Parameter.empty else f"{name}={default!r}"
        for name, default in spec.params.items()
    )
    lang = _language(args)
    prose, text = spec.prose(lang), TEXT[lang]
    print(f"{spec.id} — {prose.title}\n\n{text['explain_severity']}: {spec.severity}")
    if spec.related:
        print(f"{text['explain_related']}: {', '.join(spec.related)}")
    print(f"{text['explain_params']}: {params or text['explain_none']}")
    print(f"{text['explain_source']}: {spec.source}\n")
    for heading, body in (
        (text["catalog_what"], prose.what),
        (text["catalog_why"], prose.why),
        (text["catalog_fix"], prose.fix),
    ):
        print(f"{heading}:\n{_indent(body)}\n")
    for line in in_effect(spec, args.project):
        print(line)
    return EXIT_OK


def in_effect(spec: CheckSpec, found: project.Project) -> list[str]:
    """The parameters the check receives with the current configuration, and where each
    value comes from: a binding of the guide, a service, `defaults`, or the check itself."""
    options = found.options
    settings = settings_from_options(options, found.root, today(), locate=found.locate())
    where = found.locate() or (lambda path: found.shown)
    lines = [f"In effect here ({found.shown}, target {settings.target}):"]
    services = settings.services
    if services is None and settings.discover and settings.target.is_dir():
        discovered = REGISTRY.discover(Target(settings.target))
        services = discovered.services if discovered is not None else ()
    per_service = bool(services) and any(p in spec.params for p in SERVICE_PARAMS)
    for service in services if per_service and services else [None]:
        if service is not None:
            lines.append(f"  service {service.name} ({service.origin or 'configured'}):")
        lines += _parameters(spec, service, settings, where)
    bindings = _bindings_of(spec.id, found)
    if bindings:
        lines.append("  bound in the guide (a binding's own parameters win):")
        lines += [f"    {where_}: {params}" for where_, params in bindings]
    return lines


def _parameters(
    spec: CheckSpec, service: Service | None, settings: Settings, where: Locate
) -> list[str]:
    """One line per parameter of the check: its value for `service` and where it comes from."""
    lines = []
    given = service.params() if service is not None else {}
    for name, default in spec.params.items():
        if name == "environment":
            columns = environments_for(service, settings.environments, settings.defaults)
            shown = ", ".join(c for c, b in columns.items() if b is not None) or "none"
            lines.append(f"    environment = one of the columns {shown}")
            continue
        if name in given:
            value, source = given[name], f"service {service.name if service else ''}"
        elif name in settings.defaults:
            value, source = settings.defaults[name], f"defaults ({where(('defaults', name))})"
        elif default is inspect.Parameter.empty:
            value, source = "(required)", "set it in the binding or in defaults"
        else:
            value, source = default, "the check's default"
        lines.append(f"    {name} = {value!r}  ← {source}")
    return lines


def _bindings_of(check_id: str, found: project.Project) -> list[tuple[str, str]]:
    docs = found.pages
    try:
        if docs.is_dir():
            pages = project.read_pages(docs, docs.name)
        else:
            pages = {docs.name: decode_page(docs.read_bytes(), str(docs))}
    except (SetupError, OSError):
        return []
    return [
        (item.location, ", ".join(f"{k}={v!r}" for k, v in item.params.items()) or "no parameters")
        for item in collect(pages)
        if item.check_id == check_id
    ]


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())
