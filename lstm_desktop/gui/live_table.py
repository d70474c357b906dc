"""A read-only table whose rows are filled in as work goes on: each row has a key (a trial number, a ticker) and is
added the first time it is set, then updated in place."""

from __future__ import annotations

import bisect
import math
from collections.abc import Hashable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from .widgets import named


def number_text(value: float | None, pattern: str) -> str:
    """A score as text; a missing or non-finite one as a dash."""
    return "—" if value is None or not math.isfinite(value) else pattern.format(value)


class LiveTable(QTableWidget):
    def __init__(self, name: str, description: str, columns: Sequence[str], ordered: bool = False) -> None:
        """`ordered`: rows kept in the order of their keys (else in the order they first came)."""
        super().__init__(0, len(columns))
        self.ordered = ordered
        named(self, name, description)
        self.setHorizontalHeaderLabels(list(columns))
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.keys: list[Hashable] = []

    def clear_rows(self) -> None:
        self.setRowCount(0)
        self.keys = []

    def set_row(self, key: Hashable, values: Sequence[str], colour: str | None = None, tip: str = "") -> None:
        """Add the row of `key` (at the end) or update it; `colour` tints its text; `tip` is the whole row's tooltip
        (long cells get their own text as one otherwise)."""
        if key not in self.keys:
            row = bisect.bisect(self.keys, key) if self.ordered else len(self.keys)
            self.keys.insert(row, key)
            self.insertRow(row)
        row = self.keys.index(key)
        for column, text in enumerate(values):
            item = self.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.setItem(row, column, item)
            item.setText(text)
            item.setToolTip(tip or (text if len(text) > 40 else ""))
            item.setData(Qt.ItemDataRole.ForegroundRole, None if colour is None else QColor(colour))

    def cell_text(self, key: Hashable, column: int) -> str:
        """The cell's text; "" while the row does not exist yet."""
        if key not in self.keys:
            return ""
        item = self.item(self.keys.index(key), column)
        return item.text() if item is not None else ""
