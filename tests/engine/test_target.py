"""The target object: confinement, symlinks, read and parse once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checklists.core.target import Target


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
    # The folder's one listing answers for its entries: the build sees the tree it listed.
    assert not target.is_file("sub/late.txt")
    assert target.is_file("late.txt") is False  # a folder not listed yet is asked of the disk
    (repo / "late.txt").write_text("x", encoding="utf-8")
    assert Target(repo).is_file("late.txt")
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


# -- unreadable is not missing -------------------------------------------------------------


def _text(data: bytes) -> str:
    return data.decode("utf-8")


def _kind_of(target: Target, rel: str) -> str:
    with pytest.raises(InputError) as raised:
        target.read_bytes(rel)
    return raised.value.kind


def test_only_a_truly_absent_path_is_missing(repo: Path) -> None:
    (repo / "loop").symlink_to("loop")
    (repo / "dangling").symlink_to("nowhere")
    (repo / "out").symlink_to(repo.parent / "secret.txt")
    os.mkfifo(repo / "fifo")
    target = Target(repo)
    assert _kind_of(target, "absent.txt") == "missing"
    assert _kind_of(target, "sub/file.txt/below") == "missing"  # a file is no folder
    assert _kind_of(target, "loop") == "loop"
    assert _kind_of(target, "dangling") == "dangling"
    assert _kind_of(target, "out") == "outside"
    assert _kind_of(target, "sub") == "not_a_file"
    assert _kind_of(target, "fifo") == "special"  # refused without opening: it would block
    assert target.exists("absent.txt") is False
    assert target.is_file("absent.txt") is False
    for rel, kind in (("loop", "loop"), ("dangling", "dangling"), ("fifo", "special")):
        for probe in (target.exists, target.is_file, target.kind):
            with pytest.raises(InputError) as raised:
                probe(rel)
            assert raised.value.kind == kind, (rel, probe)
    with pytest.raises(InputError, match="is a directory, not a file") as raised:
        target.is_file("sub")
    assert not raised.value.missing


def test_a_folder_where_a_file_is_expected_is_not_missing_for_a_parse(repo: Path) -> None:
    (repo / "compose.yaml").mkdir()
    with pytest.raises(InputError, match=r"compose\.yaml is a directory") as raised:
        Target(repo).parse("compose.yaml", _text)
    assert raised.value.kind == "not_a_file"
    assert raised.value.path == "compose.yaml"


def test_a_permission_error_is_its_own_kind(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may run as root, who may read anything: the denial is simulated at open().
    real_open = os.open

    def deny(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("file.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    target = Target(repo)
    assert target.is_file("sub/file.txt")
    with pytest.raises(InputError, match="permission denied") as raised:
        target.read_text("sub/file.txt")
    assert raised.value.kind == "permission"


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_shorter_listing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_scandir = os.scandir

    def deny(path: str) -> object:
        if str(path).endswith("/sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    with pytest.raises(InputError, match="permission denied") as raised:
        list(Target(repo).files())
    assert raised.value.path == "sub"


def test_glob_lists_what_cannot_be_read_so_reading_it_says_why(repo: Path) -> None:
    folder = repo / "reports"
    folder.mkdir()
    (folder / "a.json").write_text("{}", encoding="utf-8")
    (folder / "b.json").symlink_to("b.json")
    (folder / "c.json").mkdir()  # a folder is never a match
    target = Target(repo)
    assert target.glob("reports/*.json") == ["reports/a.json", "reports/b.json"]
    assert _kind_of(target, "reports/b.json") == "loop"


def test_listdir_names_every_entry_of_one_folder(repo: Path) -> None:
    (repo / "compose.yaml").mkdir()
    (repo / "link").symlink_to("link")
    assert Target(repo).listdir(".") == ["compose.yaml", "link", "sub"]
    assert Target(repo).listdir("sub") == ["sub/file.txt"]
    assert Target(repo).listdir("absent") == []


# -- bounded work --------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_not_read(repo: Path) -> None:
    from checklists.core.target import MAX_FILE_BYTES, MAX_REPORT_BYTES

    (repo / "big.json").write_bytes(b" " * (MAX_FILE_BYTES + 1))
    target = Target(repo)
    with pytest.raises(InputError, match="more than the 4,194,304 bytes") as raised:
        target.read_text("big.json")
    assert raised.value.kind == "too_large"
    # A machine-written report may be larger; the same bytes serve both callers.
    assert len(target.read_bytes("big.json", limit=MAX_REPORT_BYTES)) == MAX_FILE_BYTES + 1
    with pytest.raises(InputError, match="more than the"):
        target.parse("big.json", _text)


def test_a_file_that_grows_while_it_is_read_is_read_up_to_the_limit(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core import target as module

    (repo / "log.json").write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def smaller(fd: int) -> os.stat_result:  # the size fstat saw before the file grew
        found = real_fstat(fd)
        return os.stat_result((*found[:6], 10, *found[7:]))

    monkeypatch.setattr(os, "fstat", smaller)
    assert Target(repo).read_bytes("log.json") == b"x" * 100
    monkeypatch.setattr(module, "MAX_REPORT_BYTES", 50)
    with pytest.raises(InputError, match="more than the 50 bytes") as raised:
        Target(repo).read_bytes("log.json")
    assert raised.value.kind == "too_large"


def test_files_the_walk_listed_read_as_any_other_and_a_symlink_put_there_since_is_not_followed(
    repo: Path,
) -> None:
    (repo / "sub" / "b.txt").write_text("b\n", encoding="utf-8")
    (repo / "sub" / "back\\slash").write_text("c\n", encoding="utf-8")
    target = Target(repo)
    listed = list(target.files("sub"))
    assert listed == ["sub/b.txt", "sub/back\\slash", "sub/file.txt"]
    assert [target.kind(p) for p in listed] == ["file", None, "file"]  # `\\` is a separator
    assert target.path("sub/b.txt") == repo.resolve() / "sub" / "b.txt"
    (repo / "sub" / "file.txt").unlink()
    (repo / "sub" / "file.txt").symlink_to(repo.parent / "secret.txt")
    with pytest.raises(InputError, match="became a symlink while the target was read"):
        target.read_bytes("sub/file.txt")
    assert Target(repo).read_bytes("sub/b.txt") == target.read_bytes("sub/b.txt") == b"b\n"


def test_a_deep_tree_is_walked_without_recursion_up_to_the_depth_bound(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core import target as module

    monkeypatch.setattr(module, "MAX_WALK_DEPTH", 2)
    (repo / "a" / "b" / "c").mkdir(parents=True)
    (repo / "a" / "b" / "c" / "f.txt").write_text("f", encoding="utf-8")
    assert list(Target(repo).files("a")) == ["a/b/c/f.txt"]
    (repo / "a" / "b" / "c" / "d").mkdir()
    with pytest.raises(InputError) as raised:
        list(Target(repo).files("a"))
    assert (raised.value.kind, raised.value.path) == ("limit", "a/b")
    assert str(raised.value) == (
        "a/b: folders nested more than 2 levels deep below a: a/b/c/d is not listed"
    )


def test_a_folder_with_too_many_entries_is_not_listed(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core import target as module

    monkeypatch.setattr(module, "MAX_WALK_ENTRIES", 5)
    for i in range(6):
        (repo / "sub" / f"{i}.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="more than 5 files and folders") as raised:
        list(Target(repo).files())
    assert raised.value.kind == "limit"


def test_a_walk_lists_files_in_the_order_of_a_sorted_recursive_walk(repo: Path) -> None:
    for rel in ("b/z.txt", "b/a/x.txt", "a.txt", "c/d/e/f.txt", "b/y.txt"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x", encoding="utf-8")
    expected = sorted(
        (f"{d}/{name}".removeprefix(str(repo) + "/"))
        for d, _, names in os.walk(repo)
        for name in names
    )
    listed = list(Target(repo).files())
    assert sorted(listed) == expected
    assert listed == ["a.txt", "b/y.txt", "b/z.txt", "b/a/x.txt", "c/d/e/f.txt", "sub/file.txt"]


def test_a_1500_deep_tree_is_a_located_limit_not_a_recursion_error(repo: Path) -> None:
    fds = [os.open(repo, os.O_RDONLY)]
    try:
        for _ in range(1_500):  # relative to the parent's fd: the absolute path grows too long
            os.mkdir("d", dir_fd=fds[-1])
            fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
        with pytest.raises(InputError) as raised:
            list(Target(repo).files())
        # Located at the folder that holds the chain, which is named short with the bound.
        assert (raised.value.kind, raised.value.path) == ("limit", "d")
        assert str(raised.value) == (
            "d: folders nested more than 128 levels deep below the target root: "
            "d/d/d/d/…/d/d is not listed"
        )
    finally:
        # Removed here, bottom up: pytest's own clean-up (shutil.rmtree) recurses per level.
        os.close(fds.pop())
        while fds:
            os.rmdir("d", dir_fd=fds[-1])
            os.close(fds.pop())


def test_a_parser_that_recurses_too_deep_is_an_input_error(repo: Path) -> None:
    def recursive(data: bytes) -> object:
        return recursive(data)

    with pytest.raises(InputError, match="nested too deeply") as raised:
        Target(repo).parse("sub/file.txt", recursive)
    assert raised.value.path == "sub/file.txt"


def test_now_is_the_one_clock_seam() -> None:
    import datetime as dt

    fixed = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    assert Target(Path(), now=lambda: fixed).now() == fixed
    assert Target(Path()).now().tzinfo is not None


def test_a_listing_holds_regular_files_only(repo: Path) -> None:
    os.mkfifo(repo / "sub" / "fifo")
    (repo / "sub" / "loop").symlink_to("loop")
    assert list(Target(repo).files()) == ["sub/file.txt"]


def test_each_folder_is_listed_once_whatever_walks_and_probes_ask(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for rel in ("svc/app/main.py", "svc/.env", "svc/Dockerfile", "other/x.txt"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x", encoding="utf-8")
    listed: list[str] = []
    real_scandir = os.scandir

    def counting(path: str) -> object:
        listed.append(os.path.relpath(path, repo.resolve()))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    target = Target(repo)
    assert list(target.files("svc")) == ["svc/.env", "svc/Dockerfile", "svc/app/main.py"]
    assert "svc/app/main.py" in list(target.files("."))  # the context's folders again
    assert list(target.files("svc/app")) == ["svc/app/main.py"]
    assert target.listdir("svc") == ["svc/.env", "svc/Dockerfile", "svc/app"]
    assert target.glob("svc/.e*") == ["svc/.env"]
    assert (target.is_file("svc/.env"), target.is_file("svc/.dockerignore")) == (True, False)
    assert target.kind("svc/app") == "directory"
    assert sorted(listed) == sorted(set(listed))  # no folder listed twice
    assert set(listed) == {".", "svc", "svc/app", "other", "sub"}
