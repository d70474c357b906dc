"""A walk-forward backtest from start to end: plan the folds (refusing what cannot fit before anything trains),
run the fold chains and the ordinary run on all the data in worker processes, report progress, aggregate.

Folds with fresh weights are independent and run side by side; warm-started or held folds run in order in one
worker. Every worker uses the same fixed number of torch threads (1 unless the settings fix another), so the
results are the same whether 1 or W workers ran them.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any

import numpy as np

from ..codec import from_json
from ..data.prices import PriceFrame
from ..errors import LstmDesktopError
from ..events import BacktestProgress, Listener, PricesLoaded, StopCheck, ignore, never
from ..report import BacktestReport, FoldReport, RunReport
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .aggregate import aggregate
from .plan import chains, plan

CHAIN = "lstm_desktop.core.backtest.work:run_chain"
WHOLE = "lstm_desktop.core.backtest.work:run_whole"
MAX_FOLD_STEPS = 30


def worker_plan(spec: BacktestSpec, config: RunConfig, items: int) -> tuple[int, int]:
    """(workers, torch threads per worker): workers × threads ≤ cores."""
    cores = os.cpu_count() or 1
    threads = config.train.threads or 1
    workers = spec.workers or max(1, cores // threads)
    return max(1, min(workers, items)), threads


def aligned(frames: tuple[PriceFrame, ...], config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """(dates, target prices) of the table the folds split, exactly as the dataset builds it."""
    from ..learn.dataset import feature_matrix

    table, prices, _, _ = feature_matrix(list(frames), config.dataset)
    return table.index.to_numpy().astype("datetime64[D]"), prices


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

    config.validate()
    spec.validate()
    started = time.perf_counter()
    if frames is None:
        frames = load_prices(config.data)
        on_event(PricesLoaded(config.data, tuple(frames)))
    frames = tuple(frames)
    dates, prices = aligned(frames, config)
    folds = plan(len(dates), spec, config.dataset)
    groups = chains(folds, spec.warm_start)
    workers, threads = worker_plan(spec, config, len(groups) + 1)
    fold_config = dataclasses.replace(config, forecast_days=min(spec.fold_days, MAX_FOLD_STEPS))
    payloads = [{"config": config, "frames": frames}] + [
        {"config": fold_config, "frames": frames, "folds": group, "warm_start": spec.warm_start} for group in groups
    ]
    if executor is None:
        from ..executors.local import LocalExecutor

        executor = LocalExecutor(workers, threads)
    collected = _Collector(len(folds), on_event, started)
    items = [(WHOLE, payloads[0])] + [(CHAIN, payload) for payload in payloads[1:]]
    executor.run(items, collected.on_outcome, collected.on_progress, should_stop)
    whole = collected.whole(frames)
    finished = sorted(collected.folds, key=lambda f: f.fold)
    report = BacktestReport(
        settings=spec,
        workers=workers,
        threads=threads,
        seconds=round(time.perf_counter() - started, 3),
        complete=len(finished) == len(folds),
        problems=tuple(str(e) for e in collected.errors),
        folds=tuple(finished),
        aggregate=aggregate(finished, dates, prices, len(folds)) if finished else None,
    )
    return dataclasses.replace(whole, report=dataclasses.replace(whole.report, backtest=report))


class Stopped(LstmDesktopError):
    """Stopped before anything worth keeping finished."""

    exit_code = 130


class _Collector:
    """Gathers the items' outcomes and turns the workers' epochs into overall progress."""

    def __init__(self, folds: int, on_event: Listener, started: float) -> None:
        self.planned, self.on_event, self.started = folds, on_event, started
        self.folds: list[FoldReport] = []
        self.whole_result: dict | None = None
        self.whole_error: BaseException | None = None
        self.running: dict[int, tuple[int, int]] = {}
        self.errors: list[BaseException] = []

    def on_outcome(self, outcome: Any) -> None:
        if not outcome.ok:
            if outcome.index == 0:
                self.whole_error = None if outcome.cancelled else outcome.error
            elif not outcome.cancelled:
                self.errors.append(outcome.error)
            return
        if outcome.index == 0:
            self.whole_result = outcome.result
            return
        for item in outcome.result["folds"]:
            fold = from_json(FoldReport, item, "fold")
            self.folds.append(fold)
            self.running.pop(fold.fold, None)
        self._tell()

    def on_progress(self, index: int, event: Any) -> None:
        fold = getattr(event, "fold", None)
        if fold is not None:
            self.running[fold] = (event.epoch, event.epochs)
            self._tell()

    def _tell(self) -> None:
        done = len(self.folds)
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (self.planned - done) if done else float("nan")
        self.on_event(BacktestProgress(done, self.planned, dict(self.running), eta))

    def whole(self, frames: tuple[PriceFrame, ...]) -> FinishedRun:
        """The run on all the data; its failure is the backtest's (a fold's failure is only that fold's)."""
        if self.whole_result is None:
            if self.whole_error is not None:
                raise self.whole_error
            raise Stopped("The backtest was stopped before its run on all the data finished: nothing is kept.")
        from ..learn.model import expected_shapes
        from ..store.weights_file import load_float32

        report = RunReport.from_json(self.whole_result["report"], "run")
        shapes = expected_shapes(len(report.inputs), report.settings.dataset.horizon, report.settings.model)
        return FinishedRun(report, load_float32(self.whole_result["weights"], shapes), frames)
