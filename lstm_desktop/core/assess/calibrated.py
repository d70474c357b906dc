"""The model's band and the random-walk band, calibrated sequentially over every validation and test origin and
at the forecast origin, with the drawn path blended towards the flat line; measured on the test origins.

One computation serves the single split, each backtest fold (its own validation and test block) and the
forecast: origins are consecutive anchors up to end - 1 (the last is the forecast origin of a run on all the
data), starting up to `window` days before validation; an error is known only when its actual day lies before
`limit` (the end of the test split, or of the validation split when the test split may not be looked at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from torch import nn

from ..learn.dataset import Dataset
from ..report import Band, FanLevel
from .band_measure import measured
from .band_verdict import band_verdict
from .drawn_path import blend_weights
from .paths import recursive_paths
from .sequential import MAIN_LEVEL, Bands, Calibration, sequential_band_sets
from .volatility import horizon_scale, log_returns

METHOD = (
    "sequential conformal per step from the drawn path's last {window} errors known at each origin, scaled by a "
    "mean-reverting volatility forecast (to the power {power}), with an adaptive level (ACI)"
)
DEFAULT = Calibration()
BASELINE_METHOD = "the same sequential calibration around tomorrow = today (the random walk)"


@dataclass(frozen=True)
class Calibrated:
    """The band (with its baseline and verdict), and what the assessment needs besides."""

    band: Band
    anchors: np.ndarray  # origin rows, from before validation (see calibrated_band) to end - 1
    paths: np.ndarray  # (origins, steps) the model's price paths
    drawn: np.ndarray  # (origins, steps) the drawn path's prices
    lower: np.ndarray  # (origins, steps) the main level's log offsets issued at each origin
    upper: np.ndarray


def calibrated_band(
    dataset: Dataset, model: nn.Module, steps: int, score_test: bool, raw_path: bool = False,
    calibration: Calibration = DEFAULT,
) -> Calibrated:  # fmt: skip
    """Sequential bands of the model's drawn path and of the random walk over the validation and test origins.

    The pool of known errors starts before validation: on the training days (the last `window` of them) the model
    has no out-of-sample errors and the drawn path is the flat line (weight 0), so the errors known there are the
    random walk's; from the validation period on they are the drawn path's own."""
    rows = dataset.rows
    limit = rows.end if score_test else rows.test_at
    first = max(rows.start, rows.val_at - 1 - calibration.window)
    anchors = np.arange(first, rows.end)
    scored = rows.val_at - 1 - first  # index of the first origin the model forecasts from
    last = dataset.prices[anchors].astype(np.float64)
    paths = np.repeat(last[:, None], steps, axis=1)  # flat before validation
    paths[scored:] = recursive_paths(dataset, model, anchors[scored:], steps)
    targets = anchors[:, None] + np.arange(1, steps + 1)
    known = targets < limit
    actual = dataset.prices[np.minimum(targets, len(dataset.prices) - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        walk = np.where(known, np.log(actual / last[:, None]), np.nan)  # the random walk's errors
        moves = np.log(paths / last[:, None])
    moves[:scored] = np.nan  # no model move before validation: no pair for the weights, weight 0
    weights = np.ones_like(moves) if raw_path else blend_weights(moves, walk, calibration.window)
    weights[:scored] = 0.0
    drawn_moves = np.nan_to_num(weights * moves, nan=0.0)
    errors = walk - drawn_moves
    scale = horizon_scale(log_returns(dataset.prices), steps)[anchors]
    model_bands, walk_bands = sequential_band_sets((errors, walk), scale, calibration)
    band = Band(
        level=MAIN_LEVEL,
        method=METHOD.format(window=calibration.window, power=calibration.scale_power),
        calibrated_on="sequential",
        **_at_final(model_bands, errors),
        blend=tuple(float(w) for w in weights[-1]),
    )
    baseline = Band(level=MAIN_LEVEL, method=BASELINE_METHOD, calibrated_on="sequential", **_at_final(walk_bands, walk))
    if score_test:
        test = slice(rows.test_at - 1 - first, rows.end - 1 - first)  # origins test_at - 1 .. end - 2
        volatility = scale[test, 0]
        cover = measured(errors[test], _rows(model_bands, test), volatility, MAIN_LEVEL)
        walk_cover = measured(walk[test], _rows(walk_bands, test), volatility, MAIN_LEVEL)
        verdict = band_verdict(cover.detail.winkler, walk_cover.detail.winkler, cover, MAIN_LEVEL, steps)
        baseline = _with(baseline, coverage={"test": walk_cover})
        band = _with(band, coverage={"test": cover}, baseline=baseline, verdict=verdict)
    else:
        band = _with(band, baseline=baseline)
    main = model_bands.level_index(MAIN_LEVEL)
    drawn = last[:, None] * np.exp(drawn_moves)
    return Calibrated(band, anchors, paths, drawn, model_bands.lower[main], model_bands.upper[main])


def _rows(bands: Bands, rows: slice) -> Bands:
    return Bands(bands.levels, bands.lower[:, rows], bands.upper[:, rows])


def _with(band: Band, **changes: object) -> Band:
    import dataclasses

    return dataclasses.replace(band, **changes)


def _at_final(bands: Bands, errors: np.ndarray) -> dict:
    """The offsets issued at the last origin (the forecast's), for every level. A step with too few known errors
    for a calibrated band takes the widest offsets issued for it at any origin; failing that, the widest error
    known for it (either side); failing that, the previous step's widened by sqrt(h / (h - 1)). Never zero width
    where any error is known."""
    fan = []
    for at, level in enumerate(bands.levels):
        low = _filled(bands.lower[at], errors, -1.0)
        high = _filled(bands.upper[at], errors, 1.0)
        fan.append(FanLevel(level=level, lower=low, upper=high))
    main = next(f for f in fan if math.isclose(f.level, MAIN_LEVEL))
    return {"lower": main.lower, "upper": main.upper, "levels": tuple(bands.levels), "fan": tuple(fan)}


def _filled(offsets: np.ndarray, errors: np.ndarray, side: float) -> tuple[float, ...]:
    final = offsets[-1].copy()
    for step in range(len(final)):
        if math.isfinite(final[step]):
            continue
        issued = offsets[:, step][np.isfinite(offsets[:, step])]
        known = np.abs(errors[:, step][np.isfinite(errors[:, step])])
        if len(issued):
            final[step] = float(issued.min() if side < 0 else issued.max())
        elif len(known):
            final[step] = side * float(known.max())
        elif step:
            final[step] = final[step - 1] * math.sqrt((step + 1) / step)
        else:
            final[step] = 0.0
    return tuple(float(v) for v in final)
