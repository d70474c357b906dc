"""The metrics table: the model against persistence and drift on each split, skill, and a plain verdict."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .band_plot import BandPlot
from .widgets import named, scrolled

WORDS_SHARE = 0.4  # the most of the tab's height the verdict and band words take before they scroll
COLUMNS = ("Split", "Predictor", "RMSE", "MAE", "MAPE %", "Direction", "Skill")
SPLITS = (("test", "Test"), ("val", "Validation"), ("train", "Training"))
PREDICTORS = (
    ("model", "LSTM model"),
    ("persistence", "Tomorrow = today"),
    ("drift", "Drift"),
    ("linear", "Linear (ridge)"),
)
GOOD, BAD, NEUTRAL = QColor("#3c9a3c"), QColor("#d9534f"), QColor("#c0a040")


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else pattern.format(value)


def band_text(report: object) -> str:
    """Coverage of the band in words (and its verdict against the random-walk band), and the multi-day forecast's
    error against the flat last-price line: the model's path and the drawn path."""
    from lstm_desktop.core.assess.band import coverage_words

    parts = []
    band = report.band
    cover = band.coverage.get("test")
    if band.verdict is not None:
        parts.append(band.verdict.text)
    elif cover is not None:
        parts.append(coverage_words(cover, band.level) + " (the band of an earlier method, calibrated once on the "
                     "validation period)")  # fmt: skip
    test = report.metrics.get("test")
    steps = test.multistep if test is not None else None
    if steps is not None and steps.model_rmse:
        last = steps.steps - 1
        ratio = steps.model_rmse[last] / steps.flat_rmse[last] if steps.flat_rmse[last] > 0 else math.nan
        text = (
            f"{steps.steps}-day forecasts from {steps.origins} test origins: RMSE at day {steps.steps} "
            f"{_fmt(steps.model_rmse[last], '{:.3f}')} for the model's path against "
            f"{_fmt(steps.flat_rmse[last], '{:.3f}')} for the flat last price ({_fmt(ratio, '{:.2f}')}×)"
        )
        if steps.blend_rmse:
            blend = steps.blend_rmse[last] / steps.flat_rmse[last] if steps.flat_rmse[last] > 0 else math.nan
            text += f"; the drawn path {_fmt(steps.blend_rmse[last], '{:.3f}')} ({_fmt(blend, '{:.2f}')}×)"
        parts.append(text + ".")
    return " ".join(parts)


def verdict_colour(kind: str) -> QColor:
    return {"beats": GOOD, "loses": BAD}.get(kind, NEUTRAL)


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
        self.band = named(QLabel(""), "coverageLabel", "How often the forecast band held the actual price")
        self.band.setWordWrap(True)
        self.coverage = BandPlot()
        self.coverage.setMinimumWidth(220)
        row = QHBoxLayout()
        row.addWidget(self.table, 3)
        row.addWidget(self.coverage, 2)
        words = QWidget()
        column = QVBoxLayout(words)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.band)
        column.addWidget(self.coverage.figures)
        self.words = scrolled(words)
        self._need = 0  # the words' full height at the scroll area's whole width, as last fitted
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.words)
        layout.addLayout(row, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_words()

    def _fit_words(self) -> None:
        """The words at their full height, up to WORDS_SHARE of the tab's, scrolling beyond: in a short window they
        had taken the whole tab and left the table and the coverage plot a sliver."""
        for label in (self.summary, self.band, self.coverage.figures):
            label.setHidden(not label.text())  # an empty line kept blank pixels above the table
        words = self.words.widget()
        width = self.words.contentsRect().width()  # the whole width: a scroll bar shown now may not be needed
        need = words.heightForWidth(width) if width > 0 else -1
        need = need if need >= 0 else words.sizeHint().height()
        self._need = need
        most = int(WORDS_SHARE * self.height())
        bar = Qt.ScrollBarPolicy.ScrollBarAsNeeded if need > most else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        self.words.setVerticalScrollBarPolicy(bar)
        self.words.setFixedHeight(min(need, most))

    def minimumSizeHint(self) -> QSize:
        """The least height with the words at what they would take there, not at their fixed height now: that held
        the window up, so one shrink of a tall window (un-maximising it) stopped up to 100 pixels short."""
        hint = super().minimumSizeHint()
        rest = hint.height() - self.words.minimumHeight()
        return QSize(hint.width(), min(rest + self._need, math.ceil(rest / (1 - WORDS_SHARE))))

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.summary.setText("")
        self.band.setText("")
        self.coverage.clear()
        self._fit_words()

    def show_run(self, report: object) -> None:
        """The scores, the verdict, and what the band and the multi-day forecast did on the test period."""
        self.show_metrics(report.metrics)
        self.band.setText(band_text(report))
        self.coverage.show_band(report.band)
        self._fit_words()

    def show_metrics(self, metrics: dict) -> None:
        """metrics: split -> SplitScores (core.report)."""
        self.table.setRowCount(0)
        for split, split_label in SPLITS:
            entry = metrics.get(split)
            if entry is None:
                continue
            first = True
            for who, who_label in PREDICTORS:
                scores = getattr(entry, who)
                if scores is not None:
                    self._add_row(
                        split_label if first else "", who_label, scores, entry.skill if who == "model" else None
                    )
                    first = False
        test = metrics.get("test")
        verdict = test.verdict if test is not None else None
        self.summary.setText(f"On the test period: {verdict.text}" if verdict else "")
        colour = verdict_colour(verdict.kind if verdict else "unknown")
        self.summary.setStyleSheet(f"color: {colour.name()};")

    def _add_row(self, split_label: str, who_label: str, scores: object, skill: float | None) -> None:
        bold = QFont()
        bold.setBold(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        model = skill is not None
        cells = (
            split_label,
            who_label,
            _fmt(scores.rmse, "{:.4f}"),
            _fmt(scores.mae, "{:.4f}"),
            _fmt(scores.mape, "{:.2f}"),
            _fmt(scores.directional_accuracy, "{:.1%}"),
            _fmt(skill, "{:+.3f}") if model else "",
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column >= 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if model:
                item.setFont(bold)
            if column == 6 and model and math.isfinite(skill):
                item.setForeground(GOOD if skill > 0 else BAD)
            self.table.setItem(row, column, item)
