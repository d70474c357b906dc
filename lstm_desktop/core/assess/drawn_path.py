"""The drawn path: per step, the model's path blended with the flat last price, so it is never worse than flat on
the errors known so far.

For daily prices the model's path rarely beats "tomorrow = today" for long, and a drifting path drawn as if it
were information misleads. At each origin t and step h the weight w on the model's move d = log(model / last)
is the slope of the actual move r = log(actual / last) on d (with an intercept) over the last `window` origins
whose outcome was known at t (i <= t - h), kept only where it is clear (a t-statistic of 2 allowing for the
overlap of h-day moves), and clipped to [0, 1]: 0 where the model did not help, 1 where it did fully. The
intercept matters: a model whose moves are a steady drift "explains" a trending validation period by its mean
alone, and that drift is what loses to the flat line when the trend turns (measured: a 3-epoch AAPL model got
weight 0.4 and a day-30 RMSE 10 % worse than flat without it). Sequential and leak-free like the band.
"""

from __future__ import annotations

import numpy as np

WINDOW = 1500  # origins of known errors the weight is fitted on (the band's window)
MIN_KNOWN = 60  # fewer known pairs than this: weight 0 (the flat line)
MIN_GAIN = 4.0  # the fit must explain this many times the noise of its slope (a t-statistic of 2, overlap allowed)


def blend_weights(model_moves: np.ndarray, actual_moves: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """(origins, steps) weights in [0, 1] known at each origin, from d = model_moves and r = actual_moves
    (log moves from each origin's last price; r is NaN where its outcome is never known)."""
    d = np.asarray(model_moves, dtype=np.float64)
    r = np.asarray(actual_moves, dtype=np.float64)
    n, steps = d.shape
    weights = np.zeros((n, steps))
    known = np.isfinite(d) & np.isfinite(r)
    parts = [np.where(known, x, 0.0) for x in (d, r, d * r, d * d, r * r)]
    count = known.astype(np.float64)
    for h in range(steps):
        step = h + 1
        s_d, s_r, s_dr, s_dd, s_rr = (_trailing(x[:, h], step, window) for x in parts)
        s_n = _trailing(count[:, h], step, window)
        with np.errstate(invalid="ignore", divide="ignore"):
            n = np.maximum(s_n, 1.0)
            cov = s_dr - s_d * s_r / n  # centred: a model whose moves are a constant drift explains nothing
            var_d = s_dd - s_d * s_d / n
            var_r = s_rr - s_r * s_r / n
            slope = np.where(var_d > 0, cov / var_d, 0.0)
            gain = np.where(var_d > 0, cov * cov / var_d, 0.0)  # the fall in squared error the slope explains
            noise = (var_r - gain) / np.maximum(s_n - 2, 1)  # residual variance per pair
        # neighbouring origins share step - 1 of their days: about s_n / step independent pairs
        clear = (s_n >= MIN_KNOWN) & (gain > MIN_GAIN * step * noise)
        weights[:, h] = np.where(clear, np.clip(slope, 0.0, 1.0), 0.0)
    return weights


def _trailing(values: np.ndarray, step: int, window: int) -> np.ndarray:
    """sum over origins i in (t - step - window, t - step] of values[i], for every t."""
    total = np.concatenate([[0.0], np.cumsum(values)])
    n = len(values)
    t = np.arange(n)
    high = np.clip(t - step + 1, 0, n)
    low = np.clip(t - step - window + 1, 0, n)
    return total[high] - total[low]


def drawn_moves(model_moves: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The drawn path's log moves from the last price: the weighted model moves."""
    return weights * model_moves
