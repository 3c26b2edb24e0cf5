"""Trends and bars as inline SVG: no charting bundle, no request, styled by the page's CSS.

Inline SVG takes the theme's colours (light and dark) from CSS classes, scales with the
page, prints, and costs a few hundred bytes per chart; every label is escaped. Each point
carries a <title>, so the value of any day can be read by hovering it or by a screen reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklists.site.render import esc


@dataclass(frozen=True, slots=True)
class Series:
    """A line: its label, its CSS class, and its segments (a version change breaks it)."""

    label: str
    css: str
    segments: Sequence[Sequence[tuple[str, float]]]  # [(ISO day, value), ...] per segment


def _days(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:g}"


# radon D: an SVG chart in one pass: scale, grid, ticks, series, markers, each a branch
def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    percent: bool,
    markers: Sequence[tuple[str, str]] = (),
    width: int = 640,
    height: int = 220,
) -> str:
    """A line chart over days. `percent`: values are shares in 0..1; else counts from 0.
    `markers`: (day, label) drawn as dashed vertical lines (a version change)."""
    points = [point for line in series for segment in line.segments for point in segment]
    if not points:
        return ""
    left, right, top, bottom = 44, 12, 12, 28
    first = min(_days(day) for day, _ in points)
    last = max(_days(day) for day, _ in points)
    top_value = 1.0 if percent else max(1.0, *(value for _, value in points))
    span = max(1, last - first)
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(day: str) -> float:
        if last == first:
            return left + inner_w / 2
        return left + (_days(day) - first) / span * inner_w

    def y(value: float) -> float:
        return top + inner_h - value / top_value * inner_h

    parts = [
        f'<svg class="fl-chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(title)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        value = top_value * fraction
        at = y(value)
        parts.append(
            f'<line class="fl-grid" x1="{left}" x2="{width - right}" y1="{at:.1f}" y2="{at:.1f}"/>'
            f'<text class="fl-axis" x="{left - 6}" y="{at + 4:.1f}" text-anchor="end">'
            f"{esc(_fmt(value, percent))}</text>"
        )
    days = sorted({day for day, _ in points})
    shown = [days[0], days[-1]] if len(days) > 1 else days
    if len(days) > 2:
        shown.insert(1, days[len(days) // 2])
    for index, day in enumerate(shown):
        anchor = "start" if index == 0 and len(shown) > 1 else "middle"
        if index == len(shown) - 1 and len(shown) > 1:
            anchor = "end"
        parts.append(
            f'<text class="fl-axis" x="{x(day):.1f}" y="{height - 8}" '
            f'text-anchor="{anchor}">{esc(day)}</text>'
        )
    for day, label in markers:
        at = x(day)
        parts.append(
            f'<line class="fl-marker" x1="{at:.1f}" x2="{at:.1f}" y1="{top}" '
            f'y2="{top + inner_h}"><title>{esc(day)}: {esc(label)}</title></line>'
        )
    for line in series:
        for segment in line.segments:
            if not segment:
                continue
            coordinates = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in segment)
            parts.append(f'<polyline class="fl-line {esc(line.css)}" points="{coordinates}"/>')
            for day, value in segment:
                parts.append(
                    f'<circle class="fl-dot {esc(line.css)}" cx="{x(day):.1f}" '
                    f'cy="{y(value):.1f}" r="3"><title>{esc(day)} {esc(line.label)}: '
                    f"{esc(_fmt(value, percent))}</title></circle>"
                )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="fl-key"><span class="fl-swatch {esc(line.css)}"></span>'
        f"{esc(line.label)}</span>"
        for line in series
    )
    return f'<figure class="fl-figure">{"".join(parts)}<figcaption>{legend}</figcaption></figure>'


def sparkline(points: Sequence[tuple[str, float]], *, title: str) -> str:
    """A small pass-rate line (0..1) for a table cell, its first and last value in the title."""
    if not points:
        return ""
    width, height, pad = 120, 24, 3
    first, last = _days(points[0][0]), _days(points[-1][0])
    span = max(1, last - first)

    def x(day: str) -> float:
        if first == last:
            return width / 2
        return pad + (_days(day) - first) / span * (width - 2 * pad)

    def y(value: float) -> float:
        return height - pad - value * (height - 2 * pad)

    coordinates = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in points)
    end_day, end_value = points[-1]
    described = (
        f"{title}: {points[0][0]} {points[0][1]:.0%} → {end_day} {end_value:.0%}"
        if len(points) > 1
        else f"{title}: {end_day} {end_value:.0%}"
    )
    return (
        f'<svg class="fl-spark" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(described)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{esc(described)}</title>'
        f'<polyline class="fl-line fl-rate" points="{coordinates}"/>'
        f'<circle class="fl-dot fl-rate" cx="{x(end_day):.1f}" cy="{y(end_value):.1f}" r="2"/>'
        "</svg>"
    )


def stacked_bar(counts: Mapping[str, int], labels: Mapping[str, str], *, title: str) -> str:
    """A horizontal bar split by verdict (worst first, as `counts` is ordered)."""
    total = sum(counts.values())
    if not total:
        return ""
    width, height = 160, 12
    parts = [
        f'<svg class="fl-bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(title)}</title>"
    ]
    at = 0.0
    for verdict, count in counts.items():
        if not count:
            continue
        share = count / total * width
        parts.append(
            f'<rect class="fl-fill-{esc(verdict)}" x="{at:.2f}" y="0" width="{share:.2f}" '
            f'height="{height}"><title>{esc(labels.get(verdict, verdict))}: {count}</title></rect>'
        )
        at += share
    parts.append("</svg>")
    return "".join(parts)
