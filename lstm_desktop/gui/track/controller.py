"""The Track tab's work: File ▸ Refresh prices (each ticker from its source, or a newer CSV file) and Run ▸ Update
model run as the window's one task; every frozen forecast is scored on the prices the project holds and shown.

Scoring a forecast with known days takes a few milliseconds (its alarm simulates thousands of paths), so the rows
are scored a slice at a time between events (never more than ~30 ms at once), and kept while neither the forecast
nor its prices change. And only while the tab is shown: a change (a run landing, another run chosen, new prices)
while it is hidden only marks the tab stale, and it is scored once, when it is opened (as the Strategy tab does), so
that a job's runs landing cost the window nothing for a tab nobody looks at. The controller gets the app state, the
task runner, its own view and the window as a place to speak (`Messages`: a message box, the status bar), never
another panel."""

from __future__ import annotations

import time
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from lstm_desktop.core.state import AppState, Change

from ..task_runner import TaskRunner
from .tasks import UpdateDone, refresh_task, update_task
from .update_dialog import UpdateDialog
from .view import TrackView

SLICE_S = 0.03  # the longest the GUI thread scores forecasts before it handles events again
BEFORE_DAYS = 60  # trading days of prices shown before a forecast's origin


class Messages(Protocol):
    """Where the controller speaks: a message the user must see (tests record it), and a line in the status bar."""

    def tell(self, title: str, text: str) -> None: ...

    def statusBar(self) -> QStatusBar: ...


