"""The simple commands of a shell script, with the words a shell drops before the program.

The one place where shell text is split into words (POSIX quoting, no expansion, with
shlex): `shell_commands` splits a script into simple commands on `&&`, `||`, `;`, `|`, `&`,
parentheses and newlines; `split_words` splits one command line; `split_options` reads the
options of a command's words. On top of that, what a reader of RUN lines, heredocs and
entrypoint scripts needs, without judging anything:

- `strip_comments` removes shell comments the way the shell does: a `#` that starts a word,
  outside quotes, up to the end of its line. A `#` inside a word (`pkg#1`, `url#frag`) stays
  literal. Heredoc bodies and entrypoint scripts are full of comment lines, and a comment
  must not swallow the commands after it.
- `Command` separates what comes before the program: reserved words (`if`, `then`, `do`,
  `!`, ...), variable assignments (`DEBIAN_FRONTEND=noninteractive apt-get ...`), and the
  wrappers `exec`, `env`, `sudo`, `command`, `nice`, `nohup`, `gosu` and `su-exec`, each of
  which runs the program that follows it.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Command",
    "ScriptEnd",
    "Tail",
    "command",
    "commands",
    "replaces_itself",
    "script_end",
    "shell_commands",
    "split_option_lists",
    "split_options",
    "split_words",
    "strip_comments",
    "strip_heredocs",
    "tail",
]

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
# Options of the wrappers that take a value, so the program after them is found.
_SUDO_VALUED = frozenset({"-u", "-g", "-h", "-C", "-D", "-p", "-r", "-t", "-U", "-T", "-R"})
_ENV_VALUED = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})
_NICE_VALUED = frozenset({"-n", "--adjustment"})
_EXEC_VALUED = frozenset({"-a"})


# --- Words: comments, line continuations, quoting, operators ---------------------------------


def strip_comments(script: str) -> str:
    """The script without its comments; a `#` inside a word is escaped so it stays literal."""
    if "#" not in script:
        return script
    out: list[str] = []
    quote = ""
    at_word_start = True
    i = 0
    while i < len(script):
        ch = script[i]
        if quote:
            out.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(script):
                out.append(script[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
            i += 1
            continue
        if ch == "\\" and i + 1 < len(script):
            out.append(script[i : i + 2])
            at_word_start = False
            i += 2
            continue
        if ch == "#":
            if at_word_start:
                end = script.find("\n", i)
                i = len(script) if end < 0 else end
                continue
            out.append("\\#")
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        out.append(ch)
        at_word_start = ch.isspace() or ch in ";&|()<>"
        i += 1
    return "".join(out)


def split_options(
    words: list[str], valued: frozenset[str], *, flag: str = ""
) -> tuple[dict[str, str], list[str]]:
    """Options (as written, dashes kept) and the other words of a command line; an option
    given twice keeps its last value. See `split_option_lists`."""
    lists, positional = split_option_lists(words, valued, flag=flag)
    return {name: values[-1] for name, values in lists.items()}, positional


def split_option_lists(
    words: list[str], valued: frozenset[str], *, flag: str = ""
) -> tuple[dict[str, list[str]], list[str]]:
    """Every value of each option (as written, dashes kept), and the other words.

    `--name=value`, and `-x value` / `--name value` for the options in `valued`; any other
    word starting with `-` is a flag whose value is `flag`.
    """
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--") and "=" in word:
            key, _, value = word.partition("=")
            options.setdefault(key, []).append(value)
        elif word in valued and index + 1 < len(words):
            options.setdefault(word, []).append(words[index + 1])
            index += 1
        elif word.startswith("-"):
            options.setdefault(word, []).append(flag)
        else:
            positional.append(word)
        index += 1
    return options, positional


def split_words(line: str) -> list[str] | None:
    """The words of one command line as the shell splits them: quotes removed, operators
    and `#` left inside words, no expansion. None when a quote is unbalanced."""
    lexer = shlex.shlex(line, posix=True)
    lexer.commenters = ""
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return None


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a POSIX shell script, as word lists (no expansion).

    Good enough to recognise `useradd -u 1000 app` inside `a && b; c | d`; a script that
    does not tokenise (an unbalanced quote) yields no commands rather than a guess.
    Redirections stay among the words (`2`, `>&`, `1`).
    """
    return [list(words) for words in _shell_commands(script)]


