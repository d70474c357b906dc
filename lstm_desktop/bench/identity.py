"""Whether two executors gave the same runs: a many-run result's runs as JSON, less what a clock or the pool
measured (seconds, the count of workers)."""

from __future__ import annotations

from typing import Any

from lstm_desktop.core.codec import to_json


def runs_less_timings(result: Any) -> list[dict]:
    """The runs of a sweep's or a comparison's result as JSON, less seconds and workers (folds' too)."""
    rows = []
    for _, finished in result.runs:
        report = to_json(finished.report)
        report.pop("seconds")
        for epoch in report["history"]:
            epoch.pop("seconds")
        if report.get("backtest") is not None:
            report["backtest"].pop("seconds"), report["backtest"].pop("workers")
            for fold in report["backtest"]["folds"]:
                fold.pop("seconds")
        rows.append(report)
    return rows
