"""GUI tests run offscreen; every test gets a window whose dialogs are recorded instead of shown, and fails if
it leaves a worker thread running."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QDate, QObject, QTimer
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


class GuiThreadCollector(QObject):
    """Python's automatic garbage collection off while a GUI test runs, and done on a timer in the GUI thread.

    Why: pytest keeps a test's window (its arguments) until every teardown has run, so no collection in a fixture
    reaches it (the window fixture's own did not: the windows piled up). A later test's worker thread (importing
    torch, training) could then trigger the collection that deletes their widgets there while PySide deletes their
    parents in the GUI thread; each thread held a lock the other waited for, and the test hung for good (seen: both
    threads in ~QMenu, the worker in gc_collect_main under `import torch`; 3 of 10 runs of test_main_window.py).
    With collection off while a test runs, the earlier windows are collected by this timer, in the GUI thread. The
    app makes no such garbage in its jobs (measured: see docs/design.md), and keeps Python's own collection, which
    costs its window less."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(20)

    def collect(self) -> None:
        """The generations due by the interpreter's thresholds (each older one only when the younger ones are)."""
        due = -1
        for generation, (count, threshold) in enumerate(zip(gc.get_count(), gc.get_threshold(), strict=True)):
            if count <= threshold:
                break
            due = generation
        if due >= 0:
            gc.collect(due)

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def gui_thread_collection(qapp):
    """Garbage collected in the GUI thread only while a GUI test runs (see GuiThreadCollector)."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()
    collector.setParent(None)


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
    win.close()


def small_settings(win, epochs: int = 3, start: str = "2009-01-01") -> None:
    """A model that trains in well under a second per epoch."""
    panel = win.model_panel
    panel.window.setValue(20)
    panel.layers.setValue(1)
    panel.hidden.setValue(8)
    panel.epochs.setValue(epochs)
    panel.forecast_days.setValue(12)
    win.data_panel.start.setDate(QDate.fromString(start, "yyyy-MM-dd"))