@functools.lru_cache(maxsize=4096)  # several checks split the same RUN line
def _shell_commands(script: str) -> tuple[tuple[str, ...], ...]:
    tokens = _tokens(strip_comments(_join_lines(script)))
    if tokens is None:
        return ()
    found: list[list[str]] = [[]]
    for token in tokens:
        if token in _COMMAND_BREAKS:
            found.append([])
        else:
            found[-1].append(token)
    return tuple(tuple(words) for words in found if words)


def _join_lines(script: str) -> str:
    """A backslash before a newline continues the line: the shell removes both."""
    return script.replace("\\\r\n", "").replace("\\\n", "")


def _tokens(text: str) -> list[str] | None:
    """Words and operators; a newline separates commands like `;`."""
    lexer = shlex.shlex(text.replace("\n", " ; "), posix=True, punctuation_chars=True)
    lexer.commenters = ""  # comments are gone; a '#' left is part of a word
    lexer.whitespace_split = True
    try:
        return [part for token in lexer for part in _split_operators(token)]
    except ValueError:
        return None


def _split_operators(token: str) -> list[str]:
    """shlex keeps a run of operator characters together (`);`): split it into operators."""
    if not token or any(ch not in "&|;()<>" for ch in token):
        return [token]
    out: list[str] = []
    i = 0
    while i < len(token):
        op = next(o for o in _OPERATORS if token.startswith(o, i))
        out.append(op)
        i += len(op)
    return out


# Longest first: how a shell splits a run of operator characters.
_OPERATORS: tuple[str, ...] = ("&&", "||", ";;", "|&", ">>", ">&", "&>", "<&", "<<", "<>")
_OPERATORS += (";", "|", "&", "(", ")", "<", ">")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "|&", ";;"})
_COMMAND_BREAKS = _SEPARATORS | {"(", ")"}


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command: its words, and the program it really runs with its arguments."""

    words: tuple[str, ...]  # as split by the shell, quotes removed
    argv: tuple[str, ...]  # the program and its arguments, after assignments and wrappers
    assignments: Mapping[str, str] = field(default_factory=dict)  # NAME=value before it
    exec: bool = False  # `exec program`: the program replaces the shell

    @property
    def program(self) -> str:
        """The program's file name without its folder ('pip' for '/opt/venv/bin/pip')."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]


def _skip_options(words: list[str], start: int, valued: frozenset[str]) -> int:
    """The index of the first word after a wrapper's options (and `--`)."""
    i = start
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        if words[i] == "--":
            return i + 1
        i += 2 if words[i] in valued else 1
    return i


def command(words: Sequence[str]) -> Command:
    """The Command for one list of words (a simple command, or an exec-form JSON array)."""
    items = list(words)
    assignments: dict[str, str] = {}
    is_exec = False
    i = 0
    while i < len(items):
        word = items[i]
        name = word.rsplit("/", 1)[-1]
        if word in _RESERVED:
            i += 1
        elif _ASSIGNMENT.match(word):
            key, _, value = word.partition("=")
            assignments[key] = value
            i += 1
        elif name == "exec":
            is_exec = True
            i = _skip_options(items, i + 1, _EXEC_VALUED)
        elif name == "env":
            i = _skip_options(items, i + 1, _ENV_VALUED)
        elif name == "sudo":
            i = _skip_options(items, i + 1, _SUDO_VALUED)
        elif name == "nice":
            i = _skip_options(items, i + 1, _NICE_VALUED)
        elif name in ("command", "nohup"):
            i = _skip_options(items, i + 1, frozenset())
        elif name in ("gosu", "su-exec"):
            i += 2  # the user to switch to, then the program
        else:
            break
    argv = tuple(items[i:])
    if argv and argv[0] in _CLOSERS:
        argv = ()
    return Command(tuple(items), argv, MappingProxyType(assignments), is_exec)


def commands(script: str) -> tuple[Command, ...]:
    """Every simple command of a shell script, in order; none when it does not tokenise."""
    return tuple(command(words) for words in shell_commands(strip_comments(script)))


# --- The shape of a script: how its last command runs -------------------------------------

_REDIRECTIONS = frozenset({">>", ">&", "&>", "<&", "<<", "<>", "<", ">"})
_OPENERS = {"if": "if", "while": "loop", "until": "loop", "for": "loop", "case": "case"}
_CLOSING = {"fi": "if", "done": "loop", "esac": "case", "}": "brace", ")": "subshell"}


