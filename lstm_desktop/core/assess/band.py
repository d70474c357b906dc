"""Band helpers shared by every method, and the one-block method of versions before 0.3 (kept to reopen old runs
unchanged and to compare against: tools/band_methods.py).

The one-block band, calibrated per step on the model's own recursive forecasts from every validation origin
(split conformal, with the finite-sample correction), and its coverage measured on the test origins.

For step h, the errors log(actual / predicted) of the h-day-ahead forecasts from the n validation origins give
the band's log offsets: the ⌊(n+1)·α/2⌋-th smallest and the ⌈(n+1)·(1-α/2)⌉-th smallest, α = 1 - level. If the
errors are exchangeable with future ones, the band covers at least `level` of future days. Whether they are is
an empirical question: the coverage on the test origins answers it.
"""

from __future__ import annotations

import math

import numpy as np

from ..report import Band, Coverage, FanPrices, Forecast

BAND_LEVEL = 0.90
METHOD = "split conformal per step on the recursive forecasts from every validation origin (finite-sample corrected)"
MIN_ORIGINS = 10  # a step calibrated on fewer origins is extrapolated from the last good step instead


def conformal_offsets(errors: np.ndarray, level: float) -> tuple[float, float]:
    """(lower, upper) log offsets from the known errors of one step; lower <= 0 <= upper (the forecast itself
    always lies inside its band)."""
    values = np.sort(errors[np.isfinite(errors)])
    n = len(values)
    alpha = 1.0 - level
    low_rank = math.floor((n + 1) * alpha / 2)
    high_rank = math.ceil((n + 1) * (1 - alpha / 2))
    low = values[max(low_rank, 1) - 1]
    high = values[min(high_rank, n) - 1]
    return min(float(low), 0.0), max(float(high), 0.0)


def calibrate(errors: np.ndarray, known: np.ndarray, level: float = BAND_LEVEL) -> Band:
    """The band from validation errors (origins, steps): offsets for every step with enough known origins."""
    lower, upper = [], []
    for step in range(errors.shape[1]):
        if known[:, step].sum() < MIN_ORIGINS:
            break
        low, high = conformal_offsets(errors[:, step], level)
        lower.append(low)
        upper.append(high)
    if not lower:  # too few validation days for even one step: the widest error seen
        spread = float(np.nanmax(np.abs(errors))) if np.isfinite(errors).any() else 0.0
        lower, upper = [-spread], [spread]
    return Band(level=level, method=METHOD, calibrated_on="val", lower=tuple(lower), upper=tuple(upper))


def coverage(errors: np.ndarray, known: np.ndarray, band: Band) -> Coverage:
    """How often the actual price fell inside the band, per step and overall, over the origins of a split; with
    the overall share's standard error from a block bootstrap over origins (their errors overlap in time)."""
    low, high = band.offsets(errors.shape[1])
    inside = (errors >= low) & (errors <= high) & known
    by_step = tuple(float(inside[:, s].sum() / known[:, s].sum()) if known[:, s].any() else math.nan
                    for s in range(errors.shape[1]))  # fmt: skip
    per_origin_known = known.sum(axis=1)
    usable = per_origin_known > 0
    share = inside.sum(axis=1)[usable] / per_origin_known[usable]
    overall = float(inside.sum() / known.sum()) if known.any() else math.nan
    return Coverage(
        overall=overall,
        by_step=by_step,
        origins=int(usable.sum()),
        sampling_error=block_bootstrap_error(share, block=errors.shape[1]),
        known=tuple(int(known[:, s].sum()) for s in range(errors.shape[1])),
    )


def block_bootstrap_error(values: np.ndarray, block: int, draws: int = 400, seed: int = 0) -> float:
    """Standard error of the mean of `values` (one per origin, in time order) from a moving-block bootstrap:
    neighbouring origins share most of their forecast days, so their values are far from independent."""
    n = len(values)
    if n < 2:
        return math.nan
    if n < 6:
        return math.nan
    block = max(1, min(block, n // 3))  # at least three blocks, or the resamples cannot differ
    starts = np.random.default_rng(seed).integers(0, n - block + 1, size=(draws, math.ceil(n / block)))
    index = (starts[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :n]
    return float(np.std(values[index].mean(axis=1)))


def apply_band(dates: np.ndarray, values: np.ndarray, band: Band) -> Forecast:
    """The forecast `values` on `dates` with the band's lower and upper prices, and every level of its fan."""
    low, high = band.offsets(len(values))
    fan = tuple(
        FanPrices(level=level, lower=values * np.exp(a), upper=values * np.exp(b))
        for level, a, b in band.fan_offsets(len(values))
    ) if band.fan else ()  # fmt: skip
    return Forecast(dates=dates, value=values, lower=values * np.exp(low), upper=values * np.exp(high), fan=fan)


def coverage_words(cover: Coverage, level: float) -> str:
    """One sentence on whether the band covered what it promised, given its sampling error."""
    if not math.isfinite(cover.overall):
        return "The band's coverage could not be measured (too few test days)."
    margin = 2 * cover.sampling_error if math.isfinite(cover.sampling_error) else 0.0
    text = (
        f"The {level:.0%} band held {cover.overall:.1%} of the actual prices on {cover.origins} test origins "
        f"(± {cover.sampling_error:.1%})"
    )
    if cover.overall < level - margin:
        return text + f": it is too narrow — expect prices outside it more often than {1 - level:.0%} of the time."
    if cover.overall > level + margin:
        return text + ": it is wider than it needs to be."
    return text + ": about as promised."
