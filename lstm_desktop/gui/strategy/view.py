"""The Strategy tab's view: the settings beside the verdict, the equity curves and drawdowns of the strategy and
buy-and-hold (`strategyPlot`), and the figures of both and of cash (`strategyTable`). It shows; it decides
nothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.strategy.metrics import drawdown
from lstm_desktop.core.strategy.text import ROWS, figure

from ..axes import DateAxis, seconds, show_grid, solid_axes
from ..legend_row import add_legend
from ..widgets import named, scrolled, splitter
from .panel import StrategyPanel

MODEL_COLOUR, HOLD_COLOUR = "#4e9af1", "#aaaaaa"
COLUMNS = ("Strategy", "Buy and hold", "Cash")
PLOT_ROOM = 360  # the plot's width below which the settings go one to a row


class StrategyView(QWidget):
    """Empty (with the reason in words) until the current run has out-of-sample predictions."""

    becameVisible = Signal()  # the tab was opened (or the window shown with it open)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = StrategyPanel()
        self.verdict = named(QLabel(""), "strategyVerdictLabel", "What the strategy would have earned, in words")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = named(
            pg.GraphicsLayoutWidget(), "strategyPlot", "Equity of the strategy and of buy-and-hold, and their drawdowns"
        )
        self.equity = self.plot.addPlot(row=0, col=0, axisItems=solid_axes(bottom=DateAxis))
        self.equity.setLabel("left", "equity")
        show_grid(self.equity)
        add_legend(self.equity)
        self.falls = self.plot.addPlot(row=1, col=0, axisItems=solid_axes(bottom=DateAxis))
        self.falls.setLabel("left", "drawdown %")
        show_grid(self.falls)
        self.falls.setXLink(self.equity)
        self.plot.ci.layout.setRowStretchFactor(0, 3)
        self.plot.ci.layout.setRowStretchFactor(1, 1)
        for plot in (self.equity, self.falls):
            plot.getAxis("left").setWidth(52)
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.model_curve = self.equity.plot([], [], pen=pg.mkPen(MODEL_COLOUR, width=2), name="strategy")
        self.hold_curve = self.equity.plot([], [], pen=pg.mkPen(HOLD_COLOUR, width=1.5), name="buy and hold")
        self.equity.addItem(pg.InfiniteLine(pos=1.0, angle=0, pen=pg.mkPen("#666666", style=Qt.PenStyle.DashLine)))
        self.model_fall = self.falls.plot([], [], pen=pg.mkPen(MODEL_COLOUR, width=1.5))
        self.hold_fall = self.falls.plot([], [], pen=pg.mkPen(HOLD_COLOUR, width=1))
        self.table = named(
            QTableWidget(len(ROWS), len(COLUMNS)),
            "strategyTable",
            "The strategy's figures beside buy-and-hold and cash",
        )
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setVerticalHeaderLabels([label for label, _, _ in ROWS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(20)
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.panel)
        column.addWidget(self.table, 1)
        self.table.setMinimumHeight(4 * 20)  # a few rows seen, the header included
        self._side = side
        self._scroll = scroll = scrolled(side)  # in a short window the settings scroll, not squashed over each other
        self._fit_settings()
        self._wide_from = scroll.minimumWidth() + PLOT_ROOM  # narrower: the settings in one column
        self.panel.set_columns(1)  # until first shown wide: hidden, two a row held the tabs 144 pixels wider
        self._fit_settings()
        least = scroll.minimumWidth()
        self._split = split = splitter(Qt.Orientation.Horizontal, scroll, self.plot, stretch=(0, 1), sizes=(least, 560))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(split, 1)
        self.clear("No run yet: train a model (or backtest it), then see what its forecasts would have earned.")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Settings two to a row where the tab is wide, one to a row where it is narrow: side by side with two to a
        row, a 1024-pixel window left the equity plot a 70-pixel sliver. A divider the person dragged keeps its place
        as long as the plot keeps PLOT_ROOM pixels, and gives the extra back as the tab narrows."""
        width = event.size().width()
        columns = 2 if width >= self._wide_from else 1
        extra = max(self._split.sizes()[0] - self._scroll.minimumWidth(), 0)  # what the person dragged it wider
        switched = columns != self.panel.columns
        if switched:
            self.panel.set_columns(columns)
            self._fit_settings()
        least = self._scroll.minimumWidth()
        kept = min(extra, max(width - least - PLOT_ROOM, 0))  # kept while the plot keeps its room, at every size
        if switched or kept < extra:
            self._split.setSizes([least + kept, max(width - least - kept, 1)])
        super().resizeEvent(event)

    def _fit_settings(self) -> None:
        self.panel.layout().activate()  # the box first: the column measures its widgets
        self._side.layout().activate()
        scrollbar = self._scroll.verticalScrollBar().sizeHint().width()
        self._scroll.setMinimumWidth(self._side.minimumSizeHint().width() + scrollbar)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.becameVisible.emit()

    def clear(self, reason: str) -> None:
        self.verdict.setText(reason)
        for curve in (self.model_curve, self.hold_curve, self.model_fall, self.hold_fall):
            curve.setData([], [])
        for row in range(self.table.rowCount()):
            for column in range(len(COLUMNS)):
                self.table.setItem(row, column, QTableWidgetItem(""))

    def show_strategy(self, report: object) -> None:
        """A core StrategyReport: curves, drawdowns, figures and the verdict."""
        x = seconds(report.dates)
        source = "walk-forward backtest" if report.source == "backtest" else "test split"
        self.verdict.setText(f"{report.verdict} ({report.days} days of the {source}; {report.spec.costs_text()}.)")
        self.model_curve.setData(x, np.asarray(report.model_equity))
        self.hold_curve.setData(x, np.asarray(report.buy_and_hold_equity))
        self.model_fall.setData(x, 100 * drawdown(np.asarray(report.model_equity)))
        self.hold_fall.setData(x, 100 * drawdown(np.asarray(report.buy_and_hold_equity)))
        for plot in (self.equity, self.falls):
            plot.enableAutoRange()
        for row, (_, key, pattern) in enumerate(ROWS):
            for column, figures in enumerate((report.model, report.buy_and_hold, None)):
                item = QTableWidgetItem(figure(figures, key, pattern))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
