"""The Track tab's view: every frozen forecast in a table (`trackTable`: its origin, days known, days inside the
band, errors against the flat last price, the alarm), and the chosen one on a plot (`trackPlot`): the prices
before and since its origin, the forecast as it was issued with its band, each known day marked inside or outside,
and its words below. It shows; it decides nothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..axes import DateAxis, Shade, grid_plot, seconds
from ..legend_row import add_legend
from ..plots import FORECAST_COLOUR
from ..widgets import named, scrolled, splitter

COLUMNS = ("Run", "Origin", "Days", "Inside", "Alarm", "Skill", "RMSE", "Flat RMSE", "Ticker")
NUMBERS = {2, 3, 5, 6, 7}  # right-aligned columns
INSIDE_COLOUR, OUTSIDE_COLOUR, ALARM_COLOUR = "#5cb85c", "#d9534f", "#f0ad4e"
EMPTY = (
    "No frozen forecast yet. Every run's forecast is kept here as it was issued; refresh the prices (File ▸ Refresh "
    "prices) once days have passed to see how it did."
)


def _cell(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def row_cells(tracked: object) -> list[str]:
    """A core Tracked as the table's texts."""
    known = tracked.days_known
    inside = round((tracked.coverage or 0.0) * known)
    return [
        tracked.run_name,
        tracked.origin,
        str(known) if tracked.problem is None else "—",
        f"{inside}/{known}" if tracked.coverage is not None else "—",
        "ALARM" if tracked.alarm else ("cannot be read" if tracked.problem else ""),
        f"{tracked.skill:+.2f}" if tracked.skill is not None else "—",
        f"{tracked.rmse:.4g}" if tracked.rmse is not None else "—",
        f"{tracked.flat_rmse:.4g}" if tracked.flat_rmse is not None else "—",
        tracked.ticker,
    ]


class TrackView(QWidget):
    """Emits `chosen(index)` when the user picks a row (the index into the rows last shown), `becameVisible` when
    the tab is opened (or the window shown with it open)."""

    chosen = Signal(int)
    becameVisible = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = named(QLabel(EMPTY), "trackSummaryLabel", "How many frozen forecasts, days known and alarms")
        self.summary.setWordWrap(True)
        self.table = named(
            QTableWidget(0, len(COLUMNS)), "trackTable", "Every frozen forecast and how it did on the days since"
        )
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(20)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)  # a run's name can be long: elided
        self.table.setColumnWidth(0, 120)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.plot = named(
            grid_plot(bottom=DateAxis),
            "trackPlot",
            "The chosen frozen forecast and its band against the prices since its origin",
        )
        self.plot.setLabel("left", "price")
        add_legend(self.plot, labelTextSize="8pt", verSpacing=-6)
        self.band_low = pg.PlotDataItem([], [], pen=pg.mkPen(None))
        self.band_high = pg.PlotDataItem([], [], pen=pg.mkPen(None))
        shade = QColor(FORECAST_COLOUR)
        shade.setAlpha(60)
        self.plot.addItem(Shade(self.band_low, self.band_high, brush=shade), ignoreBounds=False)
        self.actual = self.plot.plot([], [], pen=pg.mkPen("#e8e8e8", width=1), name="actual")
        self.forecast = self.plot.plot([], [], pen=pg.mkPen(FORECAST_COLOUR, width=2), name="forecast as issued")
        self.inside = self.plot.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=INSIDE_COLOUR,
                                     symbolPen=None, name="inside the band")  # fmt: skip
        self.outside = self.plot.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=OUTSIDE_COLOUR,
                                      symbolPen=None, name="outside")  # fmt: skip
        self.origin_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
        self.origin_line.hide()
        self.plot.addItem(self.origin_line, ignoreBounds=True)
        self.text = named(QLabel(""), "trackTextLabel", "The chosen forecast in words, and its alarm")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = splitter(Qt.Orientation.Vertical, self.table, scrolled(self.text), sizes=(140, 160))
        # a narrow tab shrinks both sides, the plot keeps the larger share
        split = splitter(Qt.Orientation.Horizontal, left, self.plot, stretch=(2, 3), sizes=(380, 560))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._filling = False

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        """The tab opened: the controller scores what changed while it was hidden."""
        super().showEvent(event)
        self.becameVisible.emit()

    def show_rows(self, rows: list, summary: str, select: int | None) -> None:
        """Core Tracked rows in the table, `summary` above, row `select` chosen (None: none)."""
        self._filling = True
        self.table.clearSelection()  # so that selecting the same row again shows its new figures
        # emptied first: replacing items of a filled table re-measures its contents-sized columns at every item
        # (100 rows: 1.8 s against 11 ms)
        self.table.setRowCount(0)
        self.table.setRowCount(len(rows))
        for index, tracked in enumerate(rows):
            for column, text in enumerate(row_cells(tracked)):
                item = _cell(text, align_right=column in NUMBERS)
                item.setToolTip(tracked.text)
                if COLUMNS[column] == "Alarm" and tracked.alarm:
                    item.setForeground(QColor(ALARM_COLOUR))
                self.table.setItem(index, column, item)
        self.summary.setText(summary if rows else EMPTY)
        self._filling = False
        if select is not None and rows:
            self.table.selectRow(select)
        else:
            self.clear_plot("")

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _on_selection_changed(self) -> None:
        row = self.selected_row()
        if not self._filling and row is not None:
            self.chosen.emit(row)

    def clear_plot(self, text: str) -> None:
        for curve in (self.actual, self.forecast, self.inside, self.outside, self.band_low, self.band_high):
            curve.setData([], [])
        self.origin_line.hide()
        self.plot.setTitle("")
        self.text.setText(text)

    def show_forecast(self, tracked: object, before: tuple[np.ndarray, np.ndarray]) -> None:
        """One core Tracked on the plot; `before` (dates, prices): the prices on its basis from some time before
        its origin to the last known day."""
        dates, prices = before
        origin = np.datetime64(tracked.origin)
        x_days = seconds(tracked.dates)
        x_origin = seconds(np.array([origin]))
        self.actual.setData(seconds(dates), np.asarray(prices, dtype=np.float64))
        self.forecast.setData(np.concatenate([x_origin, x_days]), np.concatenate([[tracked.origin_price],
                                                                                  tracked.value]))  # fmt: skip
        self.band_low.setData(np.concatenate([x_origin, x_days]), np.concatenate([[tracked.origin_price],
                                                                                  tracked.lower]))  # fmt: skip
        self.band_high.setData(np.concatenate([x_origin, x_days]), np.concatenate([[tracked.origin_price],
                                                                                   tracked.upper]))  # fmt: skip
        known = np.asarray(tracked.known, dtype=bool)
        inside = known & tracked.inside
        outside = known & ~tracked.inside
        self.inside.setData(x_days[inside], tracked.actual[inside])
        self.outside.setData(x_days[outside], tracked.actual[outside])
        self.origin_line.setPos(float(x_origin[0]))
        self.origin_line.show()
        self.plot.setTitle(f"{tracked.ticker} from {tracked.origin}")
        self.plot.enableAutoRange()
        self.plot.autoRange()  # now: a lazy range would be drawn once with the previous forecast's
        self.text.setText(tracked.text)

    def curve_lengths(self) -> dict[str, int]:
        """Points in each curve (tests read it)."""
        curves = {"actual": self.actual, "forecast": self.forecast, "inside": self.inside, "outside": self.outside}
        return {name: len(curve.getData()[0] if curve.getData()[0] is not None else []) for name, curve in
                curves.items()}  # fmt: skip
