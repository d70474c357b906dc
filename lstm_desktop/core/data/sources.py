"""One entry point for prices: Yahoo (through the cache), a CSV file, or the bundled sample."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import BadInput, EmptyRange
from ..paths import resources_dir
from ..specs import SOURCES, DataRequest
from .cache import PriceCache
from .csv_import import read_price_csvs
from .prices import PriceFrame

SAMPLE_FILE = "sample/stocks.csv"


def parse_date(text: str | None, what: str) -> dt.date | None:
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


def _clip(frame: PriceFrame, start: dt.date | None, end: dt.date | None) -> PriceFrame:
    if start is None and end is None:
        return frame
    rows = frame.frame.loc[pd.Timestamp(start or "1900-01-01") : pd.Timestamp(end or "2200-01-01")]
    if rows.empty:
        raise EmptyRange(
            f"No prices for {frame.ticker} between {start or 'the start'} and {end or 'the end'} "
            f"(the data runs {frame.start} to {frame.end}). Widen the date range."
        )
    frame.frame = rows.copy()
    return frame


def load_prices(request: DataRequest, cache: PriceCache | None = None) -> list[PriceFrame]:
    """Load every ticker of `request`; the first frame is the target. Raises BadInput or DataUnavailable."""
    start = parse_date(request.start, "Start date")
    end = parse_date(request.end, "End date")
    if start and end and start > end:
        raise BadInput(f"The start date {start} is after the end date {end}.")
    tickers = [t.strip() for t in request.tickers if t and t.strip()]
    if request.source not in SOURCES:
        raise BadInput(f"Unknown data source {request.source!r}; choose one of {', '.join(SOURCES)}.")
    if request.source == "yahoo":
        if not tickers:
            raise BadInput("Give at least one ticker symbol, e.g. AAPL.")
        cache = cache or PriceCache()
        return [cache.get(t, start, end, offline=request.offline) for t in tickers]
    if request.source == "csv":
        if not request.csv_path:
            raise BadInput("Choose a CSV file.")
        names: list[str | None] = list(tickers) or [None]
        frames = [_clip(frame, start, end) for frame in read_price_csvs(request.csv_path, names)]
        for frame in frames:
            frame.request.update({"start": request.start, "end": request.end})
        return frames
    available = sample_tickers()
    if not tickers:
        tickers = [available[0]]
    for ticker in tickers:
        if ticker.upper() not in available:
            raise BadInput(f"The bundled sample has no {ticker}; it holds {', '.join(available)}.")
    frames = []
    for ticker, frame in zip(tickers, read_price_csvs(sample_path(), list(tickers)), strict=True):
        frame.source = "sample"
        frame.origin = "bundled sample (Quandl WIKI, public domain)"
        frame.request = {
            "source": "sample",
            "ticker": ticker.upper(),
            "start": request.start,
            "end": request.end,
        }
        frames.append(_clip(frame, start, end))
    return frames
