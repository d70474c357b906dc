"""The settings of a run, declared once: frozen, keyword-only dataclasses whose fields carry their bounds, choices,
label and help in metadata. The command line's flags, the window's widgets and `validate` are all built from these
declarations, so a range can only ever be stated here. Light to import (the window needs it before torch).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import BadInput
from .setting_fields import bounds, check_fields, describe_range, fields_of, is_day, setting

__all__ = ["bounds", "check_fields", "describe_range", "fields_of", "setting"]  # declared there, used with these

SOURCES = ("yahoo", "csv", "sample")
PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")
TARGET_COLUMNS = ("Adj Close", "Close")
TARGET_MODES = ("log_return", "price", "price_level")
SCALERS = ("minmax", "standard")
PRECISIONS = ("float32", "bfloat16")
FORECAST_PATHS = ("blend", "raw")
CELLS = ("lstm", "gru", "rnn")  # the recurrent layer: LSTM, GRU, or a plain tanh RNN
MIN_WINDOWS = {"train": 20, "val": 5, "test": 5}  # fewer windows than this in a split cannot be trained/scored
SEED_MAX = 2**31 - 1  # what every front-end can hold (a Qt spin box is a 32-bit int)


@dataclass(frozen=True, kw_only=True)
class DataRequest:
    """What to load: the source, the tickers (the first is the target) and the dates (inclusive)."""

    source: str = setting("sample", label="Source", help="where prices come from", choices=SOURCES)
    tickers: tuple[str, ...] = setting(
        (), label="Tickers", help="the first is the target, others are inputs (none: the sample's first, or the file's)"
    )
    csv_path: str | None = setting(None, label="CSV file", help="a CSV file of daily prices")
    start: str | None = setting(None, label="Start date", help="first date, YYYY-MM-DD")
    end: str | None = setting(None, label="End date", help="last date, YYYY-MM-DD (inclusive)")
    offline: bool = setting(False, label="Offline", help="never touch the network; use the cache only")

    def validate(self) -> None:
        check_fields(self)


@dataclass(frozen=True, kw_only=True)
class DatasetSpec:
    """How prices become windows. Every field has a default (window 20: measured, see ModelSpec)."""

    features: tuple[str, ...] = setting(
        (), label="Inputs", help="columns of the target ticker used as inputs; empty = the target column alone"
    )
    target: str = setting("Adj Close", label="Target", help="price column to predict", choices=TARGET_COLUMNS)
    target_mode: str = setting(
        "log_return",
        label="Target mode",
        help="what the model predicts: the daily log return (default); the price path relative to the window's last "
        "price; or the price level scaled on the training range (projects made before version 0.2; it cannot reach "
        "prices above that range)",
        choices=TARGET_MODES,
    )
    window: int = setting(20, label="Window", help="days of history in each input", low=2, high=2000, unit="days")
    horizon: int = setting(1, label="Horizon", help="days predicted at once", low=1, high=250, unit="days")
    val_frac: float = setting(
        0.15,
        label="Validation fraction",
        help="share of rows for validation (early stopping), after the training rows",
        low=0.01,
        high=0.49,
        step=0.01,
        decimals=2,
    )
    test_frac: float = setting(
        0.15,
        label="Test fraction",
        help="share of rows held out for the final score, at the end",
        low=0.01,
        high=0.49,
        step=0.01,
        decimals=2,
    )
    val_start: str | None = setting(None, label="Validation start", help="split by dates: first validation day")
    test_start: str | None = setting(None, label="Test start", help="split by dates: first test day")
    scaler: str = setting(
        "minmax", label="Scaler", help="how inputs are scaled (fitted on training rows)", choices=SCALERS
    )

    def validate(self) -> None:
        """Refuse settings that cannot work, in words the user understands."""
        check_fields(self)
        unknown = [f for f in self.features if f not in PRICE_COLUMNS]
        if unknown:
            raise BadInput(f"Unknown input column {unknown[0]!r}; choose from {', '.join(PRICE_COLUMNS)}.")
        if len(set(self.features)) != len(self.features):
            raise BadInput("An input column is listed twice.")
        if bool(self.val_start) != bool(self.test_start):
            raise BadInput("Give both the validation and the test start dates, or neither.")
        for label, text in (("Validation start", self.val_start), ("Test start", self.test_start)):
            if text is not None and not is_day(text):
                raise BadInput(f"{label} {text!r} is not a day; write it as YYYY-MM-DD (no time, no time zone).")
        if self.val_start and self.test_start and not self.val_start < self.test_start:
            raise BadInput("The validation start must come before the test start.")

    def input_columns(self) -> tuple[str, ...]:
        """The target ticker's columns used as inputs."""
        return self.features or (self.target,)

    def size_problem(self, rows: int) -> str | None:
        """Why `rows` days cannot give enough windows in each split (fraction split), or None if they can."""
        if self.val_start or self.test_start:
            return None  # depends on the dates; checked when the dataset is built
        if self.target_mode == "log_return":
            rows -= 1  # the first day has no return
        n_test, n_val = round(rows * self.test_frac), round(rows * self.val_frac)
        counts = {
            "train": rows - n_val - n_test - self.horizon - self.window + 1,
            "val": n_val - self.horizon + 1,
            "test": n_test - self.horizon + 1,
        }
        for split, count in counts.items():
            if count < MIN_WINDOWS[split]:
                return (
                    f"Too little data for the {split} split: {rows} rows give {max(count, 0)} windows with window "
                    f"{self.window} and horizon {self.horizon} (at least {MIN_WINDOWS[split]} needed). Load more "
                    "data, shorten the window or change the split."
                )
        return None


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """Network shape; defaults chosen by measurement (2 stacked LSTM layers of 32 units: as good as the reference
    setup's 50 on walk-forward backtests of eight series, at a tenth of the cost with window 20)."""

    cell: str = setting(
        "lstm",
        label="Cell",
        help="the recurrent layer: lstm (4 gate blocks), gru (3) or rnn (a plain tanh RNN, 1)",
        choices=CELLS,
    )
    layers: int = setting(2, label="Layers", help="stacked recurrent layers", low=1, high=8)
    hidden: int = setting(32, label="Hidden size", help="units per recurrent layer", low=1, high=2048)
    dropout: float = setting(
        0.0,
        label="Dropout",
        help="dropout between recurrent layers (needs 2 or more) and before the head",
        low=0.0,
        high=0.9,
        step=0.05,
        decimals=2,
    )

    def validate(self) -> None:
        check_fields(self)


