"""YAML read the way GitHub reads workflow and Dependabot files, with a line for every value.

GitHub's parser follows the YAML 1.2 core schema, not PyYAML's YAML 1.1: `on`, `yes`, `no`
and `off` are strings (PyYAML would read the key `on:` as the boolean `true`), `0755` is a
decimal number and `1_000` a string. So this module lets PyYAML compose the node tree only
and resolves the scalars itself:

* a plain scalar that is `null`, `Null`, `NULL`, `~` or empty is None; `true` / `True` /
  `TRUE` and `false` / ... are booleans; decimal, `0o` octal and `0x` hexadecimal integers
  are ints; decimal floats, `.inf` and `.nan` are floats; anything else is a string;
* a quoted or block scalar is always a string;
* mapping keys are always the key's text, so `on:` is `"on"` and `1:` is `"1"`.

Mappings become `YMap` (a dict with the 1-based line of the mapping and of each key) and
sequences `YList` (a list with the line of each item). Anchors and aliases resolve to the
same value. A duplicate key, which GitHub rejects, and any YAML syntax error raise
`InputError` with the line. The module judges nothing.

The node tree is built from libyaml's events (`_compose_fast`, about five times faster
than PyYAML's scanner and composer in Python); a text it cannot take alike (a syntax error,
a bound reached, an undefined alias or a duplicate anchor, a second document, and what
libyaml reads more leniently than PyYAML: tabs, a `?` inside a plain value in `[ ]` or
`{ }`, a block scalar header such as `|#`) is composed by PyYAML as before, so every value,
line and error is the same either way.

Bounded against hostile files: more than `MAX_YAML_VALUES` values as written (counted by
libyaml before anything is composed), collections nested more than `MAX_NESTING` deep, and
aliases that expand a document past `MAX_YAML_NODES` values or beyond the share of aliasing
that Go's yaml.v3 (the parser of Docker Compose) allows ("document contains excessive
aliasing", a billion-laughs bomb), raise `InputError` of kind "limit" with the line.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from checklists import InputError, decode_text, tr
from checklists.core.target import MAX_NESTING, MAX_YAML_NODES, MAX_YAML_VALUES

try:  # libyaml's parser: the values are counted at C speed before Python composes any
    from yaml._yaml import CParser as _EventParser

    _LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _EventParser = yaml.SafeLoader  # type: ignore[assignment,misc]
    _LIBYAML = False

__all__ = ["YList", "YMap", "load", "scalar_text"]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


class YMap(dict[str, Any]):
    """A YAML mapping: keys in file order, with the line of the mapping and of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """The line of `key`, or the mapping's own line when the key is absent."""
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A YAML sequence with the line of the sequence and of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def _plain(text: str) -> object:
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _convert(node: yaml.Node, seen: dict[int, Any]) -> object:
    if id(node) in seen:  # an alias: the anchored value again
        return seen[id(node)]
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        value = _plain(node.value) if node.style is None else node.value
        seen[id(node)] = value
        return value
    if isinstance(node, yaml.SequenceNode):
        items = YList(line)
        seen[id(node)] = items
        for child in node.value:
            items.append(_convert(child, seen))
            items.item_lines.append(child.start_mark.line + 1)
        return items
    if isinstance(node, yaml.MappingNode):
        mapping = YMap(line)
        seen[id(node)] = mapping
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    tr(
                        "a mapping key must be a plain value",
                        "マッピングのキーは単純な値でなければならない",
                    ),
                    line=key_line,
                )
            key = str(key_node.value)
            if key in mapping:
                raise InputError(
                    tr("'{key}' is already defined", "'{key}' はすでに定義されている", key=key),
                    line=key_line,
                )
            mapping[key] = _convert(value_node, seen)
            mapping.key_lines[key] = key_line
        return mapping
    raise InputError(
        tr(
            "unsupported YAML node {node}",
            "対応していない YAML ノード {node}",
            node=type(node).__name__,
        ),
        line=line,
    )


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's composer (recursive: a deep document would exhaust Python's stack) with a
    depth bound checked before each nested collection is composed."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.CollectionStartEvent):
            self.depth += 1
            try:
                if self.depth > MAX_NESTING:
                    mark = event.start_mark
                    raise InputError(
                        tr(
                            "the YAML document is nested more than {MAX_NESTING} levels deep: not "
                            "read",
                            "YAML 文書の入れ子が {MAX_NESTING} 段を超えるため読み取らない",
                            MAX_NESTING=MAX_NESTING,
                        ),
                        line=mark.line + 1 if mark is not None else None,
                        kind="limit",
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)


