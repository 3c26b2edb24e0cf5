"""Read a Dockerfile exactly the way BuildKit's parser does, and judge nothing.

Why this parser is written by hand: no maintained Python library reads Dockerfiles the way
BuildKit does. `dockerfile-parse` has no heredoc support (its issue #145, open since 2023) and
reads lines with its own rules. `dockerfile` bound BuildKit's Go parser through a compiled
extension; it was archived in January 2025 and needs a Go toolchain wherever no wheel fits.
Checks must see what `docker build` sees, because a checklist that passes a Dockerfile BuildKit
reads differently is wrong. So this module follows BuildKit's own low-level parser
(github.com/moby/buildkit, `frontend/dockerfile/parser`) step by step, and the parts of its
shell lexer (`frontend/dockerfile/shell`) that the parser needs to find heredocs. The data in
tests/data/oracles/buildkit-parser (BuildKit's golden files) is the test of that promise.

The module only splits the text into instructions, the way `parser.Parse` does, and keeps the
arguments in the form BuildKit's AST `Dump` prints. What the instructions mean (stages,
variables, COPY sources) lives in `dockerfile_model`.

Strings are Python `str`. Where BuildKit cuts a line between the bytes of one UTF-8 character
(it reads flags byte by byte), the stray bytes are kept as `surrogateescape` code points
(U+DC80 to U+DCFF), and `go_quote` prints them as `\\xHH`, as Go does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from checklists import InputError, tr
from checklists.core.target import MAX_INSTRUCTIONS
from checks.readers import _go
from checks.readers._go import quote as go_quote
from checks.readers.dockerfile_shell import ShellLexer

__all__ = [
    "MAX_LINE_BYTES",
    "Dockerfile",
    "Heredoc",
    "Instruction",
    "ShellLexer",
    "chomp_heredoc_content",
    "go_quote",
    "heredocs_from_line",
    "parse",
    "parse_heredoc_word",
]

# bufio.Scanner's default limit is 64 KiB for a line with its newline; BuildKit reports it
# as "max allowed size of 65535".
MAX_LINE_BYTES = 65535

# The parser's reWhitespace: the separators between arguments of FROM, COPY, ...
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# Go's RE2 `\s` is exactly these five characters.
_RE2_SPACE = "[\t\n\f\r ]"
_DIRECTIVE = re.compile(rf"([a-zA-Z][a-zA-Z0-9]*){_RE2_SPACE}*={_RE2_SPACE}*(.+?){_RE2_SPACE}*")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(rf"([0-9]*)<<(-?){_RE2_SPACE}*([^<]*)")
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
_HEREDOC_KEYWORDS = frozenset({"add", "copy", "run"})
_NOT_STRING_ARRAY = tr(
    "when using JSON array syntax, arrays must be comprised of strings only",
    "JSON 配列の構文では、配列の要素はすべて文字列でなければならない",
)
_UINT64_MAX = 2**64 - 1


# --- The AST --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heredoc:
    """One here-document, as BuildKit's parser.Heredoc."""

    name: str
    content: str  # raw body, each line with its "\n"; tabs kept even when chomp is set
    expand: bool  # False when any part of the word was quoted
    chomp: bool  # True for <<-
    file_descriptor: int  # 0 when no digit prefix


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction (a child of BuildKit's root node)."""

    keyword: str  # lower-case ("from", "run", ...)
    flags: tuple[str, ...]  # raw flags as BuildKit keeps them, e.g. ("--from=builder",)
    args: tuple[str, ...]  # exactly the arguments Dump shows
    original: str  # the logical line as written (continuations joined)
    start_line: int  # 1-based
    end_line: int  # 1-based, including heredoc bodies and terminators
    json_form: bool  # True when args came from a JSON array (exec form)
    heredocs: tuple[Heredoc, ...] = ()
    inner: Instruction | None = None  # for ONBUILD: the nested instruction

    def dump(self) -> str:
        """One line of BuildKit's `result` files, e.g. '(copy ["--from=b"] "a" "b")'."""
        return "(" + self._dump_body() + ")"

    def _dump_body(self) -> str:
        text = self.keyword
        if self.flags:
            text += " [" + " ".join(go_quote(flag) for flag in self.flags) + "]"
        if self.inner is not None:
            text += " (" + self.inner._dump_body() + ")"
        for arg in self.args:
            text += " " + go_quote(arg)
        return _go.trim_space(text)


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """The parsed file: BuildKit's root node plus the directives it read."""

    instructions: tuple[Instruction, ...]
    escape: str  # "\\" or "`"
    directives: Mapping[str, str]  # lower-cased names: syntax, escape, check
    start_line: int  # first line of the first instruction
    end_line: int  # last line of the last instruction

    def dump(self) -> str:
        """The whole `result` file: one line per instruction, ending with a newline."""
        return "".join(ins.dump() + "\n" for ins in self.instructions)


# --- Heredocs -----------------------------------------------------------------------------


def chomp_heredoc_content(s: str) -> str:
    """Remove the leading tabs of every line, as `<<-` asks (ChompHeredocContent)."""
    return _LEADING_TABS.sub("", s)


def parse_heredoc_word(word: str) -> Heredoc | None:
    """The heredoc a single word opens (`<<EOF`, `3<<-'EOF'` ...), or None (ParseHeredoc).

    Raises InputError when the word is a heredoc with unbalanced quotes.
    """
    found = _HEREDOC_WORD.fullmatch(word)
    if found is None:
        return None
    digits, dash, rest = found.groups()
    if not rest:
        return None
    words = ShellLexer(skip_unset=True).process(rest, {})[1]
    if len(words) != 1:
        return None
    raw_words = ShellLexer(raw_quotes=True, skip_unset=True).process(rest, {})[1]
    if len(raw_words) != 1:
        raise InputError(
            tr(
                "internal lexing of heredoc produced inconsistent results: {rest}",
                "ヒアドキュメントの内部字句解析の結果が食い違う: {rest}",
                rest=rest,
            )
        )
    # Quotes that disappear when the lexer removes them mean part of the word was quoted,
    # and a quoted heredoc word turns expansion off.
    expand = _count_quotes(words[0]) == _count_quotes(raw_words[0])
    # strconv.ParseUint: an empty prefix reads as 0, an overflow as the largest value.
    descriptor = min(int(digits), _UINT64_MAX) if digits else 0
    return Heredoc(words[0], "", expand, dash == "-", descriptor)


def _count_quotes(text: str) -> int:
    return text.count("'") + text.count('"')


def heredocs_from_line(line: str) -> list[Heredoc]:
    """Every heredoc a logical line opens, in order (heredocsFromLine); the line includes
    the keyword. Bodies are empty: the parser reads them from the lines that follow."""
    lexer = ShellLexer(raw_quotes=True, raw_escapes=True, skip_unset=True)
    try:
        words = lexer.process(line, {})[1]
    except InputError:
        return []  # BuildKit ignores a line it cannot split: it opens no heredoc
    docs = []
    for word in words:
        heredoc = parse_heredoc_word(word)
        if heredoc is not None:
            docs.append(heredoc)
    return docs


# --- Argument parsers (line_parsers.go) -----------------------------------------------------


class _Parsed(NamedTuple):  # a tuple: made once per instruction, read once
    keyword: str
    flags: tuple[str, ...]
    args: tuple[str, ...]
    json_form: bool
    inner: _Parsed | None
    original: str


def _extract_flags(text: str) -> tuple[str, list[str]]:
    """Leading `--flag` words (extractBuilderFlags): (rest of the text, flags).

    BuildKit walks the bytes of the line, so every byte becomes one character (a Latin-1
    reading of UTF-8), bytes 0x85 and 0xA0 count as blanks, and the escape is always '\\'.
    """
    if text.isascii():  # the usual line: bytes and characters are one, no flag: no walk
        rest = _go.trim_left_space(text)
        if not rest.startswith("--"):
            return rest, []
        plain = _plain_flags(text)
        if plain is not None:
            return plain
    return _walk_flags(text)


# radon D: a port of BuildKit's extractBuilderFlags state machine, kept in its shape.
def _walk_flags(text: str) -> tuple[str, list[str]]:
    """`_extract_flags` byte by byte, as BuildKit walks it."""
    data = _go.utf8(text)
    end = len(data)
    flags: list[str] = []
    word: list[str] = []
    blank_ok = False
    in_quote: int | None = None  # the quote byte while inside quotes
    in_word = False
    pos = 0
    while pos <= end:
        byte = data[pos] if pos < end else 0
        if not in_word:
            if pos == end:
                break
            if _go.is_space(chr(byte)):
                pos += 1
                continue
            if byte != 0x2D or pos + 1 == end or data[pos + 1] != 0x2D:
                return _go.from_utf8(data[pos:]), flags
            in_word = True
        if pos == end:
            flag = "".join(word)
            if flag != "--" and (blank_ok or flag):
                flags.append(flag)
            break
        if in_quote is None:
            if _go.is_space(chr(byte)):
                flag = "".join(word)
                if flag == "--":
                    return _go.from_utf8(data[pos:]), flags
                if blank_ok or flag:
                    flags.append(flag)
                word, blank_ok, in_word = [], False, False
                pos += 1
                continue
            if byte in (0x22, 0x27):
                in_quote, blank_ok = byte, True
                pos += 1
                continue
        elif byte == in_quote:
            in_quote = None
            pos += 1
            continue
        if byte == 0x5C:
            if pos + 1 == end:
                in_quote = None  # a trailing backslash is dropped and ends the quote
                pos += 1
                continue
            pos += 1
            byte = data[pos]
        word.append(chr(byte))
        pos += 1
    return "", flags


# An ASCII word between the blanks the walk below knows (bytes 0x85 and 0xA0 are not ASCII).
_ASCII_WORD = re.compile(r"[^\t\n\v\f\r ]+")


def _plain_flags(text: str) -> tuple[str, list[str]] | None:
    """`_extract_flags` of an ASCII text whose flags hold no quote and no backslash, word by
    word instead of byte by byte (the same answer); None when a flag holds one: walk it."""
    flags: list[str] = []
    for found in _ASCII_WORD.finditer(text):
        word = found.group()
        if not word.startswith("--"):
            return text[found.start() :], flags
        if '"' in word or "'" in word or "\\" in word:
            return None
        if word == "--":  # the end of the flags: the rest starts after it
            return text[found.end() :], flags
        flags.append(word)
    return "", flags


def _split_command(line: str) -> tuple[str, list[str], str]:
    """(keyword as written, flags, rest of the arguments) - splitCommand."""
    parts = _WHITESPACE.split(_go.trim_space(line), maxsplit=1)
    if len(parts) < 2:
        return parts[0], [], ""
    rest, flags = _extract_flags(parts[1])
    return parts[0], flags, _go.trim_space(rest)


def _parse_words(rest: str, escape: str) -> list[str]:
    """Quote-aware splitting that keeps quotes and escapes (parseWords), for ENV, LABEL, ARG."""
    if rest.isascii() and escape not in rest and '"' not in rest and "'" not in rest:
        return _ASCII_WORD.findall(rest)  # nothing to keep together: the words between blanks
    return _walk_words(rest, escape)


# radon D: a port of BuildKit's parseWords state machine, kept in its shape.
def _walk_words(rest: str, escape: str) -> list[str]:
    """`_parse_words` character by character, as BuildKit walks it."""
    words: list[str] = []
    word: list[str] = []
    blank_ok = False
    quote = ""
    in_word = False
    chars = [_go.as_rune(ch) for ch in rest]
    i = 0
    while i < len(chars):
        ch = chars[i]
        if not in_word and not quote:
            if _go.is_space(ch):
                i += 1
                continue
            in_word = True
        if not quote:
            if _go.is_space(ch):
                if blank_ok or word:
                    words.append("".join(word))
                word, blank_ok, in_word = [], False, False
                i += 1
                continue
            if ch in "'\"":
                quote, blank_ok = ch, True
            elif ch == escape:
                if i + 1 == len(chars):
                    i += 1
                    continue  # an escape at the end of the line is dropped
                # Unquoted, the escape and the character after it are both kept.
                word.append(ch)
                i += 1
                ch = chars[i]
            word.append(ch)
            i += 1
            continue
        closing = ch == quote
        if ch == escape and quote != "'":
            if i + 1 == len(chars):
                quote = ""
                i += 1
                continue
            word.append(ch)
            i += 1
            ch = chars[i]
        if closing:
            quote = ""
        word.append(ch)
        i += 1
    if (in_word or quote) and (blank_ok or word):
        words.append("".join(word))
    return words


def _parse_json_array(rest: str) -> list[str] | None:
    """The strings of a JSON array, None when `rest` is not one (then it is shell form)."""
    text = _go.trim_left_space(rest)
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise InputError(_NOT_STRING_ARRAY)
    # Go's decoder turns unpaired surrogates and stray bytes into U+FFFD.
    return ["".join(_go.as_rune(ch) for ch in item) for item in value]


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # Python accepts NaN and Infinity; Go does not


def _maybe_json(rest: str) -> tuple[list[str], bool]:
    if not rest:
        return [], False
    items = _parse_json_array(rest)
    if items is not None:
        return items, True
    return [rest], False


def _maybe_json_list(rest: str) -> tuple[list[str], bool]:
    items = _parse_json_array(rest)
    if items is not None:
        return items, True
    return _split_whitespace(rest), False


def _split_whitespace(rest: str) -> list[str]:
    return _WHITESPACE.split(rest) if rest else []


def _name_value(rest: str, key: str, escape: str) -> list[str]:
    """ENV and LABEL: `KEY value` gives (key, value, ""), `k=v ...` gives (k, v, "=") each."""
    words = _parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise InputError(
                tr("{key} must have two arguments", "{key} には引数が 2 つ必要", key=key)
            )
        return [parts[0], parts[1], ""]
    args: list[str] = []
    for word in words:
        if "=" not in word:
            raise InputError(
                tr(
                    "Syntax error - can't find = in {word}. Must be of the form: name=value",
                    "構文エラー: {word} に = がない。name=value の形で書く必要がある",
                    word=go_quote(word),
                )
            )
        name, value = word.split("=", 1)
        args += [name, value, "="]
    return args


def _health(rest: str) -> tuple[list[str], bool]:
    """HEALTHCHECK: the first word (split on bytes, like BuildKit), then CMD-like args."""
    data = _go.utf8(rest)
    sep = 0
    while sep < len(data) and not _go.is_space(chr(data[sep])):
        sep += 1
    start = sep
    while start < len(data) and _go.is_space(chr(data[start])):
        start += 1
    if sep == 0:
        return [], False
    args, json_form = _maybe_json(_go.from_utf8(data[start:]))
    return [_go.from_utf8(data[:sep]), *args], json_form


def _parse_line(line: str, escape: str) -> _Parsed:
    """newNodeFromLine: the keyword, its flags and its arguments."""
    written, flags, rest = _split_command(line)
    keyword = _go.to_lower(written)
    inner: _Parsed | None = None
    json_form = False
    args: list[str]
    if keyword in ("add", "copy", "volume"):
        args, json_form = _maybe_json_list(rest)
    elif keyword in ("cmd", "entrypoint", "run", "shell"):
        args, json_form = _maybe_json(rest)
    elif keyword in ("from", "expose"):
        args = _split_whitespace(rest)
    elif keyword in ("env", "label"):
        args = _name_value(rest, "ENV" if keyword == "env" else "LABEL", escape)
    elif keyword == "arg":
        args = _parse_words(rest, escape)
    elif keyword == "healthcheck":
        args, json_form = _health(rest)
    elif keyword in ("maintainer", "stopsignal", "user", "workdir"):
        args = [rest] if rest else []
    elif keyword == "onbuild":
        args = []
        inner = _parse_line(rest, escape) if rest else None
    else:
        args = [""]  # BuildKit ignores the arguments of an unknown instruction
    return _Parsed(keyword, tuple(flags), tuple(args), json_form, inner, line)


def _can_contain_heredoc(parsed: _Parsed) -> bool:
    target = parsed.inner if parsed.keyword == "onbuild" and parsed.inner else parsed
    return target.keyword in _HEREDOC_KEYWORDS and not target.json_form


def _instruction(
    parsed: _Parsed, start: int, end: int, heredocs: tuple[Heredoc, ...]
) -> Instruction:
    inner = None
    if parsed.inner is not None:
        inner = _instruction(parsed.inner, start, end, heredocs)
    return Instruction(
        keyword=parsed.keyword,
        flags=parsed.flags,
        args=parsed.args,
        original=parsed.original,
        start_line=start,
        end_line=end,
        json_form=parsed.json_form,
        heredocs=heredocs,
        inner=inner,
    )


# --- The line reader and the parser loop (parser.go) ----------------------------------------


class _Lines:
    """bufio.Scanner with BuildKit's scanLines: physical lines, each with its newline.

    Like the scanner, it stops at a line longer than MAX_LINE_BYTES and remembers where.
    """

    __slots__ = ("_pos", "_text", "count", "too_long_at")

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self.count = 0  # lines handed out so far
        self.too_long_at: int | None = None

    def next(self) -> str | None:
        if self.too_long_at is not None or self._pos >= len(self._text):
            return None
        end = self._text.find("\n", self._pos)
        end = len(self._text) if end < 0 else end + 1
        line = self._text[self._pos : end]
        if (
            len(line) > MAX_LINE_BYTES // 4
            and len(_go.utf8(line.removesuffix("\n"))) > MAX_LINE_BYTES
        ):
            self.too_long_at = self.count + 1
            return None
        self._pos = end
        self.count += 1
        return line


class _Directives:
    """The parser directives: only before the first instruction, blank line or comment."""

    def __init__(self) -> None:
        self.escape = "\\"
        self.found: dict[str, str] = {}
        self.done = False
        self._continuation = _continuation_regex("\\")

    def read(self, line: str, number: int) -> None:
        if self.done:
            return
        if not line.startswith("#"):
            self.done = True
            return
        found = _directive(_go.trim_left_space(line[1:]))
        name = _go.to_lower(found[0]) if found else ""
        if found is None or name not in _KNOWN_DIRECTIVES:
            self.done = True
            return
        if name in self.found:
            raise InputError(
                tr(
                    "only one {name} parser directive can be used",
                    "パーサーディレクティブ {name} は 1 回しか使えない",
                    name=name,
                ),
                line=number,
            )
        value = found[1]
        self.found[name] = value
        if name == "escape":
            if value not in ("\\", "`"):
                raise InputError(
                    tr(
                        "invalid escape token '{value}' does not match ` or \\",
                        "エスケープ文字 '{value}' は ` でも \\ でもない",
                        value=value,
                    ),
                    line=number,
                )
            self.escape = value
            self._continuation = _continuation_regex(value)

    def trim_continuation(self, line: str) -> tuple[str, bool]:
        """(line without its continuation escape, whether the instruction ends here)."""
        if not line.rstrip(" \t").endswith(self.escape):  # the pattern needs it at the end
            return line, True
        if self._continuation.search(line) is None:
            return line, True
        return self._continuation.sub(r"\1", line), False


def _continuation_regex(escape: str) -> re.Pattern[str]:
    # The escape ends a line unless the character before it is the escape too; a line of
    # just the escape continues as well. `\Z` because Go's `$` is the end of the text.
    esc = re.escape(escape)
    return re.compile(rf"([^{esc}]){esc}[ \t]*\Z|^{esc}[ \t]*\Z")


_DIRECTIVE_NAME = re.compile(rf"([a-zA-Z][a-zA-Z0-9]*){_RE2_SPACE}*={_RE2_SPACE}*")
_RE2_SPACES = "\t\n\f\r "


def _directive(text: str) -> tuple[str, str] | None:
    """`_DIRECTIVE.fullmatch(text).groups()` without its backtracking: the lazy value before
    optional blanks made a 64 KiB directive line cost minutes inside the regex engine."""
    head = _DIRECTIVE_NAME.match(text)
    if head is None:
        return None
    rest = text[head.end() :]
    value = rest.rstrip(_RE2_SPACES)
    if value:
        return (head.group(1), value) if "\n" not in value else None  # `.` stops at \n
    # Only blanks after "=": the greedy blanks give back, from the end, the first one `.`
    # can match for `.+?`; `head` took them all, so look at what it took after the "=".
    taken = text[text.index("=", len(head.group(1))) + 1 : head.end()]
    last = taken.replace("\n", "")[-1:]
    return (head.group(1), last) if last else None


def _is_comment(line: str) -> bool:
    return _go.trim_left_space(line).startswith("#")


def _process_line(directives: _Directives, raw: str, number: int, strip_left: bool) -> str:
    """processLine: drop the newline (and leading blanks on a first line), read any
    directive, and blank out a comment."""
    token = raw.rstrip("\r\n")
    if strip_left:
        token = token.lstrip(_go.SPACE_CHARS)
    if not directives.done:  # only the first lines can hold directives
        directives.read(token, number)
    return "" if token.lstrip(_go.SPACE_CHARS).startswith("#") else token  # a comment


def _decode(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as error:
            line = source.count(b"\n", 0, error.start) + 1
            raise InputError(
                tr(
                    "not a text file: invalid UTF-8 at byte {start}",
                    "テキストファイルではない: {start} バイト目が不正な UTF-8",
                    start=error.start,
                ),
                line=line,
            ) from None
    else:
        text = source
        bad = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
        if bad is not None:
            line = text.count("\n", 0, bad) + 1
            raise InputError(
                tr(
                    "not a text file: it holds an unpaired surrogate",
                    "テキストファイルではない: 対になっていないサロゲートを含む",
                ),
                line=line,
            )
    nul = text.find("\0")
    if nul >= 0:
        raise InputError(
            tr(
                "not a text file: it holds a NUL byte", "テキストファイルではない: NUL バイトを含む"
            ),
            line=text.count("\n", 0, nul) + 1,
        )
    return text.removeprefix("\ufeff")  # BuildKit drops a byte-order mark on the first line


def parse(source: str | bytes) -> Dockerfile:
    """Parse a Dockerfile like BuildKit's parser.Parse; errors raise InputError with a line."""
    lines = _Lines(_decode(source))
    directives = _Directives()
    instructions: list[Instruction] = []
    while (raw := lines.next()) is not None:
        start = lines.count
        text, done = directives.trim_continuation(_process_line(directives, raw, start, True))
        if done and not text:
            continue
        parts = [text]  # joined once: `text += more` copied the whole line at every line
        while not done and (raw := lines.next()) is not None:
            processed = _process_line(directives, raw, lines.count, False)
            if not processed.lstrip(_go.SPACE_CHARS):  # "" for a comment
                continue  # comments and blank lines inside a continuation are skipped
            more, done = directives.trim_continuation(processed)
            parts.append(more)
        text = "".join(parts)
        try:
            parsed = _parse_line(text, directives.escape)
        except InputError as error:
            raise InputError(error.message, line=start) from None
        heredocs = _read_heredocs(parsed, text, lines, start)
        if len(instructions) == MAX_INSTRUCTIONS:  # BuildKit has no limit; real files use < 500
            raise InputError(
                tr(
                    "more than {MAX_INSTRUCTIONS:,} instructions: not read",
                    "命令が {MAX_INSTRUCTIONS:,} 個を超えるため読み取らない",
                    MAX_INSTRUCTIONS=MAX_INSTRUCTIONS,
                ),
                line=start,
                kind="limit",
            )
        instructions.append(_instruction(parsed, start, lines.count, heredocs))
    if lines.too_long_at is not None:
        raise InputError(
            tr(
                "dockerfile line greater than max allowed size of {MAX_LINE_BYTES}",
                "Dockerfile の行が上限の {MAX_LINE_BYTES} バイトを超える",
                MAX_LINE_BYTES=MAX_LINE_BYTES,
            ),
            line=lines.too_long_at,
        )
    if not instructions:
        raise InputError(
            tr("file with no instructions", "命令が 1 つもないファイル"), line=max(lines.count, 1)
        )
    return Dockerfile(
        instructions=tuple(instructions),
        escape=directives.escape,
        directives=MappingProxyType(dict(directives.found)),
        start_line=instructions[0].start_line,
        end_line=instructions[-1].end_line,
    )


def _read_heredocs(parsed: _Parsed, text: str, lines: _Lines, start: int) -> tuple[Heredoc, ...]:
    """Read the bodies of the heredocs the instruction opens from the following lines."""
    if "<<" not in text or not _can_contain_heredoc(parsed):
        return ()
    try:
        opened = heredocs_from_line(text)
    except InputError as error:
        raise InputError(error.message, line=start) from None
    read: list[Heredoc] = []
    for heredoc in opened:
        body: list[str] = []
        while (raw := lines.next()) is not None:
            candidate = raw.rstrip("\r\n")
            if heredoc.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == heredoc.name:
                break
            body.append(raw)
        else:
            if lines.too_long_at is not None:
                break  # reported by parse(), which names the long line
            raise InputError(
                tr(
                    "unterminated heredoc <<{name} started here",
                    "ここで始まるヒアドキュメント <<{name} が終わっていない",
                    name=heredoc.name,
                ),
                line=start,
            )
        read.append(
            Heredoc(
                heredoc.name, "".join(body), heredoc.expand, heredoc.chomp, heredoc.file_descriptor
            )
        )
    return tuple(read)
