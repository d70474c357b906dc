"""Plot axes that label what a person reads (whole epochs; 1, 2 and 5 times a power of ten on a log scale; dates)
and draw their grid in solid colours, and the other pieces every plot of the window shares (the gridded plot, its
title, the shading between two curves; the legend under it is legend_row.py's)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetricsF, QPainterPath, QPen


class SolidGrid:
    """Mixin for an axis: grid lines (and ticks) drawn in solid colours, the translucency blended with the plot's
    background beforehand. Qt's raster engine draws a translucent line about 14 times slower than a solid one: the
    price plot's grid took 22 of the 24 ms of each repaint (every crosshair move, every result landing), and the
    loss plot's grid was repainted at every epoch. Solid lines must lie under the data, not across it: see
    show_grid."""

    def generateDrawSpecs(self, p: object) -> tuple | None:  # pyqtgraph's name
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        background = pg.mkColor(pg.getConfigOption("background"))
        return axis, [(_solid(pen, background), start, end) for pen, start, end in ticks], texts


def _solid(pen: QPen, background: QColor) -> QPen:
    """`pen` with its colour blended over `background` and made opaque (a pen with a gradient is left as it is)."""
    colour = pen.color()
    alpha = colour.alphaF()
    if alpha >= 1.0 or pen.brush().gradient() is not None:
        return pen
    solid = QPen(pen)
    solid.setColor(
        QColor.fromRgbF(
            alpha * colour.redF() + (1 - alpha) * background.redF(),
            alpha * colour.greenF() + (1 - alpha) * background.greenF(),
            alpha * colour.blueF() + (1 - alpha) * background.blueF(),
        )
    )
    return solid


def seconds(dates: Sequence[str] | np.ndarray) -> np.ndarray:
    """Dates (strings or datetime64) to POSIX seconds as float64, what a DateAxis reads."""
    return np.asarray(dates, dtype="datetime64[s]").astype(np.float64)


class ValueAxis(SolidGrid, pg.AxisItem):
    """A plain value axis with a solid grid."""


DAY_SECONDS = 86_400


class DateAxis(SolidGrid, pg.DateAxisItem):
    """A date axis (POSIX seconds) with a solid grid, and no ticks over less than a day: prices are daily, and an
    empty plot's range (0 to 1 second) was labelled in milliseconds ("00.100 ... 00.900"). A day's tick closer to
    a month's than half the days' step, or than their two labels' width, is left out: "30" drawn a day before "Jan"
    read "3Jan" (every fifth day), and "30Dec" where every day had a tick in a narrow plot."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # pyqtgraph's names
        if maxVal - minVal < DAY_SECONDS:
            return []
        drawn = super().tickValues(minVal, maxVal, size)
        metrics = getattr(self, "fontMetrics", None) or QFontMetricsF(self.font())  # pyqtgraph's: the painter's
        labels = metrics.horizontalAdvance("Sep 30") / 2 * (maxVal - minVal) / max(size, 1)  # in seconds
        levels, taken = [], []
        for spacing, values in drawn:
            step = min((b - a for a, b in itertools.pairwise(values)), default=spacing)
            values = [v for v in values if all(abs(v - t) >= max(step / 2, labels) for t in taken)]
            levels.append((spacing, values))
            taken.extend(values)
        return levels


class EpochAxis(SolidGrid, pg.AxisItem):
    """An axis that labels whole epochs only (short runs otherwise show 1.5, 2.5...)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # pyqtgraph's names
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        if levels:
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]


class LossAxis(SolidGrid, pg.AxisItem):
    """A log-scale axis that labels 1, 2 and 5 times a power of ten only; pyqtgraph labels every minor tick of a
    decade, which piles up unreadable text when the losses span less than two decades."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # pyqtgraph's names
        """pyqtgraph's levels, each without the values of the levels before it (in log mode the minor level
        repeats the decades, whose labels were then drawn twice)."""
        seen: set[float] = set()
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            levels.append((spacing, [v for v in values if round(float(v), 9) not in seen]))
            seen.update(round(float(v), 9) for v in values)
        return levels

    def logTickStrings(self, values: list, scale: float, spacing: float) -> list[str]:  # pyqtgraph's names
        strings = super().logTickStrings(values, scale, spacing)
        return [text if _mantissa_in(value, (1.0, 2.0, 5.0)) else "" for value, text in zip(values, strings)]


