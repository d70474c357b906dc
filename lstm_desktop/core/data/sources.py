"""One entry point for prices: Yahoo (through the cache), a CSV file, or the bundled sample."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import BadInput
from ..paths import resources_dir
from ..specs import SOURCES, DataRequest
from .cache import PriceCache
from .csv_import import read_price_csvs
from .prices import PriceFrame
from .tickers import normalise_tickers

SAMPLE_FILE = "sample/stocks.csv"


def parse_date(text: str | None, what: str) -> dt.date | None:
    """A YYYY-MM-DD date of a request, None when empty; BadInput names `what` when it is not a date."""
    if text in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError as exc:
        raise BadInput(f"{what} {text!r} is not a date; write it as YYYY-MM-DD.") from exc


def sample_path() -> Path:
    return resources_dir() / SAMPLE_FILE


@lru_cache(maxsize=1)
def sample_tickers() -> tuple[str, ...]:
    """Tickers of the bundled sample with enough history to train on, in file order."""
    table = pd.read_csv(sample_path(), usecols=["Ticker"])
    counts = table["Ticker"].value_counts()
    return tuple(t for t in dict.fromkeys(table["Ticker"]) if counts[t] >= 500)


def load_prices(request: DataRequest, cache: PriceCache | None = None) -> list[PriceFrame]:
    """Load every ticker of `request`; the first frame is the target. Raises BadInput or DataUnavailable.

    Tickers are normalised once (tickers.normalise_tickers), so the same ticker asked twice is refused whatever
    its spelling. No date bound is added: without a start, the data starts where it starts.
    """
    start = parse_date(request.start, "Start date")
    end = parse_date(request.end, "End date")
    if start and end and start > end:
        raise BadInput(f"The start date {start} is after the end date {end}.")
    if request.source not in SOURCES:
        raise BadInput(f"Unknown data source {request.source!r}; choose one of {', '.join(SOURCES)}.")
    if request.source == "csv":
        return _from_csv(request, start, end)
    tickers = normalise_tickers(request.tickers)
    if request.source == "yahoo":
        if not tickers:
            raise BadInput("Give at least one ticker symbol, e.g. AAPL.")
        cache = cache or PriceCache()
        return [cache.get(t, start, end, offline=request.offline) for t in tickers]
    return _from_sample(request, tickers, start, end)


def _from_csv(request: DataRequest, start: dt.date | None, end: dt.date | None) -> list[PriceFrame]:
    if not request.csv_path:
        raise BadInput("Choose a CSV file.")
    frames = read_price_csvs(request.csv_path, list(request.tickers), start, end)
    for frame in frames:
        frame.request.update({"start": request.start, "end": request.end})
    return frames


def _from_sample(
    request: DataRequest, tickers: tuple[str, ...], start: dt.date | None, end: dt.date | None
) -> list[PriceFrame]:
    available = sample_tickers()
    tickers = tickers or available[:1]
    for ticker in tickers:
        if ticker not in available:
            raise BadInput(f"The bundled sample has no {ticker}; it holds {', '.join(available)}.")
    frames = read_price_csvs(sample_path(), list(tickers), start, end)
    for ticker, frame in zip(tickers, frames, strict=True):
        frame.source = "sample"
        frame.origin = "bundled sample (Quandl WIKI, public domain)"
        frame.request = {"source": "sample", "ticker": ticker, "start": request.start, "end": request.end}
    return frames
