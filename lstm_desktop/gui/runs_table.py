"""The runs of the project side by side: sortable, with the settings that differ, rename, star, delete, and a
compare of 2-5 selected runs (overlays and a settings diff)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .widgets import named

HEADERS = {
    "starred": "★",
    "name": "Name",
    "created": "Created",
    "tickers": "Tickers",
    "dates": "Dates",
    "ended": "Training ended",
    "parent": "Updated from",
    "seconds": "Train s",
    "val_loss": "Best val loss",
    "test_rmse": "Test RMSE",
    "skill": "Test skill",
    "backtest_skill_median": "Backtest skill (median)",
    "coverage": "Band coverage",
    "problem": "Problem",
}
HIDDEN = {"id", "current"}
MAX_COMPARE = 5


class SortItem(QTableWidgetItem):
    """Sorts numbers as numbers (empty last), text as text."""

    def __init__(self, text: str, key: Any) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.key, getattr(other, "key", None)
        if isinstance(mine, int | float) and isinstance(theirs, int | float):
            return mine < theirs
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        return str(mine) < str(theirs)


def cell_text(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if column == "starred":
        return "★" if value else ""
    if column in ("skill", "backtest_skill_median"):
        return f"{value:+.4f}"
    if column == "coverage":
        return f"{value:.1%}"
    if column == "val_loss":
        return f"{value:.3e}"
    if column == "test_rmse":
        return f"{value:.4f}"
    if column == "seconds":
        return f"{value:.1f}"
    if column == "created":
        return str(value)[:16].replace("T", " ")
    return str(value)


class RunsTable(QWidget):
    """Emits what the user asks; the window's controller changes the state."""

    chosen = Signal(str)  # make this run current
    renamed = Signal(str, str)
    starred = Signal(str, bool)
    deleteRequested = Signal(list)
    compareRequested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = named(QTableWidget(0, 0), "runsTable", "Every run of this project; double-click to show one")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.diff = named(QTableWidget(0, 0), "settingsDiffTable", "The settings that differ between compared runs")
        self.diff.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff.verticalHeader().hide()
        self.diff.hide()
        self.compare_button = named(QPushButton("Compare"), "compareRunsButton", "Overlay 2 to 5 selected runs")
        self.star_button = named(QPushButton("Star"), "starRunButton", "Star or unstar the selected runs")
        self.delete_button = named(QPushButton("Delete…"), "deleteRunButton", "Delete the selected runs")
        self.hint = QLabel("Select 2–5 runs to compare; F2 renames; double-click shows a run.")
        self.hint.setStyleSheet("color: #888888;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        for button in (self.compare_button, self.star_button, self.delete_button):
            buttons.addWidget(button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.diff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self._columns: list[str] = []
        self._filling = False
        self.table.cellDoubleClicked.connect(self._on_double_clicked)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.selected_ids()))
        self.star_button.clicked.connect(self._on_star_clicked)
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(self.selected_ids()))
        self._on_selection_changed()

    def show_rows(self, columns: list[str], rows: list[dict]) -> None:
        """Fill the table from core.store.runs_table.table_rows."""
        self._filling = True
        sorting = self.table.isSortingEnabled()
        self.table.setSortingEnabled(False)
        self._columns = [c for c in columns if c not in HIDDEN]
        self.table.clear()
        self.table.setColumnCount(len(self._columns))
        self.table.setHorizontalHeaderLabels([HEADERS.get(c, c) for c in self._columns])
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            for column, name in enumerate(self._columns):
                value = row.get(name)
                item = SortItem(cell_text(name, value), value)
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                if name == "name" and not row.get("problem"):
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                if row.get("current"):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(index, column, item)
        self.table.setSortingEnabled(sorting or True)
        self._filling = False
        self._on_selection_changed()

    def selected_ids(self) -> list[str]:
        ids = []
        for index in self.table.selectionModel().selectedRows():
            run_id = self.table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
            ids.append(run_id)
        return ids

    def select_ids(self, ids: list[str]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) in ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def show_diff(self, names: list[str], diff: list[tuple[str, list[Any]]]) -> None:
        """Settings that differ, one column per compared run; hidden when there is nothing to compare."""
        self.diff.clear()
        if not names:
            self.diff.hide()
            return
        self.diff.setColumnCount(len(names) + 1)
        self.diff.setHorizontalHeaderLabels(["Setting", *names])
        self.diff.setRowCount(max(1, len(diff)))
        if not diff:
            self.diff.setItem(0, 0, QTableWidgetItem("(the compared runs have the same settings)"))
        for row, (setting, values) in enumerate(diff):
            self.diff.setItem(row, 0, QTableWidgetItem(setting))
            for column, value in enumerate(values, start=1):
                self.diff.setItem(row, column, QTableWidgetItem("—" if value is None else str(value)))
        self.diff.resizeColumnsToContents()
        self.diff.show()

    def _on_selection_changed(self) -> None:
        count = len(self.selected_ids()) if self.table.selectionModel() else 0
        self.compare_button.setEnabled(2 <= count <= MAX_COMPARE)
        self.star_button.setEnabled(count > 0)
        self.delete_button.setEnabled(count > 0)

    def _on_double_clicked(self, row: int, column: int) -> None:
        if self._columns[column] != "name":
            self.chosen.emit(self.table.item(row, 0).data(Qt.ItemDataRole.UserRole))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or self._columns[item.column()] != "name":
            return
        self.renamed.emit(item.data(Qt.ItemDataRole.UserRole), item.text())

    def _on_star_clicked(self) -> None:
        ids = self.selected_ids()
        column = self._columns.index("starred")
        rows = {
            self.table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole): i.row() for i in self.table.selectedIndexes()
        }
        any_unstarred = any(not self.table.item(row, column).key for row in rows.values())
        for run_id in ids:
            self.starred.emit(run_id, any_unstarred)
