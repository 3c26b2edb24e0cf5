"""Find the claims of a Markdown page and the check or metric each one is bound to.

A binding is an HTML comment. At the end of a task-list item it binds the item's claim
(the author's checkbox); at the end of a plain list item or a heading it binds a claim the
text or the section makes; in the first cell of a table row it binds the row:

    - [x] 非rootユーザー実行 <!-- check: dockerfile.non_root_user {uid: 1000} -->
    - ビルドコンテキスト削減（約80%） <!-- metric: context.reduction -->
    | イメージサイズ <!-- metric: image.size --> | < 700MB | < 250MB |

The optional `{...}` is a YAML flow mapping of parameters; the key `waive` is reserved for
a waiver (`waive: {reason: "...", until: 2027-01-31, by: name}`), which may also follow the
mapping, and in a table row the key `env` names the environment a value column reports.
A table's header row gives each column a role: a column named after an environment holds
that environment's limit; value and status columns receive the observed value and the
verdict. The scanner works on raw Markdown lines so every item keeps its `page:line`;
text inside fenced code, indented code and inline code is never a binding, because the
guide and the docs show the syntax itself. Headings are ATX (`## ...`), as in the guide.

A binding on a line of its own right above a fenced code block binds the block (blank
lines and further binding lines may sit between): the guide's own code is then checked,
as a file of a target of its own (`checklists.core.snippets`), or, for a check that takes a
`snippet` parameter, against the target (the guide's commands). The reserved key `join`
(`{join: 2}`) makes the block and the ones of the same language before it one file.
A list item may carry several metric bindings when its sentence states a number for each
("1-2分（70-80% 削減）"); each is its own item.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from checklists.core.scanner import (
    BINDING,
    COMMENT,
    FENCE,
    LIST_MARKER,
    TABLE_LINE,
    CodeTracker,
    cell_spans,
    is_delimiter,
    mask_inline_code,
)

_TASK = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[(?P<mark>[ xX])\][ \t]+(?P<text>.*)$"
)
_HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_WAIVER_KEYS = frozenset({"reason", "until", "by"})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is 7x faster when present


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted exception: the claim is not judged until `until`."""

    reason: str
    until: dt.date
    by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "until": self.until.isoformat(), "by": self.by}


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell the verdict is rendered into: an environment's limit, a value, a status."""

    role: str  # "limit", "value" or "status"
    line: int
    start: int
    end: int
    column: str  # the header of the column
    text: str  # what the author wrote there


@dataclass(frozen=True, slots=True)
class Columns:
    """How a table's header names map to roles: environments, value and status columns."""

    environments: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset({"値", "Value", "サイズ", "Size"})
    statuses: frozenset[str] = frozenset({"ステータス", "Status"})


@dataclass(frozen=True, slots=True)
class Block:
    """A fenced code block of a page: its fences' lines, its language and its text."""

    line: int  # the opening fence
    end: int  # the closing fence (the last line of the page when it is never closed)
    language: str  # the info string's first word, lower-case ("" when there is none)
    text: str  # the lines between the fences, the fence's indentation removed

    @property
    def first(self) -> int:
        """The page line of the block's first line of code."""
        return self.line + 1


