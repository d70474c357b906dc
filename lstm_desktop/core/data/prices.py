"""PriceFrame: the one normalised form every data source produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")


@dataclass
class PriceFrame:
    """Daily prices of one ticker: tz-naive, sorted, unique dates as index; float columns from PRICE_COLUMNS.

    `origin` says where the rows came from in words ("file x.csv", "downloaded", "cache from 2026-11-20");
    `repairs` lists what the loader fixed so the user can see it, and what it noticed (splits, spikes, missing
    trading days). `exchange` is the exchange code Yahoo gave (e.g. NYQ, LSE); None for files and the sample.
    calendar.exchange_for(ticker, exchange) turns it into a trading calendar (XNYS when nothing is known).
    """

    ticker: str
    frame: pd.DataFrame
    source: str  # "csv" | "yahoo" | "sample"
    origin: str = ""
    repairs: list[str] = field(default_factory=list)
    request: dict = field(default_factory=dict)
    exchange: str | None = None

    @property
    def trading_calendar(self) -> str:
        """The exchange_calendars name of the days this ticker trades (XNYS when nothing tells)."""
        from .calendar import exchange_for

        return exchange_for(self.ticker, self.exchange)

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def start(self) -> str:
        return self.frame.index[0].strftime("%Y-%m-%d")

    @property
    def end(self) -> str:
        return self.frame.index[-1].strftime("%Y-%m-%d")

    def summary(self) -> str:
        """One line for a status bar or a terminal."""
        text = f"{self.ticker}: {self.rows} rows, {self.start} to {self.end} ({self.origin or self.source})"
        if self.repairs:
            text += "; repaired: " + "; ".join(self.repairs)
        return text
