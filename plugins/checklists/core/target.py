"""The target repository as checks see it: confined, read once, parsed once.

Everything in the target is untrusted. Every path a check asks for is relative to the target
root; `..`, absolute paths and symlinks that lead outside the root are refused with an
`InputError`. Each file is read from disk at most once per build and each (file, parser)
pair is parsed at most once, even when checks run in parallel; the counts are kept so the
report can show them.

A hostile repository must not hang or exhaust the build, and an input that cannot be read
must never pass for an absent one. So every read and walk is bounded (the limits below, stated
once), and each reason a path cannot be read is its own `InputError` kind: a symlink that
leads outside, a symlink loop, a dangling symlink, a directory where a file is expected, a
FIFO or device (never opened: a FIFO would block forever), a permission error, a file over
the size limit. Only a path that truly does not exist is "missing".
"""

from __future__ import annotations

import bisect
import datetime as dt
import errno
import fnmatch
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

from checklists.core.errors import InputError
from checklists.core.message import tr

T = TypeVar("T")
Probe = tuple[str, str]  # (kind, target path): content, exists, listing or size
Parser = Callable[[bytes], T]
Kind = Literal["file", "directory"]

# -- limits: what one build reads from an untrusted target --------------------------------
# Each is far above what real repositories need (measured on tests/data/corpus, 25 real
# repositories with 158 Dockerfiles, and the samples), so only a hostile or broken input
# reaches one, and then the checks that need it say 検証不可 with the reason and location.
# bench/hostile.py measures the bombs before and after.

MAX_FILE_BYTES = 4 * 1024 * 1024
"""A text input (Dockerfile, YAML, nginx, .dockerignore, JSON config): 4 MiB. The corpus's
largest Dockerfile is 9 kB."""
MAX_REPORT_BYTES = 64 * 1024 * 1024
"""A machine-written file: a Trivy JSON report of a large image, measurement evidence, a
lock file the measure command hashes."""
MAX_WALK_DEPTH = 128
"""Folders below the listed one; node_modules trees of real projects stay under 40."""
MAX_WALK_ENTRIES = 1_000_000
"""Files and folders met by one listing (a monorepo's build context with node_modules)."""
MAX_NESTING = 100
"""Nested blocks in one document: JSON arrays/objects, YAML collections, nginx blocks.
Measured: Trivy reports 9, YAML 17 (an Envoy config), nginx 5. Python's own parsers give
up near 1,000 (RecursionError); yaml.v3, Compose's parser, refuses past 10,000."""
MAX_INSTRUCTIONS = 2_000
"""Instructions in one Dockerfile; real ones have tens to a few hundred (the corpus: 57 at
most). Each instruction sees every ARG and ENV before it, so the work grows with the square
of this number (100,000 ENV lines took 17 GB before the bound; 2,000 take 83 MB)."""
MAX_STAGES = 128
"""Build stages in one Dockerfile; real ones have one to a dozen. A stage built FROM another
inherits its environment, so a chain costs the square of its length."""
MAX_EXPANSION_CHARS = 1024 * 1024
"""The text one ARG/ENV/FROM expansion may produce, and the ARG and ENV values of one scope
together. BuildKit sets no limit, but real values are short: the corpus's longest is 133
characters (a PATH). A megabyte is a bomb (`ARG A2=${A1}${A1}` doubles at every line)."""
MAX_IGNORE_PATTERNS = 10_000
"""Patterns in one .dockerignore; the corpus's longest has 80. Docker sets no limit, but
it asks every pattern about every file of the context: 50,000 patterns would keep a check
busy for minutes (10,000 take a few seconds)."""
MAX_YAML_NODES = 1_000_000
"""Values in one YAML document with every alias expanded (a billion-laughs bomb)."""
MAX_YAML_VALUES = 100_000
"""Values written in one YAML document, before aliases expand. The corpus's largest, the
Compose file of opentelemetry-demo, holds 1,349. Python composes some 50,000 values a
second, so a 4 MiB file of short lines (100,000 Compose services) would outlast a check's
timeout; counting the values first takes libyaml a fraction of that."""
CLOCK_SKEW = dt.timedelta(days=1)
"""How far in the future a recorded time may lie before it is implausible (clock skew)."""