def _mantissa_in(log_value: float, mantissas: tuple[float, ...]) -> bool:
    mantissa = 10 ** (log_value - math.floor(log_value + 1e-9))
    return any(abs(mantissa - m) < 1e-6 * m for m in mantissas)


GRID_ALPHA = 0.2


def solid_axes(bottom: type[pg.AxisItem] = ValueAxis, left: type[pg.AxisItem] = ValueAxis) -> dict[str, pg.AxisItem]:
    """The bottom and left axes of a plot, drawn with a solid grid (see SolidGrid)."""
    return {"bottom": bottom("bottom"), "left": left("left")}


def grid_plot(bottom: type[pg.AxisItem] = ValueAxis, left: type[pg.AxisItem] = ValueAxis) -> pg.PlotWidget:
    """A plot with solid-grid axes and its grid shown, and a title that never widens it (ShrinkingTitle), as every
    gridded plot of the window."""
    plot = pg.PlotWidget(axisItems=solid_axes(bottom, left))
    show_grid(plot.getPlotItem())
    shrinking_title(plot.getPlotItem())
    return plot


def show_grid(item: pg.PlotItem) -> None:
    """The grid shown under the data: the axes, which draw it, go behind the view box, so that curves, bands and
    shaded regions lie over the solid grid lines instead of being crossed by them."""
    item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    for name in ("bottom", "left"):
        item.getAxis(name).setZValue(item.getViewBox().zValue() - 1)


class ShrinkingTitle(pg.LabelItem):
    """A plot title that does not hold its plot at least as wide as its text. pyqtgraph's did: a plot given less
    (the loss plot has about 120 pixels beside the tabs on a 1024-pixel screen) was drawn cut off at its widget's
    edge, axis, curves and legend with it. Now the title's text is what is cut: at its end, its beginning kept at
    the plot's left edge at the furthest (centred and cut at both ends, "choose rows above" read "e rows above")."""

    def __init__(self, text: str, **options: object) -> None:
        super().__init__(text, **options)
        self.geometryChanged.connect(lambda: self.resizeEvent(None))  # moved without resizing: placed again

    def updateMin(self) -> None:  # pyqtgraph's name: called on every new text and resize
        super().updateMin()
        self.setMinimumWidth(0)

    def resizeEvent(self, ev: object) -> None:  # pyqtgraph's name: places the text, centred
        super().resizeEvent(ev)
        text = self.itemRect()
        leftmost = -self.pos().x()  # the plot's left edge, in this label's coordinates (the label sits right of it)
        if text.left() < leftmost:
            self.item.moveBy(leftmost - text.left(), 0)


def shrinking_title(item: pg.PlotItem) -> None:
    """Put a ShrinkingTitle in the place of `item`'s title, with its text (set it with setTitle as before)."""
    old = item.titleLabel
    item.layout.removeItem(old)
    if old.scene() is not None:
        old.scene().removeItem(old)
    item.titleLabel = ShrinkingTitle(old.text, size="11pt", parent=item)
    item.layout.addItem(item.titleLabel, 0, 1)
    if not old.isVisible():
        item.setTitle(None)  # no title yet: no row for it, as pyqtgraph's own


class Shade(pg.FillBetweenItem):
    """The shading between two curves, gone when they are emptied. pyqtgraph's kept the path of an emptied curve,
    so a plot went on shading the last run's forecast band (beside a backtest, or a forecast that cannot be drawn)."""

    def updatePath(self) -> None:  # pyqtgraph's name
        if any(curve.xData is None or not len(curve.xData) for curve in self.curves or ()):
            self.setPath(QPainterPath())
            return
        super().updatePath()
