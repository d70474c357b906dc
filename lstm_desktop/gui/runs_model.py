"""The runs of a project as a lazy table model: one dict a row (core.store.runs_table.table_rows), each cell's text
made only when Qt draws it. Filling a QTableWidget made an item per cell on the GUI thread (70 ms for 100 runs,
growing with every run); resetting this model costs the same whatever the number of runs."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

Index = QModelIndex | QPersistentModelIndex
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
ID_ROLE = Qt.ItemDataRole.UserRole  # a cell's run id


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


def sort_key(value: Any) -> tuple:
    """Numbers as numbers, then text as text, empty (None, NaN) last whatever the order asked."""
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
        return (0, float(value), "")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (2, 0.0, "")
    return (1, 0.0, str(value))


class RunsModel(QAbstractTableModel):
    """Rows of the runs table; the name is editable (F2) where the run can be read. `renamed(id, name)` says
    what the user typed; the state does the renaming and the table is shown again from it."""

    renamed = Signal(str, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns: list[str] = []
        self.rows: list[dict] = []
        self.sorted_by: tuple[str, Qt.SortOrder] | None = None  # the column (by name) the user sorted by
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, columns: list[str], rows: list[dict]) -> None:
        """New contents (the columns may differ: only the settings that vary between runs have one)."""
        self.beginResetModel()
        self.columns = [c for c in columns if c not in HIDDEN]
        self.rows = list(rows)
        if self.sorted_by is not None and self.sorted_by[0] in self.columns:
            self._sort_rows(*self.sorted_by)
        self.endResetModel()

    def sorted_column(self) -> tuple[int, Qt.SortOrder] | None:
        """Where the sort indicator belongs now (columns come and go with the settings that differ)."""
        if self.sorted_by is None or self.sorted_by[0] not in self.columns:
            return None
        return self.columns.index(self.sorted_by[0]), self.sorted_by[1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            name = self.columns[section]
            return HEADERS.get(name, name)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return cell_text(column, row.get(column))
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.FontRole and row.get("current"):
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if index.isValid() and self.columns[index.column()] == "name" and not self.rows[index.row()].get("problem"):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.columns[index.column()] != "name":
            return False
        self.renamed.emit(self.rows[index.row()]["id"], str(value))
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()  # the selection, the current cell: they follow their runs
        ids = [self.rows[index.row()]["id"] for index in before]
        self._sort_rows(self.columns[column], order)
        rows = {row["id"]: number for number, row in enumerate(self.rows)}
        self.changePersistentIndexList(before, [self.index(rows[i], x.column()) for i, x in zip(ids, before)])
        self.layoutChanged.emit()

    def _sort_rows(self, name: str, order: Qt.SortOrder) -> None:
        """Stable, empty cells last in either order."""
        self.sorted_by = (name, order)
        descending = order == Qt.SortOrder.DescendingOrder
        filled = [r for r in self.rows if sort_key(r.get(name))[0] < 2]
        empty = [r for r in self.rows if sort_key(r.get(name))[0] == 2]
        filled.sort(key=lambda r: sort_key(r.get(name)), reverse=descending)
        self.rows = filled + empty

    def run_id(self, row: int) -> str:
        return self.rows[row]["id"]

    def row_of(self, run_id: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row["id"] == run_id), None)

    def column_texts(self, header: str) -> list[str]:
        """The texts shown in the column headed `header`, top to bottom (for tests and the self-test)."""
        column = [HEADERS.get(c, c) for c in self.columns].index(header)
        return [cell_text(self.columns[column], row.get(self.columns[column])) for row in self.rows]
