"""Plain-text exports of a run's results."""

from __future__ import annotations

import numpy as np

from ..report import RunReport


def _cell(value: float | None) -> str:
    return "" if value is None or not np.isfinite(value) else repr(float(value))


def predictions_csv(report: RunReport) -> str:
    """One row per day: the split, actual and one-step predicted prices, the band and the drawn value it is centred
    on (the model's prediction blended toward the last price); then the forecast with its band."""
    lines = ["date,split,actual,predicted,lower,upper,drawn"]
    for split, series in report.predictions.items():
        dates = np.datetime_as_string(series.dates)
        empty = [None] * len(series)
        lows = series.lower if series.lower is not None else empty
        highs = series.upper if series.upper is not None else empty
        drawn = series.drawn if series.drawn is not None else empty
        for row in zip(dates, series.actual, series.predicted, lows, highs, drawn):
            lines.append(f"{row[0]},{split}," + ",".join(_cell(v) for v in row[1:]))
    days = report.forecast
    for date, value, low, high in zip(np.datetime_as_string(days.dates), days.value, days.lower, days.upper):
        lines.append(f"{date},forecast,,{_cell(value)},{_cell(low)},{_cell(high)},{_cell(value)}")
    return "\n".join(lines) + "\n"


def forecast_csv(report: RunReport) -> str:
    """The forecast alone: date, value, lower, upper (the main band), then each level of the fan's bounds."""
    from ..documents import fan_key

    days = report.forecast
    fans = list(days.fan)
    header = ["date", "value", "lower", "upper"]
    header += [fan_key(f.level, side) for f in fans for side in ("lower", "upper")]
    lines = [",".join(header)]
    for at, date in enumerate(np.datetime_as_string(days.dates)):
        cells = [date, _cell(days.value[at]), _cell(days.lower[at]), _cell(days.upper[at])]
        cells += [_cell(getattr(f, side)[at]) for f in fans for side in ("lower", "upper")]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"
