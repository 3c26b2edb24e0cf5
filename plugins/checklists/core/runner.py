"""Evaluate every distinct (check, params) once, in parallel, each with a timeout.

Bindings from all pages are resolved first (unknown ids and bad parameters become located
errors), then the distinct evaluations run in a worker process forked for the purpose
(see `_Isolated`), on threads there as before (see `_run_threads`). A check that raises
becomes an `error` outcome with its traceback in the log. A check that outlives its
timeout is stopped with the worker process, even one stuck in C code that never lets go
of the interpreter lock (a catastrophic regular expression), and becomes `error`; so does
a check that ends its process. Either way every other check still runs and the run ends.
When the system refuses the worker process, each task not run is an `error` that says so.
Where the system cannot fork, the checks run on daemon threads of this process and a
hung one is abandoned.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import mmap
import os
import pickle
import posixpath
import select
import signal
import struct
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, overload

from checklists.core.bindings import Item, params_key
from checklists.core.cache import ResultCache
from checklists.core.errors import InputError
from checklists.core.message import Message, tr
from checklists.core.model import Environment, Evidence, Outcome, Status
from checklists.core.registry import CheckSpec, Registry
from checklists.core.target import Probe, Target


class Log(Protocol):
    def debug(self, msg: str, /, *args: object) -> None: ...
    def info(self, msg: str, /, *args: object) -> None: ...
    def warning(self, msg: str, /, *args: object) -> None: ...
    def error(self, msg: str, /, *args: object) -> None: ...


@dataclass(frozen=True, slots=True)
class Task:
    """One distinct evaluation: a check with fully resolved parameters."""

    spec: CheckSpec
    params: Mapping[str, Any]
    environment: Environment | None = None
    key: tuple[str, str] = field(init=False, compare=False)  # computed once: it is looked up often

    def __post_init__(self) -> None:
        env = {"env": self.environment.name} if self.environment else {}
        object.__setattr__(self, "key", (self.spec.id, params_key({**self.params, **env})))


# radon D: one early return per way a binding can be wrong, each with its own message
def resolve(
    item: Item,
    registry: Registry,
    defaults: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]] | None = None,
) -> Task | Outcome:
    """The task an item asks for, or an `error` outcome saying what is wrong with the binding."""
    loc = item.location
    if item.error:
        return Outcome.error(
            tr(
                "{where}: {error}",
                "{where}: バインディングの誤り: {error}",
                where=loc,
                error=item.error,
            ),
            _binding(item),
        )
    spec = registry.get(item.check_id or "")
    if spec is None:
        ids = [spec.id for spec in registry]
        near = difflib.get_close_matches(item.check_id or "", ids, n=1)
        hint = (
            tr("; did you mean {near!r}?", "（{near!r} の誤りではありませんか）", near=near[0])
            if near
            else ""
        )
        return Outcome.error(
            tr(
                "{where}: unknown check id {id!r}{hint}",
                "{where}: 不明なチェック ID {id!r}{hint}",
                where=loc,
                id=item.check_id or "",
                hint=hint,
            ),
            _binding(item),
        )
    if spec.is_metric != item.metric:
        want = "metric" if spec.is_metric else "check"
        return Outcome.error(
            tr(
                "{where}: {id} is a {want}; bind it with <!-- {want}: {id} -->",
                "{where}: {id} は {want} です。<!-- {want}: {id} --> で結び付けてください",
                where=loc,
                id=spec.id,
                want=want,
            ),
            _binding(item),
        )
    environment = None
    if item.environment is not None:
        environments = environments or {}
        if item.environment not in environments:
            known = list(environments) or tr("none", "なし")
            return Outcome.error(
                tr(
                    "{where}: unknown environment {env!r} (configured in the plugin's "
                    "'environments': {known})",
                    "{where}: 不明な環境 {env!r}（プラグインの 'environments' にあるもの: "
                    "{known}）",
                    where=loc,
                    env=item.environment,
                    known=known,
                ),
                _binding(item),
            )
        if "environment" not in spec.params:
            return Outcome.error(
                tr(
                    "{where}: {id} takes no environment",
                    "{where}: {id} は環境を取りません",
                    where=loc,
                    id=spec.id,
                ),
                _binding(item),
            )
        environment = Environment(item.environment, dict(environments[item.environment]))
    unknown = sorted(set(item.params) - set(spec.params) - {"environment"})
    if unknown:
        accepted = list(spec.params) or tr("no parameters", "パラメータなし")
        return Outcome.error(
            tr(
                "{where}: {id} has no parameter {unknown} (it takes: {accepted})",
                "{where}: {id} にパラメータ {unknown} はありません（取るもの: {accepted}）",
                where=loc,
                id=spec.id,
                unknown=unknown,
                accepted=accepted,
            ),
            _binding(item),
        )
    params = {
        name: item.params[name] if name in item.params else defaults[name]
        for name in spec.params
        if name != "environment" and (name in item.params or name in defaults)
    }
    given = set(params) | ({"environment"} if environment else set())
    missing = [n for n, d in spec.params.items() if d is inspect.Parameter.empty and n not in given]
    if missing:
        return Outcome.error(
            tr(
                "{where}: {id} needs the parameter(s) {missing}; set them in the binding or in "
                "the plugin's 'defaults'",
                "{where}: {id} にはパラメータ {missing} が必要です。バインディングかプラグインの "
                "'defaults' で指定してください",
                where=loc,
                id=spec.id,
                missing=missing,
            ),
            _binding(item),
        )
    return Task(spec, params, environment)


def _binding(item: Item) -> Evidence:
    """The evidence of a binding's error: where it is (made only for an error)."""
    return Evidence(tr("binding at {where}", "バインディング（{where}）", where=item.location))


