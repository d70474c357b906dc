"""Run ▸ Update model…: how to update (its options built from core's UpdateSpec declarations) and which runs (the
current one, or the newest run of every ticker of a sweep)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lstm_desktop.core.living.spec import UpdateSpec
from lstm_desktop.core.specs import fields_of

from ..widgets import named

CHECKS = {"refit": "refitCheck", "all_days": "allDaysCheck"}


class UpdateDialog(QDialog):
    """Emits startRequested(UpdateSpec, every_ticker) when the user presses Update."""

    startRequested = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Update model")
        self.what = named(QLabel(""), "updateWhatLabel", "Which run is updated, on which prices")
        self.what.setWordWrap(True)
        self.checks: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        for name, field in fields_of(UpdateSpec).items():
            check = named(QCheckBox(field.metadata["label"]), CHECKS[name], field.metadata["help"])
            hint = QLabel(field.metadata["help"])
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #888888; margin-left: 22px;")
            self.checks[name] = check
            layout.addWidget(check)
            layout.addWidget(hint)
        self.every = named(QCheckBox("Every ticker's newest run"), "everyTickerCheck",
                           "Update the newest run of each target ticker (a sweep's), in worker processes")  # fmt: skip
        layout.addWidget(self.every)
        self.start_button = named(QPushButton("Update"), "updateStartButton", "Train the new run")
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._on_start_clicked)
        cancel.clicked.connect(self.reject)
        self.setMinimumWidth(460)

    def prepare(self, what: str, tickers: int) -> None:
        """Say what will be updated; offer every ticker when there are several."""
        self.what.setText(what)
        self.every.setVisible(tickers > 1)
        self.every.setText(f"Every ticker's newest run ({tickers} runs, in worker processes)")
        if tickers <= 1:
            self.every.setChecked(False)

    def spec(self) -> UpdateSpec:
        return UpdateSpec(**{name: check.isChecked() for name, check in self.checks.items()})

    def _on_start_clicked(self) -> None:
        self.startRequested.emit(self.spec(), self.every.isChecked())
        self.accept()
