"""The guide's own code, checked as files: a fenced block bound to a check is written into
a target of its own and the check runs there, like on any repository.

The engine knows no file formats: a check package says how a block of a language becomes a
file (`snippet_file(language, text) -> VirtualFile | None` in the package's module; the
project's is `checks.snippets`). Each block gets a fresh folder under a temporary directory,
removed when the checks are done, and its own `Target`. Where the run isolates its checks,
the blocks are checked in the target's worker process beside the target's tasks
(`Blocks.tasks`, `runner.on_their_own`: one import of the checks, the same time-out, crash
and parent-death protection); otherwise, and in a process that builds again and again
(`mkdocs serve`, whose later workers inherit what the blocks' checks learnt here, such as
the nginx version), on threads of this process (the guide is the site's own text, not the
target's). Evidence that points into the virtual file is moved back to the page:
`index.md:262`.

What such a check finds is about the guide, never about the target: a failure is 指南の矛盾
(the guide contradicts one of its own rules), shown where the block is, outside the
headline, and it does not fail the build (the site cannot correct the author's text; the
verdict says where to).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklists.core.bindings import Item, Snippet
from checklists.core.message import Message, tr
from checklists.core.model import Evidence, Outcome, Status
from checklists.core.runner import Log, Task, on_their_own, run_all
from checklists.core.target import Target


@dataclass(frozen=True, slots=True)
class VirtualFile:
    """How a block of the guide becomes a file: its path in a target of its own, its text,
    and what the check library added around the author's lines (`offset` lines before
    them, said in `note`)."""

    path: str
    text: str
    offset: int = 0
    note: Message | str | None = None


def virtual_file(snippet: Snippet, packages: Sequence[str]) -> VirtualFile | None:
    """The file the first check package that knows the block's language makes of it."""
    return _made(tuple(packages), snippet.language, snippet.text)


# `mkdocs serve`: the same block makes the same file (a VirtualFile is immutable), without
# parsing its text again on each rebuild.
@functools.lru_cache(maxsize=1024)
def _made(packages: tuple[str, ...], language: str, text: str) -> VirtualFile | None:
    for package in packages:
        module = importlib.import_module(package)
        make = getattr(module, "snippet_file", None)
        if make is None:
            continue
        made = make(language, text)
        if isinstance(made, VirtualFile):
            return made
    return None


# Outcomes of a check on a block's file, kept while the process lives (`mkdocs serve`): the
# same check with the same parameters on the same file text on the same day finds the same,
# so an unchanged block is not checked again on each rebuild. Errors are not kept (a
# time-out under load is not the block's fault). Bounded: the oldest entries go first.
_MEMO: dict[tuple[object, ...], Outcome] = {}
_MEMO_SIZE = 1024


@dataclass(slots=True)
class _Block:
    item: Item
    task: Task
    made: VirtualFile | None  # None: no check package makes a file of it
    key: tuple[object, ...] = ()  # its entry in `_MEMO`
    known: Outcome | None = None  # from `_MEMO`, or the outcome when there is nothing to run
    root: Path | None = None  # its scratch target, when it is checked
    first: bool = False  # the first block of its key: an identical one takes its outcome