@dataclass(frozen=True, slots=True)
class Snippet:
    """The guide's code a binding points at: one block, or several of one language joined."""

    page: str
    language: str
    parts: tuple[Block, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    @property
    def line(self) -> int:
        return self.parts[-1].line

    def page_line(self, number: int) -> int | None:
        """The page line of the snippet's line `number` (1-based); None outside it."""
        for part in self.parts:
            count = part.text.count("\n")
            if 1 <= number <= count:
                return part.first + number - 1
            number -= count
        return None

    @property
    def span(self) -> str:
        """Where it is on its page: "253–281", or "34–43, 52–66" for joined blocks."""
        return ", ".join(f"{part.first}–{part.end - 1}" for part in self.parts)

    def as_param(self) -> dict[str, Any]:
        """What a check that reads the guide's code gets as its `snippet` parameter."""
        return {
            "page": self.page,
            "language": self.language,
            "text": self.text,
            "lines": [[part.first, part.text.count("\n")] for part in self.parts],
        }


@dataclass(frozen=True, slots=True)
class Item:
    """One claim of a page, with its binding if it has one.

    A task-list item is one claim. A bound table row gives one item per environment
    column (each with its own limit) or one item for its value and status columns.
    `check_id` is None for an unbound item. `error` is set when the binding is present
    but cannot be used (bad YAML, two bindings); the engine then reports `error`.
    """

    page: str
    line: int
    section: str | None
    text: str
    claim: bool
    check_id: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    waiver: Waiver | None = None
    error: str | None = None
    comment: tuple[int, int, int] | None = None  # (line, start column, end column) of the binding
    kind: str = "task"  # "task", "claim" (a plain list item), "heading" (a section) or "row"
    metric: bool = False  # bound with `metric:` rather than `check:`
    environment: str | None = None
    limit: str | None = None  # the limit as the author wrote it
    cells: tuple[Cell, ...] = ()
    section_line: int | None = None  # the line of the heading the item sits under
    snippet: Snippet | None = None  # the guide's code a "block" or "snippet" item checks
    order: int = 0  # which of the metric bindings of one sentence (0: the first)
    service: str | None = None  # the service (image) judged; None: the repository as a whole

    @property
    def location(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def bound(self) -> bool:
        return self.comment is not None

    @property
    def slot(self) -> str:
        """Unique on its page: the line, plus the column for a row's environment cells."""
        column = self.cells[0].column if self.kind == "row" and self.cells else ""
        if column:
            return f"{self.line}-{column}"
        if self.order:
            return f"{self.line}-{self.order + 1}"  # a second metric on the same sentence
        return str(self.line)

    @property
    def key(self) -> tuple[str, str]:
        """What makes two bindings the same evaluation: the check, its params, the environment."""
        params = dict(self.params)
        if self.environment is not None:
            params["env"] = self.environment
        return (self.check_id or "", params_key(params))


def params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def _split_flow_mapping(text: str) -> tuple[str, str]:
    """Split '{a: 1} rest' into ('{a: 1}', 'rest') honouring quotes and nesting."""
    end = text.find("}")
    if end > 0 and not any(char in text[1:end] for char in "'\"{["):  # flat: the first } closes
        return text[: end + 1], text[end + 1 :].strip()
    depth = 0
    quote: str | None = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return text[: index + 1], text[index + 1 :].strip()
    raise ValueError("the parameter mapping is not closed with '}'")


def _load_mapping(text: str) -> dict[str, Any]:
    """The YAML flow mapping, as a fresh dict the caller may change."""
    value = _load_yaml(text)
    if isinstance(value, str):
        raise ValueError(value)
    return {k: copy.deepcopy(v) if isinstance(v, dict | list) else v for k, v in value.items()}


MAX_PARAMETER_DEPTH = 16  # levels of nesting in binding parameters; a real one has two or three


# A flat mapping of plain words, `{dockerfile: backend/Dockerfile, uid: 1000}`: most bindings.
_FLAT_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): +([A-Za-z0-9_./][A-Za-z0-9_./+-]*)")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _flat_mapping(text: str) -> dict[str, Any] | None:
    """The mapping YAML reads from `text` when it is a flat map of plain words, found
    without the YAML parser (which cost most of the time collecting bindings took);
    None for anything else (quotes, nesting, other characters), which YAML then reads.

    Each word gets the type YAML 1.1 gives it (`1000` an int, `yes` a bool, `2027-01-31`
    a date, `1.0.0` a string) from the YAML library's own resolver and constructors."""
    inner = text[1:-1].strip()
    if not inner:
        return {} if text.startswith("{") and text.endswith("}") else None
    mapping: dict[str, Any] = {}
    for part in inner.split(","):
        entry = _FLAT_ENTRY.fullmatch(part.strip())
        if entry is None:
            return None
        key, value = _plain(entry[1]), _plain(entry[2])
        if not isinstance(key, str):
            return None  # `on: x` is {True: 'x'} in YAML 1.1: left to YAML to say so
        mapping[key] = value
    return mapping


def _plain(word: str) -> Any:  # noqa: ANN401 - whatever YAML makes of the word
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, word, (True, False))  # type: ignore[no-untyped-call]
    construct = yaml.constructor.SafeConstructor.yaml_constructors[tag]
    return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, word))


