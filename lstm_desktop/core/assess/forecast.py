"""Forecast past the last date on the exchange's trading days: the recursive forecast of assess/paths.py from
the last day (inputs that cannot be known in the future held at their last value: report.FUTURE_INPUTS), drawn as
the band's blend of that path with the flat last price (assess/drawn_path.py), with the fan of every level."""

from __future__ import annotations

import numpy as np
import pandas as pd
from torch import nn

from ..learn.dataset import Dataset
from ..report import Band, Forecast
from .band import apply_band
from .paths import recursive_paths


def future_dates(last: pd.Timestamp, days: int, calendar: str) -> np.ndarray:
    """The next `days` trading days of `calendar` (an exchange_calendars name) after `last`."""
    from ..data.calendar import future_trading_days

    return future_trading_days(last, days, calendar).to_numpy().astype("datetime64[D]")


def forecast(dataset: Dataset, model: nn.Module, days: int, band: Band) -> Forecast:
    """The forecast for `days` trading days after the last date, with `band` around it."""
    if days <= 0:
        empty = np.zeros(0)
        return Forecast(dates=np.zeros(0, dtype="datetime64[D]"), value=empty, lower=empty, upper=empty)
    last = float(dataset.prices[-1])
    values = recursive_paths(dataset, model, np.array([len(dataset.prices) - 1]), days)[0]
    drawn = last * np.exp(band.weights(days) * np.log(values / last))
    return apply_band(future_dates(dataset.dates[-1], days, dataset.calendar), drawn, band)
