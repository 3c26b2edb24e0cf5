"""Read `docker buildx bake` definitions: HCL (`docker-bake.hcl`) and JSON (`docker-bake.json`).

What buildx bake does with a definition (docs.docker.com/build/bake/reference), and so what
this reader does:

* Blocks `variable "NAME" { default = ... }`, `target "NAME" { ... }`, `group "NAME" {
  targets = [...] }` and `function "NAME" { params = [...] result = ... }`; attributes
  `key = expression`. Several files are merged in order: a later file's attributes of a
  target with the same name win, a later `variable` default wins.
* A variable's value is the environment variable of the same name when the environment
  sets it (bake reads the process environment, which in GitHub Actions is the step's `env`,
  the job's and the workflow's), else its `default`; a variable with no default is "".
* Expressions: strings with `${...}` interpolation, heredocs (`<<EOT`, `<<-EOT`), numbers,
  `true`/`false`/`null`, lists, objects, variable references, `a ? b : c`, the operators
  `! - * / % + - < <= > >= == != && ||`, and function calls (the HCL standard functions bake
  offers that matter for a build definition: `equal`, `notequal`, `and`, `or`, `not`,
  `join`, `split`, `lower`, `upper`, `trim*`, `replace`, `concat`, `coalesce`, `format`,
  `length`, `element`, `contains`, `distinct`, `flatten`, `tostring`, and user functions).
  A value that cannot be known statically (a function this reader does not evaluate, a
  `for` expression) is `UNKNOWN`, and so is everything computed from it.
* `inherits = [...]`: the parents' attributes first, in order, then the target's own;
  `args`, `labels`, `contexts` and `annotations` maps are merged key by key.
* Groups expand to their targets (recursively); the group `default` is what `bake` builds
  when no target is named. A target with `matrix` is reported as not expanded.
* A target's `context` defaults to ".", its `dockerfile` to "Dockerfile" (relative to the
  context); `cache-from` / `cache-to` entries written as objects are turned into the
  `type=...,key=value` text that buildx parses.

JSON definitions use the same structure (`{"variable": {"X": {"default": ...}}, "target":
{...}, "group": {...}}`), with `${...}` interpolation in strings. The reader judges nothing.
Syntax that bake itself would reject raises InputError with the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from checklists import InputError, decode_text, tr

__all__ = [
    "UNKNOWN",
    "BakeFile",
    "BakeTarget",
    "Resolved",
    "read_bake_hcl",
    "read_bake_json",
    "resolve",
]


class _Unknown:
    """A value that cannot be known statically."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

#: A node of an expression's syntax tree, or an evaluated value (str, number, bool, None,
#: list, dict or UNKNOWN): bake's values are dynamically typed, as HCL's are.
Node: TypeAlias = Any

# --- Lexing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ident, number, string, heredoc, op, newline, eof
    value: Any
    line: int


_OPS = (
    "==", "!=", "<=", ">=", "&&", "||", "=>", "...",
    "{", "}", "[", "]", "(", ")", "=", ",", ":", "?", ".", "!", "<", ">", "+", "-", "*", "/", "%",
)  # fmt: skip
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


@dataclass(frozen=True, slots=True)
class _Template:
    """A string with interpolations: literal text and expression nodes, in order."""

    parts: tuple[Any, ...]  # str or a node


# radon D: the HCL lexer: one branch per token kind.
def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
        elif c == "\n":
            tokens.append(_Token("newline", None, line))
            line += 1
            i += 1
        elif c == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise InputError(
                    tr("a /* comment is never closed", "/* コメントが閉じられていない"), line=line
                )
            line += text.count("\n", i, end)
            i = end + 2
        elif c == '"':
            template, i, lines = _string(text, i + 1, line)
            tokens.append(_Token("string", template, line))
            line += lines
        elif (heredoc := _HEREDOC.match(text, i)) is not None:
            strip, marker = heredoc.group(1) == "-", heredoc.group(2)
            body_start = heredoc.end()
            closing = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.MULTILINE)
            found = closing.search(text, body_start)
            if found is None:
                raise InputError(
                    tr(
                        "the heredoc <<{marker} is never closed",
                        "ヒアドキュメント <<{marker} が閉じられていない",
                        marker=marker,
                    ),
                    line=line,
                )
            body = text[body_start : found.start()]
            if strip:
                lines_ = body.split("\n")
                indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines_ if ln.strip()]
                cut = min(indents, default=0)
                body = "\n".join(ln[cut:] for ln in lines_)
            tokens.append(_Token("string", _template_of(body, line + 1), line))
            line += text.count("\n", i, found.end())
            i = found.end()
        elif c.isdigit():
            match = _NUMBER.match(text, i)
            assert match is not None
            number = float(match.group(0))
            tokens.append(_Token("number", int(number) if number.is_integer() else number, line))
            i = match.end()
        elif (ident := _IDENT.match(text, i)) is not None:
            tokens.append(_Token("ident", ident.group(0), line))
            i = ident.end()
        else:
            op = next((o for o in _OPS if text.startswith(o, i)), None)
            if op is None:
                raise InputError(
                    tr("unexpected character {c!r}", "予期しない文字 {c!r}", c=c), line=line
                )
            tokens.append(_Token("op", op, line))
            i += len(op)
    tokens.append(_Token("eof", None, line))
    return tokens


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _string(text: str, i: int, line: int) -> tuple[_Template, int, int]:
    """A quoted string from after its opening quote: (template, index after it, newlines)."""
    parts: list[Any] = []
    buffer: list[str] = []
    start_line = line
    n = len(text)
    while True:
        if i >= n or text[i] == "\n":
            raise InputError(
                tr("a quoted string is never closed", "引用符で囲んだ文字列が閉じられていない"),
                line=start_line,
            )
        c = text[i]
        if c == '"':
            break
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "u" and i + 6 <= n:
                buffer.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            buffer.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buffer.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            end = _closing_brace(text, i + 2, start_line)
            inner = text[i + 2 : end].strip().removeprefix("~").removesuffix("~").strip()
            if buffer:
                parts.append("".join(buffer))
                buffer = []
            if text[i] == "%":
                parts.append(_Opaque("template directive"))
            else:
                parts.append(_parse_expression(inner, line))
            i = end + 1
            continue
        buffer.append(c)
        i += 1
    if buffer:
        parts.append("".join(buffer))
    return _Template(tuple(parts)), i + 1, 0