@functools.lru_cache(maxsize=8192)  # pages repeat the same parameters, such as a Dockerfile
def _load_yaml(text: str) -> dict[str, Any] | str:
    """The mapping, or what is wrong with it.

    YAML anchors and aliases are refused: a flow mapping of parameters never needs them,
    and a few of them can stand for billions of values (a "billion laughs") that every
    later step would expand. Nesting is limited too, before the YAML reader recurses.
    """
    flat = _flat_mapping(text) if text.startswith("{") and text.endswith("}") else None
    if flat is not None:
        return flat
    if "&" in text or "*" in text or text.count("[") + text.count("{") > MAX_PARAMETER_DEPTH:
        problem = _shape_problem(text)
        if problem:
            return f"the binding parameters {_shorten(text)} {problem}"
    try:
        value = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C when available
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        return f"bad YAML in the binding parameters {_shorten(text)}: {problem}"
    except RecursionError:
        return f"the binding parameters {_shorten(text)} are nested too deeply"
    if not isinstance(value, dict):
        return f"the binding parameters must be a YAML mapping, not {_shorten(text)}"
    return value


def _shape_problem(text: str) -> str | None:
    """Anchors, aliases or too deep a nesting in the parameters' YAML; None if none."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                return "use a YAML anchor or alias (&name, *name); write the values out"
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                depth += 1
                if depth > MAX_PARAMETER_DEPTH:
                    return f"are nested more than {MAX_PARAMETER_DEPTH} levels deep"
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
                depth -= 1
    except yaml.YAMLError:
        return None  # the loader says what is wrong, with its own words
    return None


def _shorten(text: str, limit: int = 120) -> str:
    """The text for a message: repr, cut in the middle when long."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit // 2] + " … " + text[-limit // 2 :])


def _parse_waiver(value: object) -> Waiver:
    if not isinstance(value, dict):
        raise ValueError("waive must be a mapping like {reason: '...', until: 2027-01-31}")
    unknown = set(value) - _WAIVER_KEYS
    if unknown:
        raise ValueError(f"unknown waiver key(s) {sorted(unknown)}; use reason, until, by")
    reason, until, by = value.get("reason"), value.get("until"), value.get("by")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("a waiver needs a reason: waive: {reason: '...', until: YYYY-MM-DD}")
    if isinstance(until, str):
        try:
            until = dt.date.fromisoformat(until)
        except ValueError as error:
            raise ValueError(f"waiver until {until!r} is not a date YYYY-MM-DD") from error
    if not isinstance(until, dt.date):
        raise ValueError("a waiver needs an expiry date: until: YYYY-MM-DD")
    return Waiver(reason.strip(), until, str(by) if by is not None else None)


def parse_binding(body: str) -> tuple[str, dict[str, Any], Waiver | None]:
    """(id, params, waiver) from a comment body 'check: id {...}'; ValueError if bad."""
    match = BINDING.match(body)
    if match is None:
        raise ValueError("not a binding")
    check_id, rest = match["id"], match["rest"].strip()
    if not check_id or check_id.startswith("{"):
        raise ValueError(f"the binding names no id: write <!-- {match['kind']}: area.name -->")
    params: dict[str, Any] = {}
    if rest.startswith("{"):
        mapping, rest = _split_flow_mapping(rest)
        params = _load_mapping(mapping)
    if rest:
        if not rest.startswith("waive:"):
            raise ValueError(f"unexpected text {rest!r} after the parameters")
        params.update(_load_mapping("{" + rest + "}"))
    waiver = _parse_waiver(params.pop("waive")) if "waive" in params else None
    return check_id, params, waiver


