"""Search and Sweep: opens their dialogs, checks what the user asked, runs it as the window's one task and feeds
the dialog its progress; every finished run lands in the project (and the Runs tab)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from lstm_desktop.core.durations import format_duration
from lstm_desktop.core.errors import LstmDesktopError, failure_text

from . import many_tasks
from .live_table import number_text

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .search_dialog import SearchDialog
    from .sweep_dialog import SweepDialog

NAMES = {"search": "Search", "sweep": "Sweep"}


class ManyController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.state = window.state
        self.tasks = window.tasks
        self.search_dialog: SearchDialog | None = None
        self.sweep_dialog: SweepDialog | None = None
        self.journal_notes: list[str] = []  # warnings about the search journal, said again when the search ends
        self.tasks.started.connect(self._on_task_started)
        self.tasks.finished.connect(self._on_task_finished)
        self.tasks.failed.connect(self._on_task_failed)

    # ----- dialogs -----
    def open_search(self) -> SearchDialog:
        if self.search_dialog is None:
            from .search_dialog import SearchDialog

            self.search_dialog = SearchDialog(self.window)
            self.search_dialog.startRequested.connect(self.start_search)
            self.search_dialog.stopRequested.connect(self.window.training.stop)
        return self._show(self.search_dialog, "search")

    def open_sweep(self) -> SweepDialog:
        if self.sweep_dialog is None:
            from .sweep_dialog import SweepDialog

            self.sweep_dialog = SweepDialog(self.window)
            self.sweep_dialog.startRequested.connect(self.start_sweep)
            self.sweep_dialog.stopRequested.connect(self.window.training.stop)
        self.sweep_dialog.set_source(self.window.data_panel.request())
        return self._show(self.sweep_dialog, "sweep")

    def _show(self, dialog: Any, name: str) -> Any:
        self._follow(dialog, name)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _settings(self, dialog: Any) -> Any:
        """The main window's settings, or None (and the reason said in the dialog) when they cannot run."""
        problem = self.window.model_panel.problem_text()
        if problem is not None:
            dialog.say(problem, problem=True)
            return None
        return self.window.current_config()

    def _begin(self, dialog: Any, what: str) -> None:
        w = self.window
        dialog.set_running(True)
        dialog.say("starting the worker processes…")
        w.progress.setRange(0, 0)
        w.progress.setFormat(f"{what}: starting…")
        w.statusBar().showMessage(f"{what} running; its window shows each run as it ends.")

    # ----- search -----
    def start_search(self, space_text: str, spec: Any) -> None:
        from lstm_desktop.core.search.journal import journal_path
        from lstm_desktop.core.search.space import parse_space

        dialog = self.search_dialog
        config = self._settings(dialog)
        if self.tasks.busy() or config is None:
            return
        try:
            if not space_text:
                raise LstmDesktopError("Tick at least one setting to search.")
            space = parse_space(space_text)
            spec.validate()
            config.validate()
            place = dialog.place.place()
            place.check()
        except LstmDesktopError as exc:
            dialog.say(str(exc), problem=True)
            return
        self.state.set_settings(config)
        frames = self.state.frames_for(config.data)
        journal = journal_path(self.state.path)
        snapshot = self.state.snapshot()[0]
        task = many_tasks.search_task(config, space, spec, frames, journal, place, snapshot, self.window.recovery)
        dialog.trials.clear()
        self.journal_notes = []
        self._begin(dialog, "Search")
        self.tasks.start(task, "search", "Search", self._on_searched, self._on_search_progress)

    def _on_search_progress(self, event: Any) -> None:
        from lstm_desktop.core.search.report import JournalNote, SearchProgress, TrialEnded

        dialog, w = self.search_dialog, self.window
        if isinstance(event, JournalNote):  # shown now and again when the search ends
            self.journal_notes.append(event.text)
            w.statusBar().showMessage(f"Search: {event.text}.", 30_000)
        elif isinstance(event, TrialEnded):
            dialog.trials.trial_ended(event.record)
        elif isinstance(event, SearchProgress):
            dialog.trials.progress(event)
            budget = f" of {event.trials}" if event.trials else ""
            best = "" if event.best_number is None else (
                f"; best so far: trial {event.best_number}, validation RMSE {event.best_val_rmse:.4f}"
            )  # fmt: skip
            text = (f"{event.ended}{budget} trials ended ({event.pruned} pruned, {event.failed} failed), "
                    f"{format_duration(event.seconds)}{best}")  # fmt: skip
            dialog.say(text)
            w.progress.setRange(0, max(1, event.trials))
            w.progress.setValue(min(event.ended, max(1, event.trials)) if event.trials else 0)
            w.progress.setFormat(f"search: {event.ended}{budget} trials")

    def _on_searched(self, done: many_tasks.ManyDone) -> None:
        dialog, w = self.search_dialog, self.window
        report = done.result.report
        self.state.add_runs(done.stored, done.current_id)
        counts = {s: sum(t.state == s for t in report.trials) for s in ("complete", "pruned", "failed")}
        head = (
            f"{len(report.trials)} trials ended ({counts['complete']} complete, {counts['pruned']} pruned, "
            f"{counts['failed']} failed) in {format_duration(report.seconds)}, {len(done.stored)} kept as runs"
        )
        if report.stopped:
            head = "Stopped by you. " + head
        if report.exhausted is not None:
            from lstm_desktop.core.search.text import exhausted_text

            head += f" ({exhausted_text(report.exhausted)})"
        if report.best is None:
            dialog.say(head + ". No trial completed, so nothing was scored on the test period.", problem=True)
        else:
            best, test = report.best, report.best.test
            dialog.trials.mark_best(best.number)
            verdict = test.verdict.text if test.verdict is not None else f"skill {number_text(test.skill, '{:+.4f}')}"
            dialog.say(
                f"{head}. Best: trial {best.number} (validation RMSE {best.val_rmse:.4f}); its test period, scored "
                f"once after the search: {verdict}"
            )
        if report.error is not None:
            dialog.say(f"The search ended early: {report.error}. {dialog.status.text()}", problem=True)
        for note in self.journal_notes:
            dialog.say(f"Warning: {note}. {dialog.status.text()}", problem=True)
        w.progress.setRange(0, 100)
        w.progress.setValue(100)
        w.progress.setFormat(f"search: {len(report.trials)} trials")
        w.statusBar().showMessage(f"Search ended: {head}.", 30_000)
        w.tabs.setCurrentWidget(w.runs_table)
        self.tasks.announce(w.searchFinished)

    # ----- sweep -----
    def start_sweep(self, ticker_text: str, with_backtest: bool) -> None:
        from lstm_desktop.core.sweep.targets import split_tickers, sweep_request

        dialog, w = self.sweep_dialog, self.window
        config = self._settings(dialog)
        if self.tasks.busy() or config is None:
            return
        base = w.data_panel.request()
        try:
            request = sweep_request(dataclasses.replace(base, tickers=()), split_tickers(ticker_text))
            if request.source == "yahoo" and not request.tickers:
                raise LstmDesktopError("Type the tickers to sweep (separated by spaces, commas or new lines).")
            if request.source == "csv" and not request.csv_path:
                raise LstmDesktopError("Choose the CSV file in the Data panel first (Source: CSV file, Browse…).")
            backtest = w.backtest_panel.spec() if with_backtest else None
            if backtest is not None:
                backtest.validate()
            place = dialog.place.place()
            place.check()
        except LstmDesktopError as exc:
            dialog.say(str(exc), problem=True)
            return
        config = dataclasses.replace(config, data=request)
        task = many_tasks.sweep_task(config, request, backtest, place, self.state.snapshot()[0], w.recovery)
        dialog.table.clear_rows()
        self._begin(dialog, "Sweep")
        dialog.say("loading the tickers' prices…")
        self.tasks.start(task, "sweep", "Sweep", self._on_swept, self._on_sweep_progress)

    def _on_sweep_progress(self, event: Any) -> None:
        from lstm_desktop.core.sweep.report import SweepProgress, TickerEnded

        dialog, w = self.sweep_dialog, self.window
        if isinstance(event, many_tasks.TargetsLoaded):
            for target in event.targets:
                dialog.waiting(target.ticker, None if target.error is None else str(target.error))
        elif isinstance(event, TickerEnded):
            dialog.ended(event.row)
        elif isinstance(event, SweepProgress):
            for step in event.running.values():
                dialog.running(step)
            failed = f" ({event.failed} failed)" if event.failed else ""
            dialog.say(f"{event.ended} of {event.tickers} tickers ended{failed}, {format_duration(event.seconds)}")
            w.progress.setRange(0, max(1, event.tickers))
            w.progress.setValue(event.ended)
            w.progress.setFormat(f"sweep: {event.ended} of {event.tickers} tickers")

    def _on_swept(self, done: many_tasks.ManyDone) -> None:
        dialog, w = self.sweep_dialog, self.window
        report = done.result.report
        for row in report.rows:
            dialog.ended(row)
        self.state.add_runs(done.stored, done.current_id)
        failed = sum(row.error is not None for row in report.rows)
        text = (f"{len(report.rows)} tickers, {len(done.stored)} runs kept, {failed} without a run, in "
                f"{format_duration(report.seconds)} with {report.workers} worker(s)")  # fmt: skip
        dialog.say(("Stopped by you: " if report.stopped else "") + text, problem=not done.stored)
        if done.result.failure is not None:
            dialog.say(f"The sweep ended early: {failure_text(done.result.failure)}. {text}", problem=True)
        w.progress.setRange(0, 100)
        w.progress.setValue(100)
        w.progress.setFormat(f"sweep: {len(done.stored)} runs")
        w.statusBar().showMessage(f"Sweep ended: {text}.", 30_000)
        w.tabs.setCurrentWidget(w.runs_table)
        self.tasks.announce(w.sweepFinished)

    # ----- the end of a task -----
    def _dialog(self, name: str) -> Any:
        return {"search": self.search_dialog, "sweep": self.sweep_dialog}.get(name)

    def _follow(self, dialog: Any, name: str) -> None:
        """The dialog's buttons follow the window's one task: Stop while its own runs, no Start while any runs."""
        running = self.tasks.name == name
        dialog.set_running(running, can_start=not self.tasks.busy())
        if self.tasks.busy() and not running:
            dialog.say(f"Wait until the {self.tasks.name} ends (or stop it) to start.")

    def _on_task_started(self, name: str) -> None:
        for dialog_name in NAMES:
            dialog = self._dialog(dialog_name)
            if dialog is not None:
                self._follow(dialog, dialog_name)

    def _on_task_finished(self, name: str) -> None:
        for dialog in (self.search_dialog, self.sweep_dialog):
            if dialog is not None:
                dialog.set_running(False, can_start=True)
                if dialog.status.text().startswith("Wait until"):
                    dialog.say("")

    def _on_task_failed(self, what: str, error: BaseException) -> None:
        for name, label in NAMES.items():
            dialog = self._dialog(name)
            if label == what and dialog is not None:
                dialog.say(f"{what} failed: {error}", problem=True)
                self.window.progress.setRange(0, 100)
                self.window.progress.setFormat("failed")
