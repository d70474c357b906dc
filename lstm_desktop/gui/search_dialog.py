"""The Search dialog: which settings to vary and over what, the budget, where the trials run; Start and Stop; the
trials as they end and the best validation score so far. Everything else is the main window's settings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.search.spec import SearchSpec

from .place_box import PlaceBox
from .setting_widgets import double_for, spin_for
from .trials_view import TrialsView
from .widgets import named, splitter

# (name in the space, label, default range or choices, ticked by default)
KNOBS = (
    ("window", "Window (days)", "20:120", True),
    ("hidden", "Hidden size", "16:128", True),
    ("layers", "Layers", "1:3", False),
    ("dropout", "Dropout", "0:0.5", False),
    ("lr", "Learning rate", "1e-4:1e-2:log", True),
    ("batch_size", "Batch size", "16|32|64|128", False),
    ("target_mode", "Target mode", "price|log_return", False),
    ("inputs", "Inputs (target's columns)", "Close|Close+Volume", False),
)
SYNTAX = (
    "Ranges as LOW:HIGH (add :log for a log scale, or :STEP), choices as A|B|C. Settings not ticked are the main "
    "window's. Trials are compared on the validation period only; the best is scored on the test period once, "
    "after the search."
)


class SearchDialog(QDialog):
    """Emits startRequested(space text, SearchSpec) and stopRequested; the controller runs the search and feeds
    `trials` its progress. Closing the dialog hides it; a running search goes on (the main window shows it)."""

    startRequested = Signal(str, object)
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search settings")
        self.setObjectName("searchDialog")
        self.resize(980, 780)
        self.ticks: dict[str, QCheckBox] = {}
        self.ranges: dict[str, QLineEdit] = {}
        self.trials_spin = spin_for(SearchSpec, "trials", "trialsSpin")
        self.minutes_spin = double_for(SearchSpec, "minutes", "minutesSpin")
        self.minutes_spin.setSpecialValueText("no limit")
        self.place = PlaceBox()
        self.start_button = named(QPushButton("Start search"), "startSearchButton", "Run the trials")
        self.stop_button = named(QPushButton("Stop"), "stopSearchButton", "Stop: finished trials are kept")
        self.status = named(QLabel(""), "searchStatusLabel", "What the search is doing, or what is wrong")
        self.status.setWordWrap(True)
        self.trials = TrialsView()
        top = QWidget()
        column = QVBoxLayout(top)
        column.addWidget(self._space_box())
        column.addWidget(self._budget_box())
        column.addWidget(self.place)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addWidget(self.status)
        split = splitter(Qt.Orientation.Vertical, top, self.trials, sizes=(430, 350))
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.start_button.clicked.connect(self._on_start)
        self.stop_button.clicked.connect(self._on_stop)
        self.trials_spin.setValue(SearchSpec().trials)
        self.set_running(False)

    def _space_box(self) -> QGroupBox:
        box = QGroupBox("Settings to search")
        grid = QGridLayout(box)
        for row, (name, label, default, ticked) in enumerate(KNOBS):
            tick = named(QCheckBox(label), f"searchTick_{name}", f"Search {label.lower()}")
            tick.setChecked(ticked)
            edit = named(QLineEdit(default), f"searchRange_{name}", f"Range or choices of {label.lower()}")
            tick.toggled.connect(edit.setEnabled)
            edit.setEnabled(ticked)
            self.ticks[name], self.ranges[name] = tick, edit
            grid.addWidget(tick, row // 2, (row % 2) * 2)
            grid.addWidget(edit, row // 2, (row % 2) * 2 + 1)
        hint = QLabel(SYNTAX)
        hint.setWordWrap(True)
        grid.addWidget(hint, len(KNOBS) // 2 + 1, 0, 1, 4)
        return box

    def _budget_box(self) -> QGroupBox:
        box = QGroupBox("Budget")
        row = QHBoxLayout(box)
        row.addWidget(QLabel("Trials"))
        row.addWidget(self.trials_spin)
        row.addWidget(QLabel("Minutes"))
        row.addWidget(self.minutes_spin)
        row.addStretch(1)
        return box

    def space_text(self) -> str:
        """The ticked settings as --space text (the command line's syntax)."""
        parts = [f"{name}={self.ranges[name].text().strip()}" for name, tick in self.ticks.items() if tick.isChecked()]
        return ",".join(parts)

    def spec(self) -> SearchSpec:
        return SearchSpec(
            trials=self.trials_spin.value(), minutes=self.minutes_spin.value(), workers=self.place.workers()
        )

    def _on_start(self) -> None:
        self.startRequested.emit(self.space_text(), self.spec())

    def _on_stop(self) -> None:
        self.stop_button.setEnabled(False)
        self.say("Stopping: the trials that finished are kept…")
        self.stopRequested.emit()

    def say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #d9534f;" if problem else "")

    def set_running(self, running: bool, can_start: bool = True) -> None:
        self.start_button.setEnabled(not running and can_start)
        self.stop_button.setEnabled(running)
        for widget in (*self.ticks.values(), self.trials_spin, self.minutes_spin, self.place):
            widget.setEnabled(not running)
        for name, edit in self.ranges.items():
            edit.setEnabled(not running and self.ticks[name].isChecked())