@dataclass(frozen=True, kw_only=True)
class TrainSpec:
    """How to train; defaults: Adam 1e-3 on batches of 64 windows (batch 256 measured no better and no cheaper, see
    ModelSpec), early stopping."""

    epochs: int = setting(
        100, label="Epochs", help="upper bound on passes over the training windows", low=1, high=100_000
    )
    batch_size: int = setting(
        64, label="Batch size", help="windows per optimiser step", low=1, high=65_536, flag="--batch-size"
    )
    lr: float = setting(
        1e-3,
        label="Learning rate",
        help="Adam learning rate",
        low=1e-6,
        high=1.0,
        step=1e-4,
        decimals=6,
    )
    patience: int = setting(
        10,
        label="Patience",
        help="stop after this many epochs without a better validation loss (0: never)",
        low=0,
        high=10_000,
        unit="epochs",
    )
    seed: int = setting(
        42, label="Seed", help="seeds weights, shuffling and dropout: same seed, same result", low=0, high=SEED_MAX
    )
    device: str = setting("auto", label="Device", help="auto, cpu, cuda or cuda:N")
    threads: int = setting(
        0,
        label="Threads",
        help="CPU threads for torch; 0 = automatic (half the cores, at most 4; the same on every run)",
        low=0,
        high=256,
    )
    precision: str = setting(
        "float32",
        label="Precision",
        help="training arithmetic: float32, or bfloat16 (faster on GPUs and CPUs with AVX-512 BF16 or AMX; "
        "weights, scores and forecasts stay float32)",
        choices=PRECISIONS,
    )

    def validate(self) -> None:
        check_fields(self)
        if self.device not in ("auto", "cpu", "cuda") and not (
            self.device.startswith("cuda:") and self.device[5:].isdigit()
        ):
            raise BadInput(f"Device must be auto, cpu, cuda or cuda:N, not {self.device!r}.")


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Everything that defines a run."""

    data: DataRequest = field(default_factory=DataRequest)
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    forecast_days: int = setting(
        30, label="Forecast days", help="trading days to forecast past the last date", low=0, high=1000, unit="days"
    )
    forecast_path: str = setting(
        "blend",
        label="Drawn path",
        help="the forecast path drawn and banded: the model's path blended per day toward the flat last price, by "
        "weights fitted on the errors known so far (0 where the model did not clearly help; default), or the "
        "model's raw path; applies when a model is trained",
        choices=FORECAST_PATHS,
    )

    def validate(self) -> None:
        self.data.validate()
        self.dataset.validate()
        self.model.validate()
        self.train.validate()
        check_fields(self)

    def to_dict(self) -> dict:
        from .codec import to_json

        return to_json(self)


@dataclass(frozen=True, kw_only=True)
class BacktestSpec:
    """A walk-forward backtest: K test blocks of N trading days at the end of the data, one after another, each
    predicted by a model trained only on what came before it."""

    folds: int = setting(
        8, label="Folds", help="test periods, one after another at the end of the data", low=1, high=100
    )
    fold_days: int = setting(
        21, label="Fold days", help="trading days in each test period", low=5, high=2000, unit="days"
    )
    refit_every: int = setting(
        1,
        label="Refit every",
        help="train a model every k folds; the folds in between are predicted by the last one (held)",
        low=1,
        high=100,
        unit="folds",
    )
    warm_start: bool = setting(
        False,
        label="Warm start",
        help="start each fold's training from the previous fold's weights instead of fresh ones (faster: its early "
        "stopping waits at most 3 epochs without gain)",
    )
    train_days: int = setting(
        0,
        label="Training days",
        help="a sliding training window of this many days (0: all the days before the fold, an expanding window)",
        low=0,
        high=100_000,
        unit="days",
    )
    workers: int = setting(
        0,
        label="Workers",
        help="worker processes for the folds (0: one per core); results do not depend on it",
        low=0,
        high=64,
    )

    def validate(self) -> None:
        check_fields(self)
        if self.train_days and self.warm_start:
            raise BadInput(
                "A warm start carries what earlier folds learned into the next one, so with a sliding training "
                "window (Training days) the model would still know the days the window dropped. Choose one."
            )
