"""What a user should know about a clean price series before trusting a model on it: splits, one-day spikes and
trading days missing from the data. These are findings, not repairs: the prices are kept as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import calendar

SPIKE_FACTOR = 3.0  # a one-day move by this factor (or its inverse) that is undone the next day is a spike
SPIKE_RETURN = 1.2  # "undone": the day after, the price is back within this factor of the day before the spike
SPLIT_GAP = 1.25  # Close and Adj Close moving apart by this factor in one day: a split adjusted in Adj Close
JUMP_FACTOR = 1.8  # both moving by this factor, close to a split ratio, not undone: an unadjusted split
SPLITS = {n: f"{n}:1" for n in (2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 40, 50, 100)} | {1.5: "3:2", 2.5: "5:2"}
SHOWN = 5  # dates listed in a note before "and N more"


def quality_notes(frame: pd.DataFrame, ticker: str = "", exchange: str | None = None) -> list[str]:
    """Notes on splits, spikes and missing trading days of a normalised frame (Close and Adj Close present).

    `exchange` is what the data says of its exchange (a Yahoo code such as NYQ, or a calendar name); the trading
    calendar is calendar.exchange_for(ticker, exchange), XNYS when neither tells (and the note says so).
    """
    notes: list[str] = []
    if len(frame) > 2:
        spikes = _spikes(frame)
        notes += _spike_notes(frame.index, spikes)
        notes += _split_notes(frame, spikes)
    if len(frame) > 1:
        name = calendar.exchange_for(ticker, exchange)
        assumed = name == calendar.DEFAULT_EXCHANGE and not calendar.is_known_exchange(exchange)
        missing = missing_trading_days(frame.index, name, assumed)
        notes += [missing] if missing else []
    return notes


def _ratios(series: pd.Series) -> np.ndarray:
    """Day-over-day price ratios; position i is the move into day i (NaN for the first day)."""
    values = series.to_numpy(dtype="float64")
    ratios = np.full(len(values), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios[1:] = values[1:] / values[:-1]
    return ratios


def _spikes(frame: pd.DataFrame) -> dict[int, float]:
    """Positions of one-day spikes in Close or Adj Close, with the factor of the jump."""
    found: dict[int, float] = {}
    for column in ("Close", "Adj Close"):
        r = _ratios(frame[column])
        jump = np.abs(np.log(r[1:-1])) >= np.log(SPIKE_FACTOR)
        back = np.abs(np.log(r[1:-1] * r[2:])) <= np.log(SPIKE_RETURN)
        for i in np.flatnonzero(jump & back) + 1:
            found.setdefault(int(i), float(r[i]))
    return found


def _spike_notes(index: pd.DatetimeIndex, spikes: dict[int, float]) -> list[str]:
    if not spikes:
        return []
    days = [f"{index[i]:%Y-%m-%d} (×{factor:.3g})" for i, factor in sorted(spikes.items())]
    many = len(days) > 1
    return [
        f"one-day spike{'s' if many else ''} on {_listed(days)}, back the next day: probably "
        f"{'data errors' if many else 'a data error'}; kept as {'they are' if many else 'it is'}"
    ]


def _split_ratio(factor: float) -> str | None:
    """'2:1' for a factor near 1/2, '1:10' for one near 10 (a reverse split); None when no ratio is near."""
    for shares, text in SPLITS.items():
        if abs(np.log(factor * shares)) < 0.03:
            return text
        if abs(np.log(factor / shares)) < 0.03:
            return ":".join(reversed(text.split(":")))
    return None


def _split_notes(frame: pd.DataFrame, spikes: dict[int, float]) -> list[str]:
    """Splits adjusted in Adj Close (Close jumps alone) and jumps of both that look like unadjusted splits."""
    close, adjusted = _ratios(frame["Close"]), _ratios(frame["Adj Close"])
    skip = np.zeros(len(frame), dtype=bool)
    for i in spikes:
        skip[i : i + 2] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        apart = (np.abs(np.log(close / adjusted)) >= np.log(SPLIT_GAP)) & ~skip
        both = (np.abs(np.log(close)) >= np.log(JUMP_FACTOR)) & ~apart & ~skip
    adjusted_days = [_split_day(frame.index[i], close[i] / adjusted[i]) for i in np.flatnonzero(apart)]
    jump_days = [_split_day(frame.index[i], close[i]) for i in np.flatnonzero(both) if _split_ratio(close[i])]
    notes = []
    if adjusted_days:
        notes.append(
            f"stock split{'s' if len(adjusted_days) > 1 else ''} on {_listed(adjusted_days)}: Close jumps by that "
            "factor more than Adj Close does; kept as is. Adj Close (the default target) is adjusted for them; a model "
            "of Close would see a crash that never happened"
        )
    if jump_days:
        notes.append(
            f"Close and Adj Close both jump on {_listed(jump_days)}, like a stock split that the prices are not "
            "adjusted for (or a real crash or leap); kept as is. Use split-adjusted prices or data from after it"
        )
    return notes


def _split_day(day: pd.Timestamp, factor: float) -> str:
    ratio = _split_ratio(factor)
    return f"{day:%Y-%m-%d} (×{factor:.3g}" + (f", a {ratio} split?" if ratio else "") + ")"


def missing_trading_days(index: pd.DatetimeIndex, exchange: str, assumed: bool = False) -> str | None:
    """A note naming the sessions of `exchange` between the first and last date that have no row; None if none.

    Weekends and the exchange's holidays are not missing. Days the calendar does not cover are not checked.
    """
    sessions = calendar.sessions_between(index[0], index[-1], exchange)
    if sessions is None or sessions.empty:
        return None
    missing = sessions.difference(index)
    if missing.empty:
        return None
    which = calendar.exchange_label(exchange) + " calendar" + (", assumed" if assumed else "")
    begins = calendar.sessions(exchange)[0]
    partial = f"; checked from {begins:%Y-%m-%d}, where the calendar starts" if begins > index[0] else ""
    days = [f"{day:%Y-%m-%d}" for day in missing]
    count = len(days)
    return (
        f"{count} trading day{'s' if count != 1 else ''} missing ({which}{partial}): {_listed(days)}; left as they are"
    )


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
