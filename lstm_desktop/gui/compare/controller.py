"""Run ▸ Compare models…: opens the dialog, checks what was asked, runs the comparison as the window's one task
and feeds the dialog its progress; every finished variant lands in the project as a run. It gets the app state,
the task runner and two small callbacks (the settings shown, and why they cannot run), never another panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from lstm_desktop.core.durations import format_duration
from lstm_desktop.core.errors import LstmDesktopError, failure_text
from lstm_desktop.core.specs import RunConfig
from lstm_desktop.core.state import AppState

from ..task_runner import TaskRunner
from .dialog import CompareDialog
from .task import CompareDone, Planned, compare_task

NAME, WHAT = "compare", "Compare"


def running_share(step: Any) -> float:
    """How far a running variant is, 0 to 1: its epochs (or its backtest's folds) done."""
    if step.folds:
        return step.folds_finished / step.folds
    return step.epoch / step.epochs if step.epochs else 0.0


class CompareController(QObject):
    compareFinished = Signal()
    progressed = Signal(int, int, str)  # variants ended, variants (0: not known yet), the words for a progress bar

    def __init__(
        self,
        state: AppState,
        tasks: TaskRunner,
        recovery: Any,
        parent: QWidget,
        settings: Callable[[], RunConfig],
        problem: Callable[[], str | None],
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.recovery, self.parent_widget = state, tasks, recovery, parent
        self.settings, self.problem = settings, problem
        self.dialog: CompareDialog | None = None
        self.tasks.started.connect(self._follow)
        self.tasks.finished.connect(self._follow)
        self.tasks.failed.connect(self._on_failed)

    def open(self) -> CompareDialog:
        if self.dialog is None:
            self.dialog = CompareDialog(self.parent_widget)
            self.dialog.startRequested.connect(self.start)
            self.dialog.stopRequested.connect(self.tasks.request_stop)
        self.dialog.set_extras(self._extras(self.settings()))
        self._follow()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _extras(self, config: RunConfig) -> list[str]:
        """The inputs a comparison could leave out, from the loaded prices (or the settings' tickers)."""
        from lstm_desktop.core.compare.variants import extra_inputs

        frames = self.state.frames_for(config.data)
        if frames is not None:
            return [e.label for e in extra_inputs(config, frames)]
        own = config.dataset.input_columns()
        keep = config.dataset.target if config.dataset.target in own else own[0]
        return [c for c in own if c != keep] + list(config.data.tickers[1:])

    def start(self) -> None:
        dialog = self.dialog
        if dialog is None or self.tasks.busy():
            return
        problem = self.problem()
        if problem is not None:
            dialog.say(problem, problem=True)
            return
        config = self.settings()
        try:
            spec, backtest, place = dialog.spec(), dialog.backtest(), dialog.place.place()
            spec.validate()
            if backtest is not None:
                backtest.validate()
            config.validate()
            place.check()
        except LstmDesktopError as exc:
            dialog.say(str(exc), problem=True)
            return
        self.state.set_settings(config)
        frames = self.state.frames_for(config.data)
        task = compare_task(config, frames, spec, backtest, place, self.state.snapshot()[0], self.recovery)
        dialog.begin([])
        dialog.set_running(True)
        dialog.say("loading prices and starting the worker processes…")
        if self.tasks.start(task, NAME, WHAT, self._on_done, self._on_progress):
            self.progressed.emit(0, 0, "compare: starting…")

    def _on_progress(self, event: Any) -> None:
        from lstm_desktop.core.compare.report import CompareProgress, VariantEnded

        dialog = self.dialog
        if isinstance(event, Planned):
            dialog.begin(event.names)
            self.progressed.emit(0, 100 * max(1, len(event.names)), f"compare: 0 of {len(event.names)} variants")
        elif isinstance(event, VariantEnded):
            dialog.table.ended(event.row)
        elif isinstance(event, CompareProgress):
            for step in event.running.values():
                dialog.table.running(step)
            failed = f" ({event.failed} failed)" if event.failed else ""
            dialog.say(f"{event.ended} of {event.variants} variants ended{failed}, {format_duration(event.seconds)}")
            done = event.ended + sum(running_share(step) for step in event.running.values())
            words = f"compare: {event.ended} of {event.variants} variants ended{failed}"
            self.progressed.emit(round(100 * done), 100 * max(1, event.variants), words)

    def _on_done(self, done: CompareDone) -> None:
        dialog, report = self.dialog, done.result.report
        if self.tasks.steps.spreading:  # its tables and plot on a turn of their own (gui/steps.py)
            self.tasks.steps.add(("compare", "report"), lambda: dialog.show_report(report, done.predictions))
        else:
            dialog.show_report(report, done.predictions)
        first = done.stored[0].run.id if done.stored else None
        self.state.add_runs(done.stored, first)
        failed = sum(row.error is not None for row in report.variants)
        text = (f"{len(report.variants)} variants, {len(done.stored)} kept as runs, {failed} without a run, in "
                f"{format_duration(report.seconds)} with {report.workers} worker(s)")  # fmt: skip
        dialog.say(("Stopped by you: " if report.stopped else "") + text, problem=not done.stored)
        self.progressed.emit(1, 1, f"compare: {len(report.variants)} variants, {len(done.stored)} runs")
        if done.result.failure is not None:
            dialog.say(f"The comparison ended early: {failure_text(done.result.failure)}. {text}", problem=True)
        self.tasks.announce(self.compareFinished)

    def _follow(self, *args: Any) -> None:
        """Stop while the comparison runs; no Start while any task runs."""
        if self.dialog is None:
            return
        running = self.tasks.name == NAME
        self.dialog.set_running(running, can_start=not self.tasks.busy())
        if self.tasks.busy() and not running:
            self.dialog.say(f"Wait until the {self.tasks.name} ends (or stop it) to start.")
        elif not self.tasks.busy() and self.dialog.status.text().startswith("Wait until"):
            self.dialog.say("")

    def _on_failed(self, what: str, error: BaseException) -> None:
        if what == WHAT:
            self.progressed.emit(0, 1, "failed")
        if what == WHAT and self.dialog is not None:
            self.dialog.say(f"The comparison failed: {failure_text(error)}", problem=True)
