"""Files a run writes (reports, generated pages, the programs' evidence), written atomically
and only where a file belongs.

`write_atomic` writes a temporary file in the same folder and renames it over the path, so
a reader sees the old file or the new one, never half, even when the build fails right
after; `check_destination` refuses a device, a FIFO, a folder where a file is meant or a
path below a file before anything is written.
"""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from checklists.core.errors import SetupError


class ReportPathError(SetupError):
    """A report cannot be written where it was asked to go; the message says why."""


# Kernel and device file systems: a report written there would reach a device or the
# kernel (`/dev/full`, `/proc/sys/...`), never a file anyone reads.
_SPECIAL = ("/proc", "/sys", "/dev")


def _special(path: Path) -> str | None:
    real = os.path.realpath(path)
    return next((top for top in _SPECIAL if real == top or real.startswith(f"{top}/")), None)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISREG, "a file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_destination(path: Path, *, folder: bool = False) -> None:
    """ReportPathError unless `path` is a place a report may go: an existing regular file
    (a folder when `folder`) or a new path whose nearest existing folder is a folder, and
    nothing under /proc, /sys or /dev (symlinks followed)."""
    special = _special(path)
    if special is not None:
        raise ReportPathError(
            f"{path} is under {special}, not a place for a report (use a file path; "
            "`--output -` prints a single report)"
        )
    _check_mode(path, folder=folder)


def _check_mode(path: Path, *, folder: bool) -> None:
    """ReportPathError unless `path` is a file (a folder when `folder`) or a new path below
    a folder."""
    try:
        mode: int | None = os.stat(path).st_mode  # noqa: PTH116 - the mode of what a link names
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as error:
        raise ReportPathError(f"cannot use {path} for a report: {error.strerror}") from error
    wanted, want = (stat.S_ISDIR, "a folder") if folder else (stat.S_ISREG, "a file")
    if mode is not None and not wanted(mode):
        raise ReportPathError(f"{path} is {_kind(mode)}, not {want}: the report was not written")
    for ancestor in path.parents if mode is None else ():
        try:
            found = os.stat(ancestor).st_mode  # noqa: PTH116
        except (FileNotFoundError, NotADirectoryError):
            continue  # made by write_atomic, unless something further up is a file
        except OSError as error:
            raise ReportPathError(f"cannot use {path} for a report: {error.strerror}") from error
        if not stat.S_ISDIR(found):
            raise ReportPathError(
                f"cannot write {path}: {ancestor} is {_kind(found)}, not a folder"
            )
        break


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half.

    A temporary file in the same folder, flushed to disk (`durable`; the reports inside a
    built site are not: MkDocs writes the site's other files without, and 32 flushes
    cost a build 0.1 s), then renamed over `path`. Only
    a regular file or a new path is written (`check_destination`); a failure (a full disk,
    no permission) is a ReportPathError naming the file, and leaves no temporary file.
    Text that cannot be UTF-8 (a lone surrogate, from a file name that is not UTF-8) is
    written escaped, so a report is always written.
    """
    check_destination(path)
    _made(path.parent)
    _write(path, text, durable=durable)


def write_files(folder: Path, texts: Mapping[str, str]) -> list[Path]:
    """Each text to its path below `folder`, as `write_atomic` writes one without flushing
    it to disk (files of a built site, as MkDocs writes its pages); each folder is checked
    and made once, each file's own path checked as `check_destination` checks it. The
    paths written, in the order given."""
    ready: set[Path] = set()
    written = []
    for name, text in texts.items():
        path = folder / name
        if path.parent not in ready:
            check_destination(path.parent, folder=True)
            _made(path.parent)
            ready.add(path.parent)
        _check_mode(path, folder=False)  # the folder is checked: only the file's own kind
        _write(path, text, durable=False)
        written.append(path)
    return written


def _made(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportPathError(f"cannot write {folder}: {error.strerror or error}") from error


_TEMPORARY = itertools.count()  # this process's temporaries: no two alike
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)


def _write(path: Path, text: str, *, durable: bool) -> None:
    """The text into a new temporary beside `path` (never an existing file, never through
    a link), then renamed over `path` (which replaces a link rather than following it)."""
    data = text.encode("utf-8", "backslashreplace")
    while True:
        temporary = path.parent / f".{path.name}.{os.getpid()}.{next(_TEMPORARY)}"
        try:
            handle = os.open(temporary, _CREATE, 0o644)
            break
        except FileExistsError:  # left by a process of this pid before: take the next
            continue
        except OSError as error:
            raise ReportPathError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fchmod(handle, 0o644)  # whatever the umask: readable, as MkDocs' own files
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ReportPathError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
