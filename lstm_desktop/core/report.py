"""The typed report of a run: what was trained on, how it trained, how it scored, what it forecasts.

Everything a front-end shows or a file stores is a field here, never a dict read by string keys. codec.to_json
stores it; `RunReport.from_json` reads it back, checking every field and naming the one that is wrong;
documents.py renders the `--json` documents of ARCHITECTURE.md from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .band_report import (  # noqa: F401  (re-exported: the report's band types live there)
    Band,
    BandSummary,
    BandVerdict,
    Coverage,
    FanLevel,
    OriginDetail,
    PooledBand,
    widened,
)
from .codec import Dates, FieldError, Floats, from_json
from .learn.inputs import InputColumn
from .learn.scaling import Scaler
from .specs import BacktestSpec, RunConfig

SPLITS = ("train", "val", "test")

FUTURE_INPUTS = (
    "In the forecast, the target ticker's price columns take the predicted values; inputs that cannot be known "
    "in the future (volume, other tickers) are held at their last known value."
)


@dataclass(frozen=True)
class DataSummary:
    """What the run trained on."""

    source: str
    ticker: str
    tickers: tuple[str, ...]
    rows: int
    start: str
    end: str
    price_column: str
    origin: str = ""
    repairs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    exchange: str | None = None  # the exchange code Yahoo gave, when it did
    calendar: str = "XNYS"  # the trading calendar of the forecast's dates (exchange_calendars name)


@dataclass(frozen=True)
class Scores:
    """Errors in price units. `directional_accuracy` is None for a predictor that never predicts a move."""

    rmse: float
    mae: float
    mape: float
    directional_accuracy: float | None


@dataclass(frozen=True)
class Verdict:
    """Against tomorrow = today: kind is beats, loses or no_difference (or unknown when it cannot be told).
    beats and loses only when a Diebold–Mariano test rejects equal squared errors at 5 %."""

    kind: Literal["beats", "loses", "no_difference", "unknown"]
    text: str
    p_value: float | None = None
    skill_low: float | None = None  # the skill's 90 % interval over the split's days (block bootstrap)
    skill_high: float | None = None


@dataclass(frozen=True)
class MultiStep:
    """The recursive N-day forecast from every origin of a split against the flat last-price line, RMSE per step."""

    steps: int
    origins: int
    model_rmse: tuple[float, ...]
    flat_rmse: tuple[float, ...]
    blend_rmse: tuple[float, ...] = ()  # the drawn path (the model blended with the flat line); empty before 0.3


@dataclass(frozen=True)
class SplitScores:
    """The model and every baseline on one split, the skill against persistence and the verdict."""

    model: Scores
    persistence: Scores
    drift: Scores
    skill: float
    linear: Scores | None = None
    verdict: Verdict | None = None
    multistep: MultiStep | None = None


@dataclass(frozen=True)
class Series:
    """One-step-ahead predictions on a split: date, actual and predicted price, and the band when there is one."""

    dates: Dates
    actual: Floats
    predicted: Floats
    lower: Floats | None = None
    upper: Floats | None = None
    drawn: Floats | None = None  # the drawn path's first step, which the band is centred on (0.3 on)

    def __len__(self) -> int:
        return len(self.dates)


@dataclass(frozen=True)
class FanPrices:
    """One level of the forecast's fan, in prices."""

    level: float
    lower: Floats
    upper: Floats


@dataclass(frozen=True)
class Forecast:
    """Prices forecast past the last date, with the band around them (lower, upper: the main level) and the fan
    of every level (none in runs made before the fan)."""

    dates: Dates
    value: Floats
    lower: Floats
    upper: Floats
    fan: tuple[FanPrices, ...] = ()

    def __len__(self) -> int:
        return len(self.dates)


@dataclass(frozen=True)
class Epoch:
    """One line of the training history."""

    epoch: int
    train_loss: float
    val_loss: float
    seconds: float


@dataclass(frozen=True)
class FoldReport:
    """One period of a walk-forward backtest: its dates, its model's training, its scores on the test block."""

    fold: int
    train: tuple[str, ...]
    val: tuple[str, ...]
    test: tuple[str, ...]
    windows: dict[str, int]
    trained: bool  # False: predicted by the previous fold's model, held
    epochs: int
    seconds: float
    stopped: Literal["completed", "early_stopping", "user", "held"]
    metrics: SplitScores
    predictions: Series
    coverage: Coverage | None = None
    baseline_coverage: Coverage | None = None  # the random-walk band's, on the same origins


