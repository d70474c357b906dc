"""A leak-free volatility forecast per horizon that reverts to a long-run level (a GARCH(1,1)-type term structure
on an EWMA of squared daily log returns).

At the close of day t only returns up to t are known. The one-day variance forecast for t+1 is an EWMA of squared
returns; the long-run level is the mean squared return of the trailing `long_days` (expanding until that many are
known). A k-day-ahead daily variance reverts geometrically from the current level to the long-run one, so the
h-day variance is the sum over k = 1..h of  long + φ^(k-1) · (current − long). With φ = 1 this is the plain EWMA
rule (√h scaling of today's volatility); with φ = 0 it is the long-run level alone.

Why not the `arch` package: a GARCH fit is a numerical optimisation per origin (thousands of fits per run), and
arch brings scipy and statsmodels into the bundle (docs/design.md); fixed parameters, chosen by measuring the
random-walk band over decades of eight public series (tools/band_methods.py), give the term structure in
microseconds. The persistence chosen (0.97 a day) is lower than a fitted GARCH's (about 0.98-0.99): the faster
reversion scored better at 16-30 days ahead, where a month's volatility is less predictable than GARCH assumes.
"""

from __future__ import annotations

import numpy as np

EWMA_DECAY = 0.94  # RiskMetrics' daily decay: a half-life of about 11 trading days
REVERSION = 0.97  # daily persistence of a variance shock (a half-life of about 23 trading days; measured)
LONG_DAYS = 756  # three years of trading days for the long-run level
MIN_KNOWN = 20  # returns needed before a forecast is made; earlier origins get NaN


def daily_variance(
    returns: np.ndarray, decay: float = EWMA_DECAY, long_days: int = LONG_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """(current, long) daily variance forecasts for day t+1 made at the close of day t, per t.

    `returns[t]` is the log return of day t (NaN where unknown: the first day). current[t] and long[t] use
    returns[..t] only; both are NaN until MIN_KNOWN returns are known."""
    r = np.asarray(returns, dtype=np.float64)
    squared = np.where(np.isfinite(r), r * r, np.nan)
    n = len(squared)
    current = np.full(n, np.nan)
    level = np.nan
    seen = 0
    for t in range(n):
        value = squared[t]
        if not np.isfinite(value):
            current[t] = level if seen >= MIN_KNOWN else np.nan
            continue
        seen += 1
        level = value if not np.isfinite(level) else decay * level + (1 - decay) * value
        current[t] = level if seen >= MIN_KNOWN else np.nan
    filled = np.where(np.isfinite(squared), squared, 0.0)
    counts = np.cumsum(np.isfinite(squared))
    sums = np.cumsum(filled)
    lagged_sums = np.concatenate([np.zeros(long_days), sums[:-long_days]]) if n > long_days else np.zeros(n)
    lagged_counts = np.concatenate([np.zeros(long_days), counts[:-long_days]]) if n > long_days else np.zeros(n)
    window_counts = counts - lagged_counts
    with np.errstate(invalid="ignore", divide="ignore"):
        long = (sums - lagged_sums) / window_counts
    long = np.where(counts >= MIN_KNOWN, long, np.nan)
    return current, long


def horizon_scale(
    returns: np.ndarray, steps: int, reversion: float = REVERSION, decay: float = EWMA_DECAY
) -> np.ndarray:
    """(days, steps) standard deviation of the h-day log return, h = 1..steps, forecast at the close of each day
    from the returns known then (NaN before MIN_KNOWN returns)."""
    current, long = daily_variance(returns, decay)
    k = np.arange(steps)
    weights = np.cumsum(reversion**k)  # Σ φ^(k-1), k = 1..h
    h = k + 1
    variance = long[:, None] * h[None, :] + (current - long)[:, None] * weights[None, :]
    return np.sqrt(np.maximum(variance, 0.0))


def log_returns(prices: np.ndarray) -> np.ndarray:
    """Daily log returns of a price series; the first day has none (NaN)."""
    p = np.asarray(prices, dtype=np.float64)
    out = np.full(len(p), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[1:] = np.log(p[1:] / p[:-1])
    return out
