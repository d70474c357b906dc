"""The public price series the band reports measure on: the bundled sample and the CSV files in tests/data, and,
where ../shared/data is present (a developer's checkout), two more series from it (SPY, TSLA). Each is a name and a
function giving (dates, adjusted closes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.specs import DataRequest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "data"

REQUESTS = {
    "AAPL": DataRequest(source="sample", tickers=("AAPL",)),
    "IBM": DataRequest(source="sample", tickers=("IBM",)),
    "MSFT": DataRequest(source="sample", tickers=("MSFT",)),
    "GOOG": DataRequest(source="sample", tickers=("GOOG",)),
    "GSPC": DataRequest(source="csv", csv_path=str(DATA / "sp500_mdy.csv")),
    "MSFT86": DataRequest(source="csv", csv_path=str(DATA / "msft_no_adjclose.csv")),
}
SPY = SHARED / "prices" / "mplfinance__yahoofinance-SPY-20080101-20180101.csv"
TSLA = SHARED / "yahoo_chart" / "bodies" / "TSLA_1d_2010-06-29_2023-08-11.json"
if SPY.exists():
    REQUESTS["SPY"] = DataRequest(source="csv", csv_path=str(SPY))


def request(name: str) -> DataRequest | None:
    """The data request of a series, for the app to load (TSLA's chart body is written out as a CSV first)."""
    if name == "TSLA" and TSLA.exists():
        return DataRequest(source="csv", csv_path=str(tsla_csv()))
    return REQUESTS.get(name)


def tsla_csv() -> Path:
    """TSLA's recorded chart body as a Yahoo-style CSV (Date, Close, Adj Close) in the temporary folder."""
    import tempfile

    body = json.loads(TSLA.read_text())["chart"]["result"][0]
    dates = np.array(body["timestamp"], dtype="datetime64[s]").astype("datetime64[D]")
    close = body["indicators"]["quote"][0]["close"]
    adjusted = body["indicators"]["adjclose"][0]["adjclose"]
    path = Path(tempfile.gettempdir()) / "lstm-desktop-band-TSLA.csv"
    lines = ["Date,Close,Adj Close"]
    lines += [f"{d},{c!r},{a!r}" for d, c, a in zip(dates, close, adjusted) if c is not None and a is not None]
    path.write_text("\n".join(lines) + "\n")
    return path


def names() -> list[str]:
    return list(REQUESTS) + (["TSLA"] if TSLA.exists() else [])


def closes(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(dates as datetime64[D], adjusted closes) of a series."""
    if name == "TSLA":
        body = json.loads(TSLA.read_text())["chart"]["result"][0]
        dates = np.array(body["timestamp"], dtype="datetime64[s]").astype("datetime64[D]")
        values = np.array(body["indicators"]["adjclose"][0]["adjclose"], dtype=np.float64)
        keep = np.isfinite(values)
        return dates[keep], values[keep]
    frame = load_prices(REQUESTS[name])[0]
    column = "Adj Close" if "Adj Close" in frame.frame.columns else "Close"
    series = frame.frame[column].dropna()
    return series.index.to_numpy().astype("datetime64[D]"), series.to_numpy(dtype=np.float64)


LOADERS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {n: (lambda n=n: closes(n)) for n in names()}
