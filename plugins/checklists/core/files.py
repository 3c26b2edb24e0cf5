"""Files a run writes (reports, generated pages, the programs' evidence), written atomically
and only where a file belongs.

`write_atomic` writes a temporary file in the same folder and renames it over the path, so
a reader sees the old file or the new one, never half, even when the build fails right
after; `check_destination` refuses a device, a FIFO, a folder where a file is meant or a
path below a file before anything is written.
"""

from __future__ import annotations

import os
import stat
import tempfile
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise ReportPathError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        with os.fdopen(
            handle, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as stream:
            stream.write(text)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # noqa: PTH101 - the temporary's str path
        os.replace(temporary, path)  # noqa: PTH105
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ReportPathError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
