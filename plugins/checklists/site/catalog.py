"""The check catalog: one Markdown page per area, generated from the registry.

Each check gets its title, what it checks, why it matters, how to fix (its docstring, in the
site's language: the Japanese part after `日本語:` on a Japanese site, see `registry`),
its parameters, peer rules and source module, and one passing and one failing sample from
the sample targets (`tests/fixtures/checks/<area>/<name>/{pass,fail}/<case>/`) as tabs.
Sample files are shown in fences long enough that their content cannot close them.

The samples are most of the catalog's HTML (highlighted code is a tag per token). A page's
Markdown holds a placeholder for each check's samples; `fill` puts them into the finished
HTML, after the search plugin indexed the page. So search finds the checks' prose, not
every `FROM` of every sample, and a build does not pay for indexing ~500 KB of code.
Because the samples are rendered apart from the prose, a check's prose holds no fenced
code or tabs: their ids are numbered per conversion and would clash (a test guards this).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklists.core.i18n import TEXT, language
from checklists.core.message import unwrap
from checklists.core.registry import CheckSpec, load_packages

MAX_FILES = 3
MAX_LINES = 60
_LANGUAGES = {
    "Dockerfile": "dockerfile",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".conf": "nginx",
    ".py": "python",
    ".md": "markdown",
    ".sh": "bash",
}


def areas(specs: Iterable[CheckSpec]) -> dict[str, list[CheckSpec]]:
    grouped: dict[str, list[CheckSpec]] = {}
    for spec in sorted(specs, key=lambda s: s.id):
        grouped.setdefault(spec.id.split(".", 1)[0], []).append(spec)
    return grouped


def index_page(specs: Iterable[CheckSpec], lang: str) -> str:
    text = TEXT[lang]
    lines = [
        f"# {text['catalog_title']}",
        "",
        text["catalog_intro"],
        "",
        text["catalog_stated"],
        "",
    ]
    for area, members in areas(specs).items():
        lines.append(f"## [{area}]({area}.md)")
        lines.append("")
        lines += [f"- [`{s.id}`]({area}.md#{anchor(s)}) — {s.prose(lang).title}" for s in members]
        lines.append("")
    return "\n".join(lines)


def anchor(spec: CheckSpec) -> str:
    return spec.id.replace(".", "-").replace("_", "-")


def fix_anchor(check_id: str) -> str:
    """The id of a check's 修正方法 (how to fix) on its area page; verdicts link there."""
    return check_id.replace(".", "-").replace("_", "-") + "-fix"


_PLACEHOLDER = "<!-- checklists-catalog:samples {} -->"
_PLACEHOLDERS = re.compile(r"<!-- checklists-catalog:samples (\d+) -->")


@dataclass(frozen=True, slots=True)
class Page:
    """A generated page: Markdown with a placeholder where each check's samples go, and the
    Markdown of those samples (tabs of fenced files), in page order."""

    markdown: str
    samples: tuple[str, ...] = ()

    def inline(self) -> str:
        """The page as a reader sees it, the samples in place of their placeholders."""
        return _PLACEHOLDERS.sub(lambda m: self.samples[int(m[1])], self.markdown)

    def fill(self, html: str, convert: Callable[[str], str]) -> str:
        """The finished HTML with the samples in place. `convert` renders Markdown with the
        site's extensions; all samples of the page go through it at once, so the tab ids
        that pymdownx.tabbed numbers per conversion stay unique on the page."""
        if not self.samples:
            return html
        joined = "\n\n".join(
            f"{_PLACEHOLDER.format(index)}\n\n{sample}" for index, sample in enumerate(self.samples)
        )
        parts = _PLACEHOLDERS.split(convert(joined))  # ["", "0", html0, "1", html1, ...]
        rendered = dict(zip(parts[1::2], parts[2::2], strict=True))
        found = set(_PLACEHOLDERS.findall(html))
        if found != set(rendered):
            raise ValueError(
                f"the page lost sample placeholders: {len(found)} of {len(rendered)} left; "
                "a plugin or extension changed the generated Markdown"
            )
        return _PLACEHOLDERS.sub(lambda m: rendered[m[1]].strip(), html)


def area_page(area: str, specs: list[CheckSpec], lang: str, samples: Path | None) -> Page:
    text = TEXT[lang]
    lines = [f"# {text['catalog_area'].format(area=area)}", ""]
    shown: list[str] = []
    for spec in specs:
        lines += _entry(spec, lang, samples, shown)
    return Page("\n".join(lines) + "\n", tuple(shown))


def _params(spec: CheckSpec) -> str:
    shown = []
    for name, default in spec.params.items():
        if name == "environment":
            continue
        shown.append(f"`{name}`" if default is inspect.Parameter.empty else f"`{name}={default!r}`")
    return ", ".join(shown) or "—"


