"""Load, Train, Stop and Update forecast: starts the core work in a worker and shows its progress; the results
go into the app state (which the view then shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from lstm_desktop.core.durations import format_duration
from lstm_desktop.core.events import Assessing, BacktestProgress, BatchProgress, EpochEnded

from . import tasks

if TYPE_CHECKING:
    from .main_window import MainWindow

REDRAW_MS = 250  # the loss plot is redrawn at most four times a second while training
HOW = {"completed": "completed", "early_stopping": "early stopping", "user": "stopped by you", "pruned": "pruned"}
STOPPABLE = ("training", "backtest", "search", "sweep", "compare", "update")


class RunController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.state = window.state
        self.tasks = window.tasks
        self._epochs = 1
        self._eta = ""
        self._loss_dirty = False
        self.redraw_timer = QTimer(window)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.redraw_loss)
        self.tasks.finished.connect(self._on_task_finished)

    # ----- loading -----
    def load(self, request: Any) -> None:
        if self.tasks.busy():
            return
        self.window.statusBar().showMessage("Loading prices…")
        self.tasks.start(tasks.load_task(request), "loading", "Loading data", self._on_loaded)

    def _on_loaded(self, loaded: tasks.Loaded) -> None:
        self.state.use_loaded(loaded.request, loaded.data)
        self.window.statusBar().showMessage(f"Loaded {loaded.data.frames[0].summary()}", 10_000)
        self.tasks.announce(self.window.dataLoaded)

    # ----- training -----
    def train(self) -> None:
        w = self.window
        if self.tasks.busy():
            return
        config = w.current_config()
        self.state.set_settings(config)
        frames = self.state.frames_for(config.data)
        w.loss_plot.clear()
        w.metrics.clear()
        self._epochs, self._eta = config.train.epochs, ""
        w.progress.setRange(0, config.train.epochs)
        w.progress.setValue(0)
        w.progress.setFormat("starting…")
        w.statusBar().showMessage("Training…")
        task = tasks.train_task(config, frames, self.state.snapshot()[0], w.recovery)
        self.tasks.start(task, "training", "Training", self._on_trained, self._on_progress)
        self.redraw_timer.start()

    def backtest(self) -> None:
        """The current settings as a walk-forward backtest (and the run on all the data beside it)."""
        w = self.window
        if self.tasks.busy():
            return
        config, spec = w.current_config(), w.backtest_panel.spec()
        self.state.set_settings(config)
        w.progress.setRange(0, spec.folds)
        w.progress.setValue(0)
        w.progress.setFormat("starting the worker processes…")
        w.statusBar().showMessage(f"Backtest: {spec.folds} folds of {spec.fold_days} days…")
        task = tasks.backtest_task(
            config, spec, self.state.frames_for(config.data), self.state.snapshot()[0], w.recovery
        )
        self.tasks.start(task, "backtest", "Backtest", self._on_backtested, self._on_progress)

    def _on_backtested(self, made: Any) -> None:
        w = self.window
        self.state.add_run(made)  # a NewRun: its forecast was frozen in the worker
        backtest = made.run.report.backtest
        w.progress.setRange(0, 100)
        w.progress.setValue(100)
        w.progress.setFormat(f"backtest: {len(backtest.folds)} of {backtest.settings.folds} folds")
        w.statusBar().showMessage(backtest.aggregate.verdict if backtest.aggregate else "No fold finished.", 30_000)
        w.tabs.setCurrentWidget(w.backtest_view)
        self.tasks.announce(w.backtestFinished)

    def _on_progress(self, event: Any) -> None:
        w = self.window
        if isinstance(event, tasks.Loaded):
            self.state.use_loaded(event.request, event.data)
        elif isinstance(event, BacktestProgress):
            running = ", ".join(f"fold {k}: epoch {e}/{n}" for k, (e, n) in sorted(event.running.items()))
            eta = "" if event.eta_seconds != event.eta_seconds else f" — {format_duration(event.eta_seconds)} left"
            w.progress.setRange(0, event.folds)
            w.progress.setValue(event.finished)
            w.progress.setFormat(f"{event.finished} of {event.folds} folds{eta}" + (f" ({running})" if running else ""))
        elif isinstance(event, BatchProgress):
            done = (event.epoch - 1) + event.batch / event.batches
            w.progress.setRange(0, self._epochs * 100)
            w.progress.setValue(int(done * 100))
            w.progress.setFormat(f"epoch {event.epoch} of {self._epochs}{self._eta}")
        elif isinstance(event, EpochEnded):
            w.loss_plot.add(event.epoch, event.train_loss, event.val_loss, event.best_epoch, event.epochs)
            self._loss_dirty = True
            w.progress.setRange(0, self._epochs * 100)
            w.progress.setValue(event.epoch * 100)
            self._eta = f" — {format_duration(event.eta_seconds)} left"
            w.progress.setFormat(f"epoch {event.epoch} of {event.epochs}{self._eta}")
            w.statusBar().showMessage(
                f"epoch {event.epoch}: training loss {event.train_loss:.5f}, validation {event.val_loss:.5f} "
                f"(best epoch {event.best_epoch})"
            )
        elif isinstance(event, Assessing):
            w.progress.setFormat(event.what + "…")

    def redraw_loss(self) -> None:
        if self._loss_dirty:
            self._loss_dirty = False
            self.window.loss_plot.redraw()

    def _on_trained(self, made: Any) -> None:
        w = self.window
        self.state.add_run(made)  # a NewRun: its forecast was frozen in the worker
        report = made.run.report
        how = HOW[report.stopped]
        w.progress.setRange(0, 100)
        w.progress.setValue(100)
        w.progress.setFormat(f"done: {len(report.history)} epochs ({how})")
        w.statusBar().showMessage(
            f"Training finished ({how}): best epoch {report.best_epoch} of {len(report.history)}."
        )
        self.tasks.announce(w.trainingFinished)

    def stop(self) -> None:
        w = self.window
        if self.tasks.name in STOPPABLE:
            self.tasks.request_stop()
            w.stop_button.setEnabled(False)
            w.progress.setFormat("stopping…")
            kept = {"search": "finished trials", "sweep": "finished tickers", "compare": "finished variants"}.get(
                self.tasks.name
            )
            w.statusBar().showMessage(
                f"Stopping; the {kept} are kept."
                if kept
                else "Stopping after this batch; the best model so far is kept."
            )

    def failed(self, what: str) -> None:
        if what == "Training":
            self.window.progress.setFormat("failed")

    def _on_task_finished(self, name: str) -> None:
        self.redraw_timer.stop()
        self.redraw_loss()

    # ----- forecast -----
    def update_forecast(self) -> None:
        """Recompute the current run's forecast for the chosen days from its stored model (no retraining)."""
        run = self.state.current
        if run is None or self.tasks.busy():
            return
        days = self.window.model_panel.forecast_days.value()
        self.tasks.start(tasks.forecast_task(run, days), "forecast", "Forecast", self._on_forecast)

    def _on_forecast(self, stored: Any) -> None:
        self.state.replace_current(stored)
        self.tasks.announce(self.window.forecastUpdated)
