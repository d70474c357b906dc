"""The `--json` documents of refresh and track (ARCHITECTURE.md's keys; more may be added), from typed results."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..codec import to_json
from .refresh import RefreshRow
from .track import Tracked


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def tracked_row(tracked: Tracked) -> dict[str, Any]:
    """One frozen forecast: its scores over the known days, the alarm and its words, and every forecast day (actual,
    error and inside are null until the day is known)."""
    dates = np.datetime_as_string(tracked.dates.astype("datetime64[D]")).tolist()
    days = []
    for at, date in enumerate(dates):
        known = tracked.known[at]
        actual = float(tracked.actual[at]) if known else None
        value, lower, upper = (float(tracked.value[at]), float(tracked.lower[at]), float(tracked.upper[at]))
        days.append({
            "date": date, "value": value, "lower": lower, "upper": upper, "actual": actual,
            "inside": (lower <= actual <= upper) if actual is not None else None,
            "error": value - actual if actual is not None else None,
        })  # fmt: skip
    return {
        "run": tracked.run,
        "run_name": tracked.run_name,
        "ticker": tracked.ticker,
        "origin": tracked.origin,
        "origin_price": _number(tracked.origin_price),
        "days_known": tracked.days_known,
        "rmse": _number(tracked.rmse),
        "flat_rmse": _number(tracked.flat_rmse),
        "skill": _number(tracked.skill),
        "coverage": _number(tracked.coverage),
        "level": _number(tracked.level),
        "reference": {
            "source": tracked.reference_source,
            "coverage": _number(tracked.reference_coverage),
            "skill": _number(tracked.reference_skill),
        },
        "p_values": {"coverage": _number(tracked.coverage_p), "skill": _number(tracked.skill_p)},
        "alarm": tracked.alarm,
        "text": tracked.text,
        "problem": tracked.problem,
        "days": days,
    }


def track_document(rows: tuple[Tracked, ...]) -> dict[str, Any]:
    return {"tracked": [tracked_row(t) for t in rows]}


def refresh_document(rows: tuple[RefreshRow, ...], changed: bool, tracked: tuple[Tracked, ...]) -> dict[str, Any]:
    return {"refresh": [to_json(r) for r in rows], "changed": changed} | track_document(tracked)
