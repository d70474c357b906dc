"""Score every frozen forecast on the days that have arrived since its origin.

Each known day's actual price is the origin price times the return from the origin in the newest prices:
origin_price × P(day) / P(origin). So a re-adjustment that scales the whole past (a dividend, a split) cancels out,
and what is scored is what the price did after the forecast was made. Per day: actual, error (forecast − actual),
inside the band or not; over the known days: RMSE, the RMSE of the flat last price of its origin, the skill
between them, the band's coverage, and the alarm (alarm.py) when these fall outside what the run measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..codec import Dates, Floats
from .alarm import ALARM_P, CoverageCheck, band_sigma, coverage_check, direction_p_value
from .frozen import DamagedFrozen, FrozenForecast
from .newest import newest_frames
from .text import tracked_text

if TYPE_CHECKING:
    from ..data.prices import PriceFrame
    from ..store.project import Project


@dataclass(frozen=True)
class Tracked:
    """One frozen forecast against the prices since its origin. Per forecast day: the frozen value and band, the
    actual price (NaN: not known yet), the error and whether it was inside (`known` says which days are scored)."""

    run: str
    run_name: str
    ticker: str
    origin: str
    origin_price: float
    level: float
    dates: Dates
    value: Floats
    lower: Floats
    upper: Floats
    actual: Floats
    known: tuple[bool, ...]
    days_known: int
    rmse: float | None
    flat_rmse: float | None
    skill: float | None
    coverage: float | None
    reference_source: str  # backtest | test | nominal | none
    reference_coverage: float | None  # the run's coverage over the known steps
    reference_skill: float | None  # the run's multi-day skill over the known steps (test split)
    coverage_p: float | None  # how often a band as good as the reference holds as few days, from one origin
    skill_p: float | None  # how often prices unrelated to the forecast go against it as far
    alarm: bool
    text: str
    problem: str | None = None  # why it could not be scored (its prices, a damaged entry)
    prices_end: str | None = None  # the last day of the prices it was scored on

    @property
    def inside(self) -> np.ndarray:
        """Per known day whether the actual price was inside the band."""
        return (self.actual >= self.lower) & (self.actual <= self.upper)


def track_project(project: Project) -> tuple[Tracked, ...]:
    """Every frozen forecast of the project scored on its newest prices, oldest origin first."""
    frames = newest_frames(project)
    return tuple(sorted((track_one(frozen, frames) for frozen in project.frozen), key=row_order))


def track_one(frozen: FrozenForecast | DamagedFrozen, frames: dict[str, PriceFrame]) -> Tracked:
    """One entry of the forecast log scored on the newest prices by ticker (a damaged one: its row saying so)."""
    if isinstance(frozen, DamagedFrozen):
        return damaged_row(frozen)
    return track(frozen, frames.get(frozen.ticker))


def row_order(tracked: Tracked) -> tuple[str, str]:
    """How tracked rows are listed: oldest origin first, then by run name."""
    return tracked.origin, tracked.run_name


def damaged_row(frozen: DamagedFrozen) -> Tracked:
    raw = frozen.raw if isinstance(frozen.raw, dict) else {}
    empty = np.array([], dtype=np.float64)
    return Tracked(
        str(raw.get("run", "?")), str(raw.get("run_name", "?")), str(raw.get("ticker", "?")),
        str(raw.get("origin", "?")), math.nan, math.nan, np.array([], dtype="datetime64[D]"), empty, empty, empty,
        empty, (), 0, None, None, None, None, "none", None, None, None, None, False,
        f"This frozen forecast cannot be read: {frozen.problem}", frozen.problem,
    )  # fmt: skip


def actual_prices(frozen: FrozenForecast, frame: PriceFrame) -> np.ndarray:
    """Per forecast day, origin_price × P(day) / P(origin) in `frame` (NaN where the day has no price yet)."""
    series = frame.frame[frozen.price_column]
    origin = pd.Timestamp(frozen.origin)
    if origin not in series.index:
        raise LookupError(f"the prices of {frozen.ticker} no longer hold its origin day {frozen.origin}")
    start = float(series.loc[origin])
    days = pd.DatetimeIndex(frozen.forecast.dates.astype("datetime64[ns]"))
    found = series.reindex(days).to_numpy(dtype=np.float64, copy=True)
    found[days <= origin] = np.nan
    return frozen.origin_price * found / start


def track(frozen: FrozenForecast, frame: PriceFrame | None) -> Tracked:
    """One frozen forecast scored on `frame` (its ticker's newest prices; None: the project has none)."""
    days = frozen.forecast
    value, lower, upper = (np.asarray(v, dtype=np.float64) for v in (days.value, days.lower, days.upper))
    problem = None
    if frame is None or frozen.price_column not in frame.frame.columns:
        actual, problem = np.full(len(days), np.nan), f"the project holds no {frozen.price_column} of {frozen.ticker}"
    else:
        try:
            actual = actual_prices(frozen, frame)
        except LookupError as exc:
            actual, problem = np.full(len(days), np.nan), str(exc)
    known = np.isfinite(actual)
    steps = np.flatnonzero(known) + 1
    n = int(known.sum())
    rmse = flat = skill = coverage = cover_p = skill_p = ref_cover = ref_skill = None
    source = frozen.reference.source if frozen.reference is not None else "none"
    check: CoverageCheck | None = None
    if n:
        a = actual[known]
        rmse = float(np.sqrt(np.mean((value[known] - a) ** 2)))
        flat = float(np.sqrt(np.mean((frozen.origin_price - a) ** 2)))
        skill = 1.0 - rmse / flat if flat > 0 else None
        inside = int(((a >= lower[known]) & (a <= upper[known])).sum())
        coverage = inside / n
        if frozen.reference is not None:
            check = coverage_check(inside, steps, frozen.reference.coverage_at(steps))
            cover_p, ref_cover = check.p_value, check.expected
            ref_skill = frozen.reference.skill_at(steps)
        if skill is not None:
            sigma = band_sigma(value, lower, upper, frozen.level)[: steps.max()]
            moves = np.log(value[known] / frozen.origin_price)
            skill_p = direction_p_value(a / frozen.origin_price, steps, moves, sigma)
    alarm = (cover_p is not None and cover_p < ALARM_P) or (skill_p is not None and skill_p < ALARM_P)
    tracked = Tracked(
        frozen.run, frozen.run_name, frozen.ticker, frozen.origin, frozen.origin_price, frozen.level, days.dates,
        value, lower, upper, actual, tuple(bool(k) for k in known), n, rmse, flat, skill, coverage, source,
        ref_cover, ref_skill, cover_p, skill_p, bool(alarm), "", problem, frame.end if frame is not None else None,
    )  # fmt: skip
    return _with_text(tracked, frozen, check)


def _with_text(tracked: Tracked, frozen: FrozenForecast, check: CoverageCheck | None) -> Tracked:
    import dataclasses

    return dataclasses.replace(tracked, text=tracked_text(tracked, frozen, check))


def prices_around(frozen: FrozenForecast, frame: PriceFrame | None, before: int) -> tuple[np.ndarray, np.ndarray]:
    """(dates, prices) of `before` trading days before the origin through the forecast's last day (or the last day
    known), on the forecast's basis: origin_price × P(day) / P(origin), so they meet the forecast at its origin."""
    empty = (np.array([], dtype="datetime64[D]"), np.array([], dtype=np.float64))
    if frame is None or frozen.price_column not in frame.frame.columns:
        return empty
    series = frame.frame[frozen.price_column]
    origin = pd.Timestamp(frozen.origin)
    if origin not in series.index:
        return empty
    at = series.index.get_loc(origin)
    last = pd.Timestamp(frozen.forecast.dates[-1])
    chosen = series.iloc[max(0, at - before) :]
    chosen = chosen[chosen.index <= last]
    prices = frozen.origin_price * chosen.to_numpy(dtype=np.float64) / float(series.iloc[at])
    return chosen.index.to_numpy().astype("datetime64[D]"), prices