@dataclass(frozen=True, slots=True)
class Tail:
    """How the last command of a script runs: what decides whether a shell replaces itself
    with it (see `tail`). No judgement about any particular shell."""

    command: Command  # the last simple command of the script
    before: str  # the operator that precedes it: "&&", "||", ";", "|", ... ("" when first)
    trailing_newline: bool  # a newline follows the last command
    pipeline: bool  # it is part of a pipeline
    background: bool  # it is followed by `&`
    redirected: bool  # it has a redirection (`2>&1`, `> log`)
    negated: bool  # it is preceded by `!`
    compound: str | None  # the compound command the script ends with: brace, subshell, if, ...
    trap: bool  # a `trap` runs earlier in the script
    count: int  # simple commands in the script


@dataclass(slots=True)
class _Simple:
    words: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""
    redirected: bool = False


def replaces_itself(shell: str, end: Tail) -> bool:
    """Whether `<shell> -c <script>` replaces itself with the script's last command when that
    command is not written with `exec`, for shell "dash", "bash" or "busybox" (ash). As the
    real programs do it (tests/readers/test_shell_semantics.py runs them): Debian's dash
    0.5.12 never does (Debian disables the optimisation); bash 5.2 does when the last
    command is a simple command with no redirection, pipe, `&`, `!` or earlier `trap`;
    BusyBox 1.35 ash does too, also with a redirection and inside braces, a subshell, `if`
    or `case` (not in a loop), but only when nothing follows the command, not even a
    newline."""
    if shell not in ("bash", "busybox"):
        return False
    if end.pipeline or end.background or end.trap or end.negated:
        return False
    if shell == "bash":
        return not end.redirected and end.compound is None
    return end.compound != "loop" and not end.trailing_newline


# radon D: a small shell grammar: redirections, separators, compound openers and closers.
def _simple_commands(items: list[str]) -> list[_Simple]:
    """The simple commands in order, with the operators around them; compound commands
    (if, loops, case, braces, subshells) are opened and closed but not followed in detail."""
    found: list[_Simple] = []
    current = _Simple()
    stack: list[str] = []
    skip_target = False
    for item in items:
        if skip_target:
            skip_target = False
        elif item in _REDIRECTIONS:
            if current.words and current.words[-1].isdigit():
                current.words.pop()  # the file descriptor of `2>&1`
            current.redirected, skip_target = True, True
        elif item in _SEPARATORS or (item == ")" and stack and stack[-1] == "subshell"):
            current.after = item
            found.append(current)
            current = _Simple(before=item)
            if item == ")":
                stack.pop()
        elif stack and stack[-1] == "case" and item != "esac":
            continue  # the patterns and commands of a case
        elif not current.words and item in ("(", "{"):
            stack.append("subshell" if item == "(" else "brace")
        elif not current.words and item in _OPENERS:
            stack.append(_OPENERS[item])
        elif not current.words and stack and _CLOSING.get(item) == stack[-1]:
            stack.pop()
        elif not current.words and item in ("then", "do", "else", "elif"):
            continue
        else:
            current.words.append(item)
    found.append(current)
    return [f for f in found if f.words]


def tail(script: str) -> Tail | None:
    """The last simple command of a POSIX shell script and how it is connected; None when
    the script has no command or does not tokenise (an unbalanced quote)."""
    text = strip_comments(_join_lines(script))
    tokens = _tokens(text)
    if tokens is None:
        return None
    simple = [(s, command(s.words)) for s in _simple_commands(tokens)]
    simple = [(s, c) for s, c in simple if c.argv]
    if not simple:
        return None
    last, last_command = simple[-1]
    closing = [t for t in tokens if t not in (";", "&&", "||")]
    compound = next(
        (_CLOSING[t] for t in closing[-1:] if t in _CLOSING and t != last_command.argv[-1]), None
    )
    return Tail(
        command=last_command,
        before=last.before,
        trailing_newline=text.rstrip(" \t").endswith("\n"),
        pipeline="|" in (last.before, last.after) or "|&" in (last.before, last.after),
        background=last.after == "&",
        redirected=last.redirected,
        negated="!" in last.words[: len(last.words) - len(last_command.argv)],
        compound=compound,
        trap=any(c.program == "trap" for _, c in simple[:-1]),
        count=len(simple),
    )


# --- Entrypoint scripts: which command a script ends with -----------------------------------

_HEREDOC_START = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_CASE_ARG = re.compile(r"^\$\{?1\}?$")


@dataclass(frozen=True, slots=True)
class ScriptEnd:
    """The command a script runs last on its way when it goes well (see `script_end`)."""

    command: Command
    route: tuple[str, ...]  # how it was reached: "case branch server)", "function appRun"


