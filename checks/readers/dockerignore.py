# Hand-written because no library follows Docker's rules. pathspec (checked: 1.1.1) follows
# gitignore, where `__pycache__/` and `*.md` also match `src/__pycache__/x.pyc` and
# `docs/a.md`, but Docker anchors both at the context root. docker-py's
# `docker.utils.build.PatternMatcher` ports the deprecated `Matches` with fnmatch: it lowercases
# paths and patterns, reads `[!a]` as a negation, and checks a parent only at the pattern's
# own depth, so `**/foo` misses `a/b/foo/bar`.
"""Read `.dockerignore` files and decide which paths Docker leaves out of a build context.

This is a port of moby/patternmatcher, the matcher that BuildKit and the Docker engine use,
and of its `ignorefile.ReadAll`. The reference is the upstream code at commit `5a6d842`
(2026-03-24), run with Go's `path/filepath`, `text/scanner` and `regexp` packages:

* `read_dockerignore` is `ReadAll`. Lines are split like `bufio.Scanner` (on LF, with one
  trailing CR dropped, and a line of 64 KiB or more is an error). A UTF-8 BOM is dropped from
  the first line. A line whose first character is `#` is a comment (a line that starts
  with a space then `#` is a pattern). Blank lines are skipped. Otherwise the line is
  trimmed, a leading `!` is split off and the rest trimmed again, then `filepath.Clean` is
  applied and one leading `/` removed. A lone `!` is kept as it is: Go's `New` rejects it,
  and `PatternMatcher` rejects it here too, with its line number.
* `PatternMatcher(...)` is `New`. Each entry is trimmed, skipped if empty, cleaned and split
  from a leading `!`. The rest must pass Go's `filepath.Match(pattern, ".")` syntax check
  (ported below, quirks included: once a chunk fails to match ".", the chunks after it are
  not checked).
* `PatternMatcher.matches` is the package-level `MatchesOrParentMatches`. The path is
  cleaned, and "." never matches. Patterns are evaluated in order, and a pattern is skipped
  when it cannot change the result. A pattern matches when it matches the path or any
  parent directory prefix. Patterns compile lazily into Go's four match types (exact,
  prefix, suffix, regexp). A regexp is built exactly as upstream builds it, then compiled
  with RE2 (`google-re2`), the C++ library Go's `regexp` was ported from: same syntax, same
  linear time. Only `\\C` (accepted by RE2, refused by Go) and the wording of errors are
  adjusted to Go's. Python's `re` is not used for this. It reads Go regexps differently
  (`[[:digit:]]`, `\\Q...\\E`, `\\pL`, `\\z`, octal escapes), and its backtracking can
  take exponential time on `**/**/**/*.z`. RE2 bounds the memory a regexp may take (Go does
  not): a pattern past it, such as thousands of `\\pL`, is an error of kind "limit" with
  its line. An invalid regexp, such as `[Local-Only]` with its reversed
  range `l-O`, passes `New` but fails each time the pattern is evaluated, as upstream does.

Paths are slash-separated and relative to the context root, the way BuildKit passes them.
Text stands for Go's byte strings. Bytes input is decoded with `surrogateescape`, so an
invalid UTF-8 byte becomes one lone surrogate: it is a syntax error inside a `filepath.Match`
class, and in a regexp it is read as U+FFFD, the way Go's scanner and regexp engine read it.
Known limits: `\\p` can only reach the parser with a one-letter name, because upstream
escapes `{`. Those names are case-sensitive, as in Go 1.19, the version the oracle was
checked with (recent Go also accepts `\\pl`). Their categories come from RE2's tables,
whose Unicode version can differ from Go's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, Protocol

import re2

from checklists import InputError, tr
from checklists.core.target import MAX_IGNORE_PATTERNS
from checks.readers import _go

__all__ = ["Pattern", "PatternMatcher", "read_dockerignore"]

_MatchType = Literal["exact", "prefix", "suffix", "regexp"]

#: `bufio.MaxScanTokenSize`: `ReadAll` fails on a line this long (in bytes, CR included).
_SCANNER_MAX_LINE: Final = 64 * 1024
_BOM: Final = "\ufeff"
_BAD_PATTERN: Final = tr(
    "syntax error in pattern", "パターンの構文エラー"
)  # filepath.ErrBadPattern
_LONE_BANG: Final = tr('illegal exclusion pattern: "!"', '不正な除外パターン: "!"')

_SURROGATES: Final = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One `.dockerignore` pattern, as the matcher uses it."""

    text: str  # cleaned pattern without the leading "!"
    exclusion: bool  # True for "!pattern" (re-include)
    line: int  # 1-based line in the .dockerignore (0 when built from a list)
    raw: str  # the line as written (for evidence)


