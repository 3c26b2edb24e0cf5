"""Running a system program on target data without lending it the host.

Every program the check library runs (`nginx -t`, `openssl` for its throw-away certificate,
`git` for the measure command's provenance) goes through `run`:

* the program is found on absolute `PATH` entries only, never in a relative entry (`.`) or
  inside the target, so a target cannot supply its own `nginx` or `git`;
* the child gets a minimal environment (what the caller passes), its own process group, and
  a wall-clock timeout after which the whole group is killed;
* resource limits are set in the child before it becomes the program: address space, CPU
  time, open files, the size of files it writes, no core dumps;
* when the caller is root and asks for it, the child drops to `nobody` (groups cleared, gid
  then uid) before it becomes the program; where `unshare` allows, it runs in an empty
  network namespace as well.

The limits and the privilege drop are applied by a few lines of Python exec'ed in the child
(`_CHILD`), not by `preexec_fn`: checks run in threads, and `preexec_fn` is not safe there.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Where system programs live besides the caller's PATH (sbin is often not on a user's PATH).
_SYSTEM_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_SCRATCH_PARENTS = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 - world-traversable fallbacks


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits of the child; generous for the system programs run, fatal to a bomb."""

    memory: int = 2 << 30  # RLIMIT_AS, bytes
    cpu: int = 10  # RLIMIT_CPU, seconds (SIGXCPU, then SIGKILL one second later)
    open_files: int = 1024  # RLIMIT_NOFILE
    file_size: int = 64 << 20  # RLIMIT_FSIZE, bytes: the largest file it may write

    def as_rlimits(self) -> dict[str, tuple[int, int]]:
        return {
            "RLIMIT_AS": (self.memory, self.memory),
            "RLIMIT_CPU": (self.cpu, self.cpu + 1),
            "RLIMIT_NOFILE": (self.open_files, self.open_files),
            "RLIMIT_FSIZE": (self.file_size, self.file_size),
            "RLIMIT_CORE": (0, 0),
        }


@dataclass(frozen=True, slots=True)
class Finished:
    """One finished (or killed) run."""

    returncode: int | None  # None: timed out, or could not start
    stdout: str
    stderr: str
    error: str | None = None  # why there is no return code

    @property
    def output(self) -> str:
        return self.stderr + self.stdout


@dataclass(frozen=True, slots=True)
class Identity:
    """The unprivileged user a root caller drops to."""

    uid: int
    gid: int
    name: str


# The child: set the limits, drop privileges if asked, become the program. A failure here
# exits 125 with the reason on stderr; the program never starts with the host's privileges.
_CHILD = """\
import json, os, resource, sys
spec = json.loads(sys.argv[1])
try:
    for name, (soft, hard) in spec["limits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if spec["uid"] is not None:
        os.setgroups([])
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
        if os.getuid() != spec["uid"] or os.geteuid() != spec["uid"]:
            raise OSError("uid not dropped")
        try:
            os.setuid(0)
        except PermissionError:
            pass
        else:
            raise OSError("root could be regained")
    os.execve(sys.argv[2], sys.argv[2:], spec["env"])  # not os.environ: Python adds to it
except OSError as error:
    sys.stderr.write("sandbox: cannot start %s: %s\\n" % (sys.argv[2], error))
    sys.stderr.flush()
    os._exit(125)
"""


def is_root() -> bool:
    return os.geteuid() == 0


@functools.lru_cache(maxsize=1)
def nobody() -> Identity:
    """`nobody` (65534 where the account database has no such user)."""
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return Identity(65534, 65534, "nobody")
    return Identity(entry.pw_uid, entry.pw_gid, "nobody")


def drop_identity() -> Identity | None:
    """Who a child of this process runs as when it asks to drop privileges: `nobody` for a
    root caller, None (the caller's own, unprivileged identity) otherwise."""
    return nobody() if is_root() else None