def run_one(task: Task, target: Target, log: Log) -> Outcome:
    """Call the check; exceptions become `error` outcomes, never escape.

    An input the check could not take (a file it could not read, text that is not UTF-8,
    data or folders nested deeper than Python recurses) is a one-line error, without the
    traceback a bug in the check gets in the log. Every text of the outcome can be written
    (`printable`).
    """
    return printable(_call(task, target, log))


def _call(task: Task, target: Target, log: Log) -> Outcome:
    source = _source(task)
    check = task.spec.id
    try:
        env = {"environment": task.environment} if task.environment else {}
        outcome = task.spec.function(target, **task.params, **env)
    except InputError as error:
        return Outcome.error(
            unreadable(error), Evidence(read_error(error), path=error.path, line=error.line)
        )
    except RecursionError:
        return Outcome.error(
            tr(
                "the check {id} could not read its input: nested too deeply (folders or data "
                "deeper than can be followed)",
                "チェック {id} は入力を読み取れませんでした: 入れ子が深すぎます（辿れる深さを"
                "超えるフォルダーかデータ）",
                id=check,
            ),
            source,
        )
    except UnicodeDecodeError as error:
        return Outcome.error(
            tr(
                "the check {id} read text that is not UTF-8 (byte {byte})",
                "チェック {id} が UTF-8 でないテキストを読みました（{byte} バイト目）",
                id=check,
                byte=error.start + 1,
            ),
            source,
        )
    except OSError as error:
        name = _in_target(error.filename, target)
        return Outcome.error(
            tr(
                "the check {id} could not read {name}: {reason}",
                "チェック {id} は {name} を読み取れませんでした: {reason}",
                id=check,
                name=name,
                reason=str(error.strerror or error),
            ),
            Evidence(tr("the file could not be read", "ファイルを読み取れない"), path=name),
        )
    except (SystemExit, KeyboardInterrupt) as error:  # raised by the check: its own error
        return Outcome.error(
            tr(
                "the check {id} raised {kind}({error})",
                "チェック {id} が {kind}({error}) を送出しました",
                id=check,
                kind=type(error).__name__,
                error=str(error),
            ),
            source,
        )
    except Exception as error:  # noqa: BLE001 - one broken check must never stop the others
        log.error(
            "check %s raised %s:\n%s", task.spec.id, type(error).__name__, traceback.format_exc()
        )
        return Outcome.error(
            tr(
                "the check {id} failed with {kind}: {error}",
                "チェック {id} が {kind} で失敗しました: {error}",
                id=check,
                kind=type(error).__name__,
                error=str(error),
            ),
            source,
        )
    if not isinstance(outcome, Outcome):
        return Outcome.error(
            tr(
                "the check {id} returned {kind}, not an Outcome",
                "チェック {id} が Outcome ではなく {kind} を返しました",
                id=check,
                kind=type(outcome).__name__,
            ),
            source,
        )
    return outcome


def read_error(error: InputError) -> str:
    """What a reader could not read, in both languages: the reader's own words (a parser's
    diagnostic, kept as it says it) after a Japanese frame."""
    return tr("{message}", "読み取りエラー: {message}", message=error.message)


def unreadable(error: InputError) -> str:
    """The summary of an input that could not be read: where, and the reader's words."""
    if not error.location:
        return read_error(error)
    japanese = _UNREADABLE.get(error.kind, "{where} を読み取れません: {message}")
    return tr("{where}: {message}", japanese, where=error.location, message=error.message)


# The Japanese frame of an input error by its kind (the English says only where and what).
_UNREADABLE = {
    "implausible": "{where} の内容は信頼できません: {message}",
    "limit": "{where} は読み取りの上限を超えています: {message}",
    "refused": "{where} は実際のツールが受け付けない入力です: {message}",
    "too_large": "{where} は大きすぎて読み取れません: {message}",
}


def _source(task: Task) -> Evidence:
    return Evidence(tr("source: {source}", "実装: {source}", source=task.spec.source))


def _in_target(filename: object, target: Target) -> str:
    """A file an OSError names, as a target path when it is inside the target."""
    if not isinstance(filename, str | bytes):
        return "a file"
    name = os.fsdecode(filename)
    relative = os.path.relpath(name, target.root) if Path(name).is_absolute() else name
    return name if relative.startswith("..") else relative


def printable(outcome: Outcome) -> Outcome:
    """The outcome with every text encodable as UTF-8: a file name that is not UTF-8 reaches
    Python as lone surrogates, which no page or report could be written with; they become
    visible escapes (\\udcff)."""
    texts = [outcome.summary, outcome.value or ""]
    texts += [t or "" for e in outcome.evidence for t in (e.note, e.path, e.excerpt)]
    texts += list(outcome.localized.values())
    if all(_encodable(text) for text in texts):
        return outcome
    return replace(
        outcome,
        summary=_escaped(outcome.summary),
        value=_escaped(outcome.value),
        evidence=tuple(
            replace(e, note=_escaped(e.note), path=_escaped(e.path), excerpt=_escaped(e.excerpt))
            for e in outcome.evidence
        ),
        localized={k: _escaped(v) for k, v in outcome.localized.items()},
    )


