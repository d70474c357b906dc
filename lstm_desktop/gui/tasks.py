"""The work the window hands to worker threads. Heavy modules (torch, pandas, yfinance) are imported here,
inside the tasks, so the window appears before they load."""

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


@dataclass(frozen=True)
class Loaded:
    """Prices ready: the frames and the target's dates and prices for the plot."""

    request: DataRequest
    frames: list
    dates: Any  # numpy datetime64 array
    prices: Any  # numpy float64 array, the target column

    def summaries(self) -> list[str]:
        return [frame.summary() for frame in self.frames]


def _loaded(request: DataRequest, frames: list, column: str) -> Loaded:
    target = frames[0].frame
    return Loaded(request, frames, target.index.to_numpy(), target[column].to_numpy(dtype="float64"))


def load_task(request: DataRequest, column: str) -> Callable[[Report, ShouldStop], Loaded]:
    def task(report: Report, should_stop: ShouldStop) -> Loaded:
        from lstm_desktop.core.data.sources import load_prices

        return _loaded(request, load_prices(request), column)

    return task


def train_task(
    config: RunConfig, frames: list | None, notes: str, recovery: Any
) -> Callable[[Report, ShouldStop], Any]:
    """Load (unless loaded), train, evaluate, forecast; the result is a Project, autosaved for recovery."""

    def task(report: Report, should_stop: ShouldStop) -> Any:
        from lstm_desktop.core import pipeline
        from lstm_desktop.core.data.sources import load_prices
        from lstm_desktop.core.learn.dataset import build_dataset
        from lstm_desktop.core.learn.training import train
        from lstm_desktop.core.store.project import Project

        loaded = frames
        if loaded is None:
            loaded = load_prices(config.data)
            report(_loaded(config.data, loaded, config.dataset.target))
        dataset = build_dataset(loaded, config.dataset)
        trained = train(dataset, config.model, config.train, report, should_stop)
        project = Project.from_run(pipeline.finish(config, loaded, dataset, trained), notes)
        try:
            recovery.autosave(project)
        except Exception:  # recovery is a safety net: its failure must not lose the run itself
            log.exception("autosave failed")
        return project

    return task


def open_task(path: Path) -> Callable[[Report, ShouldStop], Any]:
    def task(report: Report, should_stop: ShouldStop) -> Any:
        from lstm_desktop.core.store.project import load_project

        project = load_project(path)
        project.dataset()  # build it here, not on the GUI thread
        return project

    return task


def forecast_task(project: Any, days: int) -> Callable[[Report, ShouldStop], list[dict]]:
    def task(report: Report, should_stop: ShouldStop) -> list[dict]:
        return project.forecast(days)

    return task
