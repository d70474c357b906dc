"""A sweep from start to end: the same settings over every ticker whose prices loaded, run in the executor's workers
(each with the same fixed torch thread count, so any worker count gives the same runs), rows gathered in the order
the tickers were given. Without a backtest a ticker is one item; with one, its run on all the data and its folds
are items of their own beside the other tickers' (backtest/many.py). A ticker's failure is its row's message,
never the sweep's end."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from ..backtest.many import Step, item_count, run_many
from ..errors import failure_text
from ..events import Listener, StopCheck, ignore, never
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .report import SweepProgress, SweepReport, SweepResult, SweepRow, TickerEnded, TickerProgress
from .targets import Target

STOPPED = "stopped before it finished"


def run_name(ticker: str, backtest: BacktestSpec | None) -> str:
    return f"sweep {ticker}" + (" (backtest)" if backtest is not None else "")


def ticker_config(config: RunConfig, ticker: str) -> RunConfig:
    """The settings as one run of this ticker keeps them (its data request names the ticker alone)."""
    return dataclasses.replace(config, data=dataclasses.replace(config.data, tickers=(ticker,)))


class _Gather:
    """Ended tickers to runs or error rows; their steps to SweepProgress events."""

    def __init__(self, targets: list[Target], ready: list[Target], backtest: Any, on_event: Listener) -> None:
        self.ready, self.backtest, self.on_event = ready, backtest, on_event
        self.total = len(targets)
        self.started = time.perf_counter()
        self.runs: dict[str, FinishedRun] = {}
        self.errors: dict[str, BaseException] = {t.ticker: t.error for t in targets if t.error is not None}
        self.running: dict[str, TickerProgress] = {}

    def on_step(self, index: int, step: Step) -> None:
        ticker = self.ready[index].ticker
        self.running[ticker] = TickerProgress(ticker, step.epoch, step.epochs, step.folds_finished, step.folds)
        self._tell()

    def on_ended(self, index: int, finished: FinishedRun | None, error: BaseException | None) -> None:
        target = self.ready[index]
        self.running.pop(target.ticker, None)
        if finished is None:
            self.errors[target.ticker] = error or _Stopped(STOPPED)
        elif finished.report.stopped == "user":
            self.errors[target.ticker] = _Stopped(STOPPED)
        else:
            self.runs[target.ticker] = finished
        self.on_event(TickerEnded(self.row(target)))
        self._tell()

    def _tell(self) -> None:
        self.on_event(
            SweepProgress(
                ended=len(self.runs) + len(self.errors),
                tickers=self.total,
                running=dict(self.running),
                failed=len(self.errors),
                seconds=time.perf_counter() - self.started,
            )
        )

    def row(self, target: Target) -> SweepRow:
        finished = self.runs.get(target.ticker)
        if finished is None:
            error = self.errors.get(target.ticker) or _Stopped(STOPPED)
            return SweepRow(target.ticker, None, None, {}, None, str(error))
        report = finished.report
        test = report.metrics.get("test")
        name = run_name(target.ticker, self.backtest)
        skill = test.skill if test is not None else None
        return SweepRow(target.ticker, name, skill, dict(report.metrics), report.backtest, None, report.seconds)


class _Stopped(Exception):
    """A ticker the stop reached before its run finished."""


def sweep(
    config: RunConfig,
    targets: list[Target],
    backtest: BacktestSpec | None = None,
    *,
    executor: Any = None,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
) -> SweepResult:
    """Run `config` on each target's prices (with `backtest` when given); rows in the targets' order."""
    from ..executors.choose import executor_for

    config.validate()
    if backtest is not None:
        backtest.validate()
    started = time.perf_counter()
    threads = config.train.threads or 1  # fixed, so a run's result does not depend on where it ran
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, threads=threads))
    ready = [t for t in targets if t.frames is not None]
    gather = _Gather(targets, ready, backtest, on_event)
    executor = executor or executor_for(0, threads, items=item_count(len(ready), backtest))
    stopped = {"asked": False}

    def stop_check() -> bool:
        stopped["asked"] = stopped["asked"] or should_stop()
        return stopped["asked"]

    failure: BaseException | None = None
    if ready:
        try:
            entries = [(ticker_config(config, t.ticker), t.frames) for t in ready]
            run_many(entries, backtest, executor, gather.on_step, gather.on_ended, stop_check)
        except Exception as exc:  # the cluster went away...: the tickers that ended are kept, the others say why
            failure = exc
            for target in ready:
                if target.ticker not in gather.runs and target.ticker not in gather.errors:
                    gather.errors[target.ticker] = _Stopped(f"not run: the sweep ended early ({failure_text(exc)})")
    rows = tuple(gather.row(t) for t in targets)
    report = SweepReport(
        backtest=backtest,
        workers=executor.workers,
        threads=executor.threads,
        seconds=round(time.perf_counter() - started, 3),
        stopped=stopped["asked"],
        rows=rows,
    )
    runs = tuple((run_name(t.ticker, backtest), gather.runs[t.ticker]) for t in targets if t.ticker in gather.runs)
    errors = tuple((t.ticker, gather.errors[t.ticker]) for t in targets if t.ticker in gather.errors)
    return SweepResult(report, runs, errors, failure)