_UNSEEN = object()
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def not_a_file(rel: str) -> InputError:
    """The error for a directory where a file is read."""
    return InputError(
        tr("{rel} is a directory, not a file", "{rel} はディレクトリで、ファイルではない", rel=rel),
        path=rel,
        kind="not_a_file",
    )


def utc_now() -> dt.datetime:
    """The wall clock, aware UTC. Checks ask `Target.now()`, the one seam tests can fix."""
    return dt.datetime.now(dt.UTC)


class Target:
    """A read-only, path-confined view of one repository on disk."""

    def __init__(self, root: Path, *, now: Callable[[], dt.datetime] = utc_now) -> None:
        self.root = root.resolve()
        self._now = now
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._bytes: dict[str, bytes | InputError] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self.reads = 0
        self.parses = 0
        self._local = threading.local()
        # Memos: the tree does not change during a build, and checks ask for the same paths.
        self._normal: dict[str, str | InputError] = {}
        self._real: dict[str, str | InputError] = {}
        self._root_str = str(self.root)
        self._kinds: dict[str, str | InputError] = {}
        self._listings: dict[str, tuple[str, ...]] = {}
        # One listing per folder per build, by its real path, shared by every walk, probe,
        # listdir and glob: (name, is a folder, is a file), symlinks being neither.
        self._scans: dict[str, tuple[tuple[str, bool, bool], ...] | OSError] = {}
        self._resolved: dict[str, str] = {"": self._root_str}  # rel -> real path, unchecked
        self._modes: dict[str, int] = {}  # rel -> st_mode, when resolving it saw one
        self._absent: set[str] = set()  # rel paths resolving found not there
        self._fingerprints: dict[Probe, object] = {}
        self._root_prefix = self._root_str.rstrip(os.sep) + os.sep
        self.probed: set[Probe] = set()  # everything any check read, listed or looked for
        self._read_elsewhere: set[str] = set()  # files a worker process read (`absorb`)
        # Told of each parse as it starts (its key) and ends (None): the worker process
        # notes what a check is reading, for the message when it runs out of time.
        self.watch: Callable[[tuple[str, str] | None], None] | None = None

    # -- paths ---------------------------------------------------------------------------

    def normalize(self, relative: str) -> str:
        """The canonical POSIX form of a target path; InputError if it leaves the root."""
        known = self._normal.get(relative)
        if known is None:
            known = self._normal[relative] = _normalize(relative)
        if isinstance(known, InputError):
            raise known.again()
        return known

    def path(self, relative: str) -> Path:
        """The real path on disk; InputError if it (or a symlink on the way) leaves the root."""
        return Path(self._real_path(relative))

    def _real_path(self, relative: str) -> str:
        """`path` as a string (no Path object to build)."""
        rel = self.normalize(relative)
        real = self._real.get(rel)
        if real is None:
            found = self._resolve(rel)
            if found != self._root_str and not found.startswith(self._root_prefix):
                real = InputError(
                    tr(
                        "{rel} is a symlink that leads outside the target",
                        "{rel} はターゲットの外を指すシンボリックリンク",
                        rel=rel,
                    ),
                    path=rel,
                    kind="outside",
                )
            else:
                real = found
            self._real[rel] = real
        if isinstance(real, InputError):
            raise real.again()
        return real

    def _resolve(self, rel: str) -> str:
        """`os.path.realpath` of the path, one component at a time with each folder resolved
        once: a component that is no symlink (its folder's listing says so, or one lstat)
        is its resolved folder plus its name; anything else (a symlink, an error other
        than "not there") is left to realpath, which the answer then is. Below a component
        that is not there, nothing is asked of the disk."""
        if rel == ".":
            return self._root_str
        known = self._resolved.get(rel)
        if known is not None:
            return known
        parts = rel.split("/")
        depth = len(parts) - 1  # the deepest ancestor already resolved
        while depth > 0 and "/".join(parts[:depth]) not in self._resolved:
            depth -= 1
        found = self._resolved["/".join(parts[:depth])]
        for index in range(depth, len(parts)):
            here = "/".join(parts[: index + 1])
            candidate = f"{found.rstrip('/')}/{parts[index]}"
            if "/".join(parts[:index]) in self._absent:
                kind = "missing"
            else:
                kind = self._kind_on_disk(found, parts[index], candidate, here)
            if kind == "missing":
                self._absent.add(here)
            found = candidate if kind != "other" else os.path.realpath(self._root_prefix + here)
            self._resolved[here] = found
        return found

    def _kind_on_disk(self, folder: str, name: str, candidate: str, rel: str) -> str:
        """ "missing", "other" (a symlink, or lstat failed otherwise) or "plain", from the
        folder's listing when it was listed, else from one lstat."""
        listed = self._listed_kind(folder, name)
        if listed is not None:
            return "plain" if listed in ("file", "directory") else listed
        try:
            mode = os.lstat(candidate).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        except (OSError, ValueError):
            return "other"
        if stat.S_ISLNK(mode):
            return "other"
        self._modes[rel] = mode  # what stat would say: it follows no link
        return "plain"

    def _listed_kind(self, folder: str, name: str) -> str | None:
        """What `folder`'s cached listing says of `name`: "file", "directory", "missing" or
        "other" (a symlink or a special file); None when the folder was not listed."""
        scan = self._scans.get(folder)
        if scan is None or isinstance(scan, OSError):
            return None
        entry = _find(scan, name)
        if entry is None:
            return "missing"
        return "directory" if entry[1] else "file" if entry[2] else "other"

    def _scan(self, folder: str) -> tuple[tuple[str, bool, bool], ...]:
        """The sorted entries of the real folder, listed once per build; OSError if not."""
        scan = self._scans.get(folder)
        if scan is None:
            try:
                with os.scandir(folder) as entries:
                    scan = tuple(
                        sorted(
                            (
                                entry.name,
                                entry.is_dir(follow_symlinks=False),
                                entry.is_file(follow_symlinks=False),
                            )
                            for entry in entries
                        )
                    )
            except OSError as error:
                scan = error
            self._scans[folder] = scan
        if isinstance(scan, OSError):
            raise scan.with_traceback(None)  # raised again for each asker: no growing trace
        return scan

    def now(self) -> dt.datetime:
        """The current time (aware UTC) for plausibility checks: a recorded time later than
        `now() + CLOCK_SKEW` cannot be true. Tests pass a fixed clock to `Target(now=...)`."""
        return self._now()

    def exists(self, relative: str) -> bool:
        """Whether something is there (a file or a folder). A path that exists but cannot be
        read (a symlink leading outside, a loop, a dangling link, a FIFO or device, a
        permission error) is an InputError, never False, so a check never mistakes it for a
        missing file."""
        self._note("exists", relative)
        return self.kind(relative) is not None

    def is_file(self, relative: str) -> bool:
        """Whether a file is there to read: True, or False when nothing is there. Anything
        else at the path is an InputError: a directory where a file is expected, a FIFO,
        and every reason of `exists`. A check that accepts a file or a folder asks `kind`."""
        self._note("exists", relative)
        found = self.kind(relative)
        if found == "directory":
            rel = self.normalize(relative)
            raise InputError(
                tr(
                    "{rel} is a directory, not a file",
                    "{rel} はディレクトリで、ファイルではない",
                    rel=rel,
                ),
                path=rel,
                kind="not_a_file",
            )
        return found == "file"

    def kind(self, relative: str) -> Kind | None:
        """ "file", "directory", or None when the path does not exist; InputError when it
        exists but cannot be read (see `exists`)."""
        self._note("exists", relative)
        rel = self.normalize(relative)
        known = self._kinds.get(rel)
        if known is None:
            known = self._kinds[rel] = self._probe(rel)
        if isinstance(known, InputError):
            raise known.again()
        return None if known == "" else known  # type: ignore[return-value]

    def _probe(self, rel: str) -> str | InputError:
        """What is at `rel`, asked of the disk without opening anything ("" = nothing)."""
        try:
            real = self._real_path(rel)
        except InputError as error:
            return error
        parent, _, name = rel.rpartition("/")
        listed = self._listed_kind(self._resolve(parent), name) if rel != "." else None
        if listed == "missing":
            return ""
        if listed in ("file", "directory"):  # the folder's listing says so: no symlink
            return listed
        try:
            mode = self._modes.get(rel) or os.stat(real).st_mode  # noqa: PTH116 - str is faster
        except FileNotFoundError:
            if os.path.islink(f"{self._root_prefix}{rel}"):  # noqa: PTH114
                return InputError(
                    tr(
                        "{rel} is a symlink to a path that does not exist",
                        "{rel} は存在しないパスへのシンボリックリンク",
                        rel=rel,
                    ),
                    path=rel,
                    kind="dangling",
                )
            return ""
        except NotADirectoryError:
            return ""  # a parent is a file: nothing can be at this path
        except OSError as error:
            return _os_error(error, rel)
        except ValueError:
            return ""  # a NUL byte in the name: no such path can exist
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "directory"
        what = (
            tr("a FIFO", "FIFO")
            if stat.S_ISFIFO(mode)
            else tr("a socket", "ソケット")
            if stat.S_ISSOCK(mode)
            else tr("a device", "デバイス")
        )
        return InputError(
            tr(
                "{rel} is {what}, not a file: it is not read",
                "{rel} は {what} でファイルではないため読み取らない",
                rel=rel,
                what=what,
            ),
            path=rel,
            kind="special",
        )

    def files(self, directory: str = ".") -> Iterator[str]:
        """Every regular file under `directory`, as sorted target paths, symlinks not followed."""
        self._note("listing", directory)
        rel = self.normalize(directory)
        listing = self._listings.get(rel)
        if listing is None:  # walked once per build; checks often list the same context
            walked = list(self._walk(rel))
            listing = self._listings[rel] = tuple(path for path, _ in walked)
            self._remember(walked)
        return iter(listing)

    def _remember(self, walked: list[tuple[str, str]]) -> None:
        """What the walk learnt of each file it listed: its path is already canonical, its
        real path has no symlink on the way (the walk follows none), and it is a regular
        file. A scan that reads every listed file (10,000 of them) then spends no second
        `realpath` and `stat` per file on what the walk saw."""
        for path, real in walked:
            if "\\" in path:  # `normalize` reads a backslash as a separator: ask it
                continue
            self._normal.setdefault(path, path)
            self._real.setdefault(path, real)
            self._kinds.setdefault(path, "file")

    def _walk(self, directory: str) -> Iterator[tuple[str, str]]:
        """Depth first, sorted, without recursion (a hostile tree may be deeper than Python's
        stack), bounded in depth and entries. Symlinks are listed neither as files nor
        followed as folders, so a symlink loop cannot trap the walk; a folder that cannot
        be read is an InputError, never a silently shorter listing."""
        prefix = self.normalize(directory)
        found = self.kind(prefix)
        if found is None:
            return
        if found == "file":
            raise InputError(
                tr(
                    "{prefix} is a file, not a folder",
                    "{prefix} はファイルで、フォルダーではない",
                    prefix=prefix,
                ),
                path=prefix,
                kind="not_a_file",
            )
        base = self._real_path(prefix)
        lead = "" if prefix == "." else f"{prefix}/"
        stack: list[tuple[str, str, int]] = [(base, lead, 0)]
        entries = 0
        while stack:
            folder, start, depth = stack.pop()
            try:
                listed = self._scan(folder)
            except OSError as error:
                raise _os_error(error, start.rstrip("/") or prefix) from None
            entries += len(listed)
            if entries > MAX_WALK_ENTRIES:
                raise InputError(
                    tr(
                        "{prefix} holds more than {MAX_WALK_ENTRIES:,} files and folders: not "
                        "listed",
                        "{prefix} のファイルとフォルダーが {MAX_WALK_ENTRIES:,} 個を超えるため一覧"
                        "にしない",
                        prefix=prefix,
                        MAX_WALK_ENTRIES=MAX_WALK_ENTRIES,
                    ),
                    path=prefix,
                    kind="limit",
                )
            folders = []
            inside = folder.rstrip("/")  # the root folder "/" would give "//name"
            for name, is_dir, is_file in listed:
                if is_dir:
                    folders.append(name)
                elif is_file:  # symlinks, FIFOs, sockets and devices are not listed
                    yield f"{start}{name}", f"{inside}/{name}"
            if folders and depth + 1 > MAX_WALK_DEPTH:
                raise _too_deep(prefix, lead, f"{start}{folders[0]}")
            # Pushed in reverse so the first folder is walked first: files come out in the
            # same order as a sorted recursive walk.
            for name in reversed(folders):
                stack.append((f"{inside}/{name}", f"{start}{name}/", depth + 1))

    def listdir(self, directory: str = ".") -> list[str]:
        """Every entry directly in `directory` (files, folders, symlinks, anything else) as
        sorted target paths; [] when the folder does not exist. For a tool that looks for
        names in one folder (Compose finding compose.yaml): whatever it would find, even
        what cannot be read, is listed, so reading it says why."""
        rel = self.normalize(directory)
        self._note("listing", rel)
        if self.kind(rel) != "directory":
            return []
        try:
            names = [name for name, _, _ in self._scan(self._real_path(rel))]
        except OSError as error:
            raise _os_error(error, rel) from None
        if len(names) > MAX_WALK_ENTRIES:
            raise InputError(
                tr(
                    "{rel} holds more than {MAX_WALK_ENTRIES:,} entries",
                    "{rel} の項目が {MAX_WALK_ENTRIES:,} 個を超える",
                    rel=rel,
                    MAX_WALK_ENTRIES=MAX_WALK_ENTRIES,
                ),
                path=rel,
                kind="limit",
            )
        return sorted(name if rel == "." else f"{rel}/{name}" for name in names)

    def glob(self, pattern: str) -> list[str]:
        """Target paths matching a glob such as 'reports/measurements/*.json', sorted.

        Folders are left out; a symlink or special file that matches is listed, so reading
        it says why it cannot be read instead of the match silently disappearing.
        """
        rel = self.normalize(pattern)
        folder = PurePosixPath(rel).parent.as_posix()
        if any(char in folder for char in "*?["):
            raise InputError(
                tr(
                    "only the file name of {pattern!r} may hold wildcards",
                    "ワイルドカードを使えるのは {pattern!r} のファイル名の部分だけ",
                    pattern=pattern,
                ),
                path=pattern,
            )
        self._note("listing", folder)
        if self.kind(folder) != "directory":
            return []
        real = self._real_path(folder)
        name = PurePosixPath(rel).name
        try:
            names = [
                entry
                for entry, is_dir, _ in self._scan(real)
                if not is_dir and fnmatch.fnmatchcase(entry, name)
            ]
        except OSError as error:
            raise _os_error(error, folder) from None
        if len(names) > MAX_WALK_ENTRIES:
            raise InputError(
                tr(
                    "{pattern} matches more than {MAX_WALK_ENTRIES:,} files",
                    "{pattern} に一致するファイルが {MAX_WALK_ENTRIES:,} 個を超える",
                    pattern=pattern,
                    MAX_WALK_ENTRIES=MAX_WALK_ENTRIES,
                ),
                path=folder,
                kind="limit",
            )
        return sorted(entry if folder == "." else f"{folder}/{entry}" for entry in names)

    def size(self, relative: str) -> int:
        """The file's size in bytes, without reading it."""
        self._note("size", relative)
        rel = self.normalize(relative)
        if not self.is_file(rel):
            raise InputError(
                tr("file not found in the target", "ターゲットにファイルがない"),
                path=rel,
                kind="missing",
            )
        try:
            return os.stat(self._real_path(rel)).st_size  # noqa: PTH116
        except OSError as error:
            raise _os_error(error, rel) from None

    # -- reading -------------------------------------------------------------------------

    def _key_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def read_bytes(self, relative: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
        """The file's bytes, read once per build. InputError (with its kind) when it is
        missing, cannot be read, or holds more than `limit` bytes (`MAX_FILE_BYTES`; a
        machine-written report may pass `MAX_REPORT_BYTES`)."""
        rel = self.normalize(relative)
        self._note("content", rel)
        with self._key_lock((rel, "")):
            if rel not in self._bytes:
                self._bytes[rel] = self._load(rel)
        cached = self._bytes[rel]
        if isinstance(cached, InputError):
            raise cached.again()
        if len(cached) > limit:
            raise _too_large(rel, len(cached), limit)
        return cached

    def _load(self, rel: str) -> bytes | InputError:
        try:
            found = self.kind(rel)
            if found is None:
                return InputError(
                    tr("file not found in the target", "ターゲットにファイルがない"),
                    path=rel,
                    kind="missing",
                )
            if found == "directory":
                return not_a_file(rel)
            real = self._real_path(rel)
            # O_NONBLOCK: should the file have become a FIFO since `kind` looked, opening it
            # must not block; fstat below refuses it before anything is read. O_NOFOLLOW:
            # `real` holds no symlink (realpath's answer, or what the walk saw), so one there
            # now was put there since, and is not followed.
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | _NOFOLLOW)
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    return InputError(
                        tr(
                            "{rel} is not a regular file: it is not read",
                            "{rel} は通常のファイルではないため読み取らない",
                            rel=rel,
                        ),
                        path=rel,
                        kind="special",
                    )
                if info.st_size > MAX_REPORT_BYTES:
                    return _too_large(rel, info.st_size, MAX_REPORT_BYTES)
                with os.fdopen(fd, "rb", closefd=False) as stream:
                    # Asked for its size (+1): asking for the limit would have the reader
                    # allocate 64 MiB for every file, which made a scan of 10,000 small
                    # files spend half its time there. A file still growing stops at the limit.
                    data = stream.read(info.st_size + 1)
                    if len(data) > info.st_size:
                        data += stream.read(MAX_REPORT_BYTES + 1 - len(data))
            finally:
                os.close(fd)
            if len(data) > MAX_REPORT_BYTES:
                return _too_large(rel, len(data), MAX_REPORT_BYTES)
            with self._lock:
                self.reads += 1
            return data
        except InputError as error:
            return error
        except OSError as error:
            if error.errno == errno.ELOOP and os.path.islink(self._real_path(rel)):  # noqa: PTH114
                return InputError(
                    tr(
                        "{rel} became a symlink while the target was read: it is not followed",
                        "{rel} は読み取りの途中でシンボリックリンクに変わったため、辿らない",
                        rel=rel,
                    ),
                    path=rel,
                    kind="outside",
                )
            return _os_error(error, rel)

    def read_text(self, relative: str, *, limit: int = MAX_FILE_BYTES) -> str:
        """The file as UTF-8 text; InputError for a binary file, with the offending line."""
        data = self.read_bytes(relative, limit=limit)
        return decode_text(data, self.normalize(relative))

    def parse(
        self, relative: str, parser: Callable[[bytes], T], *, limit: int = MAX_FILE_BYTES
    ) -> T:
        """`parser(bytes)` for the file, computed once per (file, parser) and shared.

        A parser's `InputError` is cached too and re-raised with the file's path filled in.
        A parser that exceeds Python's recursion limit (a hostile nesting its own bounds did
        not catch) is an InputError too, never a RecursionError escaping into the check.
        """
        rel = self.normalize(relative)
        self._note("content", rel)  # every caller depends on the file, cached parse or not
        key = (rel, f"{parser.__module__}.{parser.__qualname__}")
        result = self._parsed.get(key, _UNSEEN)  # parsed already: no lock to take
        if result is not _UNSEEN:
            if isinstance(result, InputError):
                raise result.again()
            return result  # type: ignore[no-any-return]
        with self._key_lock(key):
            if key not in self._parsed:
                try:
                    data = self.read_bytes(rel, limit=limit)
                    with self._lock:
                        self.parses += 1
                    self._parsed[key] = self._run_parser(key, parser, data)
                except InputError as error:
                    self._parsed[key] = error.with_path(rel)
                except RecursionError:
                    self._parsed[key] = InputError(
                        tr("nested too deeply to read", "入れ子が深すぎて読み取れない"),
                        path=rel,
                        kind="limit",
                    )
        result = self._parsed[key]
        if isinstance(result, InputError):
            raise result.again()
        return result  # type: ignore[no-any-return]

    def _run_parser(self, key: tuple[str, str], parser: Callable[[bytes], T], data: bytes) -> T:
        if self.watch is None:
            return parser(data)
        self.watch(key)
        try:
            return parser(data)
        finally:
            self.watch(None)

    def give_up(self, key: tuple[str, str], message: str) -> None:
        """Answer every later parse of `key` (file, parser) with an InputError saying
        `message`: a parse that outlived a check's timeout would only run out of time
        again, check after check (the runner gives up on it for the rest of the run)."""
        self._parsed[key] = InputError(message, path=key[0], kind="limit")

    @property
    def files_read(self) -> list[str]:
        return sorted(self._bytes.keys() | self._read_elsewhere)

    def absorb(
        self,
        *,
        reads: int = 0,
        parses: int = 0,
        files: Iterable[str] = (),
        probed: Iterable[Probe] = (),
    ) -> None:
        """Count what a worker process read, parsed and probed in this target for this run
        (the checks run in a child process; the run's report and `serve` read it here)."""
        with self._lock:
            self.reads += reads
            self.parses += parses
            self._read_elsewhere.update(files)
            self.probed.update(probed)

    # -- what a check looked at, for the serve cache ---------------------------------------

    def _note(self, kind: str, relative: str) -> None:
        with self._lock:
            self.probed.add((kind, relative))
        trace: set[Probe] | None = getattr(self._local, "trace", None)
        if trace is not None:
            try:
                trace.add((kind, self.normalize(relative)))
            except InputError:
                trace.add((kind, relative))

    @contextmanager
    def tracing(self) -> Iterator[set[Probe]]:
        """Record what the current thread reads or probes while the block runs."""
        previous = getattr(self._local, "trace", None)
        trace: set[Probe] = set()
        self._local.trace = trace
        try:
            yield trace
        finally:
            self._local.trace = previous

    def fingerprint(self, probe: Probe) -> object:
        """What a probe sees now: a content hash, existence, a listing or a size; taken
        once per build (the serve cache asks for the same file for every check that read
        it)."""
        known = self._fingerprints.get(probe, _UNSEEN)
        if known is _UNSEEN:
            known = self._fingerprints[probe] = self._fingerprint(probe)
        return known

    def _fingerprint(self, probe: Probe) -> object:
        kind, rel = probe
        try:
            if kind == "content":
                import hashlib  # noqa: PLC0415 - only the serve cache takes fingerprints

                return hashlib.sha256(self.read_bytes(rel)).hexdigest()
            if kind == "exists":
                found = self._probe(self.normalize(rel))
                return ("error", found.message) if isinstance(found, InputError) else found
            if kind == "listing":
                return tuple(path for path, _ in self._walk(rel))
            return os.stat(self.path(rel)).st_size  # noqa: PTH116
        except InputError as error:
            return ("error", error.message)
        except OSError:
            return None


