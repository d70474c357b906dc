"""The assessment's code as it was before it was made faster (issue 24), kept so the bench can time both in one
process on the same trained models and check that they agree bit for bit: the band's per-origin loop (one step
and one error set at a time, each level in plain Python) and the linear baseline that recomputed its products for
every penalty. `before()` swaps them into the assessment for the duration of a `with` block (the bench only)."""

from __future__ import annotations

import bisect
import contextlib
import math
from collections.abc import Iterator, Sequence

import numpy as np

from lstm_desktop.core.assess import calibrated, evaluation
from lstm_desktop.core.assess.baselines import PENALTIES, Ridge, flatten
from lstm_desktop.core.assess.sequential import Bands, Calibration
from lstm_desktop.core.learn.dataset import Dataset


@contextlib.contextmanager
def before() -> Iterator[None]:
    """The assessment runs the code as it was inside the block."""
    saved = calibrated.sequential_band_sets, evaluation.fit_linear_baseline
    calibrated.sequential_band_sets, evaluation.fit_linear_baseline = band_sets_before, linear_baseline_before
    try:
        yield
    finally:
        calibrated.sequential_band_sets, evaluation.fit_linear_baseline = saved


def band_sets_before(error_sets: Sequence[np.ndarray], scale: np.ndarray, calibration: Calibration) -> list[Bands]:
    return [bands_before(errors, scale, calibration) for errors in error_sets]


def bands_before(errors: np.ndarray, scale: np.ndarray, calibration: Calibration) -> Bands:
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
    lower = np.fmin.accumulate(lower, axis=0)
    upper = np.fmax.accumulate(upper, axis=0)
    return Bands(tuple(float(v) for v in levels), lower, upper)


def _one_step(
    errors: np.ndarray, scores: np.ndarray, scale: np.ndarray, step: int, levels: np.ndarray, calibration: Calibration
) -> tuple[np.ndarray, np.ndarray]:
    n = len(errors)
    window = max(1, calibration.window)
    gamma = calibration.gamma / step
    targets = [1.0 - float(v) for v in levels]
    alpha = list(targets)
    count_levels = len(targets)
    nan_row = [math.nan] * count_levels
    issued_low: list[list[float] | None] = [None] * n
    issued_high: list[list[float] | None] = [None] * n
    known: list[float] = []
    error_list, score_list, scale_list = errors.tolist(), scores.tolist(), scale.tolist()
    for t in range(n):
        arrived = t - step
        if arrived >= 0:
            value = score_list[arrived]
            if value == value:
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


def linear_baseline_before(dataset: Dataset) -> Ridge:
    best: Ridge | None = None
    best_error = np.inf
    for penalty in PENALTIES:
        candidate = _ridge_before(dataset.x["train"], dataset.y["train"], penalty * len(dataset.x["train"]))
        error = float(np.mean((candidate.predict(dataset.x["val"]) - dataset.y["val"]) ** 2))
        if error < best_error:
            best, best_error = candidate, error
    assert best is not None
    return best


def _ridge_before(x: np.ndarray, y: np.ndarray, penalty: float) -> Ridge:
    features, targets = flatten(x), np.asarray(y, dtype=np.float64)
    x_mean, y_mean = features.mean(axis=0), targets.mean(axis=0)
    centred_x, centred_y = features - x_mean, targets - y_mean
    gram = centred_x.T @ centred_x + penalty * np.eye(features.shape[1])
    coef = np.linalg.solve(gram, centred_x.T @ centred_y)
    return Ridge(coef, y_mean - x_mean @ coef, penalty)
