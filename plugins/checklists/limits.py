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
from collections.abc import Callable
from dataclasses import dataclass


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
HINT = "write a limit like '< 250MB', '≤ 90秒' or '8分以内'"


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in base units: bytes, seconds or percent
    kind: Kind

    def __str__(self) -> str:
        return format_quantity(self.value, self.kind)


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
        raise ValueError(f"{text!r} is not a size, duration or percentage")
    kind, factor = unit
    return Quantity(float(match["number"]) * factor, kind)


def parse_limit(text: str) -> Limit:
    """The limit in a table cell; ValueError saying what is wrong and what a limit looks like."""
    cell = " ".join(text.replace("**", "").split())
    match = _LIMIT.match(cell)
    if match is None or not cell:
        raise ValueError(f"cannot read the limit {text.strip()!r}: {HINT}")
    prefix, suffix = match["prefix"], match["suffix"]
    if bool(prefix) == bool(suffix):
        problem = "has two comparisons" if prefix else "has no comparison"
        raise ValueError(f"the limit {text.strip()!r} {problem}: {HINT}")
    try:
        bound = parse_quantity(match["quantity"])
    except ValueError as error:
        raise ValueError(f"cannot read the limit {text.strip()!r}: {error}; {HINT}") from None
    op = _PREFIX_OPS[prefix] if prefix else _SUFFIX_OPS[suffix]
    return Limit(op, bound, text.strip())


def format_quantity(value: float, kind: Kind) -> str:
    """A readable value in the units the guide uses: MB (decimal) for sizes, s or min."""
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
        if value >= 120:
            return f"{value / 60:.1f}min"
        return f"{value:.3g}s" if value < 100 else f"{value:.0f}s"
    return f"{value:.1f}%"
