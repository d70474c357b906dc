"""The forecast as a table a person can read, copy (Ctrl+C, or the Copy button) and export as CSV."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .widgets import named

COLUMNS = ("Date", "Forecast", "Lower", "Upper")


def forecast_columns(days: object) -> list[str]:
    """The headers: date and forecast, then the lower and upper bound of every level of the fan (or of the one
    band of a run made before the fan)."""
    if not days.fan:
        return list(COLUMNS)
    names = ["Date", "Forecast"]
    for fan in days.fan:
        names += [f"{fan.level:.0%} low", f"{fan.level:.0%} high"]
    return names


def forecast_lines(days: object) -> list[list[str]]:
    """Rows of text in the order of forecast_columns (4 decimals)."""
    dates = np.datetime_as_string(days.dates)
    bounds = [(f.lower, f.upper) for f in days.fan] or [(days.lower, days.upper)]
    rows = []
    for at, (day, value) in enumerate(zip(dates, days.value)):
        row = [str(day), f"{value:.4f}"]
        for low, high in bounds:
            row += [f"{low[at]:.4f}", f"{high[at]:.4f}"]
        rows.append(row)
    return rows


class ForecastTable(QWidget):
    """Date, value and band of each forecast day."""

    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = named(QTableWidget(0, len(COLUMNS)), "forecastTable", "The forecast per trading day with its band")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.caption = named(QLabel(""), "forecastCaptionLabel", "What the forecast and its band are")
        self.caption.setWordWrap(True)
        self.copy_button = named(QPushButton("Copy"), "copyForecastButton", "Copy the table (tab-separated)")
        self.export_button = named(QPushButton("Export CSV…"), "exportForecastButton", "Save the forecast as CSV")
        buttons = QHBoxLayout()
        buttons.addWidget(self.caption, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.copy_button.clicked.connect(self.copy)
        self.export_button.clicked.connect(self.exportRequested)
        QShortcut(QKeySequence.StandardKey.Copy, self.table, self.copy)
        self.clear()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.caption.setText("No forecast yet: train a model.")
        self.copy_button.setEnabled(False)
        self.export_button.setEnabled(False)

    def show_forecast(self, days: object, caption: str) -> None:
        headers = forecast_columns(days)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        rows = forecast_lines(days)
        self.table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.caption.setText(caption)
        self.copy_button.setEnabled(bool(rows))
        self.export_button.setEnabled(bool(rows))

    def text(self, selected_only: bool = True) -> str:
        """Tab-separated text of the selected rows (all rows when none is selected), with the header."""
        rows = sorted({index.row() for index in self.table.selectedIndexes()}) if selected_only else []
        rows = rows or list(range(self.table.rowCount()))
        count = self.table.columnCount()
        headers = [self.table.horizontalHeaderItem(col).text() for col in range(count)]
        lines = ["\t".join(headers)]
        for row in rows:
            lines.append("\t".join(self.table.item(row, col).text() for col in range(count)))
        return "\n".join(lines) + "\n"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
