"""A walk-forward backtest from start to end: plan the folds (refusing what cannot fit before anything trains),
run the fold chains and the ordinary run on all the data in worker processes, report progress, aggregate.

Folds with fresh weights are independent and run side by side; warm-started or held folds run in order in one
worker; the items start longest first (backtest/job.py estimates them). The same items of several backtests share
one pool in a comparison or a sweep (backtest/many.py). Every worker uses the same fixed number of torch threads
(1 unless the settings fix another), so the results are the same whether 1 or W workers ran them.
"""

from __future__ import annotations

import os
from typing import Any

from ..data.prices import PriceFrame
from ..events import BacktestProgress, Listener, PricesLoaded, StopCheck, ignore, never
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .job import CHAIN, MAX_FOLD_STEPS, WHOLE, BacktestJob, Stopped, aligned

__all__ = ["CHAIN", "MAX_FOLD_STEPS", "WHOLE", "BacktestProgress", "Stopped", "aligned", "backtest", "worker_plan"]


def worker_plan(spec: BacktestSpec, config: RunConfig, items: int) -> tuple[int, int]:
    """(workers, torch threads per worker): workers × threads ≤ cores."""
    cores = os.cpu_count() or 1
    threads = config.train.threads or 1
    workers = spec.workers or max(1, cores // threads)
    return max(1, min(workers, items)), threads


def backtest(
    config: RunConfig,
    spec: BacktestSpec,
    frames: tuple[PriceFrame, ...] | list[PriceFrame] | None = None,
    *,
    executor: Any = None,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
) -> FinishedRun:
    """The ordinary run on all the data, with the backtest of its settings in `report.backtest`."""
    from ..data.sources import load_prices
    from ..executors.jobs import run_jobs

    config.validate()
    spec.validate()
    if frames is None:
        frames = load_prices(config.data)
        on_event(PricesLoaded(config.data, tuple(frames)))
    job = BacktestJob(config, spec, tuple(frames), on_event)
    workers, threads = worker_plan(spec, config, len(job.items))
    if executor is None:
        from ..executors.local import LocalExecutor

        executor = LocalExecutor(workers, threads)
    run_jobs(executor, [job], should_stop)
    return job.finish(min(workers, executor.workers), threads)
