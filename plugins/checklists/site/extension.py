"""The verdicts as a Python-Markdown extension, for generators that run Markdown extensions
but no MkDocs plugins (Zensical), and for MkDocs without the plugin.

```yaml
markdown_extensions:
  - checklists.extension          # options: config_file (mkdocs.yml), pages (docs_dir)
```

It renders with the plugin's functions (`render.place_slots`, then `render.finish_page`
on the HTML): the same badges, evidence, summary and table cells. A preprocessor replaces
the page's bindings with slots, a postprocessor fills them once Python-Markdown restored
its raw HTML. The options and the pages come from the site's mkdocs.yml, read as the
command line reads it (`project.site`); the checks run here, in the generator's process,
with a result cache that re-runs only what changed (fresh at every rendering).

A generator renders one page at a time, with no hook before or after the build, so the
compliance page, the catalog and the reports come from `checklists check --pages`
(`checklists.site.pages`), which also fails the job on a broken claim. This extension refuses
to put verdicts on a page when that command's stamp is missing or records other findings
than the run it evaluates itself: the page then keeps the notice that nothing was
verified and says why, so it never disagrees with the reports published beside it.
It never raises into the generator (Zensical 0.0.x reports an extension's exception as a
traceback and still exits 0): a problem is shown on the page and printed to stderr.

When the `checklists` MkDocs plugin is active it renders instead, and removes this
extension from the build (`ChecklistsPlugin.on_config`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from checklists.core import collector, project
from checklists.core.bindings import Columns
from checklists.core.cache import ResultCache
from checklists.core.engine import (
    Run,
    collect,
    enabled,
    evaluate,
    settings_from_options,
    today,
)
from checklists.core.errors import SetupError
from checklists.core.i18n import language
from checklists.core.options import OptionsError
from checklists.core.registry import load_packages
from checklists.site import pages, render

NAME = "checklists.extension"
_CACHE = ResultCache()  # outcomes across pages and `serve` rebuilds, while inputs match

REFUSED = {
    "ja": (
        "このサイトによる注記: 判定を表示できません",
        "checklists 拡張はこのページに判定を書き込みませんでした: {reason}"
        "ビルドの前に `checklists check --pages` を実行してください。",
    ),
    "en": (
        "Note by this site: verdicts cannot be shown",
        "The checklists extension put no verdicts on this page: {reason}"
        "Run `checklists check --pages` before the build.",
    ),
}
REASONS = {
    "ja": {
        "missing": "生成ページ（準拠レポート・チェック一覧・レポート）がありません。",
        "stale": "生成ページとレポートは、現在の対象とは異なる結果から作られています。",
        "error": "検査を実行できませんでした（{error}）。",
        "page": "このページはサイトの docs フォルダーのどのページとも一致しません。",
    },
    "en": {
        "missing": "the generated pages (compliance report, catalog, reports) are missing. ",
        "stale": "the generated pages and reports come from other findings than the "
        "target's current ones. ",
        "error": "the checks could not run ({error}). ",
        "page": "this page matches no page of the site's docs folder. ",
    },
}


class _QuietLog:
    """The engine's log: `checklists check` already reported every finding."""

    def debug(self, msg: str, /, *args: object) -> None: ...
    def info(self, msg: str, /, *args: object) -> None: ...
    def warning(self, msg: str, /, *args: object) -> None: ...
    def error(self, msg: str, /, *args: object) -> None: ...


@dataclass(frozen=True, slots=True)
class Site:
    """One evaluation of the site for a page being rendered."""

    run: Run
    lang: str
    pages: dict[str, str]  # the guide's pages as read: source path -> Markdown
    urls: dict[str, str]  # source path (and catalog:<area>) -> URL from the site's root
    sources: dict[str, str]  # the same, to source paths (links resolved by the generator)
    source_links: bool
    directory: bool
    report: str
    target: str
    base: str
    columns: Columns