class Blocks:
    """The guide's bound code blocks of one run, each written as a file into a scratch
    target of its own (a block already in `_MEMO` is not written, nor checked again).

    `tasks` are the blocks' checks for the caller to run beside the target's, in the same
    worker process; `outcomes` gives each block's outcome from what those found, checking
    the blocks on threads of this process when they were not run that way."""

    def __init__(
        self,
        pending: Sequence[tuple[Item, Task]],
        packages: Sequence[str],
        log: Log,
        *,
        timeout: float,
        workers: int,
    ) -> None:
        self.log, self.timeout, self.workers = log, timeout, workers
        self._scratch = tempfile.TemporaryDirectory(prefix="checklists-guide-")
        self._tasks: list[tuple[_Block, Task]] = []
        self.blocks: list[_Block] = []
        today, keys = dt.date.today(), set[tuple[object, ...]]()
        for index, (item, task) in enumerate(pending):
            snippet = item.snippet
            assert snippet is not None  # only block items come here
            made = virtual_file(snippet, packages)
            if made is None:
                self.blocks.append(_Block(item, task, None, known=_unreadable(item, task, snippet)))
                continue
            key = (task.key, made.path, made.text, today)
            block = _Block(item, task, made, key, _MEMO.get(key), first=key not in keys)
            keys.add(key)
            if block.known is None:
                block.root = Path(self._scratch.name) / str(index)
                path = block.root / made.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(made.text, encoding="utf-8")
            self.blocks.append(block)

    def tasks(self) -> list[Task]:
        """The checks of the blocks not known yet, each on its block's target, for the
        caller's `run_all` (their outcomes go to `outcomes`)."""
        if not self._tasks:
            todo = [b for b in self.blocks if b.root and b.first]
            made = on_their_own([(b.task, Target(b.root)) for b in todo if b.root])
            self._tasks = list(zip(todo, made, strict=True))
        return [task for _, task in self._tasks]

    def outcomes(self, found: Mapping[tuple[str, str], Outcome] | None = None) -> list[Outcome]:
        """Each block's outcome, in the order given, its evidence moved to the page: from
        `found`, the outcomes of a run of `tasks`, for the blocks it checked."""
        ran = {b.key: found[t.key] for b, t in self._tasks if t.key in found} if found else {}
        outcomes = []
        for block in self.blocks:
            outcome = block.known or _MEMO.get(block.key)  # or an identical block's, just now
            if outcome is None:
                assert block.root is not None
                outcome = ran.get(block.key) or self._here(block.task, block.root)
                if outcome.status is not Status.ERROR:
                    _remember(block.key, outcome)
            if block.made is not None:
                assert block.item.snippet is not None
                outcome = relocate(outcome, block.item.snippet, block.made)
            outcomes.append(outcome)
        return outcomes

    def _here(self, task: Task, root: Path) -> Outcome:
        """The task's check on the block's scratch target, on threads of this process."""
        ran, _ = run_all(
            [task],
            Target(root),
            self.log,
            timeout=self.timeout,
            workers=self.workers,
            isolate=False,
        )
        return ran[task.key]

    def close(self) -> None:
        """Remove the scratch targets (the caller's run of `tasks` has ended)."""
        self._scratch.cleanup()

    def __enter__(self) -> Blocks:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _remember(key: tuple[object, ...], outcome: Outcome) -> None:
    if len(_MEMO) >= _MEMO_SIZE:
        del _MEMO[next(iter(_MEMO))]
    _MEMO[key] = outcome


def _unreadable(item: Item, task: Task, snippet: Snippet) -> Outcome:
    return Outcome.error(
        tr(
            "{where}: no check package makes a file of a ```{language} block for {check}",
            "{where}: ```{language} のコード例を {check} が読むファイルにできるチェック"
            "パッケージがない",
            where=item.location,
            language=snippet.language or "(no language)",
            check=task.spec.id,
        ),
        Evidence(tr("the code block", "コード例"), path=snippet.page, line=snippet.parts[0].line),
    )


def relocate(outcome: Outcome, snippet: Snippet, made: VirtualFile) -> Outcome:
    """Evidence in the virtual file pointed at the guide's page and line instead."""
    moved = []
    for evidence in outcome.evidence:
        if evidence.path == made.path:
            number = (evidence.line or 0) - made.offset
            line = snippet.page_line(number) if number >= 1 else None
            moved.append(replace(evidence, path=snippet.page, line=line or snippet.line))
        elif evidence.path is not None:  # another file of the scratch target: not a place
            moved.append(replace(evidence, path=None))
        else:
            moved.append(evidence)
    place = Evidence(
        tr(
            "the guide's code at {page}:{span}, checked as {path}",
            "ガイドのコード例（{page}:{span}）を {path} として検査",
            page=snippet.page,
            span=snippet.span,
            path=made.path,
        ),
        path=snippet.page,
        line=snippet.parts[0].first,
    )
    added = [Evidence(made.note, path=snippet.page, line=snippet.line)] if made.note else []
    return replace(outcome, evidence=(place, *added, *moved))
