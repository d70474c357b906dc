"""A comparison from start to end: the variants planned in the parent, run in the executor's workers (every worker
with the same fixed torch thread count and every variant with the same seed, so any worker count gives the same
table), rows in the planned order, then the pairwise tests and the verdict. Without a backtest a variant is one
item; with one, its run on all the data and its folds are items of their own beside the other variants'
(backtest/many.py). A variant's failure is its row's reason, never the comparison's end."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from ..backtest.job import Stopped
from ..backtest.many import Step, item_count, run_many
from ..data.prices import PriceFrame
from ..errors import failure_text
from ..events import Listener, StopCheck, ignore, never
from ..run import FinishedRun
from ..specs import BacktestSpec, RunConfig
from .pairs import pair_rows
from .report import CompareProgress, CompareReport, CompareResult, VariantEnded, VariantProgress, VariantRow
from .rows import baseline_rows, failed_row, variant_row
from .spec import CompareSpec
from .variants import Variant, plan
from .verdict import verdict

STOPPED = "stopped before it finished"


def run_name(variant: Variant, backtest: BacktestSpec | None) -> str:
    return f"compare {variant.name}" + (" (backtest)" if backtest is not None else "")


class _Gather:
    """Ended variants to runs or error rows; their steps to CompareProgress events."""

    def __init__(self, variants: Sequence[Variant], backtest: BacktestSpec | None, on_event: Listener) -> None:
        self.variants, self.backtest, self.on_event = variants, backtest, on_event
        self.started = time.perf_counter()
        self.runs: dict[str, FinishedRun] = {}
        self.errors: dict[str, str] = {}
        self.running: dict[str, VariantProgress] = {}

    def on_step(self, index: int, step: Step) -> None:
        name = self.variants[index].name
        self.running[name] = VariantProgress(name, step.epoch, step.epochs, step.folds_finished, step.folds)
        self._tell()

    def on_ended(self, index: int, finished: FinishedRun | None, error: BaseException | None) -> None:
        variant = self.variants[index]
        self.running.pop(variant.name, None)
        if finished is None:
            self.errors[variant.name] = STOPPED if isinstance(error, Stopped) else failure_text(error)
        elif finished.report.stopped == "user":
            self.errors[variant.name] = STOPPED
        else:
            self.runs[variant.name] = finished
        self.on_event(VariantEnded(self.row(variant)))
        self._tell()

    def _tell(self) -> None:
        self.on_event(
            CompareProgress(
                ended=len(self.runs) + len(self.errors),
                variants=len(self.variants),
                running=dict(self.running),
                failed=len(self.errors),
                seconds=time.perf_counter() - self.started,
            )
        )

    def row(self, variant: Variant) -> VariantRow:
        finished = self.runs.get(variant.name)
        if finished is None:
            return failed_row(variant, self.errors.get(variant.name, STOPPED))
        return variant_row(variant, finished.report, run_name(variant, self.backtest))


def compare(
    config: RunConfig,
    frames: Sequence[PriceFrame],
    spec: CompareSpec,
    backtest: BacktestSpec | None = None,
    *,
    variants: Sequence[Variant] | None = None,
    executor: Any = None,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
) -> CompareResult:
    """Train every variant of `spec` (or the `variants` given, as `plan` makes them) on the same days with the
    same seed, each with `backtest` when given; the table, the pairwise tests and the verdict."""
    from ..executors.choose import executor_for

    config.validate()
    if backtest is not None:
        backtest.validate()
    started = time.perf_counter()
    threads = config.train.threads or 1  # fixed, so a run's result does not depend on where it ran
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, threads=threads))
    planned = tuple(variants) if variants is not None else plan(config, tuple(frames), spec)
    planned = tuple(_pinned(v, threads) for v in planned)
    gather = _Gather(planned, backtest, on_event)
    executor = executor or executor_for(0, threads, items=item_count(len(planned), backtest))
    stopped = {"asked": False}

    def stop_check() -> bool:
        stopped["asked"] = stopped["asked"] or should_stop()
        return stopped["asked"]

    failure: BaseException | None = None
    try:
        entries = [(v.config, v.frames) for v in planned]
        run_many(entries, backtest, executor, gather.on_step, gather.on_ended, stop_check)
    except Exception as exc:  # the cluster went away...: the variants that ended are kept, the others say why
        failure = exc
        for variant in planned:
            if variant.name not in gather.runs and variant.name not in gather.errors:
                gather.errors[variant.name] = f"not run: the comparison ended early ({failure_text(exc)})"
    rows = tuple(gather.row(v) for v in planned)
    series = {name: run.report.predictions["test"] for name, run in gather.runs.items()}
    pairs = pair_rows(rows, series)
    first = next((gather.runs[v.name] for v in planned if v.name in gather.runs), None)
    report = CompareReport(
        spec=spec,
        backtest=backtest,
        workers=executor.workers,
        threads=executor.threads,
        seconds=round(time.perf_counter() - started, 3),
        stopped=stopped["asked"],
        variants=rows,
        baselines=baseline_rows(first.report) if first is not None else (),
        pairs=pairs,
        verdict=verdict(rows, pairs),
    )
    runs = tuple((run_name(v, backtest), gather.runs[v.name]) for v in planned if v.name in gather.runs)
    return CompareResult(report, runs, failure)


def _pinned(variant: Variant, threads: int) -> Variant:
    train = dataclasses.replace(variant.config.train, threads=threads)
    return dataclasses.replace(variant, config=dataclasses.replace(variant.config, train=train))
