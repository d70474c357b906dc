"""A search as it runs: a row per trial (running ones with their epoch) and a plot of each trial's validation RMSE
with the best so far as a step line."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from lstm_desktop.core.search.report import SearchProgress, TrialRecord
from lstm_desktop.core.search.text import params_text

from .axes import EpochAxis
from .legend_row import add_legend
from .live_table import LiveTable, number_text
from .widgets import named, splitter

COLUMNS = ("Trial", "State", "Val RMSE", "Epochs", "Settings", "Note")
COLOURS = {"complete": None, "pruned": "#888888", "failed": "#d9534f", "running": "#2f6fb0"}


class TrialsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = LiveTable("trialsTable", "Each trial: its settings and validation score", COLUMNS, ordered=True)
        plot = pg.PlotWidget(axisItems={"bottom": EpochAxis("bottom")})
        self.plot = named(plot, "bestPlot", "Validation RMSE of each trial (dots) and the best so far (line)")
        self.plot.setLabel("bottom", "trial")
        self.plot.setLabel("left", "validation RMSE")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        add_legend(self.plot)
        self.dots = pg.ScatterPlotItem(size=8, name="trial")
        self.best_line = pg.PlotDataItem(pen=pg.mkPen("#2f6fb0", width=2), name="best so far")
        self.plot.addItem(self.dots)
        self.plot.addItem(self.best_line)
        split = splitter(Qt.Orientation.Horizontal, self.table, self.plot, sizes=(560, 380))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.records: list[TrialRecord] = []

    def clear(self) -> None:
        self.table.clear_rows()
        self.records = []
        self._redraw()

    def progress(self, event: SearchProgress) -> None:
        """Rows for the trials running now, with the epoch each has reached."""
        for number, (epoch, epochs) in sorted(event.running.items()):
            self.table.set_row(number, (str(number), "running", "—", f"{epoch}/{epochs}", "", ""), COLOURS["running"])

    def trial_ended(self, record: TrialRecord) -> None:
        note = record.error or ("stopped early: worse than the median of finished trials" if record.state == "pruned"
                                else "")  # fmt: skip
        values = (
            str(record.number),
            record.state,
            number_text(record.val_rmse, "{:.4f}"),
            str(record.epochs),
            params_text(record.params),
            note,
        )
        self.table.set_row(record.number, values, COLOURS[record.state])
        self.records.append(record)
        self._redraw()

    def mark_best(self, number: int) -> None:
        """The winning trial's row in bold."""
        if number in self.table.keys:
            row = self.table.keys.index(number)
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                font = item.font()
                font.setBold(True)
                item.setFont(font)

    def _redraw(self) -> None:
        scored = sorted((r for r in self.records if r.val_rmse is not None), key=lambda r: r.number)
        spots = [
            {"pos": (r.number, r.val_rmse), "brush": pg.mkBrush("#2f6fb0" if r.state == "complete" else "#aaaaaa")}
            for r in scored
        ]
        self.dots.setData(spots)
        xs: list[float] = []
        ys: list[float] = []
        best = float("inf")
        for record in (r for r in scored if r.state == "complete"):  # a step line: flat until a better trial
            if record.val_rmse < best:
                if ys:
                    xs.append(record.number)
                    ys.append(best)
                best = record.val_rmse
                xs.append(record.number)
                ys.append(best)
        if ys and scored[-1].number > xs[-1]:
            xs.append(scored[-1].number)
            ys.append(best)
        self.best_line.setData(xs, ys)
