"""The main window's widget tree: which panel, plot and tab goes where. The window keeps the widgets as its
attributes; its controllers are made after this, from them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .backtest_panel import BacktestPanel
from .backtest_view import BacktestView
from .data_panel import DataPanel
from .forecast_table import ForecastTable
from .metrics_table import MetricsTable
from .model_panel import ModelPanel
from .plots import LossPlot, PricePlot
from .run_buttons import RUN_BUTTONS
from .runs_table import RunsTable
from .strategy.view import StrategyView
from .track.view import TrackView
from .widgets import named, scrolled, splitter


def _buttons(window: Any) -> QGridLayout:
    """The run buttons in rows of three, and the progress bar under them."""
    buttons = QGridLayout()
    for index, (attribute, label, name, what) in enumerate(RUN_BUTTONS):
        button = named(QPushButton(label), name, what)
        setattr(window, attribute, button)
        buttons.addWidget(button, index // 3, index % 3)
    window.progress = named(QProgressBar(), "progressBar", "Training progress")
    window.progress.setFormat("idle")
    window.progress.setValue(0)
    # its text changes while training; its width must not, or every change re-lays out the whole window
    window.progress.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return buttons


def build_layout(window: Any) -> None:
    """The window's widgets, as attributes of `window`: the data and model panels, the run buttons and progress bar
    and the backtest panel in a scrolled column on the left; the price plot over the loss plot and the tabs on the
    right."""
    window.data_panel = DataPanel()
    window.model_panel = ModelPanel()
    buttons = _buttons(window)
    left = QWidget()
    column = QVBoxLayout(left)
    column.addWidget(window.data_panel)
    column.addWidget(window.model_panel)
    column.addLayout(buttons)
    column.addWidget(window.progress)
    window.backtest_panel = BacktestPanel()
    column.addWidget(window.backtest_panel)
    column.addStretch(1)
    scroll = scrolled(left, frame=True)
    scroll.setMinimumWidth(400)

    window.price_plot = PricePlot()
    window.loss_plot = LossPlot()
    window.metrics = MetricsTable()
    window.notes = named(QPlainTextEdit(), "notesEdit", "Your notes, saved in the project")
    window.notes.setPlaceholderText("Notes about this work (saved with the project)")
    window.forecast_table = ForecastTable()
    window.backtest_view = BacktestView()
    window.runs_table = RunsTable()
    window.tabs = QTabWidget()
    window.tabs.addTab(window.metrics, "Scores")
    window.tabs.addTab(window.forecast_table, "Forecast")
    window.tabs.addTab(window.backtest_view, "Backtest")
    window.strategy_view = StrategyView()
    window.tabs.addTab(window.strategy_view, "Strategy")
    window.track_view = TrackView()
    window.tabs.addTab(window.track_view, "Track")
    window.tabs.addTab(window.runs_table, "Runs")
    window.tabs.addTab(window.notes, "Notes")
    bottom = splitter(Qt.Orientation.Horizontal, window.loss_plot, window.tabs, sizes=(300, 700))
    right = splitter(Qt.Orientation.Vertical, window.price_plot, bottom, sizes=(500, 400))
    window.setCentralWidget(splitter(Qt.Orientation.Horizontal, scroll, right, stretch=(0, 1), sizes=(420, 1000)))
    window.status_label = QLabel("")
    window.statusBar().addPermanentWidget(window.status_label)
