"""BuildKit's shell-word lexer (`frontend/dockerfile/shell`): quotes, the escape character
and `$` expansions, as `docker build` applies them to the words of a Dockerfile.

The Dockerfile parser (`dockerfile.py`) uses it to find heredocs; the model
(`dockerfile_model.py`) to expand ARG and ENV values. BuildKit's golden files in
tests/data/oracles/buildkit-parser are the test of both. Strings are Python `str`, with a
byte that is not UTF-8 held as a `surrogateescape` code point (see `_go`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from checklists import InputError, Message, tr
from checklists.core.target import MAX_EXPANSION_CHARS
from checks.readers import _go

__all__ = ["ShellLexer", "is_plain"]

_NEEDS_LEXING = re.compile("[$'\"\t\n\v\f\r ]")  # with the escape character, see is_plain


class _Scanner:
    """The part of Go's text/scanner that the lexer uses: Peek and Next over runes."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        # text/scanner skips a byte-order mark at the very start of its source.
        self.text = text[1:] if text.startswith("\ufeff") else text
        self.pos = 0

    def peek(self) -> str:
        """The next rune, or "" at the end (Go's scanner.EOF)."""
        return _go.as_rune(self.text[self.pos]) if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        if ch:
            self.pos += 1
        return ch


class _Words:
    """The lexer's word splitter (wordsStruct)."""

    __slots__ = ("in_word", "word", "words")

    def __init__(self) -> None:
        self.word = ""
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if not _go.is_space(ch):
            self.add_raw_char(ch)
        elif self.in_word and self.word:
            if _opens_heredoc(self.word):
                # BuildKit (since #5817) lets blanks follow "<<": `RUN << EOF` names EOF.
                self.word += ch
                return
            self.words.append(self.word)
            self.word = ""
            self.in_word = False

    def add_raw_char(self, ch: str) -> None:
        self.word += ch
        self.in_word = True

    def add_string(self, text: str) -> None:
        if _SPLITS_OR_STRAY.search(text) is None:  # the same, without a Python step per char
            if text:
                self.add_raw_string(text)
            return
        for ch in text:
            self.add_char(_go.as_rune(ch))

    def add_raw_string(self, text: str) -> None:
        self.word += text
        self.in_word = True

    def finish(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word = ""
            self.in_word = False
        return self.words


# A blank (where a word ends) or a stray byte (read as U+FFFD): what add_string handles per char.
_SPLITS_OR_STRAY = re.compile("[" + re.escape("".join(sorted(_go.SPACES))) + "\ud800-\udfff]")


@functools.cache
def _ordinary_run(escape: str, stop: str) -> re.Pattern[str]:
    """One or more characters the lexer takes as they are into the current word: not `$`,
    a quote, the escape, `stop`, a blank, or a stray byte (read as U+FFFD)."""
    special = "$'\"" + escape + stop + "".join(sorted(_go.SPACES))
    return re.compile("[^" + re.escape(special) + "\ud800-\udfff]+")


def is_plain(word: str, escape: str) -> bool:
    """ASCII without blanks, quotes, `$` or the escape character: the lexer returns it as is."""
    return word.isascii() and escape not in word and _NEEDS_LEXING.search(word) is None


def _opens_heredoc(word: str) -> bool:
    end = len(word)
    while end > 0 and word[end - 1] in _go.SPACES:
        end -= 1
    return word[:end].endswith("<<")


class ShellLexer:
    """BuildKit's shell-word lexer: quotes, the escape character and `$` expansions.

    `variables` maps a name to its value; a name mapped to None is declared but has no known
    value (an ARG without default): it expands like an unset variable, is recorded in
    `unknown`, and never raises `${NAME?}`'s error. With `skip_unset` (BuildKit's
    SkipUnsetEnv) a reference to an unset name stays as written; `keep_unknown` does the same
    for the names mapped to None only. Errors raise InputError without a line.
    """

    def __init__(
        self,
        escape: str = "\\",
        *,
        raw_quotes: bool = False,
        raw_escapes: bool = False,
        skip_unset: bool = False,
        keep_unknown: bool = False,
    ) -> None:
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset = skip_unset
        self.keep_unknown = keep_unknown
        self.unknown: set[str] = set()
        self._variables: Mapping[str, str | None] = {}
        self._scan = _Scanner("")
        self._expanded = 0  # characters the expansions of the current word produced

    def process(self, word: str, variables: Mapping[str, str | None]) -> tuple[str, list[str]]:
        """ProcessWord and ProcessWords in one go: the expanded text and its words."""
        if is_plain(word, self.escape):  # nothing to expand, unquote or split
            return word, [word] if word else []
        self._variables = variables
        self._scan = _Scanner(word)
        self._expanded = 0
        try:
            return self._process_until("", self.raw_escapes)
        except InputError as error:
            raise InputError(
                tr(
                    "failed to process {word}: {message}",
                    "{word} を処理できない: {message}",
                    word=_go.quote(word),
                    message=error.message,
                ),
                kind=error.kind,
            ) from None

    def _process_until(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            return self._process_until_inner(stop)
        finally:
            self.raw_escapes = saved

    def _process_until_inner(self, stop: str) -> tuple[str, list[str]]:
        scan = self._scan
        result: list[str] = []
        words = _Words()
        ordinary = _ordinary_run(self.escape, stop).match
        while True:
            # A run of characters that are nothing but themselves (each would go through
            # the last branch below as a word character) is taken in one step.
            run = ordinary(scan.text, scan.pos)
            if run is not None:
                scan.pos = run.end()
                result.append(run.group())
                words.add_raw_string(run.group())
            ch = scan.peek()
            if not ch:
                break
            if stop and ch == stop:
                scan.next()
                return "".join(result), words.finish()
            if ch == "$":
                text = self._dollar()
                result.append(text)
                words.add_string(text)
                continue
            if ch in "'\"":
                text = self._single_quote() if ch == "'" else self._double_quote()
                result.append(text)
                words.add_raw_string(text)
                continue
            ch = scan.next()
            if ch == self.escape:
                if self.raw_escapes:
                    words.add_raw_char(ch)
                    result.append(ch)
                ch = scan.next()
                if not ch:
                    break
                words.add_raw_char(ch)
            else:
                words.add_char(ch)
            result.append(ch)
        if stop:
            raise InputError(
                tr(
                    "unexpected end of statement while looking for matching {stop}",
                    "文の終わりに達したが対応する {stop} がない",
                    stop=stop,
                )
            )
        return "".join(result), words.finish()

    def _single_quote(self) -> str:
        # Everything up to the next ' is literal; nothing can escape a single quote.
        opening = self._scan.next()
        out = [opening] if self.raw_quotes else []
        while True:
            ch = self._scan.next()
            if not ch:
                raise InputError(
                    tr(
                        "unexpected end of statement while looking for matching single-quote",
                        "文の終わりに達したが対応する単一引用符がない",
                    )
                )
            if ch == "'":
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def _double_quote(self) -> str:
        scan = self._scan
        opening = scan.next()
        out = [opening] if self.raw_quotes else []
        while True:
            peek = scan.peek()
            if not peek:
                raise InputError(
                    tr(
                        "unexpected end of statement while looking for matching double-quote",
                        "文の終わりに達したが対応する二重引用符がない",
                    )
                )
            if peek == '"':
                scan.next()
                if self.raw_quotes:
                    out.append(peek)
                return "".join(out)
            if peek == "$":
                out.append(self._dollar())
                continue
            ch = scan.next()
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                following = scan.peek()
                if not following:
                    continue  # an escape at the very end is dropped
                if following in ('"', "$", self.escape):
                    ch = scan.next()
            out.append(ch)

    def _lookup(self, name: str) -> tuple[str | None, bool]:
        """(value, keep): value None means unset or unknown; keep = leave it as written."""
        if name in self._variables:
            value = self._variables[name]
            if value is not None:
                return value, False
            self.unknown.add(name)
            return None, self.skip_unset or self.keep_unknown
        return None, self.skip_unset

    def _dollar(self) -> str:
        """One expansion, bounded: what a word's expansions produce together may not pass
        MAX_EXPANSION_CHARS (an `ARG A2=${A1}${A1}` chain doubles at every step)."""
        text = self._dollar_unbounded()
        self._expanded += len(text)
        if self._expanded > MAX_EXPANSION_CHARS:
            raise InputError(
                tr(
                    "the expansion is longer than {MAX_EXPANSION_CHARS:,} characters",
                    "展開結果が {MAX_EXPANSION_CHARS:,} 文字を超える",
                    MAX_EXPANSION_CHARS=MAX_EXPANSION_CHARS,
                ),
                kind="limit",
            )
        return text

    def _dollar_unbounded(self) -> str:
        scan = self._scan
        scan.next()
        if scan.peek() != "{":
            name = self._name()
            if not name:
                return "$"
            value, keep = self._lookup(name)
            if keep:
                return "$" + name
            return value or ""
        scan.next()
        if not scan.peek():
            raise InputError(tr("syntax error: missing '}}'", "構文エラー: '}}' がない"))
        if scan.peek() in "{}:":
            raise InputError(tr("syntax error: bad substitution", "構文エラー: 不正な置換"))
        name = self._name()
        ch = scan.next()
        if ch == "}":
            value, keep = self._lookup(name)
            return "${" + name + "}" if keep else value or ""
        if ch == ":":
            modifier = scan.next()
            return self._modified(name, modifier, ":" + (modifier or "\ufffd"), True)
        if ch and ch in "+-?#%":
            return self._modified(name, ch, ch, False)
        if ch == "/":
            return self._substitute(name)
        if not ch:
            # BuildKit reports "unsupported modifier (\ufffd)" here; this says what is wrong.
            raise InputError(tr("syntax error: missing '}}'", "構文エラー: '}}' がない"))
        raise InputError(
            tr(
                "unsupported modifier ({ch}) in substitution",
                "置換の中の修飾子 ({ch}) には対応していない",
                ch=ch,
            )
        )

    # radon D: one branch per ${var<modifier>} form of BuildKit's shell lexer.
    def _modified(self, name: str, modifier: str, written: str, null_is_unset: bool) -> str:
        """${NAME-word} and its relatives; `written` is the modifier as it appeared."""
        try:
            word, _ = self._process_until("}", modifier in ("#", "%"))
        except InputError:
            if not self._scan.peek():
                raise InputError(
                    tr("syntax error: missing '}}'", "構文エラー: '}}' がない")
                ) from None
            raise
        reported = name in self.unknown
        value, keep = self._lookup(name)
        if keep:
            return "${" + name + written + word + "}"
        unknown = value is None and name in self._variables
        if unknown and modifier in ("-", "+") and not reported:
            # Without a build argument the variable is unset, so the word's own fallback
            # decides the value: `${UID:-1000}` is 1000 in the default build, as `ARG UID=1000`.
            self.unknown.discard(name)
        empty = value is None or (null_is_unset and value == "")
        if modifier == "-":
            return word if empty else str(value)
        if modifier == "+":
            return "" if empty else word
        if modifier == "?":
            if unknown:
                return ""  # a build argument may still supply it
            if value is None:
                raise InputError(
                    _required(name, word, "is not allowed to be unset", "未設定は許されない")
                )
            if null_is_unset and value == "":
                raise InputError(
                    _required(name, word, "is not allowed to be empty", "空は許されない")
                )
            return value
        if modifier in ("#", "%"):
            greedy = word.startswith(modifier)
            pattern = word[1:] if greedy else word
            if modifier == "%":
                return _trim_suffix(pattern, value or "", greedy)
            return _trim_prefix(pattern, value or "", greedy)
        raise InputError(
            tr(
                "unsupported modifier ({written}) in substitution",
                "置換の中の修飾子 ({written}) には対応していない",
                written=written,
            )
        )

    def _substitute(self, name: str) -> str:
        """${NAME/pattern/replacement} and ${NAME//pattern/replacement}."""
        replace_all = self._scan.peek() == "/"
        if replace_all:
            self._scan.next()
        try:
            pattern, _ = self._process_until("/", True)
        except InputError:
            if not self._scan.peek():
                raise InputError(
                    tr("syntax error: missing '/' in ${{}}", "構文エラー: ${{}} の中に '/' がない")
                ) from None
            raise
        try:
            replacement, _ = self._process_until("}", True)
        except InputError:
            if not self._scan.peek():
                raise InputError(
                    tr("syntax error: missing '}}'", "構文エラー: '}}' がない")
                ) from None
            raise
        value, keep = self._lookup(name)
        if keep:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        regex = _shell_pattern(pattern, greedy=True, anchored=False)
        text = value or ""
        if replace_all:
            return _replace_all(regex, text, replacement)
        found = regex.search(text)
        if found is None:
            return text
        return text[: found.start()] + replacement + text[found.end() :]

    def _name(self) -> str:
        """A variable name: digits, one special parameter, or letters, digits and '_'."""
        scan = self._scan
        name: list[str] = []
        while ch := scan.peek():
            if not name and _is_digit(ch):
                while _is_digit(scan.peek()):
                    name.append(scan.next())
                return "".join(name)
            if not name and ch in "@*#?-$!0":
                return scan.next()
            if not (ch.isalpha() or _is_digit(ch) or ch == "_"):
                break
            name.append(scan.next())
        return "".join(name)


def _is_digit(ch: str) -> bool:
    """Go's unicode.IsDigit: category Nd."""
    return bool(ch) and unicodedata.category(ch) == "Nd"


def _shell_pattern(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """The glob of ${VAR#glob} as a regular expression: '*', '?' and '\\' escapes only."""
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    scan = _Scanner(pattern)
    while tok := scan.next():
        if tok == "*":
            out.append(star)
        elif tok == "?":
            out.append(".")
        elif tok == "\\":
            # `\}` and `\/` only protect the ${} syntax; the escape is not part of the glob.
            if scan.peek() in ("}", "/"):
                continue
            escaped = scan.next()
            if escaped not in ("*", "?", "\\"):
                shown = escaped or "\ufffd"
                raise InputError(
                    tr(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\{shown}'",
                        "置換の中のパターン ({pattern}) が不正: エスケープ '\\{shown}' は使えない",
                        pattern=pattern,
                        shown=shown,
                    )
                )
            out.append(re.escape(escaped))
        else:
            out.append(re.escape(tok))
    return re.compile("".join(out))


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    found = _shell_pattern(pattern, greedy=greedy, anchored=True).search(value)
    return value[found.end() :] if found else value


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # Regular expressions find the leftmost match, so BuildKit reverses both the pattern
    # (keeping each escape before the character it escapes) and the value.
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            tokens.append(pattern[i : i + 2])
            i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    reversed_pattern = "".join(reversed(tokens))
    return _trim_prefix(reversed_pattern, value[::-1], greedy)[::-1]


def _replace_all(regex: re.Pattern[str], text: str, template: str) -> str:
    """Go's Regexp.ReplaceAllString: `$` in the replacement names a group, and an empty
    match right after a previous match is skipped (Python would replace it)."""
    out: list[str] = []
    last = 0
    previous_end = -1
    size = 0
    for found in regex.finditer(text):
        if found.start() == found.end() == previous_end:
            continue
        out.append(text[last : found.start()])
        out.append(_expand_template(template, found.group(0)))
        size += len(out[-2]) + len(out[-1])
        if size > MAX_EXPANSION_CHARS:  # a long replacement for every match multiplies
            raise InputError(
                tr(
                    "the expansion is longer than {MAX_EXPANSION_CHARS:,} characters",
                    "展開結果が {MAX_EXPANSION_CHARS:,} 文字を超える",
                    MAX_EXPANSION_CHARS=MAX_EXPANSION_CHARS,
                ),
                kind="limit",
            )
        last = previous_end = found.end()
    out.append(text[last:])
    return "".join(out)


_TEMPLATE_NAME = re.compile(r"\{(\w+)\}|(\w+)")


def _expand_template(template: str, whole: str) -> str:
    # The glob regex has no groups, so only $0 (the match) expands to text.
    out: list[str] = []
    i = 0
    while (dollar := template.find("$", i)) >= 0:
        out.append(template[i:dollar])
        rest = dollar + 1
        if template.startswith("$", rest):
            out.append("$")
            i = rest + 1
            continue
        named = _TEMPLATE_NAME.match(template, rest)
        if named is None:
            out.append("$")
            i = rest
            continue
        if (named.group(1) or named.group(2)) == "0":
            out.append(whole)
        i = named.end()
    out.append(template[i:])
    return "".join(out)


def _required(name: str, word: str, en: str, ja: str) -> Message:
    """`${NAME?word}`'s error: the Dockerfile's own word as written, else the shell's."""
    if word:
        return tr("{name}: {word}", "{name}: {word}", name=name, word=word)
    return tr("{name}: " + en, "{name}: " + ja, name=name)
