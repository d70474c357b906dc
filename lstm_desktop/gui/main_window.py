"""The main window: panels on the left, plots and scores on the right. It lays out and wires; the app state
(core/state.py) holds the work, the controllers change it, the view shows it."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
)

from lstm_desktop.core.errors import LstmDesktopError
from lstm_desktop.core.paths import log_dir
from lstm_desktop.core.state import AppState
from lstm_desktop.core.store.project import MAX_NOTES
from lstm_desktop.core.store.workspace import RecentProjects, Recovery

from .about import about_text
from .compare.controller import CompareController
from .file_controller import FileController
from .many_controller import ManyController
from .menus import build_menus
from .report_export import ReportExport
from .run_controller import STOPPABLE, RunController
from .run_view import RunView
from .runs_controller import RunsController
from .settings import WindowSettings
from .steps import Steps
from .strategy.controller import StrategyController
from .task_runner import TaskRunner
from .track.controller import TrackController
from .widgets import show_progress
from .window_layout import build_layout

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Signals in the past tense tell tests and the self-test what happened."""

    dataLoaded = Signal()
    trainingFinished = Signal()
    trainingFailed = Signal(str)
    projectOpened = Signal()
    projectSaved = Signal()
    backtestFinished = Signal()
    searchFinished = Signal()
    sweepFinished = Signal()
    compareFinished = Signal()
    forecastUpdated = Signal()
    errorShown = Signal(str)

    def __init__(
        self, settings: WindowSettings | None = None, recovery: Recovery | None = None, state: AppState | None = None
    ) -> None:
        super().__init__()
        self.settings = settings or WindowSettings()
        self.recovery = recovery or Recovery()
        self.recent = RecentProjects()
        self.state = state or AppState()
        self.steps = Steps(self)  # what lands at a task's end is drawn in steps (gui/steps.py)
        self.tasks = TaskRunner(self, self.steps)
        build_layout(self)
        self.files = FileController(self)
        self.training = RunController(self)
        self.runs = RunsController(self)  # before the view: it listens to the state first
        self.many = ManyController(self)
        self.compare = CompareController(
            self.state, self.tasks, self.recovery, self, self.current_config, self.model_panel.problem_text
        )
        self.view = RunView(self, self.state)
        self.strategy = StrategyController(self.state, self.strategy_view, self.steps)
        self.report_export = ReportExport(self.state, self)
        self.track = TrackController(self.state, self.tasks, self.track_view, self.recovery, self)
        build_menus(self)
        self._wire()
        self._restore_settings()
        self.view.show_file()
        self.refresh_buttons()

    def _wire(self) -> None:
        self.data_panel.loadRequested.connect(self.training.load)
        self.data_panel.refresh.clicked.connect(lambda: self.track.refresh())
        self.data_panel.changed.connect(self._on_settings_edited)
        self.model_panel.changed.connect(self._on_settings_edited)
        self.train_button.clicked.connect(self.training.train)
        self.stop_button.clicked.connect(self.training.stop)
        self.forecast_button.clicked.connect(self.training.update_forecast)
        self.backtest_panel.requested.connect(self.training.backtest)
        self.search_button.clicked.connect(self.many.open_search)
        self.sweep_button.clicked.connect(self.many.open_sweep)
        self.compare_button.clicked.connect(self.compare.open)
        self.compare.compareFinished.connect(self.compareFinished)
        self.compare.progressed.connect(lambda value, top, text: show_progress(self.progress, value, top, text))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.notes.textChanged.connect(self._on_notes_edited)
        self.forecast_table.exportRequested.connect(self.files.choose_and_export_forecast)
        self.tasks.started.connect(self.refresh_buttons)
        self.tasks.finished.connect(self.refresh_buttons)
        self.tasks.failed.connect(self._on_task_failed)

    # ----- dialogs (tests replace these two) -----
    def ask(
        self, title: str, text: str, buttons: QMessageBox.StandardButton, default: QMessageBox.StandardButton
    ) -> QMessageBox.StandardButton:
        return QMessageBox.question(self, title, text, buttons, default)

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_error(self, error: BaseException, what: str) -> None:
        """A readable message; unexpected errors also go to the log, whose path is shown."""
        if isinstance(error, LstmDesktopError):
            text = str(error)
        else:
            log.error("%s failed: %s", what, getattr(error, "__traceback_text__", repr(error)))
            text = f"{what} failed unexpectedly: {error}\n\nDetails are in the log: {log_dir()}"
        self.statusBar().showMessage(f"{what} failed: {text.splitlines()[0]}", 15_000)
        self.errorShown.emit(text)
        self.tell(f"{what} failed", text)

    def _on_task_failed(self, what: str, error: BaseException) -> None:
        self.training.failed(what)
        if what == "Training":
            self.trainingFailed.emit(str(error))
        self.show_error(error, what)

    # ----- state of the controls -----
    def busy(self) -> bool:
        return self.tasks.busy()

    def shutdown_workers(self, timeout_ms: int = 60_000) -> bool:
        """Ask the running task to stop and wait for its thread; True when none is left running."""
        return self.tasks.stop_and_wait(timeout_ms)

    def current_config(self) -> Any:
        return self.model_panel.config(self.data_panel.request())

    def refresh_buttons(self, *args: Any) -> None:
        busy = self.tasks.busy()
        problem = self.model_panel.problem_text()
        self.train_button.setEnabled(not busy and problem is None)
        self.stop_button.setEnabled(busy and self.tasks.name in STOPPABLE)
        self.backtest_panel.button.setEnabled(not busy and problem is None)
        self.data_panel.load.setEnabled(not busy)
        trained = self.state.current is not None
        self.forecast_button.setEnabled(trained and not busy)
        self.export_csv_action.setEnabled(trained)
        self.export_report_action.setEnabled(trained)
        self.export_runs_action.setEnabled(bool(self.state.project.runs))
        self.export_image_action.setEnabled(self.state.loaded is not None or trained)
        self.data_panel.refresh.setEnabled(not busy and self.track.can_refresh())
        self.update_model_action.setEnabled(not busy and self.track.can_update())

    def _on_settings_edited(self) -> None:
        self.refresh_buttons()
        stale = self.state.loaded is not None and self.state.request not in (None, self.data_panel.request())
        self.status_label.setText("data settings changed: Load again (Train loads them too)" if stale else "")
        if not self.view.rendering:  # the view showing the state is not the user editing it
            self.state.set_settings(self.current_config())

    def _on_notes_edited(self) -> None:
        text = self.notes.toPlainText()
        if len(text) > MAX_NOTES:
            self.notes.undo()
            self.statusBar().showMessage(f"Notes are limited to {MAX_NOTES:,} characters.", 10_000)
            return
        self.state.set_notes(text)

    def _on_tab_changed(self, index: int) -> None:
        """The Backtest tab shows the folds on the price plot; leaving it shows the run again."""
        if self.state.current is not None and self.state.current.report.backtest is not None:
            self.view.show_price_soon()

    def _on_about(self) -> None:
        QMessageBox.about(self, "About lstm-desktop", about_text())

    # ----- settings and closing -----
    def _restore_settings(self) -> None:
        geometry = self.settings.get("geometry", "", str)
        if not geometry or not self.restoreGeometry(QByteArray.fromBase64(geometry.encode())):
            self.resize(1400, 900)
        self.data_panel.last_folder = self.settings.get("last_folder", "", str)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.tasks.busy():
            buttons = QMessageBox.StandardButton
            answer = self.ask(
                f"{self.tasks.name.capitalize() or 'Work'} is running",
                "Stop it and quit? What has finished is kept.",
                buttons.Yes | buttons.No,
                buttons.No,
            )
            if answer != buttons.Yes:
                event.ignore()
                return
            self.statusBar().showMessage("Stopping…")
            if not self.shutdown_workers(30_000):
                self.tell("Still busy", "The running task did not stop in 30 s; the window stays open.")
                event.ignore()
                return
            QApplication.processEvents()  # deliver the stopped run's result, so Save below can keep it
        if not self.files.maybe_save():
            event.ignore()
            return
        self.settings.set("geometry", bytes(self.saveGeometry().toBase64()).decode())
        self.settings.save()
        self.recovery.release()
        self.training.redraw_timer.stop()
        event.accept()
