"""Go's string and path helpers, shared by the readers that port Go code (BuildKit's
Dockerfile parser and shell lexer, moby/patternmatcher for .dockerignore).

Strings are Python `str`. A byte that is not UTF-8 is held as a `surrogateescape` code point
(U+DC80 to U+DCFF), where Go would hold the byte itself and read it as `utf8.RuneError`.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "RUNE_ERROR",
    "SPACES",
    "SPACE_CHARS",
    "as_rune",
    "from_utf8",
    "is_raw_byte",
    "is_space",
    "path_clean",
    "path_dir",
    "quote",
    "rune",
    "to_lower",
    "trim_left_space",
    "trim_space",
    "utf8",
]

#: Go's utf8.RuneError, what Go decodes an invalid byte to.
RUNE_ERROR: Final = "\ufffd"

#: Go's unicode.IsSpace. Python's str.isspace() and str.strip() also accept U+001C..U+001F.
SPACES: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)


# The same characters as one string, for str.strip: it removes exactly the leading (and
# trailing) characters that are in it, in C rather than a loop of Python steps.
SPACE_CHARS: Final = "".join(sorted(SPACES))


def is_space(ch: str) -> bool:
    return ch in SPACES


def trim_left_space(s: str) -> str:
    """Go's strings.TrimLeftFunc(s, unicode.IsSpace)."""
    return s.lstrip(SPACE_CHARS)


def trim_space(s: str) -> str:
    """Go's strings.TrimSpace."""
    return s.strip(SPACE_CHARS)


def to_lower(s: str) -> str:
    """Go's strings.ToLower: one rune in, one rune out (Python maps U+0130 to two)."""
    if s.isascii():
        return s.lower()
    return "".join(low[0] if (low := ch.lower()) else ch for ch in s)


def is_raw_byte(ch: str) -> bool:
    """True for a byte that was not UTF-8, held as its `surrogateescape` code point."""
    return "\udc80" <= ch <= "\udcff"


def as_rune(ch: str) -> str:
    """What Go reads where this text holds a stray byte: utf8.RuneError."""
    return RUNE_ERROR if "\ud800" <= ch <= "\udfff" else ch


def rune(ch: str) -> int:
    """The rune Go decodes for one character, as a number."""
    return ord(as_rune(ch))


def utf8(s: str) -> bytes:
    """The bytes Go holds for this text."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no byte decoded to
        return s.encode("utf-8", "surrogatepass")


def from_utf8(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def quote(s: str) -> str:
    """Go's strconv.Quote, which BuildKit's Dump uses for every argument and flag."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif is_raw_byte(ch):
            out.append(f"\\x{code - 0xDC00:02x}")
        elif "\ud800" <= ch <= "\udfff":
            # A surrogate that is not a stray byte cannot be UTF-8; Go would see its bytes.
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        elif ch == " " or (code >= 0x20 and ch.isprintable()):
            out.append(ch)
        elif ch in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_CONTROL_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


# radon D: a line-by-line port of Go's path.Clean, kept in Go's shape to compare with upstream.
def path_clean(path: str) -> str:
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


def path_dir(path: str) -> str:
    """Port of Go's `filepath.Dir` for "/" separators."""
    return path_clean(path[: path.rfind("/") + 1])
