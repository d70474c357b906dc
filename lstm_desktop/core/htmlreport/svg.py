"""Charts as inline SVG text, in pure Python: lines over dates (with an optional shaded band) and bars. The
page needs nothing to show them: no script, no font or file from anywhere.

Every label passes through html.escape, so a ticker or a run name cannot become markup."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 34


@dataclass(frozen=True)
class Line:
    """One series to draw: dates (datetime64), values (NaN: a gap), its colour and its name in the legend."""

    name: str
    dates: np.ndarray
    values: np.ndarray
    colour: str
    width: float = 1.6


@dataclass(frozen=True)
class Shade:
    """A band between two series over the same dates."""

    name: str
    dates: np.ndarray
    low: np.ndarray
    high: np.ndarray
    colour: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) that cover low..high."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else [0.0]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f} %"
    return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


class _Frame:
    """Maps days and values onto the drawing area."""

    def __init__(self, first: float, last: float, low: float, high: float) -> None:
        pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
        self.first, self.last = first, last if last > first else first + 1
        self.low, self.high = low - pad, high + pad

    def x(self, day: np.ndarray) -> np.ndarray:
        return LEFT + (day - self.first) / (self.last - self.first) * (WIDTH - LEFT - RIGHT)

    def y(self, value: np.ndarray) -> np.ndarray:
        return TOP + (self.high - value) / (self.high - self.low) * (HEIGHT - TOP - BOTTOM)


def _days(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates).astype("datetime64[D]").astype(np.int64).astype(np.float64)


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    """An SVG path through the finite points, broken at gaps."""
    parts, pen_down = [], False
    for x, y in zip(xs.tolist(), ys.tolist()):
        if not (math.isfinite(x) and math.isfinite(y)):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def _date_ticks(frame: _Frame) -> list[str]:
    out = []
    short = frame.last - frame.first < 400  # days: months repeat, so show whole dates
    for index, day in enumerate(np.linspace(frame.first, frame.last, 6)):
        label = str(np.datetime64(int(np.rint(day)), "D"))[: 10 if short else 7]
        x = float(frame.x(np.array([day]))[0])
        anchor = "start" if index == 0 else ("end" if index == 5 else "middle")  # the ends stay inside
        out.append(
            f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM + 4}" stroke="#888"/>'
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="{anchor}">{label}</text>'
        )
    return out


def _value_ticks(frame: _Frame, percent: bool) -> list[str]:
    out = []
    for value in nice_ticks(frame.low, frame.high):
        y = float(frame.y(np.array([value]))[0])
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e4e4e4"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_label(value, percent))}</text>'
        )
    return out


def _legend(items: list[tuple[str, str]]) -> list[str]:
    out, x = [], LEFT + 8
    for name, colour in items:
        out.append(
            f'<rect x="{x}" y="8" width="12" height="4" fill="{escape(colour)}"/>'
            f'<text x="{x + 16}" y="14">{escape(name)}</text>'
        )
        x += 28 + 7 * len(name)
    return out


def line_chart(title: str, lines: list[Line], shades: tuple[Shade, ...] = (), percent: bool = False) -> str:
    """An SVG chart of lines over dates, with shaded bands behind them; `title` is its accessible name."""
    drawn = [(_days(line.dates), np.asarray(line.values, dtype=np.float64)) for line in lines]
    bands = [
        (_days(s.dates), np.asarray(s.low, dtype=np.float64), np.asarray(s.high, dtype=np.float64)) for s in shades
    ]
    days = np.concatenate([d for d, _ in drawn] + [d for d, _, _ in bands] or [np.zeros(1)])
    values = np.concatenate([v for _, v in drawn] + [np.concatenate([lo, hi]) for _, lo, hi in bands] or [np.zeros(1)])
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    frame = _Frame(float(days.min()), float(days.max()), low, high)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}"><title>{escape(title)}</title>',
        *_value_ticks(frame, percent),
    ]
    for shade, (d, lo, hi) in zip(shades, bands):
        xs, upper, lower = frame.x(d), frame.y(hi), frame.y(lo)
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip([*xs, *xs[::-1]], [*upper, *lower[::-1]]))
        parts.append(f'<polygon points="{points}" fill="{escape(shade.colour)}" fill-opacity="0.25" stroke="none"/>')
    for line, (d, v) in zip(lines, drawn):
        parts.append(
            f'<path d="{_path(frame.x(d), frame.y(v))}" fill="none" stroke="{escape(line.colour)}" '
            f'stroke-width="{line.width}"/>'
        )
    parts += _date_ticks(frame)
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
        'fill="none" stroke="#888"/>'
    )
    parts += _legend([(line.name, line.colour) for line in lines] + [(s.name, s.colour) for s in shades])
    return "".join(parts) + "</svg>"


def bar_chart(title: str, labels: list[str], values: list[float], good: str, bad: str) -> str:
    """Bars around zero (above: `good` colour), one per label, e.g. each backtest fold's skill."""
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    low, high = min(0.0, *finite), max(0.0, *finite)
    frame = _Frame(0.0, float(len(values)), low, high)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}"><title>{escape(title)}</title>',
        *_value_ticks(frame, False),
    ]
    zero = float(frame.y(np.array([0.0]))[0])
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    for index, (label, value) in enumerate(zip(labels, values)):
        x = LEFT + index * slot + slot * 0.15
        shown = value if math.isfinite(value) else 0.0
        y = float(frame.y(np.array([shown]))[0])
        colour = good if shown > 0 else bad
        parts.append(
            f'<rect x="{x:.1f}" y="{min(y, zero):.1f}" width="{slot * 0.7:.1f}" height="{abs(zero - y):.1f}" '
            f'fill="{escape(colour)}"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{WIDTH - RIGHT}" y2="{zero:.1f}" stroke="#555"/>')
    return "".join(parts) + "</svg>"