def _bindings_in(masked: str) -> Iterator[re.Match[str]]:
    for match in COMMENT.finditer(masked):
        if BINDING.match(match["body"]):
            yield match


@dataclass
class _Scanner(CodeTracker):
    """Line-by-line state: fences and indented code (`CodeTracker`), the current section,
    the open block, the bindings waiting for a block."""

    section: str | None = None
    section_line: int | None = None
    # The fenced block being read: (opening line, language, indentation), and its lines.
    opened: tuple[int, str, int] | None = None
    code: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)  # the page's blocks so far
    # Bindings on lines of their own waiting for the block below them: (line, text, match).
    waiting: list[tuple[int, str, re.Match[str]]] = field(default_factory=list)


def scan(markdown: str, page: str, columns: Columns | None = None) -> list[Item]:
    """Every task-list item of the page, bound or not, every bound list item, table row
    and code block, and misplaced bindings as errors."""
    return list(_scan(markdown, page, columns or Columns()))


@functools.lru_cache(maxsize=256)  # a `serve` rebuild scans only the pages that changed
def _scan(markdown: str, page: str, columns: Columns) -> tuple[Item, ...]:
    return tuple(_scan_page(markdown, page, columns))  # items are frozen: shared safely


# radon D: the page's state machine, one branch per kind of Markdown line in CommonMark's order
def _scan_page(markdown: str, page: str, columns: Columns) -> list[Item]:
    lines = markdown.splitlines()
    items: list[Item] = []
    state = _Scanner(page)
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        blank = not line.strip()
        was_code = state.fence is not None
        if state.is_code(line):
            _track_block(state, line, number, was_code, items)
            state.previous_blank = blank
            continue
        if not blank:
            if LIST_MARKER.match(line):
                state.in_list = True
            elif not line[:1].isspace() and state.previous_blank:
                state.in_list = False
        heading = _HEADING.match(line)
        if heading and not line[:1].isspace():
            masked = mask_inline_code(line)
            found = list(_bindings_in(masked))
            title = COMMENT.sub("", heading["title"] or "").strip()
            state.section = title or None
            state.section_line = number
            if found:
                base = Item(
                    state.page,
                    number,
                    state.section,
                    title,
                    True,
                    kind="heading",
                    section_line=number,
                )
                items.append(_bind(base, line, found, number))
                state.previous_blank = False
                continue
        if TABLE_LINE.match(line) and number < len(lines) and is_delimiter(lines[number]):
            consumed = _table(state, lines, number, columns, items)
            number += consumed
            state.previous_blank = False
            continue
        masked = mask_inline_code(line)
        task = _TASK.match(line)
        if task:
            items.extend(
                _item(state, number, line, masked, text_start=task.start("text"), mark=task["mark"])
            )
        elif LIST_MARKER.match(line) and any(_bindings_in(masked)):
            marker = LIST_MARKER.match(line)
            assert marker is not None
            items.extend(_item(state, number, line, masked, text_start=marker.end(), mark=None))
        else:
            found = list(_bindings_in(masked))
            if found and COMMENT.sub("", masked).strip() == "" and _block_follows(lines, number):
                state.waiting.extend((number, line, match) for match in found)
                continue  # the line stays as it was: `previous_blank` too
            items.extend(
                Item(
                    page,
                    number,
                    state.section,
                    line.strip(),
                    False,
                    error=_MISPLACED,
                    comment=(number, match.start(), match.end()),
                )
                for match in found
            )
        state.previous_blank = blank
    if state.opened is not None:  # a block left open runs to the end of the page
        _close_block(state, len(lines), items)
    return items


def _block_follows(lines: list[str], number: int) -> bool:
    """Whether the next line that is neither blank nor a binding alone opens a fence."""
    for line in lines[number:]:
        masked = mask_inline_code(line)
        if not line.strip() or (
            any(_bindings_in(masked)) and COMMENT.sub("", masked).strip() == ""
        ):
            continue
        return FENCE.match(line) is not None
    return False


