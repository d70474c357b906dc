"""CSV import as a hostile user tries it: number and date formats, odd values, odd columns, odd files.

Each test reproduces one way a file used to be read wrongly, and asserts the corrected data or the message.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from lstm_desktop.core.data.csv_import import read_price_csv, read_price_csvs
from lstm_desktop.core.data.sources import load_prices, sample_path
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import DataRequest

DATA = Path(__file__).resolve().parents[1] / "data"


def write(tmp_path: Path, text: str, name: str = "prices.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def closes(path: Path) -> list[float]:
    return list(read_price_csv(path).frame["Close"])


# 1. number formats, decided once per file


def test_european_file_with_decimal_commas_and_dot_thousands(tmp_path: Path) -> None:
    text = "Date;Open;Close;Volume\n2024-01-02;2.090,40;2.100,5;1.234.567\n2024-01-03;2.095,00;2.110,25;987.654\n"
    frame = read_price_csv(write(tmp_path, text)).frame
    assert list(frame["Open"]) == [2090.4, 2095.0]
    assert list(frame["Close"]) == [2100.5, 2110.25]
    assert list(frame["Volume"]) == [1234567.0, 987654.0]


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_space_thousands_with_decimal_comma(tmp_path: Path, space: str) -> None:
    text = f"Date\tClose\n2024-01-02\t1{space}234,5\n2024-01-03\t12{space}345,75\n2024-01-04\t999,5\n"
    assert closes(write(tmp_path, text)) == [1234.5, 12345.75, 999.5]


def test_us_thousands_in_quotes(tmp_path: Path) -> None:
    text = 'Date,Close,Volume\n2024-01-02,"1,234.50","1,000,000"\n2024-01-03,"1,240.00",2000\n'
    frame = read_price_csv(write(tmp_path, text)).frame
    assert list(frame["Close"]) == [1234.5, 1240.0]
    assert list(frame["Volume"]) == [1000000.0, 2000.0]


def test_a_leading_zero_settles_the_decimal_point(tmp_path: Path) -> None:
    assert closes(write(tmp_path, "Date;Close\n2024-01-02;0.123\n2024-01-03;1.234\n")) == [0.123, 1.234]


def test_decimal_mark_ambiguous_for_the_whole_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Date;Close\n2024-01-02;1.234\n2024-01-03;1.240\n")
    with pytest.raises(BadInput, match=r"'1\.234' on data row 1 \(line 2\) could be 1\.234 or 1234.*decimal point"):
        read_price_csv(path)


def test_decimal_points_and_commas_mixed_in_one_file_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'Date,Open,Close\n2024-01-02,10.5,"10,25"\n')
    with pytest.raises(BadInput, match=r"mix decimal points and decimal commas: '10\.5'.*'10,25'"):
        read_price_csv(path)


def test_decimal_commas_in_a_comma_separated_file_are_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Close\n2024-01-02,10,5\n2024-01-03,11,5\n")
    with pytest.raises(BadInput, match=r"data row 1 \(line 2\) has 3 fields but the header has 2.*quotes"):
        read_price_csv(path)


def test_a_long_file_decides_its_number_format_once_for_all_tickers(tmp_path: Path) -> None:
    text = "Ticker;Date;Close\nAAA;2024-01-02;1.234\nBBB;2024-01-02;10.5\nAAA;2024-01-03;1.240\n"
    assert list(read_price_csvs(write(tmp_path, text), ["AAA"])[0].frame["Close"]) == [1.234, 1.24]


# 2. dates: one format per file, never guessed


def test_month_day_year_file_with_a_day_above_12_loads() -> None:
    frame = read_price_csv(DATA / "sp500_mdy.csv").frame
    assert frame.index[1] == pd.Timestamp("1999-01-05") and len(frame) == 5031


def test_dates_that_fit_day_first_and_month_first_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Close\n01/02/2024,10\n01/03/2024,11\n02/03/2024,12\n")
    with pytest.raises(BadInput, match=r"fit both M/D/YYYY and D/M/YYYY.*'01/02/2024' on data row 1.*YYYY-MM-DD"):
        read_price_csv(path)


def test_a_long_file_decides_its_date_format_once_for_all_tickers(tmp_path: Path) -> None:
    text = "Ticker,Date,Close\nAAA,01/02/2024,10\nBBB,01/13/2024,11\nAAA,01/03/2024,12\n"
    frame = read_price_csvs(write(tmp_path, text), ["AAA"])[0].frame
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03"]


def test_dates_in_several_formats_are_refused_naming_the_rows(tmp_path: Path) -> None:
    text = "Date,Close\n2024-01-02,10\n2024-01-03,11\n1/5/2024,12\n05.01.2024,13\n2024-01-08,14\n"
    with pytest.raises(BadInput) as refused:
        read_price_csv(write(tmp_path, text))
    message = str(refused.value)
    assert "different formats" in message and "YYYY-MM-DD" in message
    assert "'1/5/2024' on data row 3 (line 4)" in message and "'05.01.2024' on data row 4 (line 5)" in message


def test_day_first_dotted_dates_and_month_names(tmp_path: Path) -> None:
    dotted = read_price_csv(write(tmp_path, "Datum;Schluss\n31.01.2024;10,5\n01.02.2024;11\n")).frame
    assert list(dotted.index.strftime("%Y-%m-%d")) == ["2024-01-31", "2024-02-01"]
    named = read_price_csv(write(tmp_path, "Date,Close\n31 Jan 2024,10\n1 Feb 2024,11\n", "n.csv")).frame
    assert list(named.index.strftime("%Y-%m-%d")) == ["2024-01-31", "2024-02-01"]


# 3. infinite values


def test_infinite_prices_never_reach_the_frame(tmp_path: Path) -> None:
    text = (
        "Date,Close\n2024-01-02,10\n2024-01-03,inf\n2024-01-04,-inf\n2024-01-05,1e400\n2024-01-08,nan\n2024-01-09,11\n"
    )
    frame = read_price_csv(write(tmp_path, text))
    assert list(frame.frame["Close"]) == [10.0, 11.0]
    joined = " | ".join(frame.repairs)
    assert "3 rows with an infinite value" in joined and "2024-01-03, 2024-01-04, 2024-01-05" in joined
    assert "4 rows without a price dropped" in joined


def test_an_infinite_volume_is_treated_as_missing(tmp_path: Path) -> None:
    frame = read_price_csv(write(tmp_path, "Date,Close,Volume\n2024-01-02,10,5\n2024-01-03,11,inf\n")).frame
    assert list(frame["Volume"]) == [5.0, 5.0]


# 4. two columns for one thing


@pytest.mark.parametrize(
    ("header", "named"),
    [("Date,Close,close", "'Close' and 'close'"), ("Date,Close,Close", "'Close' and 'Close'")],
)
def test_a_second_close_column_is_refused_naming_both(tmp_path: Path, header: str, named: str) -> None:
    with pytest.raises(BadInput, match=f"Two columns hold Close: {named}"):
        read_price_csv(write(tmp_path, f"{header}\n2024-01-02,10,11\n"))


# 5. a wide file and tickers


def test_a_ticker_asked_of_a_wide_file_is_refused() -> None:
    with pytest.raises(BadInput, match=r"holds one series.*named sp500_mdy after the file.*cannot be loaded as X"):
        read_price_csvs(DATA / "sp500_mdy.csv", ["X"])
    with pytest.raises(BadInput, match=r"holds one series.*cannot give X, Y"):
        read_price_csvs(DATA / "sp500_mdy.csv", ["X", "Y"])


def test_a_wide_file_loads_under_its_own_name() -> None:
    assert read_price_csvs(DATA / "sp500_mdy.csv", ["SP500_mdy"])[0].ticker == "sp500_mdy"
    assert read_price_csvs(DATA / "sp500_mdy.csv", [None])[0].ticker == "sp500_mdy"


def test_csv_request_with_a_ticker_for_a_wide_file_is_refused() -> None:
    request = DataRequest(source="csv", tickers=("AAPL",), csv_path=str(DATA / "sp500_mdy.csv"))
    with pytest.raises(BadInput, match="leave out --ticker"):
        load_prices(request)


# 7. no hidden lower bound


def test_rows_before_1900_are_kept_with_only_an_end_date(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Close\n1885-02-16,30.9\n1885-02-17,31\n1950-01-03,200\n", "djia.csv")
    frames = load_prices(DataRequest(source="csv", tickers=(), csv_path=str(path), end="1960-01-01"))
    assert list(frames[0].frame.index.year) == [1885, 1885, 1950]


# 11. special files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(BadInput, match=r"is a named pipe \(FIFO\), not a CSV file"):
        read_price_csv(fifo)
    assert time.monotonic() - started < 2


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/null")
def test_a_device_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="is a character device, not a CSV file"):
        read_price_csv("/dev/null")
    with pytest.raises(BadInput, match="is a folder, not a CSV file"):
        read_price_csv(tmp_path)


# encodings, separators, the shape of the rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Date;Schluss;Notiz\n2024-01-02;1\u00a0234,5;Café\n2024-01-03;1\u00a0240,0;Thé\n"
    frame = read_price_csv(write(tmp_path, text, encoding=encoding))
    assert list(frame.frame["Close"]) == [1234.5, 1240.0]


def test_blank_lines_and_rows_of_separators_are_skipped(tmp_path: Path) -> None:
    assert closes(write(tmp_path, "\n\nDate,Close,\n\n2024-01-02,10,\n,,\n2024-01-03,11\n\n")) == [10.0, 11.0]


def test_a_cut_off_last_row_is_dropped_and_short_rows_elsewhere_are_refused(tmp_path: Path) -> None:
    cut = read_price_csv(write(tmp_path, "Date,Close,Adj Close\n2024-01-02,10,23.2\n2024-01-03,10"))
    assert list(cut.frame["Adj Close"]) == [23.2]
    assert any("last row (line 3) has fewer fields" in r for r in cut.repairs)
    with pytest.raises(BadInput, match=r"data row 1 \(line 2\) has fewer fields than the header"):
        read_price_csv(write(tmp_path, "Date,Close,Adj Close\n2024-01-02,10\n2024-01-03,10,11\n", "b.csv"))


def test_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not a readable CSV table"):
        read_price_csv(write(tmp_path, 'Date,Close\n2024-01-02,"10\n'))


def test_the_sample_still_loads_every_ticker() -> None:
    frames = read_price_csvs(sample_path(), ["AAPL", "msft", " ibm "])
    assert [f.ticker for f in frames] == ["AAPL", "MSFT", "IBM"] and [f.rows for f in frames] == [3270] * 3
