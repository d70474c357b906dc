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


def forecast_lines(days: object) -> list[list[str]]:
    """Rows of text: date, value, lower, upper (4 decimals)."""
    dates = np.datetime_as_string(days.dates)
    return [
        [str(d), f"{v:.4f}", f"{lo:.4f}", f"{hi:.4f}"]
        for d, v, lo, hi in zip(dates, days.value, days.lower, days.upper)
    ]


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
        lines = ["\t".join(COLUMNS)]
        for row in rows:
            lines.append("\t".join(self.table.item(row, col).text() for col in range(len(COLUMNS))))
        return "\n".join(lines) + "\n"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
