"""Write Yahoo v8/finance/chart response bodies from the public-domain sample, for the replayed-Yahoo tests.

The format follows what Yahoo's chart endpoint returns (meta, timestamp, indicators.quote and adjclose).
Run from the repository root: python tests/data/make_chart_bodies.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "yahoo"


def chart_body(symbol: str, rows: pd.DataFrame) -> dict:
    opens = pd.DatetimeIndex(pd.to_datetime(rows["Date"])).tz_localize("America/New_York") + pd.Timedelta(
        hours=9, minutes=30
    )
    stamps = [int(t.timestamp()) for t in opens]
    return {
        "chart": {
            "result": [
                {
                    "meta": {
                        "currency": "USD",
                        "symbol": symbol,
                        "exchangeName": "NYQ",
                        "fullExchangeName": "NYSE",
                        "instrumentType": "EQUITY",
                        "firstTradeDate": stamps[0],
                        "regularMarketTime": stamps[-1],
                        "hasPrePostMarketData": False,
                        "gmtoffset": -18000,
                        "timezone": "EST",
                        "exchangeTimezoneName": "America/New_York",
                        "regularMarketPrice": float(rows["Close"].iloc[-1]),
                        "priceHint": 2,
                        "dataGranularity": "1d",
                        "range": "",
                        "validRanges": [
                            "1d",
                            "5d",
                            "1mo",
                            "3mo",
                            "6mo",
                            "1y",
                            "2y",
                            "5y",
                            "10y",
                            "ytd",
                            "max",
                        ],
                    },
                    "timestamp": stamps,
                    "indicators": {
                        "quote": [
                            {
                                "open": rows["Open"].tolist(),
                                "high": rows["High"].tolist(),
                                "low": rows["Low"].tolist(),
                                "close": rows["Close"].tolist(),
                                "volume": [int(v) for v in rows["Volume"]],
                            }
                        ],
                        "adjclose": [{"adjclose": rows["Adj Close"].tolist()}],
                    },
                }
            ],
            "error": None,
        }
    }


def main() -> None:
    table = pd.read_csv(ROOT / "resources" / "sample" / "stocks.csv")
    OUT.mkdir(exist_ok=True)
    for symbol in ("IBM",):
        rows = table[table["Ticker"] == symbol]
        (OUT / f"{symbol}.json").write_text(json.dumps(chart_body(symbol, rows), separators=(",", ":")))


if __name__ == "__main__":
    main()