def _find(scan: tuple[tuple[str, bool, bool], ...], name: str) -> tuple[str, bool, bool] | None:
    """The entry called `name` in a sorted listing (a binary search)."""
    index = bisect.bisect_left(scan, (name,))
    if index < len(scan) and scan[index][0] == name:
        return scan[index]
    return None


def _os_error(error: OSError, rel: str) -> InputError:
    """The reason an existing path cannot be read, as an InputError of its own kind."""
    if error.errno == errno.ELOOP:
        return InputError(
            tr("{rel} is a symlink loop", "{rel} はシンボリックリンクのループ", rel=rel),
            path=rel,
            kind="loop",
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return InputError(
            tr(
                "{rel} cannot be read: permission denied",
                "{rel} を読み取れない: 権限がない",
                rel=rel,
            ),
            path=rel,
            kind="permission",
        )
    if error.errno == errno.EISDIR:
        return not_a_file(rel)
    if error.errno == errno.ENAMETOOLONG:
        return InputError(
            tr("{rel}: the path is too long to read", "{rel}: パスが長すぎて読み取れない", rel=rel),
            path=rel,
            kind="limit",
        )
    reason = error.strerror or type(error).__name__
    return InputError(
        tr(
            "{rel} cannot be read: {reason}",
            "{rel} を読み取れない: 「{reason}」",
            rel=rel,
            reason=reason,
        ),
        path=rel,
        kind="unreadable",
    )


def _too_deep(prefix: str, lead: str, deep: str) -> InputError:
    """The walk's depth bound passed at `deep`: located at the folder of the listing that
    holds the deep chain (`deep/d/d/...` is named by `deep`), the chain shortened."""
    top = lead + deep[len(lead) :].split("/", 1)[0]
    parts = deep.split("/")
    shown = deep if len(parts) <= 8 else "/".join([*parts[:4], "…", *parts[-2:]])
    below = tr("the target root", "ターゲットのルート") if prefix == "." else prefix
    return InputError(
        tr(
            "folders nested more than {MAX_WALK_DEPTH} levels deep below {below}: {shown} is not "
            "listed",
            "{below} より下のフォルダーの入れ子が {MAX_WALK_DEPTH} 段を超えるため、{shown} は一覧"
            "に含めない",
            MAX_WALK_DEPTH=MAX_WALK_DEPTH,
            below=below,
            shown=shown,
        ),
        path=top,
        kind="limit",
    )


def _too_large(rel: str, size: int, limit: int) -> InputError:
    return InputError(
        tr(
            "{rel} is {size:,} bytes, more than the {limit:,} bytes a target file may have: not "
            "read",
            "{rel} は {size:,} バイトで、ターゲットのファイルの上限 {limit:,} バイトを超えるため読"
            "み取らない",
            rel=rel,
            size=size,
            limit=limit,
        ),
        path=rel,
        kind="too_large",
    )


def _normalize(relative: str) -> str | InputError:
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        return InputError(
            tr(
                "path {relative!r} must stay inside the target",
                "パス {relative!r} はターゲットの中になければならない",
                relative=relative,
            ),
            path=relative,
            kind="outside",
        )
    return pure.as_posix() if pure.parts else "."


def decode_text(data: bytes, path: str | None = None) -> str:
    """UTF-8 text without a BOM; InputError naming the line of a NUL byte or bad UTF-8."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            tr(
                "not a text file (it contains a NUL byte)",
                "テキストファイルではない（NUL バイトを含む）",
            ),
            path=path,
            line=line,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            tr("not a UTF-8 text file", "UTF-8 のテキストファイルではない"), path=path, line=line
        ) from error
    return text.removeprefix("\ufeff")
