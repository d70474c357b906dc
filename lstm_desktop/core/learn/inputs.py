"""Which column of which ticker each input of the model is (light to import: reports and the window use it)."""

from __future__ import annotations

from dataclasses import dataclass

PRICE_KINDS = ("Open", "High", "Low", "Close", "Adj Close")


@dataclass(frozen=True)
class InputColumn:
    """One input of the model: a column of a ticker. `own` is True for the target ticker's columns."""

    ticker: str
    column: str
    own: bool

    @property
    def label(self) -> str:
        return self.column if self.own else f"{self.ticker} {self.column}"

    @property
    def is_price(self) -> bool:
        return self.column in PRICE_KINDS
