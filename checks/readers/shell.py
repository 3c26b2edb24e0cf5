"""The simple commands of a shell script, with the words a shell drops before the program.

Builds on `checks.common.shell_commands` (POSIX word splitting on `&&`, `||`, `;`, `|` and
newlines, no expansion) and adds what a reader of RUN lines, heredocs and entrypoint scripts
needs, without judging anything:

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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from checks.common import shell_commands, strip_comments

__all__ = ["Command", "command", "commands", "strip_comments"]

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
# Options of the wrappers that take a value, so the program after them is found.
_SUDO_VALUED = frozenset({"-u", "-g", "-h", "-C", "-D", "-p", "-r", "-t", "-U", "-T", "-R"})
_ENV_VALUED = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})
_NICE_VALUED = frozenset({"-n", "--adjustment"})
_EXEC_VALUED = frozenset({"-a"})


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
