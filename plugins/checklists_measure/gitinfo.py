"""The target's git commit and whether the measured files differ from it, read without
letting the target's git configuration run anything.

`git` run inside a repository reads that repository's `.git/config`, and a hostile one
makes git run programs (`core.fsmonitor`, a `filter.<name>.clean` driver named by
`.gitattributes`, `core.sshCommand`, ...) or read host files (`include.path`,
`core.worktree`, a `gitdir:` file, object alternates). So:

* the commit is read by a small confined reader: `.git` (a folder, or a `gitdir:` file that
  must resolve inside the work tree that holds it), `commondir`, `HEAD`, loose refs and
  `packed-refs`, each a regular file whose real path stays inside that work tree;
* whether the measured paths are dirty is asked of the system's git with a git folder of
  our own in a scratch folder: the commit as a detached `HEAD`, a copy of the index, a
  configuration written here (nothing of the target's: no filters, no fsmonitor, no hooks),
  no system or global configuration, and the target's object database only when it has no
  alternates and no symbolic links. Submodules are ignored, and a nested `.git` inside the
  measured paths (git would follow its `gitdir:`) makes the answer unknown.

Anything this cannot read confined gives None (unknown), never a guess.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from checklists_sandbox import sandbox

GIT_TIMEOUT = 30.0
_SMALL = 64 << 10  # HEAD, a loose ref, a `gitdir:` file
_LARGE = 256 << 20  # packed-refs, the index
_OBJECT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_REF_NAME = re.compile(r"^refs/[A-Za-z0-9._/+-]+$")
_PER_WORKTREE = ("refs/bisect/", "refs/worktree/", "refs/rewritten/")
_GIT_LIMITS = sandbox.Limits(memory=8 << 30, cpu=60, open_files=1024, file_size=1 << 30)


class _RefusedError(Exception):
    """The repository names something outside where it may be read."""


def _inside(path: Path, base: Path) -> Path:
    real = Path(os.path.realpath(path))
    if real != base and base not in real.parents:
        raise _RefusedError(f"{path} resolves outside {base}")
    return real


def _read(path: Path, base: Path, limit: int = _SMALL) -> bytes | None:
    """A regular file inside `base`, or None when it does not exist."""
    if not os.path.lexists(path):
        return None
    real = _inside(path, base)
    info = real.stat()
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        raise _RefusedError(f"{path} is not a small regular file")
    return real.read_bytes()


class Repository:
    """Where a work tree's git data is: its top folder, its git dir and common dir."""

    def __init__(self, top: Path, git_dir: Path, common: Path) -> None:
        self.top, self.git_dir, self.common = top, git_dir, common

    @classmethod
    def find(cls, root: Path) -> Repository | None:
        """The repository holding `root`, found as git finds it (the nearest `.git` above)."""
        start = Path(os.path.realpath(root))
        for top in (start, *start.parents):
            dot_git = top / ".git"
            if not os.path.lexists(dot_git):
                continue
            try:
                return cls._open(top, dot_git)
            except (_RefusedError, OSError, UnicodeDecodeError):
                return None
        return None

    @classmethod
    def _open(cls, top: Path, dot_git: Path) -> Repository:
        if dot_git.is_symlink():
            git_dir = _inside(dot_git, top)
        elif dot_git.is_dir():
            git_dir = dot_git
        else:
            text = (_read(dot_git, top) or b"").decode("utf-8").strip()
            if not text.startswith("gitdir:"):
                raise _RefusedError(".git is neither a folder nor a gitdir: file")
            git_dir = _inside(top / text.removeprefix("gitdir:").strip(), top)
        common = git_dir
        pointer = _read(git_dir / "commondir", top)
        if pointer is not None:
            common = _inside(git_dir / pointer.decode("utf-8").strip(), top)
        return cls(top, git_dir, common)

    def head(self) -> str | None:
        """The commit HEAD names, read from HEAD, loose refs and packed-refs."""
        try:
            if (self.common / "reftable").exists():
                return None  # the reftable format: not read here
            text = (_read(self.git_dir / "HEAD", self.top) or b"").decode("utf-8").strip()
            for _ in range(5):  # symbolic refs may chain; git allows a few levels
                if _OBJECT_ID.match(text):
                    return text
                if not text.startswith("ref:"):
                    return None
                text = self._ref(text.removeprefix("ref:").strip())
        except (_RefusedError, OSError, UnicodeDecodeError):
            return None
        return None

    def _ref(self, name: str) -> str:
        if not _REF_NAME.match(name) or ".." in name or "//" in name:
            raise _RefusedError(f"not a ref name: {name!r}")
        folder = self.git_dir if name.startswith(_PER_WORKTREE) else self.common
        loose = _read(folder / name, self.top)
        if loose is not None:
            return loose.decode("utf-8").strip()
        packed = _read(self.common / "packed-refs", self.top, _LARGE) or b""
        for line in packed.decode("utf-8").splitlines():
            if line.startswith(("#", "^")):
                continue
            object_id, _, ref = line.partition(" ")
            if ref == name:
                return object_id
        raise _RefusedError(f"{name} is not in the repository")


