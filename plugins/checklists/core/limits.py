"""Limits as the guide writes them in its table cells, and quantities to compare with them.

    < 700MB   < 8分   < 90秒   <= 5s   ≤ 256MiB   700MB未満   8分以内   90秒以下   >= 80%

Sizes are bytes, in decimal units (B, kB, MB, GB: as Docker reports image sizes) or binary
ones (KiB, MiB, GiB); durations are seconds (ms, s, 秒, min, 分, h, 時間); percentages are
plain numbers. A cell that is not a limit raises ValueError with a message that says what
a limit looks like: it becomes a located error, never a silently ignored cell.
"""

from __future__ import annotations

import enum
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from checklists.core.message import tr


class Kind(enum.StrEnum):
    SIZE = "size"
    DURATION = "duration"
    PERCENT = "percent"


UNITS: dict[str, tuple[Kind, float]] = {
    "b": (Kind.SIZE, 1),
    "kb": (Kind.SIZE, 1e3),
    "mb": (Kind.SIZE, 1e6),
    "gb": (Kind.SIZE, 1e9),
    "kib": (Kind.SIZE, 1024.0),
    "mib": (Kind.SIZE, 1024.0**2),
    "gib": (Kind.SIZE, 1024.0**3),
    "ms": (Kind.DURATION, 1e-3),
    "s": (Kind.DURATION, 1.0),
    "sec": (Kind.DURATION, 1.0),
    "秒": (Kind.DURATION, 1.0),
    "min": (Kind.DURATION, 60.0),
    "分": (Kind.DURATION, 60.0),
    "h": (Kind.DURATION, 3600.0),
    "時間": (Kind.DURATION, 3600.0),
    "%": (Kind.PERCENT, 1.0),
}
_PREFIX_OPS = {
    "<": "<",
    "<=": "<=",
    "≤": "<=",
    "＜": "<",
    ">": ">",
    ">=": ">=",
    "≥": ">=",
    "＞": ">",
}
_SUFFIX_OPS = {"未満": "<", "以下": "<=", "以内": "<=", "以上": ">=", "超": ">"}
COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_QUANTITY = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z%]+|秒|分|時間)$")
_LIMIT = re.compile(
    r"^(?P<prefix><=|>=|<|>|≤|≥|＜|＞)?\s*(?P<quantity>[^<>≤≥＜＞]+?)\s*(?P<suffix>未満|以下|以内|以上|超)?$"
)
HINT = tr(
    "write a limit like '< 250MB', '≤ 90秒' or '8分以内'",
    "上限は '< 250MB'、'≤ 90秒'、'8分以内' のように書いてください",
)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in base units: bytes, seconds or percent
    kind: Kind

    def __str__(self) -> str:
        return format_quantity(self.value, self.kind)

    def localized(self, lang: str) -> str:
        return format_quantity(self.value, self.kind, lang)


@dataclass(frozen=True, slots=True)
class Limit:
    op: str  # one of <, <=, >, >=
    bound: Quantity
    text: str  # the cell as the author wrote it

    def holds(self, value: float) -> bool:
        return COMPARE[self.op](value, self.bound.value)

    @property
    def kind(self) -> Kind:
        return self.bound.kind


def parse_quantity(text: str) -> Quantity:
    match = _QUANTITY.match(text.strip())
    unit = UNITS.get(match["unit"].lower() if match else "")
    if match is None or unit is None:
        raise ValueError(
            tr(
                "{text!r} is not a size, duration or percentage",
                "{text!r} はサイズ、時間、割合のいずれでもありません",
                text=text,
            )
        )
    kind, factor = unit
    return Quantity(float(match["number"]) * factor, kind)


def parse_limit(text: str) -> Limit:
    """The limit in a table cell; ValueError saying what is wrong and what a limit looks like."""
    cell = " ".join(text.replace("**", "").split())
    match = _LIMIT.match(cell)
    written = text.strip()
    if match is None or not cell:
        raise ValueError(
            tr(
                "cannot read the limit {limit!r}: {hint}",
                "上限 {limit!r} を読み取れません。{hint}",
                limit=written,
                hint=HINT,
            )
        )
    prefix, suffix = match["prefix"], match["suffix"]
    if bool(prefix) == bool(suffix):
        problem = (
            tr("has two comparisons", "には比較が 2 つあります")
            if prefix
            else tr("has no comparison", "には比較がありません")
        )
        raise ValueError(
            tr(
                "the limit {limit!r} {problem}: {hint}",
                "上限 {limit!r} {problem}。{hint}",
                limit=written,
                problem=problem,
                hint=HINT,
            )
        )
    try:
        bound = parse_quantity(match["quantity"])
    except ValueError as error:
        raise ValueError(
            tr(
                "cannot read the limit {limit!r}: {error}; {hint}",
                "上限 {limit!r} を読み取れません: {error}。{hint}",
                limit=written,
                error=error.args[0],
                hint=HINT,
            )
        ) from None
    op = _PREFIX_OPS[prefix] if prefix else _SUFFIX_OPS[suffix]
    return Limit(op, bound, text.strip())


