"""The main window: panels on the left, plots and scores on the right; every long task in a worker thread."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.durations import format_duration
from lstm_desktop.core.errors import LstmDesktopError
from lstm_desktop.core.paths import log_dir
from lstm_desktop.core.store.workspace import RecentProjects, Recovery

from . import tasks
from .about import about_text
from .data_panel import DataPanel
from .file_actions import FileActions
from .metrics_table import MetricsTable
from .model_panel import ModelPanel
from .plots import LossPlot, PricePlot
from .settings import WindowSettings
from .widgets import named
from .workers import Worker

log = logging.getLogger(__name__)
REDRAW_MS = 250  # the loss plot is redrawn at most four times a second while training


class MainWindow(FileActions, QMainWindow):
    """Signals in the past tense tell tests and the self-test what happened."""

    dataLoaded = Signal()
    trainingFinished = Signal()
    trainingFailed = Signal(str)
    projectOpened = Signal()
    forecastUpdated = Signal()
    errorShown = Signal(str)

    def __init__(self, settings: WindowSettings | None = None, recovery: Recovery | None = None) -> None:
        super().__init__()
        self.settings = settings or WindowSettings()
        self.recovery = recovery or Recovery()
        self.recent = RecentProjects()
        self.loaded: tasks.Loaded | None = None
        self.project: Any = None  # core.project.Project, once trained or opened
        self.path: Path | None = None
        self.worker: Worker | None = None
        self._task_name = ""
        self._after_task: Any = None
        self._opening: tuple[Path, bool] = (Path(), False)
        self._loss_dirty = False
        self.setWindowTitle("lstm-desktop[*]")
        self._build()
        self._build_menus()
        self._restore_settings()
        self._update_buttons()

    # ----- layout -----
    def _build(self) -> None:
        self.data_panel = DataPanel()
        self.model_panel = ModelPanel()
        self.train_button = named(QPushButton("Train"), "trainButton", "Train the model on the loaded data")
        self.stop_button = named(QPushButton("Stop"), "stopButton", "Stop training and keep the best model so far")
        self.progress = named(QProgressBar(), "progressBar", "Training progress")
        self.progress.setFormat("idle")
        self.progress.setValue(0)
        # its text changes while training; its width must not, or every change re-lays out the whole window
        self.progress.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.forecast_button = named(
            QPushButton("Update forecast"),
            "forecastButton",
            "Forecast the chosen number of days from the trained model, without retraining",
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.forecast_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.data_panel)
        column.addWidget(self.model_panel)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(400)

        self.price_plot = PricePlot()
        self.loss_plot = LossPlot()
        self.metrics = MetricsTable()
        self.notes = named(QPlainTextEdit(), "notesEdit", "Your notes, saved in the project")
        self.notes.setPlaceholderText("Notes about this run (saved with the project)")
        tabs = QTabWidget()
        tabs.addTab(self.metrics, "Scores")
        tabs.addTab(self.notes, "Notes")
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.loss_plot)
        bottom.addWidget(tabs)
        bottom.setSizes([420, 580])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.price_plot)
        right.addWidget(bottom)
        right.setSizes([560, 340])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(scroll)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        main.setSizes([420, 1000])
        self.setCentralWidget(main)
        self.status_label = QLabel("")
        self.statusBar().addPermanentWidget(self.status_label)

        self.data_panel.loadRequested.connect(self._on_load_requested)
        self.data_panel.changed.connect(self._on_data_settings_changed)
        self.model_panel.changed.connect(self._on_settings_changed)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.forecast_button.clicked.connect(self.update_forecast)
        self.notes.textChanged.connect(lambda: self.setWindowModified(True))
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self._on_redraw_timer)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")

        def action(text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
            item = QAction(text, self)
            if shortcut is not None:
                item.setShortcut(shortcut)
            if name:
                item.setObjectName(name)
            item.triggered.connect(slot)
            return item

        file_menu.addAction(action("&New", self._on_new, QKeySequence.StandardKey.New, "newAction"))
        file_menu.addAction(action("&Open…", self._on_open, QKeySequence.StandardKey.Open, "openAction"))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(action("&Save", self.save, QKeySequence.StandardKey.Save, "saveAction"))
        file_menu.addAction(action("Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs, "saveAsAction"))
        file_menu.addSeparator()
        self.export_csv_action = action("Export &predictions CSV…", self._on_export_csv, None, "exportCsvAction")
        self.export_image_action = action("Export chart &image…", self._on_export_image, None, "exportImageAction")
        file_menu.addAction(self.export_csv_action)
        file_menu.addAction(self.export_image_action)
        file_menu.addSeparator()
        file_menu.addAction(action("&Quit", self.close, QKeySequence.StandardKey.Quit, "quitAction"))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&About lstm-desktop", self._on_about, None, "aboutAction"))

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

    # ----- workers -----
    def busy(self) -> bool:
        """A task runs, or its end has not been handled yet. (Its thread stops before the queued end reaches
        the window; counting from the thread alone let a new task start in between, and the old task's end then
        forgot the new worker, while its buttons were still disabled.)"""
        return self.worker is not None

    def _start(self, worker: Worker, on_success: Any, what: str, on_progress: Any = None) -> None:
        """Run a worker. Only bound methods of this window are connected: Qt then queues every call to the
        GUI thread (a lambda would run in the worker's thread)."""
        self.worker = worker
        self._task_name = what
        worker.succeeded.connect(on_success)
        worker.failed.connect(self._on_worker_failed)
        if on_progress is not None:
            worker.progressed.connect(on_progress)
        worker.done.connect(self._on_worker_done)
        worker.start()
        self._update_buttons()

    def _on_worker_failed(self, error: BaseException) -> None:
        what = self._task_name
        if what == "Training":
            self.trainingFailed.emit(str(error))
            self.progress.setFormat("failed")
        self.show_error(error, what)

    def _on_worker_done(self) -> None:
        worker = self.worker
        if worker is not None:
            worker.wait()
        self.worker = None
        self.redraw_timer.stop()
        self._on_redraw_timer()
        self._update_buttons()
        signal, self._after_task = self._after_task, None
        if signal is not None:
            signal.emit()

    def shutdown_workers(self, timeout_ms: int = 60_000) -> bool:
        """Ask the running task to stop and wait for its thread; True when none is left running."""
        if self.worker is None:
            return True
        self.worker.request_stop()
        return self.worker.wait(timeout_ms)

    def _update_buttons(self) -> None:
        busy = self.busy()
        training = busy and self.worker is not None and self.worker.name == "training"
        problem = self.model_panel.problem_text()
        self.train_button.setEnabled(not busy and problem is None)
        self.stop_button.setEnabled(training)
        self.data_panel.load.setEnabled(not busy)
        trained = self.project is not None and self.project.trained
        self.forecast_button.setEnabled(trained and not busy)
        self.export_csv_action.setEnabled(trained)
        self.export_image_action.setEnabled(self.loaded is not None or trained)

    # ----- loading -----
    def _on_load_requested(self, request: Any) -> None:
        if self.busy():
            return
        self.statusBar().showMessage("Loading prices…")
        column = self.model_panel.target.currentText()
        self._start(Worker(tasks.load_task(request, column), "loading"), self._on_loaded, "Loading data")

    def _on_loaded(self, loaded: tasks.Loaded) -> None:
        self.loaded = loaded
        self.project = None
        self.data_panel.show_loaded(loaded.summaries())
        self._on_data_settings_changed()
        self.model_panel.set_rows(len(loaded.dates))
        self.price_plot.show_prices(loaded.dates, loaded.prices, loaded.frames[0].ticker)
        self.loss_plot.clear()
        self.metrics.clear()
        self.setWindowModified(True)
        self.statusBar().showMessage(f"Loaded {loaded.summaries()[0]}", 10_000)
        self._after_task = self.dataLoaded  # emitted once the worker is gone

    def _on_data_settings_changed(self) -> None:
        if self.loaded is not None and self.data_panel.request() != self.loaded.request:
            self.status_label.setText("data settings changed: Load again (Train loads them too)")
        else:
            self.status_label.setText("")

    def _on_settings_changed(self) -> None:
        self._update_buttons()
        if self.project is not None:
            self.setWindowModified(True)

    # ----- training -----
    def current_config(self) -> Any:
        return self.model_panel.config(self.data_panel.request())

    def _on_train_clicked(self) -> None:
        if self.busy():
            return
        config = self.current_config()
        frames = self.loaded.frames if self.loaded and self.loaded.request == config.data else None
        self.loss_plot.clear()
        self.metrics.clear()
        self.progress.setRange(0, config.train.epochs)
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        self._epochs = config.train.epochs
        self._eta = ""
        self.statusBar().showMessage("Training…")
        worker = Worker(tasks.train_task(config, frames, self.notes.toPlainText(), self.recovery), "training")
        self._start(worker, self._on_trained, "Training", self._on_training_progress)
        self.redraw_timer.start()

    def _on_training_progress(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "Loaded":
            self._on_loaded(event)
        elif kind == "BatchProgress":
            done = (event.epoch - 1) + event.batch / event.batches
            self.progress.setRange(0, self._epochs * 100)
            self.progress.setValue(int(done * 100))
            self.progress.setFormat(f"epoch {event.epoch} of {self._epochs}{self._eta}")
        elif kind == "EpochEnded":
            self.loss_plot.add(event.epoch, event.train_loss, event.val_loss, event.best_epoch)
            self._loss_dirty = True
            self.progress.setRange(0, self._epochs * 100)
            self.progress.setValue(event.epoch * 100)
            self._eta = f" — {format_duration(event.eta_seconds)} left"
            self.progress.setFormat(f"epoch {event.epoch} of {event.epochs}{self._eta}")
            self.statusBar().showMessage(
                f"epoch {event.epoch}: training loss {event.train_loss:.5f}, validation {event.val_loss:.5f} "
                f"(best epoch {event.best_epoch})"
            )

    def _on_redraw_timer(self) -> None:
        if self._loss_dirty:
            self._loss_dirty = False
            self.loss_plot.redraw()

    def _on_trained(self, project: Any) -> None:
        self.project = project
        self.show_project(project)
        results = project.results
        epochs = len(results["history"])
        how = {"completed": "completed", "early_stopping": "early stopping", "user": "stopped by you"}[
            results["stopped"]
        ]
        self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.progress.setFormat(f"done: {epochs} epochs ({how})")
        self.statusBar().showMessage(f"Training finished ({how}): best epoch {results['best_epoch']} of {epochs}.")
        self.setWindowModified(True)
        self._after_task = self.trainingFinished  # emitted once the worker is gone

    def _on_stop_clicked(self) -> None:
        if self.worker is not None and self.worker.name == "training":
            self.worker.request_stop()
            self.stop_button.setEnabled(False)
            self.progress.setFormat("stopping…")
            self.statusBar().showMessage("Stopping after this batch; the best model so far is kept.")

    # ----- showing a project -----
    def show_project(self, project: Any) -> None:
        """Draw a trained or opened project from its stored results (no recomputation)."""
        dataset = project.dataset()
        if project.trained:
            document = project.document()
            self.price_plot.show_results(dataset.dates.to_numpy(), dataset.prices, document)
            self.loss_plot.set_history(project.results["history"], project.results["best_epoch"])
            self.metrics.show_metrics(project.results["metrics"], project.config.dataset.target_mode)
        else:
            self.price_plot.show_prices(dataset.dates.to_numpy(), dataset.prices, project.frames[0].ticker)
            self.loss_plot.clear()
            self.metrics.clear()
        self._update_buttons()

    def update_forecast(self) -> None:
        """Recompute the forecast for the current forecast days from the stored model (no retraining)."""
        if self.project is None or not self.project.trained or self.busy():
            return
        days = self.model_panel.forecast_days.value()
        self._start(Worker(tasks.forecast_task(self.project, days), "forecast"), self._on_forecast, "Forecast")

    def _on_forecast(self, days: list[dict]) -> None:
        self.project.results["forecast"] = days
        self.show_project(self.project)
        self.setWindowModified(True)
        self._after_task = self.forecastUpdated  # emitted once the worker is gone

    def _on_about(self) -> None:
        QMessageBox.about(self, "About lstm-desktop", about_text())

    # ----- settings and closing -----
    def _restore_settings(self) -> None:
        geometry = self.settings.get("geometry", "", str)
        if not geometry or not self.restoreGeometry(QByteArray.fromBase64(geometry.encode())):
            self.resize(1400, 900)
        self.data_panel.last_folder = self.settings.get("last_folder", "", str)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy():
            buttons = QMessageBox.StandardButton
            answer = self.ask(
                "Training is running", "Stop the running task and quit?", buttons.Yes | buttons.No, buttons.No
            )
            if answer != buttons.Yes:
                event.ignore()
                return
            self.statusBar().showMessage("Stopping…")
            self.shutdown_workers()
            QApplication.processEvents()  # deliver the stopped run's result, so Save below can keep it
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.set("geometry", bytes(self.saveGeometry().toBase64()).decode())
        self.settings.save()
        self.recovery.discard()
        self.redraw_timer.stop()
        event.accept()