def _encodable(text: str) -> bool:
    if not isinstance(text, str) or text.isascii():  # not text: pickling it will tell
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@overload
def _escaped(text: str) -> str: ...
@overload
def _escaped(text: None) -> None: ...
def _escaped(text: str | None) -> str | None:
    if text is None or _encodable(text):
        return text
    if isinstance(text, Message):  # both languages quote the same name
        return Message.texts(_escaped(text.en), _escaped(text.ja))
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _Reporter(Protocol):
    """Told when a task starts and what it gave (the worker process tells its parent)."""

    def started(self, task: Task, when: float) -> None: ...
    def finished(self, task: Task, outcome: Outcome, probes: set[Probe]) -> None: ...


class _Runs:
    """Shared state of one evaluation: finished outcomes and what is running since when."""

    def __init__(
        self,
        target: Target,
        log: Log,
        cache: ResultCache | None,
        reporter: _Reporter | None = None,
    ) -> None:
        self.target, self.log, self.cache, self.reporter = target, log, cache, reporter
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.results: dict[tuple[str, str], Outcome] = {}
        self.running: dict[tuple[str, str], tuple[Task, float]] = {}
        self.remaining = 0  # wanted results not in yet; the caller sets it

    def run(self, task: Task) -> None:
        """Run one task on the calling thread; a result after a timeout is dropped."""
        started = time.monotonic()
        with self.lock:
            self.running[task.key] = (task, started)
        if self.reporter is not None:
            self.reporter.started(task, started)
        with self.target.tracing() as probes:
            outcome = run_one(task, self.target, self.log)
        if self.reporter is not None:  # before it counts: the end must follow every result
            self.reporter.finished(task, outcome, probes)
        with self.lock:
            del self.running[task.key]
            late = task.key in self.results
            if not late:
                self.results[task.key] = outcome
                self.remaining -= 1
            wake = task.spec.external or self.remaining == 0
        if self.cache is not None and not late:
            self.cache.store(self.target, task.spec, task.key, outcome, probes)
        if wake:  # a free slot for an external check, or the end; pure checks just go on
            self.wake.set()

    def expire(self, timeout: float) -> list[Task]:
        """Give up on tasks running longer than `timeout`; return them."""
        now, expired = time.monotonic(), []
        with self.lock:
            for key, (task, started) in list(self.running.items()):
                if now - started >= timeout and key not in self.results:
                    self.results[key] = timed_out(task, timeout)
                    self.remaining -= 1
                    expired.append(task)
        for task in expired:
            self.log.error("check %s timed out after %ss", task.spec.id, f"{timeout:g}")
        return expired


def timed_out(task: Task, timeout: float, parse: tuple[str, str] | None = None) -> Outcome:
    if parse is None:
        return Outcome.error(
            tr(
                "the check {id} timed out after {timeout:g} s",
                "チェック {id} が {timeout:g} 秒でタイムアウトしました",
                id=task.spec.id,
                timeout=timeout,
            ),
            _source(task),
        )
    return Outcome.error(
        tr(
            "the check {id} timed out after {timeout:g} s while reading {path}",
            "チェック {id} が {path} の読み取り中に {timeout:g} 秒でタイムアウトしました",
            id=task.spec.id,
            timeout=timeout,
            path=parse[0],
        ),
        Evidence(
            tr(
                "reading it with {reader} did not finish",
                "{reader} での読み取りが終わらなかった",
                reader=parse[1],
            ),
            path=parse[0],
        ),
    )


def run_all(
    tasks: Sequence[Task],
    target: Target,
    log: Log,
    *,
    timeout: float,
    workers: int,
    cache: ResultCache | None = None,
    isolate: bool = True,
) -> tuple[dict[tuple[str, str], Outcome], int]:
    """Evaluate the tasks, each within `timeout` seconds; return outcomes and how many ran.

    With `isolate` (the default) and where the system can fork, the checks run in a worker
    process that is killed when a check outlives its timeout (see `_run_forked`); without,
    on threads of this process, where a check stuck in C code cannot be stopped. With a
    cache, a task whose inputs did not change is not run again.
    """
    state = _Runs(target, log, cache)
    pending: list[Task] = []
    for task in {task.key: task for task in tasks}.values():
        cached = cache.lookup(target, task.spec, task.key) if cache else None
        if cached is None:
            pending.append(task)
        else:
            state.results[task.key] = cached
    if not pending:
        return state.results, 0
    if isolate and hasattr(os, "fork"):
        state.results.update(
            _run_shares(pending, target, log, cache=cache, timeout=timeout, workers=workers)
        )
    else:
        state.remaining = len(pending)
        _run_threads(pending, state, timeout, workers)
    return state.results, len(pending)


def _run_threads(
    pending: list[Task],
    state: _Runs,
    timeout: float | None,
    workers: int,
    parent_alive: Callable[[], bool] | None = None,
) -> None:
    """Run the tasks on threads of this process until `state.remaining` is 0.

    Pure-Python checks run one after another on a single worker thread: threads would only
    fight over the interpreter lock (measured: 2x slower with a thread per check). Checks
    that wait on external programs (`external=True`) run on up to `workers` threads of their
    own. With a `timeout`, a hung check is abandoned (daemon threads never block the exit)
    and a fresh worker takes the rest; without (in a worker process), the parent process
    watches the time, and `parent_alive` says when that parent is gone: then nobody waits
    for the rest and the run returns.
    """
    pure = deque(t for t in pending if not t.spec.external)  # taken from the front: O(1)
    external = deque(t for t in pending if t.spec.external)
    generation = [0]

    def pure_worker(mine: int) -> None:
        while generation[0] == mine:
            with state.lock:
                if not pure:
                    return
                task = pure.popleft()
            state.run(task)

    def start(function: object, *args: object) -> None:
        threading.Thread(target=function, args=args, daemon=True).start()  # type: ignore[arg-type]

    start(pure_worker, 0)
    poll = 1.0 if timeout is None else min(0.05, timeout)
    while True:
        state.wake.clear()  # before looking: a wake-up after the look is not lost
        with state.lock:
            done = state.remaining == 0
            busy = sum(1 for t, _ in state.running.values() if t.spec.external)
            while external and busy < max(1, workers):
                start(state.run, external.popleft())
                busy += 1
        if done:
            return
        state.wake.wait(poll)
        if parent_alive is not None and not parent_alive():
            return
        if timeout is not None and any(not t.spec.external for t in state.expire(timeout)):
            generation[0] += 1  # the hung worker stops after its task; a new one goes on
            start(pure_worker, generation[0])


