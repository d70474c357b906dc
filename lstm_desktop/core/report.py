"""The typed report of a run: what was trained on, how it trained, how it scored, what it forecasts.

Everything a front-end shows or a file stores is a field here, never a dict read by string keys. codec.to_json
stores it; `RunReport.from_json` reads it back, checking every field and naming the one that is wrong;
documents.py renders the `--json` documents of ARCHITECTURE.md from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

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
class Coverage:
    """How often the actual price fell inside the band, over `origins` forecast origins."""

    overall: float
    by_step: tuple[float, ...]
    origins: int
    sampling_error: float
    known: tuple[int, ...] = ()  # forecasts scored per step (to pool coverage over several periods)
    # sequential bands (0.3 on); None in earlier runs
    width: tuple[float, ...] | None = None  # mean width per step, log prices
    winkler: tuple[float, ...] | None = None  # mean interval score per step, log prices
    calm: float | None = None  # coverage on the origins of lower forecast volatility (half of them)
    turbulent: float | None = None  # ... and of higher
    by_level: dict[str, float] | None = None  # coverage of each level of the fan ("0.5": 0.51, ...)
    detail: OriginDetail | None = None  # per origin, to pool several periods (backtest folds)


@dataclass(frozen=True)
class OriginDetail:
    """Per origin of a split: the one-day volatility forecast, the steps known and inside, the mean interval
    score over the known steps (to pool calm/turbulent halves and compare bands over several periods)."""

    volatility: Floats
    known: Floats
    inside: Floats
    winkler: Floats


@dataclass(frozen=True)
class FanLevel:
    """One level of the fan: log offsets per step at the forecast origin."""

    level: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class BandVerdict:
    """The band against the random-walk band: sharper, same or wider by a Diebold–Mariano test of the interval
    scores (p < 0.05), and whether it held its level."""

    kind: Literal["sharper", "same", "wider", "unknown"]
    p_value: float | None
    text: str
    held: bool | None = None


@dataclass(frozen=True)
class Band:
    """The forecast band: log offsets from the forecast per step (lower <= 0 <= upper) at the forecast origin,
    and its measured coverage. Steps beyond the calibrated ones widen the last step's offsets by
    sqrt(step / calibrated steps). Sequential bands (calibrated_on "sequential") add the fan of levels, the
    drawn path's weights, the random-walk band through the same machinery, and the verdict between them."""

    level: float
    method: str
    calibrated_on: str
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    coverage: dict[str, Coverage] = field(default_factory=dict)
    levels: tuple[float, ...] = ()
    fan: tuple[FanLevel, ...] = ()
    blend: tuple[float, ...] = ()  # per step, the drawn path's weight on the model (0: the flat last price)
    baseline: Band | None = None  # the random-walk band ("tomorrow = today") through the same calibration
    verdict: BandVerdict | None = None

    def offsets(self, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) log offsets for steps 1..steps."""
        return widened(self.lower, self.upper, steps)

    def fan_offsets(self, steps: int) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """(level, lower, upper) log offsets for steps 1..steps of every level of the fan (the main level alone
        for runs made before the fan)."""
        if not self.fan:
            return [(self.level, *self.offsets(steps))]
        return [(f.level, *widened(f.lower, f.upper, steps)) for f in self.fan]

    def weights(self, steps: int) -> np.ndarray:
        """The drawn path's weight on the model for steps 1..steps (1: the raw path, as runs before 0.3 drew)."""
        if not self.blend:
            return np.ones(steps)
        w = np.asarray(self.blend, dtype=np.float64)
        return np.concatenate([w, np.full(max(steps - len(w), 0), w[-1])])[:steps]


def widened(lower: tuple[float, ...], upper: tuple[float, ...], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets for steps 1..steps: the calibrated ones, then the last widened by sqrt(step / calibrated)."""
    low, high = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    known = len(low)
    if steps <= known:
        return low[:steps], high[:steps]
    widen = np.sqrt(np.arange(known + 1, steps + 1) / known)
    return np.concatenate([low, low[-1] * widen]), np.concatenate([high, high[-1] * widen])


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
class BandSummary:
    """A band over every fold's test origins pooled."""

    overall: float
    by_step: tuple[float, ...]
    width: tuple[float, ...]
    winkler: tuple[float, ...]
    calm: float
    turbulent: float


@dataclass(frozen=True)
class PooledBand:
    """The model's band and the random-walk band over every fold, and the verdict between them."""

    model: BandSummary
    baseline: BandSummary
    verdict: BandVerdict


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
