"""What the folds of a backtest say together: the spread of their skills, how many beat "tomorrow = today",
the scores of all their test days pooled (with a significance test over many more days than one period has),
and the band's coverage over every fold."""

from __future__ import annotations

import math

import numpy as np

from ..assess.evaluation import score, skill
from ..assess.verdict import verdict
from ..report import BacktestAggregate, Coverage, FoldReport, PooledScores
from .pooled_band import pooled_band


def pooled_scores(folds: list[FoldReport], dates: np.ndarray, prices: np.ndarray) -> PooledScores:
    """Model and persistence over every fold's test days; persistence is the price of the day before each."""
    day = np.concatenate([f.predictions.dates for f in folds]).astype("datetime64[D]")
    actual = np.concatenate([f.predictions.actual for f in folds])
    predicted = np.concatenate([f.predictions.predicted for f in folds])
    position = np.searchsorted(dates.astype("datetime64[D]"), day)
    last = prices[position - 1]
    model, persistence = score(actual, predicted, last), score(actual, last, last)
    value = skill(model.rmse, persistence.rmse)
    return PooledScores(model, persistence, value, verdict(predicted - actual, last - actual, value))


def pooled_coverage(folds: list[FoldReport]) -> Coverage | None:
    """Coverage over every fold's forecasts, per step weighted by how many each fold scored."""
    covers = [f.coverage for f in folds if f.coverage is not None and f.coverage.known]
    if not covers:
        return None
    steps = max(len(c.known) for c in covers)
    inside, known = np.zeros(steps), np.zeros(steps)
    for cover in covers:
        count = np.asarray(cover.known, dtype=np.float64)
        rates = np.nan_to_num(np.asarray(cover.by_step, dtype=np.float64))
        inside[: len(count)] += rates * count
        known[: len(count)] += count
    by_step = tuple(float(i / k) if k else math.nan for i, k in zip(inside, known))
    origins = sum(c.origins for c in covers)
    return Coverage(
        overall=float(inside.sum() / known.sum()) if known.sum() else math.nan,
        by_step=by_step,
        origins=origins,
        sampling_error=pooled_error(covers, origins),
        known=tuple(int(k) for k in known),
    )


def pooled_error(covers: list, origins: int) -> float:
    """The pooled coverage's standard error: the larger of the folds' own errors combined (as if independent) and
    the spread of the folds' coverages between them. A fold's 21 or so origins share most of their days, so its
    own bootstrap error understates; how much folds differ is the honest measure once there are several."""
    if not origins:
        return math.nan
    within = math.sqrt(sum((c.origins * c.sampling_error) ** 2 for c in covers if math.isfinite(c.sampling_error)))
    within /= origins
    rates = np.array([c.overall for c in covers if math.isfinite(c.overall)], dtype=np.float64)
    between = float(rates.std(ddof=1) / math.sqrt(len(rates))) if len(rates) > 1 else 0.0
    return max(within, between)


def aggregate(folds: list[FoldReport], dates: np.ndarray, prices: np.ndarray, planned: int) -> BacktestAggregate:
    """The aggregate of the finished folds (of `planned`)."""
    skills = np.array([f.metrics.skill for f in folds], dtype=np.float64)
    finite = skills[np.isfinite(skills)]
    pooled = pooled_scores(folds, dates, prices)
    beats = int((finite > 0).sum())
    cover = pooled_coverage(folds)
    days = sum(len(f.predictions) for f in folds)
    text = (
        f"Lower error than 'tomorrow = today' in {beats} of {len(folds)} periods"
        + (f" ({planned - len(folds)} not run: stopped)" if len(folds) < planned else "")
        + f"; pooled skill {pooled.skill:+.2%} over {days} days. {pooled.verdict.text}"
    )

    def stat(fn: object) -> float:
        return float(fn(finite)) if len(finite) else math.nan

    return BacktestAggregate(
        folds=len(folds),
        beats_persistence=beats,
        skill_median=stat(np.median),
        skill_mean=stat(np.mean),
        skill_std=stat(np.std),
        skill_min=stat(np.min),
        skill_max=stat(np.max),
        pooled=pooled,
        coverage=cover,
        verdict=text,
        band=pooled_band(folds, cover),
    )
