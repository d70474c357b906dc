"""The Compare models dialog: which cells and input variants to train, where; the table of variants filling in as
each ends, the matrix of pairwise tests with the verdict, and the test predictions of the chosen rows overlaid.
It only shows: the controller runs the comparison and hands it plain data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.compare.report import CompareReport
from lstm_desktop.core.compare.spec import CELL_NAMES, CompareSpec
from lstm_desktop.core.specs import CELLS, BacktestSpec

from ..axes import DateAxis, grid_plot, seconds
from ..legend_row import add_legend
from ..place_box import PlaceBox
from ..setting_widgets import spin_for
from ..widgets import named, splitter
from .tables import BAD, ModelsTable, PairsTable

COLOURS = ("#4e9af1", "#f0ad4e", "#5cb85c", "#9b59b6", "#d9534f", "#16a085", "#e67e22", "#34495e")
Predictions = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # name -> (dates, actual, predicted)


class CompareDialog(QDialog):
    """Emits startRequested and stopRequested; the controller reads `spec()`, `backtest()` and `place.place()`."""

    startRequested = Signal()
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare models")
        self.setObjectName("compareDialog")
        self.resize(1200, 820)
        self.cells = {c: named(QCheckBox(CELL_NAMES[c]), f"compare{c.capitalize()}Check", f"Train the {c} cell")
                      for c in CELLS}  # fmt: skip
        for box in self.cells.values():
            box.setChecked(True)
        self.drop_inputs = named(
            QCheckBox("Also leave out each extra input in turn"),
            "compareDropInputsCheck",
            "The first ticked cell again without each extra input (another ticker, a column), one at a time: "
            "whether an input helps is then a test, not a guess",
        )
        self.extras = named(QLabel(""), "compareExtrasLabel", "The inputs that would be left out")
        self.with_backtest = named(
            QCheckBox("Also backtest each variant on the same folds"), "compareBacktestCheck",
            "A walk-forward backtest per variant (every variant's folds share the workers); the pooled skill is shown",
        )  # fmt: skip
        self.folds = spin_for(BacktestSpec, "folds", "compareFoldsSpin")
        self.fold_days = spin_for(BacktestSpec, "fold_days", "compareFoldDaysSpin")
        self.folds.setValue(BacktestSpec().folds)
        self.fold_days.setValue(BacktestSpec().fold_days)
        self.place = PlaceBox()
        self.start_button = named(QPushButton("Start comparison"), "startCompareButton", "Train every variant")
        self.stop_button = named(QPushButton("Stop"), "stopCompareButton", "Stop: finished variants are kept")
        self.status = named(QLabel(""), "compareStatusLabel", "What the comparison is doing, or what is wrong")
        self.status.setWordWrap(True)
        self.table = ModelsTable()
        self.pairs = PairsTable()
        self.verdict = named(QLabel(""), "compareVerdictLabel", "The comparison in words")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: bold;")
        self.plot = named(grid_plot(bottom=DateAxis), "comparePlot",
                          "Test predictions of the chosen rows over the actual prices")  # fmt: skip
        self.plot.setTitle("Test period: choose rows above to overlay their predictions")
        self.legend = add_legend(self.plot)
        self._curves: list[pg.PlotDataItem] = []  # made once, given new data (making curves took most of a draw)
        self._legend_names: list[str] = []
        self.predictions: Predictions = {}
        self._lay_out()
        self.start_button.clicked.connect(self.startRequested.emit)
        self.stop_button.clicked.connect(self._on_stop)
        self.table.itemSelectionChanged.connect(self._on_rows_chosen)
        self.set_running(False)

    def _lay_out(self) -> None:
        cells = QHBoxLayout()
        cells.addWidget(QLabel("Cells"))
        for box in self.cells.values():
            cells.addWidget(box)
        cells.addSpacing(20)
        cells.addWidget(self.drop_inputs)
        cells.addWidget(self.extras, 1)
        folds = QHBoxLayout()
        folds.addWidget(self.with_backtest)
        folds.addWidget(QLabel("Folds"))
        folds.addWidget(self.folds)
        folds.addWidget(QLabel("Fold days"))
        folds.addWidget(self.fold_days)
        folds.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.status, 1)
        pairs = QWidget()
        column = QVBoxLayout(pairs)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Pairwise Diebold–Mariano p-values (Holm-adjusted; green: a measurable difference)"))
        column.addWidget(self.pairs, 1)
        bottom = splitter(Qt.Orientation.Horizontal, pairs, self.plot, sizes=(480, 720))
        body = splitter(Qt.Orientation.Vertical, self.table, bottom, sizes=(300, 420))
        layout = QVBoxLayout(self)
        layout.addLayout(cells)
        layout.addLayout(folds)
        layout.addWidget(self.place)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(body, 1)

    # ----- what the user asked -----
    def spec(self) -> CompareSpec:
        cells = tuple(c for c, box in self.cells.items() if box.isChecked())
        return CompareSpec(cells=cells, drop_inputs=self.drop_inputs.isChecked())

    def backtest(self) -> BacktestSpec | None:
        if not self.with_backtest.isChecked():
            return None
        return BacktestSpec(folds=self.folds.value(), fold_days=self.fold_days.value())

    def set_extras(self, labels: Sequence[str]) -> None:
        self.extras.setText(f"({', '.join(labels)})" if labels else "(no extra inputs: add tickers or columns)")
        self.drop_inputs.setEnabled(bool(labels))
        if not labels:
            self.drop_inputs.setChecked(False)

    # ----- state -----
    def say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {BAD};" if problem else "")

    def set_running(self, running: bool, can_start: bool = True) -> None:
        self.start_button.setEnabled(not running and can_start)
        self.stop_button.setEnabled(running)
        for widget in (*self.cells.values(), self.with_backtest, self.folds, self.fold_days, self.place):
            widget.setEnabled(not running)
        self.drop_inputs.setEnabled(not running and not self.extras.text().startswith("(no extra"))

    def _on_stop(self) -> None:
        self.stop_button.setEnabled(False)
        self.say("Stopping: the variants that finished are kept…")
        self.stopRequested.emit()

    # ----- results -----
    def begin(self, names: Sequence[str]) -> None:
        self.table.clear_rows()
        self.pairs.show_pairs([], [])
        self.verdict.setText("")
        self.predictions = {}
        self._draw([])
        for name in names:
            self.table.waiting(name)

    def show_report(self, report: CompareReport, predictions: Predictions) -> None:
        for row in report.variants:
            self.table.ended(row)
        self.table.baselines(report.baselines)
        self.pairs.show_pairs([r.name for r in report.variants], report.pairs)
        self.verdict.setText(report.verdict)
        self.predictions = predictions
        self.table.selectRow(0)
        self._on_rows_chosen()

    def _on_rows_chosen(self) -> None:
        self._draw(self.table.selected_names() or list(self.predictions)[:1])

    def _draw(self, names: Sequence[str]) -> None:
        chosen = [n for n in names if n in self.predictions]
        wanted: list[tuple[str, np.ndarray, np.ndarray, object]] = []
        if chosen:
            dates, actual, _ = self.predictions[chosen[0]]
            wanted.append(("actual", seconds(dates), actual, pg.mkPen("#888888", width=2)))
        for index, name in enumerate(chosen):
            dates, _, predicted = self.predictions[name]
            wanted.append((name, seconds(dates), predicted, pg.mkPen(COLOURS[index % len(COLOURS)], width=1.5)))
        while len(self._curves) < len(wanted):
            self._curves.append(self.plot.plot([], []))
        for curve, (name, x, y, pen) in zip(self._curves, wanted):
            curve.setData(x, y)
            curve.setPen(pen)
            curve.opts["name"] = name
        for curve in self._curves[len(wanted) :]:
            if curve.xData is not None and len(curve.xData):
                curve.setData([], [])
            curve.opts["name"] = None
        names_now = [name for name, *_ in wanted]
        if names_now != self._legend_names:
            self.legend.clear()
            for curve, name in zip(self._curves, names_now):
                self.legend.addItem(curve, name)
            self._legend_names = names_now
        if wanted:
            self.plot.enableAutoRange()

    def curve_names(self) -> list[str]:
        """The names of the curves drawn (for tests and the self-test)."""
        return [curve.name() for curve in self._curves if curve.xData is not None and len(curve.xData)]
