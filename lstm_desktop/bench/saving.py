"""Saving a project of many runs: how long the GUI thread is held (the snapshot it hands to the worker) and how
late it answers a 10 ms timer while the worker writes the file."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def project_of(runs: int) -> object:
    """`runs` runs of the reference setup (one trained, then kept under new ids: same size on disk)."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.store.project import Project, new_run_id

    from .training import reference_run_config

    finished = run(reference_run_config(epochs=2))
    project = Project()
    first = project.add(finished, "run 1")
    for index in range(2, runs + 1):
        project.runs.append(dataclasses.replace(first, id=new_run_id(), name=f"run {index}"))
    return project


def save_figures(runs: int = 100) -> dict:
    """Save a `runs`-run project from the window (offscreen), measuring the GUI thread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QMessageBox

    from lstm_desktop.app import preload_heavy_modules
    from lstm_desktop.bench.gui import LatenessProbe
    from lstm_desktop.bench.gui_jobs import settle
    from lstm_desktop.gui.application import create_application
    from lstm_desktop.gui.main_window import MainWindow

    create_application()
    preload_heavy_modules().join()  # as the app does once its window is up
    window = MainWindow()
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.state.adopt(project_of(runs), None)
    settle(0.5)  # drawing the project just opened is not part of saving it
    probe = LatenessProbe()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "many.lstmproj"
        held = time.perf_counter()
        window.state.snapshot()
        snapshot_ms = (time.perf_counter() - held) * 1000
        probe.start()
        started = time.perf_counter()
        if not window.files.save_to(path):
            raise RuntimeError("the save failed")
        total = time.perf_counter() - started
        lateness = probe.stop()
        size = path.stat().st_size
    window.shutdown_workers()
    late = np.array(lateness or [0.0])
    return {
        "runs": runs,
        "file_mb": size / 2**20,
        "gui_thread_snapshot_ms": snapshot_ms,
        "save_seconds": total,
        "gui_lateness_ms": {
            "p50": float(np.percentile(late, 50)),
            "p99": float(np.percentile(late, 99)),
            "max": float(late.max()),
        },
    }


def save_lines(figures: dict) -> list[str]:
    late = figures["gui_lateness_ms"]
    return [
        f"save a {figures['runs']}-run project ({figures['file_mb']:.1f} MB) from the window: GUI thread held "
        f"{figures['gui_thread_snapshot_ms']:.1f} ms (the snapshot), the file written in "
        f"{figures['save_seconds']:.2f} s "
        f"by a worker; meanwhile the GUI answered a 10 ms timer late by p99 {late['p99']:.1f} ms, "
        f"max {late['max']:.1f} ms"
    ]