# --- Go's filepath.Match, for its error only -------------------------------------------------


class _BadPatternError(Exception):
    """Go's filepath.ErrBadPattern."""


def _go_filepath_match(pattern: str, name: str) -> bool:
    """Port of Go's `filepath.Match` (non-Windows). Raises `_BadPatternError`.

    Unlike `path.Match`, it does not check the rest of the pattern once a chunk fails, so
    `New` accepts `a*[` (the regexp then fails when the pattern is evaluated).
    """
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name  # trailing * matches the rest unless it has a /
        rest, ok = _match_chunk(chunk, name)
        if ok and (not rest or pattern):
            name = rest
            continue
        if star:
            matched_later = False
            for i in range(len(name)):
                if name[i] == "/":
                    break
                rest, ok = _match_chunk(chunk, name[i + 1 :])
                if ok:
                    if not pattern and rest:
                        continue
                    name = rest
                    matched_later = True
                    break
            if matched_later:
                continue
        return False
    return not name


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern and pattern[0] == "*":
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif c == "[":
            in_range = True
        elif c == "]":
            in_range = False
        elif c == "*" and not in_range:
            return star, pattern[:i], pattern[i:]
        i += 1
    return star, pattern, ""


def _match_chunk(chunk: str, s: str) -> tuple[str, bool]:
    failed = False  # after a failure the chunk is still scanned, for its syntax
    while chunk:
        failed = failed or not s
        c = chunk[0]
        if c == "[":
            r = 0
            if not failed:
                r = _go.rune(s[0])
                s = s[1:]
            chunk = chunk[1:]
            negated = False
            if chunk and chunk[0] == "^":
                negated = True
                chunk = chunk[1:]
            match = False
            nrange = 0
            while True:
                if chunk and chunk[0] == "]" and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _get_esc(chunk[1:])
                match = match or lo <= r <= hi
                nrange += 1
            failed = failed or match == negated
        elif c == "?":
            if not failed:
                failed = s[0] == "/"
                s = s[1:]
            chunk = chunk[1:]
        else:
            if c == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise _BadPatternError
            if not failed:
                failed = chunk[0] != s[0]
                s = s[1:]
            chunk = chunk[1:]
    if failed:
        return "", False
    return s, True


def _get_esc(chunk: str) -> tuple[int, str]:
    if not chunk or chunk[0] in "-]":
        raise _BadPatternError
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPatternError
    cp = ord(chunk[0])
    if 0xD800 <= cp <= 0xDFFF or len(chunk) == 1:  # invalid UTF-8, or nothing after it
        raise _BadPatternError
    return cp, chunk[1:]


# --- upstream's pattern compilation ----------------------------------------------------------

_REGEXP_ESCAPED: Final = frozenset(".+()|{}$")  # upstream's shouldEscape set


def _translate(cleaned: str) -> tuple[_MatchType, str]:
    """Upstream's `Pattern.compile` for "/": the match type and the Go regexp it builds.

    The regexp text is only meaningful for the "regexp" type. Characters come from Go's
    `text/scanner`: a BOM is skipped at the very start and an invalid byte reads as U+FFFD.
    """
    chars = _SURROGATES.sub(_go.RUNE_ERROR, cleaned)
    if chars.startswith(_BOM):
        chars = chars[1:]
    out = ["^"]
    kind: _MatchType = "exact"
    n = len(chars)
    pos = 0
    step = 0  # upstream's loop counter: "**" at step 0 makes a suffix match
    while pos < n:
        ch = chars[pos]
        pos += 1
        if ch == "*":
            if pos < n and chars[pos] == "*":
                pos += 1
                if pos < n and chars[pos] == "/":
                    pos += 1  # "**/" reads as "**"
                if pos == n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regexp"
                else:
                    out.append("(.*/)?")
                    kind = "regexp"
                if step == 0:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regexp"
        elif ch == "?":
            out.append("[^/]")
            kind = "regexp"
        elif ch in _REGEXP_ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\":
            if pos < n:
                out.append("\\" + chars[pos])
                pos += 1
                kind = "regexp"
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = "regexp"
        else:
            out.append(ch)
        step += 1
    if kind == "regexp":
        out.append("$")
    return kind, "".join(out)


# --- Go regexp syntax: RE2, the library Go's regexp package was ported from -----------------

