"""Is one forecast's error really different from another's? The Diebold–Mariano test, and a block bootstrap of
the skill, on the same days. numpy only (no scipy: the bundle leaves it out)."""

from __future__ import annotations

import math

import numpy as np


def normal_two_sided_p(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def long_run_variance(d: np.ndarray, lags: int) -> float:
    """Newey–West (Bartlett kernel) estimate of the long-run variance of `d`: autocorrelation-robust."""
    d = np.asarray(d, dtype=np.float64) - np.mean(d)
    n = len(d)
    variance = float(d @ d) / n
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1)
        variance += 2.0 * weight * float(d[lag:] @ d[:-lag]) / n
    return variance


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, horizon: int = 1) -> tuple[float, float]:
    """(statistic, two-sided p-value) of the Diebold–Mariano test that forecasts a and b have equal squared
    error, with the Harvey–Leybourne–Newbold small-sample correction. A negative statistic means a's error is
    smaller. Lags: at least horizon - 1 (overlapping forecasts), and n^(1/3) for autocorrelated errors."""
    a, b = np.asarray(errors_a, dtype=np.float64), np.asarray(errors_b, dtype=np.float64)
    return diebold_mariano_losses(a**2, b**2, horizon)


def diebold_mariano_losses(loss_a: np.ndarray, loss_b: np.ndarray, horizon: int = 1) -> tuple[float, float]:
    """The Diebold–Mariano test on any losses of two forecasts on the same days (squared errors, interval
    scores): (statistic, two-sided p-value); negative means a's loss is smaller."""
    d = np.asarray(loss_a, dtype=np.float64) - np.asarray(loss_b, dtype=np.float64)
    n = len(d)
    if n < 3:
        return math.nan, math.nan
    lags = max(horizon - 1, int(n ** (1 / 3)))
    variance = long_run_variance(d, lags)
    mean = float(np.mean(d))
    if not variance > 0:
        return (0.0, 1.0) if mean == 0 else (math.copysign(math.inf, mean), 0.0)
    statistic = mean / math.sqrt(variance / n)
    correction = math.sqrt(max((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n, 1e-12))
    statistic *= correction
    return statistic, normal_two_sided_p(statistic)


def skill_interval(
    model_errors: np.ndarray, baseline_errors: np.ndarray, level: float = 0.9, seed: int = 0, draws: int = 500
) -> tuple[float, float]:
    """A `level` interval of skill = 1 - RMSE(model)/RMSE(baseline) from a moving-block bootstrap of the days
    (blocks of about n^(1/3) days keep their autocorrelation). It shows how much the skill owes to which days
    happened to be in the test period; it does not show how much it owes to the seed."""
    a, b = np.asarray(model_errors, dtype=np.float64) ** 2, np.asarray(baseline_errors, dtype=np.float64) ** 2
    n = len(a)
    if n < 5:
        return math.nan, math.nan
    block = max(1, round(n ** (1 / 3)))
    starts = np.arange(n - block + 1)
    blocks = math.ceil(n / block)
    rng = np.random.default_rng(seed)
    picks = rng.choice(starts, size=(draws, blocks))
    index = (picks[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :n]
    skills = 1.0 - np.sqrt(a[index].mean(axis=1) / b[index].mean(axis=1))
    tail = (1 - level) / 2
    return float(np.quantile(skills, tail)), float(np.quantile(skills, 1 - tail))
