"""GUI tests run offscreen; every test gets a window whose dialogs are recorded instead of shown, and fails if
it leaves a worker thread running."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox


class Dialogs:
    """Stands in for the window's message boxes: records what was said, answers what a test chose."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []
        self.asked: list[str] = []
        self.answers: list[QMessageBox.StandardButton] = []

    def tell(self, title: str, text: str) -> None:
        self.told.append((title, text))

    def ask(self, title: str, text: str, buttons, default) -> QMessageBox.StandardButton:
        self.asked.append(title)
        return self.answers.pop(0) if self.answers else QMessageBox.StandardButton.Discard


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def freezes(monkeypatch) -> list[str]:
    """The names of the threads in which a run's forecast is frozen while the test runs (the project's `freeze`
    spied on): once per run, in the task's thread, is what the window must do."""
    import threading

    from lstm_desktop.core.living.frozen import freeze
    from lstm_desktop.core.store import project as project_module

    threads: list[str] = []

    def counted(run):
        threads.append(threading.current_thread().name)
        return freeze(run)

    monkeypatch.setattr(project_module, "freeze", counted)
    return threads


@pytest.fixture
def window(qtbot, dialogs: Dialogs):
    from lstm_desktop.gui.main_window import MainWindow

    win = MainWindow()
    win.tell = dialogs.tell
    win.ask = dialogs.ask
    qtbot.addWidget(win)
    win.show()
    yield win
    stopped = win.shutdown_workers(30_000)
    assert stopped, "a worker thread was left running"
    assert not win.busy()
    # Collect the window's Python wrappers now, on the main thread with no worker running. Left to a later
    # collection, a worker thread of the next test could trigger it: PySide6 then deletes the old widgets in the
    # main thread while that worker holds a Qt lock and waits for the GIL, and both wait for ever (seen in CI:
    # ~QMenu from runDeletionInMainThread, blocked on a QBasicMutex).
    win.close()
    del win
    gc.collect()


def small_settings(win, epochs: int = 3, start: str = "2009-01-01") -> None:
    """A model that trains in well under a second per epoch."""
    panel = win.model_panel
    panel.window.setValue(20)
    panel.layers.setValue(1)
    panel.hidden.setValue(8)
    panel.epochs.setValue(epochs)
    panel.forecast_days.setValue(12)
    win.data_panel.start.setDate(QDate.fromString(start, "yyyy-MM-dd"))
