"""The report format table (`checklists.reports.FORMATS`): a new format is one module with a
`render(run, context)` function and one `register` call; the site's build, the extra paths
of the `reports` option, the option's validation and `checklists check --format` then all
write or accept it, through the same path as the built-in formats."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checklists import reports
from checklists.cli import commands
from checklists.core import options
from checklists.core.engine import Run, Settings, collect, evaluate
from checklists.core.registry import Registry
from checklists.core.verdict import Policy

# A format module as a contributor would add it under `checklists/reports/`: here written
# into a temporary folder, so the test adds nothing to the package.
TEXT_MODULE = """
from checklists.core.engine import Run
from checklists.reports import Context


def render(run: Run, context: Context) -> str:
    lines = [f"{r.item.location} {r.verdict.value}" for r in run.bound]
    return f"{context.target_name}\\n" + "\\n".join(lines) + "\\n"
"""
SEVERAL_MODULE = """
def render(run, context):
    return {"a.txt": "a\\n", "b.txt": f"{len(run.bound)}\\n"}
"""


@pytest.fixture
def new_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two formats registered as a new module would register them; the table and the
    option's names are restored afterwards."""
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "cl_text_format.py").write_text(TEXT_MODULE, "utf-8")
    (folder / "cl_several_format.py").write_text(SEVERAL_MODULE, "utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(reports, "FORMATS", dict(reports.FORMATS))
    monkeypatch.setattr(options, "REPORT_FORMATS", list(options.REPORT_FORMATS))
    reports.register(reports.Format("text", "compliance.txt", "cl_text_format"))
    reports.register(reports.Format("pair", "pair", "cl_several_format", several=True))
    yield
    for name in ("cl_text_format", "cl_several_format"):
        sys.modules.pop(name, None)


def a_run(registry: Registry, tmp_path: Path) -> Run:
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    pages = {
        "p.md": "- [x] one <!-- check: fake.passes -->\n- [x] two <!-- check: fake.fails -->\n"
    }
    return evaluate(collect(pages), settings, logging.getLogger("t"), registry)


@pytest.mark.usefixtures("new_formats")
def test_a_registered_format_is_written_by_the_sites_path(
    registry: Registry, tmp_path: Path
) -> None:
    run = a_run(registry, tmp_path)
    context = reports.context_for("en", "target", "docs")
    extra = {"text": str(tmp_path / "out" / "t.txt"), "pair": str(tmp_path / "pairs")}
    written = reports.publish(run, tmp_path / "site", context, extra, logging.getLogger("t"))
    text = (tmp_path / "site" / "compliance.txt").read_text("utf-8")
    assert text.splitlines() == ["target", "p.md:1 verified", "p.md:2 broken"]
    assert (tmp_path / "out" / "t.txt").read_text("utf-8") == text
    assert (tmp_path / "site" / "pair" / "b.txt").read_text("utf-8") == "2\n"
    assert (tmp_path / "pairs" / "a.txt").read_text("utf-8") == "a\n"
    assert (tmp_path / "site" / "compliance.json").is_file()  # the built-in ones still
    assert tmp_path / "site" / "compliance.txt" in written


@pytest.mark.usefixtures("new_formats")
def test_a_registered_format_is_an_option_and_a_command_line_format(
    registry: Registry, tmp_path: Path
) -> None:
    valid = options.validate({"reports": {"text": "out/t.txt"}})
    assert valid["reports"] == {"text": "out/t.txt"}
    with pytest.raises(options.OptionsError, match="did you mean `text`"):
        options.validate({"reports": {"txet": "out/t.txt"}})
    run = a_run(registry, tmp_path)
    context = reports.context_for("en", "target", "docs")
    commands._check_destinations(["text", "pair"], str(tmp_path / "cli"))
    commands._emit(run, "text", context, str(tmp_path / "one.txt"), several=False)
    commands._emit(run, "pair", context, str(tmp_path / "cli"), several=False)
    assert (tmp_path / "one.txt").read_text("utf-8").startswith("target\n")
    assert (tmp_path / "cli" / "pair" / "b.txt").read_text("utf-8") == "2\n"  # its folder
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["check", "--format", "text"]).format == ["text"]


def test_the_option_takes_exactly_the_tables_formats_in_its_order() -> None:
    assert list(reports.FORMATS) == options.REPORT_FORMATS
    assert [f.file_name for f in reports.FORMATS.values()] == [
        "compliance.json",
        "compliance.junit.xml",
        "compliance.sarif",
        "badges",
    ]


def test_an_unknown_format_is_refused_with_the_tables_names(
    registry: Registry, tmp_path: Path
) -> None:
    run = a_run(registry, tmp_path)
    context = reports.context_for("en", "target", "docs")
    with pytest.raises(ValueError, match="choose from json, junit, sarif, badges"):
        reports.render(run, "pdf", context)
