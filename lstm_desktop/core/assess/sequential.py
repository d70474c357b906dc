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
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..runtime import LockHandOver

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
    return sequential_band_sets((errors,), scale, calibration)[0]


def sequential_band_sets(
    error_sets: Sequence[np.ndarray], scale: np.ndarray, calibration: Calibration = Calibration()
) -> list[Bands]:
    """`sequential_bands` of several error sets of one shape around the same scale, computed together: the sets
    share every array operation of the loop over origins (the model's band and the random walk's)."""
    sets = [np.asarray(errors, dtype=np.float64) for errors in error_sets]
    if len({errors.shape for errors in sets}) != 1:
        raise ValueError(f"error sets of different shapes: {[errors.shape for errors in sets]}")
    steps = sets[0].shape[1]
    with np.errstate(invalid="ignore"):
        scale = np.tile(np.asarray(scale, dtype=np.float64) ** calibration.scale_power, (1, len(sets)))
    levels = np.asarray(sorted(calibration.levels), dtype=np.float64)
    errors = np.concatenate(sets, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(scale > 0, errors / scale, np.nan)
    lane_steps = np.tile(np.arange(1, steps + 1), len(sets))
    lower, upper = _all_lanes(errors, scores, scale, lane_steps, levels, calibration)
    # nested: each wider level at least as wide as the narrower ones
    lower = np.fmin.accumulate(lower, axis=0)
    upper = np.fmax.accumulate(upper, axis=0)
    named = tuple(float(v) for v in levels)
    parts = [slice(at * steps, (at + 1) * steps) for at in range(len(sets))]
    return [Bands(named, np.ascontiguousarray(lower[:, :, p]), np.ascontiguousarray(upper[:, :, p])) for p in parts]


def _all_lanes(
    errors: np.ndarray,
    scores: np.ndarray,
    scale: np.ndarray,
    lane_steps: np.ndarray,
    levels: np.ndarray,
    calibration: Calibration,
) -> tuple[np.ndarray, np.ndarray]:
    """(levels, origins, lanes) offsets; a lane is one step of one error set and `lane_steps` holds its step h.
    At origin t a lane's band is made of the known scores of the last `window` origins <= t - h (kept sorted as
    they arrive, one list per lane), at the level ACI has reached by origin t.

    What does not depend on the adaptive level is computed for all origins at once (which score arrives and which
    leaves, how many are known, whether a band is issued, which outcomes move a level); the loop over origins then
    handles every lane and level with one array operation each, and only the sorted lists and the picks from them
    are per lane. The arithmetic is the per-origin reference's, operation for operation
    (tests/core/test_band_sequential_reference.py checks every bit): alpha <- alpha + gamma / h * (alpha* -
    missed) in the order the outcomes arrive; ranks floor((count + 1) * a / 2) and ceil((count + 1) * (1 - a /
    2)) of the level clipped to [0, 1], then clipped to [1, count]; the offset is the score at that rank clipped
    at zero (as Python's min and max take it: a zero keeps its sign), times the origin's scale."""
    n, width = errors.shape
    k = len(levels)
    bands = np.full((n, width, 2 * k), np.nan)  # per origin and lane: k lower offsets, then k upper ones
    if n == 0 or width == 0:
        return _levels_first(bands, k)
    window = max(1, calibration.window)
    lanes = np.arange(width)
    arrived = np.arange(n)[:, None] - lane_steps  # (origins, lanes): the origin whose outcome is known from t on
    has_arrived = arrived >= 0
    at_arrived = np.maximum(arrived, 0)
    arriving = np.where(has_arrived, scores[at_arrived, lanes], np.nan)
    departing = np.where(arrived >= window, scores[np.maximum(arrived - window, 0), lanes], np.nan)
    counts = np.cumsum(~np.isnan(arriving), axis=0) - np.cumsum(~np.isnan(departing), axis=0)
    issued = (counts >= calibration.min_known) & (scale > 0)
    arrived_error = np.where(has_arrived, errors[at_arrived, lanes], np.nan)[:, :, None]
    # an outcome moves the level when its origin had a band and its error is known
    moves = (has_arrived & issued[at_arrived, lanes] & ~np.isnan(arrived_error[:, :, 0]))[:, :, None]
    any_moves, any_issued, all_issued = moves.any(axis=(1, 2)).tolist(), issued.any(1).tolist(), issued.all(1).tolist()
    targets = 1.0 - levels
    gamma = (calibration.gamma / lane_steps.astype(np.float64))[:, None]
    alpha = np.tile(targets, (width, 1))  # (lanes, levels)
    plus = (counts + 1).astype(np.float64)[:, :, None]
    top = counts[:, :, None]
    sigma = scale[:, :, None]
    sides = np.repeat([1.0, -1.0], k)  # a pick is clipped where side * pick > 0: min(q, 0) below, max(q, 0) above
    ranks = np.empty((width, 2 * k))
    known: list[list[float]] = [[] for _ in range(width)]  # per lane, the sorted scores of its window
    no_pick, rows = (0.0,) * (2 * k), [()] * width
    arriving_rows, departing_rows, issued_rows = arriving.tolist(), departing.tolist(), issued.tolist()
    insort, bisect_left, pick = bisect.insort, bisect.bisect_left, operator.itemgetter
    hand_over = LockHandOver()
    for t in range(n):
        hand_over()
        if any_moves[t]:
            before = bands[at_arrived[t], lanes]
            error = arrived_error[t]
            missed = (error < before[:, :k]) | (error > before[:, k:])
            np.add(alpha, gamma * (targets - missed), out=alpha, where=moves[t])
        if any_issued[t]:
            a = np.clip(alpha, 0.0, 1.0)
            np.floor(plus[t] * a / 2, out=ranks[:, :k])
            np.ceil(plus[t] * (1 - a / 2), out=ranks[:, k:])
            np.clip(ranks, 1, top[t], out=ranks)
            rows = (ranks - 1).astype(np.intp).tolist()
        picked: list[float] = []
        for pool, value, gone, issue, row in zip(known, arriving_rows[t], departing_rows[t], issued_rows[t], rows):
            if value == value:  # not NaN
                insort(pool, value)
            if gone == gone:
                del pool[bisect_left(pool, gone)]
            picked.extend(pick(*row)(pool) if issue else no_pick)
        if not any_issued[t]:
            continue
        values = np.fromiter(picked, np.float64, width * 2 * k).reshape(width, 2 * k)
        np.multiply(np.where(values * sides > 0.0, 0.0, values), sigma[t], out=bands[t])
        if not all_issued[t]:
            bands[t, ~issued[t]] = np.nan
    return _levels_first(bands, k)


def _levels_first(bands: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(origins, lanes, 2k) lower and upper offsets as two (levels, origins, lanes) arrays."""
    return bands[:, :, :k].transpose(2, 0, 1), bands[:, :, k:].transpose(2, 0, 1)


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
