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
  prefix, suffix, regexp). A regexp is built exactly as upstream builds it, then parsed
  with the syntax rules of Go's `regexp` and run on a small automaton. Python's `re` is not
  used for this. It reads Go regexps differently (`[[:digit:]]`, `\\Q...\\E`, `\\pL`, `\\z`,
  octal escapes), and its backtracking can take exponential time on `**/**/**/*.z`, where
  Go's RE2 takes linear time. An invalid regexp, such as `[Local-Only]` with its reversed
  range `l-O`, passes `New` but fails each time the pattern is evaluated, as upstream does.

Paths are slash-separated and relative to the context root, the way BuildKit passes them.
Text stands for Go's byte strings. Bytes input is decoded with `surrogateescape`, so an
invalid UTF-8 byte becomes one lone surrogate: it is a syntax error inside a `filepath.Match`
class, and in a regexp it is read as U+FFFD, the way Go's scanner and regexp engine read it.
Known limits: `\\p` can only reach the parser with a one-letter name, because upstream
escapes `{`. Those names are case-sensitive, as in Go 1.19, the version the oracle was
checked with (recent Go also accepts `\\pl`). Their categories come from Python's
`unicodedata`, whose Unicode version can differ from Go's.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final, Literal

from checklists.errors import InputError
from checklists.target import MAX_IGNORE_PATTERNS

__all__ = ["Pattern", "PatternMatcher", "read_dockerignore"]

_MatchType = Literal["exact", "prefix", "suffix", "regexp"]

#: `bufio.MaxScanTokenSize`: `ReadAll` fails on a line this long (in bytes, CR included).
_SCANNER_MAX_LINE: Final = 64 * 1024
_MAX_RUNE: Final = 0x10FFFF
_RUNE_ERROR: Final = "\ufffd"
_BOM: Final = "\ufeff"
_BAD_PATTERN: Final = "syntax error in pattern"  # Go's filepath.ErrBadPattern
_LONE_BANG: Final = 'illegal exclusion pattern: "!"'

# Go's unicode.IsSpace, which strings.TrimSpace uses. Python's str.strip would also remove
# U+001C..U+001F.
_GO_SPACES: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
_SURROGATES: Final = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One `.dockerignore` pattern, as the matcher uses it."""

    text: str  # cleaned pattern without the leading "!"
    exclusion: bool  # True for "!pattern" (re-include)
    line: int  # 1-based line in the .dockerignore (0 when built from a list)
    raw: str  # the line as written (for evidence)


# --- Go's path.Clean, filepath.Dir and strings.TrimSpace --------------------------------------


def _go_clean(path: str) -> str:
    """Port of Go's `path.Clean` (the same as `filepath.Clean` with "/" separators)."""
    if not path:
        return "."
    rooted = path[0] == "/"
    n = len(path)
    out: list[str] = []  # Go's lazybuf, as a list of characters
    r = 0
    dotdot = 0  # index where ".." must stop backtracking
    if rooted:
        out.append("/")
        r = dotdot = 1
    while r < n:
        if path[r] == "/":
            r += 1  # empty element
        elif path[r] == "." and (r + 1 == n or path[r + 1] == "/"):
            r += 1  # "." element
        elif path[r] == "." and path[r + 1] == "." and (r + 2 == n or path[r + 2] == "/"):
            r += 2  # ".." element: remove to the last "/"
            if len(out) > dotdot:
                w = len(out) - 1
                while w > dotdot and out[w] != "/":
                    w -= 1
                del out[w:]
            elif not rooted:
                if out:
                    out.append("/")
                out += ".."
                dotdot = len(out)
        else:
            # A real path element; add a slash if needed.
            if (rooted and len(out) != 1) or (not rooted and out):
                out.append("/")
            end = path.find("/", r)
            if end < 0:
                end = n
            out += path[r:end]
            r = end
    return "".join(out) if out else "."


