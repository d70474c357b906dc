"""The Track tab's work for worker threads: refresh a project's prices, update runs. Plain functions over the core;
heavy modules are imported inside them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateDone:
    """The runs an update made (kept in the snapshot it ran on, each a core NewRun with its frozen forecast), the
    notes of runs with nothing new, and the core's result (None when nothing ran)."""

    stored: list
    notes: list[str]
    result: Any


def refresh_task(snapshot: Any, csv_path: str | None, offline: bool) -> Any:
    """The refreshed prices of every ticker of `snapshot` (the project is changed on the GUI thread, not here)."""

    def task(report: Any, should_stop: Any) -> Any:
        from lstm_desktop.core.living.refresh import refresh_prices

        return refresh_prices(snapshot, csv_path, offline)

    return task


def update_task(snapshot: Any, run_ids: list[str], every_ticker: bool, spec: Any, recovery: Any) -> Any:
    """Update the runs (one in this thread, several in worker processes), keep them in the snapshot, autosave."""

    def task(report: Any, should_stop: Any) -> UpdateDone:
        from lstm_desktop.core.living.update import add_updates, plan_updates, runs_to_update, update_runs
        from lstm_desktop.core.runtime import set_threads

        runs = runs_to_update(snapshot, run_ids, every_ticker)
        plans, notes = plan_updates(snapshot, runs, spec)
        if not plans:
            return UpdateDone([], notes, None)
        if len(plans) == 1:  # trains in this thread: update_runs' inline executor leaves the threads as they are
            set_threads(plans[0].config.train.threads)
        result = update_runs(plans, on_event=report, should_stop=should_stop)
        stored = add_updates(snapshot, result)
        try:
            recovery.autosave(snapshot)
        except Exception:  # recovery is a safety net: its failure must not lose the runs themselves
            log.exception("autosave failed")
        return UpdateDone(stored, notes, result)

    return task
