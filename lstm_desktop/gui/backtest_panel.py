"""The Backtest box: how many periods, how long each, and how the models are trained; and the Backtest button."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from lstm_desktop.core.specs import BacktestSpec, fields_of

from .setting_widgets import spin_for
from .widgets import named


class BacktestPanel(QGroupBox):
    """Settings in, BacktestSpec out; `requested` when the user presses Backtest."""

    requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Walk-forward backtest", parent)
        self.folds = spin_for(BacktestSpec, "folds", "foldsSpin")
        self.fold_days = spin_for(BacktestSpec, "fold_days", "foldDaysSpin")
        self.refit_every = spin_for(BacktestSpec, "refit_every", "refitEverySpin")
        self.train_days = spin_for(BacktestSpec, "train_days", "trainDaysSpin")
        self.train_days.setSpecialValueText("all (expanding)")
        self.warm_start = named(
            QCheckBox("Warm start"), "warmStartCheck", fields_of(BacktestSpec)["warm_start"].metadata["help"]
        )
        self.button = named(
            QPushButton("Backtest"),
            "backtestButton",
            "Train and score a model for each period, each on what came before it (in worker processes)",
        )
        grid = QGridLayout()
        for row, pairs in enumerate(
            (
                (("Folds", self.folds), ("Fold days", self.fold_days)),
                (("Refit every", self.refit_every), ("Training days", self.train_days)),
            )
        ):
            for col, (label, widget) in enumerate(pairs):
                grid.addWidget(QLabel(label), row, col * 2)
                grid.addWidget(widget, row, col * 2 + 1)
        grid.addWidget(self.warm_start, 2, 0, 1, 2)
        grid.addWidget(self.button, 2, 2, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        self.button.clicked.connect(self.requested)
        self.set_spec(BacktestSpec())

    def set_spec(self, spec: BacktestSpec) -> None:
        self._base = spec
        self.folds.setValue(spec.folds)
        self.fold_days.setValue(spec.fold_days)
        self.refit_every.setValue(spec.refit_every)
        self.train_days.setValue(spec.train_days)
        self.warm_start.setChecked(spec.warm_start)

    def spec(self) -> BacktestSpec:
        return dataclasses.replace(
            self._base,
            folds=self.folds.value(),
            fold_days=self.fold_days.value(),
            refit_every=self.refit_every.value(),
            train_days=self.train_days.value(),
            warm_start=self.warm_start.isChecked(),
        )