# -- the worker process ------------------------------------------------------------------
#
# The parent forks a child that runs `_run_threads` over the tasks. The child notes in
# shared memory which task each of its threads is running and since when (no system call
# per check), and sends the results over a pipe in batches. The parent watches the clock:
# when a task outlives its timeout, the parent kills the child (and everything the child
# started: its own process group), records the timeout and forks a fresh child for the
# tasks without a result. A child that dies (a crash in C code, os._exit) costs only the
# tasks it was running; when several were running, each is run again alone to find the one
# that ends its process. Fork keeps the start cheap (no imports; the loaded checks and the
# target's caches are inherited) and each file is still parsed once within a child. The
# pipe carries pickles made by the child from the checks' outcomes: both ends are this
# program, the target's data is only ever a value inside them.

_FRAME = struct.Struct("<I")
_SLOT = struct.Struct("<qd")  # task number + 1 (0: free), when it started (time.monotonic)
_PARSE = struct.Struct("<H")  # the length of the parse key that follows (0: not parsing)
_PARSE_ROOM = 1024  # bytes for the key: the file and the parser, NUL between
_SLOT_SIZE = _SLOT.size + _PARSE.size + _PARSE_ROOM
_CRASHED = 70  # the child's exit status when its own harness failed
_ORPHANED = 71  # the child's exit status when it found its parent gone
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_BATCH = 512  # results per message at most
_EXITING = 1.0  # seconds a child that sent its end has to exit before it is ended
_FLUSH = 0.02  # seconds a result may wait in the child before it is sent


class _Slots:
    """Shared memory: what each running thread of the child is evaluating, since when, and
    which file it is parsing (so a timeout can name the file and give up on it)."""

    def __init__(self, count: int) -> None:
        self.memory = mmap.mmap(-1, count * _SLOT_SIZE)  # anonymous and shared: survives fork
        self.count = count
        self.free = list(range(count))
        self.lock = threading.Lock()

    def take(self, number: int, when: float) -> int:
        with self.lock:
            slot = self.free.pop()
        _SLOT.pack_into(self.memory, slot * _SLOT_SIZE, number + 1, when)
        return slot

    def release(self, slot: int) -> None:
        _SLOT.pack_into(self.memory, slot * _SLOT_SIZE, 0, 0.0)
        self.parsing(slot, None)
        with self.lock:
            self.free.append(slot)

    def parsing(self, slot: int, key: tuple[str, str] | None) -> None:
        """Note the (file, parser) the slot's check is parsing; None when it is done."""
        offset = slot * _SLOT_SIZE + _SLOT.size
        data = b"" if key is None else "\0".join(key).encode("utf-8", "surrogateescape")
        if len(data) > _PARSE_ROOM:
            data = b""  # too long to note: the timeout will not name it
        self.memory[offset + _PARSE.size : offset + _PARSE.size + len(data)] = data
        _PARSE.pack_into(self.memory, offset, len(data))

    def running(self) -> dict[int, float]:
        """Task number -> when it started, as the child last noted it."""
        found = {}
        for slot in range(self.count):
            number, when = _SLOT.unpack_from(self.memory, slot * _SLOT_SIZE)
            if number:
                found[number - 1] = when
        return found

    def parses(self) -> dict[int, tuple[str, str]]:
        """Task number -> the (file, parser) it was parsing; read once the child is gone."""
        found = {}
        for slot in range(self.count):
            offset = slot * _SLOT_SIZE
            number, _ = _SLOT.unpack_from(self.memory, offset)
            (size,) = _PARSE.unpack_from(self.memory, offset + _SLOT.size)
            if number and size:
                start = offset + _SLOT.size + _PARSE.size
                text = self.memory[start : start + size].decode("utf-8", "surrogateescape")
                rel, _, parser = text.partition("\0")
                found[number - 1] = (rel, parser)
        return found


