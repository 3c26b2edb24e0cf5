"""Plugin overhead on the real site, where its time goes, and the check library's import time.

`mkdocs build` of the repository's mkdocs.yml runs as a child process in five modes, each
into a fresh folder: with the checks on ("on"), with `CHECKLISTS_ENABLED=false` ("off",
the issue's baseline; the check catalog, a plugin of its own, is there either way), with
both the checklists and the checklists-catalog entries removed from a copy of mkdocs.yml
("none": what both plugins cost together shows as on - none), and "on"/"off" again with
the catalog removed ("on_nc"/"off_nc": without the catalog nothing imports the check
library on the "off" side, so this pair charges the import to the checks). One warm-up
of each is discarded, then the modes alternate so drift (caches, a busy neighbour) hits
all alike. The
in-process part evaluates the real docs the way the plugin's on_files does (collect, then
evaluate), after the checks are imported, so its time is the evaluation alone. Import cost
comes from `python -X importtime`: the top imports by cumulative time, and the total of
the top-level imports that the statement itself caused (those the interpreter's start-up
already made are left out, by name, from the same output).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bench.inprocess import read_pages, site_settings, timed_evaluation
from bench.timing import PYTHON, Sample, checked, environment, median, run_child, timed
from checklists.core.registry import load_packages
from checklists.core.siteconfig import plugin_options, site_options

REPO = Path(__file__).resolve().parents[1]
IMPORT_STATEMENT = "import checklists.core.registry as r; r.load_packages(['checks'])"


@dataclass(frozen=True, slots=True)
class Build:
    """Repeated `mkdocs build` runs of one configuration."""

    seconds: list[float]
    cpu_seconds: list[float]
    max_rss_kib: int
    run: dict[str, int]  # compliance.json's run section (empty with the plugin off)
    verdicts: dict[str, int]

    @property
    def median(self) -> float:
        return median(self.seconds)

    @property
    def cpu(self) -> float:
        return median(self.cpu_seconds)

    @property
    def fastest(self) -> float:
        """The least disturbed run: slower ones measure the machine's other work too."""
        return min(self.seconds)


@dataclass(frozen=True, slots=True)
class ImportLine:
    name: str
    depth: int
    self_us: int
    cumulative_us: int


@dataclass(frozen=True, slots=True)
class Overhead:
    on: Build
    off: Build
    none: Build  # neither plugin in mkdocs.yml
    on_nc: Build  # on, without the catalog plugin
    off_nc: Build  # off, without the catalog plugin
    load_packages_s: float  # first import of the checks in this process
    evaluate_s: list[float]  # collect + evaluate of the real docs, imports done
    evaluations: int
    import_total_us: int
    import_top: list[ImportLine]

    @property
    def ratio(self) -> float:
        return self.on.median / self.off.median

    @property
    def paired_ratio(self) -> float:
        """The median of each round's on/off ratio: the two builds of a round run back to
        back, so a slow spell of the machine hits both; steadier than a ratio of medians."""
        return median([on / off for on, off in zip(self.on.seconds, self.off.seconds, strict=True)])

    @property
    def ratio_none(self) -> float:
        return self.on.median / self.none.median

    @property
    def paired_no_catalog(self) -> float:
        """Per round, checks on / checks off, the catalog on neither side: the honest
        overhead (with the catalog, both sides import the check library for it)."""
        pairs = zip(self.on_nc.seconds, self.off_nc.seconds, strict=True)
        return median([on / off for on, off in pairs])

    @property
    def paired_plain(self) -> float:
        """Per round, checks on (no catalog) / a plain Material build of the same guide
        (neither plugin in mkdocs.yml)."""
        pairs = zip(self.on_nc.seconds, self.none.seconds, strict=True)
        return median([on / plain for on, plain in pairs])

    @property
    def catalog_cost(self) -> float:
        """What the catalog plugin adds on its own: off (catalog, checks disabled) − none."""
        return self.off.median - self.none.median

    @property
    def ratio_no_catalog(self) -> float:
        return self.on_nc.median / self.off_nc.median


