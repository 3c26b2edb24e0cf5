"""The target object: confinement, symlinks, read and parse once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from checklists.errors import InputError
from checklists.target import Target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "file.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("path", ["../secret.txt", "sub/../../secret.txt", "/etc/passwd"])
def test_paths_outside_the_root_are_refused(repo: Path, path: str) -> None:
    with pytest.raises(InputError, match="inside the target"):
        Target(repo).read_bytes(path)


def test_a_symlink_leading_outside_is_refused(repo: Path) -> None:
    (repo / "link.txt").symlink_to(repo.parent / "secret.txt")
    target = Target(repo)
    with pytest.raises(InputError, match="symlink that leads outside") as raised:
        target.read_text("link.txt")
    assert raised.value.path == "link.txt"
    with pytest.raises(InputError, match="symlink"):
        target.exists("link.txt")


def test_a_symlinked_folder_leading_outside_is_refused(repo: Path) -> None:
    (repo / "escape").symlink_to(repo.parent)
    with pytest.raises(InputError, match="symlink"):
        Target(repo).read_text("escape/secret.txt")


def test_a_symlink_inside_the_root_is_followed(repo: Path) -> None:
    (repo / "alias.txt").symlink_to(repo / "sub" / "file.txt")
    assert Target(repo).read_text("alias.txt") == "hello\n"


def test_missing_file_is_a_located_error(repo: Path) -> None:
    with pytest.raises(InputError, match="not found") as raised:
        Target(repo).read_bytes("nope.txt")
    assert raised.value.path == "nope.txt"


def test_binary_file_names_its_line(repo: Path) -> None:
    (repo / "bin").write_bytes(b"ok\nstill ok\n\x00\x01")
    with pytest.raises(InputError, match="NUL byte") as raised:
        Target(repo).read_text("bin")
    assert (raised.value.path, raised.value.line) == ("bin", 3)


def test_each_file_is_read_and_parsed_once_even_in_parallel(repo: Path) -> None:
    target = Target(repo)
    calls: list[bytes] = []

    def parser(data: bytes) -> str:
        calls.append(data)
        return data.decode().upper()

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(target.parse("sub/file.txt", parser)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["HELLO\n"] * 8
    assert len(calls) == 1
    assert (target.reads, target.parses) == (1, 1)
    assert target.read_text("./sub/file.txt") == "hello\n"
    assert target.reads == 1


def test_a_parse_error_is_cached_and_gets_the_path(repo: Path) -> None:
    target = Target(repo)

    def parser(data: bytes) -> str:
        raise InputError("bad token", line=1)

    for _ in range(2):
        with pytest.raises(InputError) as raised:
            target.parse("sub/file.txt", parser)
        assert str(raised.value) == "sub/file.txt:1: bad token"
    assert target.parses == 1


def test_files_lists_regular_files_without_following_symlinks(repo: Path) -> None:
    (repo / "sub" / "b.txt").write_text("b", encoding="utf-8")
    (repo / "sub" / "link").symlink_to(repo / "sub" / "b.txt")
    assert list(Target(repo).files("sub")) == ["sub/b.txt", "sub/file.txt"]
    assert list(Target(repo).files()) == ["sub/b.txt", "sub/file.txt"]


def test_real_paths_agree_with_realpath_through_chains_of_links(repo: Path) -> None:
    # The resolver remembers parent folders; it must still see every link on the way.
    (repo / "sub" / "deeper").mkdir()
    (repo / "sub" / "deeper" / "f.txt").write_text("f", encoding="utf-8")
    (repo / "hop").symlink_to(repo / "sub")  # a folder link inside
    (repo / "sub" / "deeper" / "up").symlink_to(repo / "sub")  # a link back up
    (repo / "sub" / "out").symlink_to(repo.parent)  # a link out, below a plain folder
    target = Target(repo)
    for rel in ("hop/deeper/f.txt", "hop/deeper/up/deeper/f.txt", "sub/deeper/missing/x"):
        assert target.path(rel) == Path(os.path.realpath(repo / rel))
    assert target.read_text("hop/deeper/up/deeper/f.txt") == "f"
    for rel in ("sub/out/secret.txt", "hop/out/secret.txt", "hop/deeper/up/out"):
        with pytest.raises(InputError, match="symlink that leads outside"):
            target.path(rel)


def test_existence_and_listings_are_asked_of_the_disk_once_per_build(repo: Path) -> None:
    target = Target(repo)
    assert (target.exists("sub"), target.kind("sub")) == (True, "directory")
    assert (target.exists("sub/file.txt"), target.is_file("sub/file.txt")) == (True, True)
    assert (target.exists("nope"), target.is_file("nope")) == (False, False)
    assert list(target.files("sub")) == ["sub/file.txt"]
    (repo / "sub" / "late.txt").write_text("x", encoding="utf-8")  # the tree changes mid-build
    assert list(target.files("sub")) == ["sub/file.txt"]  # one build sees one tree
    assert target.is_file("sub/late.txt")  # never asked before, so seen
    assert list(Target(repo).files("sub")) == ["sub/file.txt", "sub/late.txt"]  # the next build


def test_a_remembered_error_is_raised_as_a_fresh_copy_each_time(repo: Path) -> None:
    target = Target(repo)
    raised = []
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            target.read_bytes("nope.txt")
        raised.append(caught.value)
    assert raised[0] is not raised[1]  # one instance raised again keeps growing its traceback
    assert str(raised[0]) == str(raised[1]) == "nope.txt: file not found in the target"


def test_a_link_through_a_missing_folder_cannot_reach_an_escaping_link(repo: Path) -> None:
    # `docker -> missing/..` names the root only as text; the kernel cannot follow it.
    # Resolving it as the root and then trusting `Dockerfile` would read the secret.
    (repo / "docker").symlink_to("missing/..")
    (repo / "Dockerfile").symlink_to(repo.parent / "secret.txt")
    target = Target(repo)
    for rel in ("Dockerfile", "docker/Dockerfile"):
        with pytest.raises(InputError, match="symlink that leads outside"):
            target.read_text(rel)


def test_a_very_deep_path_is_answered_not_a_recursion_error(repo: Path) -> None:
    deep = "a/" * 1200 + "x"  # a COPY source in an untrusted Dockerfile can be this long
    target = Target(repo)
    assert target.exists(deep) is False
    assert target.is_file(deep) is False
