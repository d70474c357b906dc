"""Read price CSV files in the shapes people actually have (Yahoo export, yfinance to_csv, long format...).

A wide file (no Ticker column) holds one series, named after the file; a long file holds one row per ticker and
day, and the tickers asked for are taken from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import BadInput, EmptyRange
from .csv_file import MAX_CSV_BYTES, TextTable, read_text_table
from .normalise import canonical_headers, file_formats, normalise_rows
from .prices import PriceFrame
from .quality import quality_notes
from .tickers import normalise_tickers, refuse_repeats

__all__ = ["MAX_CSV_BYTES", "read_price_csv", "read_price_csvs"]


def read_price_csv(path: str | Path, ticker: str | None = None) -> PriceFrame:
    """Load one ticker's daily prices from a CSV file; refuses with BadInput what cannot be used."""
    return read_price_csvs(path, [ticker])[0]


def read_price_csvs(
    path: str | Path,
    tickers: Sequence[str | None],
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[PriceFrame]:
    """Load several tickers of one (long-format) file, reading it once; None or no ticker: the file's only one.

    Rows are kept from `start` to `end` inclusive (either may be None: no bound). Raises BadInput, or EmptyRange
    when no row falls in the dates.
    """
    path = Path(path)
    text = read_text_table(path)
    asked = [str(t).strip() for t in tickers if t is not None and str(t).strip()]
    refuse_repeats(asked)
    column = _ticker_column(text.table)
    if column is None:
        frames = [_wide(path, text, asked)]
    else:
        formats = file_formats(text.table, text.lines)  # once for the file, not per ticker
        frames = [_long(path, text, column, ticker, formats) for ticker in (normalise_tickers(asked) or [None])]
    return [_finish(frame, start, end) for frame in frames]


def read_series(path: str | Path, ticker: str, any_name: bool = False) -> PriceFrame:
    """`ticker`'s prices from a file: its rows in a file with a Ticker column, or the one series of a file without
    one (which must be named `ticker` after the file, unless `any_name`: then it is taken as `ticker`)."""
    path = Path(path)
    text = read_text_table(path)
    column = _ticker_column(text.table)
    if column is None:
        frame = _wide(path, text, [] if any_name else [ticker])
        frame.ticker = ticker
    else:
        frame = _long(path, text, column, ticker.strip().upper(), file_formats(text.table, text.lines))
        frame.ticker = ticker
    return _finish(frame, None, None)


def _ticker_column(table: pd.DataFrame) -> str | None:
    return next((col for col, name in canonical_headers(list(table.columns)).items() if name == "Ticker"), None)


def _frame(
    path: Path,
    text: TextTable,
    table: pd.DataFrame,
    lines: list[int],
    ticker: str | None,
    formats: tuple[str, str] | None = None,
) -> PriceFrame:
    frame, repairs = normalise_rows(table, lines, formats)
    return PriceFrame(
        ticker=ticker or path.stem,
        frame=frame,
        source="csv",
        origin=f"file {path.name}",
        repairs=text.notes + repairs,
        request={"source": "csv", "path": str(path), "ticker": ticker},
    )


def _wide(path: Path, text: TextTable, asked: list[str]) -> PriceFrame:
    """The one series of a file without a Ticker column; asking it for a ticker other than its name is refused."""
    name = path.stem
    if len(asked) > 1:
        raise BadInput(
            f"{path.name} holds one series of prices (it has no Ticker column), named {name} after the file, so it "
            f"cannot give {', '.join(asked)}. Load it without tickers, or use one file per ticker, or a file with "
            "a Ticker column and the rows of every ticker."
        )
    if asked and asked[0].upper() != name.upper():
        raise BadInput(
            f"{path.name} holds one series of prices (it has no Ticker column), named {name} after the file; it "
            f"cannot be loaded as {asked[0]}. Load it without a ticker (on the command line: leave out --ticker), "
            f"rename the file to {asked[0]}.csv, or add a Ticker column."
        )
    return _frame(path, text, text.table, text.lines, None)


def _long(path: Path, text: TextTable, column: str, ticker: str | None, formats: tuple[str, str] | None) -> PriceFrame:
    """The rows of `ticker` (None: the file's only ticker) from a file with a Ticker column."""
    names = text.table[column].astype(str).str.strip().str.upper()
    available = [t for t in dict.fromkeys(names) if t]
    if ticker is None:
        if len(available) != 1:
            raise BadInput(
                f"{path.name} holds several tickers ({', '.join(available[:10])}): choose one "
                "(on the command line: --ticker T)."
                if available
                else f"{path.name} has a Ticker column but no ticker in it. Fill it in, or delete the column."
            )
        ticker = available[0]
    rows = (names == ticker).to_numpy()
    if not rows.any():
        raise BadInput(
            f"{path.name} has no rows for {ticker}; it holds {', '.join(available[:10])}. Choose one of those."
        )
    table = text.table[rows].drop(columns=[column]).reset_index(drop=True)
    lines = [line for line, keep in zip(text.lines, rows) if keep]
    return _frame(path, text, table, lines, ticker, formats)


def _finish(frame: PriceFrame, start: dt.date | None, end: dt.date | None) -> PriceFrame:
    """Keep the rows from `start` to `end` (no hidden bound when either is None), then add the findings."""
    rows = frame.frame
    if start is not None:
        rows = rows[rows.index >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows.index <= pd.Timestamp(end)]
    if rows.empty:
        raise EmptyRange(
            f"No prices for {frame.ticker} between {start or 'the start'} and {end or 'the end'} "
            f"(the data runs {frame.start} to {frame.end}). Widen the date range."
        )
    frame.frame = rows.copy()
    frame.repairs = frame.repairs + quality_notes(frame.frame, frame.ticker, frame.exchange)
    return frame