class RefusedError(Exception):
    def __init__(self, kind: str, lang: str, error: str = "") -> None:
        super().__init__(kind)
        self.kind, self.lang, self.error = kind, lang, error


def evaluate_site(config_file: Path, folder: str, links: str = "auto") -> Site | None:
    """The site's run, fresh; None when the checks are turned off. Refused when the pages
    `checklists check --pages` wrote are missing or record other findings."""
    try:
        found = project.site(config_file)
    except (SetupError, OptionsError) as error:  # mkdocs.yml unreadable or invalid
        raise RefusedError("error", "en", str(error)) from None
    lang = language(found.lang)
    options = found.options
    if not enabled(bool(options["enabled"])):
        return None
    try:
        directory = pages.directory_urls(config_file)
        catalog = pages.catalog_options(config_file)
        load_packages(list(options.get("checks") or ["checks"]))
        settings = settings_from_options(
            options, found.root, today(), _CACHE, locate=found.locate()
        )
        docs = found.pages
        guide = project.read_pages(docs, os.path.relpath(docs, found.root))
        with collector.paused():  # released by the next build's `paused`
            run = evaluate(collect(guide, settings.columns), settings, _QuietLog())
    except (SetupError, OptionsError, OSError) as error:
        raise RefusedError("error", lang, str(error)) from None
    target = os.path.relpath(settings.target, found.root)
    written = Path(folder) if folder else docs
    stamp = pages.read_stamp(written)
    if stamp is None:
        raise RefusedError("missing", lang)
    if stamp.get("digest") != pages.digest(run, target, lang):
        raise RefusedError("stale", lang)
    names = [*guide, *(str(f) for f in stamp.get("files", []) if str(f).endswith(".md"))]
    urls = pages.site_urls(names, directory)
    sources = {name: name for name in names}
    if catalog is not None:
        areas = [src for src in names if src.startswith(f"{catalog.folder}/")]
        urls |= render.catalog_urls((src, urls[src]) for src in areas)
        sources |= render.catalog_urls((src, src) for src in areas)
    return Site(
        run,
        lang,
        guide,
        urls,
        sources,
        _source_links(links),
        directory,
        str(options["report_page"]),
        target,
        str(options["target_url"]),
        settings.columns,
    )


def _source_links(links: str) -> bool:
    """Links relative to the page's source: asked for, or by default under Zensical, which
    resolves them (and would resolve URL-relative links a second time)."""
    return links == "source" or (links == "auto" and "zensical" in sys.modules)


