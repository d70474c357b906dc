"""Whether two runs are the same run: a run report as JSON less what a clock or the pool measured (seconds, the
count of workers). The benches and the tests compare executors, worker counts and thread settings through it."""

from __future__ import annotations

from typing import Any

from lstm_desktop.core.codec import to_json


def less_timings(report: dict) -> dict:
    """A run report as JSON (`to_json(report)`, or the command line's run document), less the run's seconds, each
    epoch's, its backtest's and each fold's, and the backtest's count of workers. Changed in place, and returned."""
    report.pop("seconds")
    for epoch in report["history"]:
        epoch.pop("seconds")
    backtest = report.get("backtest")
    if backtest is not None:
        backtest.pop("seconds"), backtest.pop("workers")
        for fold in backtest["folds"]:
            fold.pop("seconds")
    return report


def runs_less_timings(result: Any) -> list[dict]:
    """The runs of a sweep's or a comparison's result as JSON, less seconds and workers (folds' too)."""
    return [less_timings(to_json(finished.report)) for _, finished in result.runs]
