"""MkDocs wiring of the checks and the catalog plugins; the work is in mkdocs-free modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ConfigErrors, ConfigWarnings
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from checklists import reports
from checklists.core import collector, siteconfig
from checklists.core.cache import SERVE_CACHE
from checklists.core.engine import (
    Prepared,
    Run,
    collect,
    decode_page,
    enabled,
    prepare,
    settings_from_options,
    today,
)
from checklists.core.errors import SetupError
from checklists.core.i18n import language
from checklists.core.options import OPTIONS, OptionsError, validate
from checklists.core.project import is_generated
from checklists.core.registry import REGISTRY
from checklists.site import extension, render, serve
from checklists.site.background import Background

if TYPE_CHECKING:  # a build never starts the server: MkDocs imports it for `serve` only
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger("checklists")


_UNSET = object()  # an option mkdocs.yml does not set: the table's default applies


class _Given(BaseConfigOption[object]):
    """An option of the shared table, taken as given: `options.validate` judges it in
    on_config, with the messages the command line gives (a PluginError when wrong)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = _UNSET

    def run_validation(self, value: object) -> object:
        return value


class ChecklistsConfig(Config):
    """The checks plugin's options: the names of `options.OPTIONS`, one table for the
    plugin and the command line (its types, defaults and messages are there)."""

    # The class body's namespace is a dict; MkDocs collects the options from it.
    locals().update({option.name: _Given() for option in OPTIONS if option.help})

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        """MkDocs' checks, except that unknown names are left to `options.validate` (an
        error with the closest valid name, rather than a warning only --strict minds).

        First, mkdocs.yml itself is held against the size and depth limits the command
        line reads it with: MkDocs prints every value of its configuration (a debug line
        it formats even when not shown), which never ends for a YAML alias bomb.
        """
        if self.config_file_path:
            try:
                siteconfig.check_size(Path(self.config_file_path))
            except SetupError as error:
                raise Abort(f"checklists: {error}") from None
        failed, warnings = super().validate()
        names = {name for name, _ in self._schema}
        return failed, [(key, text) for key, text in warnings if key in names]

    def given(self) -> dict[str, object]:
        """The options mkdocs.yml sets, as it sets them."""
        return {key: value for key, value in self.items() if value is not _UNSET}


