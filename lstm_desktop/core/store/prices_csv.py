"""The exact prices a run trained on, as one long-format CSV entry of a project file (bit-exact round trip).
Imported by the window before pandas is: pandas is imported where it is used."""

from __future__ import annotations

import io

from ..codec import FieldError
from ..data.prices import PriceFrame
from ..errors import ProjectFileError
from ..specs import PRICE_COLUMNS

MAX_TICKERS = 100  # a target and its input tickers; more is no model anyone trains


def frames_to_csv(frames: tuple[PriceFrame, ...] | list[PriceFrame]) -> bytes:
    """Long format (a Ticker column); floats written as their shortest round-trip repr: bit-identical on reading."""
    import pandas as pd

    parts = []
    for frame in frames:
        table = frame.frame.reset_index()
        table.insert(0, "Ticker", frame.ticker)
        parts.append(table)
    return pd.concat(parts).to_csv(index=False, date_format="%Y-%m-%d").encode()


def ticker_entries(frames: tuple[PriceFrame, ...] | list[PriceFrame]) -> list[dict]:
    """What project.json keeps about each ticker's prices besides the numbers."""
    return [
        {
            "ticker": f.ticker,
            "source": f.source,
            "origin": f.origin,
            "repairs": list(f.repairs),
            "request": f.request,
            "exchange": getattr(f, "exchange", None),
        }
        for f in frames
    ]


def _text(entry: dict, key: str, where: str, optional: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise FieldError(f"{where}.{key} should be text.")
    return value


def frames_from_csv(data: bytes, tickers: object, where: str) -> tuple[PriceFrame, ...]:
    """The frames of `tickers` (their entries in project.json) from a prices CSV entry; refuses damage by name."""
    import pandas as pd

    if not isinstance(tickers, list) or not tickers:
        raise FieldError(f"{where}.tickers should be a non-empty list.")
    if len(tickers) > MAX_TICKERS:
        raise FieldError(f"{where}.tickers lists {len(tickers)} tickers; a data set holds at most {MAX_TICKERS}.")
    try:
        table = pd.read_csv(io.BytesIO(data), dtype={"Ticker": str})
        table["Date"] = pd.to_datetime(table["Date"], format="%Y-%m-%d")
    except (ValueError, KeyError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ProjectFileError(f"The project file is damaged: its prices cannot be read ({exc}).") from exc
    if "Ticker" not in table.columns:
        raise ProjectFileError("The project file is damaged: its prices have no Ticker column.")
    columns = [c for c in PRICE_COLUMNS if c in table.columns]
    if "Close" not in columns or "Adj Close" not in columns:
        raise ProjectFileError("The project file is damaged: its prices lack Close or Adj Close.")
    if not all(pd.api.types.is_numeric_dtype(table[c]) for c in columns):
        raise ProjectFileError("The project file is damaged: its prices hold values that are not numbers.")
    groups = {str(name): rows for name, rows in table.groupby("Ticker", sort=False)}
    frames = []
    seen: set[str] = set()
    for index, entry in enumerate(tickers):
        spot = f"{where}.tickers[{index}]"
        if not isinstance(entry, dict):
            raise FieldError(f"{spot} should be an object.")
        ticker = _text(entry, "ticker", spot)
        if ticker in seen:
            raise FieldError(f"{spot} lists {ticker} a second time.")
        seen.add(ticker)
        if ticker not in groups:
            raise ProjectFileError(f"The project file is damaged: its prices have no rows for {ticker}.")
        rows = groups[ticker].set_index("Date")[columns].astype("float64")
        if rows.empty:
            raise ProjectFileError(f"The project file is damaged: its prices have no rows for {ticker}.")
        if not (rows.index.is_monotonic_increasing and rows.index.is_unique):
            raise ProjectFileError(f"The project file is damaged: the dates of {ticker} are not in order.")
        repairs = entry.get("repairs", [])
        request = entry.get("request", {})
        if not isinstance(repairs, list) or not isinstance(request, dict):
            raise FieldError(f"{spot}.repairs should be a list and {spot}.request an object.")
        frame = PriceFrame(
            ticker, rows, _text(entry, "source", spot), _text(entry, "origin", spot), [str(r) for r in repairs], request
        )
        frame.exchange = _text(entry, "exchange", spot, optional=True)
        frames.append(frame)
    return tuple(frames)