@dataclass(frozen=True)
class PooledScores:
    """Every fold's test days together."""

    model: Scores
    persistence: Scores
    skill: float
    verdict: Verdict


@dataclass(frozen=True)
class BacktestAggregate:
    folds: int
    beats_persistence: int  # folds whose model's error was below persistence's (skill > 0)
    skill_median: float
    skill_mean: float
    skill_std: float
    skill_min: float
    skill_max: float
    pooled: PooledScores
    coverage: Coverage | None
    verdict: str
    band: PooledBand | None = None


@dataclass(frozen=True)
class BacktestReport:
    """A walk-forward backtest: the folds that finished and what they say together."""

    settings: BacktestSpec
    workers: int
    threads: int  # torch threads in each worker
    seconds: float
    complete: bool  # every planned fold finished (False after a stop)
    problems: tuple[str, ...]  # why folds failed, if any did
    folds: tuple[FoldReport, ...]
    aggregate: BacktestAggregate | None


@dataclass(frozen=True)
class RunReport:
    """Everything a finished (or stopped) run produced, except its weights."""

    settings: RunConfig
    data: DataSummary
    split: dict[str, tuple[str, ...]]
    windows: dict[str, int]
    inputs: tuple[InputColumn, ...]
    feature_scaler: Scaler
    target_scaler: Scaler
    history: tuple[Epoch, ...]
    best_epoch: int | None
    stopped: Literal["completed", "early_stopping", "user", "held", "pruned"]
    device: str
    threads: int
    seconds: float
    metrics: dict[str, SplitScores]
    predictions: dict[str, Series]
    forecast: Forecast
    band: Band
    future_inputs: str
    versions: dict[str, str] = field(default_factory=dict)
    backtest: BacktestReport | None = None
    parent: str | None = None  # the run this one was updated from (core/living/update.py); None: trained afresh

    @classmethod
    def from_json(cls, data: Any, where: str = "report") -> RunReport:
        """Read a report back, checking every field; raises FieldError naming the wrong one."""
        report = from_json(cls, data, where)
        report.check(where)
        return report

    def check(self, where: str = "report") -> None:
        """Consistency a type cannot express: known splits with two dates each, series of one length, a band."""
        for name, keys in (("split", self.split), ("windows", self.windows), ("metrics", self.metrics)):
            unknown = set(keys) - set(SPLITS)
            if unknown:
                raise FieldError(f"{where}.{name} has an unknown split {sorted(unknown)[0]!r}.")
        for split, days in self.split.items():
            if len(days) != 2 or not all(len(d) == 10 for d in days) or days[0] > days[1]:
                raise FieldError(f"{where}.split.{split} should be its first and last day, YYYY-MM-DD.")
        for split, series in self.predictions.items():
            if split not in self.split:
                raise FieldError(f"{where}.predictions has a split {split!r} that split does not list.")
            if split in self.windows and len(series.dates) != self.windows[split]:
                raise FieldError(f"{where}.predictions.{split} holds another number of days than its windows.")
            if len({len(series.dates), len(series.actual), len(series.predicted)}) != 1 or not len(series.dates):
                raise FieldError(f"{where}.predictions.{split} has series of different lengths (or none).")
            for band in (series.lower, series.upper, series.drawn):
                if band is not None and len(band) != len(series.dates):
                    raise FieldError(f"{where}.predictions.{split} has a band of another length.")
        days = self.forecast
        if len({len(days.dates), len(days.value), len(days.lower), len(days.upper)}) != 1:
            raise FieldError(f"{where}.forecast has series of different lengths.")
        if len(self.band.lower) != len(self.band.upper) or not self.band.lower:
            raise FieldError(f"{where}.band needs as many lower as upper offsets, at least one.")
        if any(count < 0 for count in self.windows.values()) or self.threads < 0:
            raise FieldError(f"{where}: window counts and threads cannot be negative.")

    @property
    def best_val_loss(self) -> float | None:
        if self.best_epoch is None or not 1 <= self.best_epoch <= len(self.history):
            return None
        return self.history[self.best_epoch - 1].val_loss

    def document(self) -> dict:
        """The `train --json` document of ARCHITECTURE.md."""
        from .documents import run_document

        return run_document(self)
