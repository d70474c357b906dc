"""Trading-day calendars: which exchange a ticker trades on, and the sessions after a last day."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from lstm_desktop.core.data.calendar import exchange_for, future_trading_days, sessions_between


def days(index: pd.DatetimeIndex) -> list[str]:
    return list(index.strftime("%Y-%m-%d"))


def test_new_york_skips_weekends_holidays_and_days_of_mourning() -> None:
    assert days(future_trading_days(pd.Timestamp("2024-12-20"), 10, "XNYS")) == [
        "2024-12-23",
        "2024-12-24",
        "2024-12-26",  # Christmas
        "2024-12-27",
        "2024-12-30",
        "2024-12-31",
        "2025-01-02",  # New Year
        "2025-01-03",
        "2025-01-06",
        "2025-01-07",
    ]
    assert "2025-01-09" not in days(future_trading_days(pd.Timestamp("2025-01-03"), 5, "XNYS"))  # Carter


def test_always_open_and_weekday_calendars() -> None:
    assert days(future_trading_days(pd.Timestamp("2024-12-20"), 3, "24/7")) == [
        "2024-12-21",
        "2024-12-22",
        "2024-12-23",
    ]
    weekdays = days(future_trading_days(pd.Timestamp("2024-12-20"), 4, "24/5"))
    assert weekdays == ["2024-12-23", "2024-12-24", "2024-12-25", "2024-12-26"]  # currencies trade at Christmas


def test_london_closes_on_boxing_day() -> None:
    assert days(future_trading_days(pd.Timestamp("2024-12-20"), 4, "XLON")) == [
        "2024-12-23",
        "2024-12-24",
        "2024-12-27",
        "2024-12-30",
    ]


@pytest.mark.parametrize("exchange", ["XNYS", "XLON", "XTKS", "XHKG", "24/7", "24/5"])
@pytest.mark.parametrize("year", [1990, 1995, 2008, dt.date.today().year])
def test_a_thousand_sessions_from_any_year_since_1990(exchange: str, year: int) -> None:
    last = pd.Timestamp(f"{year}-06-14") if year < dt.date.today().year else pd.Timestamp(dt.date.today())
    found = future_trading_days(last, 1000, exchange)
    assert len(found) == 1000 and found.is_unique and found.is_monotonic_increasing
    assert found[0] > last and found.tz is None
    if exchange != "24/7":
        assert (found.day_of_week < 5).all()


def test_a_timezone_aware_last_day_and_zero_days() -> None:
    last = pd.Timestamp("2024-12-20 16:00", tz="America/New_York")
    assert days(future_trading_days(last, 1, "XNYS")) == ["2024-12-23"]
    assert len(future_trading_days(last, 0, "XNYS")) == 0


@pytest.mark.parametrize(
    ("ticker", "code", "exchange"),
    [
        ("AAPL", None, "XNYS"),
        ("AAPL", "NMS", "XNYS"),
        ("IBM", "NYQ", "XNYS"),
        ("^GSPC", "SNP", "XNYS"),
        ("VOD.L", None, "XLON"),
        ("VOD.L", "LSE", "XLON"),
        ("SAP.DE", "GER", "XETR"),
        ("SAP.F", "FRA", "XFRA"),
        ("RY.TO", "TOR", "XTSE"),
        ("MC.PA", "PAR", "XPAR"),
        ("ASML.AS", "AMS", "XAMS"),
        ("0700.HK", "HKG", "XHKG"),
        ("7203.T", "JPX", "XTKS"),
        ("BTC-USD", None, "24/7"),
        ("BTC-USD", "CCC", "24/7"),
        ("EURUSD=X", None, "24/5"),
        ("EURUSD=X", "CCY", "24/5"),
        ("BRK-B", None, "XNYS"),  # a share class, not a crypto pair
        ("WHATEVER", "ZZZ", "XNYS"),
    ],
)
def test_exchange_for_tickers_and_yahoo_codes(ticker: str, code: str | None, exchange: str) -> None:
    assert exchange_for(ticker, code) == exchange


def test_the_data_layer_does_not_import_exchange_calendars_until_needed() -> None:
    code = (
        "import sys\n"
        "import lstm_desktop.core.data.sources, lstm_desktop.core.data.cache, lstm_desktop.core.data.calendar\n"
        "from lstm_desktop.core.data.calendar import exchange_for\n"
        "exchange_for('VOD.L', 'LSE')\n"
        "print('exchange_calendars' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize("exchange", ["XNYS", "XLON", "XTKS"])
def test_sessions_worked_out_from_the_rules_equal_a_full_calendar_build(exchange: str) -> None:
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = xcals.get_calendar(exchange, start="2000-01-01", end="2012-12-31").sessions
    ours = sessions_between(pd.Timestamp("2000-01-01"), pd.Timestamp("2012-12-31"), exchange)
    assert ours is not None and ours.equals(pd.DatetimeIndex(full))
