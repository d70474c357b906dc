"""The metrics table: the model against persistence and drift on each split, skill, and a plain verdict."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .widgets import named

COLUMNS = ("Split", "Predictor", "RMSE", "MAE", "MAPE %", "Direction", "Skill")
SPLITS = (("test", "Test"), ("val", "Validation"), ("train", "Training"))
PREDICTORS = (("model", "LSTM model"), ("persistence", "Tomorrow = today"), ("drift", "Drift"))
GOOD, BAD = QColor("#3c9a3c"), QColor("#d9534f")


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else pattern.format(value)


def verdict(metrics: dict, target_mode: str = "price") -> str:
    """One sentence a person can act on, about the test period."""
    test = metrics.get("test", {})
    skill = test.get("skill")
    if skill is None or not math.isfinite(skill):
        return ""
    if skill > 0:
        return f"On the test period the model's error is {skill:.1%} below 'tomorrow = today' (skill {skill:+.3f})."
    text = (
        f"On the test period the model does NOT beat 'tomorrow = today' (skill {skill:+.3f}): "
        "its forecast is no better than copying today's price."
    )
    if target_mode == "price" and skill < -0.5:
        text += (
            " Test prices lie outside what the model saw in training; predicting the log return"
            " (Target: Log return) usually helps."
        )
    return text


class MetricsTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = named(
            QTableWidget(0, len(COLUMNS)),
            "metricsTable",
            "Scores of the model and the baselines on each split, in price units",
        )
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = named(QLabel(""), "verdictLabel", "Does the model beat 'tomorrow = today'?")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.summary.setText("")

    def show_metrics(self, metrics: dict, target_mode: str = "price") -> None:
        self.table.setRowCount(0)
        bold = QFont()
        bold.setBold(True)
        for split, split_label in SPLITS:
            entry = metrics.get(split)
            if not entry:
                continue
            for who, who_label in PREDICTORS:
                m = entry[who]
                row = self.table.rowCount()
                self.table.insertRow(row)
                skill = entry.get("skill") if who == "model" else None
                cells = (
                    split_label if who == "model" else "",
                    who_label,
                    _fmt(m["rmse"], "{:.4f}"),
                    _fmt(m["mae"], "{:.4f}"),
                    _fmt(m["mape"], "{:.2f}"),
                    _fmt(m["directional_accuracy"], "{:.1%}"),
                    _fmt(skill, "{:+.3f}") if who == "model" else "",
                )
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if column >= 2:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if who == "model":
                        item.setFont(bold)
                    if column == 6 and skill is not None and math.isfinite(skill):
                        item.setForeground(GOOD if skill > 0 else BAD)
                    self.table.setItem(row, column, item)
        text = verdict(metrics, target_mode)
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {GOOD.name() if 'below' in text else BAD.name()};")
