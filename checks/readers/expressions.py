"""GitHub Actions expressions (`${{ ... }}`): find them, parse them, evaluate what is known.

The language follows GitHub's documentation ("Evaluate expressions in workflows and
actions") and the runner's parser: literals (`'text'` with `''` for a quote, numbers,
`true`, `false`, `null`), context access (`github.ref`, `matrix['os']`), the operators
`!`, `<`, `<=`, `>`, `>=`, `==`, `!=`, `&&`, `||` with that precedence, and the functions
`contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`, `fromJSON`, `success`,
`always`, `failure`, `cancelled`. As in GitHub, string comparison and the string functions
ignore case, values of different types are compared as numbers, and `&&` / `||` return one
of their operands.

Evaluation is three-valued: a context this module is not given, or a property of an open
context it does not know, is `UNKNOWN`, and so is everything computed from it, except where
the known part decides (`false && x` is false, `true || x` is true). `success()` and
`always()` are true (the question asked is "can this step run"), `failure()` and
`cancelled()` unknown. Nothing here judges a workflow; checks decide what a value means.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from checklists import InputError, tr

__all__ = [
    "UNKNOWN",
    "Open",
    "evaluate",
    "expressions",
    "has_expression",
    "interpolate",
    "parse",
    "substitute",
    "truthy",
]

_FENCE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class _Unknown:
    """The value of something that cannot be known statically."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class Open(dict[str, Any]):
    """A context known only in part: a missing property is UNKNOWN, not null."""


def has_expression(text: str | None) -> bool:
    """Whether the text contains a `${{ ... }}` expression."""
    return text is not None and "${{" in text


