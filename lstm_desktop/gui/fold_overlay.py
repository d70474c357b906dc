"""A walk-forward backtest drawn over the price plot: each fold's test period shaded, its one-step predictions and
their band. The items are made once with the plot and given new data: making a shaded region and three curves per
backtest (a LinearRegionItem is two lines and a dozen signal connections) was most of a backtest's landing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter

from .axes import seconds

FOLD_COLOUR = "#b07cff"
FOLD_LINE_NAME = "fold predictions (dashed: band)"
SHADES = (40, 22)  # alternate folds' shading alpha, so that neighbouring test periods stay apart


class Spans(pg.GraphicsObject):
    """Vertical spans from the bottom of the view to its top, one item for all of them (x in view coordinates)."""

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[float, float, QBrush]] = []

    def set_spans(self, spans: Sequence[tuple[float, float, QColor]]) -> None:
        """Shade these (start, end, colour), instead of the spans before."""
        self.prepareGeometryChange()
        self._spans = [(float(start), float(end), QBrush(colour)) for start, end, colour in spans]
        self.update()

    def count(self) -> int:
        """How many spans are shaded."""
        return len(self._spans)

    def viewTransformChanged(self) -> None:  # pyqtgraph's name: the view moved or zoomed, so did the top and bottom
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        view = self.viewRect()
        if not self._spans or view is None:
            return QRectF()
        left = min(start for start, _, _ in self._spans)
        right = max(end for _, end, _ in self._spans)
        return QRectF(left, view.top(), right - left, view.height()).normalized()

    def paint(self, painter: QPainter, *args: object) -> None:
        view = self.viewRect()
        if view is None:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        for start, end, brush in self._spans:
            painter.setBrush(brush)
            painter.drawRect(QRectF(start, view.top(), end - start, view.height()).normalized())

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange: object = None) -> None:  # pyqtgraph's names
        return None  # never widens the view: the prices span the folds anyway


class FoldOverlay:
    """The folds' items on `plot`, empty until shown."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.spans = Spans()
        self.spans.setZValue(-10)
        plot.addItem(self.spans, ignoreBounds=True)
        self.line = plot.plot([], [], pen=pg.mkPen(FOLD_COLOUR, width=2.5), name=FOLD_LINE_NAME)
        dashed = pg.mkPen(FOLD_COLOUR, width=1, style=Qt.PenStyle.DashLine)
        self.band = (plot.plot([], [], pen=dashed), plot.plot([], [], pen=dashed))

    def curves(self) -> tuple[pg.PlotDataItem, ...]:
        """The predictions' curve and the band's two."""
        return (self.line, *self.band)

    def show(self, folds: Sequence[object]) -> tuple[np.ndarray, np.ndarray] | None:
        """A backtest's folds (core FoldReports); returns the predictions' (x, y), or None when there are none."""
        self.spans.set_spans(
            [(*seconds(fold.test), _shade(index)) for index, fold in enumerate(folds)]  # type: ignore[attr-defined]
        )
        if not folds:
            self._empty_curves()
            return None
        x = seconds(np.concatenate([f.predictions.dates for f in folds]))  # type: ignore[attr-defined]
        predicted = np.concatenate([f.predictions.predicted for f in folds])  # type: ignore[attr-defined]
        connect = np.ones(len(x), dtype=bool)
        connect[np.cumsum([len(f.predictions) for f in folds])[:-1] - 1] = False  # no line from fold to fold
        self.line.setData(x, predicted, connect=connect)
        for side, curve in zip(("lower", "upper"), self.band, strict=True):
            parts = [getattr(f.predictions, side) for f in folds]
            values = np.concatenate([p for p in parts if p is not None]) if any(p is not None for p in parts) else []
            if len(values) == len(x):
                curve.setData(x, values, connect=connect)
            elif curve.xData is not None and len(curve.xData):
                curve.setData([], [])
        return x, predicted

    def clear(self) -> None:
        """Nothing of a backtest drawn (a run, or the prices, are shown instead)."""
        if self.spans.count():
            self.spans.set_spans([])
        self._empty_curves()

    def _empty_curves(self) -> None:
        for curve in self.curves():
            if curve.xData is not None and len(curve.xData):
                curve.setData([], [])


def _shade(index: int) -> QColor:
    """The fold colour at the alpha of fold `index` (alternating, so neighbouring folds stay apart)."""
    colour = QColor(FOLD_COLOUR)
    colour.setAlpha(SHADES[index % 2])
    return colour
