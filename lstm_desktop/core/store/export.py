"""Plain-text exports of a run's results."""

from __future__ import annotations


def predictions_csv(results: dict) -> str:
    """One row per day: the split, actual and one-step predicted prices; then the forecast with its band."""
    lines = ["date,split,actual,predicted,lower,upper"]
    for split, rows in results["predictions"].items():
        lines += [f"{r['date']},{split},{r['actual']!r},{r['predicted']!r},," for r in rows]
    lines += [f"{d['date']},forecast,,{d['value']!r},{d['lower']!r},{d['upper']!r}" for d in results["forecast"]]
    return "\n".join(lines) + "\n"
