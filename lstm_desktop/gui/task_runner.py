"""One background task at a time for the window: start it, route its progress, result and failure back to the
GUI thread, and say when it has been handled completely."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from .steps import Steps
from .workers import Task, Worker


class TaskRunner(QObject):
    """Runs workers one at a time. `busy()` stays True until the task's end has been handled on the GUI thread
    (its thread stops before the queued end arrives: counting from the thread alone let a new task start in
    between, and the old task's end then forgot the new worker). A result lands inside `steps.spread()`, so the views
    draw it over several turns of the event loop; the task's end is announced once they have."""

    started = Signal(str)  # the task's name
    finished = Signal(str)  # the task's name, once its result or failure has been handled
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, parent: QObject | None = None, steps: Steps | None = None) -> None:
        super().__init__(parent)
        self.steps = steps or Steps(self)
        self.worker: Worker | None = None
        self._what = ""
        self._on_success: Callable[[Any], None] | None = None
        self._on_progress: Callable[[Any], None] | None = None
        self._announce: Any = None

    def busy(self) -> bool:
        return self.worker is not None

    @property
    def name(self) -> str:
        return self.worker.name if self.worker is not None else ""

    def start(
        self,
        task: Task,
        name: str,
        what: str,
        on_success: Callable[[Any], None],
        on_progress: Callable[[Any], None] | None = None,
    ) -> bool:
        """Run `task` in a worker thread; False (and nothing started) when another task runs."""
        if self.busy():
            return False
        worker = Worker(task, name)
        self.worker, self._what = worker, what
        self._on_success, self._on_progress = on_success, on_progress
        # bound methods of this QObject: Qt queues every call to the GUI thread (a lambda would run in the worker)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.progressed.connect(self._on_progressed)
        worker.done.connect(self._on_done)
        worker.start()
        self.started.emit(name)
        return True

    def announce(self, signal: Any) -> None:
        """Emit `signal` once the running task has been handled completely (its worker gone, what it changed
        shown)."""
        self._announce = signal

    def request_stop(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()

    def stop_and_wait(self, timeout_ms: int) -> bool:
        """Ask the running task to stop and wait for its thread; True when none is left running."""
        if self.worker is None:
            return True
        self.worker.request_stop()
        return self.worker.wait(timeout_ms)

    def _on_progressed(self, event: Any) -> None:
        if self._on_progress is not None:
            self._on_progress(event)

    def _on_succeeded(self, result: Any) -> None:
        if self._on_success is not None:
            with self.steps.spread():
                self._on_success(result)

    def _on_failed(self, error: BaseException) -> None:
        self.failed.emit(self._what, error)

    def _on_done(self) -> None:
        worker, name = self.worker, self.name
        if worker is not None:
            worker.wait()
        self.worker = None
        self._on_success = self._on_progress = None
        self.finished.emit(name)
        signal, self._announce = self._announce, None
        if signal is not None:
            self.steps.when_drained(signal.emit)
