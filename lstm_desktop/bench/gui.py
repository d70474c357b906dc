"""Window figures: start-up time, event-loop lateness while training, reopen and forecast times, memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHOWN_SCRIPT = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from lstm_desktop.gui.application import create_application
from lstm_desktop.gui.main_window import MainWindow
app = create_application()
window = MainWindow()
window.show()
app.processEvents()
print(time.time())
"""

RSS_SCRIPT = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "lstm_desktop.cli", "train", "--sample", "AAPL", *sys.argv[1:], "--epochs", "3",
                "--patience", "0", "--quiet", "--json"], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def window_shown_seconds(repeats: int = 3) -> float:
    """Process start (before the interpreter launches) to the main window shown; median of `repeats`."""
    times = []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as home:
        env["LSTM_DESKTOP_HOME"] = home
        for _ in range(repeats):
            started = time.time()
            done = subprocess.run(
                [sys.executable, "-c", SHOWN_SCRIPT], capture_output=True, text=True, env=env, check=True
            )
            times.append(float(done.stdout.strip().splitlines()[-1]) - started)
    return float(np.median(times))


def peak_rss_mb() -> float:
    """Peak resident memory of a command-line training run of the reference setup (3 epochs)."""
    from .training import reference_cli_flags

    command = [sys.executable, "-c", RSS_SCRIPT, *reference_cli_flags()]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 1024


class LatenessProbe:
    """A 10 ms timer on the GUI thread that records how late each tick came (how long the thread was held)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lateness: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._last) * 1000 - 10))
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.lateness


def _train_in_window(window: object, with_timer: bool) -> list[float]:
    """Press Train and wait for the end; with a 10 ms timer in the GUI thread, return how late each tick was."""
    from lstm_desktop.gui.self_test import wait_for

    probe = LatenessProbe()
    window.train_button.click()
    if with_timer:
        probe.start()
    finished = wait_for(window.trainingFinished, window, 3600)
    lateness = probe.stop()
    if not finished:
        raise RuntimeError("training in the window did not finish")
    return lateness


def _same_run(window_settings: dict, headless_settings: dict) -> None:
    """Refuse to compare runs whose data, model or training settings differ (device and threads aside)."""

    def strip(settings: dict) -> dict:
        train = {k: v for k, v in settings["train"].items() if k not in ("device", "threads")}
        return {**settings, "train": train}

    if strip(window_settings) != strip(headless_settings):
        raise RuntimeError(f"window and headless runs differ: {window_settings} != {headless_settings}")


def gui_figures(epochs: int, threads_options: tuple[int, ...], threads: int, pairs: int) -> dict:
    """Train the reference setup in the real window (offscreen) while a 10 ms timer measures how late the GUI
    thread answers; compare the window with the same run headless; then reopen the saved project and forecast.

    Run it in a process of its own (`run_gui_figures`): torch work done earlier in the process's main thread
    leaves an OpenMP thread pool behind, and with more OpenMP threads than cores libgomp stops spinning at its
    barriers, which made training in the window up to 2x slower in earlier versions of this benchmark.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lstm_desktop.gui.application import create_application

    app = create_application()
    window = _window_with_the_sample(epochs)
    figures: dict = {"by_threads": {count: _lateness(window, count) for count in threads_options}}
    figures["by_threads"] = {str(k): v for k, v in figures["by_threads"].items()}
    figures["window_vs_headless"] = _window_against_headless(window, epochs, threads, pairs)
    figures.update(_reopen_and_forecast(app, window))
    if not window.shutdown_workers():
        raise RuntimeError("a task of the window did not stop")
    window.close()
    return figures


def _window_with_the_sample(epochs: int) -> object:
    from PySide6.QtWidgets import QMessageBox

    from lstm_desktop.app import preload_heavy_modules
    from lstm_desktop.gui.main_window import MainWindow
    from lstm_desktop.gui.self_test import wait_for

    window = MainWindow()
    window.tell = lambda title, text: print(f"{title}: {text}", file=sys.stderr)
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.show()
    preload_heavy_modules().join()  # as the app does after start-up, before a person can press Train
    window.data_panel.load.click()
    if not wait_for(window.dataLoaded, window, 120):
        raise RuntimeError("the sample did not load")
    window.model_panel.reference.click()  # the reference setup, as the headless run trains it
    window.model_panel.epochs.setValue(epochs)
    window.model_panel.patience.setValue(0)
    return window


def _lateness(window: object, threads: int) -> dict:
    """Train with `threads` threads while the 10 ms probe runs; how late the GUI thread answered."""
    from lstm_desktop.bench.training import history_median

    window.model_panel.threads.setValue(threads)
    from lstm_desktop.bench.gui_watch import summary

    late = np.array(_train_in_window(window, with_timer=True)[5:])
    return {
        "gui_event_loop_ms": summary(late),
        "gui_train_seconds_per_epoch_with_probe": history_median(window.state.current.report.history),
    }


def _window_against_headless(window: object, epochs: int, threads: int, pairs: int) -> dict:
    """The same run in the window and from the command line, in turns (order swapped every pair), no probe."""
    from lstm_desktop.bench.training import history_median, train_from_command_line
    from lstm_desktop.core.codec import to_json

    window.model_panel.threads.setValue(threads)
    in_window: list[float] = []
    headless: list[float] = []
    for pair in range(pairs):
        for where in ("window", "headless") if pair % 2 == 0 else ("headless", "window"):
            if where == "window":
                _train_in_window(window, with_timer=False)
                in_window.append(history_median(window.state.current.report.history))
            else:
                document = train_from_command_line(epochs, threads)
                _same_run(to_json(window.state.current.report.settings), document["settings"])
                headless.append(history_median(document["history"]))
    return {
        "window": float(np.median(in_window)),
        "headless": float(np.median(headless)),
        "window_runs": in_window,
        "headless_runs": headless,
        "pair_ratios": [w / h for w, h in zip(in_window, headless)],
    }


def _reopen_and_forecast(app: object, window: object) -> dict:
    from lstm_desktop.core.run import forecast_again
    from lstm_desktop.gui.self_test import wait_for

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.lstmproj"
        window.files.save_to(path)
        window.files.new()
        started = time.perf_counter()
        window.files.open_path(path)
        if not wait_for(window.projectOpened, window, 120):
            raise RuntimeError("the project did not reopen")
        app.processEvents()
        reopen = time.perf_counter() - started
        run = window.state.current
        forecast_again(run.report, run.data.frames, run.tensors(), 30)  # warm-up: the first call imports more
        started = time.perf_counter()
        forecast_again(run.report, run.data.frames, run.tensors(), 30)
    return {"project_reopen_seconds": reopen, "forecast_seconds": time.perf_counter() - started}


def run_gui_figures(epochs: int, threads_options: tuple[int, ...], threads: int, pairs: int) -> dict:
    """`gui_figures` in a fresh process, with a profile folder of its own; returns its JSON."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory() as home:
        env["LSTM_DESKTOP_HOME"] = home
        command = [sys.executable, "-m", "lstm_desktop.bench.gui", str(epochs), str(threads), str(pairs)]
        command += [str(t) for t in threads_options]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"the window benchmark failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    epochs_arg, threads_arg, pairs_arg, *options = (int(value) for value in sys.argv[1:])
    print(json.dumps(gui_figures(epochs_arg, tuple(options), threads_arg, pairs_arg)))
