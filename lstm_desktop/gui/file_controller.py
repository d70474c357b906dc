"""The File menu's work: new, open, recent, save (off the GUI thread), save as, export, recovery after a crash.

An open either completes or leaves the window exactly as it was: the opened project replaces the state in one
step, after it has been read and checked in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lstm_desktop.core.paths import documents_dir

from . import tasks

if TYPE_CHECKING:
    from .main_window import MainWindow

FILTER = "lstm-desktop projects (*.lstmproj)"
SAVE_WAIT_MS = 120_000


class FileController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.state = window.state
        self.tasks = window.tasks
        self._opening: tuple[Path, bool] = (Path(), False)
        self._saved: bool | None = None
        self._saving_at = 0

    def _folder(self) -> str:
        return self.window.settings.get("last_folder", str(documents_dir()), str)

    # ----- saving -----
    def has_work(self) -> bool:
        return self.state.loaded is not None or bool(self.state.project.runs)

    def save(self) -> bool:
        if self.state.path is None:
            return self.save_as()
        return self.save_to(self.state.path)

    def save_as(self) -> bool:
        if not self.has_work():
            self.window.tell("Nothing to save", "Load data or train a model first.")
            return False
        tickers = self.window.data_panel.tickers_list()
        suggested = str(Path(self._folder()) / f"{tickers[0] if tickers else 'project'}.lstmproj")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save project", suggested, FILTER)
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Save in a worker (the GUI thread only takes a snapshot) and wait for it; True when written."""
        if self.tasks.busy():
            self.window.tell("Busy", "Wait for the running task to finish, then save.")
            return False
        self.state.set_notes(self.window.notes.toPlainText())
        self._saved = None
        loop = QEventLoop()
        self.tasks.finished.connect(loop.quit)
        snapshot, self._saving_at = self.state.snapshot()
        self.tasks.start(tasks.save_task(snapshot, path, self.window.recent), "saving", "Saving", self._on_saved)
        self.window.statusBar().showMessage(f"Saving {path.name}…")
        if self.tasks.busy():
            loop.exec()  # the window keeps painting and answering; other actions are disabled while busy
        self.tasks.finished.disconnect(loop.quit)
        return bool(self._saved)

    def _on_saved(self, written: Path) -> None:
        self._saved = True
        self.state.saved(written, self._saving_at)
        self.window.settings.set("last_folder", str(written.parent))
        self.window.recovery.discard()
        self.window.statusBar().showMessage(f"Saved {written}", 10_000)
        self.tasks.announce(self.window.projectSaved)

    def maybe_save(self) -> bool:
        """Offer to save unsaved work; False when the user cancels."""
        if not self.state.dirty or not self.has_work():
            return True
        buttons = QMessageBox.StandardButton
        answer = self.window.ask(
            "Unsaved changes", "Save your work before closing it?", buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )  # fmt: skip
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    # ----- new and open -----
    def new(self) -> None:
        if self.tasks.busy() or not self.maybe_save():
            return
        self.state.new()
        self.window.recovery.discard()

    def choose_and_open(self) -> None:
        if self.tasks.busy() or not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", self._folder(), f"{FILTER};;All files (*)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path, recovered: bool = False) -> bool:
        """Read the project in a worker; the window changes only once it has been read whole."""
        if self.tasks.busy():
            return False
        self.window.statusBar().showMessage(f"Opening {path.name}…")
        self._opening = (path, recovered)
        task = tasks.open_task(path, None if recovered else self.window.recent)
        return self.tasks.start(task, "opening", "Opening the project", self._on_opened)

    def _on_opened(self, project: Any) -> None:
        path, recovered = self._opening
        self.state.adopt(project, path, recovered)
        if recovered:
            self.window.recovery.forget(path)
        damaged = [run for run in project.runs if not hasattr(run, "report")]
        if damaged:
            listed = "\n".join(f"• {run.name}: {run.problem}" for run in damaged[:10])
            self.window.tell(
                "Some runs cannot be read",
                f"{len(damaged)} run(s) of {path.name} are damaged and are not shown; the others are. They stay in "
                f"the file as they are when you save.\n\n{listed}",
            )
        if not recovered:  # listed in the recent projects by the task
            self.window.settings.set("last_folder", str(path.parent))
        self.window.statusBar().showMessage(f"Opened {path.name}", 10_000)
        self.tasks.announce(self.window.projectOpened)

    def fill_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        paths = self.window.recent.paths()
        if not paths:
            menu.addAction("(none)").setEnabled(False)
        for path in paths:
            item = menu.addAction(str(path))
            item.triggered.connect(lambda checked=False, p=path: self.maybe_save() and self.open_path(p))

    def offer_recovery(self) -> None:
        """After a crash, offer the autosaved work of the crashed session."""
        recovery = self.window.recovery
        found = recovery.left_by_crashes()
        if not found:
            return
        buttons = QMessageBox.StandardButton
        answer = self.window.ask(
            "Recover unsaved work?",
            "lstm-desktop closed unexpectedly last time. Recover the work it had not saved?",
            buttons.Yes | buttons.No,
            buttons.Yes,
        )
        if answer == buttons.Yes:
            self.open_path(found[0], recovered=True)  # forgotten once it has opened (see _on_opened)
        else:
            recovery.forget(found[0])  # the others, if any, are offered one at a time at the next starts

    # ----- export -----
    def _ask_path(self, title: str, name: str, kind: str = "CSV files (*.csv)") -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(Path(self._folder()) / name), kind)
        return Path(path) if path else None

    def choose_and_export_predictions(self) -> None:
        if self.state.current is not None and (path := self._ask_path("Export predictions", "predictions.csv")):
            self.export_predictions(path)

    def export_predictions(self, path: Path) -> bool:
        from lstm_desktop.core.store.export import predictions_csv

        return self._write(path, predictions_csv(self.state.current.report))

    def choose_and_export_forecast(self) -> None:
        if self.state.current is not None and (path := self._ask_path("Export forecast", "forecast.csv")):
            self.export_forecast(path)

    def export_forecast(self, path: Path) -> bool:
        from lstm_desktop.core.store.export import forecast_csv

        return self._write(path, forecast_csv(self.state.current.report))

    def choose_and_export_runs(self) -> None:
        from lstm_desktop.core.store.runs_table import runs_csv

        if path := self._ask_path("Export runs table", "runs.csv"):
            self._write(path, runs_csv(self.state.project))

    def _write(self, path: Path, text: str) -> bool:
        from lstm_desktop.core.store.atomic import write_bytes_atomic

        try:
            write_bytes_atomic(path, text.encode())
        except OSError as exc:
            self.window.tell("Export failed", f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.window.statusBar().showMessage(f"Exported {path}", 10_000)
        return True

    def choose_and_export_image(self) -> None:
        path = self._ask_path("Export chart image", "chart.png", "PNG images (*.png)")
        if path and not self.window.price_plot.grab().save(str(path)):
            self.window.tell("Export failed", f"Could not write the image {path}.")
