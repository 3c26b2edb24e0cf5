"""The Markdown extension (`checklists.extension`) and `checklists check --pages`: the same
verdicts, evidence, table cells and compliance page as the MkDocs plugin, from one renderer,
for generators that run Markdown extensions but no MkDocs plugins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from mkdocs.utils import get_relative_url

from checklists.core.project import GENERATED, is_generated, read_pages
from checklists.site.extension import ChecklistsExtension
from checklists.site.pages import (
    STAMP,
    page_url,
    read_stamp,
    relative_url,
    site_links,
    source_url,
)
from tests import stacks
from tests.test_site import copy_site

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1"}


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, **EPOCH, **env},
    )


def extension_only(root: Path) -> Path:
    """The site's configuration for MkDocs without the checklists plugins: the extension
    renders the verdicts, the generated pages come from `checklists check --pages`."""
    text = (root / "mkdocs.yml").read_text("utf-8")
    text = text[: text.index("\nplugins:")] + "\nplugins:\n  - search:\n      lang: ja\n"
    text = text.replace(TASKLIST, f"{TASKLIST}  - checklists.extension\n")
    text += "extra_css:\n  - assets/checklists/checklists.css\n"
    text += "extra_javascript:\n  - assets/checklists/checklists.js\n"
    path = root / "mkdocs-extension.yml"
    path.write_text(text, "utf-8")
    return path


TASKLIST = "  - pymdownx.tasklist:\n      custom_checkbox: true\n"


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The example site built by the plugin, and by MkDocs with the extension only after
    `checklists check --pages` (its root, the plugin's site, the extension's site)."""
    root = copy_site(tmp_path_factory.mktemp("extension"))
    checked = run("-m", "checklists", "check", "--quiet", "--pages", cwd=root)
    assert checked.returncode == 0, checked.stderr[-2000:]
    plugin = root / "plugin-site"
    built = run("-m", "mkdocs", "build", "--strict", "-d", str(plugin), cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    config = extension_only(root)
    extension = root / "extension-site"
    built = run("-m", "mkdocs", "build", "-f", str(config), "-d", str(extension), cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    return root, plugin, extension


def test_the_extension_shows_what_the_plugin_shows(three: tuple[Path, Path, Path]) -> None:
    _, plugin, extension = three
    ours, theirs = plugin / "index.html", extension / "index.html"
    assert len(stacks.verdicts(ours)) >= 45
    assert stacks.verdicts(theirs) == stacks.verdicts(ours)
    assert stacks.verdict_html(theirs) == stacks.verdict_html(ours)  # evidence, fix links
    assert stacks.cells(ours) and stacks.cells(theirs) == stacks.cells(ours)  # table cells
    assert stacks.summary(theirs) == stacks.summary(ours)
    page = theirs.read_text("utf-8")
    assert stacks.NOTICE not in page and stacks.MARKER not in page and "cl-slot" not in page
    assert "cl-refused" not in page


def test_the_generated_pages_match_the_plugins(three: tuple[Path, Path, Path]) -> None:
    root, plugin, extension = three
    assert stacks.compliance_table(extension) == stacks.compliance_table(plugin)
    for name in stacks.REPORTS:  # copied from docs/ by the generator, byte for byte
        assert (extension / name).read_bytes() == (plugin / name).read_bytes(), name
    assert (extension / "checks" / "dockerfile" / "index.html").is_file()
    assert (extension / "assets" / "checklists" / "checklists.css").is_file()
    # The plugin's own pages replaced the copies in docs/ (no duplicate-file warning).
    assert (root / "docs" / "compliance.md").read_text("utf-8").count(GENERATED) == 1


def test_pages_written_for_generators_are_never_read_as_the_guide(
    three: tuple[Path, Path, Path],
) -> None:
    root, _, _ = three
    docs = root / "docs"
    assert is_generated((docs / "compliance.md").read_text("utf-8"))
    assert is_generated((docs / "checks" / "dockerfile.md").read_text("utf-8"))
    assert not is_generated((docs / "index.md").read_text("utf-8"))
    assert is_generated((docs / "compliance.md").read_bytes())  # as the plugin reads files
    assert not is_generated(b"# \xe9t\xe9\n" + GENERATED.encode())  # not UTF-8, not ours
    assert list(read_pages(docs, "docs")) == ["index.md"]
    stamp = read_stamp(docs)
    assert stamp is not None and "compliance.md" in stamp["files"]
    # Links in the compliance page are relative to its source, as an author writes them.
    text = (docs / "compliance.md").read_text("utf-8")
    assert 'href="index.md#check-' in text and 'href="checks/dockerfile.md#' in text


def test_the_extension_refuses_without_fresh_pages(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    config = extension_only(root)
    site = root / "site"
    built = run("-m", "mkdocs", "build", "-f", str(config), "-d", str(site), cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    page = (site / "index.html").read_text("utf-8")
    assert 'data-checklists="refused-missing"' in page and "判定を表示できません" in page
    assert stacks.NOTICE in page and "cl-badge" not in page  # never looks verified
    assert "checklists check --pages" in built.stderr
    checked = run("-m", "checklists", "check", "--quiet", "--pages", cwd=root)
    assert checked.returncode == 0, checked.stderr[-2000:]
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    built = run("-m", "mkdocs", "build", "-f", str(config), "-d", str(site), cwd=root)
    page = (site / "index.html").read_text("utf-8")
    assert 'data-checklists="refused-stale"' in page and "cl-badge" not in page
    checked = run("-m", "checklists", "check", "--quiet", "--pages", cwd=root)
    assert checked.returncode == 1  # the broken claim fails the job, located
    assert "dockerfile.non_root_user" in checked.stderr or "非root" in checked.stderr
    built = run("-m", "mkdocs", "build", "-f", str(config), "-d", str(site), cwd=root)
    assert "cl-refused" not in (site / "index.html").read_text("utf-8")
    rule = stacks.non_root_rule_line(root)
    assert ("broken", f"check-{rule}") in stacks.verdicts(site / "index.html")


def test_the_plugin_takes_the_extension_out_of_its_build(tmp_path: Path) -> None:
    """Both listed: the plugin renders; the extension (which would refuse here, as no
    `checklists check --pages` ran) never runs."""
    root = copy_site(tmp_path)
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8").replace(
        TASKLIST,
        f"{TASKLIST}  - checklists.extension\nextra_css:\n  - assets/checklists/checklists.css\n",
    )
    config.write_text(text, "utf-8")
    built = run("-m", "mkdocs", "build", "--strict", "-d", str(root / "site"), cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    page = (root / "site" / "index.html").read_text("utf-8")
    assert "cl-refused" not in page and "cl-badge" in page
    assert page.count("assets/checklists/checklists.css") == 1  # listed once


@pytest.mark.parametrize(
    ("url", "other"),
    [
        ("./", "compliance/"),
        ("checks/dockerfile/", "compliance/"),
        ("compliance/", "./"),
        ("badges/compliance.svg", "a/b/"),
        ("a/", "a/b.html"),
        ("index.html", "x/y.html"),
    ],
)
def test_urls_are_made_relative_as_mkdocs_makes_them(url: str, other: str) -> None:
    assert relative_url(url, other) == get_relative_url(url, other)


def test_page_urls_and_source_links() -> None:
    assert page_url("index.md", True) == "./"
    assert page_url("checks/dockerfile.md", True) == "checks/dockerfile/"
    assert page_url("checks/index.md", False) == "checks/index.html"
    assert page_url("a b.md", False) == "a%20b.html"
    assert source_url("index.md#check-1", "checks/dockerfile.md") == "../index.md#check-1"
    assert source_url("#x", "a.md") == "#x"
    html = (
        '<a href="index.md#check-1">a</a><img src="badges/compliance.svg">'
        '<a href="checks/dockerfile.md#x-fix">b</a><a href="#top">c</a>'
        '<a href="https://example.com/x">d</a><a href="/abs">e</a>'
    )
    assert site_links(html, "compliance.md", True) == (
        '<a href="../#check-1">a</a><img src="../badges/compliance.svg">'
        '<a href="../checks/dockerfile/#x-fix">b</a><a href="#top">c</a>'
        '<a href="https://example.com/x">d</a><a href="/abs">e</a>'
    )


def test_pages_needs_a_site(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    (repository / "Dockerfile").write_text("FROM scratch\n", "utf-8")
    done = run("-m", "checklists", "check", str(repository), "--pages", str(tmp_path / "out"),
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and "--pages writes a site's pages" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / STAMP).exists()


def test_a_broken_configuration_is_said_on_the_page_not_raised(tmp_path: Path) -> None:
    """An exception from an extension would reach the generator (Zensical prints it as a
    traceback and exits 0): the extension says what is wrong, with its line, instead."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("- [x] a <!-- check: nope.nope -->\n", "utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - checklists:\n      tiemout: 3\n", "utf-8")
    html = markdown.markdown(
        "- [x] a <!-- check: nope.nope -->\n",
        extensions=[ChecklistsExtension(config_file=str(config))],
    )
    assert 'data-checklists="refused-error"' in html
    assert "mkdocs.yml:4: unknown option `tiemout`; did you mean `timeout`?" in html
