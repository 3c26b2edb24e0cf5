"""Find the checklist items of a Markdown page and the check each one is bound to.

A binding is an HTML comment at the end of a task-list item:

    - [x] 非rootユーザー実行 <!-- check: dockerfile.non_root_user {uid: 1000} -->

The optional `{...}` is a YAML flow mapping of parameters; the key `waive` is reserved for
a waiver (`waive: {reason: "...", until: 2027-01-31, by: name}`), which may also follow the
mapping. The scanner works on raw Markdown lines so every item keeps its `page:line`; text
inside fenced code, indented code and inline code is never a binding, because the guide
and the docs show the syntax itself. Headings are ATX (`## ...`), as in the guide.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

_TASK = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[(?P<mark>[ xX])\][ \t]+(?P<text>.*)$"
)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_COMMENT = re.compile(r"<!--(?P<body>.*?)-->")
_BINDING = re.compile(r"^\s*check:\s*(?P<id>\S*)(?P<rest>.*?)\s*$", re.DOTALL)
_WAIVER_KEYS = frozenset({"reason", "until", "by"})


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted exception: the claim is not judged until `until`."""

    reason: str
    until: dt.date
    by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "until": self.until.isoformat(), "by": self.by}


@dataclass(frozen=True, slots=True)
class Item:
    """One task-list item of a page, with its binding if it has one.

    `check_id` is None for an unbound item. `error` is set when the binding is present but
    cannot be used (bad YAML, two bindings); the engine then reports `error` for the item.
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

    @property
    def location(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def bound(self) -> bool:
        return self.comment is not None

    @property
    def key(self) -> tuple[str, str]:
        """What makes two bindings the same evaluation: the check and its parameters."""
        return (self.check_id or "", params_key(self.params))


def params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def mask_inline_code(line: str) -> str:
    """The line with every inline code span (CommonMark backtick rules) blanked out."""
    masked = list(line)
    position = 0
    while (start := line.find("`", position)) != -1:
        run = len(line[start:]) - len(line[start:].lstrip("`"))
        closer = re.compile(rf"(?<!`)`{{{run}}}(?!`)")
        match = closer.search(line, start + run)
        if match is None:
            position = start + run
            continue
        for index in range(start, match.end()):
            masked[index] = " "
        position = match.end()
    return "".join(masked)


def _split_flow_mapping(text: str) -> tuple[str, str]:
    """Split '{a: 1} rest' into ('{a: 1}', 'rest') honouring quotes and nesting."""
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
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValueError(f"bad YAML in the binding parameters {text!r}: {problem}") from error
    if not isinstance(value, dict):
        raise ValueError(f"the binding parameters must be a YAML mapping, not {text!r}")
    return value


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
    """(check id, params, waiver) from a comment body 'check: id {...}'; ValueError if bad."""
    match = _BINDING.match(body)
    if match is None:
        raise ValueError("not a binding")
    check_id, rest = match["id"], match["rest"].strip()
    if not check_id or check_id.startswith("{"):
        raise ValueError("the binding names no check id: write <!-- check: area.name -->")
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
    for match in _COMMENT.finditer(masked):
        if _BINDING.match(match["body"]):
            yield match


@dataclass
class _Scanner:
    """Line-by-line state: fences, indented code, the current section, the open item."""

    page: str
    fence: str | None = None
    section: str | None = None
    previous_blank: bool = True
    in_list: bool = False

    def is_code(self, line: str) -> bool:
        """Track fences and indented code; True when `line` is code, not Markdown text."""
        fence_match = _FENCE.match(line)
        if self.fence is not None:
            if (
                fence_match
                and fence_match["fence"].startswith(self.fence)
                and not fence_match["info"].strip()
            ):
                self.fence = None
            return True
        if fence_match and not (fence_match["fence"][0] == "`" and "`" in fence_match["info"]):
            self.fence = fence_match["fence"]
            return True
        expanded = line.expandtabs(4)
        indented = len(expanded) - len(expanded.lstrip(" ")) >= 4 and expanded.strip() != ""
        return indented and self.previous_blank and not self.in_list


def scan(markdown: str, page: str) -> list[Item]:
    """Every task-list item of the page, bound or not, plus misplaced bindings as errors."""
    items: list[Item] = []
    state = _Scanner(page)
    for number, line in enumerate(markdown.splitlines(), start=1):
        blank = not line.strip()
        if state.is_code(line):
            state.previous_blank = blank
            continue
        if not blank:
            if _LIST_MARKER.match(line):
                state.in_list = True
            elif not line[:1].isspace() and state.previous_blank:
                state.in_list = False
        heading = _HEADING.match(line)
        if heading and not line[:1].isspace():
            state.section = (heading["title"] or "").strip() or None
        masked = mask_inline_code(line)
        task = _TASK.match(line)
        if task:
            items.append(_item(state, number, line, masked, task))
        else:
            items.extend(
                Item(
                    page,
                    number,
                    state.section,
                    line.strip(),
                    False,
                    error="a binding must end a task-list item ('- [x] text <!-- check: id -->')",
                    comment=(number, match.start(), match.end()),
                )
                for match in _bindings_in(masked)
            )
        state.previous_blank = blank
    return items


def _item(state: _Scanner, number: int, line: str, masked: str, task: re.Match[str]) -> Item:
    page, section = state.page, state.section
    claim = task["mark"] in "xX"
    found = list(_bindings_in(masked))
    text = line[task.start("text") :].strip() if not found else _visible_text(line, found, task)
    if not found:
        return Item(page, number, section, text, claim)
    first = found[0]
    comment = (number, first.start(), first.end())
    body = line[first.start() + 4 : first.end() - 3]
    if len(found) > 1:
        return Item(
            page,
            number,
            section,
            text,
            claim,
            comment=comment,
            check_id=parse_id(body),
            error=f"the item has {len(found)} bindings; bind one check per item",
        )
    try:
        check_id, params, waiver = parse_binding(body)
    except ValueError as error:
        return Item(
            page,
            number,
            section,
            text,
            claim,
            check_id=parse_id(body),
            error=str(error),
            comment=comment,
        )
    return Item(page, number, section, text, claim, check_id, params, waiver, comment=comment)


def _visible_text(line: str, found: list[re.Match[str]], task: re.Match[str]) -> str:
    text = line
    for match in reversed(found):
        text = text[: match.start()] + text[match.end() :]
    return text[task.start("text") :].strip()


def parse_id(body: str) -> str | None:
    match = _BINDING.match(body)
    return match["id"] or None if match else None
