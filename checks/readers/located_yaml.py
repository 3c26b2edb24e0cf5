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
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from checklists.errors import InputError
from checklists.target import decode_text

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
                raise InputError("a mapping key must be a plain value", line=key_line)
            key = str(key_node.value)
            if key in mapping:
                raise InputError(f"'{key}' is already defined", line=key_line)
            mapping[key] = _convert(value_node, seen)
            mapping.key_lines[key] = key_line
        return mapping
    raise InputError(f"unsupported YAML node {type(node).__name__}", line=line)


def load(data: bytes) -> object:
    """The document in `data` (None for an empty file). InputError on bad YAML or bytes."""
    text = decode_text(data)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", line=line) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}") from None
    if node is None:
        return None
    return _convert(node, {})


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
