"""A hostile `.git` in the target: its configuration never makes git run or read anything.

`checklists measure` records the target's commit and whether the measured files are dirty.
Git obeys the repository's own `.git/config`: `core.fsmonitor` and `filter.<name>.clean`
(named by `.gitattributes`) are programs it runs, `include.path` a file it reads. The
control shows what `git status` run in the target (the previous implementation, which only
disabled fsmonitor) does with such a repository; the tests show the measure command's
reader does none of it and still reads the right commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from checklists.core.errors import SetupError
from checklists_measure import engine as engines
from checklists_measure import evidence, gitinfo
from checklists_sandbox import sandbox
from tests.hostile.support import World, missing, readable_tree

EVIL = """\
#!/bin/sh
echo "$0 $*" >> {marks}/git-ran
cat
"""


def git_program() -> str:
    found = shutil.which("git")
    if found is None:
        missing("git is not installed")
    return found


def git(root: Path, *args: str) -> str:
    """The test's own git, with no configuration but what it is given."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        [git_program(), "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def repository(world: World, *, object_format: str = "sha1") -> tuple[Path, str]:
    """A target checkout with one commit: (root, commit)."""
    root = world.root / "target"
    (root / "app").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main", f"--object-format={object_format}")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app /app\n", encoding="utf-8")
    (root / "app" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root, git(root, "rev-parse", "HEAD")


def poison(world: World, root: Path, git_dir: Path | None = None) -> None:
    """The repository's own configuration names programs to run and a host file to read."""
    script = world.root / "evil.sh"
    script.write_text(EVIL.format(marks=world.marks), encoding="utf-8")
    script.chmod(0o755)
    outside = world.root / "outside.config"
    outside.write_text(f"[core]\n\tfsmonitor = {script} include\n", encoding="utf-8")
    with ((git_dir or root / ".git") / "config").open("a", encoding="utf-8") as config:
        config.write(
            f"[core]\n\tfsmonitor = {script} fsmonitor\n\thooksPath = {world.root}\n"
            f'[filter "evil"]\n\tclean = {script} clean\n\tsmudge = {script} smudge\n'
            f'[diff "evil"]\n\ttextconv = {script} textconv\n'
            f"[include]\n\tpath = {outside}\n"
        )
    # A change git must look at: the clean filter runs when it hashes the file again.
    (root / "app" / "main.py").write_text("print('changed')\n", encoding="utf-8")
    readable_tree(world.root)


def test_control_git_status_in_the_target_runs_its_configured_programs(world: World) -> None:
    root, _ = repository(world)
    poison(world, root)
    # What the measure command ran before: only fsmonitor disabled.
    subprocess.run(
        [git_program(), "-c", "core.fsmonitor=false", "-C", str(root), "status", "--porcelain"],
        capture_output=True,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        timeout=60,
        check=False,
    )
    assert world.marked() == ["git-ran"], "the payload must work, or its absence proves nothing"


def test_the_measure_command_reads_the_commit_and_runs_nothing_of_the_target(
    world: World,
) -> None:
    root, commit = repository(world)
    poison(world, root)
    assert evidence.git_revision(root, ["Dockerfile", "app"]) == (commit, True)
    assert evidence.git_revision(root, ["Dockerfile"]) == (commit, False)
    assert world.marked() == []


def test_a_clean_checkout_is_not_dirty_and_an_untracked_file_makes_it_dirty(
    world: World,
) -> None:
    root, commit = repository(world)
    assert evidence.git_revision(root, ["."]) == (commit, False)
    (root / "app" / "new.py").write_text("x = 1\n", encoding="utf-8")
    assert evidence.git_revision(root, ["."]) == (commit, True)
    assert evidence.git_revision(root / "app", ["."]) == (commit, True)  # a sub-folder target


def test_a_change_git_can_only_see_by_content_is_dirty(world: World) -> None:
    # The index entry and the index file share one (old) time, and the file keeps its size
    # and that time: only git's racy-git check (an entry as new as its index file is
    # compared by content) tells the file changed. That check needs the index file's own
    # time, which the scratch copy of the index must keep.
    root, commit = repository(world)
    main, index = root / "app" / "main.py", root / ".git" / "index"
    stamp = 1_600_000_000 * 10**9
    os.utime(main, ns=(stamp, stamp))
    git(root, "update-index", "--refresh")  # the entry now records that time
    os.utime(index, ns=(stamp, stamp))
    main.write_text("print('ho')\n", encoding="utf-8")  # same size as print('hi')
    os.utime(main, ns=(stamp, stamp))
    assert gitinfo.revision(root, ["app"]) == (commit, True)
    assert git(root, "-c", "core.fsmonitor=false", "status", "--porcelain") == "M app/main.py"


def test_packed_refs_symbolic_chains_and_a_detached_head(world: World) -> None:
    root, commit = repository(world)
    git(root, "checkout", "-q", "-b", "feature/x")
    git(root, "pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / "feature" / "x").exists()
    assert gitinfo.revision(root, ["."])[0] == commit
    git(root, "checkout", "-q", "--detach")
    assert (root / ".git" / "HEAD").read_text("ascii").strip() == commit
    assert gitinfo.revision(root, ["."]) == (commit, False)


def test_a_sha256_repository(world: World) -> None:
    root, commit = repository(world, object_format="sha256")
    assert len(commit) == 64
    assert gitinfo.revision(root, ["."]) == (commit, False)


def test_a_gitdir_file_is_followed_only_inside_the_target(world: World) -> None:
    root, commit = repository(world)
    (root / ".git").rename(root / ".repo")
    (root / ".git").write_text("gitdir: .repo\n", encoding="utf-8")
    assert gitinfo.revision(root, ["Dockerfile"]) == (commit, False)

    outside = world.root / "elsewhere"
    (root / ".repo").rename(outside)
    poison(world, root, outside)
    (root / ".git").write_text(f"gitdir: {outside}\n", encoding="utf-8")
    assert gitinfo.revision(root, ["."]) == (None, None)
    (root / ".git").write_text("gitdir: ../elsewhere\n", encoding="utf-8")
    assert gitinfo.revision(root, ["."]) == (None, None)
    assert world.marked() == []


def test_refs_and_object_stores_that_point_outside_are_not_followed(world: World) -> None:
    root, commit = repository(world)
    ref = root / ".git" / "refs" / "heads" / "main"
    stolen = world.root / "stolen-ref"
    stolen.write_text(commit + "\n", encoding="ascii")
    ref.unlink()
    ref.symlink_to(stolen)
    assert gitinfo.revision(root, ["."]) == (None, None)

    ref.unlink()
    ref.write_text(commit + "\n", encoding="ascii")
    alternates = root / ".git" / "objects" / "info" / "alternates"
    alternates.parent.mkdir(exist_ok=True)
    alternates.write_text(f"{world.root}/objects\n", encoding="utf-8")
    assert gitinfo.revision(root, ["."]) == (commit, None)  # the commit, but not dirty-ness
    alternates.unlink()

    (root / "app" / "vendor").mkdir()
    (root / "app" / "vendor" / ".git").write_text(f"gitdir: {world.root}\n", encoding="utf-8")
    assert gitinfo.revision(root, ["app"]) == (commit, None)  # git would follow that gitdir
    assert gitinfo.revision(root, ["Dockerfile"]) == (commit, False)


def test_outside_a_checkout_nothing_is_known(tmp_path: Path) -> None:
    assert gitinfo.revision(tmp_path, ["."]) == (None, None)


# -- programs are never looked up in the target ---------------------------------------------


def test_a_program_in_the_target_is_never_found_through_a_relative_path_entry(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = world.root / "target"
    (root / "bin").mkdir(parents=True)
    for name in ("git", "docker", "nginx"):
        fake = root / "bin" / name
        fake.write_text(f"#!/bin/sh\necho {name} >> {world.marks}/path-ran\n", encoding="utf-8")
        fake.chmod(0o755)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PATH", os.pathsep.join(["bin", ".", str(root / "bin")]))
    for name in ("git", "docker", "nginx"):
        assert sandbox.find_program(name, avoid=(root,)) is None
    with pytest.raises(SetupError):
        engines.detect("docker", 5.0, avoid=(root,))
    assert gitinfo.revision(root, ["."]) == (None, None)
    assert world.marked() == []