# yaml.v3 (decode.go, allowedAliasRatio): past 400,000 decoded values at most 99% may come
# from aliases, falling linearly to 10% at 4,000,000; checked once 100 aliases and 1,000
# values were decoded. MAX_YAML_NODES caps the expanded size outright.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000


def _allowed_alias_ratio(decoded: int) -> float:
    if decoded <= _ALIAS_RATIO_LOW:
        return 0.99
    if decoded >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


def _check_expansion(root: yaml.Node) -> None:
    """InputError when the document, with every alias expanded, is a bomb.

    Sizes are computed once per node (children before parents, without recursion), so a
    bomb costs time linear in its text, not in its expansion.
    """
    size: dict[int, int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in size:
            continue
        children = _children(node)
        if not children_done:
            if key in seen:
                # Popped again while its own children are still being sized: it contains
                # itself. yaml.v3 refuses that ("anchor ... value contains itself").
                raise _bomb(
                    node, tr("an anchor whose value contains itself", "値に自分自身を含むアンカー")
                )
            seen.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            continue
        total = 1 + sum(size.get(id(child), 1) for child in children)
        size[key] = total
        if total > MAX_YAML_NODES:
            raise _bomb(
                node,
                tr(
                    "more than {n:,} values with its aliases expanded",
                    "エイリアスを展開すると {n:,} 個を超える値",
                    n=MAX_YAML_NODES,
                ),
            )
    decoded = size[id(root)]
    aliased = decoded - len(size)  # values decoded again through an alias
    if aliased > 100 and decoded > 1000 and aliased / decoded > _allowed_alias_ratio(decoded):
        raise _bomb(
            root,
            tr(
                "excessive aliasing (as Docker Compose's YAML parser refuses it)",
                "過剰なエイリアス（Docker Compose の YAML パーサーが拒否するもの）",
            ),
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _bomb(node: yaml.Node, why: str) -> InputError:
    return InputError(
        tr(
            "the YAML document holds {why}: not read",
            "YAML 文書を読み取らない: {why}",
            why=why,
        ),
        line=node.start_mark.line + 1,
        kind="limit",
    )


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.CollectionStartEvent, yaml.AliasEvent)


def _check_values(text: str) -> None:
    """InputError at the value past `MAX_YAML_VALUES`. A syntax error ends the count: the
    composer that follows reports it, with the same words as ever."""
    parser = _EventParser(text)
    count = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, _VALUE_EVENTS):
                count += 1
                if count > MAX_YAML_VALUES:
                    mark = event.start_mark
                    raise InputError(
                        tr(
                            "the YAML document holds more than {MAX_YAML_VALUES:,} values: not "
                            "read",
                            "YAML 文書の値が {MAX_YAML_VALUES:,} 個を超えるため読み取らない",
                            MAX_YAML_VALUES=MAX_YAML_VALUES,
                        ),
                        line=mark.line + 1 if mark is not None else None,
                        kind="limit",
                    )
            elif isinstance(event, yaml.StreamEndEvent):
                return
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


class _NotPlainError(Exception):
    """Not a plain, valid document within the bounds: read it the careful way instead."""


# The node classes the fast path makes, by the event that starts them.
_COLLECTIONS: dict[type[yaml.Event], type[yaml.CollectionNode]] = {
    yaml.SequenceStartEvent: yaml.SequenceNode,
    yaml.MappingStartEvent: yaml.MappingNode,
}


def _compose_fast(text: str) -> yaml.Node | None:
    """The node tree `yaml.compose` would give, built from libyaml's events without
    recursion: scalars, collections, anchors and aliases, with the same start marks (a plain
    scalar's style None, as PyYAML's own parser gives it). Anything else (a syntax error, a
    bound reached, an undefined alias or a duplicate anchor, a second document) raises
    `_NotPlainError`, and `load` reads the text as before, with the same words for the same
    problem."""
    if not _LIBYAML:  # pragma: no cover - PyYAML built without libyaml
        raise _NotPlainError
    if "\t" in text:  # libyaml takes some tabs PyYAML's scanner refuses: keep its verdict
        raise _NotPlainError
    parser = _EventParser(text)
    composer = _Composer(text)
    try:
        while True:
            event: Any = parser.get_event()  # libyaml's events, typed loosely by PyYAML
            if event is None:
                return composer.root
            composer.take(event)
    except yaml.YAMLError:
        raise _NotPlainError from None
    finally:
        parser.dispose()


