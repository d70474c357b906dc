"""Forecast past the last date, with an uncertainty band from the model's own validation errors.

Horizon 1 forecasts recursively (each predicted day becomes input for the next); a longer horizon predicts
`horizon` days at once and chains blocks. Inputs that cannot be known in the future are held at their last
value (volume, other tickers); the target ticker's price columns take the predicted price (or return).

The band: the 5 % and 95 % quantiles of the validation log errors log(actual / predicted), widened by the
square root of the step, around each forecast value (a 90 % band if errors behave like a random walk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..learn.dataset import Dataset
from ..learn.training import model_device
from .evaluation import predict_paths

BAND_LEVEL = 0.90
_PRICE_FEATURES = ("Open", "High", "Low", "Close", "Adj Close")


def band_quantiles(dataset: Dataset, model: nn.Module) -> tuple[float, float]:
    """Lower and upper quantiles of one-step validation log errors (lower <= 0 <= upper)."""
    anchors = dataset.anchors["val"]
    predicted = predict_paths(dataset, model, "val")[:, 0]
    errors = np.log(dataset.prices[anchors + 1] / predicted)
    tail = (1 - BAND_LEVEL) / 2
    return min(float(np.quantile(errors, tail)), 0.0), max(float(np.quantile(errors, 1 - tail)), 0.0)


def future_dates(last: pd.Timestamp, days: int) -> pd.DatetimeIndex:
    """The next `days` business days after `last` (exchange holidays are not known offline)."""
    return pd.bdate_range(last + pd.Timedelta(days=1), periods=days)


def forecast(dataset: Dataset, model: nn.Module, days: int) -> list[dict]:
    """[{date, value, lower, upper}] for `days` business days after the last date."""
    if days <= 0:
        return []
    spec = dataset.spec
    rows = dataset.features[-spec.window :].copy()
    price_columns = [i for i, name in enumerate(dataset.feature_names) if name in _PRICE_FEATURES]
    other_tickers = [i for i, name in enumerate(dataset.feature_names) if ":" in name]
    last_price = float(dataset.prices[-1])
    values: list[float] = []
    model.eval()
    while len(values) < days:
        window = torch.as_tensor(dataset.scale_window(rows[-spec.window :])[None], device=model_device(model))
        with torch.inference_mode():
            scaled = model(window).float().cpu().numpy()  # (1, horizon)
        step = dataset.target_scaler.inverse(scaled.reshape(-1, 1)).ravel()
        if spec.target_mode == "price":
            path = dataset.to_prices(scaled, np.array([len(dataset.prices) - 1]))[0]
        else:
            path = last_price * np.exp(np.cumsum(step))
        # the next input row: price columns take the predicted price (price mode) or return (log-return mode)
        for price, value in zip(path, step):
            new_row = rows[-1].copy()
            new_row[price_columns] = price if spec.target_mode == "price" else value
            if spec.target_mode == "log_return":
                new_row[other_tickers] = 0.0  # other tickers held at their last price
            rows = np.vstack([rows, new_row])
            values.append(float(price))
        last_price = float(path[-1])
    values = values[:days]
    low, high = band_quantiles(dataset, model)
    widen = np.sqrt(np.arange(1, days + 1))
    dates = future_dates(dataset.dates[-1], days).strftime("%Y-%m-%d")
    return [
        {"date": d, "value": v, "lower": float(v * np.exp(low * w)), "upper": float(v * np.exp(high * w))}
        for d, v, w in zip(dates, values, widen)
    ]