def fences(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, inner text) of each `${{ ... }}`, as `_FENCE.finditer` finds them.

    By `str.find`, in linear time: the expression's lazy `.*?` rescanned the rest of the
    text from every `${{` that has no `}}` after it (20,000 of them took 49 s, inside the
    regex engine, which no timeout can interrupt).
    """
    position = 0
    while (start := text.find("${{", position)) >= 0:
        close = text.find("}}", start + 3)
        if close < 0:
            return  # a later `${{` has no `}}` after it either
        yield start, close + 2, text[start + 3 : close]
        position = close + 2


def expressions(text: str) -> list[str]:
    """The inner text of each `${{ ... }}` in `text`, stripped, in order."""
    return [inner.strip() for _, _, inner in fences(text)]


# --- Parsing ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>0x[0-9a-fA-F]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!().,\[\]*])
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    target: Any
    key: Any  # a node; `*` filters are not supported and raise


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Not:
    operand: Any


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str
    left: Any
    right: Any


_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise InputError(
                tr(
                    "unexpected character in expression: {rest!r}",
                    "式に予期しない文字がある: {rest!r}",
                    rest=text[position:],
                )
            )
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            if not value:
                raise InputError(
                    tr(
                        "expected more in expression {text!r}",
                        "式 {text!r} が途中で終わっている",
                        text=self.text,
                    )
                )
            raise InputError(
                tr(
                    "expected {want} in expression {text!r}",
                    "式 {text!r} に {want} がない",
                    want=repr(value),
                    text=self.text,
                )
            )
        self.position += 1
        return token

    def parse(self) -> object:
        node = self.binary(1)
        left = self.peek()
        if left is not None:
            raise InputError(
                tr(
                    "unexpected {token!r} in expression {text!r}",
                    "式 {text!r} に予期しない {token!r} がある",
                    token=left[1],
                    text=self.text,
                )
            )
        return node

    def binary(self, level: int) -> object:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or _PRECEDENCE.get(token[1], 0) < level:
                return left
            op = self.take()[1]
            right = self.binary(_PRECEDENCE[op] + 1)
            left = _Binary(op, left, right)

    def unary(self) -> object:
        token = self.peek()
        if token == ("op", "!"):
            self.take()
            return _Not(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> object:
        kind, value = self.take()
        if kind == "string":
            return _Literal(value[1:-1].replace("''", "'"))
        if kind == "number":
            number = float(int(value, 16)) if value.lower().startswith("0x") else float(value)
            return _Literal(number)
        if kind == "op" and value == "(":
            node = self.binary(1)
            self.take(")")
            return node
        if kind == "name":
            lowered = value.lower()
            if lowered in ("true", "false"):
                return _Literal(lowered == "true")
            if lowered == "null":
                return _Literal(None)
            if self.peek() == ("op", "("):
                self.take("(")
                args: list[Any] = []
                if self.peek() != ("op", ")"):
                    args.append(self.binary(1))
                    while self.peek() == ("op", ","):
                        self.take(",")
                        args.append(self.binary(1))
                self.take(")")
                return _Call(lowered, tuple(args))
            return _Name(lowered)
        raise InputError(
            tr(
                "unexpected {value!r} in expression {text!r}",
                "式 {text!r} に予期しない {value!r} がある",
                value=value,
                text=self.text,
            )
        )

    def postfix(self, node: object) -> object:
        while True:
            token = self.peek()
            if token == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind == "op" and name == "*":
                    raise InputError(
                        tr(
                            "object filters (.*) are not supported: {text!r}",
                            "オブジェクトフィルター (.*) には対応していない: {text!r}",
                            text=self.text,
                        )
                    )
                if kind not in ("name", "number"):
                    raise InputError(
                        tr(
                            "expected a property name in expression {text!r}",
                            "式 {text!r} にプロパティ名がない",
                            text=self.text,
                        )
                    )
                node = _Index(node, _Literal(name))
            elif token == ("op", "["):
                self.take()
                key = self.binary(1)
                self.take("]")
                node = _Index(node, key)
            else:
                return node


def parse(text: str) -> object:
    """The syntax tree of one expression (the text inside `${{ }}`); InputError if invalid."""
    return _Parser(text).parse()


# --- Evaluation ------------------------------------------------------------------------------


def truthy(value: object) -> bool | None:
    """GitHub's truthiness: false, 0, -0, NaN, '' and null are falsy. None when UNKNOWN."""
    if value is UNKNOWN:
        return None
    if value is None or value is False or value == "":
        return False
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return True


def _number(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dict | list):
        return "Object" if isinstance(value, dict) else "Array"
    return str(value)


def _compare(op: str, left: object, right: object) -> object:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    elif type(left) is type(right) and isinstance(left, dict | list):
        if op in ("==", "!="):
            return (left is right) == (op == "==")
        return False
    else:
        a, b = _number(left), _number(right)
        if math.isnan(a) or math.isnan(b):
            return op == "!="
    results: dict[str, Callable[[Any, Any], bool]] = {
        "==": lambda x, y: bool(x == y),
        "!=": lambda x, y: bool(x != y),
        "<": lambda x, y: bool(x < y),
        "<=": lambda x, y: bool(x <= y),
        ">": lambda x, y: bool(x > y),
        ">=": lambda x, y: bool(x >= y),
    }
    return results[op](a, b)


# radon D: one branch per GitHub expression function.
def _call(name: str, args: list[Any]) -> object:
    if name in ("success", "always"):
        return True
    if name in ("failure", "cancelled", "hashfiles"):
        return UNKNOWN
    if any(arg is UNKNOWN for arg in args):
        return UNKNOWN
    if name in ("startswith", "endswith") and len(args) == 2:
        haystack, needle = _text(args[0]).casefold(), _text(args[1]).casefold()
        return haystack.startswith(needle) if name == "startswith" else haystack.endswith(needle)
    if name == "contains" and len(args) == 2:
        if isinstance(args[0], list):
            return any(_compare("==", item, args[1]) is True for item in args[0])
        return _text(args[1]).casefold() in _text(args[0]).casefold()
    if name == "format" and args:
        result = _text(args[0])
        for index, arg in enumerate(args[1:]):
            result = result.replace("{" + str(index) + "}", _text(arg))
        return result.replace("{{", "{").replace("}}", "}")
    if name == "join" and args:
        separator = _text(args[1]) if len(args) > 1 else ","
        items = args[0] if isinstance(args[0], list) else [args[0]]
        return separator.join(_text(item) for item in items)
    if name == "tojson" and len(args) == 1:
        return json.dumps(args[0], indent=2)
    if name == "fromjson" and len(args) == 1:
        try:
            return json.loads(_text(args[0]))
        except (ValueError, RecursionError):  # nested past the stack: not known statically
            return UNKNOWN
    return UNKNOWN


