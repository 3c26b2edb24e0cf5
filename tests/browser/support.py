"""Helpers of the browser tests: serving a built site on localhost and watching a page.

The fixtures that use them live in `conftest.py`; the tests in `test_guide_in_browser.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Protocol

from playwright.sync_api import (
    ConsoleMessage,
    FloatRect,
    Page,
    Request,
    Response,
    ViewportSize,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Debian's Chromium (`apt-get install chromium`); Playwright's own browser download is not used.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
Scheme = Literal["light", "dark"]


@dataclass(frozen=True, slots=True)
class Served:
    """A built site and the local origin it is served from (no trailing slash)."""

    site: Path
    origin: str


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output free of one access-log line per request."""


@contextmanager
def serve(site: Path) -> Iterator[Served]:
    """Serve `site` on 127.0.0.1 at a free port, in a thread, until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Served(site, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Visit:
    """A page of a served site and what it did: console errors, requests, failed responses."""

    page: Page
    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.context.on("request", self._request)
        self.page.context.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text} ({message.location})")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def foreign_requests(self) -> list[str]:
        local = self.origin + "/"
        return [url for url in self.requests if not url.startswith((local, "data:", "blob:"))]

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no failed load, nothing left localhost.

        Waits for the network to go quiet first, so the search worker's late requests (its
        index, the Japanese segmenter) are in the list too.
        """
        self.page.wait_for_load_state("networkidle")
        assert self.requests, "the page made no request at all: the watcher is not attached"
        assert not self.foreign_requests(), self.foreign_requests()
        assert not self.errors, self.errors

    def screenshot(self, name: str, *, clip: FloatRect | None = None) -> Path:
        """Keep a screenshot of the viewport (or `clip` of it) as a test artifact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.screenshot(path=path, clip=clip, animations="disabled")
        return path


def build_site(root: Path, site: Path) -> Path:
    """`mkdocs build --strict` of the site at `root` into `site`, which must succeed."""
    from tests.test_site import build

    result = build(root, site)
    assert result.returncode == 0, result.stderr
    return site


class Opener(Protocol):
    """The `open_page` fixture: a fresh browser context (no stored palette) on one page."""

    def __call__(
        self,
        served: Served,
        path: str = "/",
        *,
        scheme: Scheme = "light",
        viewport: ViewportSize = LAPTOP,
    ) -> Visit: ...
