"""The Model panel: dataset, network and training settings, presets, and problems explained inline."""

from __future__ import annotations

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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.data.prices import PRICE_COLUMNS
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

from .widgets import named

DEFAULT = RunConfig()
MODES = (("price", "Price"), ("log_return", "Log return"))
PRECISION_CHOICES = (("float32", "float32"), ("bfloat16", "bfloat16 (mixed)"))


def _spin(name: str, description: str, low: int, high: int, step: int = 1) -> QSpinBox:
    spin = named(QSpinBox(), name, description)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    return spin


def _double(name: str, description: str, low: float, high: float, step: float, decimals: int) -> QDoubleSpinBox:
    spin = named(QDoubleSpinBox(), name, description)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    return spin


class ModelPanel(QGroupBox):
    """Settings in, RunConfig out. `set_rows` lets it explain settings the loaded data cannot support."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self._rows: int | None = None
        self.window = _spin("windowSpin", "Days of history in each input window", 2, 2000)
        self.horizon = _spin("horizonSpin", "Days predicted at once", 1, 250)
        self.layers = _spin("layersSpin", "Stacked LSTM layers", 1, 8)
        self.hidden = _spin("hiddenSpin", "Units per LSTM layer", 1, 2048)
        self.dropout = _double("dropoutSpin", "Dropout between layers", 0.0, 0.9, 0.05, 2)
        self.epochs = _spin("epochsSpin", "Maximum passes over the training windows", 1, 100_000)
        self.batch = _spin("batchSpin", "Windows per optimiser step", 1, 65_536)
        self.lr = _double("learningRateSpin", "Adam learning rate", 0.000001, 1.0, 0.0001, 6)
        self.patience = _spin(
            "patienceSpin", "Stop after this many epochs without a better validation loss; 0 = off", 0, 10_000
        )
        self.val_frac = _double(
            "valFracSpin", "Share of rows for validation (after training rows)", 0.01, 0.49, 0.01, 2
        )
        self.test_frac = _double(
            "testFracSpin", "Share of rows held out for the final test (at the end)", 0.01, 0.49, 0.01, 2
        )
        self.seed = _spin("seedSpin", "Random seed: same seed, same result", 0, 2**31 - 1)
        self.target = named(QComboBox(), "targetCombo", "Price column to predict")
        self.target.addItems(["Adj Close", "Close"])
        self.mode = named(QComboBox(), "targetModeCombo", "Predict the price itself or its daily log return")
        for key, label in MODES:
            self.mode.addItem(label, key)
        self.forecast_days = _spin("forecastDaysSpin", "Business days to forecast past the last date", 0, 1000)
        self.precision = named(
            QComboBox(),
            "precisionCombo",
            "Training arithmetic. bfloat16 is faster on recent GPUs and on CPUs with AVX-512 BF16 or AMX, and is "
            "refused where the hardware lacks it; weights, scores and forecasts stay float32.",
        )
        for key, label in PRECISION_CHOICES:
            self.precision.addItem(label, key)
        self.features: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for index, column in enumerate(PRICE_COLUMNS):
            box = named(QCheckBox(column), f"feature{column.replace(' ', '')}Check", f"Use {column} as an input")
            self.features[column] = box
            grid.addWidget(box, index // 3, index % 3)

        form = QFormLayout()
        pairs = QGridLayout()
        for row, items in enumerate(
            (
                (("Window", self.window), ("Horizon", self.horizon)),
                (("Layers", self.layers), ("Hidden", self.hidden)),
                (("Dropout", self.dropout), ("Seed", self.seed)),
                (("Epochs", self.epochs), ("Patience", self.patience)),
                (("Batch", self.batch), ("Learning rate", self.lr)),
                (("Validation", self.val_frac), ("Test", self.test_frac)),
            )
        ):
            for col, (label, widget) in enumerate(items):
                pairs.addWidget(QLabel(label), row, col * 2)
                pairs.addWidget(widget, row, col * 2 + 1)
        form.addRow(pairs)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target)
        target_row.addWidget(self.mode)
        form.addRow("Target", target_row)
        form.addRow("Inputs", grid)
        form.addRow("Forecast days", self.forecast_days)
        form.addRow("Precision", self.precision)

        self.reference = named(
            QPushButton("Reference (2×50, window 100)"),
            "referencePresetButton",
            "The reference setup: 2 stacked LSTM layers of 50, window 100, Adam 1e-3, batch 64",
        )
        self.defaults = named(QPushButton("Reset to defaults"), "resetDefaultsButton", "All settings back to defaults")
        presets = QHBoxLayout()
        presets.addWidget(self.reference)
        presets.addWidget(self.defaults)
        self.problem = named(QLabel(""), "settingsProblemLabel", "Why the settings cannot be used")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d9534f;")
        self.problem.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(presets)
        layout.addWidget(self.problem)
        self.reference.clicked.connect(self._on_reference_clicked)
        self.defaults.clicked.connect(lambda: self.set_config(DEFAULT))
        for widget in (
            self.window,
            self.horizon,
            self.layers,
            self.hidden,
            self.epochs,
            self.batch,
            self.patience,
            self.seed,
            self.forecast_days,
        ):
            widget.valueChanged.connect(self._on_changed)
        for widget in (self.dropout, self.lr, self.val_frac, self.test_frac):
            widget.valueChanged.connect(self._on_changed)
        self.target.currentIndexChanged.connect(self._on_changed)
        self.mode.currentIndexChanged.connect(self._on_changed)
        self.precision.currentIndexChanged.connect(self._on_changed)
        for box in self.features.values():
            box.toggled.connect(self._on_changed)
        self.set_config(DEFAULT)

    def set_config(self, config: RunConfig) -> None:
        d, m, t = config.dataset, config.model, config.train
        for spin, value in (
            (self.window, d.window),
            (self.horizon, d.horizon),
            (self.layers, m.layers),
            (self.hidden, m.hidden),
            (self.dropout, m.dropout),
            (self.epochs, t.epochs),
            (self.batch, t.batch_size),
            (self.lr, t.lr),
            (self.patience, t.patience),
            (self.val_frac, d.val_frac),
            (self.test_frac, d.test_frac),
            (self.seed, t.seed),
            (self.forecast_days, config.forecast_days),
        ):
            spin.setValue(value)
        self.target.setCurrentText(d.target)
        self.mode.setCurrentIndex(max(0, self.mode.findData(d.target_mode)))
        self.precision.setCurrentIndex(max(0, self.precision.findData(t.precision)))
        chosen = set(d.features) or {d.target}
        for column, box in self.features.items():
            box.setChecked(column in chosen)
        self._on_changed()

    def config(self, data: DataRequest) -> RunConfig:
        features = tuple(c for c, box in self.features.items() if box.isChecked())
        if features == (self.target.currentText(),):
            features = ()
        dataset = DatasetSpec(
            features,
            self.target.currentText(),
            self.mode.currentData(),
            self.window.value(),
            self.horizon.value(),
            round(self.val_frac.value(), 4),
            round(self.test_frac.value(), 4),
        )
        model = ModelSpec(self.layers.value(), self.hidden.value(), round(self.dropout.value(), 4))
        train = TrainSpec(
            self.epochs.value(),
            self.batch.value(),
            self.lr.value(),
            self.patience.value(),
            self.seed.value(),
            precision=self.precision.currentData(),
        )
        return RunConfig(data, dataset, model, train, self.forecast_days.value())

    def set_rows(self, rows: int | None) -> None:
        self._rows = rows
        self._on_changed()

    def problem_text(self) -> str | None:
        """Why training cannot start with these settings, or None."""
        config = self.config(DataRequest())
        if not any(box.isChecked() for box in self.features.values()):
            return "Choose at least one input column."
        try:
            config.validate()
        except BadInput as exc:
            return str(exc)
        if self._rows is not None:
            return config.dataset.size_problem(self._rows)
        return None

    def _on_changed(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.changed.emit()

    def _on_reference_clicked(self) -> None:
        """The reference setup; data choices (target, inputs, split, seed) stay as they are."""
        for spin, value in (
            (self.window, 100),
            (self.horizon, 1),
            (self.layers, 2),
            (self.hidden, 50),
            (self.dropout, 0.0),
            (self.epochs, 100),
            (self.batch, 64),
            (self.lr, 1e-3),
        ):
            spin.setValue(value)
        self.precision.setCurrentIndex(self.precision.findData("float32"))