def _entry(spec: CheckSpec, lang: str, samples: Path | None, shown: list[str]) -> list[str]:
    text, prose = TEXT[lang], spec.prose(lang)
    kind = text["catalog_metric"] if spec.is_metric else text["catalog_check"]
    related = ", ".join(f"`{r}`" for r in spec.related) or "—"
    lines = [
        f"## {prose.title} {{#{anchor(spec)}}}",
        "",
        f"| {text['catalog_field']} | |",
        "| --- | --- |",
        f"| ID | `{spec.id}` ({kind}) |",
        f"| {text['catalog_severity']} | {text['severity_' + spec.severity]} |",
        f"| {text['params']} | {_params(spec)} |",
        f"| {text['catalog_related']} | {related} |",
        f"| {text['catalog_source']} | `{spec.module}` |",
        "",
    ]
    for heading, body, mark in (
        (text["catalog_what"], prose.what, ""),
        (text["catalog_why"], prose.why, ""),
        (text["catalog_fix"], prose.fix, f"\n{{: #{fix_anchor(spec.id)} }}"),
    ):
        lines += [f"**{heading}**{mark}", "", unwrap(body) if lang == "ja" else body, ""]
    tabs = _samples(spec, lang, samples)
    if tabs:
        lines += [f"**{TEXT[lang]['catalog_samples']}**", "", _PLACEHOLDER.format(len(shown)), ""]
        shown.append("\n".join(tabs))
    return lines


def _samples(spec: CheckSpec, lang: str, samples: Path | None) -> list[str]:
    """The Markdown lines of the check's pass and fail tabs (none without samples)."""
    text = TEXT[lang]
    if samples is None:
        return []
    folder = samples.joinpath(*spec.id.split(".", 1))
    tabs: list[str] = []
    for expected, label in (("pass", text["catalog_pass"]), ("fail", text["catalog_fail"])):
        cases = sorted(p for p in (folder / expected).glob("*") if p.is_dir())
        if not cases:
            continue
        case = cases[0]
        tabs += [f'=== "{label}: {case.name}"', ""]
        for path in _shown_files(case):
            body = _excerpt(path)
            fence = "`" * max(3, _longest_backticks(body) + 1)
            rel = path.relative_to(case).as_posix()
            tabs += [f'    {fence}{_language(path)} title="{rel}"']
            tabs += [f"    {line}" if line else "" for line in body.splitlines()]
            tabs += [f"    {fence}", ""]
    return tabs


def _shown_files(case: Path) -> list[Path]:
    files = sorted(p for p in case.rglob("*") if p.is_file() and p.name != "case.yml")
    files.sort(key=lambda p: (p.name != "Dockerfile", ".github" not in p.parts, len(p.parts)))
    return [p for p in files if _is_text(p)][:MAX_FILES]


def _is_text(path: Path) -> bool:
    try:
        path.read_text("utf-8")
    except (UnicodeDecodeError, OSError):
        return False
    return b"\x00" not in path.read_bytes()


def _excerpt(path: Path) -> str:
    lines = path.read_text("utf-8").splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], "# ..."]
    return "\n".join(lines)


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _language(path: Path) -> str:
    if path.name.startswith("Dockerfile"):
        return "dockerfile"
    return _LANGUAGES.get(path.suffix, "text")


def load(packages: list[str]) -> list[CheckSpec]:
    """The checks of `packages` (imported here), not whatever else the process registered:
    the catalog of a site documents the packages it names."""
    return [
        spec
        for spec in load_packages(packages)
        if any(spec.module == name or spec.module.startswith(f"{name}.") for name in packages)
    ]


def pages(
    specs: Iterable[CheckSpec], lang: str | None, folder: str, samples: Path | None
) -> dict[str, Page]:
    """Site path -> page of the catalog: an index and one page per area, in the theme's
    language `lang` as `i18n.language` maps it."""
    specs, lang = list(specs), language(lang)
    generated = {f"{folder}/index.md": Page(index_page(specs, lang))}
    for area, members in areas(specs).items():
        generated[f"{folder}/{area}.md"] = area_page(area, members, lang, samples)
    return generated


def fill(pages: Mapping[str, Page], src: str, html: str, convert: Callable[[str], str]) -> str:
    """The finished HTML of any page; a catalog page gets its samples."""
    page = pages.get(src)
    return page.fill(html, convert) if page else html


_RENDERED: dict[tuple[str, str], str] = {}  # (extensions, Markdown) -> HTML, across rebuilds


def converter(extensions: list[Any], configs: Mapping[str, Any]) -> Callable[[str], str]:
    """Markdown -> HTML with the site's Markdown extensions and their options. Results are
    kept for the process, so `mkdocs serve` highlights unchanged samples only once."""
    setup = json.dumps(
        [extensions, configs], sort_keys=True, default=lambda o: getattr(o, "__qualname__", "?")
    )

    def convert(text: str) -> str:
        key = (setup, text)
        if key not in _RENDERED:
            if len(_RENDERED) >= 64:
                _RENDERED.clear()
            import markdown  # noqa: PLC0415 - a site's renderer; the core installs none

            engine = markdown.Markdown(extensions=extensions, extension_configs=configs)
            _RENDERED[key] = engine.convert(text)
        return _RENDERED[key]

    return convert
