"""Work for the GUI thread in small steps, one step per turn of the event loop, so that what lands at the end of a
job (plots, tables, the runs list) never holds the window for the sum of its parts: between two steps Qt paints
what the last one changed and answers the user.

Steps have keys: a step asked for again while it waits runs once (it reads the state when it runs, so it shows
the latest). Views spread their work only while `spreading` (a task's result landing); what a person does
directly (choose a run, rename it, open a tab) is shown at once, as before. `drained` fires when the last waiting
step has run; `when_drained` calls back then (at once when none waits), which is how a task's end is announced
only once everything it changed is shown.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Hashable, Iterator

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)


class Steps(QObject):
    drained = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: dict[Hashable, Callable[[], None]] = {}
        self.spreading = False  # True while a task's result lands: views then add steps instead of drawing now
        self._after: list[Callable[[], None]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_one)

    def add(self, key: Hashable, step: Callable[[], None]) -> None:
        """Run `step` on a later turn, after the steps already waiting (once, however often it is added)."""
        if key not in self._waiting:
            self._waiting[key] = step
        if not self._timer.isActive():
            self._timer.start()

    def soon(self, key: Hashable, step: Callable[[], None]) -> None:
        """`step` on a later turn while a result lands (as `add`), else now: what a view draws on a change."""
        if self.spreading:
            self.add(key, step)
        else:
            step()

    @contextlib.contextmanager
    def spread(self) -> Iterator[None]:
        """While inside, views spread what they draw over later turns (see the module docstring)."""
        was, self.spreading = self.spreading, True
        try:
            yield
        finally:
            self.spreading = was

    def idle(self) -> bool:
        return not self._waiting

    def when_drained(self, callback: Callable[[], None]) -> None:
        """Call `callback` once every waiting step has run (now, when none waits)."""
        if self.idle():
            callback()
        else:
            self._after.append(callback)

    def flush(self) -> None:
        """Run every waiting step now (before the window closes, or a test reads what is shown)."""
        while self._waiting:
            self._run_one()

    def _run_one(self) -> None:
        if not self._waiting:
            return
        key = next(iter(self._waiting))
        step = self._waiting.pop(key)
        try:
            step()
        finally:
            if self._waiting:
                self._timer.start()
            else:
                self._timer.stop()
                self._drain()

    def _drain(self) -> None:
        after, self._after = self._after, []
        for callback in after:
            callback()
        self.drained.emit()