def _front_matter_less(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


def which_page(site: Site, markdown: str) -> tuple[str, bool] | None:
    """The source path of the page being rendered, and whether its text is exactly the
    text the bindings were collected from (else they are found again, see place_slots)."""
    wanted = markdown.strip()
    for src, text in site.pages.items():
        if text == markdown:
            return src, True
        if text.strip() == wanted or _front_matter_less(text).strip() == wanted:
            return src, False
    return None


def refusal_html(error: RefusedError) -> str:
    title, body = REFUSED[error.lang]
    reason = REASONS[error.lang][error.kind].format(error=error.error)
    return (
        f'<div class="admonition failure cl-refused" data-checklists="refused-{error.kind}">'
        f'<p class="admonition-title">{render.esc(title)}</p>'
        f"<p>{render.esc(body.format(reason=reason))}</p></div>"
    )


class _Place(Preprocessor):
    def __init__(self, md: Markdown, extension: ChecklistsExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.page = None
        text = "\n".join(lines)
        if "<!--" not in text:  # no binding, summary or notice: nothing of ours to do
            return lines
        if project.is_generated(text):
            if pages.COMPLIANCE_CLASS not in text:
                return lines
            return self.extension.generated_links(text).split("\n")
        try:
            site = self.extension.site()
        except RefusedError as refused:
            print(f"checklists: {REASONS['en'][refused.kind].format(error=refused.error)}"
                  "run `checklists check --pages` before the build", file=sys.stderr)  # fmt: skip
            return [refusal_html(refused), "", *lines]  # a raw HTML block
        if site is None:
            return lines
        found = which_page(site, text)
        if found is None:
            if not render.WITHOUT_PLUGIN.search(text + "\n") and "check:" not in text:
                return lines  # a page with comments but nothing of ours
            return [refusal_html(RefusedError("page", site.lang)), "", *lines]
        src, collected = found
        text = render.drop_unverified_notice(text + "\n")
        placed, slots = render.place_slots(
            text, src, site.run.for_page(src, snippets=True), site.columns, collected=collected
        )
        self.extension.page = (site, src, slots)
        return placed.split("\n")


class _Fill(Postprocessor):
    def __init__(self, md: Markdown, extension: ChecklistsExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        # Python-Markdown runs the postprocessors on stashed fragments too (md_in_html,
        # superfences), then on the page: each fills the slots it holds, once.
        if self.extension.page is None or ("cl-slot" not in text and "checklists:" not in text):
            return text
        site, src, slots = self.extension.page
        if site.source_links:  # Zensical resolves links from the page's source
            urls = render.page_urls(
                site.sources, src, site.report, lambda u: pages.source_url(u, src)
            )
        else:
            here = site.urls.get(src, pages.page_url(src, site.directory))
            urls = render.page_urls(
                site.urls, src, site.report, lambda u: pages.relative_url(u, here)
            )
        return render.finish_page(
            text, slots, site.run, src, urls, lang=site.lang, report=site.report,
            target=site.target, base=site.base,
        )  # fmt: skip


class ChecklistsExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        self.config = {
            "config_file": ["mkdocs.yml", "the site's mkdocs.yml (relative to the working folder)"],
            "pages": ["", "where `checklists check --pages` wrote (default: the docs folder)"],
            "links": [
                "auto",
                "source: links relative to the page's source file, which the generator "
                "resolves (Zensical); site: relative to the page's URL (MkDocs); auto: "
                "source under Zensical, else site",
            ],
        }
        super().__init__(**kwargs)
        self.page: tuple[Site, str, render.Slots] | None = None

    def config_file(self) -> Path:
        """The site's mkdocs.yml: relative to the working folder, else (under Zensical,
        built with `-f` from elsewhere) to the folder of the configuration it builds."""
        given = Path(str(self.getConfig("config_file")))
        if given.is_absolute() or given.exists():
            return given.resolve()
        generator = sys.modules.get("zensical.config")
        try:
            root = generator.get_config()["root_dir"] if generator else None
        except (AttributeError, KeyError, TypeError):
            root = None
        return (Path(root) / given).resolve() if root else given.resolve()

    def site(self) -> Site | None:
        config = self.config_file()
        if not config.is_file():
            raise RefusedError("error", "en", f"{config} does not exist")
        return evaluate_site(config, str(self.getConfig("pages")), str(self.getConfig("links")))

    def generated_links(self, html_text: str) -> str:
        """The compliance page's links (relative to its source, as `checklists check
        --pages` writes them) relative to its URL, for a generator that leaves raw HTML
        as it is (MkDocs); as they are under Zensical, which resolves them."""
        if _source_links(str(self.getConfig("links"))):
            return html_text
        try:
            found = project.site(self.config_file())
            directory = pages.directory_urls(self.config_file())
        except SetupError:
            return html_text
        return pages.site_links(html_text, str(found.options["report_page"]), directory)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)
        # Before the raw-HTML preprocessor (20) stashes the binding comments.
        md.preprocessors.register(_Place(md, self), "checklists", 35)
        # After the raw HTML is put back (30), so the slots are in the text.
        md.postprocessors.register(_Fill(md, self), "checklists", 5)

    def reset(self) -> None:
        self.page = None


def makeExtension(**kwargs: object) -> ChecklistsExtension:  # noqa: N802 - Python-Markdown's name
    return ChecklistsExtension(**kwargs)


__all__ = ["NAME", "ChecklistsExtension", "makeExtension"]
