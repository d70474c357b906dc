"""The application's state, with no Qt: the open project (settings, loaded prices, runs), where it is saved and
whether it has unsaved changes. The window observes it and drives it; the self-test and tests script it.

Changes happen on the owner's thread through the methods below, each of which tells the listeners what changed.
The slow parts (loading prices, training, opening and saving files) are plain functions a front-end runs
elsewhere; their results come back through `use_loaded`, `add_run`, `adopt` and `saved`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from .data.prices import PriceFrame
from .specs import DataRequest, RunConfig
from .store.project import DataSet, NewRun, Project, StoredRun
from .strategy.spec import StrategySpec

if TYPE_CHECKING:
    from .living.refresh import Refreshed


class Change(Enum):
    DATA = "data"  # loaded prices
    RUNS = "runs"  # the list of runs, a name or a star
    CURRENT = "current"  # which run is shown
    SETTINGS = "settings"  # the settings shown for the next run
    FILE = "file"  # path, title, unsaved changes


Listener = Callable[[Change], None]


class AppState:
    """One open project and its file. Every method is called on the owner's thread."""

    def __init__(self) -> None:
        self.project = Project()
        self.request: DataRequest | None = None  # what the loaded prices were asked with
        self.path: Path | None = None
        self.changes = 0  # counts every change; the file holds the state as it was at change `saved_at`
        self.saved_at = 0
        self.recovered = False
        self._listeners: list[Listener] = []

    # ----- observing -----
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _tell(self, *changes: Change) -> None:
        for change in changes:
            for listener in list(self._listeners):
                listener(change)

    @property
    def dirty(self) -> bool:
        """Changes the file does not hold (also those made while a save was running)."""
        return self.changes != self.saved_at

    def _changed(self) -> None:
        self.changes += 1

    @property
    def loaded(self) -> DataSet | None:
        return self.project.loaded

    @property
    def current(self) -> StoredRun | None:
        return self.project.current

    @property
    def title(self) -> str:
        if self.recovered:
            return "recovered work"
        return self.path.name if self.path else "untitled"

    def frames_for(self, request: DataRequest) -> tuple[PriceFrame, ...] | None:
        """The loaded prices when they are what `request` asks for (Train then need not load again)."""
        if self.loaded is not None and self.request == request:
            return self.loaded.frames
        return None

    # ----- changes -----
    def mark_dirty(self) -> None:
        was = self.dirty
        self._changed()
        if not was:
            self._tell(Change.FILE)

    def set_settings(self, settings: RunConfig) -> None:
        """The settings the next run will use (the window edits them with dataclasses.replace)."""
        if settings != self.project.settings:
            self.project.settings = settings
            self.mark_dirty()

    def set_notes(self, notes: str) -> None:
        if notes != self.project.notes:
            self.project.notes = notes
            self.mark_dirty()

    def set_strategy(self, spec: StrategySpec) -> None:
        """The strategy check's rule and costs (kept in the project; the check is recomputed, never stored)."""
        if spec != self.project.strategy:
            self.project.strategy = spec
            self.mark_dirty()

    def use_loaded(self, request: DataRequest, data: DataSet) -> None:
        """Prices were loaded: the next run trains on them."""
        self.request = request
        self.project.loaded = data
        self.project.settings = dataclasses.replace(self.project.settings, data=request)
        self.project.current_id = None
        self._changed()
        self._tell(Change.DATA, Change.CURRENT, Change.FILE)

    def add_run(self, made: NewRun | StoredRun) -> None:
        """A run finished (or stopped): it joins the project and becomes current. A NewRun (what a worker kept in
        its snapshot) brings its frozen forecast, logged as it is; a bare StoredRun's forecast is frozen here."""
        stored = self._log(made)
        if all(run.id != stored.id for run in self.project.runs):
            self.project.runs.append(stored)
        self._made_current(stored)

    def add_runs(self, made: Sequence[NewRun | StoredRun], current_id: str | None = None) -> None:
        """Many runs finished at once (a search, a sweep, an update): they join the project, `current_id` (or the
        last) becomes current; listeners hear of it once. Their forecasts are logged as `add_run` logs one (a
        search's NewRuns bring only its best trial's)."""
        if not made:
            return
        stored = [self._log(one) for one in made]
        self.project.runs.extend(stored)
        current = next((run for run in stored if run.id == current_id), stored[-1])
        self._made_current(current)

    def _log(self, made: NewRun | StoredRun) -> StoredRun:
        """The run's forecast into the log, once: frozen already (a NewRun: the worker froze it, so the window's
        thread does not again) or frozen here (a StoredRun)."""
        if isinstance(made, StoredRun):
            self.project.keep_frozen(made)
            return made
        if made.frozen is not None:
            self.project.log_frozen(made.frozen)
        return made.run

    def _made_current(self, current: StoredRun) -> None:
        self.project.current_id = current.id
        self.project.loaded = current.data
        self.request = current.report.settings.data
        self._changed()
        self._tell(Change.RUNS, Change.DATA, Change.CURRENT, Change.FILE)

    def choose_run(self, run_id: str) -> None:
        run = self.project.choose(run_id)
        self.request = run.report.settings.data
        self._tell(Change.DATA, Change.CURRENT, Change.SETTINGS)

    def rename_run(self, run_id: str, name: str) -> None:
        self.project.rename(run_id, name)
        self._changed()
        self._tell(Change.RUNS, Change.FILE)

    def star_run(self, run_id: str, starred: bool) -> None:
        self.project.star(run_id, starred)
        self._changed()
        self._tell(Change.RUNS, Change.FILE)

    def delete_run(self, run_id: str) -> None:
        was_current = self.project.current_id
        self.project.delete(run_id)
        self._changed()
        changes = [Change.RUNS, Change.FILE]
        if self.project.current_id != was_current:
            changes.append(Change.CURRENT)
        self._tell(*changes)

    def refresh_prices(self, refreshed: Refreshed) -> bool:
        """Refreshed prices (core/living/refresh.py) join the project: the newest prices of every ticker, the loaded
        ones extended. False, and nothing changed, when nothing new arrived."""
        from .living.refresh import apply_refresh

        if not apply_refresh(self.project, refreshed):
            return False
        self.request = self.project.settings.data
        self._changed()
        self._tell(Change.DATA, Change.SETTINGS, Change.FILE)
        return True

    def replace_current(self, stored: StoredRun) -> None:
        """The current run with a new forecast (same model): replaced in place."""
        self.project.replace_run(stored)
        self._changed()
        self._tell(Change.RUNS, Change.CURRENT, Change.FILE)

    def adopt(self, project: Project, path: Path | None, recovered: bool = False) -> None:
        """An opened (or recovered) project becomes the state, all at once."""
        self.project = project
        self.request = project.settings.data if project.loaded is not None else None
        current = project.current
        if current is not None and (project.loaded is None or project.loaded.id == current.data.id):
            self.request = current.report.settings.data  # else the loaded prices were refreshed since that run
        self.path = None if recovered else path
        self.recovered = recovered
        self._changed()
        self.saved_at = -1 if recovered else self.changes
        self._tell(*Change)

    def new(self) -> None:
        """An empty project, nothing loaded, no file."""
        listeners = self._listeners
        self.__init__()
        self._listeners = listeners
        self._tell(*Change)

    def snapshot(self) -> tuple[Project, int]:
        """What a save writes, frozen against later changes (safe to hand to another thread), and the change it
        holds (pass it to `saved`)."""
        return self.project.snapshot(), self.changes

    def saved(self, path: Path, at_change: int) -> None:
        """The file at `path` now holds the state as it was at change `at_change`."""
        self.path = path
        self.recovered = False
        self.saved_at = at_change
        self._tell(Change.FILE)
