"""Yahoo through yfinance's own parsing (replayed chart responses), the cache, and offline behaviour."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from lstm_desktop.core.data import yahoo
from lstm_desktop.core.data.cache import PriceCache
from lstm_desktop.core.data.sources import DataRequest, load_prices
from lstm_desktop.core.errors import EmptyRange, Offline, RateLimited, UnknownTicker

D = dt.date


def online_cache() -> PriceCache:
    return PriceCache(probe=lambda: True)


def test_download_parses_yahoo_chart_through_yfinance(yahoo_replay) -> None:
    frame = online_cache().get("ibm", D(2005, 1, 1), D(2010, 12, 31))
    assert frame.ticker == "IBM" and frame.source == "yahoo" and frame.origin == "downloaded"
    assert (frame.start, frame.end) == ("2005-01-03", "2010-12-31")
    first = frame.frame.iloc[0]
    assert (first["Close"], first["Adj Close"], first["Volume"]) == (
        97.75,
        pytest.approx(74.0836109),
        5295200,
    )
    assert frame.frame.index.tz is None
    assert frame.request["auto_adjust"] is False and frame.request["yfinance_version"] == "1.7.0"


def test_cache_keeps_metadata_and_downloads_only_missing_dates(yahoo_replay, private_profile) -> None:
    cache = online_cache()
    cache.get("IBM", D(2005, 1, 1), D(2010, 12, 31))
    meta = json.loads((cache.root / "IBM" / "meta.json").read_text())
    assert meta["covered"] == ["2005-01-01", "2010-12-31"] and meta["source"] == "yahoo"
    assert meta["yfinance_version"] == "1.7.0" and meta["fetched_at"]
    frame = cache.get("IBM", D(2005, 1, 1), D(2012, 12, 31))
    assert frame.end == "2012-12-31" and frame.start == "2005-01-03"
    second = yahoo_replay.chart_requests("IBM")[-1]
    # only from the last cached day on (the last day is fetched again: it may have been partial)
    assert dt.datetime.fromtimestamp(int(second["period1"]), dt.timezone.utc).date() == D(2010, 12, 31)
    before = len(yahoo_replay.chart_requests("IBM"))
    cache.get("IBM", D(2006, 1, 1), D(2009, 1, 1))  # inside what is cached: no download
    assert len(yahoo_replay.chart_requests("IBM")) == before


def test_offline_serves_the_cache_and_says_how_old(yahoo_replay) -> None:
    online_cache().get("IBM", D(2005, 1, 1), D(2010, 12, 31))
    frame = PriceCache(probe=lambda: False).get("IBM", D(2006, 1, 1), D(2007, 1, 1))
    assert frame.start == "2006-01-03" and "cache from" in frame.origin and "offline" in frame.origin
    assert "old" in frame.origin


def test_offline_without_cache_fails_fast_with_a_clear_message() -> None:
    started = time.monotonic()
    with pytest.raises(Offline, match="No internet connection and no cached prices for MSFT"):
        PriceCache(probe=lambda: False).get("MSFT", D(2020, 1, 1), D(2021, 1, 1))
    with pytest.raises(Offline):
        load_prices(DataRequest(source="yahoo", tickers=("MSFT",), offline=True))
    assert time.monotonic() - started < 5


def test_unknown_ticker_rate_limit_and_empty_range(yahoo_replay) -> None:
    cache = online_cache()
    with pytest.raises(UnknownTicker, match="does not know the ticker 'NOPE'"):
        cache.get("NOPE", D(2005, 1, 1), D(2006, 1, 1))
    with pytest.raises(EmptyRange, match="no prices for IBM"):
        cache.get("IBM", D(2015, 1, 1), D(2015, 6, 1))
    yahoo_replay.rate_limited.add("IBM")
    with pytest.raises(RateLimited, match="try again"):
        cache.get("IBM", D(2005, 1, 1), D(2006, 1, 1))


def test_probe_and_waits_are_bounded() -> None:
    started = time.monotonic()
    assert yahoo.network_available("127.0.0.1", seconds=1.0) is False  # nothing listens on :443 here
    with pytest.raises(Offline, match="did not answer within 1 s"):
        yahoo._bounded(lambda: time.sleep(5), 1.0, "Yahoo Finance")
    assert time.monotonic() - started < 4
