"""Per-ticker cache of downloaded prices, with metadata, incremental refresh and an offline fallback."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import EmptyRange, Offline
from ..paths import cache_dir
from ..store.atomic import write_bytes_atomic
from . import yahoo
from .prices import PriceFrame

Downloader = Callable[[str, "dt.date | None", "dt.date | None"], "tuple[pd.DataFrame, list[str]]"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _safe_name(ticker: str) -> str:
    return re.sub(r"[^A-Za-z0-9._^=-]", "_", ticker.upper()) or "_"


def _describe_age(fetched_at: str) -> str:
    age = _now() - dt.datetime.fromisoformat(fetched_at)
    days = age.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} old"
    hours = age.seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''} old" if hours else "less than an hour old"


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

    def load(self, ticker: str) -> tuple[pd.DataFrame, dict] | None:
        """The cached frame and metadata of `ticker`, or None (a damaged entry counts as none)."""
        folder = self._folder(ticker)
        try:
            meta = json.loads((folder / "meta.json").read_text())
            frame = pd.read_csv(folder / "prices.csv", index_col="Date", parse_dates=["Date"])
            return frame.astype("float64"), meta
        except (OSError, ValueError, KeyError):
            return None

    def _store(self, ticker: str, frame: pd.DataFrame, meta: dict) -> None:
        folder = self._folder(ticker)
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        frame.to_csv(buffer, date_format="%Y-%m-%d", float_format="%.10g")
        write_bytes_atomic(folder / "prices.csv", buffer.getvalue().encode())
        write_bytes_atomic(folder / "meta.json", json.dumps(meta, indent=2).encode())

    def get(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None, offline: bool = False
    ) -> PriceFrame:
        """Prices of `ticker` in [start, end]: cached rows, plus a download of only what is missing."""
        ticker = ticker.strip().upper()
        today = dt.date.today()
        end = min(end or today, today)
        cached = self.load(ticker)
        if offline or not self._probe():
            if cached is None:
                raise Offline(
                    f"No internet connection and no cached prices for {ticker}. Connect to the internet, "
                    "or use a CSV file or the bundled sample."
                )
            return self._from_cache(ticker, cached, start, end, "offline")
        try:
            frame, meta, repairs = self._refresh(ticker, cached, start, end)
        except Offline:
            if cached is None:
                raise
            return self._from_cache(ticker, cached, start, end, "Yahoo did not answer")
        return self._subset(ticker, frame, meta, start, end, "downloaded", repairs)

    def _refresh(
        self, ticker: str, cached: tuple[pd.DataFrame, dict] | None, start: dt.date | None, end: dt.date
    ) -> tuple[pd.DataFrame, dict, list[str]]:
        """Download what the cache lacks for [start, end]; re-download all if adjustments changed."""
        want_start = start or dt.date(1900, 1, 1)
        repairs: list[str] = []
        if cached is None:
            frame, repairs = self._download(ticker, want_start, end)
            covered = [want_start, end]
        else:
            frame, meta = cached
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
            frame = pd.concat(parts)
            frame = frame[~frame.index.duplicated(keep="last")].sort_index()
            covered = [min(want_start, have_start), max(end, have_end)]
        meta = {
            "ticker": ticker,
            "source": "yahoo",
            "interval": "1d",
            "auto_adjust": False,
            "covered": [covered[0].isoformat(), covered[1].isoformat()],
            "fetched_at": _now().isoformat(),
            "yfinance_version": yahoo.yfinance_version(),
        }
        self._store(ticker, frame, meta)
        return frame, meta, repairs

    def _download_part(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        try:
            return self._download(ticker, start, end)[0]
        except EmptyRange:
            return pd.DataFrame(columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"], dtype="float64")

    @staticmethod
    def _adjustment_changed(old: pd.DataFrame, new: pd.DataFrame) -> bool:
        """A dividend or split since the last download rescales the whole Adj Close history."""
        common = old.index.intersection(new.index)
        if common.empty:
            return False
        a = old.loc[common, "Adj Close"]
        b = new.loc[common, "Adj Close"]
        return bool(((a - b).abs() > 1e-6 * b.abs().clip(lower=1e-9)).any())

    def _from_cache(
        self, ticker: str, cached: tuple[pd.DataFrame, dict], start: dt.date | None, end: dt.date, why: str
    ) -> PriceFrame:
        frame, meta = cached
        fetched = meta.get("fetched_at", _now().isoformat())
        origin = f"cache from {fetched[:10]} ({_describe_age(fetched)}; {why})"
        return self._subset(ticker, frame, meta, start, end, origin, [])

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
        rows = frame.loc[pd.Timestamp(start or "1900-01-01") : pd.Timestamp(end)]
        if rows.empty:
            raise EmptyRange(
                f"No prices for {ticker} between {start or 'the start'} and {end}"
                + (" in the cache" if origin != "downloaded" else "")
                + ". Widen the date range."
            )
        request = {
            "source": "yahoo",
            "ticker": ticker,
            "start": start.isoformat() if start else None,
            "end": end.isoformat(),
            "interval": "1d",
            "auto_adjust": False,
            "yfinance_version": meta.get("yfinance_version"),
            "fetched_at": meta.get("fetched_at"),
        }
        return PriceFrame(ticker, rows.copy(), "yahoo", origin, repairs, request)
