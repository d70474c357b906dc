"""What the price and loss plots draw over a run: a backtest's folds, or several runs compared."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .axes import Shade, seconds
from .plots import LossPlot, PricePlot

COMPARE_COLOURS = ("#00d5ff", "#ff5ccd", "#ffe14d", "#ff8a3d", "#9dff6a")  # none of the splits' colours


def show_backtest(plot: PricePlot, dates: np.ndarray, prices: np.ndarray, report: object) -> None:
    """Actual prices, each fold's test block shaded, and its one-step predictions with their band."""
    folds = report.backtest.folds
    title = f"{report.data.ticker}: walk-forward backtest, {len(folds)} fold{'' if len(folds) == 1 else 's'}"
    plot.show_folds(dates, prices, title, folds)


def show_compare(price: PricePlot, loss: LossPlot, dates: np.ndarray, prices: np.ndarray, runs: list) -> None:
    """The test predictions and forecasts (with bands) of 2-5 runs of one target, and their loss curves, one colour
    and one legend entry per run."""
    price.show_prices(dates, prices, f"{runs[0].report.data.ticker}: {len(runs)} runs compared")
    loss.clear()
    loss.train_curve.setData([], [])
    for run, colour in zip(runs, COMPARE_COLOURS, strict=False):
        report = run.report
        test = report.predictions.get("test")
        if test is not None:
            x = seconds(test.dates)
            item = pg.PlotDataItem(x, test.predicted, pen=pg.mkPen(colour, width=2), name=f"{run.name} (test)")
            price.add_extra(item, f"{run.name} test", (x, test.predicted))
        days = report.forecast
        if len(days):
            x = seconds(days.dates)
            item = pg.PlotDataItem(x, days.value, pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine))
            price.add_extra(item, f"{run.name} forecast", (x, days.value))
            fill = QColor(colour)
            fill.setAlpha(40)
            low, high = (
                pg.PlotDataItem(x, days.lower, pen=pg.mkPen(None)),
                pg.PlotDataItem(x, days.upper, pen=pg.mkPen(None)),
            )
            price.add_extra(Shade(low, high, brush=fill))
        loss.add_run_curve(report.history, colour, run.name)
    first = runs[0].report.split.get("test")
    if first is not None:
        start = seconds([first[0]])[0]
        end = max((seconds(r.report.forecast.dates)[-1] for r in runs if len(r.report.forecast)), default=None)
        price.show_range(start, end if end is not None else seconds([first[1]])[0])
    price.refresh_legend()
    loss.refresh_legend()
