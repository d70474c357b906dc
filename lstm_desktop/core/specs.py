"""The settings of a run as plain frozen dataclasses, light to import (the window needs them before torch).

Every field has a default (the reference setup) and a comment; `validate` refuses in the user's words what
cannot work.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .data.prices import PRICE_COLUMNS
from .errors import BadInput

SOURCES = ("yahoo", "csv", "sample")
TARGET_COLUMNS = ("Adj Close", "Close")
TARGET_MODES = ("price", "log_return")
SCALERS = ("minmax", "standard")
MAX_FORECAST_DAYS = 1000
MIN_WINDOWS = {"train": 20, "val": 5, "test": 5}  # fewer windows than this in a split cannot be trained/scored


@dataclass(frozen=True)
class DataRequest:
    """What to load: the source, the tickers (the first is the target) and the dates (inclusive)."""

    source: str = "sample"
    tickers: tuple[str, ...] = ("AAPL",)
    csv_path: str | None = None
    start: str | None = None
    end: str | None = None
    offline: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data["tickers"] = list(self.tickers)
        return data


@dataclass(frozen=True)
class DatasetSpec:
    """How prices become windows. Every field has a default: the reference setup."""

    features: tuple[str, ...] = ()  # columns of the target ticker; empty = the target column alone
    target: str = "Adj Close"  # price column predicted: Adj Close or Close
    target_mode: str = "price"  # predict the price itself, or its log return
    window: int = 100  # days of history in each input
    horizon: int = 1  # days predicted at once
    val_frac: float = 0.15  # share of rows for validation (early stopping), after the training rows
    test_frac: float = 0.15  # share of rows held out for the final score, at the end
    val_start: str | None = None  # or split by dates: first validation day
    test_start: str | None = None  # first test day
    scaler: str = "minmax"  # minmax or standard

    def to_dict(self) -> dict:
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    def validate(self) -> None:
        """Refuse settings that cannot work, in words the user understands."""
        if self.target not in TARGET_COLUMNS:
            raise BadInput(f"Target must be one of {', '.join(TARGET_COLUMNS)}, not {self.target!r}.")
        if self.target_mode not in TARGET_MODES:
            raise BadInput(f"Target mode must be price or log_return, not {self.target_mode!r}.")
        unknown = [f for f in self.features if f not in PRICE_COLUMNS]
        if unknown:
            raise BadInput(f"Unknown feature {unknown[0]!r}; choose from {', '.join(PRICE_COLUMNS)}.")
        if not 2 <= self.window <= 2000:
            raise BadInput(f"Window must be between 2 and 2000 days, not {self.window}.")
        if not 1 <= self.horizon <= 250:
            raise BadInput(f"Horizon must be between 1 and 250 days, not {self.horizon}.")
        if self.scaler not in SCALERS:
            raise BadInput(f"Scaler must be minmax or standard, not {self.scaler!r}.")
        if self.val_start is None and self.test_start is None:
            for name, frac in (("Validation", self.val_frac), ("Test", self.test_frac)):
                if not 0 < frac < 0.5:
                    raise BadInput(f"{name} fraction must be above 0 and below 0.5, not {frac}.")

    def size_problem(self, rows: int) -> str | None:
        """Why `rows` days cannot give enough windows in each split (fraction split), or None if they can."""
        if self.val_start or self.test_start:
            return None  # depends on the dates; checked when the dataset is built
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


@dataclass(frozen=True)
class ModelSpec:
    """Network shape; defaults are the reference setup (2 stacked LSTM layers of 50 units)."""

    layers: int = 2  # stacked LSTM layers
    hidden: int = 50  # units per layer
    dropout: float = 0.0  # between LSTM layers (needs layers >= 2) and before the head

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> None:
        if not 1 <= self.layers <= 8:
            raise BadInput(f"Layers must be between 1 and 8, not {self.layers}.")
        if not 1 <= self.hidden <= 2048:
            raise BadInput(f"Hidden size must be between 1 and 2048, not {self.hidden}.")
        if not 0 <= self.dropout < 1:
            raise BadInput(f"Dropout must be at least 0 and below 1, not {self.dropout}.")


PRECISIONS = ("float32", "bfloat16")


@dataclass(frozen=True)
class TrainSpec:
    """How to train; defaults are the reference setup plus early stopping."""

    epochs: int = 100  # upper bound on passes over the training windows
    batch_size: int = 64  # windows per optimiser step
    lr: float = 1e-3  # Adam learning rate
    patience: int = 10  # stop after this many epochs without a better validation loss (0: never)
    seed: int = 42  # seeds weights, shuffling and dropout: same seed, same result on CPU
    device: str = "auto"  # auto, cpu or cuda
    threads: int = 0  # CPU threads for torch; 0 picks a default
    precision: str = "float32"  # float32, or bfloat16 arithmetic while training (weights stay float32)

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> None:
        if not 1 <= self.epochs <= 100_000:
            raise BadInput(f"Epochs must be between 1 and 100000, not {self.epochs}.")
        if not 1 <= self.batch_size <= 65_536:
            raise BadInput(f"Batch size must be between 1 and 65536, not {self.batch_size}.")
        if not 0 < self.lr <= 1:
            raise BadInput(f"Learning rate must be above 0 and at most 1, not {self.lr}.")
        if self.patience < 0:
            raise BadInput(f"Patience must be 0 (off) or more, not {self.patience}.")
        if not 0 <= self.threads <= 256:
            raise BadInput(f"Threads must be between 0 (automatic) and 256, not {self.threads}.")
        if self.precision not in PRECISIONS:
            raise BadInput(f"Precision must be {' or '.join(PRECISIONS)}, not {self.precision!r}.")


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run."""

    data: DataRequest = field(default_factory=DataRequest)
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    forecast_days: int = 30

    def validate(self) -> None:
        self.dataset.validate()
        self.model.validate()
        self.train.validate()
        if not 0 <= self.forecast_days <= MAX_FORECAST_DAYS:
            raise BadInput(f"Forecast days must be between 0 and {MAX_FORECAST_DAYS}, not {self.forecast_days}.")

    def to_dict(self) -> dict:
        return {
            "data": self.data.to_dict(),
            "dataset": self.dataset.to_dict(),
            "model": self.model.to_dict(),
            "train": self.train.to_dict(),
            "forecast_days": self.forecast_days,
        }