class ChecklistsPlugin(BasePlugin[ChecklistsConfig]):
    command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = root = Path(config.config_file_path or ".").resolve().parent
        self.lang = language(config.theme.get("language"))
        cache = SERVE_CACHE if self.command == "serve" else None  # keep unchanged results
        given = self.config.given()
        try:
            self.options = validate(given)
        except OptionsError:  # again, with the lines of mkdocs.yml for the messages
            where = siteconfig.locator(Path(config.config_file_path or "mkdocs.yml"))
            try:
                validate(given, where)
            except OptionsError as error:
                raise PluginError(f"checklists: {error}") from None
            raise
        self.settings = settings_from_options(self.options, root, today(), cache)
        self.target_name = os.path.relpath(self.settings.target, root)
        self.enabled, self.slots = enabled(self.options["enabled"]), dict[str, render.Slots]()
        # MkDocs keeps this instance across serve's rebuilds: each build starts afresh, after
        # the checks of one that failed before it used them are done (they share the cache).
        earlier: Background | None = getattr(self, "background", None)
        if earlier is not None:
            earlier.wait()
        self.prepared: Prepared | None = None  # the build's tasks, known in on_files
        self.background: Background | None = None  # their run, on a thread until needed
        self.collected = dict[str, str]()  # page -> the Markdown its items were collected from
        if self.enabled:  # mkdocs.yml may list them already, for Zensical (MIGRATION.md)
            config.extra_css += [] if render.STYLE in config.extra_css else [render.STYLE]
            scripts = [str(script) for script in config.extra_javascript]
            config.extra_javascript += [] if render.SCRIPT in scripts else [render.SCRIPT]
        # The plugin renders the verdicts: the Markdown extension (for generators without
        # plugins) steps aside, or every page would be evaluated twice.
        config.markdown_extensions = [
            e for e in config.markdown_extensions if e != extension.NAME
        ]  # fmt: skip
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.enabled:
            docs = [
                f for f in files.documentation_pages() if f.generated_by != "checklists-catalog"
                and not (f.generated_by is None and is_generated(f.content_bytes))
            ]  # fmt: skip
            folder = os.path.relpath(config.docs_dir, self.root)
            try:
                self.collected = pages = {  # not rescanned
                    f.src_uri: decode_page(f.content_bytes, f"{folder}/{f.src_uri}") for f in docs
                }
                with collector.paused():  # frozen until its reports are out (on_post_build)
                    items = collect(pages, self.settings.columns)
                    self.prepared = prepare(items, self.settings, log)
            except SetupError as error:  # a missing target or package: its text, no traceback
                raise PluginError(f"checklists: {error}") from None
            except OSError as error:  # a page that cannot be read
                raise PluginError(
                    f"checklists: cannot read {error.filename}: {error.strerror}"
                ) from None
        for name, text in render.site_pages(
            self.lang, self.options["report_page"], self.enabled
        ).items():
            _replace(files, File.generated(config, name, content=text))
        if self.prepared is not None:  # the checks run while MkDocs converts the pages
            self.background = Background(self.prepared)
        documents = files.documentation_pages()
        self.urls = {f.src_uri: f.url for f in documents} | render.catalog_urls(
            (f.src_uri, f.url) for f in documents if f.generated_by == "checklists-catalog"
        )  # the catalog's pages by area: verdicts link to their check's 修正方法
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, **_: object) -> str:
        if self.prepared is None:
            return markdown
        src = page.file.src_uri
        collected = markdown == self.collected.get(src)
        markdown = render.drop_unverified_notice(markdown)
        markdown, self.slots[src] = render.place_slots(
            markdown, src, self.prepared.placeholders(src), self.settings.columns,
            collected=collected,
        )  # fmt: skip  # where the results go; `on_post_page` puts the results there
        return markdown

    def result(self) -> Run | None:
        """The build's run, once its checks are done (None: the checks are off)."""
        if self.background is None:
            return None
        try:
            return self.background.result()
        except SetupError as error:  # a package or check that cannot be set up
            raise PluginError(f"checklists: {error}") from None

    @event_priority(100)  # before plugins that rewrite HTML: a minifier drops the slots' comments
    def on_post_page(self, html: str, *, page: Page, **_: object) -> str:
        run = self.result()
        if run is None:  # verdicts go in after search indexed the page: it finds the guide
            return html
        src, report = page.file.src_uri, self.options["report_page"]
        urls = render.page_urls(self.urls, src, report, lambda url: get_relative_url(url, page.url))
        slots = render.bind_slots(self.slots.pop(src, {}), run.for_page(src, snippets=True))
        return render.finish_page(
            html, slots, run, src, urls, lang=self.lang, report=report,
            target=self.target_name, base=self.options["target_url"],
        )  # fmt: skip

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: object) -> None:
        run = self.result()
        for path, recursive in serve.watched(run) if run else []:  # not all
            server.watch(str(path), recursive=recursive)

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        run = self.result()
        if run is None:
            return
        extra = {fmt: str(self.root / path) for fmt, path in self.options["reports"].items()}
        docs = os.path.relpath(config.docs_dir, self.root)  # the checks are loaded by now:
        context = reports.context_for(self.lang, self.target_name, docs)  # their rules
        try:
            reports.publish(run, Path(config.site_dir), context, extra, log)
        except SetupError as error:  # a report path that cannot take its report
            raise PluginError(f"checklists: {error}") from None
        finally:  # the build's results go back to the garbage collector's passes
            collector.release()
        if self.command == "serve":  # each rebuild's worker inherits the checks imported
            REGISTRY.import_described()
        if run.failures and self.command != "serve":
            raise PluginError(reports.failure_message(run))


def _replace(files: Files, file: File) -> None:
    """Add a generated file; one of that name in docs_dir (a copy `checklists check
    --pages` wrote for generators without plugins) gives way to it."""
    present = files.get_file_from_path(file.src_uri)
    if present is not None:
        files.remove(present)
    files.append(file)


class CatalogConfig(Config):
    folder = c.Type(str, default="checks")  # site folder: an index and one page per area
    checks = c.ListOfItems(c.Type(str), default=["checks"])  # packages that register checks
    samples = c.Type(str, default="tests/fixtures/checks")  # sample targets, rel. to mkdocs.yml


class CatalogPlugin(BasePlugin[CatalogConfig]):
    """The check catalog, from the check library: it stays when the checks are turned off."""

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        from checklists.site import catalog  # noqa: PLC0415 - only a site with the catalog needs it

        try:
            specs = catalog.load(list(self.config.checks))
        except SetupError as error:
            raise PluginError(f"checklists-catalog: {error}") from error
        samples = Path(config.config_file_path or ".").resolve().parent / self.config.samples
        self.pages = catalog.pages(specs, config.theme.get("language"), self.config.folder, samples)
        self.convert = catalog.converter(config.markdown_extensions, config.mdx_configs)
        for name, generated in self.pages.items():
            _replace(files, File.generated(config, name, content=generated.markdown))
        return files

    @event_priority(100)  # as the checks' on_post_page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        from checklists.site import catalog  # noqa: PLC0415

        try:  # the samples go in after the search plugin indexed the page
            return catalog.fill(self.pages, page.file.src_uri, output, self.convert)
        except ValueError as error:
            raise PluginError(f"checklists-catalog: {page.file.src_uri}: {error}") from error