def strip_heredocs(script: str) -> str:
    """The script without the bodies of its here-documents (their text is data, not
    commands, and quotes in it would unbalance the words)."""
    out: list[str] = []
    ending: list[tuple[str, bool]] = []
    for line in script.splitlines():
        if ending:
            name, tabs = ending[0]
            if (line.lstrip("\t") if tabs else line) == name:
                ending.pop(0)
            continue
        out.append(line)
        for match in _HEREDOC_START.finditer(strip_comments(line)):
            ending.append((match[3], match[1] == "-"))
    return "\n".join(out)


def _functions(tokens: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The shell functions a script defines (`name() { ...; }`, `function name { ...; }`),
    and the tokens of the script without them."""
    functions: dict[str, list[str]] = {}
    rest: list[str] = []
    i = 0
    at_start = True
    while i < len(tokens):
        word = tokens[i]
        name, body_at = None, None
        if at_start and word == "function" and i + 2 < len(tokens):
            name = tokens[i + 1]
            body_at = i + 2 + (2 if tokens[i + 2 : i + 4] == ["(", ")"] else 0)
        elif at_start and tokens[i + 1 : i + 3] == ["(", ")"]:
            name, body_at = word, i + 3
        if name is not None and body_at is not None:
            while body_at < len(tokens) and tokens[body_at] == ";":
                body_at += 1
            if body_at < len(tokens) and tokens[body_at] == "{":
                depth, j = 0, body_at
                while j < len(tokens):
                    depth += {"{": 1, "}": -1}.get(tokens[j], 0)
                    if depth == 0:
                        break
                    j += 1
                functions[name] = tokens[body_at + 1 : j]
                i, at_start = j + 1, True
                continue
        rest.append(word)
        at_start = word in _SEPARATORS or word in ("{", "then", "do", "else")
        i += 1
    return functions, rest


def _case_branches(tokens: list[str]) -> tuple[str, list[tuple[list[str], list[str]]]] | None:
    """The word and the branches of a `case` the tokens end with, if they end with one."""
    end = len(tokens)
    while end and tokens[end - 1] in (";", "&&", "||"):
        end -= 1
    if not end or tokens[end - 1] != "esac":
        return None
    depth, start = 0, None
    for index in range(end - 1, -1, -1):
        depth += {"esac": 1, "case": -1}.get(tokens[index], 0)
        if depth == 0:
            start = index
            break
    if start is None or start + 2 >= end or tokens[start + 2] != "in":
        return None
    word = tokens[start + 1]
    branches: list[tuple[list[str], list[str]]] = []
    i = start + 3
    while i < end - 1:
        while i < end - 1 and tokens[i] in (";", "("):
            i += 1
        patterns: list[str] = []
        while i < end - 1 and tokens[i] != ")":
            if tokens[i] != "|":
                patterns.append(tokens[i])
            i += 1
        body: list[str] = []
        i += 1
        nested = 0
        while i < end - 1 and not (tokens[i] == ";;" and nested == 0):
            nested += {"case": 1, "esac": -1}.get(tokens[i], 0)
            body.append(tokens[i])
            i += 1
        i += 1
        if patterns:
            branches.append((patterns, body))
    return word, branches


def script_end(script: str, args: Sequence[str] | None = None) -> ScriptEnd | None:
    """The command a shell script runs last when it goes well: the last command of the
    script, of the `case "$1"` branch its first argument selects when it ends with one, or
    of the function that last command calls. Commands after `||` only run on failure and
    are skipped. None when the script does not tokenise or the branch cannot be chosen."""
    text = strip_comments(strip_heredocs(script).replace("\\\r\n", "").replace("\\\n", ""))
    tokens = _tokens(text)
    if tokens is None:
        return None
    functions, body = _functions(tokens)
    route: list[str] = []
    for _ in range(6):
        case = _case_branches(body)
        if case is not None:
            word, branches = case
            if not _CASE_ARG.match(word) or args is None:
                return None
            first = args[0] if args else ""
            chosen = next(
                (b for b in branches if any(fnmatch.fnmatchcase(first, p) for p in b[0])), None
            )
            if chosen is None:
                return None
            route.append(f"case branch {'|'.join(chosen[0])})")
            body = chosen[1]
            continue
        simple = [s for s in _simple_commands(body) if command(s.words).argv]
        runs = [s for s in simple if s.before != "||"]
        if not runs:
            return None
        last = command(runs[-1].words)
        if last.program in functions and not last.exec:
            route.append(f"function {last.program}")
            body = functions[last.program]
            continue
        return ScriptEnd(last, tuple(route))
    return None
