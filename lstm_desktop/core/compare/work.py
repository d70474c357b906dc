"""What a worker runs for one variant of a comparison: a run, or a walk-forward backtest whose folds run one after
another in this same worker (backtest/in_worker.py, as a sweep's do). Plain data in, a run back."""

from __future__ import annotations

from typing import Any

from ..backtest.in_worker import run_or_backtest
from .report import VariantProgress


def run_variant(payload: dict, report: Any, should_stop: Any) -> dict:
    """The variant's run (with its backtest when one is asked)."""
    name = payload["name"]
    return run_or_backtest(payload, lambda *done: report(VariantProgress(name, *done)), should_stop)
