"""Limits as the guide writes them, and the readable quantities shown next to them."""

from __future__ import annotations

import pytest

from checklists.core.limits import Kind, format_quantity, parse_limit

MB, MIB = 1e6, 1024.0**2


@pytest.mark.parametrize(
    ("cell", "op", "value", "kind"),
    [
        # The guide's own cells.
        ("< 700MB", "<", 700 * MB, Kind.SIZE),
        ("< 250MB", "<", 250 * MB, Kind.SIZE),
        ("< 8分", "<", 480.0, Kind.DURATION),
        ("< 6分", "<", 360.0, Kind.DURATION),
        ("< 2分", "<", 120.0, Kind.DURATION),
        ("< 90秒", "<", 90.0, Kind.DURATION),
        ("< 5秒", "<", 5.0, Kind.DURATION),
        ("< 3秒", "<", 3.0, Kind.DURATION),
        ("< 512MB", "<", 512 * MB, Kind.SIZE),
        ("< 256MB", "<", 256 * MB, Kind.SIZE),
        # Other spellings a guide may use.
        ("<= 5s", "<=", 5.0, Kind.DURATION),
        ("≤ 256MiB", "<=", 256 * MIB, Kind.SIZE),
        ("700MB未満", "<", 700 * MB, Kind.SIZE),
        ("90秒以下", "<=", 90.0, Kind.DURATION),
        ("8分以内", "<=", 480.0, Kind.DURATION),
        ("1.5 GB 未満", "<", 1.5e9, Kind.SIZE),
        ("< 500ms", "<", 0.5, Kind.DURATION),
        ("< 2min", "<", 120.0, Kind.DURATION),
        ("< 1GiB", "<", 1024.0**3, Kind.SIZE),
        ("< 64kB", "<", 64e3, Kind.SIZE),
        ("**< 250MB**", "<", 250 * MB, Kind.SIZE),
        (">= 80%", ">=", 80.0, Kind.PERCENT),
        ("80%以上", ">=", 80.0, Kind.PERCENT),
    ],
)
def test_limits_parse(cell: str, op: str, value: float, kind: Kind) -> None:
    limit = parse_limit(cell)
    assert (limit.op, limit.bound.kind) == (op, kind)
    assert limit.bound.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "cannot read the limit"),
        ("220MB", "has no comparison"),
        ("✅ 目標達成", "has no comparison"),
        ("< 700", "'700' is not a size"),
        ("< 700XB", "'700XB' is not a size"),
        ("< 5秒 未満", "has two comparisons"),
        ("< fast", "'fast' is not a size"),
        ("<< 5s", "cannot read the limit"),
    ],
)
def test_malformed_limits_say_what_a_limit_looks_like(cell: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_limit(cell)
    assert "write a limit like" in str(raised.value)


def test_comparison_follows_the_operator() -> None:
    assert parse_limit("< 250MB").holds(249_999_999)
    assert not parse_limit("< 250MB").holds(250_000_000)
    assert parse_limit("≤ 250MB").holds(250_000_000)
    assert parse_limit(">= 80%").holds(80.0)


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (231_400_000, Kind.SIZE, "231MB"),
        (1_234_000_000, Kind.SIZE, "1.23GB"),
        (12_345, Kind.SIZE, "12.3kB"),
        (512, Kind.SIZE, "512B"),
        (2.41, Kind.DURATION, "2.41s"),
        (95, Kind.DURATION, "95s"),
        (312, Kind.DURATION, "5.2min"),
        (81.25, Kind.PERCENT, "81.2%"),
    ],
)
def test_quantities_read_like_the_guide(value: float, kind: Kind, shown: str) -> None:
    assert format_quantity(value, kind) == shown