def _go_dir(path: str) -> str:
    """Port of Go's `filepath.Dir` for "/" separators."""
    return _go_clean(path[: path.rfind("/") + 1])


def _go_trim_space(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACES:
        start += 1
    while end > start and text[end - 1] in _GO_SPACES:
        end -= 1
    return text[start:end]


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no byte decoded to
        return text.encode("utf-8", "surrogatepass")


def _rune(c: str) -> int:
    """The rune Go decodes for one character (an invalid byte decodes to U+FFFD)."""
    cp = ord(c)
    return 0xFFFD if 0xD800 <= cp <= 0xDFFF else cp


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
                r = _rune(s[0])
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
    chars = _SURROGATES.sub(_RUNE_ERROR, cleaned)
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


# --- Go regexp syntax (RE2 with Perl flags), parsed and run in linear time ------------------

_Ranges = list[tuple[int, int]]


class _GoRegexpError(Exception):
    """The Go regexp is invalid; the message follows Go's `regexp/syntax` wording."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


_PERL_BASE: Final[dict[str, _Ranges]] = {
    "d": [(0x30, 0x39)],
    "s": [(0x9, 0xA), (0xC, 0xD), (0x20, 0x20)],  # no \v, unlike Python's \s
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_PERL_GROUPS: Final[dict[str, tuple[int, _Ranges]]] = {
    "\\" + letter: (sign, ranges)
    for name, ranges in _PERL_BASE.items()
    for letter, sign in ((name, 1), (name.upper(), -1))
}
_POSIX_BASE: Final[dict[str, _Ranges]] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x0, 0x7F)],
    "blank": [(0x9, 0x9), (0x20, 0x20)],
    "cntrl": [(0x0, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x9, 0xD), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_POSIX_GROUPS: Final[dict[str, tuple[int, _Ranges]]] = {
    f"[:{negated}{name}:]": (-1 if negated else 1, ranges)
    for name, ranges in _POSIX_BASE.items()
    for negated in ("", "^")
}
_C_ESCAPES: Final = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_NOT_NEWLINE: Final[_Ranges] = [(0, 9), (11, _MAX_RUNE)]  # Go's "." without the s flag


def _clean_ranges(ranges: _Ranges) -> _Ranges:
    merged: _Ranges = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _negate_ranges(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    next_lo = 0
    for lo, hi in _clean_ranges(ranges):
        if next_lo <= lo - 1:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= _MAX_RUNE:
        out.append((next_lo, _MAX_RUNE))
    return out


def _group(sign: int, ranges: _Ranges) -> _Ranges:
    return list(ranges) if sign > 0 else _negate_ranges(ranges)


@cache
def _unicode_categories() -> dict[str, _Ranges]:
    """Go's `unicode.Categories` built from `unicodedata` (Go has no "Cn" table)."""
    runs: dict[str, _Ranges] = {}
    previous = unicodedata.category("\0")
    start = 0
    for cp in range(1, _MAX_RUNE + 2):
        category = unicodedata.category(chr(cp)) if cp <= _MAX_RUNE else ""
        if category != previous:
            runs.setdefault(previous, []).append((start, cp - 1))
            previous, start = category, cp
    runs.pop("Cn", None)
    tables = dict(runs)
    for major in "CLMNPSZ":
        tables[major] = _clean_ranges([r for k, v in runs.items() if k[0] == major for r in v])
    return tables


def _unicode_table(name: str) -> _Ranges | None:
    if name == "Any":
        return [(0, _MAX_RUNE)]
    # Go also knows scripts (\p{Greek}); braces never reach the parser (see the docstring).
    return _unicode_categories().get(name)


def _is_alnum(c: str) -> bool:
    return "0" <= c <= "9" or "A" <= c <= "Z" or "a" <= c <= "z"


def _is_word(c: str) -> bool:  # Go's \b uses ASCII word characters
    return c == "_" or _is_alnum(c)


def _unhex(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 0x30
    if "a" <= c <= "f":
        return ord(c) - 0x61 + 10
    if "A" <= c <= "F":
        return ord(c) - 0x41 + 10
    return -1


@dataclass(frozen=True, slots=True)
class _Chars:
    """One character out of a sorted, merged list of ranges (a literal is one range)."""

    ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class _Assert:
    kind: Literal["A", "z", "b", "B"]  # begin of text, end of text, (non-)word boundary


@dataclass(frozen=True, slots=True)
class _Concat:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Alternate:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Repeat:
    item: _Node
    op: Literal["*", "+", "?"]


_Node = _Chars | _Assert | _Concat | _Alternate | _Repeat
_ESCAPED_ASSERTIONS: Final = {
    "A": _Assert("A"),  # beginning of text
    "z": _Assert("z"),  # end of text
    "b": _Assert("b"),  # ASCII word boundary
    "B": _Assert("B"),  # not a word boundary
}


def _chars(ranges: _Ranges) -> _Chars:
    return _Chars(tuple(_clean_ranges(ranges)))


class _GoRegexpParser:
    """Go's `regexp/syntax` parser with `regexp.Compile`'s flags, producing a small tree.

    It covers everything upstream's translation can produce: literals, escapes, classes
    (with POSIX, Perl and one-letter Unicode groups), `.`, `^`, `$`, `\\A`, `\\z`, `\\b`,
    `\\B`, `\\Q...\\E`, groups, `|` and the `*`, `+`, `?` repetitions (lazy ones match the
    same paths). A raw `{` is read as a literal: upstream always escapes braces, so counted
    repetition cannot occur.
    """

    def __init__(self, source: str) -> None:
        self.src = source
        self.n = len(source)

    def parse(self) -> _Node:
        src, n = self.src, self.n
        outer: list[tuple[list[_Node], list[_Node]]] = []
        alternatives: list[_Node] = []
        items: list[_Node] = []
        last_repeat = False
        i = 0
        while i < n:
            c = src[i]
            repeat = False
            if c == "(":
                outer.append((alternatives, items))
                alternatives, items = [], []
                i += 1
            elif c == "|":
                alternatives.append(_Concat(tuple(items)))
                items = []
                i += 1
            elif c == ")":
                if not outer:
                    raise _GoRegexpError("unexpected )", src)
                body = _Alternate((*alternatives, _Concat(tuple(items))))
                alternatives, items = outer.pop()
                items.append(body)
                i += 1
            elif c in "^$":
                items.append(_Assert("A" if c == "^" else "z"))
                i += 1
            elif c == ".":
                items.append(_chars(_NOT_NEWLINE))
                i += 1
            elif c == "[":
                ranges, i = self._class(i)
                items.append(_Chars(tuple(ranges)))
            elif c in "*+?":
                end = i + 2 if i + 1 < n and src[i + 1] == "?" else i + 1
                if last_repeat:
                    raise _GoRegexpError("invalid nested repetition operator", src[i:end])
                if not items:
                    raise _GoRegexpError("missing argument to repetition operator", src[i:end])
                op: Literal["*", "+", "?"] = "*" if c == "*" else "+" if c == "+" else "?"
                items[-1] = _Repeat(items[-1], op)
                repeat = True
                i = end
            elif c == "\\":
                i = self._backslash(i, items)
            else:
                items.append(_chars([(ord(c), ord(c))]))
                i += 1
            last_repeat = repeat
        if outer:
            raise _GoRegexpError("missing closing )", src)
        if not alternatives:
            return _Concat(tuple(items))
        return _Alternate((*alternatives, _Concat(tuple(items))))

    def _backslash(self, i: int, items: list[_Node]) -> int:
        src, n = self.src, self.n
        if i + 1 < n:
            d = src[i + 1]
            assertion = _ESCAPED_ASSERTIONS.get(d)
            if assertion is not None:
                items.append(assertion)
                return i + 2
            if d == "C":
                raise _GoRegexpError("invalid escape sequence", "\\C")
            if d == "Q":  # literal text up to \E or the end
                end = src.find("\\E", i + 2)
                literal = src[i + 2 :] if end < 0 else src[i + 2 : end]
                items.extend(_chars([(ord(ch), ord(ch))]) for ch in literal)
                return n if end < 0 else end + 2
            if d in "pP":
                ranges, nxt = self._unicode_class(i)
                items.append(_Chars(tuple(ranges)))
                return nxt
            perl = _PERL_GROUPS.get(src[i : i + 2])
            if perl is not None:
                items.append(_chars(_group(*perl)))
                return i + 2
        cp, nxt = self._escape(i)
        items.append(_chars([(cp, cp)]))
        return nxt

    def _escape(self, i: int) -> tuple[int, int]:
        """Go's parseEscape: the rune of the escape at i and the index after it."""
        src, n = self.src, self.n
        t = i + 1
        if t >= n:
            raise _GoRegexpError("trailing backslash at end of expression", "")
        c = src[t]
        t += 1
        if ord(c) < 0x80 and not _is_alnum(c):
            return ord(c), t  # escaped punctuation is itself
        if c in "01234567":
            if c != "0" and (t >= n or not "0" <= src[t] <= "7"):
                raise _GoRegexpError("invalid escape sequence", src[i:t])  # backreference
            value = ord(c) - 0x30
            for _ in range(2):
                if t >= n or not "0" <= src[t] <= "7":
                    break
                value = value * 8 + ord(src[t]) - 0x30
                t += 1
            return value, t
        if c == "x":
            return self._hex_escape(i, t)
        if c in _C_ESCAPES:
            return _C_ESCAPES[c], t
        raise _GoRegexpError("invalid escape sequence", src[i:t])

    def _hex_escape(self, i: int, t: int) -> tuple[int, int]:
        src, n = self.src, self.n
        if t >= n:
            raise _GoRegexpError("invalid escape sequence", src[i:t])
        c = src[t]
        t += 1
        if c == "{":
            digits = 0
            value = 0
            while True:
                if t >= n:
                    raise _GoRegexpError("invalid escape sequence", src[i:t])
                c = src[t]
                t += 1
                if c == "}":
                    break
                v = _unhex(c)
                value = value * 16 + v
                if v < 0 or value > _MAX_RUNE:
                    raise _GoRegexpError("invalid escape sequence", src[i:t])
                digits += 1
            if digits == 0:
                raise _GoRegexpError("invalid escape sequence", src[i:t])
            return value, t
        x = _unhex(c)
        y = -1
        if t < n:
            y = _unhex(src[t])
            t += 1
        if x < 0 or y < 0:
            raise _GoRegexpError("invalid escape sequence", src[i:t])
        return x * 16 + y, t

    def _unicode_class(self, i: int) -> tuple[_Ranges, int]:
        """Go's parseUnicodeClass for `\\p` / `\\P` at i."""
        src, n = self.src, self.n
        sign = -1 if src[i + 1] == "P" else 1
        u = i + 2
        if u >= n:
            name, nxt = "", u
        elif src[u] != "{":
            name, nxt = src[u], u + 1
        else:
            end = src.find("}", i)
            if end < 0:
                raise _GoRegexpError("invalid character class range", src[i:])
            name, nxt = src[i + 3 : end], end + 1
        if name.startswith("^"):
            sign = -sign
            name = name[1:]
        table = _unicode_table(name)
        if table is None:
            raise _GoRegexpError("invalid character class range", src[i:nxt])
        return _group(sign, table), nxt

    def _class(self, i: int) -> tuple[_Ranges, int]:
        """Go's parseClass for the class opening at i: its ranges and the index after it."""
        src, n = self.src, self.n
        t = i + 1
        negate = t < n and src[t] == "^"
        if negate:
            t += 1
        ranges: _Ranges = []
        first = True  # "]" is a literal as the first character
        while t >= n or src[t] != "]" or first:
            first = False
            if n - t > 2 and src[t] == "[" and src[t + 1] == ":":
                end = src.find(":]", t + 2)  # Go searches the rest of the whole regexp
                if end >= 0:
                    name = src[t : end + 2]
                    posix = _POSIX_GROUPS.get(name)
                    if posix is None:
                        raise _GoRegexpError("invalid character class range", name)
                    ranges += _group(*posix)
                    t = end + 2
                    continue
            if t + 1 < n and src[t] == "\\":
                if src[t + 1] in "pP":
                    found, t = self._unicode_class(t)
                    ranges += found
                    continue
                perl = _PERL_GROUPS.get(src[t : t + 2])
                if perl is not None:
                    ranges += _group(*perl)
                    t += 2
                    continue
            start = t
            lo, t = self._class_char(t, i)
            hi = lo
            if n - t >= 2 and src[t] == "-" and src[t + 1] != "]":
                hi, t = self._class_char(t + 1, i)
                if hi < lo:
                    raise _GoRegexpError("invalid character class range", src[start:t])
            ranges.append((lo, hi))
        ranges = _clean_ranges(ranges)
        return (_negate_ranges(ranges) if negate else ranges), t + 1

    def _class_char(self, t: int, class_start: int) -> tuple[int, int]:
        if t >= self.n:
            raise _GoRegexpError("missing closing ]", self.src[class_start:])
        if self.src[t] == "\\":
            return self._escape(t)
        return ord(self.src[t]), t + 1


_CHARS, _SPLIT, _JMP, _ASSERT, _MATCH = range(5)
_MATCHED: Final = -1  # a transition that completes a match
_DEAD: Final = -2  # a transition after which no match is possible
_DFA_STATE_LIMIT: Final = 10_000

_StateKey = tuple[frozenset[int], bool, bool]  # NFA states, at start of text, after \w


class _GoRegexp:
    """A parsed Go regexp searched like Go's `MatchString`, in time linear in the path.

    The tree becomes a Thompson NFA, whose state sets become DFA states lazily, much as in
    RE2: `**/**/**/*.z` cannot backtrack exponentially the way Python's `re` would.
    """

    __slots__ = (
        "_arg",
        "_ends",
        "_highs",
        "_keys",
        "_kind",
        "_lows",
        "_moves",
        "_op",
        "_second",
        "_states",
        "anchored",
        "uses_word",
    )

    def __init__(self, tree: _Node) -> None:
        self._op: list[int] = []
        self._arg: list[int] = []  # jump target (JMP), first branch (SPLIT)
        self._second: list[int] = []  # second branch (SPLIT)
        self._kind: list[str] = []  # assertion kind (ASSERT)
        self._lows: list[tuple[int, ...]] = []  # range bounds (CHARS)
        self._highs: list[tuple[int, ...]] = []
        self._emit(tree)
        self._add(_MATCH)
        first = tree.items[0] if isinstance(tree, _Concat) and tree.items else tree
        self.anchored = first == _Assert("A")  # upstream's regexps all start with "^"
        self.uses_word = any(kind in "bB" for kind in self._kind)
        self._states: dict[_StateKey, int] = {}
        self._keys: list[_StateKey] = []
        self._moves: list[dict[str, int]] = []  # per DFA state: character -> state
        self._ends: list[bool | None] = []  # per DFA state: matched at end of text
        self._reset()

    def _add(self, op: int, chars: tuple[tuple[int, int], ...] = (), kind: str = "") -> int:
        self._op.append(op)
        self._arg.append(0)
        self._second.append(0)
        self._kind.append(kind)
        self._lows.append(tuple(lo for lo, _ in chars))
        self._highs.append(tuple(hi for _, hi in chars))
        return len(self._op) - 1

    def _emit(self, node: _Node) -> None:
        if isinstance(node, _Chars):
            self._add(_CHARS, chars=node.ranges)
        elif isinstance(node, _Assert):
            self._add(_ASSERT, kind=node.kind)
        elif isinstance(node, _Concat):
            for item in node.items:
                self._emit(item)
        elif isinstance(node, _Alternate):
            jumps: list[int] = []
            for item in node.items[:-1]:
                split = self._add(_SPLIT)
                self._arg[split] = split + 1
                self._emit(item)
                jumps.append(self._add(_JMP))
                self._second[split] = len(self._op)
            self._emit(node.items[-1])
            for jump in jumps:
                self._arg[jump] = len(self._op)
        elif node.op == "+":
            start = len(self._op)
            self._emit(node.item)
            split = self._add(_SPLIT)
            self._arg[split], self._second[split] = start, split + 1
        else:  # "*" or "?"
            split = self._add(_SPLIT)
            self._arg[split] = split + 1
            self._emit(node.item)
            if node.op == "*":
                self._arg[self._add(_JMP)] = split
            self._second[split] = len(self._op)

    def _reset(self) -> None:
        self._states.clear()
        self._keys.clear()
        self._moves.clear()
        self._ends.clear()
        self._state((frozenset((0,)), True, False))  # state 0: the start

    def _state(self, key: _StateKey) -> int:
        number = self._states.get(key)
        if number is None:
            number = self._states[key] = len(self._keys)
            self._keys.append(key)
            self._moves.append({})
            self._ends.append(None)
        return number

    def _closure(self, key: _StateKey, char: str | None) -> tuple[list[int], bool]:
        """Follow the empty moves before `char` (None: the end of text).

        Returns the NFA states that consume a character, and whether a match is reached.
        """
        threads, at_start, prev_word = key
        next_word = char is not None and _is_word(char)
        stack = list(threads)
        seen: set[int] = set()
        consuming: list[int] = []
        matched = False
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op = self._op[pc]
            if op == _CHARS:
                consuming.append(pc)
            elif op == _MATCH:
                matched = True
            elif op == _JMP:
                stack.append(self._arg[pc])
            elif op == _SPLIT:
                stack.append(self._second[pc])
                stack.append(self._arg[pc])
            else:
                kind = self._kind[pc]
                if (
                    (kind == "A" and at_start)
                    or (kind == "z" and char is None)
                    or (kind == "b" and prev_word != next_word)
                    or (kind == "B" and prev_word == next_word)
                ):
                    stack.append(pc + 1)
        return consuming, matched

    def _move(self, state: int, char: str) -> int:
        consuming, matched = self._closure(self._keys[state], char)
        if matched:
            target = _MATCHED
        else:
            cp = ord(char)
            following = set()
            for pc in consuming:
                index = bisect_right(self._lows[pc], cp) - 1
                if index >= 0 and cp <= self._highs[pc][index]:
                    following.add(pc + 1)
            if not self.anchored:
                following.add(0)  # a match may also start after this character
            if following:
                word = self.uses_word and _is_word(char)
                target = self._state((frozenset(following), False, word))
            else:
                target = _DEAD
        self._moves[state][char] = target
        return target

    def _end(self, state: int) -> bool:
        ended = self._ends[state]
        if ended is None:
            ended = self._ends[state] = self._closure(self._keys[state], None)[1]
        return ended

    def search(self, text: str) -> bool:
        if len(self._keys) > _DFA_STATE_LIMIT:
            self._reset()
        moves = self._moves
        state = 0
        for char in text:
            target = moves[state].get(char)
            if target is None:
                target = self._move(state, char)
            if target < 0:
                return target == _MATCHED
            state = target
        return self._end(state)


@lru_cache(maxsize=4096)
def _parse_go_regexp(go_regexp: str) -> _Node:
    """The syntax tree of `regexp.Compile`; raises `_GoRegexpError` where Go fails. Trees
    are immutable, so patterns written many times (`*` between `!` lines) share one."""
    return _GoRegexpParser(go_regexp).parse()


def _compile_go_regexp(go_regexp: str) -> _GoRegexp:
    """Go's `regexp.Compile`; raises `_GoRegexpError` where Go fails."""
    return _GoRegexp(_parse_go_regexp(go_regexp))


# --- the matcher -----------------------------------------------------------------------------


def _pattern_error(pattern: Pattern, detail: str) -> InputError:
    shown = ("!" if pattern.exclusion else "") + pattern.text
    # The line goes into the error's location, which prints it as "path:line: ...".
    return InputError(f"bad pattern '{shown}': {detail}", line=pattern.line or None)


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

    Compiling a regexp pattern parses it (upstream's error, when Go would fail, comes from
    here); the automaton is only built once a path starts with the regexp's literal prefix,
    so 10,000 patterns such as `dir1/**/*.tmp` cost a parse each, not an automaton each.
    """

    __slots__ = ("_error", "_kind", "_literal", "_regexp", "_text", "_tree", "pattern")

    def __init__(self, pattern: Pattern) -> None:
        self.pattern = pattern
        self._text = pattern.text
        self._kind: _MatchType | None = None
        self._tree: _Node | None = None
        self._literal = ""
        self._regexp: _GoRegexp | None = None
        self._error: str | None = None

    def _compile(self) -> _MatchType:
        if self._error is not None:  # upstream retries and fails the same way every time
            raise _pattern_error(self.pattern, self._error)
        kind, go_regexp = _translate(self._text)
        if kind == "regexp":
            try:
                self._tree = _parse_go_regexp(go_regexp)
            except _GoRegexpError as error:
                self._error = f"{_BAD_PATTERN} ({error})"
                raise _pattern_error(self.pattern, self._error) from None
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
            suffix_b, path_b = _utf8(text)[2:], _utf8(path)  # a BOM before the "**"
            return path_b.endswith(suffix_b) or (suffix_b[:1] == b"/" and path_b == suffix_b[1:])
        if not runes.startswith(self._literal):
            return False  # the regexp is anchored: no match can start elsewhere
        if self._regexp is None:
            assert self._tree is not None
            self._regexp = _GoRegexp(self._tree)
        return self._regexp.search(runes)


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
            text = _go_trim_space(given)
            if not text:
                continue
            text = _go_clean(text)
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
        file = _go_clean(path)
        if file == ".":
            return False, None  # upstream: "don't let them exclude everything"
        # The path itself, then each parent directory prefix, shortest first.
        candidates = [file]
        parent = _go_dir(file)
        if parent != ".":
            dirs = parent.split("/")
            candidates += ["/".join(dirs[:depth]) for depth in range(1, len(dirs) + 1)]
        if _SURROGATES.search(file):
            pairs = [(c, _SURROGATES.sub(_RUNE_ERROR, c)) for c in candidates]
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
    "limit": Docker has no such bound, see `checklists.target`).
    """
    text = source.decode("utf-8", "surrogateescape") if isinstance(source, bytes) else source
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start a new one
    patterns: list[Pattern] = []
    for number, scanned in enumerate(lines, start=1):
        if len(scanned) * 4 >= _SCANNER_MAX_LINE and len(_utf8(scanned)) >= _SCANNER_MAX_LINE:
            raise InputError(
                f"line {number} is {len(_utf8(scanned))} bytes long; Docker reads "
                f".dockerignore with bufio.Scanner, which fails at {_SCANNER_MAX_LINE} bytes "
                "(token too long)",
                line=number,
            )
        line = scanned[:-1] if scanned.endswith("\r") else scanned
        if number == 1 and line.startswith(_BOM):
            line = line[1:]
        if line.startswith("#"):
            continue
        pattern = _go_trim_space(line)
        if not pattern:
            continue
        invert = pattern[0] == "!"
        if invert:
            pattern = _go_trim_space(pattern[1:])
        if pattern:
            pattern = _go_clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        if len(patterns) == MAX_IGNORE_PATTERNS:
            raise InputError(
                f"more than {MAX_IGNORE_PATTERNS:,} patterns: not read", line=number, kind="limit"
            )
        patterns.append(Pattern(text=pattern, exclusion=invert, line=number, raw=line))
    return patterns