def search_path(avoid: Sequence[Path] = (), *, system: bool = False) -> list[str]:
    """Absolute PATH entries (then, with `system`, the system's program folders), none
    inside `avoid`."""
    entries = os.environ.get("PATH", "").split(os.pathsep)
    entries += _SYSTEM_DIRS if system else ()
    found: list[str] = []
    for entry in entries:
        if not entry or not Path(entry).is_absolute() or entry in found:
            continue
        real = Path(os.path.realpath(entry))
        if any(real == root or root in real.parents for root in avoid):
            continue
        found.append(entry)
    return found


def find_program(name: str, avoid: Sequence[Path] = (), *, system: bool = False) -> str | None:
    """The program `name` on an absolute PATH entry outside `avoid` (the target's root);
    `system` also looks in /usr/sbin and the like, which a user's PATH often lacks."""
    roots = [Path(os.path.realpath(root)) for root in avoid]
    found = shutil.which(name, path=os.pathsep.join(search_path(roots, system=system)))
    if found is None:
        return None
    real = Path(os.path.realpath(found))
    if any(root in real.parents for root in roots):
        return None  # a symlink on a system folder that points into the target
    return found


@functools.lru_cache(maxsize=2)
def network_prefix(*, root: bool) -> tuple[str, ...]:
    """`unshare` arguments that put a command in an empty network namespace, when allowed.

    Root gets a plain network namespace (no user namespace, so the privilege drop that
    follows is a real one); anyone else needs a user namespace for it.
    """
    unshare = find_program("unshare", system=True)
    if unshare is None:
        return ()
    prefix = (unshare, "--net") if root else (unshare, "--net", "--map-root-user")
    try:
        probe = subprocess.run(  # noqa: S603 - a fixed system binary, no target input
            [*prefix, "true"], capture_output=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if probe.returncode == 0 else ()


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    limits: Limits | None = None,
    drop_privileges: bool = True,
    isolate_network: bool = True,
) -> Finished:
    """Run `argv` (its first item an absolute path) confined as the module docstring says."""
    identity = drop_identity() if drop_privileges else None
    spec = {
        "limits": (limits or Limits()).as_rlimits(),
        "uid": identity.uid if identity else None,
        "gid": identity.gid if identity else None,
        "env": dict(env),
    }
    prefix = network_prefix(root=is_root()) if isolate_network else ()
    command = [*prefix, sys.executable, "-I", "-S", "-c", _CHILD, json.dumps(spec), *argv]
    try:
        process = subprocess.Popen(  # noqa: S603 - argv list, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,  # its own process group, killed as a whole
        )
    except OSError as error:
        return Finished(None, "", "", f"cannot run {argv[0]}: {error.strerror}")
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            out, err = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a descendant that left the group holds the pipes
            out, err = b"", b""
        return Finished(None, _text(out), _text(err), f"timed out after {timeout:g} s")
    return Finished(process.returncode, _text(out), _text(err))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


# -- scratch folders a dropped child can use -------------------------------------------------


def _traversable(folder: Path) -> bool:
    """Whether anyone may reach files below `folder` (every ancestor has o+x)."""
    for part in (folder, *folder.parents):
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


def _scratch_parent() -> str:
    if not is_root():
        return tempfile.gettempdir()
    for candidate in (tempfile.gettempdir(), *_SCRATCH_PARENTS):
        if _traversable(Path(candidate)):
            return candidate
    return tempfile.gettempdir()


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A fresh folder for a child's input, removed afterwards.

    For a root caller it sits where `nobody` can reach it and is readable (not writable) by
    others: the caller writes the input, and `writable` hands sub-folders to the child.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=_scratch_parent()))
    try:
        if is_root():
            folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def writable(folder: Path) -> Path:
    """Create `folder` and give it to the identity a dropped child runs as."""
    folder.mkdir(parents=True, exist_ok=True)
    identity = drop_identity()
    if identity is not None:
        os.chown(folder, identity.uid, identity.gid)
        folder.chmod(0o700)
    return folder


def readable(path: Path) -> None:
    """Let a dropped child read `path` (written by the caller) without being able to change it."""
    if is_root():
        path.chmod(0o755 if path.is_dir() else 0o644)
