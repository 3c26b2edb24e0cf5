"""MkDocs wiring of the checks and the catalog plugins; the work is in mkdocs-free modules."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from checklists import catalog, outputs, render
from checklists.cache import SERVE_CACHE
from checklists.engine import Run, collect, enabled, evaluate, settings_from_options
from checklists.errors import SetupError
from checklists.i18n import language

log = get_plugin_logger("checklists")


class ChecklistsConfig(Config):
    enabled = c.Type(bool, default=True)  # env CHECKLISTS_ENABLED=false turns the checks off
    target = c.Type(str, default="examples/autoforgenexus")  # rel. to mkdocs.yml; env too
    checks = c.ListOfItems(c.Type(str), default=["checks"])  # packages that register checks
    defaults = c.Type(dict, default={})  # params for every check declaring them, unless bound
    environments = c.Type(dict, default={})  # column name -> dockerfile, context, image
    value_columns = c.ListOfItems(c.Type(str), default=["値", "Value"])  # get observed values
    status_columns = c.ListOfItems(c.Type(str), default=["ステータス", "Status"])  # verdicts
    timeout = c.Type((int, float), default=30)  # seconds one check may run
    workers = c.Type(int, default=4)  # checks that run at the same time
    require_evidence = c.Type(bool, default=False)  # a ticked claim without evidence fails
    require_bindings = c.Type(bool, default=False)  # a checklist item without a binding fails
    report_page = c.Type(str, default="compliance.md")  # the generated compliance page
    reports = c.Type(dict, default={})  # extra copies: json, junit, sarif, badges -> path
    target_url = c.Type(str, default="")  # the target's root in its repository, for links
    catalog = c.Deprecated(message="the catalog is the 'checklists-catalog' plugin (its 'folder')")
    samples = c.Deprecated(message="moved to the 'checklists-catalog' plugin")


class ChecklistsPlugin(BasePlugin[ChecklistsConfig]):
    command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = root = Path(config.config_file_path or ".").resolve().parent
        self.lang = language(config.theme.get("language"))
        cache = SERVE_CACHE if self.command == "serve" else None  # keep unchanged results
        self.settings = settings_from_options(dict(self.config), root, outputs.today(), cache)
        self.target_name = os.path.relpath(self.settings.target, root)
        self.enabled, self.slots = enabled(self.config.enabled), dict[str, render.Slots]()
        self.run: Run | None = None  # MkDocs keeps this instance across serve's rebuilds
        self.collected = dict[str, str]()  # page -> the Markdown its items were collected from
        config.extra_css += [render.STYLE] if self.enabled else []
        config.extra_javascript += [render.SCRIPT] if self.enabled else []
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.enabled:
            docs = [
                f for f in files.documentation_pages() if f.generated_by != "checklists-catalog"
            ]
            self.collected = pages = {f.src_uri: f.content_string for f in docs}  # not rescanned
            try:
                self.run = evaluate(collect(pages, self.settings.columns), self.settings, log)
            except SetupError as error:  # a missing target or package: its text, no traceback
                raise PluginError(f"checklists: {error}") from error
        for name, text in render.site_pages(
            self.lang, self.config.report_page, self.enabled
        ).items():
            files.append(File.generated(config, name, content=text))
        documents = files.documentation_pages()
        self.urls = {f.src_uri: f.url for f in documents} | render.catalog_urls(
            (f.src_uri, f.url) for f in documents if f.generated_by == "checklists-catalog"
        )  # the catalog's pages by area: verdicts link to their check's 修正方法
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, **_: object) -> str:
        if self.run is None:
            return markdown
        src = page.file.src_uri
        markdown, self.slots[src] = render.place_slots(
            markdown, src, self.run.for_page(src), self.settings.columns,
            collected=markdown == self.collected.get(src),
        )  # fmt: skip
        return markdown

    @event_priority(100)  # before plugins that rewrite HTML: a minifier drops the slots' comments
    def on_post_page(self, html: str, *, page: Page, **_: object) -> str:
        if self.run is None:  # verdicts go in after search indexed the page: it finds the guide
            return html
        src, report = page.file.src_uri, self.config.report_page
        urls = render.page_urls(self.urls, src, report, lambda url: get_relative_url(url, page.url))
        return render.finish_page(
            html, self.slots.pop(src, {}), self.run, src, urls, lang=self.lang, report=report,
            target=self.target_name, base=self.config.target_url,
        )  # fmt: skip

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: object) -> None:
        for path in outputs.watched(self.run) if self.run else []:  # not the whole target
            server.watch(str(path))

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.run is None:
            return
        extra = {fmt: str(self.root / path) for fmt, path in self.config.reports.items()}
        docs = os.path.relpath(config.docs_dir, self.root)  # the checks are loaded by now:
        context = outputs.context_for(self.lang, self.target_name, docs)  # their rules
        try:
            outputs.publish(self.run, Path(config.site_dir), context, extra, log)
        except ValueError as error:
            raise PluginError(f"checklists: the 'reports' option: {error}") from error
        if self.run.failures and self.command != "serve":
            raise PluginError(outputs.failure_message(self.run))


class CatalogConfig(Config):
    folder = c.Type(str, default="checks")  # site folder: an index and one page per area
    checks = c.ListOfItems(c.Type(str), default=["checks"])  # packages that register checks
    samples = c.Type(str, default="tests/fixtures/checks")  # sample targets, rel. to mkdocs.yml


class CatalogPlugin(BasePlugin[CatalogConfig]):
    """The check catalog, from the check library: it stays when the checks are turned off."""

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        try:
            specs = catalog.load(list(self.config.checks))
        except SetupError as error:
            raise PluginError(f"checklists-catalog: {error}") from error
        samples = Path(config.config_file_path or ".").resolve().parent / self.config.samples
        self.pages = catalog.pages(specs, config.theme.get("language"), self.config.folder, samples)
        self.convert = catalog.converter(config.markdown_extensions, config.mdx_configs)
        for name, generated in self.pages.items():
            files.append(File.generated(config, name, content=generated.markdown))
        return files

    @event_priority(100)  # as the checks' on_post_page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        try:  # the samples go in after the search plugin indexed the page
            return catalog.fill(self.pages, page.file.src_uri, output, self.convert)
        except ValueError as error:
            raise PluginError(f"checklists-catalog: {page.file.src_uri}: {error}") from error
