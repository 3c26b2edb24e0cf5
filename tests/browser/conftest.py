"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and built sites.

Chromium comes from the system (`apt-get install chromium`), never from `playwright
install`. Without it the tests are skipped on a developer machine and fail in CI (`CI` set),
where `.ci/run` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, ViewportSize, sync_playwright

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    ROOT,
    Opener,
    Scheme,
    Served,
    Visit,
    build_site,
    serve,
)


def missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing(f"Chromium is not installed at {CHROMIUM}; run: apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
            )
        except Error as error:
            pytest.fail(f"{CHROMIUM} does not start: {error}")
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real site (real mkdocs.yml, guide and example target), built once and served."""
    site = build_site(ROOT, tmp_path_factory.mktemp("browser-site") / "site")
    with serve(site) as served:
        yield served


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Opener]:
    contexts: list[BrowserContext] = []

    def open_(
        served: Served,
        path: str = "/",
        *,
        scheme: Scheme = "light",
        viewport: ViewportSize = LAPTOP,
    ) -> Visit:
        context = browser.new_context(
            viewport=viewport, color_scheme=scheme, locale="ja-JP", service_workers="block"
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        visit = Visit(context.new_page(), served.origin)
        visit.watch()
        visit.page.goto(served.origin + path, wait_until="load")
        return visit

    yield open_
    for context in contexts:
        context.close()
