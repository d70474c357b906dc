"""What the loader notices in clean data: splits, one-day spikes, and trading days missing (not holidays)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lstm_desktop.core.data.calendar import sessions_between
from lstm_desktop.core.data.csv_import import read_price_csv
from lstm_desktop.core.data.quality import quality_notes
from lstm_desktop.core.data.sources import load_prices, sample_path
from lstm_desktop.core.specs import DataRequest


def sessions(start: str, end: str, exchange: str = "XNYS") -> pd.DatetimeIndex:
    found = sessions_between(pd.Timestamp(start), pd.Timestamp(end), exchange)
    assert found is not None
    return found


def prices(index: pd.DatetimeIndex, close: list[float], adjusted: list[float] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"Close": close, "Adj Close": adjusted or close}, index=index, dtype="float64")


def write_csv(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index_label="Date", date_format="%Y-%m-%d")
    return path


# 8. splits and spikes are reported with their dates; the data are kept


def test_a_split_adjusted_in_adj_close_is_reported_with_a_hint_to_predict_adj_close() -> None:
    frame = read_price_csv(sample_path(), "AAPL")
    split = [r for r in frame.repairs if r.startswith("stock split")]
    assert len(split) == 1 and "2005-02-28 (×0.5, a 2:1 split?)" in split[0]
    assert "Adj Close (the default target) is adjusted" in split[0]
    assert frame.frame.loc["2005-02-28", "Close"] == pytest.approx(44.86)  # kept as it is


def test_a_split_in_both_close_and_adj_close_is_reported(tmp_path: Path) -> None:
    index = sessions("2024-01-02", "2024-01-12")
    close = [100.0, 101, 102, 51, 51.5, 52, 51, 52, 53]
    frame = read_price_csv(write_csv(tmp_path, prices(index, close)))
    note = next(r for r in frame.repairs if "both jump" in r)
    assert "2024-01-05 (×0.5, a 2:1 split?)" in note and "split-adjusted" in note
    assert list(frame.frame["Close"]) == close


def test_a_one_day_spike_is_reported_as_probably_a_data_error(tmp_path: Path) -> None:
    index = sessions("2024-01-02", "2024-01-10")
    close = [10.0, 10.1, 1010.0, 10.2, 10.3, 10.2, 10.1]
    frame = read_price_csv(write_csv(tmp_path, prices(index, close)))
    note = next(r for r in frame.repairs if "spike" in r)
    assert "one-day spike on 2024-01-04 (×100)" in note and "probably a data error" in note
    assert not any("split" in r or "jump" in r for r in frame.repairs)
    assert frame.frame["Close"].max() == 1010.0


def test_ordinary_moves_give_no_notes() -> None:
    frame = read_price_csv(sample_path(), "IBM")
    assert frame.repairs == []


# 15. trading days missing, not holidays


def test_missing_trading_days_are_named_and_holidays_are_not() -> None:
    index = sessions("2011-01-03", "2011-12-30").drop(pd.DatetimeIndex(["2011-03-04", "2011-05-06", "2011-06-01"]))
    notes = quality_notes(prices(index, [10.0] * len(index)), "AAPL")
    assert notes == [
        "3 trading days missing (XNYS calendar, assumed): 2011-03-04, 2011-05-06, 2011-06-01; left as they are"
    ]


def test_a_complete_year_with_a_four_day_weekend_has_no_gap_note() -> None:
    index = sessions("2011-01-03", "2011-12-30")  # Good Friday 2011-04-22: four days without a row
    assert quality_notes(prices(index, [10.0] * len(index)), "AAPL") == []


def test_the_exchange_of_the_data_picks_the_calendar() -> None:
    london = sessions("2024-12-02", "2024-12-31", "XLON")
    frame = prices(london, [10.0] * len(london))
    assert quality_notes(frame, "VOD.L", "LSE") == []
    assert "2024-12-26" not in " ".join(quality_notes(frame, "VOD.L", "LSE"))
    crypto = pd.date_range("2024-01-01", "2024-01-31", freq="D").drop(pd.DatetimeIndex(["2024-01-06"]))
    notes = quality_notes(prices(crypto, [10.0] * len(crypto)), "BTC-USD")
    assert notes == ["1 trading day missing (every day (24/7) calendar): 2024-01-06; left as they are"]


def test_ranges_the_calendar_does_not_cover_are_skipped() -> None:
    index = pd.bdate_range("1993-01-04", "1994-12-30")  # XTKS starts in 1997
    assert quality_notes(prices(index, [10.0] * len(index)), "7203.T", "JPX") == []
    early = pd.bdate_range("1965-01-04", "1971-12-31").drop(pd.DatetimeIndex(["1971-03-04"]))
    note = quality_notes(prices(early, [10.0] * len(early)), "IBM", "NYQ")
    assert note == [
        "1 trading day missing (XNYS calendar; checked from 1970-01-02, where the calendar starts): 1971-03-04; "
        "left as they are"
    ]


def test_the_gap_report_follows_the_requested_dates() -> None:
    frames = load_prices(DataRequest(source="sample", tickers=("MSFT",), start="2005-01-01", end="2005-12-31"))
    assert not any("2003-02-18" in r for r in frames[0].repairs)  # a split outside the dates is not reported


def test_a_thirteen_year_file_reads_in_a_fresh_process() -> None:
    """The bench's CSV row (bench/data_import.py) runs this script: it must read every row. Its time is a figure of
    the bench, not asserted here."""
    from lstm_desktop.bench.data_import import SCRIPT

    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    seconds, rows = done.stdout.split()
    assert rows == "3270", done.stderr
    assert float(seconds) > 0
