"""The work the window hands to worker threads: plain functions over the core. Heavy modules (torch, pandas,
yfinance) are imported inside the tasks, so the window appears before they load."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_desktop.core.specs import DataRequest, RunConfig

log = logging.getLogger(__name__)
Report = Callable[[Any], None]
ShouldStop = Callable[[], bool]
Task = Callable[[Report, ShouldStop], Any]


@dataclass(frozen=True)
class Loaded:
    """Prices loaded for a request, as the data set a run will train on."""

    request: DataRequest
    data: Any  # core.store.project.DataSet


def load_task(request: DataRequest) -> Task:
    def task(report: Report, should_stop: ShouldStop) -> Loaded:
        from lstm_desktop.core.data.sources import load_prices
        from lstm_desktop.core.store.project import DataSet

        return Loaded(request, DataSet.of(load_prices(request)))

    return task


def train_task(config: RunConfig, frames: tuple | None, snapshot: Any, recovery: Any) -> Task:
    """Load (unless loaded), run, keep the run (its forecast frozen here: a NewRun); then autosave the project with
    it for crash recovery."""

    def task(report: Report, should_stop: ShouldStop) -> Any:
        from lstm_desktop.core.events import PricesLoaded
        from lstm_desktop.core.run import run
        from lstm_desktop.core.runtime import set_threads
        from lstm_desktop.core.store.project import DataSet

        def on_event(event: Any) -> None:
            if isinstance(event, PricesLoaded):
                event = Loaded(event.request, DataSet.of(event.frames))
            report(event)

        set_threads(config.train.threads)
        finished = run(config, frames, on_event=on_event, should_stop=should_stop)
        made = snapshot.add_new(finished)
        try:
            recovery.autosave(snapshot)
        except Exception:  # recovery is a safety net: its failure must not lose the run itself
            log.exception("autosave failed")
        return made

    return task


def backtest_task(config: RunConfig, spec: Any, frames: tuple | None, snapshot: Any, recovery: Any) -> Task:
    """The run on all the data with its walk-forward backtest (folds in worker processes), kept (a NewRun) and
    autosaved."""

    def task(report: Report, should_stop: ShouldStop) -> Any:
        from lstm_desktop.core.backtest.runner import backtest
        from lstm_desktop.core.events import PricesLoaded
        from lstm_desktop.core.store.project import DataSet

        def on_event(event: Any) -> None:
            if isinstance(event, PricesLoaded):
                event = Loaded(event.request, DataSet.of(event.frames))
            report(event)

        finished = backtest(config, spec, frames, on_event=on_event, should_stop=should_stop)
        made = snapshot.add_new(finished, f"backtest {len(snapshot.runs) + 1}")
        try:
            recovery.autosave(snapshot)
        except Exception:  # recovery is a safety net: its failure must not lose the run itself
            log.exception("autosave failed")
        return made

    return task


def open_task(path: Path, recent: Any = None) -> Task:
    """The project read and checked; then listed first in `recent` (its file is written here, off the GUI thread:
    an atomic write with two fsyncs can take tens of milliseconds)."""

    def task(report: Report, should_stop: ShouldStop) -> Any:
        from lstm_desktop.core.store.project_io import load_project

        project = load_project(path)
        if recent is not None:
            recent.add(path)
        return project

    return task


def save_task(snapshot: Any, path: Path, recent: Any = None) -> Task:
    """The project written; then listed first in `recent` (see open_task)."""

    def task(report: Report, should_stop: ShouldStop) -> Path:
        from lstm_desktop.core.store.project_io import save_project

        written = save_project(snapshot, path)
        if recent is not None:
            recent.add(written)
        return written

    return task


def forecast_task(run: Any, days: int) -> Task:
    """The run with a new forecast of `days` days from its stored model (no retraining)."""

    def task(report: Report, should_stop: ShouldStop) -> Any:
        import dataclasses

        from lstm_desktop.core.run import forecast_again
        from lstm_desktop.core.store.project import encode_report

        updated = forecast_again(run.report, run.data.frames, run.tensors(), days)
        return dataclasses.replace(run, report=updated, report_json=encode_report(updated))

    return task
