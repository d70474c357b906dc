"""What a worker runs for one ticker of a sweep: a run, or a walk-forward backtest whose folds run one after
another in this same worker (a worker starts no pool of its own: Dask workers cannot have child processes, and
the sweep already uses every core). Plain data in (settings, prices), a run as plain data back."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..events import EpochEnded
from ..executors.runs import encode_run
from ..run import run
from .report import TickerProgress


def run_ticker(payload: dict, report: Any, should_stop: Any) -> dict:
    """The ticker's run (with its backtest when one is asked)."""
    from ..backtest.runner import BacktestProgress

    ticker, config, frames, spec = payload["ticker"], payload["config"], payload["frames"], payload["backtest"]

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEnded):
            report(TickerProgress(ticker, event.epoch, event.epochs, 0, 0))
        elif isinstance(event, BacktestProgress):
            report(TickerProgress(ticker, 0, 0, event.finished, event.folds))

    if spec is None:
        finished = run(config, frames, on_event=on_event, should_stop=should_stop)
    else:
        from ..backtest.runner import backtest
        from ..executors.inline import InlineExecutor

        spec = dataclasses.replace(spec, workers=1)  # what ran it, as the backtest's report says
        finished = backtest(config, spec, frames, executor=InlineExecutor(), on_event=on_event, should_stop=should_stop)
    return encode_run(finished)