# radon D: the GitHub expression evaluator: one branch per node kind.
def _evaluate(node: object, context: Mapping[str, Any]) -> object:
    if isinstance(node, _Literal):
        return node.value
    if isinstance(node, _Name):
        return context.get(node.name, UNKNOWN)
    if isinstance(node, _Index):
        target = _evaluate(node.target, context)
        key = _evaluate(node.key, context)
        if target is UNKNOWN or key is UNKNOWN:
            return UNKNOWN
        if isinstance(target, dict):
            lowered = {str(k).casefold(): v for k, v in target.items()}
            name = _text(key).casefold()
            if name in lowered:
                return lowered[name]
            return UNKNOWN if isinstance(target, Open) else None
        if isinstance(target, list) and isinstance(key, float) and key.is_integer():
            index = int(key)
            return target[index] if 0 <= index < len(target) else None
        return None
    if isinstance(node, _Not):
        value = truthy(_evaluate(node.operand, context))
        return UNKNOWN if value is None else not value
    if isinstance(node, _Call):
        return _call(node.function, [_evaluate(arg, context) for arg in node.args])
    if isinstance(node, _Binary):
        left = _evaluate(node.left, context)
        if node.op in ("&&", "||"):
            decided = truthy(left)
            if node.op == "&&" and decided is False:
                return left
            if node.op == "||" and decided is True:
                return left
            right = _evaluate(node.right, context)
            if decided is None:
                known = truthy(right)
                # x && false is falsy and x || true is truthy whatever x is.
                if (node.op == "&&" and known is False) or (node.op == "||" and known is True):
                    return right
                return UNKNOWN
            return right
        return _compare(node.op, left, _evaluate(node.right, context))
    raise TypeError(f"not an expression node: {node!r}")


def evaluate(expression: str, context: Mapping[str, Any]) -> object:
    """The value of one expression (without `${{ }}`), UNKNOWN where it cannot be known.

    `context` maps context names (`github`, `matrix`, `inputs`, ...) to their values; use
    `Open` for a context known only in part. InputError when the expression is invalid.
    """
    return _evaluate(parse(expression), {k.casefold(): v for k, v in context.items()})


def interpolate(text: str, context: Mapping[str, Any]) -> str | None:
    """`text` with every `${{ ... }}` replaced by its value as a string, as GitHub does for
    an input or `run:`; None when an expression's value is not known."""
    parts: list[str] = []
    position = 0
    for start, end, inner in fences(text):
        value = evaluate(inner.strip(), context)
        if value is UNKNOWN:
            return None
        parts.append(text[position:start])
        parts.append(_text(value) if not isinstance(value, dict | list) else json.dumps(value))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """`text` with each `${{ ... }}` whose value is known replaced by it; the others, and
    any that do not parse, stay as written."""

    def replace(inner: str, written: str) -> str:
        try:
            value = evaluate(inner.strip(), context)
        except InputError:
            return written
        if value is UNKNOWN:
            return written
        return _text(value) if not isinstance(value, dict | list) else json.dumps(value)

    parts: list[str] = []
    position = 0
    for start, end, inner in fences(text):
        parts.append(text[position:start])
        parts.append(replace(inner, text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)
