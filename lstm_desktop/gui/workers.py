"""Run core work off the GUI thread: a plain function in a QThread that reports progress and honours stop.

The function gets `report(event)` and `should_stop()`; events, the result and errors reach the GUI as signals
carrying plain data (frozen dataclasses, dicts, exception objects), never widgets or live torch modules.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from lstm_desktop.core.runtime import run_thread_in_background

Task = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


class Worker(QObject):
    """Runs one task once. Connect to the signals, then call `start()`."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception object; its __traceback_text__ holds the trace for the log
    done = Signal()  # after succeeded or failed, whatever happened

    def __init__(self, task: Task, name: str, throttle_seconds: float = 0.2) -> None:
        super().__init__()
        self._task = task
        self._stop = threading.Event()
        self._throttle = throttle_seconds
        self._last_report = 0.0
        self.name = name
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.moveToThread(self.thread)
        self.thread.started.connect(self._run)
        # direct: the thread's event loop must end even while the GUI thread is blocked waiting for it
        self.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        """Start the task at a low priority: the GUI thread comes first for a CPU (see run_thread_in_background;
        Qt's priority is what Windows and macOS honour, Linux ignores it for normal threads)."""
        self.thread.start(QThread.Priority.LowPriority)

    def request_stop(self) -> None:
        self._stop.set()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self.thread.wait(milliseconds)

    def _report(self, event: Any) -> None:
        """Forward an event; events marked `frequent` (batch progress) at most every throttle interval."""
        if getattr(event, "frequent", False):
            now = time.monotonic()
            if now - self._last_report < self._throttle:
                return
            self._last_report = now
        self.progressed.emit(event)

    @Slot()
    def _run(self) -> None:
        run_thread_in_background()
        try:
            result = self._task(self._report, self._stop.is_set)
        except Exception as exc:  # every failure goes to the GUI as an object, never kills the thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.done.emit()
