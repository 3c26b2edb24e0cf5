"""Links built from `target_url` and target file names: http(s) only, always escaped.

`target_url` (the URL of the target's root) turns every evidence location into a link. A
`javascript:` or `data:` value would make every location a script run on click; a file name
from the target could try to leave the `href` attribute. The browser test
(`tests/browser/test_hostile_target_in_browser.py`) shows the same in Chromium.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from checklists.site import render

HOSTILE_NAME = 'x" onmouseover="alert(1)" y=\'<img src=x onerror=alert(2)>.yml:3'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, tuple(name for name, _ in attrs)))


def tags(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The elements a browser would build from `text`, with their attribute names."""
    parser = _Tags()
    parser.feed(text)
    return parser.found


def where(text: str) -> str:
    return f'<p><code class="cl-where">{render.esc(text)}</code></p>'


@pytest.mark.parametrize(
    "base",
    [
        "javascript:alert(1)//",
        "JavaScript:alert(1)//",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "github.com/o/r/blob/main/",
        "https:",
        'https://example.com/"onmouseover="alert(1)',
        "https://example.com/<script>",
        "file:///etc/",
    ],
)
def test_a_base_that_is_not_http_gives_no_link_and_a_warning(base: str) -> None:
    text = where("backend/Dockerfile:12")
    assert render.link_locations(text, base) == text
    warning = render.unsafe_base_warning(base)
    assert warning is not None and "target_url" in warning and "http(s)" in warning


def test_an_https_base_links_and_a_hostile_file_name_stays_inside_the_href() -> None:
    base = "https://github.com/o/r/blob/main/"
    assert render.unsafe_base_warning(base) is None
    assert render.unsafe_base_warning("") is None  # unset: no links, nothing to say
    out = render.link_locations(where(HOSTILE_NAME), base)
    (href,) = re.findall(r'href="([^"]*)"', out)
    assert html.unescape(href).startswith(base)
    assert not re.search(r"[\"'<> ]", html.unescape(href))  # percent-encoded, one attribute
    assert href.endswith("#L3")
    assert tags(out) == [
        ("p", ()),
        ("a", ("class", "href")),
        ("code", ("class",)),
    ]  # the payload is text of the code element: no attribute, no element of its own


def test_a_location_outside_the_target_root_is_not_linked() -> None:
    base = "https://github.com/o/r/blob/main/"
    for path in ("../../other-repo/x:1", "/etc/passwd:1", "a/../../b:2"):
        assert "<a " not in render.link_locations(where(path), base)
    assert "<a " in render.link_locations(where("a/b.conf:2"), base)