BASIC_MODES = ("on", "off", "none")
MODES = (*BASIC_MODES, "on_nc", "off_nc")


@dataclass(frozen=True, slots=True)
class Configs:
    """One site in its modes: the checks on, off (CHECKLISTS_ENABLED=false), the plugins
    removed from mkdocs.yml altogether, and (optionally) on/off without the catalog."""

    with_plugin: Path
    without_plugin: Path
    without_catalog: Path | None = None  # for the modes on_nc and off_nc

    def argv(self, mode: str, site_dir: Path) -> tuple[list[str], dict[str, str]]:
        config = {"none": self.without_plugin}.get(mode, self.with_plugin)
        if mode.endswith("_nc"):
            if self.without_catalog is None:
                raise ValueError(f"mode {mode} needs a configuration without the catalog")
            config = self.without_catalog
        off = mode.startswith("off")
        env = environment(CHECKLISTS_ENABLED="false") if off else environment()
        argv = [PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site_dir)]
        return argv, env


def mkdocs_build(configs: Configs, mode: str, site_dir: Path) -> Sample:
    argv, env = configs.argv(mode, site_dir)
    sample = run_child(argv, env=env, cwd=configs.with_plugin.parent)
    # With the plugin a broken claim exits 1 after the site and reports are written.
    on = mode.startswith("on")
    checked(sample, (0, 1) if on else (0,), f"mkdocs build ({mode}) of {argv[5]}")
    if on and not (site_dir / "compliance.json").is_file():
        raise RuntimeError(f"mkdocs build of {argv[5]} wrote no compliance.json:\n{sample.output}")
    return sample


def report_of(site_dir: Path) -> tuple[dict[str, int], dict[str, int]]:
    path = site_dir / "compliance.json"
    if not path.is_file():
        return {}, {}
    data = json.loads(path.read_text("utf-8"))
    return dict(data["run"]), dict(data["summary"]["verdicts"])


def builds(
    configs: Configs, work: Path, runs: int, modes: tuple[str, ...] = MODES, warmups: int = 1
) -> dict[str, Build]:
    """Each mode `warmups` times (discarded), then `runs` rounds, the modes alternating."""
    return builds_of({"": (configs, work)}, runs, modes, warmups)[""]


def builds_of(
    sites: dict[str, tuple[Configs, Path]],
    runs: int,
    modes: tuple[str, ...] = MODES,
    warmups: int = 1,
) -> dict[str, dict[str, Build]]:
    """Like `builds` for several sites at once: every round builds every site in every mode,
    so drift over the minutes a run takes hits all sizes alike, not just the later ones."""
    samples: dict[tuple[str, str], list[Sample]] = {
        (name, mode): [] for name in sites for mode in modes
    }
    last: dict[tuple[str, str], Path] = {}
    for index in range(warmups + runs):
        for name, (configs, work) in sites.items():
            for mode in modes:
                site_dir = work / f"site-{mode}-{index}"
                sample = mkdocs_build(configs, mode, site_dir)
                if index >= warmups:
                    samples[(name, mode)].append(sample)
                last[(name, mode)] = site_dir
    result: dict[str, dict[str, Build]] = {name: {} for name in sites}
    for (name, mode), chosen in samples.items():
        on = mode.startswith("on")
        run, verdicts = report_of(last[(name, mode)]) if on else ({}, {})
        result[name][mode] = Build(
            [s.seconds for s in chosen],
            [s.cpu_seconds for s in chosen],
            max(s.max_rss_kib for s in chosen),
            run,
            verdicts,
        )
    return result


_PLUGIN_ENTRY = re.compile(r"^(?P<indent>\s*)-\s*(?P<name>checklists(?:-catalog)?)\s*:?\s*$")
# This repository's nav entries for generated pages: the catalog's folder and its heading.
_CATALOG_NAV = re.compile(r"^\s*-\s*(?:checks/\S*|チェック一覧:)\s*$")


