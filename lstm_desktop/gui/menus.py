"""The main window's menus: File (new, open, recent, save, refresh prices, exports, quit), Run (search, sweep,
compare, update model) and Help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow


def action(window: MainWindow, text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
    item = QAction(text, window)
    if shortcut is not None:
        item.setShortcut(shortcut)
    if name:
        item.setObjectName(name)
    item.triggered.connect(slot)
    return item


def build_menus(window: MainWindow) -> None:
    keys, files = QKeySequence.StandardKey, window.files
    menu = window.menuBar().addMenu("&File")
    menu.addAction(action(window, "&New", files.new, keys.New, "newAction"))
    menu.addAction(action(window, "&Open…", files.choose_and_open, keys.Open, "openAction"))
    window.recent_menu = menu.addMenu("Open &Recent")
    window.recent_menu.aboutToShow.connect(files.fill_recent_menu)
    menu.addSeparator()
    menu.addAction(action(window, "&Save", files.save, keys.Save, "saveAction"))
    menu.addAction(action(window, "Save &As…", files.save_as, keys.SaveAs, "saveAsAction"))
    menu.addSeparator()
    menu.addAction(action(window, "Re&fresh prices", lambda: window.track.refresh(), None, "refreshAction"))
    menu.addAction(action(window, "Refresh prices from a CSV &file…", window.track.choose_file_and_refresh, None,
                          "refreshFromFileAction"))  # fmt: skip
    menu.addSeparator()
    window.export_csv_action = action(
        window, "Export &predictions CSV…", files.choose_and_export_predictions, None, "exportCsvAction"
    )
    window.export_runs_action = action(
        window, "Export &runs table CSV…", files.choose_and_export_runs, None, "exportRunsAction"
    )
    window.export_image_action = action(
        window, "Export chart &image…", files.choose_and_export_image, None, "exportImageAction"
    )
    window.export_report_action = action(
        window, "Export r&eport (HTML)…", window.report_export.choose_and_export, None, "exportReportAction"
    )
    exports = (window.export_csv_action, window.export_runs_action, window.export_image_action)
    for item in (*exports, window.export_report_action):
        menu.addAction(item)
    menu.addSeparator()
    menu.addAction(action(window, "&Quit", window.close, keys.Quit, "quitAction"))
    runs = window.menuBar().addMenu("&Run")
    runs.addAction(action(window, "&Search settings…", window.many.open_search, None, "searchAction"))
    runs.addAction(action(window, "S&weep tickers…", window.many.open_sweep, None, "sweepAction"))
    runs.addAction(action(window, "&Compare models…", window.compare.open, None, "compareModelsAction"))
    runs.addSeparator()
    window.update_model_action = action(window, "&Update model…", window.track.open_update, None, "updateModelAction")
    runs.addAction(window.update_model_action)
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(action(window, "&About lstm-desktop", window._on_about, None, "aboutAction"))
