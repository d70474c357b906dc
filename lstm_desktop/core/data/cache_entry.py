"""One ticker's entry of the price cache on disk, read strictly and written so that damage shows.

An entry is a folder with prices.csv (exact columns, one row per day) and meta.json, which holds the row count
and the SHA-256 of prices.csv: a cut-off or half-replaced write no longer matches and the entry counts as
damaged. Reading checks everything a later step relies on (complete rows, unique sorted tz-naive dates, finite
positive prices, metadata of the right types), so a damaged entry is never used, only reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..store.atomic import write_bytes_atomic
from .prices import PRICE_COLUMNS

FORMAT = 2  # of the entry; entries of other formats are written again


class Damaged(Exception):
    """The entry exists but cannot be trusted; str() says why, in the user's words."""


@dataclass
class Entry:
    """A cached frame (Date index, PRICE_COLUMNS) and its metadata."""

    frame: pd.DataFrame
    meta: dict


def write_entry(folder: Path, frame: pd.DataFrame, meta: dict) -> None:
    """Write prices.csv, then meta.json with the count and checksum of exactly the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c for c in PRICE_COLUMNS if c in frame.columns]
    data = frame[columns].to_csv(date_format="%Y-%m-%d", index_label="Date", lineterminator="\n").encode()
    full = {
        **meta,
        "format": FORMAT,
        "columns": columns,
        "rows": len(frame),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    write_bytes_atomic(folder / "prices.csv", data)
    write_bytes_atomic(folder / "meta.json", json.dumps(full, indent=2).encode())


def read_entry(folder: Path, ticker: str) -> Entry | None:
    """The entry of `ticker` in `folder`; None when there is none; Damaged when it cannot be trusted."""
    meta_path, prices_path = folder / "meta.json", folder / "prices.csv"
    if not meta_path.exists() and not prices_path.exists():
        return None
    try:
        meta = _meta(json.loads(meta_path.read_bytes()), ticker)
        data = prices_path.read_bytes()
    except FileNotFoundError as exc:
        raise Damaged(f"{Path(exc.filename or '').name or 'a file'} is missing") from exc
    except ValueError as exc:  # JSON that does not parse, or bytes that are no text
        raise Damaged("meta.json cannot be read") from exc
    except OSError as exc:
        raise Damaged(f"its files cannot be read ({exc.strerror or type(exc).__name__})") from exc
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise Damaged("prices.csv does not match its checksum (cut off or changed)")
    frame = _prices(data, meta["columns"])
    if len(frame) != meta["rows"]:
        raise Damaged(f"prices.csv has {len(frame)} rows, meta.json says {meta['rows']}")
    return Entry(frame, meta)


def _require(meta: dict, key: str, kind: type | tuple[type, ...]) -> object:
    value = meta.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise Damaged(f"meta.json has no valid {key!r}")
    return value


def _meta(meta: object, ticker: str) -> dict:
    """`meta` checked: the right ticker and source, covered dates, an aware fetched_at, rows and checksum."""
    if not isinstance(meta, dict):
        raise Damaged(f"meta.json holds a {type(meta).__name__}, not an object")
    if meta.get("format") != FORMAT:
        raise Damaged("it was written by another version of lstm-desktop")
    if _require(meta, "ticker", str) != ticker or meta.get("source") != "yahoo":
        raise Damaged("meta.json is for another ticker or source")
    covered = meta.get("covered")
    if not (isinstance(covered, list) and len(covered) == 2 and all(isinstance(d, str) for d in covered)):
        raise Damaged("meta.json has no valid 'covered' dates")
    try:
        first, last = (dt.date.fromisoformat(d) for d in covered)
        fetched = dt.datetime.fromisoformat(str(_require(meta, "fetched_at", str)))
    except ValueError as exc:
        raise Damaged("meta.json has dates that cannot be read") from exc
    if first > last:
        raise Damaged("meta.json has its 'covered' dates in the wrong order")
    if fetched.tzinfo is None:
        raise Damaged("meta.json has a 'fetched_at' time without a timezone")
    if _require(meta, "rows", int) < 1:  # type: ignore[operator]
        raise Damaged("meta.json says the entry has no rows")
    sha = _require(meta, "sha256", str)
    if len(sha) != 64:  # type: ignore[arg-type]
        raise Damaged("meta.json has no valid 'sha256'")
    if meta.get("exchange") is not None and not isinstance(meta["exchange"], str):
        raise Damaged("meta.json has no valid 'exchange'")
    columns = meta.get("columns")
    if not (
        isinstance(columns, list)
        and {"Close", "Adj Close"} <= set(columns)
        and columns == [c for c in PRICE_COLUMNS if c in columns]
    ):
        raise Damaged("meta.json has no valid 'columns'")
    return meta


def _prices(data: bytes, columns: list[str]) -> pd.DataFrame:
    """prices.csv checked: the header of `columns`, complete rows, unique sorted dates, finite positive prices."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise Damaged("prices.csv is not plain text") from exc
    lines = text.split("\n")
    if lines[0] != ",".join(["Date", *columns]):
        raise Damaged("prices.csv has other columns than expected")
    if lines[-1] != "" or any(line.count(",") != len(columns) for line in lines[1:-1]):
        raise Damaged("prices.csv has an incomplete row")
    try:
        table = pd.read_csv(io.StringIO(text), dtype={"Date": str})
    except (ValueError, pd.errors.ParserError) as exc:
        raise Damaged("prices.csv cannot be read") from exc
    dates = pd.to_datetime(table["Date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise Damaged("prices.csv has dates that are not plain days (YYYY-MM-DD)")
    index = pd.DatetimeIndex(dates, name="Date")
    if not (index.is_unique and index.is_monotonic_increasing):
        raise Damaged("prices.csv has duplicate or unsorted dates")
    frame = table.drop(columns=["Date"]).set_axis(index)
    _check_values(frame)
    return frame.astype("float64")


def _check_values(frame: pd.DataFrame) -> None:
    if not all(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns):
        raise Damaged("prices.csv has values that are not numbers")
    values = frame.to_numpy(dtype="float64")
    if not np.isfinite(values).all():
        raise Damaged("prices.csv has missing or infinite values")
    prices = frame[[c for c in frame.columns if c != "Volume"]].to_numpy(dtype="float64")
    if (prices <= 0).any() or ("Volume" in frame.columns and (frame["Volume"].to_numpy() < 0).any()):
        raise Damaged("prices.csv has zero or negative prices")
