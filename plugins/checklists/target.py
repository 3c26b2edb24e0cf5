"""The target repository as checks see it: confined, read once, parsed once.

Everything in the target is untrusted. Every path a check asks for is relative to the target
root; `..`, absolute paths and symlinks that lead outside the root are refused with an
`InputError`. Each file is read from disk at most once per build and each (file, parser)
pair is parsed at most once, even when checks run in parallel; the counts are kept so the
report can show them.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from checklists.errors import InputError

T = TypeVar("T")
Probe = tuple[str, str]  # (kind, target path): content, exists, listing or size
Parser = Callable[[bytes], T]


class Target:
    """A read-only, path-confined view of one repository on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._bytes: dict[str, bytes | InputError] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self.reads = 0
        self.parses = 0
        self._local = threading.local()
        # Memos: the tree does not change during a build, and checks ask for the same paths.
        self._normal: dict[str, str | InputError] = {}
        self._real: dict[str, Path | InputError] = {}
        self._root_str = str(self.root)
        self._kinds: dict[str, tuple[bool, bool]] = {}
        self._listings: dict[str, tuple[str, ...]] = {}
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
        rel = self.normalize(relative)
        real = self._real.get(rel)
        if real is None:
            found = os.path.realpath(f"{self._root_prefix}{rel}")
            if found != self._root_str and not found.startswith(self._root_prefix):
                real = InputError(f"{rel} is a symlink that leads outside the target", path=rel)
            else:
                real = Path(found)
            self._real[rel] = real
        if isinstance(real, InputError):
            raise real.again()
        return real

    def exists(self, relative: str) -> bool:
        """Whether the path exists. A symlink that leads outside is an InputError, not False,
        so a check never mistakes an escaping link for a missing file."""
        self._note("exists", relative)
        return self._kind(relative)[0]

    def is_file(self, relative: str) -> bool:
        self._note("exists", relative)
        return self._kind(relative)[1]

    def _kind(self, relative: str) -> tuple[bool, bool]:
        """(exists, is a file), asked of the disk once per path and build."""
        real = str(self.path(relative))
        known = self._kinds.get(real)
        if known is None:
            try:
                known = (True, stat.S_ISREG(os.stat(real).st_mode))  # noqa: PTH116
            except (OSError, ValueError):
                known = (False, False)
            self._kinds[real] = known
        return known

    def files(self, directory: str = ".") -> Iterator[str]:
        """Every regular file under `directory`, as sorted target paths, symlinks not followed."""
        self._note("listing", directory)
        rel = self.normalize(directory)
        listing = self._listings.get(rel)
        if listing is None:  # walked once per build; checks often list the same context
            listing = self._listings[rel] = tuple(self._walk(rel))
        return iter(listing)

    def _walk(self, directory: str) -> Iterator[str]:
        base = str(self.path(directory))
        prefix = self.normalize(directory)
        lead = "" if prefix == "." else f"{prefix}/"
        for current, dirnames, filenames in os.walk(base):
            dirnames.sort()
            rel_dir = current[len(base) :].lstrip("/")  # os.walk joins below `base` with "/"
            start = f"{lead}{rel_dir}/" if rel_dir else lead
            for name in sorted(filenames):
                if not os.path.islink(f"{current}/{name}"):  # noqa: PTH114 - str paths are faster
                    yield f"{start}{name}"

    def glob(self, pattern: str) -> list[str]:
        """Target files matching a glob such as 'reports/measurements/*.json', sorted."""
        rel = self.normalize(pattern)
        folder = PurePosixPath(rel).parent.as_posix()
        if any(char in folder for char in "*?["):
            raise InputError(f"only the file name of {pattern!r} may hold wildcards", path=pattern)
        self._note("listing", folder)
        real = self.path(folder)
        if not real.is_dir():
            return []
        name = PurePosixPath(rel).name
        return sorted(
            entry.name if folder == "." else f"{folder}/{entry.name}"
            for entry in real.iterdir()
            if fnmatch.fnmatchcase(entry.name, name) and entry.is_file() and not entry.is_symlink()
        )

    def size(self, relative: str) -> int:
        """The file's size in bytes, without reading it."""
        self._note("size", relative)
        try:
            return self.path(relative).stat().st_size
        except OSError as error:
            raise InputError(f"cannot read the file: {error.strerror}", path=relative) from error

    # -- reading -------------------------------------------------------------------------

    def _key_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def read_bytes(self, relative: str) -> bytes:
        """The file's bytes, read once per build. InputError if missing or outside the root."""
        rel = self.normalize(relative)
        self._note("content", rel)
        with self._key_lock((rel, "")):
            if rel not in self._bytes:
                self._bytes[rel] = self._load(rel)
        cached = self._bytes[rel]
        if isinstance(cached, InputError):
            raise cached.again()
        return cached

    def _load(self, rel: str) -> bytes | InputError:
        try:
            real = self.path(rel)
            if not real.is_file():
                return InputError("file not found in the target", path=rel)
            with self._lock:
                self.reads += 1
            return real.read_bytes()
        except InputError as error:
            return error
        except OSError as error:
            return InputError(f"cannot read the file: {error.strerror}", path=rel)

    def read_text(self, relative: str) -> str:
        """The file as UTF-8 text; InputError for a binary file, with the offending line."""
        data = self.read_bytes(relative)
        return decode_text(data, self.normalize(relative))

    def parse(self, relative: str, parser: Callable[[bytes], T]) -> T:
        """`parser(bytes)` for the file, computed once per (file, parser) and shared.

        A parser's `InputError` is cached too and re-raised with the file's path filled in;
        so is a RecursionError (data nested deeper than the parser recurses), as an
        InputError naming the file.
        """
        rel = self.normalize(relative)
        self._note("content", rel)  # every caller depends on the file, cached parse or not
        key = (rel, f"{parser.__module__}.{parser.__qualname__}")
        with self._key_lock(key):
            if key not in self._parsed:
                try:
                    data = self.read_bytes(rel)
                    with self._lock:
                        self.parses += 1
                    self._parsed[key] = self._run_parser(key, parser, data)
                except InputError as error:
                    self._parsed[key] = error.with_path(rel)
                except RecursionError:  # data nested deeper than the parser can recurse
                    self._parsed[key] = InputError("nested too deeply to read", path=rel)
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
        self._parsed[key] = InputError(message, path=key[0])

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
        """What a probe sees now: a content hash, existence, a listing or a size."""
        kind, rel = probe
        try:
            if kind == "content":
                return hashlib.sha256(self.read_bytes(rel)).hexdigest()
            real = self.path(rel)
            if kind == "exists":
                return (real.exists(), real.is_file())
            if kind == "listing":
                return tuple(self._walk(rel)) if real.is_dir() else None
            return real.stat().st_size
        except InputError as error:
            return ("error", error.message)
        except OSError:
            return None


def _normalize(relative: str) -> str | InputError:
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        return InputError(f"path {relative!r} must stay inside the target", path=relative)
    return pure.as_posix() if pure.parts else "."


def decode_text(data: bytes, path: str | None = None) -> str:
    """UTF-8 text without a BOM; InputError naming the line of a NUL byte or bad UTF-8."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError("not a text file (it contains a NUL byte)", path=path, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("not a UTF-8 text file", path=path, line=line) from error
    return text.removeprefix("\ufeff")
