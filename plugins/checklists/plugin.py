"""MkDocs wiring. on_files collects the items of ALL pages and evaluates each distinct check
once (under `serve`, only those whose inputs changed); on_page_markdown swaps bindings for
slots, on_page_content fills them; on_post_build writes the reports, then fails the build if
a claim broke. All real work is in modules that never import mkdocs."""

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
from checklists.i18n import TEXT, language
from checklists.registry import load_packages

log = get_plugin_logger("checklists")
ASSET = "assets/checklists/checklists.css"
SCRIPT = "assets/checklists/checklists.js"
HERE = Path(__file__).parent / "assets"


class ChecklistsConfig(Config):
    enabled = c.Type(bool, default=True)
    """Evaluate and render the checks (env: CHECKLISTS_ENABLED=false turns them off)."""
    target = c.Type(str, default="examples/autoforgenexus")
    """The repository the checks inspect, relative to mkdocs.yml (env: CHECKLISTS_TARGET)."""
    checks = c.ListOfItems(c.Type(str), default=["checks"])
    """Python packages whose modules register checks."""
    defaults = c.Type(dict, default={})
    """Parameter values for every check that declares them, unless a binding sets its own."""
    environments = c.Type(dict, default={})
    """Environment -> options (dockerfile, context, image); columns so named hold limits."""
    value_columns = c.ListOfItems(c.Type(str), default=["値", "Value"])
    """Table columns that receive a row's observed value."""
    status_columns = c.ListOfItems(c.Type(str), default=["ステータス", "Status"])
    """Table columns that receive a row's verdict."""
    timeout = c.Type((int, float), default=30)
    """Seconds one check may run before it is reported as an error."""
    workers = c.Type(int, default=4)
    """How many checks run at the same time."""
    require_evidence = c.Type(bool, default=False)
    """Fail the build when a ticked claim has no evidence yet (unverified or stale)."""
    require_bindings = c.Type(bool, default=False)
    """Fail the build when a checklist item is not bound to a check."""
    report_page = c.Type(str, default="compliance.md")
    """Where the generated compliance page goes in the site."""
    reports = c.Type(dict, default={})
    """Extra copies of the reports: format (json, junit, sarif, badges) -> path."""
    catalog = c.Type(str, default="checks")
    """Site folder of the generated check catalog ("" for none)."""
    samples = c.Type(str, default="tests/fixtures/checks")
    """Sample targets shown in the catalog, relative to mkdocs.yml."""
    target_url = c.Type(str, default="")
    """URL of the target's root in its repository; evidence locations link there."""


class ChecklistsPlugin(BasePlugin[ChecklistsConfig]):
    command = "build"
    run: Run | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = root = Path(config.config_file_path or ".").resolve().parent
        self.lang = language(config.theme.get("language"))
        cache = SERVE_CACHE if self.command == "serve" else None  # keep unchanged results
        self.settings = settings_from_options(dict(self.config), root, outputs.today(), cache)
        self.target_name = os.path.relpath(self.settings.target, root)
        docs_dir = os.path.relpath(config.docs_dir, root)
        self.context = outputs.context_for(self.lang, self.target_name, docs_dir)
        self.enabled, self.slots = enabled(self.config.enabled), dict[str, render.Slots]()
        self.collected = dict[str, str]()  # page -> the Markdown its items were collected from
        if self.enabled:
            config.extra_css.append(ASSET)
            config.extra_javascript.append(SCRIPT)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        # The nav names the report page either way; without checks it says why it is empty.
        body = render.slot("compliance") if self.enabled else TEXT[self.lang]["disabled"]
        generated = {
            self.config.report_page: f"# {TEXT[self.lang]['compliance_title']}\n\n{body}\n"
        }
        try:
            if self.enabled:
                pages = {f.src_uri: f.content_string for f in files.documentation_pages()}
                self.run = evaluate(collect(pages, self.settings.columns), self.settings, log)
                self.collected = pages  # a page still this text needs no second scan
                generated |= {n: (HERE / Path(n).name).read_text("utf-8") for n in (ASSET, SCRIPT)}
            if self.config.catalog and self.enabled:
                specs = load_packages(list(self.settings.packages))
                samples = self.root / self.config.samples
                generated |= catalog.pages(specs, self.lang, self.config.catalog, samples)
            elif self.config.catalog:  # off: no check library loaded, the nav still resolves
                generated |= catalog.stub_pages(config.nav, self.config.catalog, self.lang)
        except SetupError as error:
            raise PluginError(f"checklists: {error}") from error
        for name, content in generated.items():
            files.append(File.generated(config, name, content=content))
        self.urls = {f.src_uri: f.url for f in files.documentation_pages()}
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

    def on_page_content(self, html: str, *, page: Page, **_: object) -> str:
        if self.run is None:
            return html
        # Only the report page links to every page; the others need its URL and the badge's.
        report = self.config.report_page
        wanted = self.urls if page.file.src_uri == report else {report: self.urls.get(report)}
        urls = {src: get_relative_url(url, page.url) for src, url in wanted.items() if url}
        urls["badges/compliance.svg"] = get_relative_url("badges/compliance.svg", page.url)
        return render.finish_page(
            html, self.slots.pop(page.file.src_uri, {}), self.run, page.file.src_uri, urls,
            lang=self.lang, report=self.config.report_page, target=self.target_name,
            base=self.config.target_url,
        )  # fmt: skip

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: object) -> None:
        if self.run is not None:  # the target files the checks read, not the whole target
            for path in outputs.watched(self.run):
                server.watch(str(path))

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.run is None:
            return
        extra = {fmt: str(self.root / path) for fmt, path in self.config.reports.items()}
        try:
            outputs.publish(self.run, Path(config.site_dir), self.context, extra, log)
        except ValueError as error:
            raise PluginError(f"checklists: the 'reports' option: {error}") from error
        if self.run.failures and self.command != "serve":
            raise PluginError(outputs.failure_message(self.run))