def without_plugin(config: Path, work: Path) -> Path:
    """A copy of mkdocs.yml without the checklists and checklists-catalog entries and the
    catalog's nav entries (the compliance page's stays: MkDocs notes it and builds on)."""
    kept = _without(config, {"checklists", "checklists-catalog"})
    return _write_copy(config, work / "mkdocs-without-plugin.yml", kept)


def without_catalog(config: Path, work: Path) -> Path:
    """A copy of mkdocs.yml without the checklists-catalog entry and its nav entries."""
    copy = _write_copy(
        config, work / "mkdocs-without-catalog.yml", _without(config, {"checklists-catalog"})
    )
    if "checklists-catalog" in copy.read_text("utf-8"):
        raise RuntimeError(f"could not take the catalog out of {copy}")
    return copy


def _without(config: Path, plugins: set[str]) -> list[str]:
    """The lines of mkdocs.yml without the named plugins' entries (with their options) and
    without the catalog's nav entries; relative targets are made absolute."""
    target = (config.parent / str(plugin_options(config).get("target", "."))).resolve()
    kept: list[str] = []
    block: int | None = None  # the indentation of a removed entry while inside it
    for line in config.read_text("utf-8").splitlines():
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            continue
        block = None
        match = _PLUGIN_ENTRY.match(line)
        if match and match["name"] in plugins:
            block = len(match["indent"])
            continue
        if _CATALOG_NAV.match(line):
            continue
        absolute = f"{' ' * indent}target: {json.dumps(str(target))}"
        kept.append(absolute if line.lstrip().startswith("target:") else line)
    return kept


def _write_copy(config: Path, copy: Path, lines: list[str]) -> Path:
    """Write `lines` of `config` to `copy`, with docs_dir made absolute for its new place."""
    docs = (config.parent / str(site_options(config).get("docs_dir") or "docs")).resolve()
    text = "\n".join(line for line in lines if not line.startswith("docs_dir:"))
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(f"docs_dir: {json.dumps(str(docs))}\n{text}\n", "utf-8")
    return copy


def parse_importtime(text: str) -> list[ImportLine]:
    lines = []
    for raw in text.splitlines():
        if not raw.startswith("import time:") or "self [us]" in raw:
            continue
        self_us, cumulative, name = raw.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        lines.append(ImportLine(name.strip(), depth, int(self_us), int(cumulative)))
    return lines


def import_cost() -> tuple[int, list[ImportLine]]:
    """Total top-level import time caused by the statement, and the top 10 by cumulative."""
    baseline = run_child([PYTHON, "-X", "importtime", "-c", "pass"], env=environment())
    startup = {line.name for line in parse_importtime(baseline.output) if line.depth == 0}
    sample = run_child([PYTHON, "-X", "importtime", "-c", IMPORT_STATEMENT], env=environment())
    lines = parse_importtime(checked(sample, (0,), "python -X importtime").output)
    total = sum(
        line.cumulative_us for line in lines if line.depth == 0 and line.name not in startup
    )
    top = sorted(lines, key=lambda line: line.cumulative_us, reverse=True)[:10]
    return total, top


def measure(work: Path, runs: int) -> Overhead:
    config = REPO / "mkdocs.yml"
    settings, docs = site_settings(config)
    load_s, _ = timed(lambda: load_packages(list(settings.packages)))
    pages = read_pages(docs)
    evaluations, times = 0, []
    for _ in range(runs):
        seconds, run, _log = timed_evaluation(pages, settings)
        times.append(seconds)
        evaluations = run.evaluations
    configs = Configs(config, without_plugin(config, work), without_catalog(config, work))
    result = builds(configs, work, runs)
    total, top = import_cost()
    return Overhead(
        result["on"], result["off"], result["none"], result["on_nc"], result["off_nc"],
        load_s, times, evaluations, total, top,
    )  # fmt: skip