class TrackController(QObject):
    refreshFinished = Signal()
    updateFinished = Signal()
    trackingShown = Signal()  # every frozen forecast scored and shown

    def __init__(
        self,
        state: AppState,
        tasks: TaskRunner,
        view: TrackView,
        recovery: Any,
        window: QWidget | Messages,
    ) -> None:
        super().__init__(window)
        self.state, self.tasks, self.view, self.recovery, self.parent_widget = state, tasks, view, recovery, window
        self.window = window
        self.rows: list = []  # the core Tracked rows shown, in the table's order
        self.dialog: UpdateDialog | None = None
        self._cache: dict[tuple, Any] = {}
        self._generation = 0
        self._pending: list = []
        self._frames: dict = {}
        self._scored: list = []
        self._shown: list = []  # (frozen, Tracked) pairs in the table's order
        self.stale = False  # the log or its prices changed while the tab was hidden: scored when it is shown
        self.scorings = 0  # frozen forecasts scored (not from the cache) so far; tests read it
        view.chosen.connect(self._on_chosen)
        view.becameVisible.connect(self._on_view_shown)
        state.subscribe(self._on_change)
        self.schedule()

    # ----- tracking -----
    def _on_change(self, change: Change) -> None:
        if change in (Change.DATA, Change.RUNS, Change.CURRENT):
            self.schedule()

    def _on_view_shown(self) -> None:
        if self.stale:
            self.schedule()

    def schedule(self) -> None:
        """Score every frozen forecast of the project afresh (what is unchanged comes from the cache), or, while the
        tab is hidden, only mark it stale: it is scored when it is shown."""
        from lstm_desktop.core.living.newest import newest_frames

        self._generation += 1  # a pass under way is outdated either way
        if not self.view.isVisible():
            self.stale = True
            return
        self.stale = False
        self._frames = newest_frames(self.state.project)
        self._pending = list(self.state.project.frozen)
        self._scored = []
        QTimer.singleShot(0, lambda generation=self._generation: self._step(generation))

    def _key(self, frozen: Any) -> tuple:
        frame = self._frames.get(getattr(frozen, "ticker", None))
        end = (frame.end, frame.rows) if frame is not None else None
        return (id(frozen), end)

    def _step(self, generation: int) -> None:
        if generation != self._generation:
            return  # the project changed since: a newer pass runs (or waits for the tab to be shown)
        if not self.view.isVisible():
            self.stale = True  # the tab was left mid-pass: done when it is shown again (the cache keeps what was)
            return
        started = time.perf_counter()
        while self._pending and time.perf_counter() - started < SLICE_S:
            from lstm_desktop.core.living.track import track_one  # here: an empty project needs no pandas

            frozen = self._pending.pop(0)
            key = self._key(frozen)
            cached = self._cache.get(key)  # (the frozen forecast, kept alive so that its id stays its own; its row)
            if cached is None:
                cached = self._cache[key] = (frozen, track_one(frozen, self._frames))
                self.scorings += 1
            self._scored.append(cached)
        if self._pending:
            QTimer.singleShot(0, lambda: self._step(generation))
            return
        keep = {self._key(f) for f, _ in self._scored}
        self._cache = {k: v for k, v in self._cache.items() if k in keep}
        if not self._scored:  # an empty log: nothing to sort, and no tracking module (pandas) to load
            self._show([])
            return
        from lstm_desktop.core.living.track import row_order

        self._show(sorted(self._scored, key=lambda pair: row_order(pair[1])))

    def _show(self, scored: list) -> None:
        self._shown = scored
        self.rows = [row for _, row in scored]
        current = self.state.project.current_id
        select = next((i for i, row in enumerate(self.rows) if row.run == current), len(self.rows) - 1)
        self.view.show_rows(self.rows, self._summary(), select if self.rows else None)
        self.trackingShown.emit()

    def _summary(self) -> str:
        rows = self.rows
        known = [r for r in rows if r.days_known]
        alarms = sum(r.alarm for r in rows)
        ends = sorted({f.end for f in self._frames.values()})
        prices = f"prices up to {ends[-1]}" if ends else "no prices"
        said = f"{alarms} alarm{'s' if alarms != 1 else ''}" if alarms else "no alarm"
        return (
            f"{len(rows)} frozen forecast{'s' if len(rows) != 1 else ''}, {len(known)} scored on the days since "
            f"their origin ({prices}); {said}. Refresh the prices (File ▸ Refresh prices) to score the days that "
            "have passed."
        )

    def _on_chosen(self, index: int) -> None:
        from lstm_desktop.core.living.track import prices_around

        if not 0 <= index < len(self._shown):
            return
        frozen, row = self._shown[index]
        if row.problem is not None and not len(row.dates):
            self.view.clear_plot(row.text)
            return
        self.view.show_forecast(row, prices_around(frozen, self._frames.get(row.ticker), BEFORE_DAYS))

    def tell(self, title: str, text: str) -> None:
        self.window.tell(title, text)

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 30_000)

    # ----- refresh -----
    def can_refresh(self) -> bool:
        project = self.state.project
        return project.loaded is not None or project.live is not None or bool(project.good_runs)

    def refresh(self, csv_path: str | None = None) -> bool:
        """Refresh every ticker's prices from its source (or `csv_path`), in a worker; False when it cannot start."""
        if self.tasks.busy():
            self.say(f"Wait until the {self.tasks.name} ends (or stop it) to refresh the prices.")
            return False
        if not self.can_refresh():
            self.say("Nothing to refresh: load prices or open a project first.")
            return False
        offline = self.state.project.settings.data.offline
        snapshot = self.state.snapshot()[0]
        self.say("Refreshing prices…")
        return self.tasks.start(refresh_task(snapshot, csv_path, offline), "refresh", "Refresh prices",
                                self._on_refreshed)  # fmt: skip

    def choose_file_and_refresh(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Refresh prices from a CSV file", "",
                                              "CSV files (*.csv *.txt);;All files (*)")  # fmt: skip
        if path:
            self.refresh(path)

    def _on_refreshed(self, refreshed: Any) -> None:
        from lstm_desktop.core.living.text import refresh_lines

        changed = self.state.refresh_prices(refreshed)
        added = sum(row.added for row in refreshed.rows)
        failed = refreshed.failed
        line = f"Refreshed: {added} new day{'s' if added != 1 else ''}" if changed else "Nothing new"
        self.say(line + (f"; {len(failed)} ticker(s) not refreshed" if failed else "") + ".")
        replaced = any(row.replaced for row in refreshed.rows)
        if failed or replaced or any(row.notes for row in refreshed.rows):  # a warning is read, not a status line
            self.tell("Refresh prices", "\n\n".join(refresh_lines(refreshed.rows)))
        self.tasks.announce(self.refreshFinished)

    # ----- update -----
    def can_update(self) -> bool:
        return self.state.current is not None

    def open_update(self) -> UpdateDialog | None:
        run = self.state.current
        if run is None or self.tasks.busy():
            return None
        if self.dialog is None:
            self.dialog = UpdateDialog(self.parent_widget)
            self.dialog.startRequested.connect(self.start_update)
        from lstm_desktop.core.living.newest import newest_frames

        tickers = len({r.report.data.ticker for r in self.state.project.good_runs})
        frames = newest_frames(self.state.project).get(run.report.data.ticker)  # the tab's may be stale
        newest = frames.end if frames is not None else run.report.data.end
        self.dialog.prepare(
            f"Update {run.name} (trained on prices up to {run.report.data.end}) on the prices up to {newest}: a new "
            "run whose parent is this one; this run and its frozen forecast stay as they are.",
            tickers,
        )
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def start_update(self, spec: Any, every_ticker: bool = False) -> bool:
        run = self.state.current
        if run is None or self.tasks.busy():
            return False
        snapshot = self.state.snapshot()[0]
        self.say("Updating the model…")
        task = update_task(snapshot, [] if every_ticker else [run.id], every_ticker, spec, self.recovery)
        return self.tasks.start(task, "update", "Update model", self._on_updated, self._on_update_progress)

    def _on_update_progress(self, event: Any) -> None:
        from lstm_desktop.core.living.update import UpdateProgress

        if isinstance(event, UpdateProgress):
            self.say(f"Updating: epoch {event.epoch} of {event.epochs}")

    def _on_updated(self, done: UpdateDone) -> None:
        from lstm_desktop.core.errors import failure_text

        if done.stored:
            self.state.add_runs(done.stored)
        errors = done.result.errors if done.result is not None else ()
        problems = [f"{plan.parent.name}: {failure_text(error)}" for plan, error in errors]
        if done.stored:
            self.say(f"Updated: {', '.join(made.run.name for made in done.stored)}.")
        if done.notes or problems:
            self.tell("Update model", "\n\n".join([*done.notes, *problems]))
        self.tasks.announce(self.updateFinished)
