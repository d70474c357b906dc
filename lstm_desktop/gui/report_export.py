"""File ▸ Export report: the current run as one self-contained HTML file (core/htmlreport), with the strategy
check under the project's settings. Built on the GUI thread: it is text from stored results (tens of ms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from lstm_desktop.core.errors import LstmDesktopError
from lstm_desktop.core.paths import documents_dir
from lstm_desktop.core.state import AppState


class ReportExport:
    """Gets the app state and the window only for its dialogs (`tell`, the status bar, the last folder)."""

    def __init__(self, state: AppState, window: Any) -> None:
        self.state = state
        self.window = window

    def choose_and_export(self) -> None:
        run = self.state.current
        if run is None:
            return
        folder = self.window.settings.get("last_folder", str(documents_dir()), str)
        suggested = str(Path(folder) / f"{run.report.data.ticker}-{run.name}.html".replace(" ", "-"))
        path, _ = QFileDialog.getSaveFileName(self.window, "Export report", suggested, "HTML files (*.html)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Write the current run's report to `path`; True when written, else the user is told why."""
        from lstm_desktop.core.htmlreport.page import run_report_html
        from lstm_desktop.core.store.atomic import write_bytes_atomic

        run = self.state.current
        if run is None:
            self.window.tell("Nothing to report", "Train a model first: the report is of the current run.")
            return False
        try:
            text = run_report_html(run, self.state.project.strategy, notes=self.state.project.notes)
            write_bytes_atomic(path, text.encode("utf-8"))
        except LstmDesktopError as exc:
            self.window.tell("Export failed", str(exc))
            return False
        except OSError as exc:
            self.window.tell("Export failed", f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.window.statusBar().showMessage(f"Exported the report to {path}", 10_000)
        return True
