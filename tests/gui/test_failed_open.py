"""The window never loses or overwrites work when an open fails, and the application never aborts when it closes
or quits while a task runs.

A failed open (a damaged zip, settings out of range, a named pipe, a file from a newer version) shows a message
and leaves the window exactly as it was: same title and path, same current run, same settings in the panels, not
marked modified; File › Save then writes the same project a save before the failed open wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lstm_desktop.core.store.project_file import pack_entries, unpack_entries

from .conftest import small_settings

WAIT_MS = 60_000


@dataclass(frozen=True)
class Seen:
    """What the user sees of the window's work, and what File › Save would write."""

    title: str
    modified: bool
    path: Path | None
    current: str | None
    runs: tuple[str, ...]
    config: Any  # the RunConfig the panels show
    tickers: tuple[str, ...]
    notes: str
    recent: tuple[Path, ...]


def seen(window: Any) -> Seen:
    state = window.state
    return Seen(
        title=window.windowTitle(),
        modified=window.isWindowModified(),
        path=state.path,
        current=state.project.current_id,
        runs=tuple(run.id for run in state.project.runs),
        config=window.current_config(),
        tickers=tuple(window.data_panel.tickers_list()),
        notes=window.notes.toPlainText(),
        recent=tuple(window.recent.paths()),
    )


def contents(path: Path) -> tuple[dict, dict[str, bytes]]:
    """A project file's project.json, less the time it was saved, and its other entries."""
    meta, entries = unpack_entries(path)
    meta.pop("modified")
    return meta, entries


def truncated(good: Path, bad: Path) -> str:
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return "not an lstm-desktop project"


def corrupted(good: Path, bad: Path) -> str:
    data = bytearray(good.read_bytes())
    middle = len(data) // 3  # inside the deflated prices entry
    data[middle : middle + 64] = bytes(64)
    bad.write_bytes(bytes(data))
    return "is damaged"


def with_meta(change: Callable[[dict], None], problem: str) -> Callable[[Path, Path], str]:
    def make(good: Path, bad: Path) -> str:
        meta, entries = unpack_entries(good)
        meta.pop("checksums")
        change(meta)
        bad.write_bytes(pack_entries(meta, entries))
        return problem

    return make


def fifo(good: Path, bad: Path) -> str:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(bad)
    return "named pipe (FIFO)"


FAILING = {
    "truncated zip": truncated,
    "corrupted zip": corrupted,
    "seed out of range": with_meta(lambda m: m["settings"]["train"].update(seed=2**40), "Seed must be between"),
    "newer version": with_meta(lambda m: m.update(schema_version=99), "newer version of lstm-desktop"),
    "named pipe": fifo,
}


def train_and_save(qtbot: Any, window: Any, path: Path) -> None:
    small_settings(window, epochs=1)
    with qtbot.waitSignal(window.trainingFinished, timeout=WAIT_MS * 2):  # Train loads the data itself
        window.train_button.click()
    window.notes.setPlainText("work to keep")
    assert window.files.save_to(path) and not window.isWindowModified()


def test_a_failed_open_leaves_the_window_and_its_file_as_they_were(qtbot, window, dialogs, tmp_path: Path) -> None:
    saved = tmp_path / "A.lstmproj"
    train_and_save(qtbot, window, saved)
    reference = contents(saved)
    before = seen(window)
    assert before.current is not None and before.path == saved and "A.lstmproj" in before.title

    for name, make in FAILING.items():
        problem = make(saved, tmp_path / f"{name}.lstmproj")
        with qtbot.waitSignal(window.errorShown, timeout=WAIT_MS):
            assert window.files.open_path(tmp_path / f"{name}.lstmproj")
        qtbot.waitUntil(lambda: not window.busy(), timeout=WAIT_MS)
        assert problem in dialogs.told[-1][1], (name, dialogs.told[-1])
        assert seen(window) == before, name

    assert window.files.save()  # File › Save: to A, as before
    assert contents(saved) == reference
    assert len(dialogs.told) == len(FAILING)


def test_a_failed_open_keeps_unsaved_work_unsaved(qtbot, window, dialogs, tmp_path: Path) -> None:
    """Work not saved yet stays in the window, still marked modified, after an open that fails."""
    saved = tmp_path / "A.lstmproj"
    train_and_save(qtbot, window, saved)
    window.notes.setPlainText("edited after saving")
    window.model_panel.epochs.setValue(7)
    before = seen(window)
    assert before.modified
    bad = tmp_path / "bad.lstmproj"
    truncated(saved, bad)
    with qtbot.waitSignal(window.errorShown, timeout=WAIT_MS):
        window.files.open_path(bad)
    qtbot.waitUntil(lambda: not window.busy(), timeout=WAIT_MS)
    assert seen(window) == before
    assert window.files.save()
    assert unpack_entries(saved)[0]["notes"] == "edited after saving"


# ------------------------------------------------------------------------------------------------ closing and quitting

# The real entry point (lstm_desktop.app.main) with a window whose task ignores the stop request for 30 s.
STUBBORN_APP = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
import lstm_desktop.app as app
from lstm_desktop.gui import main_window

Base, honours_stop = main_window.MainWindow, sys.argv[1] == "honours-stop"


def task(report, should_stop):
    end = time.monotonic() + 30
    while time.monotonic() < end and not (honours_stop and should_stop()):
        time.sleep(0.02)


class Window(Base):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Discard]
        self.tasks.start(task, "stubborn", "A stubborn task", lambda result: None)
        QTimer.singleShot(200, self.close)
        QTimer.singleShot(800, lambda: QApplication.instance().exit(7))

    def closeEvent(self, event):
        super().closeEvent(event)
        print("closed:", event.isAccepted(), flush=True)

    def ask(self, title, text, buttons, default):
        return self.answers.pop(0)

    def tell(self, title, text):
        print("told:", title, flush=True)

    def shutdown_workers(self, timeout_ms=60_000):
        return Base.shutdown_workers(self, min(timeout_ms, 300))  # the window's 30 s wait, shortened


main_window.MainWindow = Window
app.EXIT_WAIT_MS = 300
sys.exit(app.main([]))
"""


def run_app(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "LSTM_DESKTOP_HOME": str(tmp_path / "profile"), "QT_QPA_PLATFORM": "offscreen"}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", STUBBORN_APP, mode], capture_output=True, text=True, timeout=120, env=env
    )
    return done, time.monotonic() - start


def test_quitting_while_a_task_ignores_stop_never_aborts(tmp_path: Path) -> None:
    """Closing asks, waits, says it is still busy and stays open; quitting then leaves with its exit code,
    without waiting the task out and without Qt aborting on a running thread."""
    done, seconds = run_app(tmp_path, "ignores-stop")
    assert done.returncode == 7, (done.returncode, done.stderr[-2000:])
    assert "told: Still busy" in done.stdout and "closed: False" in done.stdout
    assert "did not stop within 0.3 s of quitting" in done.stderr
    assert "QThread: Destroyed" not in done.stderr
    assert seconds < 25, f"waited for the task: {seconds:.0f} s"
    log = (tmp_path / "profile").rglob("lstm-desktop.log")
    assert any("did not stop within" in path.read_text() for path in log)


def test_closing_while_a_task_runs_stops_it_and_ends_cleanly(tmp_path: Path) -> None:
    done, seconds = run_app(tmp_path, "honours-stop")
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "closed: True" in done.stdout and "told:" not in done.stdout
    assert "did not stop" not in done.stderr and "QThread: Destroyed" not in done.stderr
    assert seconds < 25