class _Composer:
    """The node tree of one document, an event at a time (`_compose_fast`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.anchors: dict[str, yaml.Node] = {}
        self.stack: list[yaml.CollectionNode] = []
        self.root: yaml.Node | None = None
        self.documents = self.values = 0
        self.flows = 0  # open collections written [ ] or { }

    def take(self, event: Any) -> None:  # noqa: ANN401 - libyaml's events, typed loosely
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.place(self.scalar(event))
        elif kind is yaml.AliasEvent:
            node = self.anchors.get(event.anchor) if event.anchor is not None else None
            if node is None:
                raise _NotPlainError
            self.place(node)
        elif kind in _COLLECTIONS:
            if len(self.stack) >= MAX_NESTING:
                raise _NotPlainError
            node = _COLLECTIONS[kind](
                event.tag, [], event.start_mark, None, flow_style=event.flow_style
            )
            _anchor(self.anchors, event.anchor, node)
            self.place(node)
            self.stack.append(node)
            self.flows += bool(event.flow_style)
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            done = self.stack.pop()
            done.end_mark = event.end_mark
            self.flows -= bool(done.flow_style)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise _NotPlainError  # `compose` refuses a second document

    def scalar(self, event: Any) -> yaml.ScalarNode:  # noqa: ANN401 - as in `take`
        if self.flows and not event.style and "?" in event.value:
            raise _NotPlainError  # PyYAML ends a plain scalar at "?" in [ ], { }
        if event.style in ("|", ">") and not _header(self.text, event.start_mark.index):
            raise _NotPlainError
        node = yaml.ScalarNode(
            event.tag, event.value, event.start_mark, event.end_mark, style=event.style or None
        )
        _anchor(self.anchors, event.anchor, node)
        return node

    def place(self, node: yaml.Node) -> None:
        """A value into the collection being read, or the document's root."""
        self.values += 1
        if self.values > MAX_YAML_VALUES:
            raise _NotPlainError
        if self.stack:
            _add(self.stack[-1], node)
        else:
            self.root = node


def _header(text: str, index: int) -> bool:
    """Whether the block scalar header at `index` (libyaml's character index, after a byte
    order mark) is one PyYAML's scanner takes: `|` or `>`, at most a chomping indicator and
    an indentation of 1-9 in either order, then a blank or the line's end (libyaml also
    takes `|#...`, which YAML itself does not)."""
    index += text.startswith("\ufeff")
    if text[index : index + 1] not in ("|", ">"):
        return False  # not where libyaml says: read it the careful way
    rest = text[index + 1 : index + 4]
    for indicators in ("+-", "123456789"), ("123456789", "+-"):
        taken = 0
        for allowed in indicators:
            if rest[taken : taken + 1] and rest[taken] in allowed:
                taken += 1
        if rest[taken : taken + 1] in ("", " ", "\r", "\n", "\x85", "\u2028", "\u2029"):
            return True
    return False


def _anchor(anchors: dict[str, yaml.Node], name: str | None, node: yaml.Node) -> None:
    if name is not None:
        if name in anchors:  # PyYAML's composer refuses it: its words, from the slow path
            raise _NotPlainError
        anchors[name] = node


def _add(parent: yaml.CollectionNode, node: yaml.Node) -> None:
    """A child into its collection: a mapping's children come as key, value, key, ..."""
    if isinstance(parent, yaml.SequenceNode):
        parent.value.append(node)
    elif parent.value and len(parent.value[-1]) == 1:
        parent.value[-1] = (parent.value[-1][0], node)
    else:
        parent.value.append((node,))


def load(data: bytes) -> object:
    """The document in `data` (None for an empty file). InputError on bad YAML or bytes."""
    text = decode_text(data)
    try:
        node = _compose_fast(text)
    except _NotPlainError:
        node = _compose_careful(text)
    if node is None:
        return None
    _check_expansion(node)
    return _convert(node, {})


def _compose_careful(text: str) -> yaml.Node | None:
    """PyYAML's own composer, bounded: every problem in its words, with its line."""
    _check_values(text)
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(
            tr("invalid YAML: {problem}", "YAML として不正: 「{problem}」", problem=problem),
            line=line,
        ) from None
    except yaml.YAMLError as error:
        raise InputError(
            tr("invalid YAML: {error}", "YAML として不正: 「{error}」", error=error)
        ) from None
    return node


def scalar_text(value: object) -> str:
    """A scalar as GitHub Actions turns it into a string (an input, an env value):
    booleans are `true` / `false`, null is empty, numbers print as JavaScript prints them."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "-Infinity" if value < 0 else "Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    return str(value)
