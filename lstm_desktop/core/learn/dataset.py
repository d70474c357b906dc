"""From prices to model-ready windows: features, target, chronological split, train-only scaling.

A sample is anchored at row i (the last known day): its input is rows i-window+1..i of the scaled features
and its targets are rows i+1..i+horizon. A sample belongs to the split holding all its target rows, so no
training or validation target lies in a later period, and the scaler sees training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.prices import PriceFrame
from ..errors import BadInput
from ..specs import MIN_WINDOWS, DatasetSpec
from .scaling import Scaler

SPLITS = ("train", "val", "test")
_PRICE = "__target_price__"


@dataclass
class Dataset:
    """Windows ready for training, and what is needed to map predictions back to prices."""

    spec: DatasetSpec
    dates: pd.DatetimeIndex
    prices: np.ndarray  # (n,) the target price column
    features: np.ndarray  # (n, n_features) raw, unscaled
    feature_names: tuple[str, ...]
    feature_scaler: Scaler
    target_scaler: Scaler
    bounds: tuple[int, int]  # first validation row, first test row
    anchors: dict[str, np.ndarray]  # split -> anchor rows i
    x: dict[str, np.ndarray]  # split -> (samples, window, n_features) float32
    y: dict[str, np.ndarray]  # split -> (samples, horizon) float32, scaled targets
    notes: list[str]

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def split_dates(self) -> dict[str, list[str]]:
        """First and last day of each split's rows."""
        n = len(self.dates)
        edges = {
            "train": (0, self.bounds[0] - 1),
            "val": (self.bounds[0], self.bounds[1] - 1),
            "test": (self.bounds[1], n - 1),
        }
        return {k: [f"{self.dates[a]:%Y-%m-%d}", f"{self.dates[b]:%Y-%m-%d}"] for k, (a, b) in edges.items()}

    def scaler_document(self) -> dict:
        return {
            "kind": self.feature_scaler.kind,
            "fitted_on": "train",
            "params": self.feature_scaler.to_dict(),
            "target": {"mode": self.spec.target_mode, "params": self.target_scaler.to_dict()},
        }

    def to_prices(self, scaled: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        """Model outputs (samples, horizon), scaled, to price paths (samples, horizon) after each anchor."""
        values = self.target_scaler.inverse(np.asarray(scaled).reshape(-1, 1)).reshape(np.shape(scaled))
        if self.spec.target_mode == "price":  # a price below zero is meaningless: floor it just above zero
            return np.maximum(values, 1e-6 * float(self.prices[: self.bounds[0]].min()))
        return self.prices[anchors][:, None] * np.exp(np.cumsum(values, axis=1))

    def scale_window(self, raw_rows: np.ndarray) -> np.ndarray:
        """(window, n_features) raw rows to a scaled float32 input."""
        return self.feature_scaler.transform(raw_rows).astype(np.float32)


def feature_matrix(
    frames: list[PriceFrame], spec: DatasetSpec
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[str]]:
    """Feature columns, target prices and target values (price or log return), aligned on the dates all
    tickers share; and notes about the alignment. In log-return mode the first day is dropped (no return).

    With Adj Close as target, the target ticker's Open/High/Low/Close are put on the same adjusted basis.
    """
    base = frames[0].frame
    factor = base["Adj Close"] / base["Close"] if spec.target == "Adj Close" else 1.0
    columns: dict[str, pd.Series] = {}
    for name in spec.features or (spec.target,):
        columns[name] = base[name] * factor if name in ("Open", "High", "Low", "Close") else base[name]
    for other in frames[1:]:
        columns[f"{other.ticker}:{spec.target}"] = other.frame[spec.target]
    table = pd.DataFrame(columns)
    table[_PRICE] = base[spec.target]
    table = table.dropna()
    prices = table.pop(_PRICE).to_numpy(dtype=np.float64)
    targets = prices
    if spec.target_mode == "log_return":  # stationary inputs: price columns as log returns, volume as log
        for name in table.columns:
            table[name] = np.log1p(table[name]) if name == "Volume" else np.log(table[name]).diff()
        targets = np.log(prices[1:] / prices[:-1])
        table, prices = table.iloc[1:], prices[1:]
    notes = []
    if len(frames) > 1:
        dropped = len(base) - len(table)
        notes.append(f"aligned {len(frames)} tickers on {len(table)} common dates ({dropped} dropped)")
    return table, prices, targets, notes


def _split_bounds(dates: pd.DatetimeIndex, spec: DatasetSpec) -> tuple[int, int]:
    n = len(dates)
    if spec.val_start or spec.test_start:
        if not (spec.val_start and spec.test_start):
            raise BadInput("Give both the validation and the test start dates, or neither.")
        try:
            val_at, test_at = pd.Timestamp(spec.val_start), pd.Timestamp(spec.test_start)
        except ValueError as exc:
            raise BadInput(f"Split dates must be YYYY-MM-DD: {exc}") from exc
        if not val_at < test_at:
            raise BadInput("The validation start must come before the test start.")
        return int(dates.searchsorted(val_at)), int(dates.searchsorted(test_at))
    n_test = round(n * spec.test_frac)
    n_val = round(n * spec.val_frac)
    return n - n_val - n_test, n - n_test


def build_dataset(frames: list[PriceFrame], spec: DatasetSpec) -> Dataset:
    """Windows for each split, scalers fitted on training rows only. Raises BadInput on too little data."""
    spec.validate()
    table, prices, targets, notes = feature_matrix(frames, spec)
    dates = pd.DatetimeIndex(table.index)
    names = list(table.columns)
    raw = table.to_numpy(dtype=np.float64)
    n, window, horizon = len(dates), spec.window, spec.horizon
    need = window + horizon + sum(MIN_WINDOWS.values()) + 2 * horizon
    if n < need:
        raise BadInput(
            f"Too little data: {n} rows, but window {window} and horizon {horizon} need at least {need}. "
            "Load a longer date range or use a shorter window."
        )
    val_at, test_at = _split_bounds(dates, spec)
    feature_scaler = Scaler.fit(spec.scaler, names, raw[:val_at])
    target_scaler = Scaler.fit(spec.scaler, ["target"], targets[:val_at].reshape(-1, 1))
    scaled_x = feature_scaler.transform(raw).astype(np.float32)
    scaled_y = target_scaler.transform(targets.reshape(-1, 1)).ravel().astype(np.float32)

    all_anchors = np.arange(window - 1, n - horizon)
    first, last = all_anchors + 1, all_anchors + horizon
    membership = {
        "train": last < val_at,
        "val": (first >= val_at) & (last < test_at),
        "test": first >= test_at,
    }
    anchors, xs, ys = {}, {}, {}
    windows = np.lib.stride_tricks.sliding_window_view(scaled_x, window, axis=0)  # (n-w+1, f, w)
    for split in SPLITS:
        rows = all_anchors[membership[split]]
        if len(rows) < MIN_WINDOWS[split]:
            raise BadInput(
                f"Too little data for the {split} split: {len(rows)} windows (at least {MIN_WINDOWS[split]} "
                f"needed) with {n} rows, window {window}, horizon {horizon}. Load more data, shorten the "
                "window or change the split."
            )
        anchors[split] = rows
        xs[split] = np.ascontiguousarray(windows[rows - window + 1].transpose(0, 2, 1))
        ys[split] = np.stack([scaled_y[rows + k] for k in range(1, horizon + 1)], axis=1)
    return Dataset(
        spec,
        dates,
        prices,
        raw,
        tuple(names),
        feature_scaler,
        target_scaler,
        (val_at, test_at),
        anchors,
        xs,
        ys,
        notes,
    )
