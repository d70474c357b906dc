"""Sequential band calibration: at every origin, a band made only of errors whose outcome was known there.

Origins are consecutive trading days in time order; the step-h error of origin i, log(actual / forecast), becomes
known at origin i + h. At origin t and step h the band is built from the conformity scores  error / scale  of the
origins i <= t - h (the last `window` of them), times the origin's own scale (a volatility forecast per horizon,
assess/volatility.py, to the power 0.7), so calm and turbulent days get bands of their own width. The power below 1
allows for the forecast's own error: a volatility forecast that is low is more often too low than one that is high
(volatility jumps up suddenly and decays slowly), so errors divided by the full forecast had heavier tails in calm
periods (pooled over eight series 87.4 % of calm days held, 91.7 % of turbulent ones; with the power 0.7, 89.9 and
90.2 %, and a better interval score: tools/band_methods.py). An adaptive level per step and band level (adaptive
conformal inference, Gibbs & Candès 2021) moves the quantile after every outcome that arrives:
alpha <- alpha + (gamma / h) * (alpha* - missed), so the long-run share of misses is held at alpha* even when the
errors drift. The step is divided by h because neighbouring h-day forecasts share h - 1 of their days:
their misses come in clusters of about h, and a full step for each made long-horizon bands swing (measured:
tools/band_methods.py). The levels of a fan are kept nested (a wider level never lies inside a narrower one).

Nothing here reads an error before its outcome is known: the bands at origin t are a function of the errors of
origins i with i + h <= t only (tests/core/test_band_sequential.py perturbs later prices to prove it).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

LEVELS = (0.5, 0.8, 0.9, 0.95)
MAIN_LEVEL = 0.9


@dataclass(frozen=True)
class Calibration:
    """How bands are calibrated; the defaults were chosen by measurement (docs/performance.md)."""

    levels: tuple[float, ...] = LEVELS
    window: int = 1500  # recent known errors per step (about six years of origins; measured)
    gamma: float = 0.005  # ACI's step (divided by the horizon): how fast the level adapts to misses
    min_known: int = 30  # errors needed before a band is issued
    scale_power: float = 0.7  # errors are scaled by the volatility forecast to this power (1: fully; measured)


@dataclass(frozen=True)
class Bands:
    """lower, upper: (levels, origins, steps) log offsets issued at each origin (NaN: too few known errors)."""

    levels: tuple[float, ...]
    lower: np.ndarray
    upper: np.ndarray

    def level_index(self, level: float) -> int:
        return int(np.argmin(np.abs(np.asarray(self.levels) - level)))


def sequential_bands(errors: np.ndarray, scale: np.ndarray, calibration: Calibration = Calibration()) -> Bands:
    """Bands at every origin from `errors` (origins, steps) and the scale known at each origin (origins, steps).

    An error that is never known (past the data) is NaN; so is a scale that cannot be forecast yet."""
    errors = np.asarray(errors, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        scale = np.asarray(scale, dtype=np.float64) ** calibration.scale_power
    n, steps = errors.shape
    levels = np.asarray(sorted(calibration.levels), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(scale > 0, errors / scale, np.nan)
    lower = np.full((len(levels), n, steps), np.nan)
    upper = np.full((len(levels), n, steps), np.nan)
    for h in range(steps):
        low, high = _one_step(errors[:, h], scores[:, h], scale[:, h], h + 1, levels, calibration)
        lower[:, :, h], upper[:, :, h] = low, high
    # nested: each wider level at least as wide as the narrower ones
    lower = np.fmin.accumulate(lower, axis=0)
    upper = np.fmax.accumulate(upper, axis=0)
    return Bands(tuple(float(v) for v in levels), lower, upper)


def _one_step(
    errors: np.ndarray,
    scores: np.ndarray,
    scale: np.ndarray,
    step: int,
    levels: np.ndarray,
    calibration: Calibration,
) -> tuple[np.ndarray, np.ndarray]:
    """(levels, origins) offsets of one step: the known scores of the last `window` origins <= t - step (kept
    sorted as they arrive), at the level ACI has reached by origin t. Plain Python floats: a few microseconds an
    origin, where sorting every window afresh took a hundred times longer."""
    n = len(errors)
    window = max(1, calibration.window)
    gamma = calibration.gamma / step
    targets = [1.0 - float(v) for v in levels]
    alpha = list(targets)
    count_levels = len(targets)
    nan_row = [math.nan] * count_levels
    issued_low: list[list[float] | None] = [None] * n
    issued_high: list[list[float] | None] = [None] * n
    known: list[float] = []  # sorted scores of the window
    error_list, score_list, scale_list = errors.tolist(), scores.tolist(), scale.tolist()
    for t in range(n):
        arrived = t - step  # the origin whose outcome is known from now on
        if arrived >= 0:
            value = score_list[arrived]
            if value == value:  # not NaN
                bisect.insort(known, value)
            leaving = arrived - window
            if leaving >= 0 and score_list[leaving] == score_list[leaving]:
                del known[bisect.bisect_left(known, score_list[leaving])]
            error, lows, highs = error_list[arrived], issued_low[arrived], issued_high[arrived]
            if lows is not None and highs is not None and error == error:
                for k in range(count_levels):
                    missed = 1.0 if (error < lows[k] or error > highs[k]) else 0.0
                    alpha[k] += gamma * (targets[k] - missed)
        count = len(known)
        sigma = scale_list[t]
        if count < calibration.min_known or not sigma > 0:
            continue
        at_rank = known.__getitem__
        lows, highs = [], []
        for k in range(count_levels):
            a = min(max(alpha[k], 0.0), 1.0)
            low_rank = min(max(math.floor((count + 1) * a / 2), 1), count)
            high_rank = min(max(math.ceil((count + 1) * (1 - a / 2)), 1), count)
            lows.append(min(at_rank(low_rank - 1), 0.0) * sigma)
            highs.append(max(at_rank(high_rank - 1), 0.0) * sigma)
        issued_low[t], issued_high[t] = lows, highs
    lower = np.array([row if row is not None else nan_row for row in issued_low], dtype=np.float64).T
    upper = np.array([row if row is not None else nan_row for row in issued_high], dtype=np.float64).T
    return lower.reshape(count_levels, n), upper.reshape(count_levels, n)


def interval_scores(errors: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> np.ndarray:
    """The interval (Winkler) score of log prices, per entry: width plus 2/alpha per unit outside the band.
    Scale-free (logs), lower is better; NaN where the error or the band is unknown."""
    alpha = 1.0 - level
    below = np.maximum(lower - errors, 0.0)
    above = np.maximum(errors - upper, 0.0)
    return (upper - lower) + (2.0 / alpha) * (below + above)


def inside(errors: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Whether each known error fell inside its band (False where unknown)."""
    with np.errstate(invalid="ignore"):
        return (errors >= lower) & (errors <= upper)
