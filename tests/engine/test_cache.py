"""The serve cache: an unchanged target re-evaluates nothing; a change re-runs its readers."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from checklists.core.cache import ResultCache
from checklists.core.engine import Run, Settings, collect, evaluate, settings_from_options
from checklists.core.errors import InputError
from checklists.core.registry import REGISTRY, Registry
from checklists.core.siteconfig import plugin_options
from checklists.core.target import Target
from checklists.core.verdict import Policy
from tests.engine.conftest import CALLS

PAGE = (
    "- [x] reads <!-- check: fake.reads -->\n"
    "- [x] other file <!-- check: fake.reads {path: other.txt} -->\n"
    "- [x] pure <!-- check: fake.passes -->\n"
    "- [x] crashes <!-- check: fake.raises -->\n"
)
ROOT = Path(__file__).resolve().parents[2]


def run(root: Path, registry: Registry, cache: ResultCache) -> Run:
    settings = Settings(target=root, policy=Policy(today=dt.date(2026, 11, 28)), cache=cache)
    return evaluate(collect({"p.md": PAGE}), settings, logging.getLogger("t"), registry)


def test_nothing_changed_means_nothing_runs_but_errors(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("one\n", "utf-8")
    (tmp_path / "other.txt").write_text("two\n", "utf-8")
    cache = ResultCache()
    first = run(tmp_path, registry, cache)
    assert (first.evaluations, first.reused) == (4, 0)
    second = run(tmp_path, registry, cache)
    assert (second.evaluations, second.reused) == (1, 3)  # only the crash runs again
    assert [r.verdict for r in second.results] == [r.verdict for r in first.results]
    assert CALLS["passes"] == 1


def test_a_changed_file_re_runs_exactly_the_checks_that_read_it(
    registry: Registry, tmp_path: Path
) -> None:
    (tmp_path / "file.txt").write_text("one\n", "utf-8")
    (tmp_path / "other.txt").write_text("two\n", "utf-8")
    cache = ResultCache()
    run(tmp_path, registry, cache)
    (tmp_path / "file.txt").write_text("changed\n", "utf-8")
    again = run(tmp_path, registry, cache)
    assert (again.evaluations, again.reused) == (2, 2)  # fake.reads on file.txt, and the crash
    (reads,) = [r for r in again.results if r.item.text == "reads"]
    assert reads.outcome is not None and reads.outcome.evidence[0].note == "changed"


def test_a_file_that_appears_re_runs_the_check_that_missed_it(
    registry: Registry, tmp_path: Path
) -> None:
    (tmp_path / "file.txt").write_text("one\n", "utf-8")
    cache = ResultCache()
    first = run(tmp_path, registry, cache)
    assert [r.verdict.value for r in first.results][1] == "error"  # other.txt is missing
    (tmp_path / "other.txt").write_text("now here\n", "utf-8")
    second = run(tmp_path, registry, cache)
    assert [r.verdict.value for r in second.results][1] == "verified"


def test_the_real_site_re_runs_only_what_reads_the_edited_dockerfile(tmp_path: Path) -> None:
    target = tmp_path / "target"
    shutil.copytree(ROOT / "examples" / "autoforgenexus", target)
    options = plugin_options(ROOT / "mkdocs.yml")
    options["target"] = str(target)
    cache = ResultCache()
    settings = settings_from_options(options, ROOT, dt.date(2026, 11, 28), cache)
    pages = {"index.md": (ROOT / "docs" / "index.md").read_text("utf-8")}
    items = collect(pages, settings.columns)
    first = evaluate(items, settings, logging.getLogger("t"), REGISTRY)
    unchanged = evaluate(items, settings, logging.getLogger("t"), REGISTRY)
    assert unchanged.evaluations == 0
    assert unchanged.reused == first.evaluations
    dev = target / "backend" / "Dockerfile.dev"
    dev.write_text(dev.read_text("utf-8") + "\n# an edit\n", "utf-8")
    edited = evaluate(items, settings, logging.getLogger("t"), REGISTRY)
    assert 0 < edited.evaluations < first.evaluations
    assert edited.evaluations + edited.reused == first.evaluations


def test_every_check_that_uses_a_parsed_file_depends_on_it(
    registry: Registry, tmp_path: Path
) -> None:
    """The parse is shared, but each check's cache entry must still name the file."""
    (tmp_path / "file.txt").write_text("one two\n", "utf-8")
    page = "".join(f"- [x] {n} <!-- check: fake.parses {{label: {n}}} -->\n" for n in "abcd")
    settings = Settings(
        target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)), cache=ResultCache()
    )
    first = evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)
    assert first.target.parses == 1 and first.evaluations == 4
    (tmp_path / "file.txt").write_text("one two three\n", "utf-8")
    again = evaluate(collect({"p.md": page}), settings, logging.getLogger("t"), registry)
    assert again.evaluations == 4
    assert all(r.outcome is not None and "3 words" in r.outcome.summary for r in again.results)


def test_serve_watches_each_place_once(tmp_path: Path) -> None:
    """`mkdocs serve` watches what the checks looked at, with no watch inside another: one
    edit then reaches the server through one watch, and rebuilds the site once."""
    from checklists.site.serve import watched

    for rel in ("svc/Dockerfile", "svc/app/main.py", "other/x.txt", "top.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    target = Target(tmp_path)
    list(target.files("svc"))  # a build context, walked
    target.read_bytes("svc/Dockerfile")  # read inside it
    target.read_bytes("other/x.txt")
    target.is_file("top.txt")
    target.exists("missing/deeper/file")  # its nearest folder that exists: the root
    target.exists(".")  # the root itself: watched as itself, never its parent
    with pytest.raises(InputError):
        target.exists("../outside")
    plan = watched(Run((), 0, target))
    root = target.root
    assert plan == [(root, False), (root / "other", False), (root / "svc", True)]
