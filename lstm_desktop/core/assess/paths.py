"""The model's recursive multi-day forecast, from many origins at once: from each origin it predicts `horizon`
days, feeds them back as inputs, and repeats. The forecast past the last date is the same computation from one
origin, so the band calibrated and the accuracy measured on these paths are those of the forecast a user sees.

In the fed-back rows, the target ticker's price columns take the predicted price (price mode) or return
(log-return mode); inputs that cannot be known in the future are held at their last value (volume; other tickers'
prices, or a zero return for them in log-return mode).
"""

from __future__ import annotations

import numpy as np
from torch import nn

from ..learn.dataset import Dataset, paths_from
from ..learn.predict import predict_scaled


def recursive_paths(dataset: Dataset, model: nn.Module, anchors: np.ndarray, steps: int) -> np.ndarray:
    """(origins, steps) price paths after each anchor row (the last known day of each origin)."""
    spec = dataset.spec
    anchors = np.asarray(anchors)
    rows = np.array(dataset.raw_windows(anchors), dtype=np.float64)  # (origins, window, n_inputs), a copy
    last = dataset.prices[anchors].astype(np.float64)
    own_prices = np.array([item.own and item.is_price for item in dataset.inputs])
    others = np.array([not item.own for item in dataset.inputs])
    paths = np.empty((len(anchors), steps))
    done = 0
    while done < steps:
        values = dataset.target_values(predict_scaled(model, dataset.scale_windows(rows[:, -spec.window :])))
        block = paths_from(spec.target_mode, values, last)  # (origins, horizon)
        take = min(spec.horizon, steps - done)
        paths[:, done : done + take] = block[:, :take]
        if done + take < steps:
            rows = _extend(rows, block, values, spec.target_mode, own_prices, others)
        last = block[:, -1]
        done += take
    return paths


def _extend(
    rows: np.ndarray, block: np.ndarray, values: np.ndarray, mode: str, own_prices: np.ndarray, others: np.ndarray
) -> np.ndarray:
    """The rows with the predicted days appended (and as many of the oldest dropped)."""
    new = np.repeat(rows[:, -1:, :], block.shape[1], axis=1)  # everything held at its last value...
    if mode in ("price", "price_level"):
        new[:, :, own_prices] = block[:, :, None]  # ...but the target's prices: the predicted price
    else:
        new[:, :, own_prices] = values[:, :, None]  # ...the predicted return
        new[:, :, others] = 0.0  # other tickers held at their last price: no return
    return np.concatenate([rows[:, block.shape[1] :], new], axis=1)


def origin_errors(
    dataset: Dataset, paths: np.ndarray, anchors: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Log errors log(actual / predicted) per (origin, step), and which are known: the actual day must lie
    before row `limit` (the end of the split the origins belong to)."""
    steps = np.arange(1, paths.shape[1] + 1)
    targets = np.asarray(anchors)[:, None] + steps
    known = targets < limit
    actual = dataset.prices[np.minimum(targets, len(dataset.prices) - 1)]
    errors = np.where(known, np.log(actual / paths), np.nan)
    return errors, known


def split_origins(dataset: Dataset, split: str) -> tuple[np.ndarray, int]:
    """Every origin of a split whose next day lies in it (anchors last_row..), and the split's end row."""
    rows = dataset.rows
    first, end = {"val": (rows.val_at, rows.test_at), "test": (rows.test_at, rows.end)}[split]
    return np.arange(first - 1, end - 1), end
