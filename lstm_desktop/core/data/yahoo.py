"""Daily prices from Yahoo Finance through yfinance, with every wait bounded and errors in the user's words.

yfinance can block for over a minute on a dead network, so a short reachability probe runs first and the
download itself runs in a daemon thread whose wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..errors import DataUnavailable, EmptyRange, Offline, RateLimited, UnknownTicker
from .normalise import normalise_rows

YAHOO_HOST = "query2.finance.yahoo.com"
PROBE_SECONDS = 3.0
DOWNLOAD_SECONDS = 30.0


def _bounded(call: Callable[[], Any], seconds: float, what: str) -> Any:
    """Run `call` in a daemon thread; raise Offline if it takes longer than `seconds`."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"bounded-{what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise Offline(f"{what} did not answer within {seconds:.0f} s. Check your internet connection.")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def network_available(host: str = YAHOO_HOST, seconds: float = PROBE_SECONDS) -> bool:
    """True when a TCP connection to Yahoo opens within `seconds` (DNS included)."""

    def connect() -> bool:
        with socket.create_connection((host, 443), timeout=seconds):
            return True

    try:
        return bool(_bounded(connect, seconds, "Yahoo Finance"))
    except (OSError, Offline):
        return False


def yfinance_version() -> str:
    import yfinance

    return str(getattr(yfinance, "__version__", "unknown"))


_configured = False


def configure_yfinance() -> None:
    """Raise errors instead of logging them, and keep yfinance's timezone cache in our cache folder. Once."""
    global _configured
    if _configured:
        return
    import yfinance as yf

    from ..paths import cache_dir

    tz_cache = str(cache_dir() / "yfinance-tz")
    warnings.filterwarnings("ignore", module="yfinance")  # its pandas deprecation noise is not ours to show
    yf.config.debug.hide_exceptions = False
    yf.config.network.retries = 0
    yf.set_tz_cache_location(tz_cache)
    _configured = True


def _map_error(ticker: str, exc: Exception) -> DataUnavailable:
    from yfinance.exceptions import YFPricesMissingError, YFRateLimitError, YFTickerMissingError

    if isinstance(exc, YFRateLimitError):
        return RateLimited("Yahoo Finance is limiting requests (too many). Wait a few minutes and try again.")
    if isinstance(exc, YFPricesMissingError):  # the symbol has a timezone, so it exists: no rows in range
        return EmptyRange(f"Yahoo has no prices for {ticker} in the chosen dates. Widen the date range.")
    if isinstance(exc, YFTickerMissingError):
        return UnknownTicker(
            f"Yahoo Finance does not know the ticker {ticker!r} (or it is delisted). "
            "Check the symbol, e.g. AAPL, MSFT, ^GSPC, BTC-USD."
        )
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if "404" in lowered or "not found" in lowered:  # Yahoo answers an unknown symbol with 404 Not Found
        return UnknownTicker(
            f"Yahoo Finance does not know the ticker {ticker!r} (or it is delisted). "
            "Check the symbol, e.g. AAPL, MSFT, ^GSPC, BTC-USD."
        )
    if "429" in lowered or "too many requests" in lowered:
        return RateLimited("Yahoo Finance is limiting requests (too many). Wait a few minutes and try again.")
    return Offline(f"Could not reach Yahoo Finance ({text[:200]}). Check your internet connection.")


def _exchange_code(ticker: Any) -> str | None:
    """Yahoo's exchange code (NYQ, NMS, LSE...) from the metadata of the last history() call; None if absent."""
    try:
        code = ticker.get_history_metadata().get("exchangeName")
    except Exception:  # metadata is a nicety: never fail a download over it
        return None
    return code.strip().upper() if isinstance(code, str) and code.strip() else None


def download_history(ticker: str, start: dt.date | None, end: dt.date | None) -> tuple[pd.DataFrame, list[str]]:
    """Daily OHLCV + Adj Close of `ticker` from `start` to `end` inclusive, normalised; and the repairs made.

    The frame's attrs["exchange"] holds Yahoo's exchange code (e.g. NYQ) when Yahoo gave one. The findings on
    splits, spikes and missing days are left to the caller, made on the rows it serves (see quality).
    Raises Offline, UnknownTicker, RateLimited or EmptyRange.
    """
    import yfinance as yf

    configure_yfinance()
    end_exclusive = (end + dt.timedelta(days=1)) if end else None

    def fetch() -> tuple[pd.DataFrame, str | None]:
        handle = yf.Ticker(ticker)
        table = handle.history(
            start=start.isoformat() if start else "1900-01-01",
            end=end_exclusive.isoformat() if end_exclusive else None,
            interval="1d",
            auto_adjust=False,
            actions=False,
            timeout=10,
        )
        return table, _exchange_code(handle)

    try:
        table, exchange = _bounded(fetch, DOWNLOAD_SECONDS, "Yahoo Finance")
    except DataUnavailable:
        raise
    except Exception as exc:
        raise _map_error(ticker, exc) from exc
    if table is None or table.empty:
        raise EmptyRange(f"Yahoo has no prices for {ticker} in the chosen dates. Widen the date range.")
    if isinstance(table.columns, pd.MultiIndex):  # single-level columns, whatever yfinance does
        table.columns = table.columns.get_level_values(0)
    index = table.index
    if getattr(index, "tz", None) is not None:
        index = index.tz_localize(None)
    table = table.reset_index(drop=True)
    table.insert(0, "Date", index.normalize().strftime("%Y-%m-%d"))
    frame, repairs = normalise_rows(table)
    frame.attrs["exchange"] = exchange
    return frame, repairs
