"""From prices to model-ready windows: inputs, target, chronological split, train-only scaling.

A sample is anchored at row i (the last known day): its input is rows i-window+1..i of the inputs and its targets
are rows i+1..i+horizon. A sample belongs to the split holding all its target rows, so no training or validation
target lies in a later period, and the scalers see training rows only.

Both targets are scale-free, so prices above anything seen in training are no harder than any others:
- log return: the inputs are daily log returns (volume as log), the targets the next days' log returns;
- price: each window's prices are taken relative to the window's last day (log of price / last price) and the
  targets are log(price / last price) for the next days: the shape of the path, at any price level.
The price level itself, scaled on the training rows (`price_level`), is how projects of schema 3 and older were
trained; it is kept so that they reopen and forecast as they did. It cannot reach prices above the training range.
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
    calendar: str = "XNYS"  # the trading days of the target's exchange (exchange_calendars name)

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
        return paths_from(self.spec.target_mode, self.target_values(scaled), self.prices[anchors])

    def target_values(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled model outputs (samples, horizon) to target values: log returns, or log(price / last price)."""
        return self.target_scaler.inverse(np.asarray(scaled).reshape(-1, 1)).reshape(np.shape(scaled))

    def scale_windows(self, windows: np.ndarray) -> np.ndarray:
        """(samples, window, n_inputs) raw rows to scaled float32 model inputs."""
        return scale_windows(self.spec.target_mode, self.inputs, self.feature_scaler, windows)

    def raw_windows(self, anchors: np.ndarray) -> np.ndarray:
        """(samples, window, n_inputs) raw rows ending at each anchor."""
        return raw_windows(self.features, self.spec.window, anchors)


CHUNK = 1024  # windows transformed at a time (bounds the float64 temporaries of a large window)


def raw_windows(features: np.ndarray, window: int, anchors: np.ndarray) -> np.ndarray:
    """(samples, window, n_inputs) raw rows ending at each anchor row."""
    view = np.lib.stride_tricks.sliding_window_view(features, window, axis=0)  # (n - window + 1, f, window)
    return view[np.asarray(anchors) - window + 1].transpose(0, 2, 1)


def scale_windows(mode: str, inputs: tuple[InputColumn, ...], scaler: Scaler, windows: np.ndarray) -> np.ndarray:
    """Raw windows to scaled float32 model inputs, a chunk at a time."""
    out = np.empty(windows.shape, dtype=np.float32)
    for start in range(0, len(windows), CHUNK):
        part = window_values(mode, inputs, windows[start : start + CHUNK])
        out[start : start + CHUNK] = scaler.transform(part.reshape(-1, part.shape[-1])).reshape(part.shape)
    return out


