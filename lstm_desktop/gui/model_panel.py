"""The Model panel: dataset, network and training settings, presets, and problems explained inline.

It edits a RunConfig with dataclasses.replace: settings it has no widget for (scaler, split dates, device,
threads) pass through unchanged and are listed under the panel, so a project made on the command line keeps
its method when retrained here."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.presets import reference_settings
from lstm_desktop.core.specs import (
    PRICE_COLUMNS,
    DataRequest,
    DatasetSpec,
    ModelSpec,
    RunConfig,
    TrainSpec,
)

from .setting_widgets import combo_for, double_for, spin_for
from .widgets import named

DEFAULT = RunConfig()
MODE_LABELS = {"log_return": "Log return", "price": "Price (relative)", "price_level": "Price level (old projects)"}
PRECISION_LABELS = {"bfloat16": "bfloat16 (mixed)"}
PATH_LABELS = {"blend": "blend toward flat", "raw": "model's raw path"}  # the help says how
CELL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "Plain RNN (tanh)"}
# what the measurements say of the targets other than the default (docs/performance.md, "Target modes")
MODE_NOTES = {
    "price": "Measured in 8-period walk-forward backtests on AAPL and the S&P 500, the relative price path did no "
    "better than log return (neither beat tomorrow = today; docs/performance.md). Prefer log return unless your "
    "own backtest says otherwise.",
    "price_level": "The price level is scaled on the training range and cannot reach prices above it; it is kept "
    "for projects made before version 0.2. Log return is the default.",
}


class ModelPanel(QGroupBox):
    """Settings in, RunConfig out. `set_rows` lets it explain settings the loaded data cannot support."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self._rows: int | None = None
        self._base = DEFAULT
        self._filling = False
        self._shown: dict = {}
        self.window = spin_for(DatasetSpec, "window", "windowSpin")
        self.horizon = spin_for(DatasetSpec, "horizon", "horizonSpin")
        self.cell = combo_for(ModelSpec, "cell", "cellCombo", CELL_LABELS)
        self.layers = spin_for(ModelSpec, "layers", "layersSpin")
        self.hidden = spin_for(ModelSpec, "hidden", "hiddenSpin")
        self.dropout = double_for(ModelSpec, "dropout", "dropoutSpin")
        self.epochs = spin_for(TrainSpec, "epochs", "epochsSpin")
        self.batch = spin_for(TrainSpec, "batch_size", "batchSpin")
        self.lr = double_for(TrainSpec, "lr", "learningRateSpin")
        self.patience = spin_for(TrainSpec, "patience", "patienceSpin")
        self.val_frac = double_for(DatasetSpec, "val_frac", "valFracSpin")
        self.test_frac = double_for(DatasetSpec, "test_frac", "testFracSpin")
        self.seed = spin_for(TrainSpec, "seed", "seedSpin")
        self.target = combo_for(DatasetSpec, "target", "targetCombo")
        self.mode = combo_for(DatasetSpec, "target_mode", "targetModeCombo", MODE_LABELS)
        self.forecast_days = spin_for(RunConfig, "forecast_days", "forecastDaysSpin")
        self.forecast_path = combo_for(RunConfig, "forecast_path", "forecastPathCombo", PATH_LABELS)
        self.precision = combo_for(TrainSpec, "precision", "precisionCombo", PRECISION_LABELS)
        self.threads = spin_for(TrainSpec, "threads", "threadsSpin")
        self.threads.setSpecialValueText("automatic")
        self.features: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for index, column in enumerate(PRICE_COLUMNS):
            box = named(QCheckBox(column), f"feature{column.replace(' ', '')}Check", f"Use {column} as an input")
            self.features[column] = box
            grid.addWidget(box, index // 3, index % 3)
        self.mode_note = named(QLabel(""), "targetModeNote", "What the measurements say of this target mode")
        self.mode_note.setWordWrap(True)
        self.kept = named(QLabel(""), "keptSettingsLabel", "Settings without a widget here, kept as they are")
        self.kept.setWordWrap(True)
        self.kept.setStyleSheet("color: #888888;")
        self.reference = named(
            QPushButton("Reference (2×50, window 100)"),
            "referencePresetButton",
            "The reference setup: 2 stacked LSTM layers of 50, window 100, Adam 1e-3, batch 64",
        )
        self.defaults = named(QPushButton("Reset to defaults"), "resetDefaultsButton", "All settings back to defaults")
        self.problem = named(QLabel(""), "settingsProblemLabel", "Why the settings cannot be used")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d9534f;")
        self.problem.hide()
        self._lay_out(grid)
        self._connect()
        self.set_config(DEFAULT)

    def _lay_out(self, grid: QGridLayout) -> None:
        form = QFormLayout()
        pairs = QGridLayout()
        rows = (
            (("Window", self.window), ("Horizon", self.horizon)),
            (("Layers", self.layers), ("Hidden", self.hidden)),
            (("Dropout", self.dropout), ("Seed", self.seed)),
            (("Epochs", self.epochs), ("Patience", self.patience)),
            (("Batch", self.batch), ("Learning rate", self.lr)),
            (("Validation", self.val_frac), ("Test", self.test_frac)),
        )
        for row, items in enumerate(rows):
            for col, (label, widget) in enumerate(items):
                pairs.addWidget(QLabel(label), row, col * 2)
                pairs.addWidget(widget, row, col * 2 + 1)
        form.addRow(pairs)
        form.addRow("Cell", self.cell)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target)
        target_row.addWidget(self.mode)
        form.addRow("Target", target_row)
        form.addRow("", self.mode_note)
        form.addRow("Inputs", grid)
        days_row = QHBoxLayout()
        days_row.addWidget(self.forecast_days)
        days_row.addWidget(self.forecast_path)
        form.addRow("Forecast days", days_row)
        form.addRow("Precision", self.precision)
        form.addRow("Threads", self.threads)
        presets = QHBoxLayout()
        presets.addWidget(self.reference)
        presets.addWidget(self.defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.kept)
        layout.addLayout(presets)
        layout.addWidget(self.problem)

    def _connect(self) -> None:
        self.reference.clicked.connect(self._on_reference_clicked)
        self.defaults.clicked.connect(self._on_defaults_clicked)
        for widget, _, _ in self._bound():
            signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.valueChanged
            signal.connect(self._on_changed)
        for box in self.features.values():
            box.toggled.connect(self._on_changed)

    def _bound(self) -> tuple[tuple[QWidget, str, str], ...]:
        """Each widget and the setting it shows: (widget, group of RunConfig or "" for its own, field)."""
        return (
            (self.window, "dataset", "window"), (self.horizon, "dataset", "horizon"),
            (self.val_frac, "dataset", "val_frac"), (self.test_frac, "dataset", "test_frac"),
            (self.target, "dataset", "target"), (self.mode, "dataset", "target_mode"),
            (self.cell, "model", "cell"), (self.layers, "model", "layers"), (self.hidden, "model", "hidden"),
            (self.dropout, "model", "dropout"),
            (self.epochs, "train", "epochs"), (self.batch, "train", "batch_size"), (self.lr, "train", "lr"),
            (self.patience, "train", "patience"), (self.seed, "train", "seed"), (self.threads, "train", "threads"),
            (self.precision, "train", "precision"), (self.forecast_days, "", "forecast_days"),
            (self.forecast_path, "", "forecast_path"),
        )  # fmt: skip

    # ----- RunConfig in and out -----
    def set_config(self, config: RunConfig) -> None:
        """Show `config`; settings without a widget are kept for `config()`."""
        self._base = config
        self._filling = True
        for widget, group, name in self._bound():
            value = getattr(getattr(config, group) if group else config, name)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            else:
                widget.setValue(value)
        self._shown = {w: w.value() for w, _, _ in self._bound() if isinstance(w, QDoubleSpinBox)}
        chosen = set(config.dataset.input_columns())
        for column, box in self.features.items():
            box.setChecked(column in chosen)
        self._filling = False
        self._on_changed()

    def config(self, data: DataRequest) -> RunConfig:
        """The shown settings for `data`, edited into the last config set (nothing else changes)."""
        base = self._base
        edits: dict[str, dict] = {"dataset": {}, "model": {}, "train": {}, "": {}}
        for widget, group, name in self._bound():
            stored = getattr(getattr(base, group) if group else base, name)
            edits[group][name] = self._shown_value(widget, stored)
        features = tuple(c for c, box in self.features.items() if box.isChecked())
        edits["dataset"]["features"] = () if features == (edits["dataset"]["target"],) else features
        return dataclasses.replace(
            base,
            data=data,
            dataset=dataclasses.replace(base.dataset, **edits["dataset"]),
            model=dataclasses.replace(base.model, **edits["model"]),
            train=dataclasses.replace(base.train, **edits["train"]),
            **edits[""],
        )

    def _shown_value(self, widget: QWidget, stored: object) -> object:
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QDoubleSpinBox):
            return self._exact(stored, widget)
        return widget.value()

    def _exact(self, stored: float, spin: object) -> float:
        """The stored value while the spin still shows it (rounded to its decimals), else what the user set."""
        return stored if spin.value() == self._shown.get(spin) else spin.value()

    def set_rows(self, rows: int | None) -> None:
        self._rows = rows
        self._on_changed()

    def problem_text(self) -> str | None:
        """Why training cannot start with these settings, or None."""
        if not any(box.isChecked() for box in self.features.values()):
            return "Choose at least one input column."
        config = self.config(self._base.data)
        try:
            config.dataset.validate()
            config.model.validate()
            config.train.validate()
        except BadInput as exc:
            return str(exc)
        if self._rows is not None:
            return config.dataset.size_problem(self._rows)
        return None

    def _kept_text(self) -> str:
        base, default = self._base, DEFAULT
        kept = []
        if base.dataset.scaler != default.dataset.scaler:
            kept.append(f"scaler {base.dataset.scaler}")
        if base.dataset.val_start or base.dataset.test_start:
            kept.append(
                f"split by dates (validation from {base.dataset.val_start}, test from {base.dataset.test_start})"
            )
        if base.train.device != default.train.device:
            kept.append(f"device {base.train.device}")
        return ("Also kept from the project: " + "; ".join(kept) + ".") if kept else ""

    def _on_changed(self) -> None:
        if self._filling:
            return
        problem = self.problem_text()
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        note = MODE_NOTES.get(self.mode.currentData(), "")
        self.mode_note.setText(note)
        self.mode_note.setVisible(bool(note))
        kept = self._kept_text()
        self.kept.setText(kept)
        self.kept.setVisible(bool(kept))
        self.changed.emit()

    def _on_reference_clicked(self) -> None:
        """The reference setup; data choices (target, inputs, split, seed) stay as they are."""
        self.set_config(reference_settings(self.config(self._base.data)))

    def _on_defaults_clicked(self) -> None:
        self.set_config(dataclasses.replace(DEFAULT, data=self._base.data))
