"""The fleet's subcommands: `aggregate`, `scan` and `stamp` (entry points in pyproject.toml).

    checklists stamp site/compliance.json --team payments        # in a repository's CI
    checklists scan fleet.yaml --out reports/ --jobs 4            # a central scan
    checklists aggregate reports/ --fleet fleet.yaml --site fleet-site/

Exit codes: 0 done; 1 `aggregate --strict` found a report it could not use or a repository
without one, or `scan` could not check a repository; 2 a usage or setup error; 130 a scan
was interrupted (run it again with --resume).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from checklists.core.i18n import LANGUAGES
from checklists.core.siteconfig import plugin_options
from checklists.fleet import aggregate as aggregating
from checklists.fleet import fleetfile, scan, shard, stamp

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
Subparsers = argparse._SubParsersAction


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def register_aggregate(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "aggregate",
        help="build a fleet site from many compliance.json reports",
        description="Validate every report (files, or folders searched for compliance.json) "
        "and build one static site: a repository x item matrix, the pass rate and trend of "
        "every item, and each repository's report. Reports that cannot be used are listed "
        "with the reason.",
    )
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORTS")
    parser.add_argument("--site", required=True, type=Path, help="the folder to write")
    parser.add_argument(
        "--fleet",
        type=Path,
        help="a fleet file: repositories without a report are listed, teams are labelled",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="ja", help="site language")
    parser.add_argument(
        "--checks",
        action="append",
        metavar="PACKAGE",
        help="check packages that give each item its severity (default: checks)",
    )
    parser.add_argument("--jobs", type=int, default=_cpus(), help="processes for the pages")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a report is left out or missing"
    )
    parser.add_argument("--quiet", action="store_true", help="no summary line")
    parser.set_defaults(handler=run_aggregate)


def run_aggregate(args: argparse.Namespace) -> int:
    summary = aggregating.aggregate(
        args.reports,
        args.site,
        lang=args.lang,
        fleet_file=args.fleet,
        packages=args.checks or ["checks"],
        workers=max(1, args.jobs),
    )
    fleet = summary.fleet
    used = sum(len(reports) for reports in fleet.history.values())
    if not args.quiet:
        print(
            f"checklists aggregate: {len(fleet.history)} repositories, {used} reports used, "
            f"{len(fleet.rejected)} left out, {len(fleet.missing)} without a report; "
            f"{len(fleet.groups)} version(s); {summary.stats.pages} pages "
            f"({summary.stats.bytes / 1e6:.1f} MB) in {args.site} in {summary.seconds:.1f}s",
            file=sys.stderr,
        )
        for rejected in fleet.rejected:
            print(f"left out: {rejected.path}: {rejected.reason}", file=sys.stderr)
        for missing in fleet.missing:
            print(f"no report: {missing.repository}: {missing.reason}", file=sys.stderr)
    problems = fleet.rejected or fleet.missing
    return EXIT_FAILED if args.strict and problems else EXIT_OK


def register_scan(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="check every repository of a fleet file on a process pool",
        description="Run `checklists check` for every repository of a fleet file (or one "
        "shard of it), writing OUT/<repository>/compliance.json with its provenance. "
        "An interrupted scan goes on with --resume.",
    )
    parser.add_argument("fleet", type=Path, help="the fleet file (see examples/fleet/)")
    parser.add_argument("--out", required=True, type=Path, help="where the reports go")
    parser.add_argument("--jobs", type=int, default=_cpus(), help="worker processes")
    parser.add_argument(
        "--shard", default="0/1", help="INDEX/COUNT: check only this share of the fleet"
    )
    parser.add_argument(
        "--resume", action="store_true", help="finish the interrupted scan in --out"
    )
    parser.add_argument("--workdir", type=Path, help="where clones of `git:` entries go")
    parser.add_argument(
        "--progress",
        choices=("auto", "live", "log", "quiet"),
        default="auto",
        help="auto: a live line on a terminal, a line per tenth otherwise",
    )
    parser.set_defaults(handler=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    index, count = shard.parse(args.shard)
    fleet = fleetfile.read(args.fleet)
    entries = shard.shard(list(fleet.entries), index, count)
    guide = scan.Guide.read(fleet.guide)
    packages = tuple(guide.options.get("checks") or ("checks",))
    checks = stamp.checks_version(packages)
    generated = stamp.now().isoformat()
    plan = scan.plan(
        fleet,
        entries,
        args.out.resolve(),
        checks=checks,
        generated=generated,
        shard=f"{index}/{count}",
        resume=args.resume,
        workdir=args.workdir,
    )
    progress = scan.Progress(len(plan.jobs), mode=args.progress)
    if args.progress != "quiet":
        already = f", {plan.skipped} already done" if plan.skipped else ""
        print(
            f"scan: {len(plan.jobs)} repositories to check with {args.jobs} process(es)"
            f"{already}; checks {checks}",
            file=sys.stderr,
        )
    started = time.monotonic()
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a preempted runner or pod stops cleanly
    try:
        results = scan.run_jobs(
            plan.jobs, workers=max(1, args.jobs), progress=progress, packages=packages
        )
    except scan.ScanInterruptedError as stopped:
        progress.close()
        print(
            f"scan: {stopped}; what finished is in {args.out}. Run the same command with "
            "--resume to check the rest.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    progress.close()
    failed = [result for result in results if not result.ok]
    if args.progress != "quiet":
        seconds = time.monotonic() - started
        per = seconds / len(results) if results else 0.0
        print(
            f"scan: {len(results) - len(failed)} checked, {len(failed)} could not be checked, "
            f"in {seconds:.1f}s ({per:.2f}s per repository)",
            file=sys.stderr,
        )
    for result in failed:
        print(f"scan: {result.name}: {result.reason}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def register_stamp(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stamp",
        help="write where a compliance.json comes from, for `checklists aggregate`",
        description="Write compliance.meta.json beside a report: the repository "
        "(GITHUB_REPOSITORY by default), the time (SOURCE_DATE_EPOCH when set), the version "
        "of the check library, the teams, and in GitHub Actions the commit and the run.",
    )
    parser.add_argument("report", type=Path, help="the compliance.json to describe")
    parser.add_argument("--repository", help="owner/name (default: GITHUB_REPOSITORY)")
    parser.add_argument("--team", action="append", default=[], help="an owning team (repeatable)")
    parser.add_argument("--site", help="the repository's own published site (http or https)")
    parser.add_argument("--source", help="URL of the checked files (default in GitHub Actions)")
    parser.add_argument("--commit", help="the checked commit (default: GITHUB_SHA)")
    parser.add_argument(
        "--config",
        default="mkdocs.yml",
        type=Path,
        help="the site's mkdocs.yml, whose `checks` option names the check packages",
    )
    parser.add_argument(
        "--checks",
        action="append",
        metavar="PACKAGE",
        help="check packages that judged (default: the site's `checks`, else checks)",
    )
    parser.set_defaults(handler=run_stamp)


def run_stamp(args: argparse.Namespace) -> int:
    packages = args.checks
    if not packages and args.config.is_file():
        packages = plugin_options(args.config).get("checks")
    path = stamp.stamp(
        args.report,
        repository=args.repository,
        teams=args.team,
        packages=list(packages or ["checks"]),
        site=args.site,
        source=args.source,
        commit=args.commit,
    )
    print(f"checklists stamp: wrote {path}", file=sys.stderr)
    return EXIT_OK