def _track_block(
    state: _Scanner, line: str, number: int, was_code: bool, items: list[Item]
) -> None:
    """Follow a fenced block through `is_code`: open, collect its lines, close."""
    if not was_code and state.fence is not None:  # this line opened a fence
        fence = FENCE.match(line)
        assert fence is not None
        language = (fence["info"].strip().split() or [""])[0].lstrip("{.").rstrip("}").lower()
        state.opened, state.code = (number, language, len(fence["indent"])), []
    elif was_code and state.fence is None:  # this line closed it
        _close_block(state, number, items)
    elif state.opened is not None:
        indent = state.opened[2]
        taken = len(line) - len(line.lstrip(" ")) if indent else 0
        state.code.append(line[min(indent, taken) :])


def _close_block(state: _Scanner, end: int, items: list[Item]) -> None:
    assert state.opened is not None
    line, language, _ = state.opened
    block = Block(line, end, language, "".join(f"{code}\n" for code in state.code))
    state.blocks.append(block)
    state.opened, state.code = None, []
    waiting, state.waiting = state.waiting, []
    code = [c.strip() for c in block.text.splitlines() if c.strip()]
    first = next((c for c in code if not c.startswith(("#", "//"))), code[0] if code else "")
    # Shown as the item's text (report rows, the CLI): its language and first line of code,
    # plain text rather than Markdown.
    text = f"{language}: {first}" if language else first
    for number, written, match in waiting:
        base = Item(
            state.page,
            number,
            state.section,
            text,
            True,
            kind="block",
            section_line=state.section_line,
        )
        item = _bind(base, written, [match], number)
        join = item.params.get("join", 1)
        if "join" in item.params:
            item = replace(item, params={k: v for k, v in item.params.items() if k != "join"})
        same = [b for b in state.blocks if b.language == language]
        if not isinstance(join, int) or isinstance(join, bool) or not 1 <= join <= len(same):
            error = (
                f"join must be a whole number from 1 to {len(same)} (the blocks of "
                f"```{language} so far), not {join!r}"
            )
            item = replace(item, error=item.error or error)
            join = 1
        snippet = Snippet(state.page, language, tuple(same[-join:]))
        items.append(replace(item, snippet=snippet))


_MISPLACED = (
    "a binding must end a list item ('- [x] text <!-- check: id -->') "
    "or sit in the first cell of a table row"
)


def _item(
    state: _Scanner, number: int, line: str, masked: str, *, text_start: int, mark: str | None
) -> list[Item]:
    """A task item (`mark` is its box) or a plain list item that makes a claim (`mark` None)."""
    claim = mark is None or mark in "xX"
    kind = "task" if mark is not None else "claim"
    found = list(_bindings_in(masked))
    text = _visible_text(line, found, text_start)
    base = Item(
        state.page, number, state.section, text, claim, kind=kind, section_line=state.section_line
    )
    if not found:
        return [base]
    if len(found) > 1 and kind == "claim" and all(_is_metric(line, m) for m in found):
        # "1-2分（70-80% 削減）": a number of each kind, each judged by its own metric
        return [
            replace(_bind(base, line, [match], number), order=index)
            for index, match in enumerate(found)
        ]
    return [_bind(base, line, found, number)]


def _is_metric(line: str, match: re.Match[str]) -> bool:
    found = BINDING.match(line[match.start() + 4 : match.end() - 3])
    return found is not None and found["kind"] == "metric"


def _bind(base: Item, line: str, found: list[re.Match[str]], number: int) -> Item:
    """The item with its binding parsed from the first comment in `found`."""
    first = found[0]
    comment = (number, first.start(), first.end())
    body = line[first.start() + 4 : first.end() - 3]
    metric = (BINDING.match(body) or {"kind": ""})["kind"] == "metric"
    if len(found) > 1:
        error = f"{len(found)} bindings in one place; bind one per item"
        return replace(base, comment=comment, check_id=parse_id(body), metric=metric, error=error)
    try:
        check_id, params, waiver = parse_binding(body)
    except ValueError as problem:
        error = str(problem)
        return replace(base, comment=comment, check_id=parse_id(body), metric=metric, error=error)
    environment = str(params.pop("env")) if "env" in params else None
    return replace(
        base, comment=comment, check_id=check_id, metric=metric, params=params, waiver=waiver,
        environment=environment,
    )  # fmt: skip


