"""What a worker runs for one ticker of a sweep: a run, or a walk-forward backtest whose folds run one after
another in this same worker (backtest/in_worker.py). Plain data in (settings, prices), a run as plain data back."""

from __future__ import annotations

from typing import Any

from ..backtest.in_worker import run_or_backtest
from .report import TickerProgress


def run_ticker(payload: dict, report: Any, should_stop: Any) -> dict:
    """The ticker's run (with its backtest when one is asked)."""
    ticker = payload["ticker"]
    return run_or_backtest(payload, lambda *done: report(TickerProgress(ticker, *done)), should_stop)
