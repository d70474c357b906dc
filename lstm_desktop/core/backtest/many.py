"""Many runs side by side, each with its walk-forward backtest when one is asked: a comparison's variants and a
sweep's tickers. Every run's items (a plain run: one; with a backtest: the run on all the data and one per chain of
folds) go to one executor together, longest first, so that with one worker per core no core idles while another
trains a long variant's folds one after another. Each run is assembled exactly as `backtest()` assembles its own
(backtest/job.py), as soon as its last item has ended; a run that cannot be planned, or whose run on all the data
fails, is that run's failure, never the others'."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from ..data.prices import PriceFrame
from ..events import BacktestProgress, EpochEnded
from ..executors.book import Executor
from ..executors.jobs import run_jobs
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .job import BacktestJob, RunJob

Entry = tuple[RunConfig, tuple[PriceFrame, ...]]


@dataclasses.dataclass(frozen=True)
class Step:
    """Where a run stands: its epoch (epochs > 0: a run without a backtest) or its folds finished (folds > 0)."""

    epoch: int
    epochs: int
    folds_finished: int
    folds: int


OnStep = Callable[[int, Step], None]  # (the entry's number, where it stands)
OnEnded = Callable[[int, FinishedRun | None, BaseException | None], None]  # (number, its run, or its error)


def item_count(runs: int, backtest: BacktestSpec | None) -> int:
    """How many items `runs` runs make at most: the size of a pool that leaves no worker without one."""
    return runs * (1 + backtest.folds) if backtest is not None else runs


def run_many(
    entries: Sequence[Entry],
    backtest: BacktestSpec | None,
    executor: Executor,
    on_step: OnStep,
    on_ended: OnEnded,
    should_stop: Callable[[], bool],
) -> None:
    """Each entry's settings on its prices, with `backtest` when given; `on_ended` once per entry (its finished run,
    or the error that left it without one: backtest.job.Stopped when a stop came first). A backtest's report keeps
    the settings asked and says how many workers the shared pool had. Raises what the executor raises (a lost
    cluster); the entries not ended by then are not announced."""
    jobs: list[RunJob | BacktestJob] = []
    numbers: list[int] = []
    for number, (config, frames) in enumerate(entries):
        steps = _Steps(on_step, number)
        try:
            job = (
                RunJob(config, frames, steps)
                if backtest is None
                else BacktestJob(config, backtest, frames, steps, steps)
            )
        except Exception as exc:  # what cannot be planned (too few rows for the folds...) is this entry's failure
            on_ended(number, None, exc)
            continue
        jobs.append(job)
        numbers.append(number)

    def ended(j: int) -> None:
        try:
            finished = jobs[j].finish(executor.workers, executor.threads)
        except Exception as exc:
            on_ended(numbers[j], None, exc)
        else:
            on_ended(numbers[j], finished, None)

    run_jobs(executor, jobs, should_stop, ended)


class _Steps:
    """A job's events as the Step of its entry: the epochs of its run on all the data until its folds begin to
    report, then its folds."""

    def __init__(self, on_step: OnStep, number: int) -> None:
        self.on_step, self.number = on_step, number
        self.folds_begun = False

    def __call__(self, event: Any) -> None:
        if isinstance(event, EpochEnded) and not self.folds_begun:
            self.on_step(self.number, Step(event.epoch, event.epochs, 0, 0))
        elif isinstance(event, BacktestProgress):
            self.folds_begun = True
            self.on_step(self.number, Step(0, 0, event.finished, event.folds))
