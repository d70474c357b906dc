"""One spelling of tickers everywhere, and a ticker asked twice refused whatever the source."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_desktop.core.data.cache import PriceCache
from lstm_desktop.core.data.sources import load_prices, sample_path
from lstm_desktop.core.data.tickers import MAX_TICKER_LENGTH, normalise_ticker, normalise_tickers
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import DataRequest


@pytest.mark.parametrize(
    ("text", "ticker"),
    [
        (" aapl ", "AAPL"),
        ("^gspc", "^GSPC"),
        ("btc-usd", "BTC-USD"),
        ("EURUSD=X", "EURUSD=X"),
        ("vod.l", "VOD.L"),
        ("brk-b", "BRK-B"),
        ("m&m.ns", "M&M.NS"),
        ("0700.HK", "0700.HK"),
    ],
)
def test_symbols_are_trimmed_and_upper_cased(text: str, ticker: str) -> None:
    assert normalise_ticker(text) == ticker


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("AA PL", r"'AA PL' is not a ticker symbol \(it contains ' '\).*AAPL, \^GSPC, BTC-USD, EURUSD=X"),
        ("../etc", r"contains '/'"),
        ("A" * (MAX_TICKER_LENGTH + 1), "characters long"),
        ("^", "is not a ticker symbol"),
    ],
)
def test_what_cannot_be_a_symbol_is_refused_with_examples(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        normalise_ticker(text)


def test_lists_drop_empty_entries_and_refuse_repeats() -> None:
    assert normalise_tickers(["aapl", "", None, " msft"]) == ("AAPL", "MSFT")
    with pytest.raises(BadInput, match=r"The ticker AAPL is given twice \(as 'AAPL' and 'aapl'\)"):
        normalise_tickers(["AAPL", "aapl "])


@pytest.mark.parametrize(
    "request_",
    [
        DataRequest(source="sample", tickers=("AAPL", "aapl")),
        DataRequest(source="yahoo", tickers=("MSFT", " msft"), offline=True),
        DataRequest(source="csv", tickers=("IBM", "ibm"), csv_path=str(sample_path())),
    ],
    ids=["sample", "yahoo", "csv"],
)
def test_the_same_ticker_twice_is_refused_for_every_source(request_: DataRequest) -> None:
    with pytest.raises(BadInput, match=r"given twice"):
        load_prices(request_)


def test_the_cache_uses_the_same_spelling(tmp_path: Path) -> None:
    cache = PriceCache(root=tmp_path, probe=lambda: False)
    with pytest.raises(BadInput, match="not a ticker symbol"):
        cache.get("../../x")
    assert list(tmp_path.iterdir()) == []


def test_sample_tickers_are_matched_in_any_case() -> None:
    frames = load_prices(DataRequest(source="sample", tickers=(" ibm", "Msft")))
    assert [f.ticker for f in frames] == ["IBM", "MSFT"]
