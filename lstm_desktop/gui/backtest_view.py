"""A backtest's results: the verdict over every period, a bar of skill per fold around zero, and a table."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .axes import EpochAxis
from .metrics_table import BAD, GOOD
from .widgets import named, splitter

COLUMNS = (
    "Fold", "Test period", "Epochs", "Skill", "RMSE model", "RMSE tomorrow = today", "Band held",
    "Random-walk band held", "Interval score (model / random walk)",
)  # fmt: skip


def _text(value: float | None, pattern: str) -> str:
    return "—" if value is None or not math.isfinite(value) else pattern.format(value)


def score_ratio(fold: object) -> float | None:
    """The fold's mean interval score of the model's band over the random-walk band's (below 1: sharper)."""
    model, walk = fold.coverage, fold.baseline_coverage
    if model is None or walk is None or not model.winkler or not walk.winkler:
        return None
    a, b = np.nanmean(model.winkler), np.nanmean(walk.winkler)
    return float(a / b) if b > 0 else None


class BacktestView(QWidget):
    """Empty until the current run has a backtest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = named(QLabel(""), "backtestVerdictLabel", "What the backtest's periods say together")
        self.verdict.setWordWrap(True)
        plot = pg.PlotWidget(axisItems={"bottom": EpochAxis("bottom")})
        self.plot = named(plot, "backtestPlot", "Skill of each fold against tomorrow = today; above zero is better")
        self.plot.setLabel("bottom", "fold")
        self.plot.setLabel("left", "skill")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#aaaaaa", style=Qt.PenStyle.DashLine)))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.plot.addItem(self.bars)
        self.table = named(QTableWidget(0, len(COLUMNS)), "backtestTable", "Each fold's period, training and scores")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = splitter(Qt.Orientation.Horizontal, self.plot, self.table, sizes=(250, 450))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(split, 1)
        self.clear()

    def clear(self) -> None:
        self.verdict.setText("No backtest for this run: set the folds and press Backtest.")
        self.bars.setOpts(x=[], height=[])
        self.table.setRowCount(0)

    def show_backtest(self, backtest: object) -> None:
        folds = backtest.folds
        aggregate = backtest.aggregate
        text = aggregate.verdict if aggregate else "No fold finished."
        if aggregate is not None and aggregate.band is not None:
            text += f" Over every fold: {aggregate.band.verdict.text}"
        self.verdict.setText(text)
        skills = np.array([f.metrics.skill for f in folds], dtype=np.float64)
        shown = np.nan_to_num(skills)
        brushes = [GOOD if s > 0 else BAD for s in shown]
        self.bars.setOpts(x=[f.fold for f in folds], height=shown, width=0.7, brushes=brushes)
        self.plot.enableAutoRange()
        self.table.setRowCount(len(folds))
        for row, fold in enumerate(folds):
            cover = fold.coverage.overall if fold.coverage is not None else None
            walk = fold.baseline_coverage
            cells = (
                str(fold.fold),
                f"{fold.test[0]} .. {fold.test[1]}",
                str(fold.epochs) if fold.trained else "held",
                _text(fold.metrics.skill, "{:+.4f}"),
                _text(fold.metrics.model.rmse, "{:.4f}"),
                _text(fold.metrics.persistence.rmse, "{:.4f}"),
                _text(cover, "{:.0%}"),
                _text(walk.overall if walk is not None else None, "{:.0%}"),
                _text(score_ratio(fold), "{:.3f}"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        for problem in backtest.problems:
            self.verdict.setText(self.verdict.text() + f"\nA fold failed: {problem}")
