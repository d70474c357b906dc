"""Schema 5 to 6: every run's stored forecast becomes a frozen forecast of the forecast log, whose origin is the run's
last day of data and whose origin price is its target's price that day (read from the run's prices entry). Plain
dicts in, plain JSON out; a run that cannot give one (not an object, no forecast, its prices unreadable) gives none
and is otherwise left as it was. The reference the alarm needs is filled from the run when the file opens."""

from __future__ import annotations

import csv
import io
import math
from typing import Any


def frozen_of_runs(meta: dict, entries: dict[str, bytes]) -> list[dict]:
    frozen = []
    for run in meta.get("runs") or ():
        entry = _frozen_of(run, entries)
        if entry is not None:
            frozen.append(entry)
    return frozen


def _frozen_of(run: Any, entries: dict[str, bytes]) -> dict | None:
    report = run.get("report") if isinstance(run, dict) else None
    if not isinstance(report, dict):
        return None
    data, forecast, band = report.get("data"), report.get("forecast"), report.get("band")
    if not (isinstance(data, dict) and isinstance(forecast, dict) and isinstance(band, dict)):
        return None
    if not isinstance(forecast.get("dates"), list) or not forecast["dates"]:
        return None
    ticker, column, end = data.get("ticker"), data.get("price_column"), data.get("end")
    price = _price(entries.get(f"prices/{run.get('data')}.csv"), ticker, column, end)
    if price is None or not isinstance(run.get("id"), str):
        return None
    return {
        "run": run["id"],
        "run_name": str(run.get("name") or run["id"]),
        "ticker": ticker,
        "price_column": column,
        "origin": end,
        "origin_price": price,
        "made": str(run.get("created") or ""),
        "level": band.get("level", 0.9),
        "forecast": forecast,
        "reference": None,
    }


def _price(prices: bytes | None, ticker: Any, column: Any, day: Any) -> float | None:
    """`ticker`'s `column` on `day` in a long-format prices entry; None when it is not there."""
    if prices is None or not all(isinstance(v, str) for v in (ticker, column, day)):
        return None
    try:
        for row in csv.DictReader(io.StringIO(prices.decode("utf-8"))):
            if row.get("Ticker") == ticker and row.get("Date") == day:
                value = float(row[column])
                return value if math.isfinite(value) and value > 0 else None
    except (UnicodeDecodeError, KeyError, ValueError, TypeError, csv.Error):
        return None
    return None
