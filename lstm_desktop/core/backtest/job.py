"""A backtest as items for an executor, and their assembly into the run with its backtest report: what `backtest()`
runs alone, and what a comparison or a sweep runs beside the other variants' or tickers' items in one pool of
workers (backtest/many.py). Also the plain run as one such item. Each item says what it is expected to cost, so
that a pool can start the longest first (executors/jobs.py).

Planning happens here, in the parent: the folds are laid out (refusing what cannot fit before anything trains) and
every item carries its settings and prices as plain data.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from ..codec import from_json
from ..data.prices import PriceFrame
from ..errors import LstmDesktopError
from ..events import BacktestProgress, EpochEnded, Listener, ignore
from ..executors.items import Outcome
from ..executors.runs import decode_run
from ..learn.dataset import SplitRows
from ..report import BacktestReport, FoldReport
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .aggregate import aggregate
from .plan import Fold, chains, plan

CHAIN = "lstm_desktop.core.backtest.work:run_chain"
WHOLE = "lstm_desktop.core.backtest.work:run_whole"
MAX_FOLD_STEPS = 30

Items = list[tuple[str, dict[str, Any]]]


class Stopped(LstmDesktopError):
    """Stopped before anything worth keeping finished."""

    exit_code = 130


def aligned(frames: tuple[PriceFrame, ...], config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """(dates, target prices) of the table the folds split, exactly as the dataset builds it."""
    from ..learn.dataset import feature_matrix

    table, prices, _, _ = feature_matrix(list(frames), config.dataset)
    return table.index.to_numpy().astype("datetime64[D]"), prices


def training_flops(config: RunConfig, features: int, rows: SplitRows) -> float:
    """What training on `rows` is expected to cost: FLOPs per epoch (core/learn/cost.py) × the most epochs. Early
    stopping may end it sooner; every item is estimated alike, so the order of the estimates is what counts."""
    from ..learn.cost import epoch_flops

    data = config.dataset
    train = max(0, rows.val_at - rows.start - data.window - data.horizon + 1)
    val = max(0, rows.test_at - rows.val_at - data.horizon + 1)
    return epoch_flops(data.window, features, config.model, train, val) * config.train.epochs


def whole_flops(config: RunConfig, frames: tuple[PriceFrame, ...], rows: int) -> float:
    """The run on all `rows` rows, split by the settings' fractions (split dates, when given, are not looked up:
    an estimate needs no more)."""
    data = config.dataset
    n_test, n_val = round(rows * data.test_frac), round(rows * data.val_frac)
    features = len(data.input_columns()) + len(frames) - 1
    return training_flops(config, features, SplitRows(0, rows - n_val - n_test, rows - n_test, rows))


class RunJob:
    """One run as one item (the same item as a backtest's run on all the data); its epochs go to `on_event`."""

    def __init__(self, config: RunConfig, frames: tuple[PriceFrame, ...], on_event: Listener = ignore) -> None:
        self.frames, self.on_event = frames, on_event
        self.items: Items = [(WHOLE, {"config": config, "frames": frames})]
        self.stages = [0]
        self.costs = [whole_flops(config, frames, len(frames[0].frame))]
        self.outcome: Outcome | None = None

    def on_outcome(self, outcome: Outcome) -> None:
        self.outcome = outcome

    def on_progress(self, index: int, event: Any) -> None:
        if isinstance(event, EpochEnded):
            self.on_event(event)

    def finish(self, workers: int, threads: int) -> FinishedRun:
        """The run, or the error that ended it (Stopped when the stop came before it started)."""
        outcome = self.outcome
        if outcome is None or outcome.cancelled:
            raise Stopped(str(outcome.error) if outcome is not None else "stopped before it started")
        if outcome.error is not None:
            raise outcome.error
        return decode_run(outcome.result, self.frames)


class BacktestJob:
    """A backtest's items (the run on all the data, then one per chain of folds), the progress of its folds as
    BacktestProgress events, and `finish`: the run with its backtest report."""

    def __init__(
        self,
        config: RunConfig,
        spec: BacktestSpec,
        frames: tuple[PriceFrame, ...],
        on_event: Listener = ignore,
        on_whole: Listener = ignore,
    ) -> None:
        """`on_event` hears the folds' progress; `on_whole` what the run on all the data reports (its epochs)."""
        config.validate()
        spec.validate()
        self.config, self.spec, self.frames, self.on_whole = config, spec, frames, on_whole
        self.started = time.perf_counter()
        self.dates, self.prices = aligned(frames, config)
        self.folds = plan(len(self.dates), spec, config.dataset)
        groups = chains(self.folds, spec.warm_start)
        fold_config = dataclasses.replace(config, forecast_days=min(spec.fold_days, MAX_FOLD_STEPS))
        self.items: Items = [(WHOLE, {"config": config, "frames": frames})] + [
            (CHAIN, {"config": fold_config, "frames": frames, "folds": group, "warm_start": spec.warm_start})
            for group in groups
        ]
        features = len(config.dataset.input_columns()) + len(frames) - 1
        self.stages = [0] + [1] * len(groups)  # the run on all the data before the folds (executors/jobs.py)
        self.costs = [whole_flops(config, frames, len(self.dates))] + [
            sum(training_flops(config, features, fold.rows) for fold in group if _trains(fold, group))
            for group in groups
        ]
        self.collector = _Collector(len(self.folds), on_event, self.started)

    def on_outcome(self, outcome: Outcome) -> None:
        self.collector.on_outcome(outcome)

    def on_progress(self, index: int, event: Any) -> None:
        if index == 0:
            self.on_whole(event)
        else:
            self.collector.on_progress(index, event)

    def finish(self, workers: int, threads: int) -> FinishedRun:
        """The run on all the data with the backtest of the folds that finished; the run's failure is the
        backtest's (a fold's failure is only that fold's: one of the report's problems)."""
        collected = self.collector
        whole = collected.whole(self.frames)
        finished = sorted(collected.folds, key=lambda f: f.fold)
        report = BacktestReport(
            settings=self.spec,
            workers=workers,
            threads=threads,
            seconds=round(time.perf_counter() - self.started, 3),
            complete=len(finished) == len(self.folds),
            problems=tuple(str(e) for e in collected.errors),
            folds=tuple(finished),
            aggregate=aggregate(finished, self.dates, self.prices, len(self.folds)) if finished else None,
        )
        return dataclasses.replace(whole, report=dataclasses.replace(whole.report, backtest=report))


def _trains(fold: Fold, group: list[Fold]) -> bool:
    """The fold trains a model (a held fold only predicts with the one before it)."""
    return fold.refit or fold is group[0]


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
        return decode_run(self.whole_result, frames)