def revision(root: Path, paths: Sequence[str]) -> tuple[str | None, bool | None]:
    """(HEAD, dirty) of the checkout holding `root`; (None, None) when unknown.

    Dirty covers `paths` (relative to `root`: the measured Dockerfiles and contexts),
    untracked files included.
    """
    repository = Repository.find(root)
    if repository is None:
        return None, None
    commit = repository.head()
    if commit is None:
        return None, None
    return commit, _dirty(repository, commit, Path(os.path.realpath(root)), paths)


def _dirty(repository: Repository, commit: str, root: Path, paths: Sequence[str]) -> bool | None:
    git = sandbox.find_program("git", avoid=(root,))
    if git is None:
        return None
    try:
        objects = _objects(repository)
        for path in paths:
            _no_nested_git(repository, root / path)
    except (_RefusedError, OSError):
        return None
    with sandbox.scratch("git-status-") as folder:
        git_dir = folder / "git"
        try:
            _scratch_git_dir(repository, commit, git_dir)
        except (_RefusedError, OSError, UnicodeDecodeError):
            return None
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C",
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_DIR": str(git_dir),
            "GIT_WORK_TREE": str(repository.top),
            "GIT_OBJECT_DIRECTORY": str(objects),
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
        }
        argv = [git, "-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}"]
        argv += ["status", "--porcelain", "--untracked-files=all", "--ignore-submodules=all"]
        argv += ["--no-renames", "--", *paths]
        done = sandbox.run(
            argv,
            env=env,
            cwd=root,
            timeout=GIT_TIMEOUT,
            limits=_GIT_LIMITS,
            drop_privileges=False,  # it reads the caller's checkout; nothing of it runs
        )
    if done.returncode != 0:
        return None
    return bool(done.stdout.strip())


def _objects(repository: Repository) -> Path:
    """The object database, when git would read nothing outside it from there."""
    objects = _inside(repository.common / "objects", repository.top)
    for name in ("alternates", "http-alternates"):
        if os.path.lexists(objects / "info" / name):
            raise _RefusedError(f"objects/info/{name} names other object databases")
    for folder, dirs, files in os.walk(objects):
        for name in (*dirs, *files):
            if Path(folder, name).is_symlink():
                raise _RefusedError(f"{Path(folder, name)} is a symbolic link")
    return objects


def _no_nested_git(repository: Repository, path: Path) -> None:
    """Refuse when git's walk of `path` would meet another repository's `.git`."""
    own = repository.top / ".git"
    if not path.is_dir() or path.is_symlink():
        return
    for folder, dirs, files in os.walk(path):
        if ".git" in dirs or ".git" in files:
            if Path(folder, ".git") != own:
                raise _RefusedError(f"{folder} holds a nested .git")
            if ".git" in dirs:
                dirs.remove(".git")  # the repository's own: git does not walk it


def _scratch_git_dir(repository: Repository, commit: str, git_dir: Path) -> None:
    """A git dir of our own: the commit, the index, the excludes, our configuration."""
    (git_dir / "refs").mkdir(parents=True)
    (git_dir / "info").mkdir()
    (git_dir / "HEAD").write_text(commit + "\n", encoding="ascii")
    sha256 = len(commit) == 64
    config = f"[core]\n\trepositoryformatversion = {int(sha256)}\n\tbare = false\n"
    config += "\tfsmonitor = false\n\tuntrackedCache = false\n"
    config += f"\thooksPath = {os.devnull}\n"
    if sha256:
        config += "[extensions]\n\tobjectFormat = sha256\n"
    (git_dir / "config").write_text(config, encoding="utf-8")
    top = repository.top
    _copy(repository.git_dir / "index", git_dir / "index", top)
    for shared in repository.git_dir.glob("sharedindex.*"):  # a split index's other half
        _copy(shared, git_dir / shared.name, top)
    _copy(repository.common / "info" / "exclude", git_dir / "info" / "exclude", top)


def _copy(source: Path, destination: Path, base: Path) -> None:
    """Copy a confined file with its modification time: git trusts an index entry's stat
    data only when the entry is older than the index file itself (its racy-git check), so
    an index copied with a fresh time would hide a change made within the same second."""
    data = _read(source, base, _LARGE)
    if data is None:
        return
    destination.write_bytes(data)
    info = Path(os.path.realpath(source)).stat()
    os.utime(destination, ns=(info.st_atime_ns, info.st_mtime_ns))
