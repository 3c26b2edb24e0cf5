"""A hostile target in a real browser: its content is shown as text, never run.

The real site is built from a copy of the example target salted with script payloads where
a stranger's pull request could put them: a Dockerfile comment and ENV value (excerpts), a
workflow's file name, `name:` and a step name (locations, links, notes), an nginx config's
file name, with quotes that try to leave an HTML attribute. It is built twice: with an
https `target_url` (evidence locations become links built from those file names) and with
a `javascript:` `target_url` (no link at all, and a warning). The guide, the compliance
page and the catalog are opened in Chromium, every evidence opened and hovered; no payload
may run (`window.__pwned` stays undefined), no dialog may open, and no link may lead to a
script.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page

from tests.browser.support import Opener, Served, serve
from tests.test_site import copy_site

GOOD_BASE = "https://github.com/example/target/blob/main/"
SCRIPT_BASE = "javascript:window.__pwned=99;alert(99)//"
WORKFLOW = 'ci" onmouseover="window.__pwned=4" x=\'<img src=x onerror=window.__pwned=5>.yml'
NGINX = "<svg onload=window.__pwned=7>'\".conf"
PAYLOADS = {
    "comment": '# </script><script>window.__pwned=1</script><img src=x onerror="alert(2)">',
    "env": "ENV APP_TITLE='\"><img src=x onerror=window.__pwned=3>'",
    "workflow": 'name: "</script><img src=x onerror=window.__pwned=6>\'"',
    "step": '- name: "🏗️ </script><img src=x onerror=window.__pwned=8> \\"x\\" \'y\'"',
}
PAGES = ["/", "/compliance/", "/checks/", "/checks/ci/", "/checks/deploy/"]

# Everything in the page that could run script or navigate to it.
DANGER_JS = """
() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      const url = ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name);
      if (url && /^(javascript|data|vbscript):/.test(value)) found.push(`${el.tagName} ${value}`);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (s.textContent.includes('__pwned')) found.push('script with a payload');
  }
  return found;
}
"""


def salt(root: Path, base: str) -> None:
    """The example target with the payloads, and the site pointed at `base`."""
    target = root / "examples" / "autoforgenexus"
    dockerfile = target / "backend" / "Dockerfile"
    text = dockerfile.read_text("utf-8")
    line = "RUN groupadd -g 1000 appuser && \\\n"
    assert line in text
    text = text.replace(line, f"{PAYLOADS['env']}\n{line}    {PAYLOADS['comment']}\n")
    dockerfile.write_text(text, "utf-8")
    workflows = target / ".github" / "workflows"
    workflow = (workflows / "backend-ci.yml").read_text("utf-8")
    assert workflow.startswith("name: Backend CI\n")
    (workflows / "backend-ci.yml").unlink()
    step = "- name: 🏗️ Build Docker image"
    assert step in workflow
    workflow = workflow.replace("name: Backend CI", PAYLOADS["workflow"])
    (workflows / WORKFLOW).write_text(workflow.replace(step, PAYLOADS["step"]), "utf-8")
    (target / "nginx").mkdir()
    (target / "nginx" / NGINX).write_text(
        "server { listen 80; server_name api.example.com;\n"
        "    location / { proxy_pass http://127.0.0.1:8000; } }\n",
        "utf-8",
    )
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    anchor = "      target: examples/autoforgenexus\n"
    assert anchor in text
    config.write_text(text.replace(anchor, f"{anchor}      target_url: '{base}'\n"), "utf-8")


def build(root: Path, site: Path, *, strict: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(site), *(["--strict"] * strict)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=dict(os.environ),
    )


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Built with an https target_url: every evidence location is a link."""
    tmp = tmp_path_factory.mktemp("hostile-linked")
    root = copy_site(tmp)
    salt(root, GOOD_BASE)
    done = build(root, tmp / "site", strict=True)
    assert done.returncode == 0, done.stderr
    with serve(tmp / "site") as served:
        yield served


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served | str]:
    """Built with a `javascript:` target_url: refused by the configuration (the error is
    yielded), or built with a warning and no links (the site is served)."""
    tmp = tmp_path_factory.mktemp("hostile-scripted")
    root = copy_site(tmp)
    salt(root, SCRIPT_BASE)
    done = build(root, tmp / "site", strict=False)
    assert "target_url" in done.stderr, done.stderr  # a clear word about it, either way
    if done.returncode != 0:
        assert not (tmp / "site" / "compliance" / "index.html").exists()
        yield done.stderr
        return
    assert "is not an absolute http(s) URL" in done.stderr
    with serve(tmp / "site") as served:
        yield served


def provoke(page: Page) -> None:
    """Open every evidence, hover and click every location and link-like element."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    for where in page.locator("code.cl-where").all()[:40]:
        where.hover()
        where.click(modifiers=["Alt"])  # never follow a link off the local server
    page.wait_for_load_state("load")


def watch_dialogs(page: Page) -> list[str]:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.evaluate(DANGER_JS) == []
    assert page.locator("article img[src='x'], article svg[onload]").count() == 0


@pytest.mark.parametrize("path", PAGES)
def test_payloads_in_the_target_never_run_with_links(
    open_page: Opener, linked: Served, path: str
) -> None:
    visit = open_page(linked, path)
    page = visit.page
    dialogs = watch_dialogs(page)
    provoke(page)
    assert_nothing_ran(page, dialogs)
    links = page.eval_on_selector_all("a.cl-where-link", "(els) => els.map((a) => a.href)")
    assert all(link.startswith(GOOD_BASE) for link in links), links
    if path == "/compliance/":
        assert links, "the compliance page links evidence locations into the repository"
        text = page.locator("article").inner_text()
        assert ".github/workflows/" + WORKFLOW in text  # the file name, shown as text
        shown = [n for n in range(1, 9) if f"__pwned={n}" in text]
        assert shown == [1, 3, 4, 5, 7, 8], shown  # 6, the workflow's name, is in no evidence
        assert any("onmouseover" in link and '"' not in link for link in links)
    visit.assert_clean()


@pytest.mark.parametrize("path", PAGES)
def test_a_javascript_target_url_gives_no_link_and_runs_nothing(
    open_page: Opener, scripted: Served | str, path: str
) -> None:
    if isinstance(scripted, str):  # refused before anything was built: nothing to open
        assert "target_url" in scripted
        return
    visit = open_page(scripted, path)
    page = visit.page
    dialogs = watch_dialogs(page)
    provoke(page)
    assert_nothing_ran(page, dialogs)
    assert page.locator("a.cl-where-link").count() == 0
    visit.assert_clean()
