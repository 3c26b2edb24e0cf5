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
import logging
import os
import sys
import time
from pathlib import Path

from checklists import outputs, report
from checklists.engine import (
    ItemResult,
    Run,
    collect,
    decode_page,
    evaluate,
    gc_paused,
    headline,
    settings_from_options,
)
from checklists.errors import SetupError
from checklists.i18n import LANGUAGES, TEXT, VERDICT_ICONS, VERDICT_LABELS, language
from checklists.message import localize, unwrap
from checklists.registry import REGISTRY
from checklists.siteconfig import plugin_options, site_options
from checklists.verdict import Verdict

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
Subparsers = argparse._SubParsersAction


NAMES = frozenset({"check", "list", "explain"})  # the subcommands `register` adds


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    check = subparsers.add_parser(
        "check",
        help="evaluate every binding of the site against the target, without building HTML",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    check.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml")
    check.add_argument("--target", help="the repository to check (default: from mkdocs.yml)")
    check.add_argument(
        "--format",
        action="append",
        choices=("table", *outputs.FORMATS),
        help="what to write (repeatable; default: table)",
    )
    check.add_argument(
        "--output",
        help="where to write it (a file; a folder for badges, or for several formats; "
        "- prints one report); default: the table on stdout, reports into the current folder",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("--quiet", action="store_true", help="no progress line")
    check.set_defaults(handler=run_check)
    listing = subparsers.add_parser("list", help="the check catalog")
    listing.add_argument("--config", default="mkdocs.yml")
    listing.set_defaults(handler=run_list)
    explain = subparsers.add_parser("explain", help="what a check checks, why, and how to fix")
    explain.add_argument("id", help="a check id, e.g. dockerfile.non_root_user")
    explain.add_argument("--config", default="mkdocs.yml")
    explain.set_defaults(handler=run_explain)
    for command in (check, listing, explain):
        command.add_argument(
            "--lang",
            choices=LANGUAGES,
            help="the language of verdicts, evidence and reports (default: the site's "
            "theme.language in mkdocs.yml)",
        )


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
    config = Path(args.config).resolve()
    options = plugin_options(config)
    if getattr(args, "target", None):
        options["target"] = str(Path(args.target).resolve())
    REGISTRY.defer(list(options.get("checks") or ["checks"]))  # imported as the run binds them
    return options, config.parent


def run_check(args: argparse.Namespace) -> int:
    options, root = _load(args)
    site = site_options(Path(args.config).resolve())
    docs = root / str(site.get("docs_dir") or "docs")
    if not docs.is_dir():
        raise SetupError(f"the docs folder {docs} does not exist (docs_dir in {args.config})")
    pages = read_pages(docs, os.path.relpath(docs, root))
    settings = settings_from_options(options, root, outputs.today())
    formats = args.format or ["table"]
    _check_destinations(formats, args.output)
    started = time.monotonic()
    items = collect(pages, settings.columns)
    if not args.quiet:
        print(
            f"checklists: evaluating {sum(i.bound for i in items)} bindings on "
            f"{len(pages)} page(s) against {settings.target} ...",
            file=sys.stderr,
        )
    log = _StderrLog()
    run = evaluate(items, settings, log)
    outputs.log_results(run, log, _language(args))
    if not args.quiet:
        print(
            f"checklists: {run.evaluations} distinct checks in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
        )
    lang = _language(args)
    context = outputs.context_for(
        lang, os.path.relpath(settings.target, root), os.path.relpath(docs, root)
    )
    with gc_paused():  # reports of a large run allocate as much as the run itself
        for fmt in formats:
            _emit(run, fmt, context, args.output, several=len(formats) > 1)
    if "table" not in formats:  # the table says where and how to fix; else say it here
        for result in run.failures:
            print("\n".join([_row(result, lang), *_fix_lines(run, result, lang)]), file=sys.stderr)
    outputs.github_output(run, context, "compliance.json")
    warned = any(r.stale_waiver or r.verdict is Verdict.DONE_UNTICKED for r in run.results)
    return EXIT_FAILED if run.failures or (args.strict and warned) else EXIT_OK


def _language(args: argparse.Namespace) -> str:
    """`--lang`, else the site's theme.language (ja when it names none)."""
    if getattr(args, "lang", None):
        return str(args.lang)
    theme = site_options(Path(args.config).resolve()).get("theme")
    return language(str(theme.get("language", "ja")) if isinstance(theme, dict) else "ja")


MAX_DOCS_DEPTH = 64  # folder levels below docs_dir that are read


def read_pages(docs: Path, shown: str) -> dict[str, str]:
    """Every Markdown page under the docs folder by its path there, as MkDocs names it.

    Walked with a stack rather than recursion (a tree 1,500 folders deep must not end in
    RecursionError), folders linked twice or in a loop read once, at most MAX_DOCS_DEPTH
    levels; a page that is not UTF-8 or cannot be read is a SetupError naming it.
    """
    pages: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [(str(docs), "")]
    while stack:
        folder, relative = stack.pop()
        if relative.count("/") >= MAX_DOCS_DEPTH:
            raise SetupError(
                f"{shown}/{relative}: folders nested more than {MAX_DOCS_DEPTH} levels deep "
                "in the docs folder; not read"
            )
        try:
            identity = os.stat(folder)  # noqa: PTH116 - str paths, cheaper in a walk
            if (identity.st_dev, identity.st_ino) in seen:
                continue
            seen.add((identity.st_dev, identity.st_ino))
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            raise SetupError(f"cannot read {shown}/{relative}: {error.strerror}") from error
        for entry in entries:
            name = f"{relative}{entry.name}"
            try:
                if entry.is_dir():
                    stack.append((entry.path, f"{name}/"))
                elif entry.name.endswith(".md") and entry.is_file():
                    with open(entry.path, "rb") as stream:  # noqa: PTH123
                        pages[name] = decode_page(stream.read(), f"{shown}/{name}")
            except OSError as error:
                raise SetupError(f"cannot read {shown}/{name}: {error.strerror}") from error
    return dict(sorted(pages.items()))


def _destination(fmt: str, output: str | None, *, several: bool) -> Path | None:
    """Where one format goes: a file, a folder (badges, several formats, no --output), or
    None for stdout (the table by default, any single report with `--output -`)."""
    if output == "-":
        if several or fmt == "badges":
            raise SetupError("`--output -` prints one report; badges and several formats "
                             "need a folder")  # fmt: skip
        return None
    if fmt == "table":
        return Path(output) if output and not several else None
    if output is None or several or fmt == "badges":
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
        if fmt != "table" and (output is None or several or fmt == "badges"):
            report.check_destination(where, folder=True)
            names = ["badges"] if fmt == "badges" else [outputs.FILE_NAMES[fmt]]
            for name in names:
                report.check_destination(where / name, folder=fmt == "badges")
        else:
            report.check_destination(where)


def _emit(
    run: Run, fmt: str, context: outputs.Context, output: str | None, *, several: bool
) -> None:
    where = _destination(fmt, output, several=several)
    if fmt == "table":
        text = table(run, context.lang)
        if where is None:
            sys.stdout.write(text)
        else:
            report.write_atomic(where, text)
        return
    files = outputs.render(run, fmt, context)
    if where is None:
        (text,) = files.values()
        sys.stdout.write(text)
    elif output is None or several or fmt == "badges":
        for name, text in files.items():
            report.write_atomic(where / name, text)
    else:
        (text,) = files.values()
        report.write_atomic(where, text)


def table(run: Run, lang: str) -> str:
    """The readable report: one block per page and section, one line per item."""
    lines: list[str] = []
    heading = None
    for result in run.results:
        item = result.item
        if (item.page, item.section) != heading:
            heading = (item.page, item.section)
            lines.append(f"\n{item.page} › {item.section or ''}")
        lines.append("  " + _row(result, lang))
        if result.fails:
            lines += _fix_lines(run, result, lang)
    text = TEXT[lang]
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
    for spec in REGISTRY:
        kind = "metric" if spec.is_metric else "check"
        print(f"{spec.id:<34} {kind:<6} {spec.severity:<8} {spec.prose(lang).title}")
    return EXIT_OK


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
    return EXIT_OK


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())