def _closing_brace(text: str, i: int, line: int) -> int:
    depth = 1
    quote = False
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise InputError(
        tr("an interpolation ${{ is never closed", "補間 ${{ が閉じられていない"), line=line
    )


def _template_of(body: str, line: int) -> _Template:
    """A heredoc body as a template (interpolations as in a quoted string, no escapes)."""
    parts: list[Any] = []
    position = 0
    for match in re.finditer(r"(?<!\$)\$\{", body):
        end = _closing_brace(body, match.end(), line)
        if match.start() > position:
            parts.append(body[position : match.start()])
        parts.append(_parse_expression(body[match.end() : end].strip(), line))
        position = end + 1
    if position < len(body):
        parts.append(body[position:].replace("$${", "${"))
    return _Template(tuple(parts))


# --- Parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str


@dataclass(frozen=True, slots=True)
class _GetAttr:
    target: Any
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    target: Any
    key: Any


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: tuple[Any, ...]
    expand: bool = False  # f(list...)


@dataclass(frozen=True, slots=True)
class _Unary:
    op: str
    operand: Any


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class _Conditional:
    condition: Any
    then: Any
    otherwise: Any


@dataclass(frozen=True, slots=True)
class _Tuple:
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Object:
    items: tuple[tuple[Any, Any], ...]  # (key node, value node)


@dataclass(frozen=True, slots=True)
class _Opaque:
    """A construct this reader does not evaluate (a for expression, a splat, a directive)."""

    what: str


