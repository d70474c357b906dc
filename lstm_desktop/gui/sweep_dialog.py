"""The Sweep dialog: the main window's settings over a list of tickers, each its own run (and backtest); a row per
ticker fills in as its run ends, failures included with their message."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.specs import DataRequest
from lstm_desktop.core.sweep.report import SweepRow, TickerProgress

from .live_table import LiveTable, number_text
from .place_box import PlaceBox
from .widgets import named

COLUMNS = (
    "Ticker",
    "Status",
    "Skill",
    "RMSE model",
    "RMSE tomorrow = today",
    "Backtest median skill",
    "Test verdict or problem",
)
SOURCE_NAMES = {"sample": "the bundled sample", "yahoo": "Yahoo Finance", "csv": "the CSV file"}
BAD, MUTED, GOOD = "#d9534f", "#2f6fb0", "#3c9a3c"
VERDICT_WORDS = {
    "beats": "beats tomorrow = today",
    "loses": "loses to tomorrow = today",
    "no_difference": "no measurable difference",
    "unknown": "cannot tell",
}


class SweepDialog(QDialog):
    """Emits startRequested(ticker text, also backtest) and stopRequested; the controller runs the sweep."""

    startRequested = Signal(str, bool)
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep tickers")
        self.setObjectName("sweepDialog")
        self.resize(900, 620)
        self.source = named(QLabel(""), "sweepSourceLabel", "Where the tickers' prices come from")
        self.source.setWordWrap(True)
        self.tickers = named(QPlainTextEdit(), "sweepTickersEdit", "Tickers, typed or pasted")
        self.tickers.setMaximumHeight(90)
        self.backtest = named(
            QCheckBox("Also backtest each ticker (with the Backtest box's settings)"),
            "sweepBacktestCheck",
            "Each ticker's run also gets a walk-forward backtest; every ticker's folds share the workers",
        )
        self.place = PlaceBox()
        self.start_button = named(QPushButton("Start sweep"), "startSweepButton", "Run every ticker")
        self.stop_button = named(QPushButton("Stop"), "stopSweepButton", "Stop: finished tickers are kept")
        self.status = named(QLabel(""), "sweepStatusLabel", "What the sweep is doing, or what is wrong")
        self.status.setWordWrap(True)
        self.table = LiveTable("sweepTable", "Each ticker's run: its test skill, or why it has none", COLUMNS)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(QLabel("Tickers"))
        layout.addWidget(self.tickers)
        layout.addWidget(self.backtest)
        layout.addWidget(self.place)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.start_button.clicked.connect(self._on_start)
        self.stop_button.clicked.connect(self._on_stop)
        self.set_running(False)

    def set_source(self, request: DataRequest) -> None:
        """Say where prices come from; offer the data panel's tickers unless the user typed some already."""
        where = SOURCE_NAMES.get(request.source, request.source)
        if request.source == "csv":
            where += f" {request.csv_path or '(none chosen)'}"
        every = " Leave the list empty for every ticker of the file." if request.source != "yahoo" else ""
        self.source.setText(
            f"Prices from {where}, with the main window's dates and settings. One run per ticker, each on its own "
            f"prices alone.{every}"
        )
        self.tickers.setPlaceholderText("tickers separated by spaces, commas or new lines, e.g. AAPL MSFT ^GSPC")
        if not self.tickers.toPlainText().strip() and request.tickers:
            self.tickers.setPlainText(" ".join(request.tickers))

    def _on_start(self) -> None:
        self.startRequested.emit(self.tickers.toPlainText(), self.backtest.isChecked())

    def _on_stop(self) -> None:
        self.stop_button.setEnabled(False)
        self.say("Stopping: the tickers that finished are kept…")
        self.stopRequested.emit()

    def say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {BAD};" if problem else "")

    def set_running(self, running: bool, can_start: bool = True) -> None:
        self.start_button.setEnabled(not running and can_start)
        self.stop_button.setEnabled(running)
        for widget in (self.tickers, self.backtest, self.place):
            widget.setEnabled(not running)

    # ----- rows -----
    def waiting(self, ticker: str, error: str | None) -> None:
        if error is None:
            self.table.set_row(ticker, (ticker, "waiting", "", "", "", "", ""))
        else:
            self.table.set_row(ticker, (ticker, "failed", "—", "—", "—", "—", error), BAD)

    def running(self, step: TickerProgress) -> None:
        doing = f"folds {step.folds_finished}/{step.folds}" if step.folds else f"epoch {step.epoch}/{step.epochs}"
        self.table.set_row(step.ticker, (step.ticker, doing, "", "", "", "", ""), MUTED)

    def ended(self, row: SweepRow) -> None:
        if row.error is not None:
            self.table.set_row(row.ticker, (row.ticker, "failed", "—", "—", "—", "—", row.error), BAD)
            return
        test = row.metrics.get("test")
        aggregate = row.backtest.aggregate if row.backtest is not None else None
        verdict = test.verdict if test is not None else None
        values = (
            row.ticker,
            "done",
            number_text(row.skill, "{:+.4f}"),
            number_text(test.model.rmse if test else None, "{:.4f}"),
            number_text(test.persistence.rmse if test else None, "{:.4f}"),
            number_text(aggregate.skill_median if aggregate else None, "{:+.4f}"),
            VERDICT_WORDS.get(verdict.kind, verdict.kind) if verdict else "",
        )
        tip = "\n\n".join(t for t in (verdict.text if verdict else "", aggregate.verdict if aggregate else "") if t)
        colour = GOOD if verdict is not None and verdict.kind == "beats" else None
        self.table.set_row(row.ticker, values, colour, tip)
