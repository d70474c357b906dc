"""Per-ticker cache of downloaded prices, with metadata, incremental refresh and an offline fallback.

A damaged entry (see cache_entry) is treated as missing: downloaded again when online, with a note among the
repairs; refused as unavailable when offline, saying why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import EmptyRange, Offline
from ..paths import cache_dir
from . import yahoo
from .cache_entry import Damaged, Entry, read_entry, write_entry
from .prices import PRICE_COLUMNS, PriceFrame
from .quality import quality_notes
from .tickers import normalise_ticker

Downloader = Callable[[str, "dt.date | None", "dt.date | None"], "tuple[pd.DataFrame, list[str]]"]
EARLIEST = dt.date(1900, 1, 1)  # where a download without a start date begins (Yahoo has nothing older)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _safe_name(ticker: str) -> str:
    return re.sub(r"[^A-Za-z0-9._^=-]", "_", ticker.upper()) or "_"


def _describe_age(fetched_at: str) -> str:
    age = max(_now() - dt.datetime.fromisoformat(fetched_at), dt.timedelta(0))
    days = age.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} old"
    hours = age.seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''} old" if hours else "less than an hour old"


def _unavailable(ticker: str, damage: str | None) -> Offline:
    if damage is None:
        return Offline(
            f"No internet connection and no cached prices for {ticker}. Connect to the internet, "
            "or use a CSV file or the bundled sample."
        )
    return Offline(
        f"No internet connection, and the cached prices of {ticker} are damaged ({damage}), so they cannot be "
        "used. Connect to the internet to download them again, or use a CSV file or the bundled sample."
    )


class PriceCache:
    """Prices downloaded from Yahoo, one folder per ticker: prices.csv and meta.json."""

    def __init__(
        self,
        root: Path | None = None,
        downloader: Downloader | None = None,
        probe: Callable[[], bool] | None = None,
    ) -> None:
        self.root = root or cache_dir() / "prices"
        self.root.mkdir(parents=True, exist_ok=True)
        self._download = downloader or yahoo.download_history
        self._probe = probe or yahoo.network_available

    def _folder(self, ticker: str) -> Path:
        return self.root / _safe_name(ticker)

    def _read(self, ticker: str) -> tuple[Entry | None, str | None]:
        """The entry of `ticker` and None, or None and why the entry is damaged, or (None, None): no entry."""
        try:
            return read_entry(self._folder(ticker), ticker), None
        except Damaged as exc:
            return None, str(exc)

    def load(self, ticker: str) -> tuple[pd.DataFrame, dict] | None:
        """The cached frame and metadata of `ticker`, or None (a damaged entry counts as none)."""
        entry, _ = self._read(normalise_ticker(ticker))
        return (entry.frame, entry.meta) if entry else None

    def get(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None, offline: bool = False
    ) -> PriceFrame:
        """Prices of `ticker` in [start, end]: cached rows, plus a download of only what is missing."""
        ticker = normalise_ticker(ticker)
        today = dt.date.today()
        end = min(end or today, today)
        entry, damage = self._read(ticker)
        if offline or not self._probe():
            if entry is None:
                raise _unavailable(ticker, damage)
            return self._from_cache(ticker, entry, start, end, "offline")
        try:
            frame, meta, repairs = self._refresh(ticker, entry, start, end)
        except Offline as exc:
            if entry is None:
                if damage:
                    raise Offline(f"{exc} The cached prices of {ticker} are damaged ({damage}).") from exc
                raise
            return self._from_cache(ticker, entry, start, end, "Yahoo did not answer")
        if damage:
            repairs.insert(0, f"the cached prices of {ticker} were damaged ({damage}), so they were downloaded again")
        return self._subset(ticker, frame, meta, start, end, "downloaded", repairs)

    def _refresh(
        self, ticker: str, entry: Entry | None, start: dt.date | None, end: dt.date
    ) -> tuple[pd.DataFrame, dict, list[str]]:
        """Download what the cache lacks for [start, end]; re-download all if adjustments changed."""
        want_start = start or EARLIEST
        repairs: list[str] = []
        if entry is None:
            frame, repairs = self._download(ticker, want_start, end)
            exchange = frame.attrs.get("exchange")
            covered = [want_start, end]
        else:
            frame, meta = entry.frame, entry.meta
            exchange = meta.get("exchange")
            have_start = dt.date.fromisoformat(meta["covered"][0])
            have_end = dt.date.fromisoformat(meta["covered"][1])
            parts = [frame]
            if want_start < have_start:
                parts.append(self._download_part(ticker, want_start, have_start - dt.timedelta(days=1)))
            if end > have_end:
                newer = self._download_part(ticker, have_end, end)  # from the last day: it may have changed
                if self._adjustment_changed(frame, newer):
                    frame, repairs = self._download(ticker, min(want_start, have_start), end)
                    parts = [frame]
                else:
                    parts.append(newer)
            exchange = next((p.attrs["exchange"] for p in parts if p.attrs.get("exchange")), exchange)
            frame = pd.concat([p for p in parts if not p.empty])
            frame = frame[~frame.index.duplicated(keep="last")].sort_index()
            gaps = int(frame.isna().any(axis=1).sum())  # a part without some column (e.g. no volume yet)
            if gaps:
                frame = frame.ffill().bfill()
                repairs.append(f"{gaps} rows with a missing Open/High/Low/Volume filled from the previous day")
            covered = [min(want_start, have_start), max(end, have_end)]
        meta = {
            "ticker": ticker,
            "source": "yahoo",
            "interval": "1d",
            "auto_adjust": False,
            "covered": [covered[0].isoformat(), covered[1].isoformat()],
            "fetched_at": _now().isoformat(),
            "yfinance_version": yahoo.yfinance_version(),
            "exchange": exchange,
        }
        write_entry(self._folder(ticker), frame, meta)
        return frame, meta, repairs

    def _download_part(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        try:
            return self._download(ticker, start, end)[0]
        except EmptyRange:
            return pd.DataFrame(columns=list(PRICE_COLUMNS), dtype="float64")

    @staticmethod
    def _adjustment_changed(old: pd.DataFrame, new: pd.DataFrame) -> bool:
        """A dividend or split since the last download rescales the whole Adj Close history."""
        common = old.index.intersection(new.index)
        if common.empty:
            return False
        a = old.loc[common, "Adj Close"]
        b = new.loc[common, "Adj Close"]
        return bool(((a - b).abs() > 1e-6 * b.abs().clip(lower=1e-9)).any())

    def _from_cache(self, ticker: str, entry: Entry, start: dt.date | None, end: dt.date, why: str) -> PriceFrame:
        fetched = entry.meta["fetched_at"]
        origin = f"cache from {fetched[:10]} ({_describe_age(fetched)}; {why})"
        return self._subset(ticker, entry.frame, entry.meta, start, end, origin, [])

    @staticmethod
    def _subset(
        ticker: str,
        frame: pd.DataFrame,
        meta: dict,
        start: dt.date | None,
        end: dt.date,
        origin: str,
        repairs: list[str],
    ) -> PriceFrame:
        """The rows from `start` (no bound when None) to `end`, with the findings on exactly those rows."""
        keep = frame.index <= pd.Timestamp(end)
        if start is not None:
            keep &= frame.index >= pd.Timestamp(start)
        rows = frame[keep]
        if rows.empty:
            raise EmptyRange(
                f"No prices for {ticker} between {start or 'the start'} and {end}"
                + (" in the cache" if origin != "downloaded" else "")
                + ". Widen the date range."
            )
        exchange = meta.get("exchange")
        request = {
            "source": "yahoo",
            "ticker": ticker,
            "start": start.isoformat() if start else None,
            "end": end.isoformat(),
            "interval": "1d",
            "auto_adjust": False,
            "yfinance_version": meta.get("yfinance_version"),
            "fetched_at": meta.get("fetched_at"),
            "exchange": exchange,
        }
        notes = quality_notes(rows, ticker, exchange)
        return PriceFrame(ticker, rows.copy(), "yahoo", origin, repairs + notes, request, exchange)