_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0  # inside brackets newlines are whitespace

    def peek(self) -> _Token:
        index = self.position
        if self.depth:
            while self.tokens[index].kind == "newline":
                index += 1
        return self.tokens[index]

    def take(self, kind: str | None = None, value: object = None) -> _Token:
        if self.depth:
            while self.tokens[self.position].kind == "newline":
                self.position += 1
        token = self.tokens[self.position]
        if (kind and token.kind != kind) or (value is not None and token.value != value):
            want = repr(value) if value is not None else kind
            got = (
                tr("end of file", "ファイルの終わり")
                if token.kind == "eof"
                else repr(token.value or token.kind)
            )
            raise InputError(
                tr(
                    "expected {want}, found {got}",
                    "{want} があるべき位置に {got} がある",
                    want=want,
                    got=got,
                ),
                line=token.line,
            )
        self.position += 1
        return token

    def skip_newlines(self) -> None:
        while self.tokens[self.position].kind == "newline":
            self.position += 1

    # body := (attribute | block)*
    def body(self, closing: bool) -> list[Any]:
        items: list[Any] = []
        while True:
            self.skip_newlines()
            token = self.tokens[self.position]
            if token.kind == "eof":
                if closing:
                    raise InputError(
                        tr("a block is never closed with }}", "ブロックが }} で閉じられていない"),
                        line=token.line,
                    )
                return items
            if token.kind == "op" and token.value == "}":
                if not closing:
                    raise InputError(tr("unexpected }}", "予期しない }}"), line=token.line)
                self.position += 1
                return items
            name = self.take("ident")
            nxt = self.tokens[self.position]
            if nxt.kind == "op" and nxt.value == "=":
                self.position += 1
                value = self.expression()
                end = self.tokens[self.position]
                if end.kind not in ("newline", "eof") and not (
                    end.kind == "op" and end.value == "}"
                ):
                    raise InputError(
                        tr(
                            "expected the end of the line after {value} = ...",
                            "{value} = ... の後は行末であるべき",
                            value=name.value,
                        ),
                        line=end.line,
                    )
                items.append(("attribute", name.value, value, name.line))
                continue
            labels: list[str] = []
            while self.tokens[self.position].kind in ("string", "ident"):
                label = self.take()
                labels.append(
                    label.value if label.kind == "ident" else _literal_text(label.value, label.line)
                )
            self.take("op", "{")
            items.append(("block", name.value, tuple(labels), self.body(True), name.line))

    def expression(self) -> Node:
        condition = self.binary(1)
        token = self.peek()
        if token.kind == "op" and token.value == "?":
            self.take()
            then = self.expression()
            self.take("op", ":")
            otherwise = self.expression()
            return _Conditional(condition, then, otherwise)
        return condition

    def binary(self, level: int) -> Node:
        left = self.unary()
        while True:
            token = self.peek()
            precedence = _PRECEDENCE.get(token.value, 0) if token.kind == "op" else 0
            if precedence < level or precedence == 0:
                return left
            op = self.take().value
            left = _Binary(op, left, self.binary(precedence + 1))

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value in ("!", "-"):
            self.take()
            return _Unary(token.value, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.tokens[self.position]
            if token.kind == "op" and token.value == ".":
                self.take()
                name = self.take()
                if name.kind == "op" and name.value == "*":
                    node = _Opaque("splat expression")
                elif name.kind in ("ident", "number"):
                    node = _GetAttr(node, str(name.value))
                else:
                    raise InputError(
                        tr("expected an attribute name after '.'", "'.' の後に属性名がない"),
                        line=name.line,
                    )
            elif token.kind == "op" and token.value == "[":
                self.take()
                self.depth += 1
                if self.peek().kind == "op" and self.peek().value == "*":
                    self.take()
                    key: Any = _Opaque("splat expression")
                else:
                    key = self.expression()
                self.take("op", "]")
                self.depth -= 1
                node = _Index(node, key)
            else:
                return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return _Literal(token.value)
        if token.kind == "string":
            return token.value
        if token.kind == "ident":
            if token.value in ("true", "false"):
                return _Literal(token.value == "true")
            if token.value == "null":
                return _Literal(None)
            nxt = self.tokens[self.position]
            if nxt.kind == "op" and nxt.value == "(":
                return self.call(token.value)
            return _Variable(token.value)
        if token.kind == "op" and token.value == "(":
            self.depth += 1
            node = self.expression()
            self.take("op", ")")
            self.depth -= 1
            return node
        if token.kind == "op" and token.value == "[":
            return self.sequence()
        if token.kind == "op" and token.value == "{":
            return self.mapping()
        shown = tr("end of file", "ファイルの終わり") if token.kind == "eof" else repr(token.value)
        raise InputError(
            tr(
                "unexpected {shown} in an expression",
                "式の中に予期しない {shown} がある",
                shown=shown,
            ),
            line=token.line,
        )

    def call(self, name: str) -> Node:
        self.take("op", "(")
        self.depth += 1
        args: list[Any] = []
        expand = False
        while not (self.peek().kind == "op" and self.peek().value == ")"):
            args.append(self.expression())
            if self.peek().kind == "op" and self.peek().value == "...":
                self.take()
                expand = True
            if self.peek().kind == "op" and self.peek().value == ",":
                self.take()
            else:
                break
        self.take("op", ")")
        self.depth -= 1
        return _Call(name, tuple(args), expand)

    def sequence(self) -> Node:
        self.depth += 1
        if self.peek().kind == "ident" and self.peek().value == "for":
            self.skip_to("]")
            self.depth -= 1
            return _Opaque("for expression")
        items: list[Any] = []
        while not (self.peek().kind == "op" and self.peek().value == "]"):
            items.append(self.expression())
            if self.peek().kind == "op" and self.peek().value == ",":
                self.take()
            else:
                break
        self.take("op", "]")
        self.depth -= 1
        return _Tuple(tuple(items))

    def mapping(self) -> Node:
        self.depth += 1
        if self.peek().kind == "ident" and self.peek().value == "for":
            self.skip_to("}")
            self.depth -= 1
            return _Opaque("for expression")
        items: list[tuple[Any, Any]] = []
        while not (self.peek().kind == "op" and self.peek().value == "}"):
            key_token = self.peek()
            after = self.tokens.index(key_token, self.position) + 1
            if key_token.kind == "ident" and self.tokens[after].value in ("=", ":"):
                self.take()
                key: Any = _Literal(key_token.value)
            else:
                key = self.expression()
            separator = self.take("op")
            if separator.value not in ("=", ":"):
                raise InputError(
                    tr("expected = or : in an object", "オブジェクトの中に = か : がない"),
                    line=separator.line,
                )
            items.append((key, self.expression()))
            if self.peek().kind == "op" and self.peek().value == ",":
                self.take()
        self.take("op", "}")
        self.depth -= 1
        return _Object(tuple(items))

    def skip_to(self, closing: str) -> None:
        opening = {"]": "[", "}": "{"}[closing]
        depth = 1
        while depth:
            token = self.take()
            if token.kind == "eof":
                raise InputError(
                    tr("expected {closing}", "{closing} がない", closing=closing), line=token.line
                )
            if token.kind == "op" and token.value == opening:
                depth += 1
            elif token.kind == "op" and token.value == closing:
                depth -= 1


def _parse_expression(text: str, line: int) -> Node:
    tokens = [t for t in _lex(text) if t.kind != "newline"]
    shifted = [_Token(t.kind, t.value, t.line + line - 1) for t in tokens]
    parser = _Parser(shifted)
    node = parser.expression()
    parser.take("eof")
    return node


def _literal_text(template: _Template, line: int) -> str:
    if not all(isinstance(part, str) for part in template.parts):
        raise InputError(
            tr(
                "a block label must be a plain string",
                "ブロックのラベルは単純な文字列でなければならない",
            ),
            line=line,
        )
    return "".join(template.parts)


# --- The file --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    node: Any
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # target, group, variable, function
    name: str
    line: int
    attributes: Mapping[str, Attribute]


@dataclass(frozen=True, slots=True)
class BakeFile:
    """One parsed definition file: its blocks in file order."""

    blocks: tuple[Block, ...]
    attributes: Mapping[str, Attribute] = field(default_factory=dict)  # top-level attributes


def _blocks(items: list[Any]) -> BakeFile:
    blocks: list[Block] = []
    top: dict[str, Attribute] = {}
    for item in items:
        if item[0] == "attribute":
            top[item[1]] = Attribute(item[1], item[2], item[3])
            continue
        _, kind, labels, body, line = item
        attributes: dict[str, Attribute] = {}
        for entry in body:
            if entry[0] == "attribute":
                attributes[entry[1]] = Attribute(entry[1], entry[2], entry[3])
            # nested blocks (none in bake's schema) are ignored
        if kind in ("target", "group", "variable", "function"):
            if len(labels) != 1:
                raise InputError(
                    tr(
                        "a {kind} block needs exactly one name",
                        "{kind} ブロックには名前がちょうど 1 つ必要",
                        kind=kind,
                    ),
                    line=line,
                )
            blocks.append(Block(kind, labels[0], line, MappingProxyType(attributes)))
    return BakeFile(tuple(blocks), MappingProxyType(top))


def read_bake_hcl(data: bytes) -> BakeFile:
    """Parse an HCL bake file; InputError with the line for syntax bake would reject."""
    return _blocks(_Parser(_lex(decode_text(data))).body(False))


def _json_node(value: object, line: int) -> Node:
    if isinstance(value, str):
        return _template_of(value, line) if "${" in value else _Literal(value)
    if isinstance(value, list):
        return _Tuple(tuple(_json_node(item, line) for item in value))
    if isinstance(value, dict):
        return _Object(tuple((_Literal(k), _json_node(v, line)) for k, v in value.items()))
    return _Literal(value)


def read_bake_json(data: bytes) -> BakeFile:
    """Parse a JSON bake file (`docker-bake.json`); InputError if it is not a JSON object."""
    text = decode_text(data)
    try:
        document = json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        raise InputError(
            tr("not valid JSON: {error}", "JSON として不正: 「{error}」", error=error), line=line
        ) from None
    if not isinstance(document, dict):
        raise InputError(
            tr(
                "a bake definition must be a JSON object",
                "bake の定義は JSON オブジェクトでなければならない",
            ),
            line=1,
        )

    def line_of(name: str) -> int:
        match = re.search(r'"' + re.escape(name) + r'"\s*:', text)
        return text.count("\n", 0, match.start()) + 1 if match else 1

    blocks: list[Block] = []
    for kind in ("variable", "group", "target", "function"):
        section = document.get(kind, {})
        if not isinstance(section, dict):
            raise InputError(
                tr(
                    '"{kind}" must be an object',
                    '"{kind}" はオブジェクトでなければならない',
                    kind=kind,
                ),
                line=line_of(kind),
            )
        for name, body in section.items():
            line = line_of(name)
            if not isinstance(body, dict):
                raise InputError(
                    tr(
                        '{kind} "{name}" must be an object',
                        '{kind} "{name}" はオブジェクトでなければならない',
                        kind=kind,
                        name=name,
                    ),
                    line=line,
                )
            attributes = {
                key: Attribute(key, _json_node(value, line), line) for key, value in body.items()
            }
            blocks.append(Block(kind, name, line, MappingProxyType(attributes)))
    return BakeFile(tuple(blocks))


# --- Evaluation ------------------------------------------------------------------------------


def _text(value: object) -> str | _Unknown:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return UNKNOWN
    return str(value)


def _number(value: object) -> float | _Unknown:
    if isinstance(value, bool) or value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return UNKNOWN


def _strings(args: Sequence[object]) -> list[str] | _Unknown:
    found: list[str] = []
    for arg in args:
        text = _text(arg)
        if text is UNKNOWN:
            return UNKNOWN
        assert isinstance(text, str)
        found.append(text)
    return found


def _join(args: list[Any]) -> object:
    if len(args) != 2 or not isinstance(args[1], list):
        return UNKNOWN
    items = _strings(args[1])
    separator = _text(args[0])
    if items is UNKNOWN or separator is UNKNOWN:
        return UNKNOWN
    assert isinstance(items, list) and isinstance(separator, str)
    return separator.join(items)


def _flatten(value: object) -> object:
    if not isinstance(value, list):
        return value
    found: list[Any] = []
    for item in value:
        flat = _flatten(item)
        found.extend(flat if isinstance(flat, list) else [flat])
    return found


def _string_function(function: Callable[..., str], count: int) -> Callable[[list[Any]], object]:
    def apply(args: list[Any]) -> object:
        texts = _strings(args)
        if texts is UNKNOWN or len(texts) != count:  # type: ignore[arg-type]
            return UNKNOWN
        return function(*texts)  # type: ignore[misc]

    return apply


def _format(args: list[Any]) -> object:
    texts = _strings(args)
    if texts is UNKNOWN or not texts:
        return UNKNOWN
    assert isinstance(texts, list)
    pattern, values = texts[0], iter(texts[1:])
    try:
        return re.sub(
            r"%%|%[-+ #0-9.]*[sdvqt]",
            lambda m: "%" if m.group(0) == "%%" else next(values),
            pattern,
        )
    except StopIteration:
        return UNKNOWN


_FUNCTIONS: dict[str, Callable[[list[Any]], object]] = {
    "equal": lambda a: a[0] == a[1] if len(a) == 2 else UNKNOWN,
    "notequal": lambda a: a[0] != a[1] if len(a) == 2 else UNKNOWN,
    "and": lambda a: all(a) if all(isinstance(x, bool) for x in a) else UNKNOWN,
    "or": lambda a: any(a) if all(isinstance(x, bool) for x in a) else UNKNOWN,
    "not": lambda a: (not a[0]) if len(a) == 1 and isinstance(a[0], bool) else UNKNOWN,
    "join": _join,
    "split": lambda a: (
        a[1].split(a[0]) if len(a) == 2 and all(isinstance(x, str) for x in a) else UNKNOWN
    ),
    "lower": _string_function(str.lower, 1),
    "upper": _string_function(str.upper, 1),
    "trimspace": _string_function(str.strip, 1),
    "trimprefix": _string_function(lambda s, p: s.removeprefix(p), 2),
    "trimsuffix": _string_function(lambda s, p: s.removesuffix(p), 2),
    "trim": _string_function(lambda s, c: s.strip(c), 2),
    "replace": _string_function(lambda s, old, new: s.replace(old, new), 3),
    "tostring": _string_function(lambda s: s, 1),
    "concat": lambda a: (
        [x for item in a for x in item] if all(isinstance(x, list) for x in a) else UNKNOWN
    ),
    "coalesce": lambda a: next((x for x in a if x not in (None, "")), None),
    "length": lambda a: (
        float(len(a[0])) if len(a) == 1 and isinstance(a[0], list | str | dict) else UNKNOWN
    ),
    "element": lambda a: (
        a[0][int(a[1]) % len(a[0])]
        if len(a) == 2 and isinstance(a[0], list) and a[0] and isinstance(a[1], int | float)
        else UNKNOWN
    ),
    "contains": lambda a: a[1] in a[0] if len(a) == 2 and isinstance(a[0], list) else UNKNOWN,
    "distinct": lambda a: (
        list(dict.fromkeys(a[0])) if len(a) == 1 and isinstance(a[0], list) else UNKNOWN
    ),
    "flatten": lambda a: _flatten(a[0]) if len(a) == 1 else UNKNOWN,
    "format": _format,
    "regex_replace": _string_function(lambda s, p, r: re.sub(p, r.replace("$", "\\"), s), 3),
    "regexall": lambda a: UNKNOWN,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Function:
    params: tuple[str, ...]
    variadic: str | None
    result: Any


def _template(node: _Template, ev: Callable[[Node], Node]) -> Node:
    """A string template: its parts as text, or UNKNOWN when one part is unknown."""
    if len(node.parts) == 1 and not isinstance(node.parts[0], str):
        return ev(node.parts[0])  # "${x}" keeps x's type
    pieces: list[str] = []
    for part in node.parts:
        text = part if isinstance(part, str) else _text(ev(part))
        if text is UNKNOWN:
            return UNKNOWN
        assert isinstance(text, str)
        pieces.append(text)
    return "".join(pieces)


def _lookup(node: _GetAttr | _Index, ev: Callable[[Node], Node]) -> Node:
    """`a.b` and `a[k]`: an object's attribute or a list's element, UNKNOWN when missing."""
    target = ev(node.target)
    key = ev(node.key) if isinstance(node, _Index) else node.name
    if isinstance(target, dict):
        return target.get(_text(key), UNKNOWN) if key is not UNKNOWN else UNKNOWN
    if isinstance(target, list) and isinstance(key, int | float):
        index = int(key)
        return target[index] if 0 <= index < len(target) else UNKNOWN
    return UNKNOWN


def _object(node: _Object, ev: Callable[[Node], Node]) -> Node:
    """An object constructor `{ k = v }`; UNKNOWN when a key is unknown."""
    found: dict[str, Any] = {}
    for key_node, value_node in node.items:
        key = _text(ev(key_node))
        if key is UNKNOWN:
            return UNKNOWN
        found[str(key)] = ev(value_node)
    return found


def _unary(node: _Unary, ev: Callable[[Node], Node]) -> Node:
    """`!x` on a bool, `-x` on a number; UNKNOWN otherwise."""
    value = ev(node.operand)
    if node.op == "!":
        return (not value) if isinstance(value, bool) else UNKNOWN
    number = _number(value)
    return UNKNOWN if number is UNKNOWN else -number  # type: ignore[operator]


class _Scope:
    """Variables and functions visible to an expression."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        functions: Mapping[str, _Function],
        locals_: Mapping[str, Any] | None = None,
    ) -> None:
        self.variables = variables
        self.functions = functions
        self.locals = locals_ or {}

    def evaluate(self, node: Node, depth: int = 0) -> Node:
        if depth > 64:
            return UNKNOWN

        def ev(child: Node) -> Node:
            return self.evaluate(child, depth + 1)

        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Template):
            return _template(node, ev)
        if isinstance(node, _Variable):
            if node.name in self.locals:
                return self.locals[node.name]
            return self.variables.get(node.name, UNKNOWN)
        if isinstance(node, _GetAttr | _Index):
            return _lookup(node, ev)
        if isinstance(node, _Tuple):
            return [ev(item) for item in node.items]
        if isinstance(node, _Object):
            return _object(node, ev)
        if isinstance(node, _Conditional):
            condition = ev(node.condition)
            if not isinstance(condition, bool):
                return UNKNOWN
            return ev(node.then if condition else node.otherwise)
        if isinstance(node, _Unary):
            return _unary(node, ev)
        if isinstance(node, _Binary):
            return self.binary(node, ev)
        if isinstance(node, _Call):
            return self.call(node, ev)
        return UNKNOWN

    # radon D: one branch per HCL binary operator.
    def binary(self, node: _Binary, ev: Callable[[Node], Node]) -> Node:
        left = ev(node.left)
        if node.op in ("&&", "||"):
            if node.op == "&&" and left is False:
                return False
            if node.op == "||" and left is True:
                return True
            right = ev(node.right)
            if not isinstance(left, bool):
                if node.op == "&&" and right is False:
                    return False
                if node.op == "||" and right is True:
                    return True
                return UNKNOWN
            return right if isinstance(right, bool) else UNKNOWN
        right = ev(node.right)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if node.op in ("==", "!="):
            same = _comparable(left) == _comparable(right)
            return same if node.op == "==" else not same
        a, b = _number(left), _number(right)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        assert isinstance(a, float) and isinstance(b, float)
        operations: dict[str, Callable[[float, float], Any]] = {
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
            "+": lambda x, y: x + y,
            "-": lambda x, y: x - y,
            "*": lambda x, y: x * y,
            "/": lambda x, y: x / y if y else UNKNOWN,
            "%": lambda x, y: x % y if y else UNKNOWN,
        }
        return operations[node.op](a, b)

    def call(self, node: _Call, ev: Callable[[Node], Node]) -> Node:
        args = [ev(arg) for arg in node.args]
        if node.expand and args and isinstance(args[-1], list):
            args = args[:-1] + args[-1]
        user = self.functions.get(node.name)
        if user is not None:
            count = len(user.params)
            if len(args) < count:
                return UNKNOWN
            bound = dict(zip(user.params, args[:count], strict=True))
            if user.variadic:
                bound[user.variadic] = args[count:]
            inner = _Scope(self.variables, self.functions, bound)
            return inner.evaluate(user.result, 32)
        builtin = _FUNCTIONS.get(node.name)
        if builtin is None or any(arg is UNKNOWN for arg in args):
            return UNKNOWN
        try:
            return builtin(args)
        except (TypeError, ValueError, IndexError, ZeroDivisionError):
            return UNKNOWN


def _comparable(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


# --- Targets ---------------------------------------------------------------------------------

#: Attributes whose map values merge key by key through `inherits`.
_MAPS = frozenset({"args", "labels", "contexts", "annotations"})


@dataclass(frozen=True, slots=True)
class BakeTarget:
    """One target as bake would build it, values evaluated where they can be.

    A value that is `None` was not set; `UNKNOWN` could not be evaluated statically. The
    places (`path`, line) of each attribute that was set are in `lines`.
    """

    name: str
    group_name: str  # the block's name (differs from `name` for a matrix target)
    path: str
    line: int
    context: str | None
    dockerfile: str | None  # relative to the context, as bake reads it
    dockerfile_inline: bool
    target: str | None
    args: Mapping[str, str | None]  # None: the value is not known statically
    tags: tuple[str, ...]
    cache_from: tuple[str, ...]
    cache_to: tuple[str, ...]
    platforms: tuple[str, ...]
    outputs: tuple[str, ...]
    push: bool | None  # `push = true` in the definition (None: not set)
    unknown: tuple[str, ...]  # attributes whose value could not be evaluated
    lines: Mapping[str, tuple[str, int]]
    matrix: bool = False  # one combination of a `matrix` target (or one not expandable)


@dataclass(frozen=True, slots=True)
class Resolved:
    targets: tuple[BakeTarget, ...]
    missing: tuple[str, ...]  # target or group names the definition does not have


def _entry_text(value: object) -> str | None:
    """A cache-from / cache-to / output entry as buildx parses it (object form joined)."""
    if isinstance(value, dict):
        parts: list[str] = []
        for key, item in value.items():
            text = _text(item)
            if text is UNKNOWN:
                return None
            parts.append(f"{key}={text}")
        return ",".join(parts)
    text = _text(value)
    return None if text is UNKNOWN else str(text)


# radon D: bake's target resolution: groups, inherits, overrides, matrix, each in bake's order.
def resolve(
    files: Sequence[tuple[str, BakeFile]],
    targets: Iterable[str],
    environment: Mapping[str, str | None] | None = None,
    overrides: Iterable[str] = (),
) -> Resolved:
    """The targets bake builds for `targets` (target or group names; empty means the
    group `default`), from `files` merged in order.

    `environment` holds the process environment bake sees (None for a value that is set
    but not known statically, which makes the variable UNKNOWN); `overrides` are `--set`
    entries (`target.key=value`, `*.key=value`).
    """
    env = dict(environment or {})
    defaults: dict[str, Any] = {}
    functions: dict[str, Block] = {}
    target_blocks: dict[str, list[tuple[str, Block]]] = {}
    groups: dict[str, list[tuple[str, Block]]] = {}
    for path, bake in files:
        for block in bake.blocks:
            if block.kind == "variable":
                defaults[block.name] = block.attributes.get("default")
            elif block.kind == "function":
                functions[block.name] = block
            elif block.kind == "target":
                target_blocks.setdefault(block.name, []).append((path, block))
            else:
                groups.setdefault(block.name, []).append((path, block))
    variables: dict[str, Any] = {}
    scope = _Scope(variables, {})
    for name, attribute in defaults.items():
        if name in env:
            variables[name] = UNKNOWN if env[name] is None else env[name]
        elif attribute is None:
            variables[name] = ""
        else:
            variables[name] = UNKNOWN  # evaluated below, defaults may refer to each other
    for _ in range(3):
        for name, attribute in defaults.items():
            if name not in env and attribute is not None:
                variables[name] = scope.evaluate(attribute.node)
    scope.functions = {
        name: _Function(
            _param_names(block.attributes.get("params")),
            (
                str(scope.evaluate(block.attributes["variadic_param"].node))
                if "variadic_param" in block.attributes
                else None
            ),
            block.attributes["result"].node if "result" in block.attributes else _Literal(None),
        )
        for name, block in functions.items()
    }

    wanted = list(targets) or ["default"]
    names: list[str] = []
    missing: list[str] = []

    def expand(name: str, seen: frozenset[str]) -> None:
        if name in seen:
            return
        if name in groups:
            members: list[str] = []
            for _, block in groups[name]:
                members = _strings_of(scope, block.attributes.get("targets")) or members
            for member in members:
                expand(member, seen | {name})
        elif name in target_blocks:
            if name not in names:
                names.append(name)
        else:
            missing.append(name)

    for name in wanted:
        expand(name, frozenset())
    sets = _overrides(overrides)
    built: list[BakeTarget] = []
    for name in names:
        built.extend(_expanded(name, target_blocks, scope, sets))
    return Resolved(tuple(built), tuple(missing))


def _expanded(
    name: str,
    blocks: Mapping[str, list[tuple[str, Block]]],
    scope: _Scope,
    sets: list[tuple[str, str, str]],
) -> list[BakeTarget]:
    """The target, or one target per combination of its `matrix` (named by its `name`)."""
    matrix_attribute = next(
        (b.attributes["matrix"] for _, b in blocks.get(name, []) if "matrix" in b.attributes),
        None,
    )
    if matrix_attribute is None:
        return [_target(name, blocks, scope, sets, frozenset())]
    matrix = scope.evaluate(matrix_attribute.node)
    if not isinstance(matrix, dict) or not all(isinstance(v, list) for v in matrix.values()):
        return [_target(name, blocks, scope, sets, frozenset(), matrix=True)]
    keys = list(matrix)
    combos: list[dict[str, Any]] = [{}]
    for key in keys:
        combos = [{**combo, key: value} for combo in combos for value in matrix[key]]
    found: list[BakeTarget] = []
    for combo in combos[:256]:
        inner = _Scope(scope.variables, scope.functions, {**scope.locals, **combo})
        found.append(_target(name, blocks, inner, sets, frozenset(), matrix=True))
    return found


def _param_names(attribute: Attribute | None) -> tuple[str, ...]:
    """A function's `params = [a, b]`: bare names, not expressions."""
    if attribute is None or not isinstance(attribute.node, _Tuple):
        return ()
    return tuple(item.name for item in attribute.node.items if isinstance(item, _Variable))


def _strings_of(scope: _Scope, attribute: Attribute | None) -> list[str]:
    if attribute is None:
        return []
    value = scope.evaluate(attribute.node)
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if isinstance(v, str)]


def _overrides(entries: Iterable[str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for entry in entries:
        key, sep, value = entry.partition("=")
        name, dot, attribute = key.strip().partition(".")
        if sep and dot:
            found.append((name, attribute, value))
    return found


def _raw(
    name: str,
    blocks: Mapping[str, list[tuple[str, Block]]],
    scope: _Scope,
    seen: frozenset[str],
) -> tuple[dict[str, Any], dict[str, tuple[str, int]], str, int]:
    """The target's evaluated attributes after inheritance, with where each was set."""
    values: dict[str, Any] = {}
    lines: dict[str, tuple[str, int]] = {}
    own = blocks.get(name, [])
    path, line = (own[0][0], own[0][1].line) if own else ("", 0)
    parents: list[str] = []
    for _, block in own:
        if "inherits" in block.attributes:
            parents = _strings_of(scope, block.attributes["inherits"])
    for parent in parents:
        if parent in seen or parent not in blocks:
            continue
        inherited, where, _, _ = _raw(parent, blocks, scope, seen | {name})
        for key, value in inherited.items():
            if key in _MAPS and isinstance(value, dict) and isinstance(values.get(key), dict):
                values[key] = {**values[key], **value}
            else:
                values[key] = value
            lines[key] = where[key]
    for block_path, block in own:
        for key, attribute in block.attributes.items():
            if key == "inherits":
                continue
            value = scope.evaluate(attribute.node)
            if key in _MAPS and isinstance(value, dict) and isinstance(values.get(key), dict):
                values[key] = {**values[key], **value}
            else:
                values[key] = value
            lines[key] = (block_path, attribute.line)
    return values, lines, path, line


def _target(
    name: str,
    blocks: Mapping[str, list[tuple[str, Block]]],
    scope: _Scope,
    sets: list[tuple[str, str, str]],
    seen: frozenset[str],
    *,
    matrix: bool = False,
) -> BakeTarget:
    values, lines, path, line = _raw(name, blocks, scope, seen)
    values.pop("matrix", None)
    shown_name = _text(values.pop("name", name)) if matrix else name
    for target_name, attribute, value in sets:
        if target_name not in ("*", name):
            continue
        key, _, sub = attribute.partition(".")
        if key in _MAPS and sub:
            current = values.get(key)
            mapping: dict[str, Node] = current if isinstance(current, dict) else {}
            values[key] = {**mapping, sub: value}
        elif key in ("tags", "cache-from", "cache-to", "platforms", "output"):
            values[key] = [value]
        else:
            values[key] = value
    unknown: list[str] = []

    def text(key: str) -> str | None:
        if key not in values or values[key] is None:
            return None
        value = _text(values[key])
        if value is UNKNOWN:
            unknown.append(key)
            return None
        return str(value)

    def entries(key: str) -> tuple[str, ...]:
        raw = values.get(key)
        if raw is None:
            return ()
        if raw is UNKNOWN:
            unknown.append(key)
            return ()
        items = raw if isinstance(raw, list) else [raw]
        found: list[str] = []
        for item in items:
            entry = _entry_text(item)
            if entry is None:
                unknown.append(key)
            else:
                found.append(entry)
        return tuple(found)

    args: dict[str, str | None] = {}
    raw_args = values.get("args")
    if raw_args is UNKNOWN:
        unknown.append("args")
    elif isinstance(raw_args, dict):
        for key, value in raw_args.items():
            if value is None:
                continue  # an arg set to null is not passed
            shown = _text(value)
            args[key] = None if shown is UNKNOWN else str(shown)
    push = values.get("push")
    return BakeTarget(
        name=str(shown_name) if shown_name is not UNKNOWN else name,
        group_name=name,
        path=path,
        line=line,
        context=text("context"),
        dockerfile=text("dockerfile"),
        dockerfile_inline="dockerfile-inline" in values,
        target=text("target"),
        args=MappingProxyType(args),
        tags=entries("tags"),
        cache_from=entries("cache-from"),
        cache_to=entries("cache-to"),
        platforms=entries("platforms"),
        outputs=entries("output"),
        push=push if isinstance(push, bool) else None,
        unknown=tuple(dict.fromkeys(unknown)),
        lines=MappingProxyType(lines),
        matrix=matrix,
    )


def iter_targets(bake: BakeFile) -> Iterator[str]:
    """The target names a file defines, in order."""
    for block in bake.blocks:
        if block.kind == "target":
            yield block.name