def paths_from(mode: str, values: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Price paths (samples, steps) from target values after prices `last` (samples,)."""
    last = np.asarray(last, dtype=np.float64)[:, None]
    if mode == "price":
        return last * np.exp(values)
    if mode == "price_level":  # a price at or below zero is meaningless: floor it far below the last price
        return np.maximum(values, 1e-6 * last)
    return last * np.exp(np.cumsum(values, axis=1))


def window_values(mode: str, inputs: tuple[InputColumn, ...], windows: np.ndarray) -> np.ndarray:
    """What the model sees of raw windows before scaling: in price mode each price column relative to its last
    day (log ratio) and volume as log; in log-return mode the rows are already returns (see feature_matrix)."""
    if mode != "price":
        return np.asarray(windows, dtype=np.float64)
    values = np.asarray(windows, dtype=np.float64).copy()
    price = np.array([item.is_price for item in inputs])
    values[..., price] = np.log(values[..., price] / values[:, -1:, price])
    values[..., ~price] = np.log1p(values[..., ~price])
    return values


def input_columns(frames: list[PriceFrame], spec: DatasetSpec) -> tuple[InputColumn, ...]:
    """The target ticker's chosen columns, then the target column of every other ticker."""
    target = frames[0].ticker
    own = tuple(InputColumn(target, name, True) for name in spec.input_columns())
    return own + tuple(InputColumn(f.ticker, spec.target, False) for f in frames[1:])


def feature_matrix(
    frames: list[PriceFrame], spec: DatasetSpec
) -> tuple[pd.DataFrame, np.ndarray, tuple[InputColumn, ...], list[str]]:
    """Input columns and target prices, aligned on the dates all tickers share; the inputs; and notes about the
    alignment. In log-return mode the columns are daily log returns (volume as log) and the first day is dropped.

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
    if spec.target_mode == "log_return":  # stationary inputs: price columns as log returns, volume as log
        for index, item in enumerate(inputs):
            table[index] = np.log1p(table[index]) if not item.is_price else np.log(table[index]).diff()
        table, prices = table.iloc[1:], prices[1:]
    notes = []
    if len(frames) > 1:
        dropped = len(base) - len(table)
        notes.append(f"aligned {len(frames)} tickers on {len(table)} common dates ({dropped} dropped)")
    return table, prices, inputs, notes


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


def build_dataset(
    frames: list[PriceFrame],
    spec: DatasetSpec,
    rows: SplitRows | None = None,
    scalers: tuple[Scaler, Scaler] | None = None,
) -> Dataset:
    """Windows for each split, scalers fitted on training rows only. Raises BadInput on too little data.

    `rows` fixes the split by row (walk-forward folds); by default the spec's fractions or dates decide.
    `scalers` (inputs, target) are a stored run's: a reopened run uses exactly the scalers it was trained with."""
    spec.validate()
    _refuse_missing_columns(frames, spec)
    table, prices, inputs, notes = feature_matrix(frames, spec)
    dates = pd.DatetimeIndex(table.index)
    raw = table.to_numpy(dtype=np.float64)
    n, window, horizon = len(dates), spec.window, spec.horizon
    need = window + horizon + sum(MIN_WINDOWS.values()) + 2 * horizon
    if rows is None and n < need:
        counted = f"{n + 1} rows ({n} daily returns)" if spec.target_mode == "log_return" else f"{n} rows"
        raise BadInput(
            f"Too little data: {counted}, but window {window} and horizon {horizon} need at least {need}. "
            "Load a longer date range or use a shorter window."
        )
    rows = rows or split_rows(dates, spec)
    anchors = _anchors(rows, window, horizon, n)
    steps = np.arange(1, horizon + 1)
    targets = {split: target_values(spec.target_mode, prices, chosen, steps) for split, chosen in anchors.items()}
    if scalers is not None:
        feature_scaler, target_scaler = scalers
    else:
        feature_scaler = _fit_input_scaler(spec, inputs, raw, rows, anchors["train"])
        target_scaler = Scaler.fit(spec.scaler, ["target"], targets["train"].reshape(-1, 1))
    x = {
        s: scale_windows(spec.target_mode, inputs, feature_scaler, raw_windows(raw, window, a))
        for s, a in anchors.items()
    }
    y = {s: target_scaler.transform(v.reshape(-1, 1)).reshape(v.shape).astype(np.float32) for s, v in targets.items()}
    calendar = frames[0].trading_calendar
    return Dataset(
        spec, dates, prices, raw, inputs, feature_scaler, target_scaler, rows, anchors, x, y, notes, calendar
    )


def target_values(mode: str, prices: np.ndarray, anchors: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """(samples, horizon) targets after each anchor: daily log returns, or log(price / price at the anchor)."""
    ahead = prices[anchors[:, None] + steps]
    if mode == "price":
        return np.log(ahead / prices[anchors][:, None])
    if mode == "price_level":
        return ahead
    before = prices[anchors[:, None] + steps - 1]
    return np.log(ahead / before)


def _fit_input_scaler(
    spec: DatasetSpec, inputs: tuple[InputColumn, ...], raw: np.ndarray, rows: SplitRows, train: np.ndarray
) -> Scaler:
    """The input scaler, fitted on the training rows only: the rows themselves (log returns), or every training
    window's relative values (price mode), which see no row outside the training period either."""
    names = [i.label for i in inputs]
    if spec.target_mode != "price":  # log returns and price levels: the training rows
        return Scaler.fit(spec.scaler, names, raw[rows.start : rows.val_at])
    values = window_values(spec.target_mode, inputs, raw_windows(raw, spec.window, train))
    return Scaler.fit(spec.scaler, names, values.reshape(-1, values.shape[-1]))


def _refuse_missing_columns(frames: list[PriceFrame], spec: DatasetSpec) -> None:
    """An input column the target's prices do not have is refused by name (not a KeyError later)."""
    columns = frames[0].frame.columns
    missing = [c for c in (*spec.input_columns(), spec.target) if c not in columns]
    if missing:
        raise BadInput(
            f"The prices of {frames[0].ticker} have no {missing[0]} column (they have {', '.join(columns)}). "
            "Choose other inputs or another target."
        )


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
