"""What a sequential band did on the origins of a split: coverage per step and per level, mean width and interval
score per step (log prices), coverage in the calm and the turbulent half of the origins (split at the median
one-day volatility forecast), and the per-origin detail that lets several periods be pooled."""

from __future__ import annotations

import math

import numpy as np

from ..report import Coverage, OriginDetail
from .band import block_bootstrap_error
from .sequential import Bands, inside, interval_scores


def measured(errors: np.ndarray, bands: Bands, volatility: np.ndarray, level: float) -> Coverage:
    """Coverage of the `level` band over these origins: errors (origins, steps), NaN where unknown; bands over the
    same origins; volatility (origins,) the one-day volatility forecast at each origin."""
    index = bands.level_index(level)
    low, high = bands.lower[index], bands.upper[index]
    known = np.isfinite(errors) & np.isfinite(low) & np.isfinite(high)
    hit = inside(errors, low, high) & known
    score = np.where(known, interval_scores(errors, low, high, level), np.nan)
    width = np.where(known, high - low, np.nan)
    steps = errors.shape[1]
    counts = known.sum(axis=0)
    by_step = tuple(float(hit[:, s].sum() / counts[s]) if counts[s] else math.nan for s in range(steps))
    per_known = known.sum(axis=1)
    usable = per_known > 0
    share = hit.sum(axis=1)[usable] / per_known[usable]
    calm, turbulent = halves(hit, known, volatility)
    by_level = {}
    for at, value in enumerate(bands.levels):
        lo, hi = bands.lower[at], bands.upper[at]
        ok = np.isfinite(errors) & np.isfinite(lo) & np.isfinite(hi)
        by_level[f"{value:g}"] = float((inside(errors, lo, hi) & ok).sum() / ok.sum()) if ok.any() else math.nan
    with np.errstate(invalid="ignore"):
        origin_score = np.where(usable, np.nansum(score, axis=1) / np.maximum(per_known, 1), np.nan)
    return Coverage(
        overall=float(hit.sum() / known.sum()) if known.any() else math.nan,
        by_step=by_step,
        origins=int(usable.sum()),
        sampling_error=block_bootstrap_error(share, block=steps),
        known=tuple(int(c) for c in counts),
        width=_column_means(width),
        winkler=_column_means(score),
        calm=calm,
        turbulent=turbulent,
        by_level=by_level,
        detail=OriginDetail(
            volatility=np.asarray(volatility, dtype=np.float64),
            known=per_known.astype(np.float64),
            inside=hit.sum(axis=1).astype(np.float64),
            winkler=origin_score,
        ),
    )


def halves(hit: np.ndarray, known: np.ndarray, volatility: np.ndarray) -> tuple[float, float]:
    """Coverage on the origins at or below the median volatility forecast, and above it."""
    finite = np.isfinite(volatility)
    if finite.sum() < 2:
        return math.nan, math.nan
    median = float(np.median(volatility[finite]))
    calm = finite & (volatility <= median)
    turbulent = finite & (volatility > median)

    def rate(rows: np.ndarray) -> float:
        total = known[rows].sum()
        return float(hit[rows].sum() / total) if total else math.nan

    return rate(calm), rate(turbulent)


def _column_means(values: np.ndarray) -> tuple[float, ...]:
    out = []
    for column in values.T:
        finite = column[np.isfinite(column)]
        out.append(float(finite.mean()) if len(finite) else math.nan)
    return tuple(out)