class _Channel:
    """The child's end of the pipe: one length-prefixed pickle per message."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.lock = threading.Lock()

    def send(self, data: bytes) -> None:
        view = memoryview(_FRAME.pack(len(data)) + data)
        with self.lock:
            while view:
                view = view[os.write(self.fd, view) :]


class _ChildReporter:
    """In the child: notes each start in the shared slots and gathers results and log lines
    (with what the check read, for the serve cache: the fingerprints, taken here where the
    files were read) into batches for the parent."""

    def __init__(
        self, channel: _Channel, slots: _Slots, tasks: Sequence[Task], target: Target, cache: bool
    ) -> None:
        self.channel, self.slots, self.target, self.cache = channel, slots, target, cache
        self.tasks = list(tasks)
        self.index = {task.key: number for number, task in enumerate(tasks)}
        self.base = (target.reads, target.parses)  # what the parent had counted already
        self.lock = threading.Lock()
        self.local = threading.local()
        self.buffer: list[tuple[Any, ...]] = []
        self.flushed = time.monotonic()

    def started(self, task: Task, when: float) -> None:
        self.local.slot = self.slots.take(self.index[task.key], when)

    def parsing(self, key: tuple[str, str] | None) -> None:
        slot = getattr(self.local, "slot", None)
        if slot is not None:
            self.slots.parsing(slot, key)

    def finished(self, task: Task, outcome: Outcome, probes: set[Probe]) -> None:
        seen = {p: self.target.fingerprint(p) for p in sorted(probes)} if self.cache else {}
        self.add(("done", self.index[task.key], outcome, seen))
        self.slots.release(self.local.slot)  # after the result is out of the check's hands

    def add(self, message: tuple[Any, ...]) -> None:
        with self.lock:
            self.buffer.append(message)
            due = len(self.buffer) >= _BATCH or time.monotonic() - self.flushed >= _FLUSH
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            batch, self.buffer, self.flushed = self.buffer, [], time.monotonic()
        counts = (self.target.reads - self.base[0], self.target.parses - self.base[1])
        try:
            data = pickle.dumps(("batch", batch, counts), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a check's odd value: find it, keep the rest
            batch = [self._portable(message) for message in batch]
            data = pickle.dumps(("batch", batch, counts), protocol=pickle.HIGHEST_PROTOCOL)
        self.channel.send(data)

    def _portable(self, message: tuple[Any, ...]) -> tuple[Any, ...]:
        try:
            pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 - reported as the check's error
            if message[0] != "done":
                return ("log", "error", f"a log line could not be passed on: {error}")
            spec = self.tasks[message[1]].spec
            broken = Outcome.error(
                tr(
                    "the check {id} returned an outcome that cannot be passed on ({kind}: {error})",
                    "チェック {id} が受け渡せない結果を返しました（{kind}: {error}）",
                    id=spec.id,
                    kind=type(error).__name__,
                    error=str(error),
                ),
                Evidence(tr("source: {source}", "実装: {source}", source=spec.source)),
            )
            return ("done", message[1], broken, {})
        return message

    def end(self) -> None:
        self.flush()
        end = ("end", self.target.files_read, sorted(self.target.probed))
        self.channel.send(pickle.dumps(end, protocol=pickle.HIGHEST_PROTOCOL))


class _ChildLog:
    """The engine's log inside the child: every line goes to the parent's log."""

    def __init__(self, reporter: _ChildReporter) -> None:
        self.reporter = reporter

    def _send(self, level: str, msg: str, args: tuple[object, ...]) -> None:
        self.reporter.add(("log", level, msg % args if args else msg))

    def debug(self, msg: str, /, *args: object) -> None:
        self._send("debug", msg, args)

    def info(self, msg: str, /, *args: object) -> None:
        self._send("info", msg, args)

    def warning(self, msg: str, /, *args: object) -> None:
        self._send("warning", msg, args)

    def error(self, msg: str, /, *args: object) -> None:
        self._send("error", msg, args)


def _fresh_streams() -> None:
    """In a forked child: sys.stdout and sys.stderr of its own, over the same descriptors.

    CPython does not make a buffered stream's lock afresh in a child (python/cpython#84579):
    when a thread of the parent was writing to one at the fork (MkDocs logs on its thread
    while the checks' thread forks), the child's copy of the lock stays taken, and the
    child's first write or its last flush would wait forever (or fail as a "reentrant
    call" when a thread of the child happens to get the writer's thread id)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            fd = stream.fileno()  # takes no lock
        except (AttributeError, OSError, ValueError):  # none, or not a descriptor (captured)
            continue
        fresh = open(  # noqa: SIM115 - a descriptor, kept open for the child's life
            fd, "w", encoding=getattr(stream, "encoding", None) or "utf-8",
            errors="backslashreplace", closefd=False,
        )  # fmt: skip
        setattr(sys, name, fresh)


def _die_with_parent(parent: int) -> None:
    """In the forked worker: have the kernel kill it the moment its parent dies (Linux's
    parent-death signal), so a build that is itself killed (SIGKILL, an OOM kill, a CI
    runner cancelling) leaves no worker behind, even one stuck in C code. A parent that
    died before this was set is caught by the look at `getppid` right after; elsewhere,
    `_run_threads` looks again every second.

    The signal is tied to the thread that forked: that thread waits in `session` until
    the worker is gone, so it cannot end first (under `mkdocs serve` the builds run on a
    thread of their own).
    """
    _parent_death_signal()
    if os.getppid() != parent:
        os._exit(_ORPHANED)


def _parent_death_signal() -> None:
    """`prctl(PR_SET_PDEATHSIG, SIGKILL)` where the system has it (Linux)."""
    prctl = _prctl()
    if prctl is not None:
        with contextlib.suppress(OSError, AttributeError):
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_PRCTL: list[Callable[..., int] | None] = []


def _prctl() -> Callable[..., int] | None:
    """libc's `prctl` (Linux), looked up once: the parent asks before it forks, so a worker
    does not import ctypes again for each session (~5 ms of each serve rebuild)."""
    if not _PRCTL:
        found = None
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError, ImportError):
                import ctypes  # noqa: PLC0415 - only the forked workers need it

                found = ctypes.CDLL(None, use_errno=True).prctl
        _PRCTL.append(found)
    return _PRCTL[0]


