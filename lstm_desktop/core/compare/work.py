"""What a worker runs for one variant of a comparison: a run, or a walk-forward backtest whose folds run one after
another in this same worker (as a sweep's do: a worker starts no pool of its own). Plain data in, a run back."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..events import EpochEnded
from ..executors.runs import encode_run
from ..run import run
from .report import VariantProgress


def run_variant(payload: dict, report: Any, should_stop: Any) -> dict:
    """The variant's run (with its backtest when one is asked)."""
    from ..backtest.runner import BacktestProgress

    name, config, frames, spec = payload["name"], payload["config"], payload["frames"], payload["backtest"]

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEnded):
            report(VariantProgress(name, event.epoch, event.epochs, 0, 0))
        elif isinstance(event, BacktestProgress):
            report(VariantProgress(name, 0, 0, event.finished, event.folds))

    if spec is None:
        finished = run(config, frames, on_event=on_event, should_stop=should_stop)
    else:
        from ..backtest.runner import backtest
        from ..executors.inline import InlineExecutor

        spec = dataclasses.replace(spec, workers=1)  # what ran it, as the backtest's report says
        finished = backtest(config, spec, frames, executor=InlineExecutor(), on_event=on_event, should_stop=should_stop)
    return encode_run(finished)