def _visible_text(line: str, found: list[re.Match[str]], text_start: int) -> str:
    text = line
    for match in reversed(found):
        text = text[: match.start()] + text[match.end() :]
    return text[text_start:].strip()


# -- tables ---------------------------------------------------------------------------------


def _table(
    state: _Scanner, lines: list[str], header_number: int, columns: Columns, items: list[Item]
) -> int:
    """Scan a table whose header is line `header_number`; return how many more lines it used."""
    header = lines[header_number - 1]
    headers = [header[a:b].strip() for a, b in cell_spans(header)]
    used = 1  # the delimiter row
    while header_number + used < len(lines) and TABLE_LINE.match(lines[header_number + used]):
        number = header_number + used + 1
        items.extend(_row(state, number, lines[number - 1], headers, columns))
        used += 1
    return used


# radon D: a row's bindings, its result cells and each misplacement's message, in one pass
def _row(
    state: _Scanner, number: int, line: str, headers: list[str], columns: Columns
) -> list[Item]:
    spans = cell_spans(line)
    masked = mask_inline_code(line)
    found = [m for a, b in spans for m in _bindings_in(masked) if a <= m.start() < b]
    if not found:
        return []
    first_start, first_end = spans[0]
    label = _visible_text(line[first_start:first_end], [], 0)
    label = COMMENT.sub("", label).strip()
    base = Item(
        state.page, number, state.section, label, True, kind="row", section_line=state.section_line
    )
    if any(m.start() >= first_end for m in found):
        return [
            replace(_bind(base, line, found, number), error="a row binding goes in the first cell")
        ]
    bound = _bind(base, line, found, number)
    cells = [
        Cell("", number, a, b, headers[i] if i < len(headers) else "", line[a:b])
        for i, (a, b) in enumerate(spans)
    ][1:]
    limits = [replace(c, role="limit") for c in cells if c.column in columns.environments]
    outputs = [
        replace(c, role="value" if c.column in columns.values else "status")
        for c in cells
        if c.column in columns.values | columns.statuses
    ]
    # A column that holds a limit but is no configured environment (one removed from the
    # `environments` option, a typo in its name) would be dropped without a word.
    named = columns.environments | columns.values | columns.statuses
    orphans = [c for c in cells if c.column and c.column not in named and _is_limit(c.text)]
    if orphans and bound.metric and not bound.error:
        known = ", ".join(sorted(columns.environments)) or "none"
        listed = ", ".join(f"{c.column} ({c.text.strip()})" for c in orphans)
        return [
            replace(
                bound,
                error=f"the column(s) {listed} hold a limit but are not configured environments "
                f"(environments: {known}); configure them or remove the column",
            )
        ]
    if limits and not bound.error:
        if not bound.metric:
            return [
                replace(bound, error="environment columns hold limits: bind a metric, not a check")
            ]
        return [
            replace(bound, environment=cell.column, limit=cell.text, cells=(cell,))
            for cell in limits
        ]
    if outputs or bound.error or not bound.metric:
        # A check on a row of a table without value or status columns (基本方針): the row
        # states the claim, and the verdict is shown in its first cell.
        return [replace(bound, cells=tuple(outputs))]
    known = ", ".join(sorted(columns.environments | columns.values | columns.statuses))
    return [replace(bound, error=f"the table has no column to show the result in ({known})")]


def _is_limit(text: str) -> bool:
    """Whether a table cell reads as a limit (`< 250MB`, `8分以内`)."""
    from checklists.core.limits import parse_limit  # noqa: PLC0415 - only for metric rows

    try:
        parse_limit(text)
    except ValueError:
        return False
    return True


def parse_id(body: str) -> str | None:
    match = BINDING.match(body)
    return match["id"] or None if match else None
