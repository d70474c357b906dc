"""The window's worker thread, and the worker processes it starts, run below the GUI thread's CPU priority (by
BACKGROUND_NICENESS, never more), so the window answers first."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from lstm_desktop.core import runtime
from lstm_desktop.core.runtime import BACKGROUND_NICENESS
from lstm_desktop.gui.workers import Worker


def niceness_item(payload: dict, report, should_stop) -> int:
    """A worker process's item: its own nice value."""
    return os.getpriority(os.PRIO_PROCESS, 0)


def own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.getpriority(os.PRIO_PROCESS, 0) > 19 - BACKGROUND_NICENESS,
    reason="a nice value per thread is Linux's; and this process is too low already to see a thread go lower",
)
def test_a_task_and_its_worker_processes_run_below_the_gui_thread(qtbot, monkeypatch) -> None:
    from lstm_desktop.core.executors.local import LocalExecutor

    monkeypatch.setattr(runtime, "_workers_in_background", True)  # as create_application does

    def task(report, should_stop) -> tuple[int, int, int]:
        inner: list[int] = []
        thread = threading.Thread(target=lambda: inner.append(own_niceness()))
        thread.start()  # a thread it starts (torch's OpenMP team) inherits the priority
        thread.join()
        results: list[int] = []
        with LocalExecutor(1, 1) as executor:  # spawned from this lowered thread, as a backtest's are
            executor.run(
                [(f"{__name__}:niceness_item", {})], lambda outcome: results.append(outcome.result), lambda e: None
            )
        return own_niceness(), inner[0], results[0]

    worker = Worker(task, "niceness")
    with qtbot.waitSignal(worker.succeeded, timeout=60_000) as result:
        worker.start()
    assert worker.wait(10_000)
    gui = own_niceness()
    lowered = gui + BACKGROUND_NICENESS
    assert result.args[0] == (lowered, lowered, lowered)  # the process too: not lowered twice (to 19)
    assert own_niceness() == gui  # the GUI thread itself unchanged
