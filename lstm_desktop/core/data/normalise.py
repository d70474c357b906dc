"""Turn any table of daily prices into the normalised frame, saying what was repaired or refused."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import BadInput
from .dates import date_format, parse_dates
from .number_format import decide_decimal_mark, read_numbers
from .prices import PRICE_COLUMNS
from .quality import SHOWN, quality_notes

__all__ = ["canonical_headers", "file_formats", "normalise_rows", "normalise_table", "parse_dates"]

_HEADER_ALIASES = {
    "date": "Date",
    "datetime": "Date",
    "time": "Date",
    "timestamp": "Date",
    "day": "Date",
    "open": "Open",
    "high": "High",
    "low": "Low",
    "close": "Close",
    "price": "Close",
    "adj close": "Adj Close",
    "adj. close": "Adj Close",
    "adj_close": "Adj Close",
    "adjclose": "Adj Close",
    "adjusted close": "Adj Close",
    "adjusted_close": "Adj Close",
    "close adj": "Adj Close",
    "volume": "Volume",
    "vol": "Volume",
    "vol.": "Volume",
    "datum": "Date",
    "eröffnung": "Open",
    "hoch": "High",
    "tief": "Low",
    "schluss": "Close",
    "schlusskurs": "Close",
    "volumen": "Volume",
    "ticker": "Ticker",
    "symbol": "Ticker",
}


def _header_key(column: object) -> str:
    """'Adj Close**' and ' adj  close ' both become 'adj close'."""
    return re.sub(r"\s+", " ", str(column).strip().lower()).rstrip("*").strip()


def canonical_headers(columns: Sequence[object]) -> dict[object, str]:
    """Map the file's headers to canonical names; headers we do not know are left out.

    Two headers meaning the same thing (Close and close, Date and Datetime) are refused, naming both: which one
    holds the prices cannot be told.
    """
    mapping: dict[object, str] = {}
    first: dict[str, object] = {}
    for col in columns:
        name = _HEADER_ALIASES.get(_header_key(col))
        if name is None:
            continue
        if name in first:
            raise BadInput(
                f"Two columns hold {name}: {first[name]!r} and {col!r}. Delete or rename one of them so that "
                "one column is left for it, and load the file again."
            )
        first[name] = col
        mapping[col] = name
    return mapping


def normalise_table(
    table: pd.DataFrame, ticker: str = "", exchange: str | None = None, lines: Sequence[int] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """From a raw table with a date column to (frame indexed by day with PRICE_COLUMNS, repairs and findings).

    The findings (splits, spikes, trading days missing on the calendar of `ticker` and `exchange`, see
    quality.quality_notes) follow the repairs. Refuses (BadInput) what normalise_rows refuses.
    """
    frame, repairs = normalise_rows(table, lines)
    return frame, repairs + quality_notes(frame, ticker, exchange)


def normalise_rows(
    table: pd.DataFrame, lines: Sequence[int] | None = None, formats: tuple[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The normalised frame and the repairs made, without the findings of quality_notes.

    Refuses (BadInput) a table with no date column, no price column, two columns for one thing, unreadable or
    ambiguous dates or numbers, or no usable rows. `lines` are the file lines of the rows, for messages;
    `formats` (decimal mark, date format) as file_formats found them on the whole file, None: found here.
    """
    if table.empty:
        raise BadInput("The data is empty: it has no rows of prices.")
    mapping = canonical_headers(list(table.columns))
    if "Date" not in mapping.values():
        raise BadInput(
            f"No date column found (columns: {_columns(table)}). Name it Date, and put the header in the first line."
        )
    named = table.rename(columns=mapping).reset_index(drop=True)
    if "Close" not in named.columns and "Adj Close" not in named.columns:
        raise BadInput(f"No price column found (columns: {_columns(table)}). A Close or Adj Close column is needed.")
    repairs: list[str] = []
    decimal, date_style = formats or (None, None)
    dates, note = parse_dates(named["Date"], lines, date_style)
    if note:
        repairs.append(note)
    numbers = read_numbers({col: named[col] for col in PRICE_COLUMNS if col in named.columns}, lines, decimal)
    frame = pd.DataFrame({col: values.to_numpy() for col, values in numbers.items()})
    frame.index = dates
    if "Close" not in frame.columns:
        frame["Close"] = frame["Adj Close"]
    if "Adj Close" not in frame.columns:
        frame["Adj Close"] = frame["Close"]
        repairs.append("no Adj Close column: Close taken as already adjusted")
    frame.index.name = "Date"
    frame = frame[[col for col in PRICE_COLUMNS if col in frame.columns]]
    frame = _clean_rows(frame, repairs)
    if frame.empty:
        raise BadInput("No usable rows: every row lacks a positive price. Check the price columns of the file.")
    return frame, repairs