def _child(
    fd: int,
    slots: _Slots,
    *,
    tasks: list[Task],
    target: Target,
    workers: int,
    cache: bool,
    parent: int,
) -> None:
    reporter = _ChildReporter(_Channel(fd), slots, tasks, target, cache)
    target.watch = reporter.parsing
    state = _Runs(target, _ChildLog(reporter), None, reporter)
    state.remaining = len(tasks)
    _run_threads(tasks, state, None, workers, parent_alive=lambda: os.getppid() == parent)
    if os.getppid() != parent:
        os._exit(_ORPHANED)  # nobody reads the pipe any more
    reporter.end()


@dataclass
class _Session:
    """What one child did with its batch: results, the tasks it ran out of time on, how it
    ended."""

    batch: list[Task]
    results: dict[int, Outcome] = field(default_factory=dict)
    running: dict[int, float] = field(default_factory=dict)  # when the child ended or was ended
    overdue: list[int] = field(default_factory=list)
    parsing: dict[int, tuple[str, str]] = field(default_factory=dict)  # when it was ended
    ended: bool = False  # the child said it was done
    status: str = ""  # how the child ended when it did not say so
    counts: tuple[int, int] = (0, 0)  # files the child read and parsed


@dataclass
class _Isolated:
    """The parent's side: forks children, watches the clock, collects what they found."""

    target: Target
    log: Log
    cache: ResultCache | None
    timeout: float
    workers: int
    # Held while this parent touches what a child inherits, and across each fork, when
    # several of these run side by side on threads (`_run_shares`).
    guard: threading.Lock | None = None

    def _guarded(self) -> contextlib.AbstractContextManager[object]:
        return self.guard if self.guard is not None else contextlib.nullcontext()

    def run(self, pending: list[Task]) -> dict[tuple[str, str], Outcome]:
        """Evaluate in worker processes, each task within the timeout; always ends.

        Every session settles at least one task (a result, a timeout, a task that ended its
        process, or, when a child died running nothing, its whole batch), so the loop ends.
        `suspects` were running beside others when their process died: each runs again
        alone.
        """
        results: dict[tuple[str, str], Outcome] = {}
        todo = {task.key: task for task in pending}
        suspects: list[tuple[str, str]] = []
        while todo:
            session = self.session([todo[suspects.pop(0)]] if suspects else list(todo.values()))
            batch = session.batch
            for number, outcome in session.results.items():
                results[batch[number].key] = outcome
            running = [n for n in session.running if batch[n].key not in results]
            if session.overdue:
                for number in session.overdue:
                    task, parse = batch[number], session.parsing.get(number)
                    results[task.key] = timed_out(task, self.timeout, parse)
                    self.log.error(results[task.key].summary)
                    if parse is not None:  # it would run out of time for every other check too
                        self.target.give_up(
                            parse,
                            tr(
                                "reading it took longer than the {timeout:g} s a check may run; "
                                "not read again in this run",
                                "読み取りがチェックの実行時間の上限 {timeout:g} 秒を超えたため、"
                                "この実行では再び読み取らない",
                                timeout=self.timeout,
                            ),
                        )
            elif session.ended:  # a child that says it is done has run all it was given
                for task in batch:
                    if task.key not in results:
                        results[task.key] = _lost(
                            task,
                            tr(
                                "the process that ran it gave no result",
                                "実行したプロセスが結果を返さなかった",
                            ),
                        )
            elif len(running) == 1:
                task, what = batch[running[0]], f"ended the process that ran it ({session.status})"
                results[task.key] = _lost(
                    task,
                    tr(
                        "it ended the process that ran it ({status})",
                        "実行したプロセスが終了した（{status}）",
                        status=session.status,
                    ),
                )
                self.log.error(f"check {task.spec.id} {what}")
            elif running:
                suspects += [batch[number].key for number in running]
            elif not session.results:  # the process ended, or stalled, outside any check
                for task in batch:
                    results[task.key] = _lost(
                        task,
                        tr(
                            "its process failed ({status})",
                            "プロセスが失敗した（{status}）",
                            status=session.status,
                        ),
                    )
            for task in batch:
                if task.key in results:
                    del todo[task.key]
        return results

    def session(self, batch: list[Task]) -> _Session:
        """Run `batch` in a fresh child; return when it is done, has died or was killed."""
        slots = _Slots(2 + max(1, self.workers))  # the pure worker, the external ones, a spare
        try:
            with self._guarded():  # no other child may inherit this pipe's write end
                pid, read_fd = self.fork(slots, batch)
        except OSError as error:  # the system refused a process or a pipe
            slots.memory.close()
            return self._refused(batch, error)
        with contextlib.suppress(OSError):  # the child does the same; whichever runs first
            os.setpgid(pid, pid)
        session, reaped = _Session(batch), False
        try:
            reaped = self.watch(session, pid, read_fd, slots)
        finally:
            os.close(read_fd)
            if not reaped:
                _kill(pid)
                _, code = os.waitpid(pid, 0)
                session.status = session.status or _exit_text(code)
                session.parsing = slots.parses()  # the child is gone: nothing moves now
            with self._guarded():
                self.target.absorb(reads=session.counts[0], parses=session.counts[1])
            slots.memory.close()
        return session

    def _refused(self, batch: list[Task], error: OSError) -> _Session:
        """A session that never ran: each task of `batch` an error that says why."""
        self.log.error("no worker process for %s checks: %s", len(batch), error)
        why = tr(
            "its worker process could not run ({kind}: {error})",
            "ワーカープロセスを実行できなかった（{kind}: {error}）",
            kind=type(error).__name__,
            error=str(error),
        )
        session = _Session(batch, ended=True)
        session.results = {number: _lost(task, why) for number, task in enumerate(batch)}
        return session

    def fork(self, slots: _Slots, batch: list[Task]) -> tuple[int, int]:
        """Fork the child that runs `batch`; its pid and the pipe's end to read it on."""
        read_fd, write_fd = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # or the child would print the buffers again
            with contextlib.suppress(Exception):
                stream.flush()
        parent = os.getpid()
        _prctl()  # looked up here once, not in every child
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads forks (`mkdocs serve` has
            # some). The child runs only this module's code and the checks; the locks it
            # could inherit taken are the logging module's, which Python resets in a child.
            warnings.filterwarnings(
                "ignore", "This process .* is multi-threaded", DeprecationWarning
            )
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; it leaves through os._exit only
            status = _CRASHED
            try:
                _die_with_parent(parent)
                _fresh_streams()
                os.close(read_fd)
                os.setpgid(0, 0)  # its own group: killing it ends the programs it started
                _child(
                    write_fd, slots, tasks=batch, target=self.target, workers=self.workers,
                    cache=self.cache is not None, parent=parent,
                )  # fmt: skip
                status = 0
            finally:
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(status)
        os.close(write_fd)
        return pid, read_fd

    def watch(self, session: _Session, pid: int, fd: int, slots: _Slots) -> bool:
        """Take the child's messages until it ends or a task runs out of time; True if
        reaped. A child that runs nothing for the whole timeout (stuck outside any check)
        is ended as well."""
        buffer, heard, timeout = bytearray(), time.monotonic(), self.timeout
        while True:
            now = time.monotonic()
            session.running = running = slots.running()
            overdue = [n for n, since in running.items() if now - since >= timeout]
            if overdue:
                time.sleep(0.001)  # read again: the child may have been writing the slot
                again = slots.running()
                session.overdue = [n for n in overdue if again.get(n) == running[n]]
                if session.overdue:
                    session.status = "stopped"
                    return False
                continue
            if running:
                heard = now
            elif session.ended and now - heard >= _EXITING:
                self.log.debug("the worker process %s did not exit after its end; ended it", pid)
                return False  # it said all it had to say: whatever holds it, it is ended
            elif now - heard >= timeout:
                session.status = "it ran no check for the whole timeout; stopped"
                return False
            wait = _EXITING if session.ended and not running else timeout
            wake = min(running.values(), default=heard) + wait
            ready, _, _ = select.select([fd], [], [], max(0.0, wake - now))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:  # the child closed its end: it has exited
                _, code = os.waitpid(pid, 0)
                session.running = slots.running()
                session.status = "" if session.ended else _exit_text(code)
                return True
            heard = time.monotonic()
            buffer += chunk
            used = 0
            try:
                while len(buffer) - used >= _FRAME.size:
                    (size,) = _FRAME.unpack_from(buffer, used)
                    if len(buffer) - used < _FRAME.size + size:
                        break
                    frame = buffer[used + _FRAME.size : used + _FRAME.size + size]
                    used += _FRAME.size + size
                    message = pickle.loads(frame)  # noqa: S301 - our own child's
                    with self._guarded():
                        self.receive(message, session)
            except Exception as error:  # noqa: BLE001 - a garbled message: treat as a crash
                session.status = f"a message it sent could not be read ({type(error).__name__})"
                return False
            del buffer[:used]

    def receive(self, message: tuple[Any, ...], session: _Session) -> None:
        """Take in one message of the child: a batch of results and log lines, or its end."""
        if message[0] == "end":
            session.ended = True
            self.target.absorb(files=message[1], probed=message[2])
            return
        _, entries, session.counts = message
        for entry in entries:
            if entry[0] == "log":
                getattr(self.log, entry[1])(entry[2])
                continue
            _, number, outcome, seen = entry
            session.results[number] = outcome
            if self.cache is not None:
                task = session.batch[number]
                self.cache.keep(self.target, task.spec, task.key, outcome, seen)
                self.target.absorb(probed=seen)


# -- several worker processes -----------------------------------------------------------
#
# The checks are pure Python: threads of one process take turns on the interpreter lock,
# so a large run uses one worker process per core instead, each with a share of the tasks.
# Tasks that name the same file or folder (the `dockerfile` parameter, its folder, the
# `context` parameter) go to the same process, so that each file is still read and parsed
# once (see `shares` for the rest of the grouping). Each share runs as one run of
# its own (`_Isolated`, on a thread of this process that watches its clock): a task that
# hangs or ends its process costs only its own share's work again, never another share's
# results. The outcomes are the same whatever number of processes ran them.

PROCESSES_VARIABLE = "CHECKLISTS_PROCESSES"  # a number of worker processes; 1 forces one
# Evaluations per worker process at least: for fewer, forking a second process from a
# large parent (MkDocs') and the work it repeats (directory listings) cost about what its
# share saves (measured on the bench's generated sites, in a parent holding a million
# objects: 87 evaluations 57 ms in one process vs 61 ms in two, 165 evaluations 94 vs 68
# ms; see bench/README.md, "Fourth pass"). The example site (36) and a serve rebuild
# after an edit (20-30) stay in one.
PER_PROCESS = 100
# Parameters that name the files a task reads: tasks sharing a value share a process.
_FILE_PARAMETERS = ("dockerfile", "context")


def _folders(task: Task) -> list[str]:
    """The files and folders a task names: its Dockerfile, the Dockerfile's folder (its
    default build context, where `.dockerignore` is looked for), its context."""
    named = []
    for name in _FILE_PARAMETERS:
        value = task.params.get(name)
        if isinstance(value, str):
            path = _plain_path(value)
            named += [path, posixpath.dirname(path) or "."] if name == "dockerfile" else [path]
    return named


def processes(count: int) -> int:
    """How many worker processes evaluate `count` tasks: one per `PER_PROCESS` tasks, at
    most one per core this process may use; `CHECKLISTS_PROCESSES` overrides it."""
    forced = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if forced.isdigit() and int(forced) >= 1:
        return min(int(forced), max(1, count))
    return max(1, min(_cores(), count // PER_PROCESS))


def _cores() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return int(counted() or 1)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def shares(tasks: Sequence[Task], parts: int) -> list[list[Task]]:
    """The tasks in at most `parts` shares of about equal size, each in the tasks' order.
    Tasks linked by a file they name (directly or through others) are in one share, and so
    are all the tasks that name none (they read the target's default files), and all the
    checks that wait on programs (so `workers` still bounds how many run at once)."""
    owner = list(range(len(tasks)))  # union-find over the tasks' positions

    def root(number: int) -> int:
        while owner[number] != number:
            owner[number] = owner[owner[number]]
            number = owner[number]
        return number

    first: dict[str, int] = {}
    for number, task in enumerate(tasks):
        keys = _folders(task) or [""]
        for key in [*keys, "\0external"] if task.spec.external else keys:
            seen = first.setdefault(key, number)
            owner[root(number)] = root(seen)
    groups: dict[int, list[int]] = {}
    for number in range(len(tasks)):
        groups.setdefault(root(number), []).append(number)
    # The largest group first, each to the share with the fewest tasks so far (ties to
    # the first share): the same tasks always make the same shares.
    loads = [0] * max(1, parts)
    members: list[list[int]] = [[] for _ in loads]
    for group in sorted(groups.values(), key=lambda g: (-len(g), g[0])):
        lightest = loads.index(min(loads))
        members[lightest] += group
        loads[lightest] += len(group)
    return [[tasks[n] for n in sorted(share)] for share in members if share]


def _plain_path(value: str) -> str:
    """A path parameter in one spelling (`./a//b/` and `a/b` name the same file)."""
    return posixpath.normpath(value).lstrip("/")


def _run_shares(
    pending: list[Task],
    target: Target,
    log: Log,
    *,
    cache: ResultCache | None,
    timeout: float,
    workers: int,
) -> dict[tuple[str, str], Outcome]:
    """Evaluate `pending` in one worker process or, for a large run, in several at once
    (`processes`); from several, the outcomes are merged in the order of `pending`."""
    parts = shares(pending, processes(len(pending)))
    if len(parts) == 1:
        return _Isolated(target, log, cache, timeout, workers).run(pending)
    guard = threading.Lock()
    found: list[dict[tuple[str, str], Outcome]] = [{} for _ in parts]
    failures: list[BaseException] = []
    _prctl()  # looked up once, before the threads fork

    def run(number: int) -> None:
        try:
            lane = _Isolated(target, log, cache, timeout, workers, guard)
            found[number] = lane.run(parts[number])
        except BaseException as error:  # noqa: BLE001 - raised again on the calling thread
            failures.append(error)

    # Each thread waits in `_Isolated.session` until its child is gone, so it outlives the
    # child (the parent-death signal is tied to the thread that forked). Daemons: should
    # this thread be interrupted (Ctrl-C), the process ends and takes the children along.
    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(parts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    merged = {key: outcome for share in found for key, outcome in share.items()}
    return {task.key: merged[task.key] for task in pending}


# -- tasks on targets of their own, in the run's worker ---------------------------------
#
# The guide's code blocks are each checked in a scratch target of their own (`snippets`).
# `on_their_own` makes such tasks runnable beside the target's tasks in one `run_all`: the
# same worker process (one import of the checks for both), the same harness (a time-out per
# task, the worker killed with what it started, a crash or a hang costing only the task that
# caused it, the parent-death signal). The checks never run on a thread of this process: a
# fork while such a thread holds a module's lock (a reader's model lock) would hand the
# worker a lock nobody releases.


@dataclass(frozen=True, slots=True)
class _OnItsOwn:
    """A task's check called on the task's own target instead of the worker's."""

    task: Task
    target: Target

    def __call__(self, worker: Target, /, **_: object) -> Outcome:
        own = self.target
        own.watch = worker.watch  # a time-out names the file the check was parsing
        env = {"environment": self.task.environment} if self.task.environment else {}
        try:
            return self.task.spec.function(own, **self.task.params, **env)
        except OSError as error:  # named relative to its own target, as `_call` names it
            if isinstance(error.filename, str | bytes):
                error.filename = _in_target(error.filename, own)
            raise


def on_their_own(pairs: Sequence[tuple[Task, Target]]) -> list[Task]:
    """Each task as one that any run's worker can run: its check called on the task's own
    target, under a key of its own (two blocks may ask the same check the same), with the
    check's id, source and kind, so that every message names the check."""
    return [
        Task(replace(task.spec, function=_OnItsOwn(task, target)), {"apart": number})
        for number, (task, target) in enumerate(pairs)
    ]


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # not (yet) a group of its own
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _exit_text(code: int) -> str:
    if os.WIFSIGNALED(code):
        number = os.WTERMSIG(code)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by signal {name}"
    status = os.WEXITSTATUS(code) if os.WIFEXITED(code) else code
    return f"exit status {status}"


def _lost(task: Task, what: str) -> Outcome:
    return Outcome.error(
        tr(
            "the check {id}: {what}",
            "チェック {id} の結果なし: {what}",
            id=task.spec.id,
            what=what,
        ),
        _source(task),
    )


def status_counts(outcomes: Mapping[Any, Outcome]) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for outcome in outcomes.values():
        counts[outcome.status.value] += 1
    return counts
