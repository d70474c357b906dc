"""Turn any table of daily prices into the normalised frame, saying what was repaired or refused."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import BadInput
from .prices import PRICE_COLUMNS

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
    "adj_close": "Adj Close",
    "adjclose": "Adj Close",
    "adjusted close": "Adj Close",
    "adjusted_close": "Adj Close",
    "close adj": "Adj Close",
    "volume": "Volume",
    "vol": "Volume",
    "ticker": "Ticker",
    "symbol": "Ticker",
}
_MISSING_TOKENS = {"", "null", "nan", "na", "n/a", "none", "-", "--"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%Y/%m/%d")
_TZ_SUFFIX = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z| UTC)$")


def canonical_headers(columns: list[str]) -> dict[str, str]:
    """Map the file's headers to canonical names; headers we do not know are left out."""
    mapping: dict[str, str] = {}
    for col in columns:
        key = re.sub(r"\s+", " ", str(col).strip().lower())
        name = _HEADER_ALIASES.get(key)
        if name and name not in mapping.values():
            mapping[col] = name
    return mapping


def parse_dates(values: pd.Series) -> tuple[pd.DatetimeIndex, str | None]:
    """Parse date strings to tz-naive days. A timezone offset is dropped keeping the exchange's local date.

    Returns the dates and a note when the format was ambiguous or a timezone was removed.
    """
    text = values.astype(str).str.strip()
    note = None
    stripped = text.str.replace(_TZ_SUFFIX, "", regex=True)
    if (stripped != text).any():
        note = "timezone removed from dates (kept the exchange's local date)"
    stripped = stripped.str.replace(r"T(\d)", r" \1", regex=True)
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(stripped, format=fmt, errors="coerce")
        if parsed.notna().all():
            if fmt == "%m/%d/%Y" and pd.to_datetime(stripped, format="%d/%m/%Y", errors="coerce").notna().all():
                note = "dates could be M/D/YYYY or D/M/YYYY; read as M/D/YYYY"
            return pd.DatetimeIndex(parsed).normalize(), note
    # Dates with times other than midnight, or other common forms: let pandas try, then insist on all rows.
    parsed = pd.to_datetime(stripped, errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInput(
            f"Cannot read the date {text.iloc[row]!r} on data row {row + 1}. Use dates like 2024-01-31 or 1/31/2024."
        )
    return pd.DatetimeIndex(parsed).normalize(), note


def _to_numbers(column: pd.Series, name: str) -> pd.Series:
    """Numbers from text; missing markers become NaN, anything else non-numeric is refused."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("float64")
    text = column.astype(str).str.strip().str.replace(",", "", regex=False)
    missing = text.str.lower().isin(_MISSING_TOKENS)
    numbers = pd.to_numeric(text.where(~missing, None), errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInput(
            f"Column {name} holds text that is not a number: {column.iloc[row]!r} on data row {row + 1}. "
            "Fix or remove that row."
        )
    return numbers.astype("float64")


def normalise_table(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """From a raw table with a date column to (frame indexed by day with PRICE_COLUMNS, repairs made).

    Refuses (BadInput) a table with no date column, no price column, non-numeric prices or no usable rows.
    """
    if table.empty:
        raise BadInput("The data is empty: it has no rows of prices.")
    mapping = canonical_headers(list(table.columns))
    if "Date" not in mapping.values():
        raise BadInput(
            f"No date column found (columns: {', '.join(map(str, table.columns))}). Name it Date or Datetime."
        )
    named = table.rename(columns=mapping)
    if "Close" not in named.columns and "Adj Close" not in named.columns:
        raise BadInput(
            f"No price column found (columns: {', '.join(map(str, table.columns))}). "
            "A Close or Adj Close column is needed."
        )
    repairs: list[str] = []
    dates, note = parse_dates(named["Date"])
    if note:
        repairs.append(note)
    frame = pd.DataFrame(index=dates)
    for col in PRICE_COLUMNS:
        if col in named.columns:
            frame[col] = _to_numbers(named[col], col).to_numpy()
    if "Close" not in frame.columns:
        frame["Close"] = frame["Adj Close"]
    if "Adj Close" not in frame.columns:
        frame["Adj Close"] = frame["Close"]
        repairs.append("no Adj Close column: Close taken as already adjusted")
    frame.index.name = "Date"
    frame = frame[[col for col in PRICE_COLUMNS if col in frame.columns]]
    frame = _clean_rows(frame, repairs)
    if frame.empty:
        raise BadInput("No usable rows: every row lacks a positive price.")
    return frame, repairs


def _clean_rows(frame: pd.DataFrame, repairs: list[str]) -> pd.DataFrame:
    """Drop rows without a positive price, sort, drop duplicate dates; note each repair."""
    no_price = frame["Close"].isna() | frame["Adj Close"].isna()
    if no_price.any():
        repairs.append(f"{int(no_price.sum())} rows without a price dropped")
        frame = frame[~no_price]
    non_positive = (frame["Close"] <= 0) | (frame["Adj Close"] <= 0)
    if non_positive.any():
        repairs.append(f"{int(non_positive.sum())} rows with a zero or negative price dropped")
        frame = frame[~non_positive]
    if not frame.index.is_monotonic_increasing:
        repairs.append("rows sorted by date")
        frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep="last")
    if duplicated.any():
        repairs.append(f"{int(duplicated.sum())} duplicate dates dropped (kept the last row of each)")
        frame = frame[~duplicated]
    if {"Open", "High", "Low"} <= set(frame.columns):
        top = frame[["Open", "Close"]].max(axis=1)
        bottom = frame[["Open", "Close"]].min(axis=1)
        odd = int(((frame["High"] < top) | (frame["Low"] > bottom)).sum())
        if odd:
            repairs.append(f"{odd} rows where High/Low do not bound Open/Close (a data error; kept as they are)")
    other_nans = int(frame.isna().any(axis=1).sum())
    if other_nans:
        repairs.append(f"{other_nans} rows with a missing Open/High/Low/Volume filled from the previous day")
        frame = frame.ffill().bfill()
    if len(frame) > 1:
        gaps = frame.index.to_series().diff().dt.days
        widest = gaps.idxmax()
        if gaps.max() > 7:
            before = frame.index[frame.index.get_loc(widest) - 1]
            repairs.append(f"largest gap: {int(gaps.max())} days ({before:%Y-%m-%d} to {widest:%Y-%m-%d}), left as is")
    return frame.astype("float64")
