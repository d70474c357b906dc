"""Plot axes that label what a person reads (whole epochs; 1, 2 and 5 times a power of ten on a log scale; dates)
and draw their grid in solid colours, and the other pieces every plot of the window shares (the gridded plot, the
legend under it, the shading between two curves)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainterPath, QPen


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


class DateAxis(SolidGrid, pg.DateAxisItem):
    """A date axis (POSIX seconds) with a solid grid."""


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
    """A plot with solid-grid axes and its grid shown, as every gridded plot of the window."""
    plot = pg.PlotWidget(axisItems=solid_axes(bottom, left))
    show_grid(plot.getPlotItem())
    return plot


def show_grid(item: pg.PlotItem) -> None:
    """The grid shown under the data: the axes, which draw it, go behind the view box, so that curves, bands,
    shaded regions and the legend lie over the solid grid lines instead of being crossed by them."""
    item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    for name in ("bottom", "left"):
        item.getAxis(name).setZValue(item.getViewBox().zValue() - 1)


class Shade(pg.FillBetweenItem):
    """The shading between two curves, gone when they are emptied. pyqtgraph's kept the path of an emptied curve,
    so a plot went on shading the last run's forecast band (beside a backtest, or a forecast that cannot be drawn)."""

    def updatePath(self) -> None:  # pyqtgraph's name
        if any(curve.xData is None or not len(curve.xData) for curve in self.curves or ()):
            self.setPath(QPainterPath())
            return
        super().updatePath()


def refresh_legend(plot: pg.PlotWidget, legend: pg.LegendItem, shown: list | None) -> list:
    """Make `legend` name only the curves of `plot` that draw something (an empty curve is no information), rebuilt
    only when that list differs from `shown` (each entry is a text item: rebuilding took most of a redraw; None:
    not known, as when curves named at their making were entered by pyqtgraph); the list it now shows, to pass again
    next time."""
    entries = [
        (item, item.name())
        for item in plot.getPlotItem().listDataItems()
        if item.name() and item.xData is not None and len(item.xData)
    ]
    now = [(id(item), name) for item, name in entries]
    if now != shown:
        legend.clear()
        for item, name in entries:
            legend.addItem(item, name)
    return now


class LegendRow(pg.LegendItem):
    """A plot's legend in rows under its x axis, as many names to a row as the plot's width holds. Inside the
    plot, a legend hid the curves and bands it names: the small plots' data and, in a small window, the prices."""

    GAP = 12  # pixels between one name and the next symbol
    SHARE = 0.25  # the most of the plot's height the rows may take; a plot too short for them shows none

    def __init__(self, item: pg.PlotItem, **options: object) -> None:
        self._item = None  # set last: pyqtgraph's constructor already calls updateSize
        super().__init__(offset=None, frame=False, colCount=1, **options)
        self.layout.setContentsMargins(0, 0, 0, 0)
        item.layout.addItem(self, 4, 0, 1, 3, alignment=Qt.AlignmentFlag.AlignLeft)  # the row under the x axis
        item.legend = self  # pyqtgraph enters each curve named at its making here
        self._item = item
        item.geometryChanged.connect(self.updateSize)

    def updateSize(self) -> None:  # pyqtgraph's name: called as entries come and go
        """Flow the entries into as many columns as the plot's width holds, indented to the view box's left edge
        where there is room; size the row to them. The minimum width stays 1, so the legend never widens the plot:
        a narrower plot reflows it instead."""
        if self._item is None:
            return
        room = self._item.geometry().width() - 8
        widths = [sample.boundingRect().width() + label.item.boundingRect().width() + self.GAP
                  for sample, label in self.items]  # fmt: skip
        columns = next((k for k in range(len(widths), 1, -1) if _grid_width(widths, k) <= room), 1)
        if columns != self.columnCount:
            self.setColumnCount(columns)
        grid = _grid_width(widths, columns)
        indent = max(0.0, min(self._item.getAxis("left").width(), room - grid))
        self.layout.setContentsMargins(indent, 0, 0, 0)
        width = max(1.0, min(grid + indent, room))
        self.setMinimumWidth(1)
        self.setPreferredWidth(width)
        self.setMaximumWidth(width)
        rows = math.ceil(len(widths) / columns)
        row = max((max(s.boundingRect().height(), label.item.boundingRect().height()) for s, label in self.items),
                  default=0)  # fmt: skip
        height = rows * row + max(rows - 1, 0) * self.layout.verticalSpacing()
        fits = height <= self.SHARE * self._item.geometry().height()
        self.setVisible(fits)
        self.setFixedHeight(height if fits else 0)

    def mouseDragEvent(self, ev: object) -> None:  # pyqtgraph's name: a row in the layout is not dragged about
        ev.ignore()


def _grid_width(widths: list[float], columns: int) -> float:
    """The width of entries laid out `columns` to a row, each column as wide as its widest entry."""
    return sum(max(widths[start::columns]) for start in range(columns)) if widths else 0.0


def add_legend(plot: pg.PlotWidget | pg.PlotItem, **options: object) -> LegendRow:
    """The plot's legend, in rows under its x axis (see LegendRow)."""
    return LegendRow(plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot, **options)
