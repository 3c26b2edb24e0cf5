"""The check catalog: one Markdown page per area, generated from the registry.

Each check gets its title, what it checks, why it matters, how to fix (its docstring),
its parameters, peer rules and source module, and one passing and one failing sample from
the sample targets (`tests/fixtures/checks/<area>/<name>/{pass,fail}/<case>/`) as tabs.
Sample files are shown in fences long enough that their content cannot close them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from pathlib import Path

from checklists.i18n import TEXT
from checklists.registry import CheckSpec

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
    lines = [f"# {text['catalog_title']}", "", text["catalog_intro"], ""]
    for area, members in areas(specs).items():
        lines.append(f"## [{area}]({area}.md)")
        lines.append("")
        lines += [f"- [`{s.id}`]({area}.md#{anchor(s)}) — {s.title}" for s in members]
        lines.append("")
    return "\n".join(lines)


def anchor(spec: CheckSpec) -> str:
    return spec.id.replace(".", "-").replace("_", "-")


def area_page(area: str, specs: list[CheckSpec], lang: str, samples: Path | None) -> str:
    text = TEXT[lang]
    lines = [f"# {text['catalog_area'].format(area=area)}", ""]
    for spec in specs:
        lines += _entry(spec, lang, samples)
    return "\n".join(lines) + "\n"


def _params(spec: CheckSpec) -> str:
    shown = []
    for name, default in spec.params.items():
        if name == "environment":
            continue
        shown.append(f"`{name}`" if default is inspect.Parameter.empty else f"`{name}={default!r}`")
    return ", ".join(shown) or "—"


def _entry(spec: CheckSpec, lang: str, samples: Path | None) -> list[str]:
    text = TEXT[lang]
    kind = text["catalog_metric"] if spec.is_metric else text["catalog_check"]
    related = ", ".join(f"`{r}`" for r in spec.related) or "—"
    lines = [
        f"## {spec.title} {{#{anchor(spec)}}}",
        "",
        f"| {text['catalog_field']} | |",
        "| --- | --- |",
        f"| ID | `{spec.id}` ({kind}) |",
        f"| {text['catalog_severity']} | {spec.severity} |",
        f"| {text['params']} | {_params(spec)} |",
        f"| {text['catalog_related']} | {related} |",
        f"| {text['catalog_source']} | `{spec.module}` |",
        "",
    ]
    for heading, body in (
        (text["catalog_what"], spec.what),
        (text["catalog_why"], spec.why),
        (text["catalog_fix"], spec.fix),
    ):
        lines += [f"**{heading}**", "", body, ""]
    lines += _samples(spec, lang, samples)
    return lines


def _samples(spec: CheckSpec, lang: str, samples: Path | None) -> list[str]:
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
    if not tabs:
        return []
    return [f"**{text['catalog_samples']}**", "", *tabs]


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


def pages(
    specs: Iterable[CheckSpec], lang: str, folder: str, samples: Path | None
) -> dict[str, str]:
    """Site path -> Markdown for the catalog: an index and one page per area."""
    specs = list(specs)
    generated = {f"{folder}/index.md": index_page(specs, lang)}
    for area, members in areas(specs).items():
        generated[f"{folder}/{area}.md"] = area_page(area, members, lang, samples)
    return generated
