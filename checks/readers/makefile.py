"""Read a Makefile far enough to know which shell commands `make <target>` runs.

GNU make's rules, as its manual states them, for the part that decides the commands:

* Logical lines: a backslash-newline joins lines (in a recipe the shell receives both, in
  any other line it becomes a space). `#` starts a comment outside recipes.
* Variables: `NAME = value` (recursive), `:=` / `::=` (simple), `?=` (only if unset), `+=`
  (append), `export` / `override` prefixes; a `NAME=value` given on make's command line
  overrides the file's assignment. `!=` (a shell command's output) is not known statically.
* Expansion: `$(NAME)`, `${NAME}`, `$X`; `$$` is a literal `$`; `$@` is the target. The
  functions `subst`, `patsubst`, `strip`, `if`, `or`, `and`, `firstword`, `word`, `words`,
  `addprefix`, `addsuffix`, `filter`, `filter-out`, `sort`, `lastword` are evaluated;
  anything else (`shell`, `wildcard`, `foreach`, `call`, `eval`...) is not known statically
  and expands to a `${MAKE_UNKNOWN_n}` placeholder that a shell reader sees as a variable
  it cannot resolve.
* Conditionals `ifeq`, `ifneq`, `ifdef`, `ifndef` with `else` and `endif`: evaluated
  where the values are known; where not, both branches are kept.
* Rules `target [target...]: prerequisites [| order-only]`, then recipe lines starting with
  a tab (`.RECIPEPREFIX` is honoured); `target: ; command` puts a recipe on the rule line.
  A recipe line's `@`, `-` and `+` prefixes are dropped. Making a target first makes its
  prerequisites, depth first, each once.

The reader judges nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from checklists import decode_text

__all__ = ["Makefile", "RecipeLine", "read_makefile"]


@dataclass(frozen=True, slots=True)
class RecipeLine:
    """One command of a recipe, variables expanded, with its first line in the Makefile."""

    text: str
    line: int
    target: str


Guard = tuple[tuple[str, str, bool], ...]  # (ifeq|ifneq|ifdef|ifndef, arguments, branch taken)


@dataclass(frozen=True, slots=True)
class _Rule:
    targets: str
    prerequisites: str
    line: int
    guards: Guard


@dataclass(frozen=True, slots=True)
class _Recipe:
    text: str
    line: int
    guards: Guard


@dataclass(frozen=True, slots=True)
class _Assignment:
    name: str
    operator: str
    value: str
    line: int
    guards: Guard


@dataclass(frozen=True, slots=True)
class Makefile:
    """A Makefile's statements in order (assignments, rules, recipe lines), each with the
    conditionals it sits in."""

    statements: tuple[_Rule | _Recipe | _Assignment, ...]

    def targets(self) -> list[str]:
        return sorted(
            {t for s in self.statements if isinstance(s, _Rule) for t in s.targets.split()}
        )

    def commands(
        self, goals: list[str], overrides: Mapping[str, str] | None = None
    ) -> list[RecipeLine] | None:
        """The commands `make [VAR=value...] goals...` runs, in order; None when a goal has
        no rule. With no goal, the first target that does not start with a dot."""
        state = _State(dict(overrides or {}))
        rules: list[tuple[tuple[str, ...], tuple[str, ...], list[tuple[str, int]]]] = []
        current: list[tuple[str, int]] | None = None
        for statement in self.statements:
            active = state.active(statement.guards)
            if isinstance(statement, _Assignment):
                if active is not False:
                    state.assign(statement)
            elif isinstance(statement, _Rule):
                current = []
                if active is not False:
                    rules.append(
                        (
                            tuple(state.expand(statement.targets).split()),
                            tuple(state.expand(statement.prerequisites).split()),
                            current,
                        )
                    )
            elif current is not None and active is not False:
                current.append((statement.text, statement.line))
        by_target: dict[str, list[tuple[str, int]]] = {}
        prerequisites: dict[str, list[str]] = {}
        for targets, needs, recipe in rules:
            for name in targets:
                prerequisites.setdefault(name, []).extend(needs)
                if recipe or name not in by_target:
                    by_target[name] = recipe
        if not goals:
            first = next((t for r in rules for t in r[0] if not t.startswith(".")), None)
            goals = [first] if first else []
        found: list[RecipeLine] = []
        done: set[str] = set()

        def make(name: str, depth: int) -> bool:
            if name in done or depth > 32:
                return True
            done.add(name)
            if name not in by_target:
                return False
            for prerequisite in prerequisites.get(name, []):
                make(prerequisite, depth + 1)  # a file prerequisite has no rule: nothing runs
            for text, line in by_target[name]:
                command = state.expand(text, target=name).lstrip(" \t@-+")
                found.append(RecipeLine(command, line, name))
            return True

        for goal in goals:
            if not make(goal, 0):
                return None
        return found


_ASSIGN = re.compile(
    r"^(?:(?:export|override|private)\s+)*([A-Za-z0-9_.\-/]+)\s*(::=|:::=|:=|\?=|\+=|!=|=)(.*)$"
)
_RULE = re.compile(r"^([^:=#]+?)\s*::?(?!=)\s*(.*)$")
_CONDITIONAL = re.compile(r"^(ifeq|ifneq|ifdef|ifndef)\b\s*(.*)$")


# radon D: make's line grammar: rules, recipes, assignments, conditionals, includes, continuations.
def read_makefile(data: bytes) -> Makefile:
    """Parse a Makefile; it never fails on content (a line it does not understand is skipped)."""
    physical = decode_text(data).splitlines()
    prefix = "\t"
    statements: list[_Rule | _Recipe | _Assignment] = []
    guards: list[tuple[str, str, bool]] = []
    stack: list[int] = []  # how many guards each open conditional pushed (else ifeq adds one)
    index = 0
    in_rule = False
    while index < len(physical):
        start = index
        raw = physical[index]
        is_recipe = in_rule and raw.startswith(prefix)
        parts = [raw[len(prefix) :] if is_recipe else raw]
        while parts[-1].endswith("\\") and index + 1 < len(physical):
            index += 1
            following = physical[index]
            if is_recipe:
                parts[-1] = parts[-1] + "\n"
                parts.append(following.removeprefix(prefix))
            else:
                parts[-1] = parts[-1][:-1].rstrip() + " "
                parts.append(following.lstrip())
        index += 1
        joined = "".join(parts)
        line = start + 1
        if is_recipe:
            statements.append(_Recipe(joined, line, tuple(guards)))
            continue
        text = _strip_comment(joined).strip()
        if not text:
            continue
        word = text.split()[0]
        conditional = _CONDITIONAL.match(text)
        if conditional:
            guards.append((conditional.group(1), conditional.group(2), True))
            stack.append(1)
        elif word == "else" and stack:
            rest = text[4:].strip()
            count = stack.pop()
            taken = guards[-count:]
            del guards[-count:]
            guards.extend((k, a, False) for k, a, _ in taken)  # every earlier branch is false
            nested = _CONDITIONAL.match(rest) if rest else None
            if nested:
                guards.append((nested.group(1), nested.group(2), True))
                count += 1
            stack.append(count)
        elif word == "endif" and stack:
            count = stack.pop()
            del guards[-count:]
        elif text.startswith(".RECIPEPREFIX"):
            prefix = text.partition("=")[2].strip()[:1] or "\t"
        elif (assignment := _ASSIGN.match(text)) is not None:
            name, operator, value = assignment.groups()
            statements.append(_Assignment(name, operator, value.strip(), line, tuple(guards)))
        elif (rule := _RULE.match(text)) is not None:
            in_rule = True
            rest = rule.group(2)
            if ";" in rest:
                rest, _, command = rest.partition(";")
                statements.append(_Rule(rule.group(1), rest.replace("|", " "), line, tuple(guards)))
                statements.append(_Recipe(command.strip(), line, tuple(guards)))
            else:
                statements.append(_Rule(rule.group(1), rest.replace("|", " "), line, tuple(guards)))
        else:
            in_rule = in_rule and word in ("include", "-include", "export", "unexport")
    return Makefile(tuple(statements))


def _strip_comment(text: str) -> str:
    result: list[str] = []
    escaped = False
    for char in text:
        if char == "#" and not escaped:
            break
        escaped = char == "\\" and not escaped
        result.append(char)
    return "".join(result)


# --- Evaluation ------------------------------------------------------------------------------


class _State:
    def __init__(self, overrides: dict[str, str]) -> None:
        self.overrides = overrides
        self.values: dict[str, tuple[str, bool]] = {}  # name -> (value, recursive)
        self.unknown = 0
        self.depth = 0

    def active(self, guards: Guard) -> bool | None:
        """Whether the statement's conditionals hold (None when one cannot be decided)."""
        result: bool | None = True
        for kind, arguments, branch in guards:
            decided = self.decide(kind, arguments)
            if decided is None:
                result = None
            elif decided != branch:
                return False
        return result

    def assign(self, assignment: _Assignment) -> None:
        name = self.expand(assignment.name)
        if name in self.overrides:
            return
        operator, value = assignment.operator, assignment.value
        if operator == "?=" and name in self.values:
            return
        if operator == "!=":
            self.values[name] = (self.placeholder(), False)
        elif operator in (":=", "::=", ":::="):
            self.values[name] = (self.expand(value), False)
        elif operator == "+=" and name in self.values:
            old, recursive = self.values[name]
            added = value if recursive else self.expand(value)
            self.values[name] = (f"{old} {added}".strip(), recursive)
        else:
            self.values[name] = (value, True)

    def placeholder(self) -> str:
        self.unknown += 1
        return f"${{MAKE_UNKNOWN_{self.unknown}}}"

    def decide(self, kind: str, arguments: str) -> bool | None:
        arguments = arguments.strip()
        if kind in ("ifdef", "ifndef"):
            name = self.expand(arguments)
            defined = bool(self.lookup(name))
            if "MAKE_UNKNOWN" in name:
                return None
            return defined if kind == "ifdef" else not defined
        pair = _pair(arguments)
        if pair is None:
            return None
        left, right = (self.expand(part) for part in pair)
        if "MAKE_UNKNOWN" in left + right:
            return None
        same = left.strip() == right.strip()
        return same if kind == "ifeq" else not same

    def lookup(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.values:
            return ""
        value, recursive = self.values[name]
        return self.expand(value) if recursive else value

    def expand(self, text: str, target: str = "") -> str:
        if "$" not in text:
            return text
        self.depth += 1
        try:
            if self.depth > 40:
                return self.placeholder()
            return self._expand(text, target)
        finally:
            self.depth -= 1

    def _expand(self, text: str, target: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            char = text[i]
            if char != "$" or i + 1 >= len(text):
                out.append(char)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt in "({":
                close = ")" if nxt == "(" else "}"
                end = _matching(text, i + 2, nxt, close)
                if end < 0:
                    out.append(text[i:])
                    break
                out.append(self.reference(text[i + 2 : end], target))
                i = end + 1
            elif nxt == "@":
                out.append(target)
                i += 2
            elif nxt in "<^?*+|%":
                out.append(self.placeholder())
                i += 2
            else:
                out.append(self.lookup(nxt))
                i += 2
        return "".join(out)

    def reference(self, inner: str, target: str) -> str:
        function, space, rest = inner.partition(" ")
        if not space or function not in _FUNCTIONS:
            if ":" in inner and "=" in inner:  # substitution reference $(VAR:a=b)
                name, _, pattern = inner.partition(":")
                old, _, new = pattern.partition("=")
                value = self.lookup(self.expand(name, target))
                return " ".join(
                    w[: -len(old)] + new if old and w.endswith(old) else w for w in value.split()
                )
            if space and function not in _FUNCTIONS:
                return self.placeholder()  # shell, wildcard, foreach, call, eval, ...
            return self.lookup(self.expand(inner, target))
        args = [self.expand(a, target) for a in _split_args(rest)]
        return _FUNCTIONS[function](args)


def _pair(arguments: str) -> tuple[str, str] | None:
    if arguments.startswith("(") and arguments.endswith(")"):
        parts = _split_args(arguments[1:-1])
        return (parts[0], parts[1]) if len(parts) == 2 else None
    quoted = re.fullmatch(r"""(['"])(.*?)\1\s+(['"])(.*?)\3""", arguments)
    if quoted:
        return quoted.group(2), quoted.group(4)
    return None


def _matching(text: str, start: int, opening: str, closing: str) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split_args(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _patsubst(args: list[str]) -> str:
    if len(args) != 3:
        return ""
    pattern, replacement, text = args
    if "%" not in pattern:
        return " ".join(replacement if w == pattern else w for w in text.split())
    before, _, after = pattern.partition("%")
    found = []
    for word in text.split():
        if word.startswith(before) and word.endswith(after) and len(word) >= len(before + after):
            stem = word[len(before) : len(word) - len(after) if after else None]
            found.append(replacement.replace("%", stem, 1))
        else:
            found.append(word)
    return " ".join(found)


def _if(args: list[str]) -> str:
    if len(args) < 2:
        return ""
    return args[1] if args[0].strip() else (args[2] if len(args) > 2 else "")


def _filter(args: list[str], keep: bool) -> str:
    if len(args) != 2:
        return ""
    patterns = args[0].split()
    return " ".join(w for w in args[1].split() if (w in patterns) == keep)


_FUNCTIONS: Mapping[str, Callable[[list[str]], str]] = MappingProxyType(
    {
        "subst": lambda a: a[2].replace(a[0], a[1]) if len(a) == 3 else "",
        "patsubst": _patsubst,
        "strip": lambda a: " ".join(a[0].split()) if a else "",
        "if": _if,
        "or": lambda a: next((x for x in a if x.strip()), ""),
        "and": lambda a: a[-1] if all(x.strip() for x in a) else "",
        "firstword": lambda a: (a[0].split() or [""])[0] if a else "",
        "lastword": lambda a: (a[0].split() or [""])[-1] if a else "",
        "words": lambda a: str(len(a[0].split())) if a else "0",
        "addprefix": lambda a: " ".join(a[0] + w for w in a[1].split()) if len(a) == 2 else "",
        "addsuffix": lambda a: " ".join(w + a[0] for w in a[1].split()) if len(a) == 2 else "",
        "filter": lambda a: _filter(a, keep=True),
        "filter-out": lambda a: _filter(a, keep=False),
        "sort": lambda a: " ".join(sorted(set(a[0].split()))) if a else "",
    }
)  # fmt: skip
