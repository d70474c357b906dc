"""Does a source's past agree with the prices a project holds? On the days both have, each price column either
agrees (within rounding), or differs by one constant factor (a dividend or split re-adjusted the whole past: Yahoo's
adjusted closes do this), or differs otherwise (another series, an edited file): refused, with the dates. The one
exception is the project's last day alone: prices saved while that day's market was open hold a price that was not
yet its close, so when every earlier common day agrees (two at least), that day is taken from the source.

Rounding: a file may round prices to cents, so a day agrees when the ratio of the two prices is within
1e-6 + 0.005 / price of 1 (half a cent, relative), and a factor holds when every day's ratio is within that of the
factor, counting the half cent of each side: a re-adjusted file rounds the re-adjusted prices (a split of 7 makes a
cent seven times larger against the price), and the project's own prices may have come from a rounded file too.
Volume is not compared (it is revised, and a split rescales it inversely).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import BadInput

CHECKED = ("Adj Close", "Close", "Open", "High", "Low")  # the usual targets first: their message counts most
RELATIVE, HALF_CENT = 1e-6, 0.005
SHOWN = 3  # differing days named in a message


class PastDiffers(BadInput):
    """The source's past prices differ from the project's, and not by one constant factor."""


@dataclass(frozen=True)
class Overlap:
    """The days a project's prices and a source's share, and each checked column's factor (source / project; 1.0
    where they agree)."""

    first: str
    last: str
    days: int
    factors: dict[str, float]
    provisional: str | None = None  # the project's last day, when only it differed (saved before its close)

    @property
    def readjusted(self) -> dict[str, float]:
        """The columns the source re-adjusted, with their factor."""
        return {column: f for column, f in self.factors.items() if f != 1.0}


def _tolerance(prices: np.ndarray) -> np.ndarray:
    return RELATIVE + HALF_CENT / np.abs(prices)


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp:%Y-%m-%d}"


def compare_past(stored: pd.DataFrame, source: pd.DataFrame, ticker: str, where: str) -> Overlap:
    """The overlap of `stored` (a project's prices) and `source` (a source's), checked; raises PastDiffers naming
    the days when a column differs otherwise than by one constant factor. `where` names the source in messages."""
    common = stored.index.intersection(source.index)
    if common.empty:
        raise PastDiffers(
            f"{where} has no day in common with the project's prices of {ticker} (they end {_day(stored.index[-1])}; "
            f"the source runs {_day(source.index[0])} to {_day(source.index[-1])}), so it cannot be checked to be "
            "the same series. Give prices that include the project's last days."
        )
    try:
        return Overlap(_day(common[0]), _day(common[-1]), len(common), _factors(stored, source, common, ticker, where))
    except PastDiffers as differs:
        last = stored.index[-1]
        if len(common) < 3 or common[-1] != last:
            raise
        # Only the project's last day may differ: prices saved during that day's session, before its close. The
        # days before it (two at least) must agree on their own; if they do not, the whole overlap's message holds.
        try:
            factors = _factors(stored, source, common[:-1], ticker, where)
        except PastDiffers:
            raise differs from None
        return Overlap(_day(common[0]), _day(common[-1]), len(common), factors, provisional=_day(last))


def _factors(stored: pd.DataFrame, source: pd.DataFrame, days: pd.Index, ticker: str, where: str) -> dict:
    factors = {}
    for column in CHECKED:
        if column in stored.columns and column in source.columns:
            factors[column] = _factor(stored.loc[days, column], source.loc[days, column], ticker, column, where)
    return factors


def _factor(old: pd.Series, new: pd.Series, ticker: str, column: str, where: str) -> float:
    """1.0 when the column agrees, the constant factor when it differs by one, else PastDiffers."""
    a, b = old.to_numpy(dtype=np.float64), new.to_numpy(dtype=np.float64)
    tolerance = _tolerance(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = b / a
    if np.all(np.abs(ratio - 1.0) <= tolerance):
        return 1.0
    usable = np.isfinite(ratio) & (ratio > 0)
    factor = float(np.median(ratio[usable])) if usable.any() else float("nan")
    both = tolerance + HALF_CENT / np.where(b > 0, b, np.inf)  # each side rounded to its own cents
    off = ~(np.abs(ratio / factor - 1.0) <= both) if usable.any() else np.ones(len(a), dtype=bool)
    if len(a) >= 2 and not off.any():
        return factor
    readjusted = usable.any() and not abs(factor - 1.0) <= float(np.median(tolerance))
    if len(a) >= 3 and 2 * off.sum() < len(a) and readjusted:  # most days on one factor: name the days off it
        raise PastDiffers(_off_factor_text(old.index, a, b, off, factor, ticker, column, where))
    raise PastDiffers(_differs_text(old.index, a, b, ~(np.abs(ratio - 1.0) <= tolerance), ticker, column, where))


def _off_factor_text(
    dates: pd.DatetimeIndex,
    old: np.ndarray,
    new: np.ndarray,
    off: np.ndarray,
    factor: float,
    ticker: str,
    column: str,
    where: str,
) -> str:
    rows = np.flatnonzero(off)
    shown = [f"{_day(dates[i])}: {new[i]:.6g} against {old[i] * factor:.6g}" for i in rows[:SHOWN]]
    more = f"; ... last {_day(dates[rows[-1]])}" if len(rows) > SHOWN else ""
    return (
        f"The {column} prices of {ticker} in {where} are the project's times {factor:.6g} on "
        f"{len(dates) - len(rows)} of {len(dates)} common days (a re-adjustment), but not on {len(rows)} "
        f"({'; '.join(shown)}{more}): not by one constant factor. Nothing was merged and the project is unchanged. "
        f"This looks like an edited file or another series: check that it holds the prices of {ticker}."
    )


def _differs_text(
    dates: pd.DatetimeIndex, old: np.ndarray, new: np.ndarray, off: np.ndarray, ticker: str, column: str, where: str
) -> str:
    rows = np.flatnonzero(off)
    shown = [f"{_day(dates[i])}: {new[i]:.6g} against {old[i]:.6g}" for i in rows[:SHOWN]]
    more = f"; ... last {_day(dates[rows[-1]])}" if len(rows) > SHOWN else ""
    hint = (
        " With one day in common, a re-adjustment cannot be told from another series: give prices that include "
        "more of the project's days."
        if len(dates) == 1
        else f" This looks like another series or an edited file: check that it holds the prices of {ticker}."
    )
    return (
        f"The {column} prices of {ticker} in {where} differ from the project's on {len(rows)} of {len(dates)} common "
        f"days, and not by one constant factor ({'; '.join(shown)}{more}). Nothing was merged and the project is "
        f"unchanged.{hint}"
    )