def format_quantity(value: float, kind: Kind, lang: str = "en") -> str:
    """A readable value in the units the guide uses: MB (decimal) for sizes in every
    language; durations as 秒 and 分 in Japanese ("45秒", "3.5分", as the guide's tables
    write them), s and min in English ("45s", "3.5min"); percentages with one decimal."""
    if kind is Kind.SIZE:
        for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if value >= factor:
                return (
                    f"{value / factor:.3g}{unit}"
                    if value < 100 * factor
                    else f"{value / factor:.0f}{unit}"
                )
        return f"{value:.0f}B"
    if kind is Kind.DURATION:
        seconds, minutes = ("秒", "分") if lang == "ja" else ("s", "min")
        if value >= 120:
            return f"{value / 60:.1f}{minutes}"
        return f"{value:.3g}{seconds}" if value < 100 else f"{value:.0f}{seconds}"
    return f"{value:.1f}%"


# -- numbers the author states in a sentence ------------------------------------------------

# "約" (and its synonyms) allows this much either way, relative to the stated number.
APPROXIMATE = 0.25
_APPROX_BEFORE = ("約", "およそ", "概ね", "~")
_APPROX_AFTER = ("前後", "程度")
_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = r"(?:[A-Za-z%]+|秒|分|時間)"
_STATED = re.compile(
    rf"(?P<op><=|>=|≤|≥|<|>)?\s*(?P<approx>約|およそ|概ね|~)?\s*"
    rf"(?<![A-Za-z0-9.])(?P<low>{_NUMBER})"
    rf"(?:\s*(?P<low_unit>{_UNIT})?\s*(?:〜|~|-|–|—)\s*(?P<high>{_NUMBER}))?\s*(?P<unit>{_UNIT})"
    rf"(?P<after>前後|程度|以上|以下|以内|未満|超)?"
)


@dataclass(frozen=True, slots=True)
class Stated:
    """A number the author's sentence states, and the readings that agree with it.

    The rule (documented in the README and the catalog): "約 N" (also およそ, 概ね, ~,
    N前後, N程度) agrees within ±25% of N; a range "A〜B" agrees from A to B, both ends
    included; a comparison ("80%以上", "< 250MB") agrees as a limit does; a bare "N"
    agrees within half a unit of its last significant digit: 2.5分 → 2.45–2.55分, 180MB →
    175–185MB (a whole number's trailing zeros are not significant: the author who writes
    180MB has not claimed it to the megabyte).
    """

    text: str  # as the author wrote it, e.g. "約80%"
    low: float  # in base units, inclusive
    high: float  # in base units, inclusive
    kind: Kind
    limit: Limit | None = None  # a comparison, judged as a limit

    def agrees(self, value: float) -> bool:
        if self.limit is not None:
            return self.limit.holds(value)
        return self.low <= value <= self.high

    @property
    def accepted(self) -> str:
        """What agrees with it, readable: "60.0%–100%", or the comparison."""
        return self.accepted_in("en")

    def accepted_in(self, lang: str) -> str:
        """`accepted` with the units of `lang` ("5.0秒–7.0秒" in Japanese)."""
        if self.limit is not None:
            return self.limit.text
        low, high = (format_quantity(v, self.kind, lang) for v in (self.low, self.high))
        if low == high and self.low != self.high:  # "180MB–180MB": show the half units
            low, high = (_precise(v, self.kind, lang) for v in (self.low, self.high))
        return f"{low}–{high}"


def _precise(value: float, kind: Kind, lang: str) -> str:
    """A value with one more decimal than `format_quantity` gives (179.5MB)."""
    if kind is Kind.SIZE:
        for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if value >= factor:
                return f"{value / factor:.4g}{unit}"
        return f"{value:.1f}B"
    if kind is Kind.DURATION:
        seconds = "秒" if lang == "ja" else "s"
        return f"{value:.4g}{seconds}"
    return f"{value:.2f}%"


def _half_unit(number: str) -> float:
    """Half a unit of the last significant digit of a bare number as written ("2.5" → 0.05,
    "180" → 5, "7" → 0.5); a whole number's trailing zeros are not significant."""
    whole, _, decimals = number.partition(".")
    if decimals:
        return 0.5 * 10.0 ** -len(decimals)
    zeros = len(whole) - len(whole.rstrip("0"))
    return 0.5 * 10.0 ** min(zeros, len(whole) - 1)  # "0" itself: half a unit


def stated(text: str, kind: Kind) -> list[Stated]:
    """The numbers of `kind` a sentence states, in order (full-width digits and signs read
    as ASCII). Numbers of another kind (a size in a sentence about a percentage) are not
    returned; neither are numbers without a unit."""
    normal = unicodedata.normalize("NFKC", text)
    found: list[Stated] = []
    for match in _STATED.finditer(normal):
        unit = UNITS.get(match["unit"].lower())
        low_unit = UNITS.get((match["low_unit"] or match["unit"]).lower())
        if unit is None or low_unit is None or unit[0] is not kind or low_unit[0] is not kind:
            continue
        low = float(match["low"]) * low_unit[1]
        written = match[0].strip()
        op = match["op"] or ""
        after = match["after"] or ""
        if (op or after in _SUFFIX_OPS) and match["high"] is None:
            try:
                limit = parse_limit(f"{op} {match['low']}{match['unit']}{after}")
            except ValueError:
                continue
            found.append(Stated(written, limit.bound.value, limit.bound.value, kind, limit))
        elif match["high"] is not None:
            high = float(match["high"]) * unit[1]
            found.append(Stated(written, min(low, high), max(low, high), kind))
        elif match["approx"] or after in _APPROX_AFTER:
            found.append(Stated(written, low * (1 - APPROXIMATE), low * (1 + APPROXIMATE), kind))
        else:
            half = _half_unit(match["low"]) * low_unit[1]
            found.append(Stated(written, low - half, low + half, kind))
    return found