#: RE2's error codes where Go's `regexp/syntax` words them differently.
_GO_WORDING: Final = {
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid named capture group": "invalid named capture",
}
_TOO_LARGE: Final = "pattern too large"  # RE2's memory budget, which Go does not have
# A character that stands for `\C` while RE2 parses (see `_without_any_byte`); RE2 rejects
# it as an escape, as Go rejects `\C`.
_ANY_BYTE_STAND_INS: Final = ("\ue000", "\ue001", "\ue002")


_RE2_OPTIONS: Final = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is raised, with Go's wording, not printed
# The other defaults are Go's Perl flags: `.` never matches `\n`, `$` is the end of text.


class _Regexp(Protocol):  # what is used of a compiled `re2` regexp (it ships no types)
    def search(self, text: str) -> object | None: ...


class _GoRegexpError(Exception):
    """The Go regexp is invalid; the message follows Go's `regexp/syntax` wording."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


class _TooLargeError(Exception):
    """RE2 ran out of its memory budget compiling a regexp that Go would compile."""


def _without_any_byte(go_regexp: str) -> tuple[str, str]:
    """Go rejects `\\C` (any byte), which RE2 accepts: each `\\C` outside `\\Q...\\E` becomes
    an escape RE2 rejects, so the first error is still the one Go reports first. Returns the
    regexp and the stand-in character ("" when there was no `\\C`)."""
    if "\\C" not in go_regexp:
        return go_regexp, ""
    stand_in = next((c for c in _ANY_BYTE_STAND_INS if c not in go_regexp), "")
    out: list[str] = []
    position, n = 0, len(go_regexp)
    while position < n:
        char = go_regexp[position]
        if char != "\\" or position + 1 == n:
            out.append(char)
            position += 1
            continue
        following = go_regexp[position + 1]
        if following == "Q":  # literal text up to `\E` (or the end), as in Go
            end = go_regexp.find("\\E", position + 2)
            end = n if end < 0 else end + 2
            out.append(go_regexp[position:end])
            position = end
            continue
        out.append("\\" + (stand_in if following == "C" and stand_in else following))
        position += 2
    return "".join(out), stand_in


@lru_cache(maxsize=4096)
def _compile_go_regexp(go_regexp: str) -> _Regexp:
    """Go's `regexp.Compile`; raises `_GoRegexpError` where Go fails. Compiled regexps are
    immutable, so patterns written many times (`*` between `!` lines) share one."""
    source, stand_in = _without_any_byte(go_regexp)
    try:
        regexp: _Regexp = re2.compile(source, _RE2_OPTIONS)
    except re2.error as error:
        raw = error.args[0] if error.args else b""
        message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if message.startswith(_TOO_LARGE):
            raise _TooLargeError(message) from None
        code, _, expr = message.partition(": ")
        if stand_in:
            expr = expr.replace("\\" + stand_in, "\\C")
        raise _GoRegexpError(_GO_WORDING.get(code, code), expr) from None
    return regexp


# --- the matcher -----------------------------------------------------------------------------


def _shown(pattern: Pattern) -> str:
    return ("!" if pattern.exclusion else "") + pattern.text


def _pattern_error(pattern: Pattern, detail: str) -> InputError:
    # The line goes into the error's location, which prints it as "path:line: ...".
    return InputError(
        tr(
            "bad pattern '{pattern}': {detail}",
            "不正なパターン '{pattern}': {detail}",
            pattern=_shown(pattern),
            detail=detail,
        ),
        line=pattern.line or None,
    )


def _too_large(pattern: Pattern) -> InputError:
    return InputError(
        tr(
            "pattern '{pattern}': its regexp is larger than RE2's memory budget; Docker (Go) has "
            "no such bound, so the pattern was not evaluated",
            "パターン '{pattern}': 正規表現が RE2 のメモリ上限を超える。Docker（Go）にはこの上限が"
            "ないため、このパターンは評価していない",
            pattern=_shown(pattern)[:80],
        ),
        line=pattern.line or None,
        kind="limit",
    )


_LITERAL_ESCAPES: Final = _REGEXP_ESCAPED  # `\.` and friends: the character itself
_NOT_LITERAL: Final = frozenset("\\.+*?()|[]{}^$")


def _literal_prefix(go_regexp: str) -> str:
    """The text every match of an upstream regexp (`^...`) starts with: its literal
    characters up to the first class, group, escape or anchor."""
    out: list[str] = []
    position, n = 1, len(go_regexp)  # after the leading "^"
    while position < n:
        char = go_regexp[position]
        if char == "\\" and position + 1 < n and go_regexp[position + 1] in _LITERAL_ESCAPES:
            out.append(go_regexp[position + 1])
            position += 2
        elif char in _NOT_LITERAL:
            break
        else:
            out.append(char)
            position += 1
    return "".join(out)


class _Rule:
    """One pattern with upstream's lazily compiled match type.

    Compiling a regexp pattern (upstream's error, when Go would fail, comes from here) happens
    when a path first reaches the pattern; the regexp only runs on paths that start with its
    literal prefix.
    """

    __slots__ = ("_error", "_kind", "_literal", "_regexp", "_text", "pattern")

    def __init__(self, pattern: Pattern) -> None:
        self.pattern = pattern
        self._text = pattern.text
        self._kind: _MatchType | None = None
        self._literal = ""
        self._regexp: _Regexp | None = None
        self._error: InputError | None = None

    def _compile(self) -> _MatchType:
        if self._error is not None:  # upstream retries and fails the same way every time
            raise self._error.again()
        kind, go_regexp = _translate(self._text)
        if kind == "regexp":
            try:
                self._regexp = _compile_go_regexp(go_regexp)
            except _GoRegexpError as error:
                self._error = _pattern_error(
                    self.pattern,
                    tr(
                        "{bad} ({error})",
                        "{bad}（「{error}」）",
                        bad=_BAD_PATTERN,
                        error=str(error),
                    ),
                )
                raise self._error.again() from None
            except _TooLargeError:
                self._error = _too_large(self.pattern)
                raise self._error.again() from None
            self._literal = _literal_prefix(go_regexp)
        self._kind = kind
        return kind

    @property
    def compiled(self) -> bool:
        return self._kind is not None

    def match(self, path: str, runes: str) -> bool:
        """Upstream's `Pattern.match`; `runes` is `path` with invalid bytes read as U+FFFD."""
        kind = self._kind or self._compile()
        text = self._text
        if kind == "exact":
            return path == text
        if kind == "prefix":
            return path.startswith(text[:-2])  # strip the trailing "**"
        if kind == "suffix":  # strip the leading "**" (two bytes, as Go slices)
            if text.startswith("**"):
                suffix = text[2:]
                return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
            suffix_b, path_b = _go.utf8(text)[2:], _go.utf8(path)  # a BOM before the "**"
            return path_b.endswith(suffix_b) or (suffix_b[:1] == b"/" and path_b == suffix_b[1:])
        if not runes.startswith(self._literal):
            return False  # the regexp is anchored: no match can start elsewhere
        assert self._regexp is not None
        return self._regexp.search(runes) is not None


_MEMO_LIMIT = 100_000  # remembered answers per matcher


class PatternMatcher:
    """Docker's `.dockerignore` matcher: `matches(path)` is True when the path is excluded."""

    __slots__ = ("_exclusions", "_memo", "_rules")

    def __init__(self, patterns: Sequence[Pattern | str]) -> None:
        if isinstance(patterns, str):
            raise TypeError("PatternMatcher takes a sequence of patterns, not one string")
        rules: list[_Rule] = []
        exclusions = False
        for entry in patterns:
            if isinstance(entry, Pattern):
                given = ("!" if entry.exclusion else "") + entry.text
                line, raw = entry.line, entry.raw
            else:
                given, line, raw = entry, 0, entry
            text = _go.trim_space(given)
            if not text:
                continue
            text = _go.path_clean(text)
            exclusion = text[0] == "!"
            if exclusion:
                if len(text) == 1:
                    lone = Pattern(text="", exclusion=True, line=line, raw=raw)
                    raise _pattern_error(lone, _LONE_BANG)
                text = text[1:]
                exclusions = True
            pattern = Pattern(text=text, exclusion=exclusion, line=line, raw=raw)
            if isinstance(entry, Pattern) and pattern == entry:
                pattern = entry  # keep the caller's object
            try:
                _go_filepath_match(text, ".")
            except _BadPatternError:
                raise _pattern_error(pattern, _BAD_PATTERN) from None
            rules.append(_Rule(pattern))
        self._rules: tuple[_Rule, ...] = tuple(rules)
        self._exclusions = exclusions
        self._memo: dict[str, tuple[bool, Pattern | None]] = {}  # path -> result, when asked again

    @property
    def exclusions(self) -> bool:
        """True when any pattern is an exception (`!pattern`)."""
        return self._exclusions

    @property
    def compiled(self) -> bool:
        """True once every pattern was compiled: no later question can raise."""
        return all(rule.compiled for rule in self._rules)

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """The patterns kept, as cleaned (upstream's `Patterns()`); empty entries are dropped."""
        return tuple(rule.pattern for rule in self._rules)

    def matches(self, path: str) -> bool:
        """MatchesOrParentMatches: True when the path is excluded from the build context.

        Raises `InputError` when a pattern that has to be evaluated is not a valid regexp.
        """
        return self._evaluate(path)[0]

    def deciding_pattern(self, path: str) -> Pattern | None:
        """The last pattern that matched the path (or a parent) and so set the result.

        An exclusion pattern here means the path was re-included. None means no pattern
        matched, so the path stays in the context.
        """
        return self._evaluate(path)[1]

    def _evaluate(self, path: str) -> tuple[bool, Pattern | None]:
        known = self._memo.get(path)
        if known is None:
            if len(self._memo) >= _MEMO_LIMIT:  # a shared matcher lives long under `serve`
                self._memo.clear()
            known = self._memo[path] = self._decide(path)  # an invalid pattern raises every time
        return known

    def _decide(self, path: str) -> tuple[bool, Pattern | None]:
        file = _go.path_clean(path)
        if file == ".":
            return False, None  # upstream: "don't let them exclude everything"
        # The path itself, then each parent directory prefix, shortest first.
        candidates = [file]
        parent = _go.path_dir(file)
        if parent != ".":
            dirs = parent.split("/")
            candidates += ["/".join(dirs[:depth]) for depth in range(1, len(dirs) + 1)]
        if _SURROGATES.search(file):
            pairs = [(c, _SURROGATES.sub(_go.RUNE_ERROR, c)) for c in candidates]
        else:
            pairs = [(c, c) for c in candidates]
        matched = False
        decider: Pattern | None = None
        for rule in self._rules:
            # An inclusion cannot change an excluded path, nor an exception an included one.
            if rule.pattern.exclusion != matched:
                continue
            # The first call compiles the pattern and may raise; parents cannot fail after it.
            for candidate, runes in pairs:
                if rule.match(candidate, runes):
                    matched = not rule.pattern.exclusion
                    decider = rule.pattern
                    break
        return matched, decider


# --- ignorefile.ReadAll ----------------------------------------------------------------------


def read_dockerignore(source: str | bytes) -> list[Pattern]:
    """Read a `.dockerignore` file the way `ignorefile.ReadAll` does.

    Patterns are not syntax-checked here (`ReadAll` does not check them). `PatternMatcher`
    checks them and reports errors with the line number. Raises `InputError` for a line too
    long for Go's `bufio.Scanner`, and at the pattern past `MAX_IGNORE_PATTERNS` (kind
    "limit": Docker has no such bound, see `checklists.core.target`).
    """
    text = source.decode("utf-8", "surrogateescape") if isinstance(source, bytes) else source
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start a new one
    patterns: list[Pattern] = []
    for number, scanned in enumerate(lines, start=1):
        if len(scanned) * 4 >= _SCANNER_MAX_LINE and len(_go.utf8(scanned)) >= _SCANNER_MAX_LINE:
            raise InputError(
                tr(
                    "line {number} is {size} bytes long; Docker reads .dockerignore with "
                    "bufio.Scanner, which fails at {_SCANNER_MAX_LINE} bytes (token too long)",
                    "{number} 行目の長さは {size} バイト。Docker は .dockerignore を "
                    "bufio.Scanner で読み、{_SCANNER_MAX_LINE} バイトで失敗する（token too long）",
                    number=number,
                    size=len(_go.utf8(scanned)),
                    _SCANNER_MAX_LINE=_SCANNER_MAX_LINE,
                ),
                line=number,
            )
        line = scanned[:-1] if scanned.endswith("\r") else scanned
        if number == 1 and line.startswith(_BOM):
            line = line[1:]
        if line.startswith("#"):
            continue
        pattern = _go.trim_space(line)
        if not pattern:
            continue
        invert = pattern[0] == "!"
        if invert:
            pattern = _go.trim_space(pattern[1:])
        if pattern:
            pattern = _go.path_clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        if len(patterns) == MAX_IGNORE_PATTERNS:
            raise InputError(
                tr(
                    "more than {MAX_IGNORE_PATTERNS:,} patterns: not read",
                    "パターンが {MAX_IGNORE_PATTERNS:,} 個を超えるため読み取らない",
                    MAX_IGNORE_PATTERNS=MAX_IGNORE_PATTERNS,
                ),
                line=number,
                kind="limit",
            )
        patterns.append(Pattern(text=pattern, exclusion=invert, line=number, raw=line))
    return patterns
