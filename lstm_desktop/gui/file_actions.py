"""The File menu's work: save, open, recent projects, new, export. Mixed into MainWindow, whose state it uses
(`project`, `loaded`, `path`, panels, `settings`, `recent`, `recovery`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from lstm_desktop.core.errors import LstmDesktopError
from lstm_desktop.core.paths import documents_dir

from . import tasks
from .workers import Worker

FILTER = "lstm-desktop projects (*.lstmproj)"


class FileActions:
    """Save, open, new and export for the main window."""

    def _current_project(self) -> Any:
        """What Save writes: the trained run, or the settings and data when there is no model yet."""
        from lstm_desktop.core.store.project import Project

        notes = self.notes.toPlainText()
        if self.project is not None:
            self.project.notes = notes
            return self.project
        if self.loaded is None:
            return None
        return Project(replace(self.current_config(), data=self.loaded.request), self.loaded.frames, notes=notes)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        if self._current_project() is None:
            self.tell("Nothing to save", "Load data or train a model first.")
            return False
        folder = self.settings.get("last_folder", str(documents_dir()), str)
        tickers = self.data_panel.tickers_list()
        suggested = str(Path(folder) / f"{tickers[0] if tickers else 'project'}.lstmproj")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", suggested, FILTER)
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        from lstm_desktop.core.store.project import save_project

        project = self._current_project()
        if project is None:
            return False
        try:
            written = save_project(project, path)
        except LstmDesktopError as exc:
            self.show_error(exc, "Saving")
            return False
        self.path = written
        self.recent.add(written)
        self.settings.set("last_folder", str(written.parent))
        self.recovery.discard()
        self.setWindowModified(False)
        self.setWindowTitle(f"{written.name}[*] — lstm-desktop")
        self.statusBar().showMessage(f"Saved {written}", 10_000)
        return True

    def maybe_save(self) -> bool:
        """Offer to save unsaved work; False when the user cancels."""
        if not self.isWindowModified() or (self.loaded is None and self.project is None):
            return True
        buttons = QMessageBox.StandardButton
        answer = self.ask(
            "Unsaved changes",
            "Save your work before closing it?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def _on_new(self) -> None:
        if self.busy() or not self.maybe_save():
            return
        from lstm_desktop.core.specs import DataRequest, RunConfig

        self.loaded, self.project, self.path = None, None, None
        self.data_panel.set_request(DataRequest())
        self.data_panel.show_loaded(["No data loaded."])
        self.model_panel.set_config(RunConfig())
        self.model_panel.set_rows(None)
        self.notes.clear()
        self.price_plot.clear()
        self.loss_plot.clear()
        self.metrics.clear()
        self.setWindowTitle("lstm-desktop[*]")
        self.setWindowModified(False)
        self.recovery.discard()
        self._update_buttons()

    def _on_open(self) -> None:
        if self.busy() or not self.maybe_save():
            return
        folder = self.settings.get("last_folder", str(documents_dir()), str)
        path, _ = QFileDialog.getOpenFileName(self, "Open project", folder, f"{FILTER};;All files (*)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path, recovered: bool = False) -> None:
        if self.busy():
            return
        self.statusBar().showMessage(f"Opening {path.name}…")
        self._opening = (path, recovered)
        self._start(Worker(tasks.open_task(path), "opening"), self._on_opened, "Opening the project")

    def _on_opened(self, project: Any) -> None:
        path, recovered = self._opening
        self.project = project if project.trained else None
        config = project.config
        self.data_panel.set_request(config.data)
        self.model_panel.set_config(config)
        dataset = project.dataset()
        self.loaded = tasks.Loaded(config.data, project.frames, dataset.dates.to_numpy(), dataset.prices)
        self.model_panel.set_rows(len(dataset.dates))  # rows after aligning the tickers
        self.data_panel.show_loaded([f.summary() for f in project.frames])
        self.notes.blockSignals(True)
        self.notes.setPlainText(project.notes)
        self.notes.blockSignals(False)
        self.show_project(project)
        if recovered:
            self.path = None
            self.setWindowTitle("recovered work[*] — lstm-desktop")
            self.setWindowModified(True)
        else:
            self.path = path
            self.recent.add(path)
            self.settings.set("last_folder", str(path.parent))
            self.setWindowTitle(f"{path.name}[*] — lstm-desktop")
            self.setWindowModified(False)
        self.statusBar().showMessage(f"Opened {path.name}", 10_000)
        self._after_task = self.projectOpened  # emitted once the worker is gone

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        if not paths:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in paths:
            item = self.recent_menu.addAction(str(path))
            item.triggered.connect(lambda checked=False, p=path: self.maybe_save() and self.open_path(p))

    def _on_export_csv(self) -> None:
        if self.project is None or not self.project.trained:
            return
        folder = self.settings.get("last_folder", str(documents_dir()), str)
        path, _ = QFileDialog.getSaveFileName(
            self, "Export predictions", str(Path(folder) / "predictions.csv"), "CSV files (*.csv)"
        )
        if path:
            self.export_predictions(Path(path))

    def export_predictions(self, path: Path) -> None:
        from lstm_desktop.core.store.atomic import write_bytes_atomic
        from lstm_desktop.core.store.export import predictions_csv

        try:
            write_bytes_atomic(path, predictions_csv(self.project.results).encode())
        except OSError as exc:
            self.tell("Export failed", f"Could not write {path}: {exc.strerror or exc}")
            return
        self.statusBar().showMessage(f"Exported {path}", 10_000)

    def _on_export_image(self) -> None:
        folder = self.settings.get("last_folder", str(documents_dir()), str)
        path, _ = QFileDialog.getSaveFileName(
            self, "Export chart image", str(Path(folder) / "chart.png"), "PNG images (*.png)"
        )
        if path and not self.price_plot.grab().save(path):
            self.tell("Export failed", f"Could not write the image {path}.")