def file_formats(table: pd.DataFrame, lines: Sequence[int] | None = None) -> tuple[str, str] | None:
    """The decimal mark and date format of a whole file (of several tickers), decided once from all its rows;
    None when the file lacks a date or price column (normalise_rows then says so)."""
    mapping = canonical_headers(list(table.columns))
    named = table.rename(columns=mapping).reset_index(drop=True)
    if table.empty or "Date" not in named.columns or not {"Close", "Adj Close"} & set(named.columns):
        return None
    numeric = {col: named[col] for col in PRICE_COLUMNS if col in named.columns}
    return decide_decimal_mark(numeric, lines), date_format(named["Date"], lines)


def _columns(table: pd.DataFrame) -> str:
    names = [str(c) for c in table.columns[:12]]
    return ", ".join(names) + (", …" if len(table.columns) > 12 else "")


def _days(index: pd.Index) -> str:
    days = [f"{day:%Y-%m-%d}" for day in index[:SHOWN]]
    return ", ".join(days) + (f" and {len(index) - SHOWN} more" if len(index) > SHOWN else "")


def _clean_rows(frame: pd.DataFrame, repairs: list[str]) -> pd.DataFrame:
    """Drop rows without a positive finite price, sort, drop duplicate dates, fill other gaps; note each repair.

    Infinite values (`inf` in the file, or numbers too large for a float such as 1e400) are treated like the
    missing markers (`null`, `nan`): a price that cannot be real is a missing value in disguise. Their rows are
    dropped like rows without a price, rather than refusing the file, so one broken export line does not block
    the rest; the dates are named so nothing is dropped silently, and no infinite value reaches the frame.
    """
    infinite = np.isinf(frame.to_numpy(dtype="float64")).any(axis=1)
    if infinite.any():
        repairs.append(
            f"{int(infinite.sum())} rows with an infinite value (inf, or a number too large such as 1e400) "
            f"treated as missing: {_days(frame.index[infinite])}"
        )
        frame = frame.replace([np.inf, -np.inf], np.nan)
    no_price = frame["Close"].isna() | frame["Adj Close"].isna()
    if no_price.any():
        repairs.append(f"{int(no_price.sum())} rows without a price dropped: {_days(frame.index[no_price])}")
        frame = frame[~no_price]
    non_positive = (frame["Close"] <= 0) | (frame["Adj Close"] <= 0)
    if non_positive.any():
        repairs.append(
            f"{int(non_positive.sum())} rows with a zero or negative price dropped: {_days(frame.index[non_positive])}"
        )
        frame = frame[~non_positive]
    if not frame.index.is_monotonic_increasing:
        repairs.append("rows sorted by date")
        frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep="last")
    if duplicated.any():
        repairs.append(
            f"{int(duplicated.sum())} duplicate dates dropped (kept the last row of each): "
            f"{_days(frame.index[duplicated])}"
        )
        frame = frame[~duplicated]
    if {"Open", "High", "Low"} <= set(frame.columns):
        top = frame[["Open", "Close"]].max(axis=1)
        bottom = frame[["Open", "Close"]].min(axis=1)
        odd = int(((frame["High"] < top) | (frame["Low"] > bottom)).sum())
        if odd:
            repairs.append(f"{odd} rows where High/Low do not bound Open/Close (a data error; kept as they are)")
    empty = [col for col in frame.columns if frame[col].isna().all()]
    if empty:
        repairs.append(f"column{'s' if len(empty) > 1 else ''} {', '.join(empty)} left out: no values")
        frame = frame.drop(columns=empty)
    other_nans = int(frame.isna().any(axis=1).sum())
    if other_nans:
        repairs.append(f"{other_nans} rows with a missing Open/High/Low/Volume filled from the previous day")
        frame = frame.ffill().bfill()
    return frame.astype("float64")
