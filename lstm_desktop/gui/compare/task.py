"""The comparison as the window's one task: load the prices unless loaded, plan the variants (refusing what
cannot be compared before anything trains), run them in worker processes or on Dask, keep every finished one as a
run in the project and autosave it before returning, so a crash afterwards loses none."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lstm_desktop.core.specs import BacktestSpec, RunConfig

from ..tasks import Report, ShouldStop, Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    """The variants about to run, by name: the table can show a row for each."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class CompareDone:
    """The comparison's result, its runs as kept, and the test predictions of each (plain arrays for the plot)."""

    result: Any  # core.compare.report.CompareResult
    stored: list  # NewRuns: each run with the forecast it logged
    predictions: dict


def compare_task(
    config: RunConfig, frames: tuple | None, spec: Any, backtest: BacktestSpec | None, place: Any, snapshot: Any,
    recovery: Any,
) -> Task:  # fmt: skip
    def task(report: Report, should_stop: ShouldStop) -> CompareDone:
        from lstm_desktop.core.backtest.many import item_count
        from lstm_desktop.core.compare.runner import compare
        from lstm_desktop.core.compare.variants import plan
        from lstm_desktop.core.data.sources import load_prices

        prices = tuple(frames) if frames is not None else tuple(load_prices(config.data))
        variants = plan(config, prices, spec)
        report(Planned(tuple(v.name for v in variants)))
        executor = place.executor(config.train.threads or 1, item_count(len(variants), backtest))
        result = compare(config, prices, spec, backtest, variants=variants, executor=executor, on_event=report,
                         should_stop=should_stop)  # fmt: skip
        stored = [snapshot.add_new(finished, name) for name, finished in result.runs]  # frozen here, once
        if stored:
            try:
                recovery.autosave(snapshot)
            except Exception:  # recovery is a safety net: its failure must not lose the runs themselves
                log.exception("autosave failed")
        predictions = {}
        for (_, finished), row in zip(result.runs, [r for r in result.report.variants if r.run], strict=True):
            test = finished.report.predictions["test"]
            predictions[row.name] = (test.dates, test.actual, test.predicted)
        return CompareDone(result, stored, predictions)

    return task
