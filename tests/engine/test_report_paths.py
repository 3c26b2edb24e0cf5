"""Where reports may go: a regular file or a new path, atomically; anything else is a clear
error that names the path, and nothing is written."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import socket
import sys
from pathlib import Path

import pytest

from checklists import reports
from checklists.core import files
from checklists.core.engine import Settings, collect, evaluate
from checklists.core.files import ReportPathError, check_destination, write_atomic, write_files
from checklists.core.model import Evidence, Outcome
from checklists.core.registry import Registry
from checklists.core.target import Target
from checklists.core.verdict import Policy
from tests.engine.conftest import DOC


def test_a_new_file_and_an_existing_file_are_written_whole(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "folder" / "report.json"
    write_atomic(fresh, "{}\n")
    write_atomic(fresh, "[]\n")
    assert fresh.read_text("utf-8") == "[]\n"
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["report.json"]  # no temporaries
    assert oct(fresh.stat().st_mode & 0o777) == "0o644"


def test_a_site_s_files_are_written_whole_each_folder_made_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    outside = tmp_path / "outside.json"
    outside.write_text("keep\n", "utf-8")
    (site / "badges").mkdir(parents=True)
    (site / "badges" / "linked.json").symlink_to(outside)  # replaced, never written through
    texts = {"compliance.json": "{}\n", "badges/a.svg": "<svg/>", "badges/linked.json": "[]"}
    texts["deep/er/x.txt"] = "x \udcff"
    written = write_files(site, texts)
    assert written == [site / name for name in texts]
    assert [p.read_text("utf-8") for p in written] == ["{}\n", "<svg/>", "[]", "x \\udcff"]
    assert not (site / "badges" / "linked.json").is_symlink()
    assert outside.read_text("utf-8") == "keep\n"
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o644"}
    names = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert names == sorted(texts)  # no temporaries left


def test_a_site_s_files_refuse_a_folder_where_a_file_is_meant(tmp_path: Path) -> None:
    (tmp_path / "badges" / "a.svg").mkdir(parents=True)
    with pytest.raises(ReportPathError, match=r"a\.svg is a folder, not a file"):
        write_files(tmp_path, {"compliance.json": "{}", "badges/a.svg": "<svg/>"})
    (tmp_path / "plain").write_text("x", "utf-8")
    with pytest.raises(ReportPathError, match=r"plain is a file, not a folder"):
        write_files(tmp_path, {"plain/b.svg": "<svg/>"})


def test_a_temporary_left_by_an_earlier_process_of_this_pid_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_TEMPORARY", iter(range(10)))
    left = tmp_path / f".report.json.{os.getpid()}.0"
    left.write_text("someone else's", "utf-8")
    write_atomic(tmp_path / "report.json", "{}")
    assert (tmp_path / "report.json").read_text("utf-8") == "{}"
    assert left.read_text("utf-8") == "someone else's"


@pytest.mark.parametrize("path", ["/dev/full", "/dev/null", "/proc/self/comm", "/sys/x.json"])
def test_device_and_kernel_file_systems_are_refused(path: str) -> None:
    before = os.stat(path).st_mode if os.path.exists(path) else None  # noqa: PTH110, PTH116
    with pytest.raises(ReportPathError, match=f"^{path} is under /(dev|proc|sys), not a place"):
        write_atomic(Path(path), "x")
    if before is not None:
        assert os.stat(path).st_mode == before  # noqa: PTH116 - the node was not replaced


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to("/dev/full")
    with pytest.raises(ReportPathError, match="is under /dev"):
        write_atomic(link, "x")
    assert link.is_symlink()


def test_a_fifo_a_socket_and_a_folder_are_not_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ReportPathError, match=r"fifo is a named pipe \(FIFO\), not a file"):
        write_atomic(fifo, "x")  # it would block forever or feed whoever reads it
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(ReportPathError, match="sock is a socket, not a file"):
            write_atomic(tmp_path / "sock", "x")
    finally:
        server.close()
    with pytest.raises(ReportPathError, match="is a folder, not a file"):
        write_atomic(tmp_path, "x")
    with pytest.raises(ReportPathError, match="fifo is a named pipe \\(FIFO\\), not a folder"):
        check_destination(fifo, folder=True)


def test_a_path_below_a_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", "utf-8")
    with pytest.raises(ReportPathError, match=r"plain is a file, not a folder"):
        write_atomic(tmp_path / "plain" / "deeper" / "report.json", "x")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failing_write_is_a_clear_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(ReportPathError, match=f"cannot write .*report.json: {os.strerror(code)}"):
        write_atomic(tmp_path / "report.json", "x")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(os, "write", lambda fd, data: refuse(fd))  # a site's file: no fsync
    with pytest.raises(ReportPathError, match=f"cannot write .*a.svg: {os.strerror(code)}"):
        write_files(tmp_path, {"a.svg": "<svg/>", "b.svg": "<svg/>"})
    assert list(tmp_path.iterdir()) == []


def test_text_that_is_not_utf8_is_written_escaped(tmp_path: Path) -> None:
    write_atomic(tmp_path / "r.txt", "name \udcff\n")
    assert (tmp_path / "r.txt").read_text("utf-8") == "name \\udcff\n"


def test_an_outcome_naming_a_file_that_is_not_utf8_reaches_every_report(
    registry: Registry, tmp_path: Path
) -> None:
    """A file name with invalid UTF-8 comes from the disk as lone surrogates; the report
    writers and the site would fail on them: the engine escapes them once, for all."""
    target = tmp_path / "target"
    target.mkdir()
    (target / os.fsdecode(b"bad-\xff.txt")).write_bytes(b"x")

    def lists(target: Target) -> Outcome:
        (name,) = target.files()
        return Outcome.failed(f"found {name}", Evidence("a file", path=name, line=1))

    lists.__doc__ = DOC.format(title="lists")
    registry.check("fake.lists")(lists)
    settings = Settings(target=target, policy=Policy(today=dt.date(2026, 11, 28)))
    run = evaluate(
        collect({"p.md": "- [x] a <!-- check: fake.lists -->\n"}),
        settings,
        logging.getLogger("t"),
        registry,
    )
    (result,) = run.results
    assert result.outcome is not None and result.outcome.summary == "found bad-\\udcff.txt"
    context = reports.context_for("en", "target", "docs")
    written = reports.publish(run, tmp_path / "site", context, {}, logging.getLogger("t"))
    assert "bad-\\\\udcff.txt" in (tmp_path / "site" / "compliance.json").read_text("utf-8")
    assert len(written) > 3


def test_a_bad_extra_report_path_still_writes_the_others(
    registry: Registry, tmp_path: Path
) -> None:
    settings = Settings(target=tmp_path, policy=Policy(today=dt.date(2026, 11, 28)))
    run = evaluate(
        collect({"p.md": "- [x] a <!-- check: fake.unknown -->\n"}),
        settings,
        logging.getLogger("t"),
        registry,
    )
    context = reports.context_for("en", "target", "docs")
    extra = {"json": "/dev/full", "sarif": str(tmp_path / "out" / "x.sarif")}
    with pytest.raises(ReportPathError, match="the 'json' report: /dev/full is under /dev"):
        reports.publish(run, tmp_path / "site", context, extra, logging.getLogger("t"))
    assert (tmp_path / "out" / "x.sarif").is_file()
    assert (tmp_path / "site" / "compliance.json").is_file()


def test_the_reports_version_is_the_installed_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    from checklists.reports import DISTRIBUTION, _dist_info_version

    assert reports.package_version() == importlib.metadata.version(DISTRIBUTION)
    assert _dist_info_version(DISTRIBUTION) == importlib.metadata.version(DISTRIBUTION)
    # Names are matched as importlib.metadata matches them; the first on the path wins.
    for folder, version in (("a", "1.2.3"), ("b", "9.9")):
        info = tmp_path / folder / "Docker.Guide_Checklists-x.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Name: x\nVersion: {version}\n\nVersion: no\n", "utf-8")
    monkeypatch.setattr(
        sys, "path", [str(tmp_path / "nowhere"), str(tmp_path / "a"), str(tmp_path / "b")]
    )
    assert _dist_info_version(DISTRIBUTION) == "1.2.3"
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert _dist_info_version(DISTRIBUTION) is None
