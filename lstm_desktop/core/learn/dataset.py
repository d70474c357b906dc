"""From prices to model-ready windows: inputs, target, chronological split, train-only scaling.

A sample is anchored at row i (the last known day): its input is rows i-window+1..i of the scaled inputs and its
targets are rows i+1..i+horizon. A sample belongs to the split holding all its target rows, so no training or
validation target lies in a later period, and the scalers see training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.prices import PriceFrame
from ..errors import BadInput
from ..specs import MIN_WINDOWS, DatasetSpec
from .inputs import InputColumn
from .scaling import Scaler

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class SplitRows:
    """Row bounds of a split, on the aligned table: training rows [start, val_at), validation [val_at, test_at),
    test [test_at, end). Rows outside [start, end) are not used at all (walk-forward folds)."""

    start: int
    val_at: int
    test_at: int
    end: int


@dataclass
class Dataset:
    """Windows ready for training, and what is needed to map predictions back to prices."""

    spec: DatasetSpec
    dates: pd.DatetimeIndex
    prices: np.ndarray  # (n,) the target price column
    features: np.ndarray  # (n, n_inputs) raw, unscaled (log returns in log-return mode)
    inputs: tuple[InputColumn, ...]
    feature_scaler: Scaler
    target_scaler: Scaler
    rows: SplitRows
    anchors: dict[str, np.ndarray]  # split -> anchor rows i
    x: dict[str, np.ndarray]  # split -> (samples, window, n_inputs) float32
    y: dict[str, np.ndarray]  # split -> (samples, horizon) float32, scaled targets
    notes: list[str]

    @property
    def n_features(self) -> int:
        return len(self.inputs)

    @property
    def bounds(self) -> tuple[int, int]:
        """First validation row and first test row."""
        return self.rows.val_at, self.rows.test_at

    def split_dates(self) -> dict[str, tuple[str, str]]:
        """First and last day of each split's rows."""
        r = self.rows
        edges = {"train": (r.start, r.val_at - 1), "val": (r.val_at, r.test_at - 1), "test": (r.test_at, r.end - 1)}
        return {k: (f"{self.dates[a]:%Y-%m-%d}", f"{self.dates[b]:%Y-%m-%d}") for k, (a, b) in edges.items()}

    def to_prices(self, scaled: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        """Model outputs (samples, horizon), scaled, to price paths (samples, horizon) after each anchor."""
        values = self.target_scaler.inverse(np.asarray(scaled).reshape(-1, 1)).reshape(np.shape(scaled))
        if self.spec.target_mode == "price":  # a price below zero is meaningless: floor it just above zero
            return np.maximum(values, 1e-6 * float(self.prices[self.rows.start : self.rows.val_at].min()))
        return self.prices[anchors][:, None] * np.exp(np.cumsum(values, axis=1))

    def scale_window(self, raw_rows: np.ndarray) -> np.ndarray:
        """(window, n_inputs) raw rows to a scaled float32 input."""
        return self.feature_scaler.transform(raw_rows).astype(np.float32)


def input_columns(frames: list[PriceFrame], spec: DatasetSpec) -> tuple[InputColumn, ...]:
    """The target ticker's chosen columns, then the target column of every other ticker."""
    target = frames[0].ticker
    own = tuple(InputColumn(target, name, True) for name in spec.input_columns())
    return own + tuple(InputColumn(f.ticker, spec.target, False) for f in frames[1:])


def feature_matrix(
    frames: list[PriceFrame], spec: DatasetSpec
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, tuple[InputColumn, ...], list[str]]:
    """Input columns, target prices and target values (price or log return), aligned on the dates all tickers
    share; the inputs; and notes about the alignment. In log-return mode the first day is dropped (no return).

    With Adj Close as target, the target ticker's Open/High/Low/Close are put on the same adjusted basis.
    """
    base = frames[0].frame
    inputs = input_columns(frames, spec)
    by_ticker = {f.ticker: f.frame for f in frames}
    factor = base["Adj Close"] / base["Close"] if spec.target == "Adj Close" else 1.0
    columns: dict[int, pd.Series] = {}
    for index, item in enumerate(inputs):
        series = by_ticker[item.ticker][item.column]
        columns[index] = series * factor if item.own and item.column in ("Open", "High", "Low", "Close") else series
    table = pd.DataFrame(columns)
    table["price"] = base[spec.target]
    table = table.dropna()
    prices = table.pop("price").to_numpy(dtype=np.float64)
    targets = prices
    if spec.target_mode == "log_return":  # stationary inputs: price columns as log returns, volume as log
        for index, item in enumerate(inputs):
            table[index] = np.log1p(table[index]) if not item.is_price else np.log(table[index]).diff()
        targets = np.log(prices[1:] / prices[:-1])
        table, prices = table.iloc[1:], prices[1:]
    notes = []
    if len(frames) > 1:
        dropped = len(base) - len(table)
        notes.append(f"aligned {len(frames)} tickers on {len(table)} common dates ({dropped} dropped)")
    return table, prices, targets, inputs, notes


def split_rows(dates: pd.DatetimeIndex, spec: DatasetSpec) -> SplitRows:
    """The split of the whole table by the spec's fractions or dates."""
    n = len(dates)
    if spec.val_start or spec.test_start:
        if not (spec.val_start and spec.test_start):
            raise BadInput("Give both the validation and the test start dates, or neither.")
        try:
            val_at, test_at = pd.Timestamp(spec.val_start), pd.Timestamp(spec.test_start)
        except ValueError as exc:
            raise BadInput(f"Split dates must be YYYY-MM-DD: {exc}") from exc
        if val_at.tz is not None or test_at.tz is not None:
            raise BadInput("Split dates must be plain days (YYYY-MM-DD), without a time zone.")
        if not val_at < test_at:
            raise BadInput("The validation start must come before the test start.")
        return SplitRows(0, int(dates.searchsorted(val_at)), int(dates.searchsorted(test_at)), n)
    n_test = round(n * spec.test_frac)
    n_val = round(n * spec.val_frac)
    return SplitRows(0, n - n_val - n_test, n - n_test, n)


def build_dataset(frames: list[PriceFrame], spec: DatasetSpec, rows: SplitRows | None = None) -> Dataset:
    """Windows for each split, scalers fitted on training rows only. Raises BadInput on too little data.

    `rows` fixes the split by row (walk-forward folds); by default the spec's fractions or dates decide."""
    spec.validate()
    table, prices, targets, inputs, notes = feature_matrix(frames, spec)
    dates = pd.DatetimeIndex(table.index)
    raw = table.to_numpy(dtype=np.float64)
    n, window, horizon = len(dates), spec.window, spec.horizon
    need = window + horizon + sum(MIN_WINDOWS.values()) + 2 * horizon
    if rows is None and n < need:
        raise BadInput(
            f"Too little data: {n} rows, but window {window} and horizon {horizon} need at least {need}. "
            "Load a longer date range or use a shorter window."
        )
    rows = rows or split_rows(dates, spec)
    train_rows = slice(rows.start, rows.val_at)
    feature_scaler = Scaler.fit(spec.scaler, [i.label for i in inputs], raw[train_rows])
    target_scaler = Scaler.fit(spec.scaler, ["target"], targets[train_rows].reshape(-1, 1))
    scaled_x = feature_scaler.transform(raw).astype(np.float32)
    scaled_y = target_scaler.transform(targets.reshape(-1, 1)).ravel().astype(np.float32)
    anchors = _anchors(rows, window, horizon, n)
    windows = np.lib.stride_tricks.sliding_window_view(scaled_x, window, axis=0)  # (n-w+1, f, w)
    xs, ys = {}, {}
    for split, chosen in anchors.items():
        xs[split] = np.ascontiguousarray(windows[chosen - window + 1].transpose(0, 2, 1))
        ys[split] = np.stack([scaled_y[chosen + k] for k in range(1, horizon + 1)], axis=1)
    return Dataset(spec, dates, prices, raw, inputs, feature_scaler, target_scaler, rows, anchors, xs, ys, notes)


def _anchors(rows: SplitRows, window: int, horizon: int, n: int) -> dict[str, np.ndarray]:
    """Anchor rows of each split; refuses a split with too few windows."""
    all_anchors = np.arange(rows.start + window - 1, min(rows.end, n) - horizon)
    first, last = all_anchors + 1, all_anchors + horizon
    membership = {
        "train": last < rows.val_at,
        "val": (first >= rows.val_at) & (last < rows.test_at),
        "test": first >= rows.test_at,
    }
    anchors = {}
    for split in SPLITS:
        chosen = all_anchors[membership[split]]
        if len(chosen) < MIN_WINDOWS[split]:
            raise BadInput(
                f"Too little data for the {split} split: {len(chosen)} windows (at least {MIN_WINDOWS[split]} "
                f"needed) with {rows.end - rows.start} rows, window {window}, horizon {horizon}. Load more data, "
                "shorten the window or change the split."
            )
        anchors[split] = chosen
    return anchors
