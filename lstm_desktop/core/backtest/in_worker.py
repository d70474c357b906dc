"""A run, or a walk-forward backtest whose folds run one after another in this same worker: what a sweep's ticker
and a comparison's variant both do in a worker (a worker starts no pool of its own: Dask workers cannot have child
processes, and the many-run job already uses every core). Plain data in, a run as plain data back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..events import EpochEnded
from ..executors.runs import encode_run
from ..run import run

Progress = Callable[[int, int, int, int], None]  # (epoch, epochs, folds finished, folds)


def run_or_backtest(payload: dict, progress: Progress, should_stop: Any) -> dict:
    """payload["config"] on payload["frames"], with a backtest of payload["backtest"] when it is not None."""
    from .runner import BacktestProgress, backtest

    config, frames, spec = payload["config"], payload["frames"], payload["backtest"]

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEnded):
            progress(event.epoch, event.epochs, 0, 0)
        elif isinstance(event, BacktestProgress):
            progress(0, 0, event.finished, event.folds)

    if spec is None:
        finished = run(config, frames, on_event=on_event, should_stop=should_stop)
    else:
        from ..executors.inline import InlineExecutor

        spec = dataclasses.replace(spec, workers=1)  # what ran it, as the backtest's report says
        finished = backtest(config, spec, frames, executor=InlineExecutor(), on_event=on_event, should_stop=should_stop)
    return encode_run(finished)
