"""The forecast log: every run's forecast, frozen when it is made, with what it knew (its origin day and price) and
what its run had measured before (the reference the alarm compares live scores with).

A frozen forecast is never changed: "Update forecast" redraws a run's forecast, a refresh appends prices, an update
makes a new run with a forecast of its own; the log keeps the one that was issued. It outlives its run (deleting a
run keeps its frozen forecast): the point of the log is that nothing can be taken back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..report import Forecast, RunReport
from ..specs import TARGET_COLUMNS

if TYPE_CHECKING:
    from ..store.project import StoredRun


@dataclass(frozen=True)
class Reference:
    """What the run measured before its forecast was frozen, per forecast step: the band's coverage (on the
    backtest's folds pooled, or on the test split when that scored more origins; unmeasured: the nominal level), its
    range, and the drawn path's RMSE beside the flat last price's on the test split (the multi-day check)."""

    source: Literal["backtest", "test", "nominal"]
    coverage: tuple[float, ...]  # per step; beyond the last, the last
    coverage_low: float | None = None  # backtest: the folds' lowest and highest coverage; test: ± 2 sampling errors
    coverage_high: float | None = None
    drawn_rmse: tuple[float, ...] = ()  # per step, price units of the test split (empty: not measured)
    flat_rmse: tuple[float, ...] = ()

    def coverage_at(self, steps: np.ndarray) -> np.ndarray:
        """The reference coverage at forecast steps `steps` (1-based)."""
        values = np.asarray(self.coverage, dtype=np.float64)
        return values[np.minimum(np.asarray(steps) - 1, len(values) - 1)]

    def skill_at(self, steps: np.ndarray) -> float | None:
        """1 - RMSE(drawn) / RMSE(flat) over these steps on the test split; None when not measured."""
        count = min(len(self.drawn_rmse), len(self.flat_rmse))
        chosen = [s - 1 for s in np.asarray(steps).tolist() if s - 1 < count]
        if not chosen:
            return None
        drawn = np.asarray(self.drawn_rmse, dtype=np.float64)[chosen]
        flat = np.asarray(self.flat_rmse, dtype=np.float64)[chosen]
        if not (np.all(np.isfinite(drawn)) and np.all(np.isfinite(flat))) or not np.any(flat > 0):
            return None
        return float(1.0 - math.sqrt(np.mean(drawn**2)) / math.sqrt(np.mean(flat**2)))


@dataclass(frozen=True)
class FrozenForecast:
    """A forecast as it was issued: the run that made it (id and name then), the target ticker and price column, the
    last day it knew (origin) and that day's price, when it was made, the band's level and the forecast itself
    (value, band and fan per date)."""

    run: str
    run_name: str
    ticker: str
    price_column: str
    origin: str  # YYYY-MM-DD
    origin_price: float
    made: str  # when the run was made (ISO time)
    level: float
    forecast: Forecast
    reference: Reference | None = None  # None: not known (filled from its run, when it is there, as the file opens)

    def __len__(self) -> int:
        return len(self.forecast)


@dataclass(frozen=True)
class DamagedFrozen:
    """A frozen forecast entry that could not be read: kept byte for byte (saving loses nothing), shown with its
    problem."""

    raw: Any
    problem: str


def problem_of(frozen: FrozenForecast, where: str) -> str | None:
    """What makes a frozen forecast read from a file unusable (None: nothing): its origin a real day, its dates after
    it and rising, its values and band finite numbers, its level and reference coverage shares. A hand-edited or
    damaged entry must be shown as damaged, not stop tracking with a traceback (or a JSON document that cannot be
    written)."""
    import datetime as dt

    days = frozen.forecast
    if len({len(days.dates), len(days.value), len(days.lower), len(days.upper)}) != 1 or not len(days.dates):
        return f"{where}.forecast has series of different lengths (or none)."
    try:
        origin = np.datetime64(dt.date.fromisoformat(frozen.origin), "D")
    except (TypeError, ValueError):
        origin = None
    if origin is None or len(frozen.origin) != 10:
        return f"{where} needs an origin day (YYYY-MM-DD), not {frozen.origin!r}."
    if not (math.isfinite(frozen.origin_price) and frozen.origin_price > 0):
        return f"{where} needs a positive origin price."
    if frozen.price_column not in TARGET_COLUMNS:
        return f"{where}.price_column should be one of {', '.join(TARGET_COLUMNS)}, not {frozen.price_column!r}."
    dates = np.asarray(days.dates).astype("datetime64[D]")
    if not (dates[0] > origin and np.all(np.diff(dates) > np.timedelta64(0, "D"))):
        return f"{where}.forecast.dates should rise, each day once, all after its origin {frozen.origin}."
    numbers = np.concatenate([np.asarray(v, dtype=np.float64) for v in (days.value, days.lower, days.upper)])
    if not np.all(np.isfinite(numbers)):
        return f"{where}.forecast holds a value or band edge that is not a finite number."
    if not 0.0 < frozen.level < 1.0:
        return f"{where}.level should be a share between 0 and 1, not {frozen.level!r}."
    reference = frozen.reference
    if reference is not None:
        shares = [*reference.coverage, *(v for v in (reference.coverage_low, reference.coverage_high) if v is not None)]
        if not reference.coverage or not all(0.0 <= v <= 1.0 for v in shares):
            return f"{where}.reference.coverage should hold shares between 0 and 1 (one per step at least)."
    return None


def reference_of(report: RunReport) -> Reference:
    """The coverage and multi-day accuracy the run measured, for the alarm."""
    level = report.band.level
    backtest = report.backtest
    aggregate = backtest.aggregate if backtest is not None else None
    test = report.band.coverage.get("test")
    low = high = None
    pooled = aggregate.coverage if aggregate is not None else None
    if pooled is not None and pooled.by_step and (test is None or pooled.origins >= test.origins):
        source = "backtest"
        by_step = aggregate.band.model.by_step if aggregate.band is not None else pooled.by_step
        folds = [f.coverage.overall for f in backtest.folds if f.coverage is not None]
        folds = [v for v in folds if math.isfinite(v)]
        if folds:
            low, high = min(folds), max(folds)
    elif test is not None and test.by_step:
        source, by_step = "test", test.by_step
        spread = 2 * test.sampling_error if math.isfinite(test.sampling_error) else math.nan
        if math.isfinite(test.overall) and math.isfinite(spread):
            low, high = max(0.0, test.overall - spread), min(1.0, test.overall + spread)
    else:
        source, by_step = "nominal", (level,)
    coverage = tuple(v if math.isfinite(v) else level for v in by_step) or (level,)
    multistep = report.metrics["test"].multistep if "test" in report.metrics else None
    drawn = flat = ()
    if multistep is not None:
        drawn, flat = multistep.blend_rmse or multistep.model_rmse, multistep.flat_rmse
    return Reference(source, coverage, low, high, tuple(drawn), tuple(flat))


def origin_price(report: RunReport, frames: tuple) -> float:
    """The target's price on the run's last day (the forecast's origin)."""
    import pandas as pd

    series = frames[0].frame[report.data.price_column]
    return float(series.loc[pd.Timestamp(report.data.end)])


def freeze(run: StoredRun) -> FrozenForecast | None:
    """The run's forecast as issued (None when it forecast no day, or its prices lack its last day's price: none
    there, or not a positive number, or its last day is not a date)."""
    report = run.report
    if not len(report.forecast):
        return None
    try:
        price = origin_price(report, run.data.frames)
    except (KeyError, IndexError, ValueError, TypeError):  # ValueError: pandas' DateParseError of an odd `end`
        return None
    if not (math.isfinite(price) and price > 0):
        return None
    return FrozenForecast(
        run=run.id,
        run_name=run.name,
        ticker=report.data.ticker,
        price_column=report.data.price_column,
        origin=report.data.end,
        origin_price=price,
        made=run.created,
        level=report.band.level,
        forecast=report.forecast,
        reference=reference_of(report),
    )
