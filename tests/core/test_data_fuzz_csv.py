"""Property-based CSV import: generated files in the shapes people have, read by the core loader.

Every generated file holds known dates and prices, written with some separator, decimal mark, thousands
separator, date format, encoding, header spelling, column order, quoting, blank lines and junk. Reading it must
give exactly those dates and prices, or a BadInput with a message; never another exception, never a wrong
value. Files that are unambiguous by construction must load.

LSTM_DESKTOP_FUZZ_EXAMPLES=2000 runs more examples than the default.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_desktop.core.data.csv_import import read_price_csvs
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import DataRequest

# Hypothesis caches what it reads of the source (.hypothesis/constants) in the working folder, from pytest's
# collection on; before that happens, point it at a folder outside the repository unless the user chose one.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "lstm-desktop-hypothesis")

EXAMPLES = int(os.environ.get("LSTM_DESKTOP_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the repository
    derandomize="LSTM_DESKTOP_FUZZ_EXAMPLES" not in os.environ,  # the default run is the same every time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
HEADERS = {
    "Date": ["Date", "date", "DATE", " Date ", "Datetime", "Timestamp", "Datum"],
    "Open": ["Open", "open", "OPEN"],
    "High": ["High", "high"],
    "Low": ["Low", "low"],
    "Close": ["Close", "close", "Close*", "Price", "Schluss"],
    "Adj Close": ["Adj Close", "adj_close", "Adjusted Close", "Adj. Close", "Adj Close**", "adjclose"],
    "Volume": ["Volume", "volume", "Vol.", "Vol"],
    "Ticker": ["Ticker", "ticker", "Symbol"],
}
MISSING = ["", "null", "NaN", "n/a", "-", "inf", "-inf", "1e400", "Infinity"]
# (label, unambiguous whatever the days, formatter)
DATE_FORMATS = {
    "iso": (True, lambda d, pad: f"{d.year}-{d.month:02d}-{d.day:02d}"),
    "ymd-slash": (True, lambda d, pad: f"{d.year}/{d.month:{pad}}/{d.day:{pad}}"),
    "compact": (True, lambda d, pad: f"{d.year}{d.month:02d}{d.day:02d}"),
    "dmy-dot": (True, lambda d, pad: f"{d.day:{pad}}.{d.month:{pad}}.{d.year}"),
    "mdy-slash": (False, lambda d, pad: f"{d.month:{pad}}/{d.day:{pad}}/{d.year}"),
    "dmy-slash": (False, lambda d, pad: f"{d.day:{pad}}/{d.month:{pad}}/{d.year}"),
    "dmy-dash": (False, lambda d, pad: f"{d.day:{pad}}-{d.month:{pad}}-{d.year}"),
    "d-mon-y": (True, lambda d, pad: f"{d.day:{pad}} {MONTHS[d.month - 1]} {d.year}"),
    "mon-d-y": (True, lambda d, pad: f"{MONTHS[d.month - 1]} {d.day:{pad}}, {d.year}"),
}
TIMES = ["", " 00:00:00", "T00:00:00", " 00:00:00-05:00", "T00:00:00Z", " 00:00:00+01:00"]


@dataclass
class Case:
    """A generated file and what reading it must give."""

    data: bytes
    dates: list[str]
    columns: dict[str, list[float]]
    ticker: str | None  # the ticker to ask for (long files), None for a wide file
    must_load: bool
    why: list[str] = field(default_factory=list)  # why it may be refused, for failure messages


def number(value: Decimal, decimal: str, thousands: str, places: int) -> str:
    """`value` written with `places` decimals, the decimal mark and the thousands separator."""
    text = f"{value:.{places}f}"
    whole, _, fraction = text.partition(".")
    if thousands:
        groups = []
        while len(whole) > 3:
            whole, groups = whole[:-3], [whole[-3:], *groups]
        whole = thousands.join([whole, *groups])
    return whole + (decimal + fraction if fraction else "")


def quote(cell: str, separator: str, style: str) -> str:
    if style == "all" or (style == "minimal" and (separator in cell or '"' in cell or cell != cell.strip())):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def days(draw: st.DrawFn) -> list[dt.date]:
    count = draw(st.integers(1, 25))
    day = dt.date(1990, 1, 1) + dt.timedelta(days=draw(st.integers(0, 15000)))
    found = []
    for _ in range(count):
        found.append(day)
        day += dt.timedelta(days=draw(st.integers(1, 5)))
    return found


@st.composite
def prices(draw: st.DrawFn, count: int, places: int) -> list[Decimal]:
    scale = 10**places
    return [Decimal(draw(st.integers(1, 5 * 10**6))) / scale for _ in range(count)]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    why: list[str] = []
    dates = draw(days())
    n = len(dates)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    decimal = draw(st.sampled_from([".", ","]))
    spaces = [" ", "\u00a0", "'"] + (["\u202f"] if encoding.startswith("utf") else [])
    thousands = draw(st.sampled_from(["", *spaces, "," if decimal == "." else "."]))
    places = draw(st.integers(0, 4))
    style = draw(st.sampled_from(["minimal", "all", "none"]))
    prices_present = draw(st.sampled_from([["Close"], ["Adj Close"], ["Close", "Adj Close"]]))
    others = draw(st.lists(st.sampled_from(["Open", "High", "Low", "Volume"]), unique=True))
    values = {col: draw(prices(n, places)) for col in prices_present + [c for c in others if c != "Volume"]}
    if "Volume" in others:
        values["Volume"] = [Decimal(draw(st.integers(0, 10**9))) for _ in range(n)]
    date_format = draw(st.sampled_from(list(DATE_FORMATS)))
    clear, write_date = DATE_FORMATS[date_format]
    pad = draw(st.sampled_from(["02d", "d"]))
    time = draw(st.sampled_from(TIMES))

    # what the loader has to settle
    if not clear and all(d.day <= 12 for d in dates) and any(d.day != d.month for d in dates):
        why.append("dates fit day-first and month-first")
    if places in (0, 3) and thousands:
        why.append("decimal mark may be ambiguous")
    if places == 3 and not thousands:
        why.append("decimal mark may be ambiguous")

    # junk: rows without a usable price (dropped), a word in a price (refused), a title line (refused)
    junk = draw(st.sets(st.integers(0, n - 1), max_size=max(0, n - 1)))
    junk_token = {i: draw(st.sampled_from(MISSING)) for i in junk}
    garbage = draw(st.booleans()) and draw(st.integers(0, 9)) == 0
    title = draw(st.integers(0, 19)) == 0
    if garbage:
        why.append("a word in a price")
    if title:
        why.append("a title line above the header")

    long_format = draw(st.booleans())
    other_ticker = long_format and draw(st.booleans())
    spelled = {col: draw(st.sampled_from(HEADERS[col])) for col in ["Date", *values, "Ticker"]}
    columns = ["Date", *values] + (["Ticker"] if long_format else []) + (["Notes"] if draw(st.booleans()) else [])
    order = draw(st.permutations(columns))

    def row(i: int, ticker: str, row_values: dict[str, list[Decimal]]) -> dict[str, str]:
        cells = {
            "Date": write_date(dates[i], pad) + time,
            "Ticker": ticker,
            "Notes": draw(st.sampled_from(["", "ok", "Café", "a;b", "x,y", 'say "hi"'])),
        }
        for col, series in row_values.items():
            places_here = 0 if col == "Volume" else places
            cells[col] = number(series[i], decimal, thousands, places_here)
            if draw(st.booleans()) and draw(st.integers(0, 4)) == 0:
                cells[col] = f" {cells[col]} "
        if i in junk_token:
            cells[prices_present[0]] = junk_token[i]
        return cells

    rows = [row(i, draw(st.sampled_from(["T1", "t1", " T1 "])), values) for i in range(n)]
    if garbage:
        rows[draw(st.integers(0, n - 1))][prices_present[0]] = "abc"
    if other_ticker:
        noise = {col: draw(prices(n, places)) for col in values if col != "Volume"}
        if "Volume" in values:
            noise["Volume"] = values["Volume"]
        extra = [row(i, "T2", noise) for i in range(n)]
        rows = [r for pair in zip(rows, extra) for r in pair]
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))

    lines = [separator.join(quote(spelled.get(col, col), separator, style) for col in order)]
    for cells in rows:
        written = [quote(cells[col], separator, style) for col in order]
        if style == "none" and any(separator in cells[col] or '"' in cells[col] for col in order):
            why.append("a separator or quote inside an unquoted field")
        lines.append(separator.join(written))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", separator * len(order)])))
    if title:
        lines.insert(0, "Prices exported from my broker")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    if draw(st.booleans()):
        text = newline * draw(st.integers(1, 2)) + text
    if style == "none" and any(c.strip() != c for c in spelled.values()):
        pass  # padded headers are trimmed; nothing to settle

    kept = [i for i in range(n) if i not in junk]
    if not kept:
        why.append("no row has a price")
    expected = {
        "Close": values.get("Close", values.get("Adj Close")),
        "Adj Close": values.get("Adj Close", values.get("Close")),
    }
    expected.update({col: values[col] for col in ("Open", "High", "Low", "Volume") if col in values})
    return Case(
        data=text.encode(encoding),
        dates=[f"{dates[i]:%Y-%m-%d}" for i in kept],
        columns={col: [float(series[i]) for i in kept] for col, series in expected.items() if series is not None},
        ticker="T1" if long_format else None,
        must_load=not why,
        why=why,
    )


def check(case: Case, frame) -> None:
    assert list(frame.frame.index.strftime("%Y-%m-%d")) == case.dates
    assert set(frame.frame.columns) == set(case.columns)
    for col, expected in case.columns.items():
        assert frame.frame[col].tolist() == expected, col
    if case.ticker:
        assert frame.ticker == "T1"


def load_both_ways(path: Path, case: Case) -> None:
    asked = [case.ticker] if case.ticker else [None]
    check(case, read_price_csvs(path, asked)[0])
    request = DataRequest(source="csv", tickers=(case.ticker,) if case.ticker else (), csv_path=str(path))
    check(case, load_prices(request)[0])


@FUZZ
@given(cases())
def test_generated_files_load_exactly_or_are_refused_with_a_message(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prices.csv"
        path.write_bytes(case.data)
        try:
            load_both_ways(path, case)
        except BadInput as refused:
            assert str(refused).strip(), "a refusal must say why"
            if case.must_load:
                pytest.fail(f"refused a file that is clear by construction: {refused}\n{case.data[:600]!r}")


def test_the_fuzz_suite_writes_nothing_into_the_repository() -> None:
    assert FUZZ.database is None
    assert not (Path(__file__).resolve().parents[2] / ".hypothesis").exists()
