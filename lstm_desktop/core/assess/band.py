"""The forecast band, calibrated on the model's own validation errors, and applied to any forecast."""

from __future__ import annotations

import numpy as np

from ..report import Band, Forecast, Series

BAND_LEVEL = 0.90


def validation_band(validation: Series, level: float = BAND_LEVEL) -> Band:
    """The (1-level)/2 and (1+level)/2 quantiles of one-step validation log errors log(actual / predicted),
    widened by the square root of the step beyond the first."""
    errors = np.log(validation.actual / validation.predicted)
    tail = (1 - level) / 2
    low = min(float(np.quantile(errors, tail)), 0.0)
    high = max(float(np.quantile(errors, 1 - tail)), 0.0)
    return Band(
        level=level,
        method="validation one-step log-error quantiles, widened by sqrt(step)",
        calibrated_on="val",
        lower=(low,),
        upper=(high,),
    )


def apply_band(dates: np.ndarray, values: np.ndarray, band: Band) -> Forecast:
    """The forecast `values` on `dates` with the band's lower and upper prices."""
    low, high = band.offsets(len(values))
    return Forecast(dates=dates, value=values, lower=values * np.exp(low), upper=values * np.exp(high))
