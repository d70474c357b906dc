"""The window's tasks that run many trainings at once (a search, a sweep): plain functions over the core, run in a
worker thread; the trainings themselves run in worker processes (or on a Dask cluster). Every run that finished
is kept in the project and autosaved before the task returns, so a crash afterwards loses none of them."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_desktop.core.specs import BacktestSpec, DataRequest, RunConfig

from .tasks import Report, ShouldStop, Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where the trainings run: local worker processes (`workers`, 0 = one per core) or a Dask scheduler (tls://
    with its three certificate files), and how long any connection to it may take."""

    workers: int = 0
    scheduler: str | None = None
    tls: tuple[str, str, str] | None = None  # CA, certificate, key: for a tls:// address
    connect_timeout: float = 30.0

    def check(self) -> None:
        """Refuse, before anything starts, an address Dask would refuse, tls:// without its certificate files, a
        timeout out of bounds, and a cluster when Dask is not installed."""
        import importlib.util
        import os

        from lstm_desktop.core.errors import BadInput
        from lstm_desktop.core.executors.cluster_checks import TlsFiles, check_address
        from lstm_desktop.core.executors.cluster_probe import ClusterSpec

        ClusterSpec(connect_timeout=self.connect_timeout).validate()
        if self.scheduler is None or self.scheduler.strip().lower() == "local":
            return
        tls = None
        if self.tls is not None:
            for label, path in zip(("certificate authority (CA)", "certificate", "key"), self.tls):
                if not path:
                    raise BadInput(f"A tls:// scheduler needs the TLS {label} file: choose it under TLS files.")
                if not os.path.isfile(path):
                    raise BadInput(f"The TLS {label} file {path} does not exist.")
            tls = TlsFiles(*self.tls)
        check_address(self.scheduler, tls)
        if importlib.util.find_spec("distributed") is None:
            from lstm_desktop.core.executors.cluster import FROZEN_INSTALL, INSTALL

            raise BadInput(FROZEN_INSTALL if getattr(sys, "frozen", False) else INSTALL)

    def executor(self, threads: int, items: int) -> Any:
        from lstm_desktop.core.executors.choose import executor_for
        from lstm_desktop.core.executors.cluster_checks import TlsFiles

        tls = TlsFiles(*self.tls) if self.tls is not None else None
        return executor_for(self.workers, threads, self.scheduler, tls, items, self.connect_timeout)


@dataclass(frozen=True)
class ManyDone:
    """What a search or sweep gave: its result (report and runs), the runs as kept with the forecasts they logged
    (core NewRuns: a search logs only its best trial's), and which becomes current."""

    result: Any
    stored: list
    current_id: str | None


@dataclass(frozen=True)
class TargetsLoaded:
    """A sweep's tickers were loaded (those that failed carry their error): the table can show every row."""

    targets: list


def _keep(result: Any, snapshot: Any, recovery: Any, best_name: str | None, only_best_frozen: bool = False) -> ManyDone:
    """The runs into the snapshot; `only_best_frozen` (a search): only the best run's forecast joins the log."""
    stored = [snapshot.add_new(finished, name, freeze=not only_best_frozen or name == best_name)
              for name, finished in result.runs]  # fmt: skip
    current = next((made.run.id for made in stored if made.run.name == best_name), None)
    if stored:
        try:
            recovery.autosave(snapshot)
        except Exception:  # recovery is a safety net: its failure must not lose the runs themselves
            log.exception("autosave failed")
    return ManyDone(result, stored, current)


def search_task(
    config: RunConfig, space: Any, spec: Any, frames: tuple | None, journal: Path, place: Place, snapshot: Any,
    recovery: Any,
) -> Task:  # fmt: skip
    """A hyperparameter search around `config`; every complete or pruned trial kept as a run, the best current."""

    def task(report: Report, should_stop: ShouldStop) -> ManyDone:
        import optuna

        from lstm_desktop.core.runtime import set_threads
        from lstm_desktop.core.search.runner import search

        optuna.logging.set_verbosity(optuna.logging.WARNING)  # the dialog tells each trial; no INFO lines on stderr
        set_threads(config.train.threads or 1)  # the best trial is scored here with the threads its worker had
        executor = place.executor(config.train.threads or 1, spec.batch)
        result = search(
            config, space, spec, frames, executor=executor, journal=journal, on_event=report, should_stop=should_stop,
            runs=[run.name for run in snapshot.runs],
        )  # fmt: skip
        best = result.report.best.run if result.report.best is not None else None
        return _keep(result, snapshot, recovery, best, only_best_frozen=True)

    return task


def sweep_task(
    config: RunConfig, request: DataRequest, backtest: BacktestSpec | None, place: Place, snapshot: Any,
    recovery: Any,
) -> Task:  # fmt: skip
    """`config` on every ticker of `request` (each loaded here, so workers need no network), kept as runs."""

    def task(report: Report, should_stop: ShouldStop) -> ManyDone:
        from lstm_desktop.core.backtest.many import item_count
        from lstm_desktop.core.sweep.runner import sweep
        from lstm_desktop.core.sweep.targets import load_targets

        targets = load_targets(request, should_stop=should_stop)
        report(TargetsLoaded(targets))
        executor = place.executor(config.train.threads or 1, max(1, item_count(len(targets), backtest)))
        result = sweep(config, targets, backtest, executor=executor, on_event=report, should_stop=should_stop)
        first = result.runs[0][0] if result.runs else None
        return _keep(result, snapshot, recovery, first)

    return task
