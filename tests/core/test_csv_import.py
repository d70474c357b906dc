"""CSV import: the shapes people have, what gets repaired, and what gets refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_desktop.core.data.csv_import import read_price_csv
from lstm_desktop.core.data.sources import sample_path
from lstm_desktop.core.errors import BadInput

DATA = Path(__file__).resolve().parents[1] / "data"


def write(tmp_path: Path, text: str, name: str = "prices.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yahoo_export_with_month_day_year_dates() -> None:
    frame = read_price_csv(DATA / "sp500_mdy.csv")
    assert frame.rows == 5031
    assert (frame.start, frame.end) == ("1999-01-04", "2018-12-31")
    assert frame.frame.loc["1999-01-05", "Close"] == pytest.approx(1244.780029)
    assert frame.frame.index.is_monotonic_increasing and frame.frame.index.is_unique


def test_file_without_adj_close_says_close_is_taken_as_adjusted() -> None:
    frame = read_price_csv(DATA / "msft_no_adjclose.csv")
    assert frame.rows == 7983
    assert (frame.frame["Adj Close"] == frame.frame["Close"]).all()
    assert any("no Adj Close" in r for r in frame.repairs)
    assert frame.frame.loc["2010-04-26", "Volume"] == 0  # a real zero volume is kept


def test_yfinance_to_csv_with_tz_aware_datetimes_keeps_local_dates(tmp_path: Path) -> None:
    text = (
        "Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits\n"
        "2022-03-11 00:00:00-05:00,37.0,37.7,36.3,37.7,32.6,707800,0.0,0.0\n"
        "2022-03-14 00:00:00-04:00,37.6,38.8,37.4,38.4,33.3,624800,0.0,0.0\n"
        "2022-03-15 00:00:00-04:00,38.0,38.9,37.9,38.5,33.4,500000,0.1,0.0\n"
    )
    frame = read_price_csv(write(tmp_path, text))
    assert [d.strftime("%Y-%m-%d") for d in frame.frame.index] == ["2022-03-11", "2022-03-14", "2022-03-15"]
    assert frame.frame.index.tz is None
    assert list(frame.frame.columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert any("timezone" in r for r in frame.repairs)


def test_long_format_needs_a_ticker_choice_and_loads_the_chosen_one() -> None:
    with pytest.raises(BadInput, match=r"several tickers \(AAPL, FB, GOOG, IBM, MSFT\): choose one.*--ticker"):
        read_price_csv(sample_path())
    frame = read_price_csv(sample_path(), "ibm")
    assert frame.ticker == "IBM" and frame.rows == 3270
    with pytest.raises(BadInput, match="no rows for ZZZ"):
        read_price_csv(sample_path(), "ZZZ")


def test_lowercase_headers_plain_date_close_and_no_volume(tmp_path: Path) -> None:
    frame = read_price_csv(write(tmp_path, "date,close\n2024-01-02,10\n2024-01-03,10.5\n"))
    assert list(frame.frame["Close"]) == [10.0, 10.5]
    assert "Volume" not in frame.frame.columns
    frame = read_price_csv(write(tmp_path, "date,open,high,low,close,adj close\n2024-01-02,1,2,0.5,1.5,1.4\n"))
    assert frame.frame.iloc[0]["Adj Close"] == 1.4


def test_repairs_duplicates_missing_rows_and_order(tmp_path: Path) -> None:
    text = "Date,Close\n2024-01-03,11\n2024-01-02,10\n2024-01-03,12\n2024-01-04,null\n2024-01-05,13\n2024-01-08,-1\n"
    frame = read_price_csv(write(tmp_path, text))
    assert list(frame.frame["Close"]) == [10.0, 12.0, 13.0]
    joined = " | ".join(frame.repairs)
    assert "1 rows without a price dropped" in joined
    assert "1 duplicate dates dropped" in joined
    assert "sorted" in joined
    assert "zero or negative" in joined


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Open,Close\n1,2\n", "No date column"),
        ("Date,Volume\n2024-01-02,5\n", "No price column"),
        ("Date,Close\n2024-01-02,10\n2024-01-03,ten\n", "not a number: 'ten' on data row 2"),
        ("Date,Close\n2024-01-02,10\nyesterday,11\n", "Cannot read the date 'yesterday'"),
        ("Date,Close\n", "empty"),
        ("", "is empty"),
    ],
)
def test_refused_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        read_price_csv(write(tmp_path, text))


def test_binary_and_missing_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BadInput, match=r"not a text CSV|not a readable"):
        read_price_csv(path)
    with pytest.raises(BadInput, match="File not found"):
        read_price_csv(tmp_path / "missing.csv")


def test_inconsistent_high_low_rows_are_reported(tmp_path: Path) -> None:
    text = "Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n2024-01-03,10,10.8,10.2,10.1\n"
    frame = read_price_csv(write(tmp_path, text))
    assert any("1 rows where High/Low do not bound Open/Close" in r for r in frame.repairs)
    assert frame.rows == 2
