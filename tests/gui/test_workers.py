"""The window's worker thread: it trains at a lower CPU priority than the GUI thread, so the window answers first."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from lstm_desktop.core.runtime import BACKGROUND_NICENESS
from lstm_desktop.gui.workers import Worker


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
def test_a_task_runs_below_the_gui_thread(qtbot) -> None:
    def niceness(report, should_stop) -> tuple[int, int]:
        inner: list[int] = []
        thread = threading.Thread(
            target=lambda: inner.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        )
        thread.start()  # a thread it starts (torch's OpenMP team) inherits the priority
        thread.join()
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), inner[0]

    worker = Worker(niceness, "niceness")
    with qtbot.waitSignal(worker.succeeded, timeout=10_000) as result:
        worker.start()
    assert worker.wait(10_000)
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    expected = min(19, gui + BACKGROUND_NICENESS)
    assert result.args[0] == (expected, expected)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == gui  # the GUI thread itself unchanged
