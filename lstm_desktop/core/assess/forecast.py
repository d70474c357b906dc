"""Forecast past the last date: recursive for horizon 1 (each predicted day becomes input for the next), chained
blocks of `horizon` days otherwise.

Inputs that cannot be known in the future are held at their last value (volume, other tickers); the target
ticker's price columns take the predicted price (or return). `report.FUTURE_INPUTS` says so in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..learn.dataset import Dataset
from ..learn.predict import model_device
from ..report import Band, Forecast
from .band import apply_band


def future_dates(last: pd.Timestamp, days: int) -> np.ndarray:
    """The next `days` business days after `last`."""
    return pd.bdate_range(last + pd.Timedelta(days=1), periods=days).to_numpy().astype("datetime64[D]")


def forecast_values(dataset: Dataset, model: nn.Module, days: int) -> np.ndarray:
    """(days,) forecast prices after the last date."""
    spec = dataset.spec
    rows = dataset.features[-spec.window :].copy()
    prices = [i for i, item in enumerate(dataset.inputs) if item.own and item.is_price]
    others = [i for i, item in enumerate(dataset.inputs) if not item.own]
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
        for price, value in zip(path, step):
            new_row = rows[-1].copy()
            new_row[prices] = price if spec.target_mode == "price" else value
            if spec.target_mode == "log_return":
                new_row[others] = 0.0  # other tickers held at their last price: no return
            rows = np.vstack([rows, new_row])
            values.append(float(price))
        last_price = float(path[-1])
    return np.asarray(values[:days], dtype=np.float64)


def forecast(dataset: Dataset, model: nn.Module, days: int, band: Band) -> Forecast:
    """The forecast for `days` business days after the last date, with `band` around it."""
    if days <= 0:
        empty = np.zeros(0)
        return Forecast(dates=np.zeros(0, dtype="datetime64[D]"), value=empty, lower=empty, upper=empty)
    values = forecast_values(dataset, model, days)
    return apply_band(future_dates(dataset.dates[-1], days), values, band)
