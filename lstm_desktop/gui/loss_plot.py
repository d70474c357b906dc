"""The loss plot: training and validation loss per epoch (pyqtgraph), created once and updated with setData."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from .axes import EpochAxis, LossAxis, grid_plot
from .legend_row import add_legend, refresh_legend
from .widgets import named

SPLIT_COLOURS = {"train": "#4e9af1", "val": "#f0ad4e", "test": "#5cb85c"}


class LossPlot(QWidget):
    """Training and validation loss per epoch, growing while training runs; best epoch marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        plot = grid_plot(bottom=EpochAxis, left=LossAxis)
        self.plot = named(plot, "lossPlot", "Training and validation loss per epoch")
        self.plot.setTitle("Loss (MSE, scaled)")
        self.plot.setLabel("bottom", "epoch")
        self.legend = add_legend(self.plot)
        self.legend.expect(("training", "validation"))  # its room kept while empty: the first epoch moves nothing
        self._legend_entries: list | None = None  # pyqtgraph enters each named curve as it is made
        # A fixed axis width: new tick labels each epoch would otherwise re-lay out and repaint the plot 3-4 times.
        self.plot.getAxis("left").setWidth(52)
        self.train_curve = self._curve("train", "training")
        self.val_curve = self._curve("val", "validation")
        self.best = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen("#aaaaaa", style=Qt.PenStyle.DashLine),
            label="best",
            labelOpts={"position": 0.8, "color": "#aaaaaa"},  # near the top (the legend is under the plot)
        )
        self.best.hide()
        self.plot.addItem(self.best)
        self.log_scale = named(QCheckBox("Log scale"), "lossLogScaleCheck", "Show the loss on a log scale")
        self.log_scale.setChecked(True)
        self.log_scale.toggled.connect(self._on_log_scale)
        self.plot.setLogMode(y=True)
        self.plot.getViewBox().sigRangeChangedManually.connect(self._on_zoomed)
        self.plot.getPlotItem().autoBtn.clicked.connect(self._on_auto_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.log_scale)
        self.clear()

    def _curve(self, split: str, name: str) -> pg.PlotDataItem:
        colour = SPLIT_COLOURS[split]
        pen = pg.mkPen(colour, width=2)
        return self.plot.plot([], [], pen=pen, name=name, symbol="o", symbolSize=4, symbolBrush=colour)

    def clear(self) -> None:
        """Empty (a training's epochs then tell how many it plans: see `add`)."""
        self.epochs: list[int] = []
        self.train: list[float] = []
        self.val: list[float] = []
        self.best_epoch: int | None = None
        self.planned: int | None = None
        self._set_zoomed(False)  # True once the person zooms or pans: their view is kept until the next clear
        self._framed: tuple | None = None
        for curve in getattr(self, "run_curves", []):
            self.plot.removeItem(curve)
        self.run_curves: list[pg.PlotDataItem] = []
        self.redraw()

    def add_run_curve(self, history: tuple, colour: str, name: str) -> None:
        """A compared run's validation loss per epoch."""
        epochs = [row.epoch for row in history]
        values = [max(row.val_loss, 1e-12) for row in history]
        pen = pg.mkPen(colour, width=2)
        curve = self.plot.plot(epochs, values, pen=pen, name=f"{name} (validation)", symbol="o", symbolSize=3)
        self.run_curves.append(curve)

    def add(
        self, epoch: int, train_loss: float, val_loss: float, best_epoch: int | None, planned: int | None = None
    ) -> None:
        """Record one epoch; the caller redraws (at most a few times a second). `planned`: the epochs the training
        in progress will run at most (its frame). Each epoch tells it, so the frame holds whatever cleared the plot
        before (loading the data at a training's start shows the project without a current run)."""
        if planned is not None:
            self.planned = planned
        self.epochs.append(epoch)
        self.train.append(max(train_loss, 1e-12))
        self.val.append(max(val_loss, 1e-12))
        self.best_epoch = best_epoch

    def set_history(self, history: tuple, best_epoch: int | None) -> None:
        """history: the report's Epoch rows (a finished run: framed on its epochs)."""
        self.clear()
        for row in history:
            self.add(row.epoch, row.train_loss, row.val_loss, best_epoch)
        self.redraw()

    def redraw(self) -> None:
        self.train_curve.setData(self.epochs, self.train)
        self.val_curve.setData(self.epochs, self.val)
        if self.best_epoch:
            self.best.setValue(self.best_epoch)
            self.best.show()
        else:
            self.best.hide()
        self.refresh_legend()
        self._frame()

    def refresh_legend(self) -> None:
        """The legend names the curves that draw something (compared runs: not the empty training curves)."""
        self._legend_entries = refresh_legend(self.plot, self.legend, self._legend_entries)

    def _frame(self) -> None:
        """Steady ranges: the planned epochs across, whole decades (log scale) or a 1-2-5 step (linear) up the
        side. The axes are then redrawn only when a loss crosses a step, not at every epoch (a redraw of the axes
        was most of an epoch's repaint), and the curves grow into a frame that does not jump."""
        if self._zoomed:
            return
        values = [v for v in self.train + self.val if math.isfinite(v)]  # a diverged loss can be inf
        if not values:  # empty, compared runs' curves only, or nothing finite
            self._framed = None
            self.plot.enableAutoRange()
            return
        epochs = max(self.planned or 0, self.epochs[-1])
        wanted = ((0.5, epochs + 0.5), _steady_span(min(values), max(values), self.log_scale.isChecked()))
        if wanted != self._framed:
            self._framed = wanted
            self.plot.setRange(xRange=wanted[0], yRange=wanted[1], padding=0)

    def _on_log_scale(self, on: bool) -> None:
        """The other scale, framed afresh: a zoom in the old scale's coordinates means nothing in the new one
        (pyqtgraph turns auto-range on with the log mode, which would otherwise rescale the plot at every epoch)."""
        self.plot.setLogMode(y=on)
        self._reframe()

    def _on_auto_clicked(self) -> None:
        """The plot's auto-range button: back to the steady frame (pyqtgraph reports the click as a manual range
        change, which would keep an auto range that jumps at every epoch)."""
        self._reframe()

    def _reframe(self) -> None:
        self._set_zoomed(False)
        self._framed = None
        self._frame()

    def _on_zoomed(self, *_: object) -> None:
        """The person zoomed or panned (a mouse wheel or drag): their view is kept until the next clear."""
        self._set_zoomed(True)

    def _set_zoomed(self, zoomed: bool) -> None:
        """Offer the auto-range button ("A", on hover) only while there is a zoom to leave: the steady frame keeps
        pyqtgraph's auto range off, so it offered the button over a plot it would not change."""
        self._zoomed = zoomed
        item = self.plot.getPlotItem()
        item.showButtons() if zoomed else item.hideButtons()

    def point_count(self) -> int:
        return len(self.train_curve.getData()[0] if self.train_curve.getData()[0] is not None else [])


def _steady_span(low: float, high: float, log_scale: bool) -> tuple[float, float]:
    """The y range in view coordinates: whole decades around [low, high] on a log scale (log10 units); from 0 to
    the next 1, 2 or 5 times a power of ten above `high` on a linear one."""
    if log_scale:
        bottom, top = math.floor(math.log10(low)), math.ceil(math.log10(high))
        return float(bottom), float(top if top > bottom else bottom + 1)
    power = 10.0 ** math.floor(math.log10(high))
    return 0.0, next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= high)
