"""The runs of the project side by side: sortable, with the settings that differ, rename, star, delete, and a
compare of 2-5 selected runs (overlays and a settings diff). The table is a view of a lazy model (runs_model.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .runs_model import RunsModel
from .widgets import named, splitter

MAX_COMPARE = 5
WIDTH_ROWS = 50  # column widths fitted to the first rows only (all of them would read every cell's text)


class RunsTable(QWidget):
    """Emits what the user asks; the window's controller changes the state."""

    chosen = Signal(str)  # make this run current
    renamed = Signal(str, str)
    starred = Signal(str, bool)
    deleteRequested = Signal(list)
    compareRequested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RunsModel(self)
        self.table = named(QTableView(), "runsTable", "Every run of this project; double-click to show one")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the order runs were made, until a header is clicked
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setResizeContentsPrecision(WIDTH_ROWS)
        self.table.verticalHeader().setDefaultSectionSize(self.table.verticalHeader().minimumSectionSize() + 4)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.diff = named(QTableWidget(0, 0), "settingsDiffTable", "The settings that differ between compared runs")
        self.diff.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff.verticalHeader().hide()
        self.diff.hide()
        self.compare_button = named(QPushButton("Compare"), "compareRunsButton", "Overlay 2 to 5 selected runs")
        self.star_button = named(QPushButton("Star"), "starRunButton", "Star or unstar the selected runs")
        self.delete_button = named(QPushButton("Delete…"), "deleteRunButton", "Delete the selected runs")
        self.hint = QLabel("Select 2–5 runs to compare; F2 renames; double-click shows a run.")
        self.hint.setStyleSheet("color: #888888;")
        self.hint.setWordWrap(True)  # on one line it held the whole window 1154 pixels wide at the least
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        for button in (self.compare_button, self.star_button, self.delete_button):
            buttons.addWidget(button)
        split = splitter(Qt.Orientation.Vertical, self.table, self.diff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.model.renamed.connect(self.renamed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.selected_ids()))
        self.star_button.clicked.connect(self._on_star_clicked)
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(self.selected_ids()))
        self._on_selection_changed()

    def show_rows(self, columns: list[str], rows: list[dict]) -> None:
        """Show core.store.runs_table.table_rows (in the order the user sorted by, if any); the selection is kept
        where its runs still are."""
        selected = self.selected_ids()
        columns_before = list(self.model.columns)
        self.model.set_rows(columns, rows)
        if self.model.columns != columns_before:
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            header.blockSignals(True)  # the indicator follows its column; the rows are sorted already
            header.setSortIndicator(*(self.model.sorted_column() or (-1, Qt.SortOrder.AscendingOrder)))
            header.blockSignals(False)
        if selected:
            self.select_ids(selected)
        self._on_selection_changed()

    def selected_ids(self) -> list[str]:
        return [self.model.run_id(index.row()) for index in self.table.selectionModel().selectedRows()]

    def select_ids(self, ids: list[str]) -> None:
        selection = QItemSelection()
        for run_id in ids:
            row = self.model.row_of(run_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, self.model.columnCount() - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)

    def column_texts(self, header: str) -> list[str]:
        """The texts of the column headed `header`, top to bottom, as shown."""
        return self.model.column_texts(header)

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

    def _on_selection_changed(self, *args: Any) -> None:
        count = len(self.selected_ids())
        self.compare_button.setEnabled(2 <= count <= MAX_COMPARE)
        self.star_button.setEnabled(count > 0)
        self.delete_button.setEnabled(count > 0)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if self.model.columns[index.column()] != "name":
            self.chosen.emit(self.model.run_id(index.row()))

    def _on_star_clicked(self) -> None:
        ids = self.selected_ids()
        any_unstarred = any(not self.model.rows[self.model.row_of(run_id)].get("starred") for run_id in ids)
        for run_id in ids:
            self.starred.emit(run_id, any_unstarred)
