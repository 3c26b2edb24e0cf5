"""The site's generated pages without a generator hook: `checklists check --pages DIR`.

The MkDocs plugins generate the compliance page, the check catalog, the stylesheet and
script, and the reports inside the build. A generator that runs Python-Markdown extensions
but no MkDocs plugins (Zensical) gets them as files instead: this module writes them into
the docs folder, as Markdown whose HTML is already in place, so any generator renders them
as they are. The guide's own pages get their verdicts from the Markdown extension
(`checklists.extension`), which renders with the same functions as the plugin.

Every page written here starts with GENERATED, so a later run never reads it as a page of
the guide, and the plugin replaces it with its own. `STAMP` records what the run found
(`digest`): the extension refuses to put verdicts on a page when the stamp does not match
the run it evaluates itself, so a page never disagrees with the reports beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checklists.core.engine import Run
from checklists.core.errors import SetupError
from checklists.core.files import write_atomic
from checklists.core.i18n import TEXT
from checklists.core.project import GENERATED
from checklists.core.siteconfig import site_options
from checklists.reports import compliance
from checklists.site import catalog, render

STAMP = ".checklists-run.json"
CATALOG_PLUGIN = "checklists-catalog"
COMPLIANCE_CLASS = 'class="cl-page"'  # the compliance page's block


def digest(run: Run, target_name: str, lang: str) -> str:
    """What the run found, as a hash: every verdict, outcome and piece of evidence (the
    compliance report less its counters of work done, which a cache changes)."""
    data = compliance.compliance(run, target_name, lang)
    data.pop("run", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- URLs as the generators make them ------------------------------------------------------


def page_url(src: str, directory_urls: bool) -> str:
    """The URL of a Markdown page relative to the site's root, as MkDocs (and ProperDocs,
    and Zensical, which follows it) makes it: a/b.md -> a/b/ (a/b.html without
    `use_directory_urls`), a/index.md -> a/, index.md -> ./."""
    stem = posixpath.splitext(src)[0]
    folder, name = posixpath.split(stem)
    if name in ("index", "README"):
        dest = posixpath.join(folder, "index.html")
    elif directory_urls:
        dest = posixpath.join(stem, "index.html")
    else:
        dest = f"{stem}.html"
    dirname, filename = posixpath.split(dest)
    url = (dirname or ".") + "/" if directory_urls and filename == "index.html" else dest
    return quote(url)


def _parts(path: str) -> list[str]:
    path = posixpath.normpath("/" + path.lstrip("/"))[1:]
    return path.split("/") if path else []


def relative_url(url: str, other: str) -> str:
    """`url` as seen from the page at `other`, both relative to the site's root: MkDocs'
    `get_relative_url`, so the links in a generated page are those the plugin writes."""
    dirname, _, basename = other.rpartition("/")
    if "." in basename:
        other = dirname
    here, there = _parts(other), _parts(url)
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    relative = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    return relative + "/" if url.endswith("/") else relative


def source_url(path: str, page: str) -> str:
    """`path` (a source path in the docs folder: a page, `badges/x.svg`, with a #fragment)
    as a link written in the page `page`: relative to the page's source file, the way an
    author links in Markdown. Zensical resolves such links in raw HTML too (a.md ->
    a/), and so does any generator that follows the source tree."""
    target, mark, fragment = path.partition("#")
    if not target:
        return path
    relative = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return relative + mark + fragment


_LINK = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"#:?/][^"#:?]*)(?P<rest>[?#][^"]*)?"')


def site_links(html_text: str, page: str, directory: bool) -> str:
    """The page's source-relative links (`source_url`) as links relative to its URL, as a
    generator that leaves raw HTML alone (MkDocs) needs them."""
    here = page_url(page, directory)

    def convert(match: re.Match[str]) -> str:
        url = match["url"]
        if url.startswith("/"):
            return match[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), url))
        if target.endswith(".md"):
            target = page_url(target, directory)
        relative = relative_url(target, here)
        return f'{match["attr"]}="{relative}{match["rest"] or ""}"'

    return _LINK.sub(convert, html_text)


# -- what the site configures ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogOptions:
    """The `checklists-catalog` plugin's options as mkdocs.yml sets them (None: absent)."""

    folder: str = "checks"
    checks: tuple[str, ...] = ("checks",)
    samples: str = "tests/fixtures/checks"


def catalog_options(config_file: Path) -> CatalogOptions | None:
    """The catalog's options from mkdocs.yml, or None when the site has no catalog."""
    plugins = site_options(config_file).get("plugins") or []
    entries: Iterable[Any] = plugins.items() if isinstance(plugins, Mapping) else plugins
    for entry in entries:
        if isinstance(entry, tuple):
            name, body = entry
        elif isinstance(entry, Mapping) and len(entry) == 1:
            name, body = next(iter(entry.items()))
        else:
            name, body = entry, None
        if name != CATALOG_PLUGIN:
            continue
        body = body or {}
        if not isinstance(body, Mapping) or set(body) - {"folder", "checks", "samples"}:
            raise SetupError(f"{config_file.name}: the {CATALOG_PLUGIN} options are not valid")
        return CatalogOptions(
            str(body.get("folder", "checks")),
            tuple(str(c) for c in body.get("checks", ["checks"])),
            str(body.get("samples", "tests/fixtures/checks")),
        )
    return None


def directory_urls(config_file: Path) -> bool:
    return bool(site_options(config_file).get("use_directory_urls", True))


# -- the pages -------------------------------------------------------------------------------


def catalog_pages(options: CatalogOptions, lang: str, root: Path) -> dict[str, str]:
    """Site path -> Markdown of the check catalog, samples inline (pymdownx.tabbed tabs)."""
    specs = catalog.load(list(options.checks))
    generated = catalog.pages(specs, lang, options.folder, root / options.samples)
    return {name: f"{GENERATED}\n\n{page.inline()}" for name, page in generated.items()}


def compliance_page(
    run: Run,
    *,
    lang: str,
    report_page: str,
    urls: Mapping[str, str],
    target_name: str,
    base: str,
) -> str:
    """The compliance page as Markdown: its title, then the report's HTML in one block,
    its links relative to the page's source (`urls` maps sources to themselves)."""
    linked = render.page_urls(urls, report_page, report_page, lambda u: source_url(u, report_page))
    links = render.links_for(run, linked, report_page)
    body = render.link_locations(
        render.compliance_html(run, lang, linked, target_name, links), base
    )
    body = render.name_checkboxes(body, lang)
    title = TEXT[lang]["compliance_title"]
    # Front matter first (generators read it only there), then the marker.
    front = "---\nhide:\n  - toc\n---\n\n"
    return f"{front}{GENERATED}\n\n# {title}\n\n<div {COMPLIANCE_CLASS}>{body}</div>\n"


def site_urls(pages: Iterable[str], directory: bool) -> dict[str, str]:
    """Source path -> URL of every page, and the catalog's area pages by area (`catalog:`)."""
    return {src: page_url(src, directory) for src in pages}


def write(
    run: Run,
    folder: Path,
    *,
    lang: str,
    config_file: Path,
    guide_pages: Iterable[str],
    report_page: str,
    target_name: str,
    base: str,
    reports: Mapping[str, str],
) -> list[Path]:
    """Write the generated pages, the stylesheet and script, the reports (`reports`: file
    name -> content, as `reports.render` gives them) and the stamp into `folder`."""
    root = config_file.parent
    catalog = catalog_options(config_file)
    files: dict[str, str] = {}
    if catalog is not None:
        files |= catalog_pages(catalog, lang, root)
    urls = {src: src for src in [*guide_pages, report_page, *files]}
    urls |= render.catalog_urls((src, src) for src in files)
    files[report_page] = compliance_page(
        run, lang=lang, report_page=report_page, urls=urls, target_name=target_name, base=base
    )
    files |= {
        name: text
        for name, text in render.site_pages(lang, report_page, enabled=True).items()
        if name != report_page
    }
    files |= dict(reports)
    written = []
    for name, text in files.items():
        path = folder / name
        write_atomic(path, text)
        written.append(path)
    stamp = folder / STAMP
    found = digest(run, target_name, lang)
    write_atomic(stamp, json.dumps({"digest": found, "files": sorted(files)}, indent=1) + "\n")
    # Zensical keeps rendered pages in a cache keyed by the content of each page and the
    # modification times, in whole seconds, of the files under `watch:`. Two runs within a
    # second would leave the stamp's time unchanged; a time derived from the digest changes
    # whenever the findings do, so a page cached for other findings is rendered again.
    moment = 1_500_000_000 + int(found[:7], 16)
    os.utime(stamp, (moment, moment))
    written.append(stamp)
    return written


def read_stamp(folder: Path) -> dict[str, Any] | None:
    """The stamp of the last `checklists check --pages` into `folder`, or None."""
    try:
        data = json.loads((folder / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
