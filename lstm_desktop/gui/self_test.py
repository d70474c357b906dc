"""`lstm-desktop --self-test`: a scripted session on a fresh profile, offscreen, with no network.

Loads the bundled sample, trains 2 epochs, forecasts, saves and reopens a project in a temporary folder, and
prints each check. Exit code 0 only if every check held. The bundle's smoke test relies on it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _say(text: str) -> None:
    if sys.stdout is not None:
        print(text, flush=True)


def wait_for(signal: Any, window: Any, seconds: float) -> bool:
    """Run the event loop until `signal` fires (True) or an error is shown or time runs out (False)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired = {"ok": False}

    def on_signal(*args: Any) -> None:
        fired["ok"] = True
        loop.quit()

    signal.connect(on_signal)
    window.errorShown.connect(loop.quit)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    signal.disconnect(on_signal)
    window.errorShown.disconnect(loop.quit)
    return fired["ok"]


def run_self_test() -> int:
    with tempfile.TemporaryDirectory(prefix="lstm-desktop-selftest-") as home:
        os.environ["LSTM_DESKTOP_HOME"] = home
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return _session(Path(home))


def _session(home: Path) -> int:
    from PySide6.QtWidgets import QMessageBox

    from .application import create_application
    from .main_window import MainWindow

    results: list[tuple[str, bool]] = []

    def check(name: str, ok: bool) -> bool:
        results.append((name, ok))
        _say(f"{'ok  ' if ok else 'FAIL'} {name}")
        return ok

    started = time.monotonic()
    app = create_application()
    window = MainWindow()
    errors: list[str] = []
    window.tell = lambda title, text: errors.append(f"{title}: {text}")  # no modal dialogs in a script
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.show()
    app.processEvents()
    check(f"window shown in {time.monotonic() - started:.2f} s", window.isVisible())
    from .bindings import none_references_lost

    check("Qt bindings keep Python's reference counts", none_references_lost() == 0)
    check("torch not imported before the window appeared", "torch" not in sys.modules)

    window.data_panel.load.click()
    check(
        "bundled sample loaded (no network)",
        wait_for(window.dataLoaded, window, 60) and window.state.loaded is not None,
    )
    window.model_panel.epochs.setValue(2)
    window.model_panel.forecast_days.setValue(10)
    check("settings accepted", window.model_panel.problem_text() is None and window.train_button.isEnabled())
    window.train_button.click()
    trained = wait_for(window.trainingFinished, window, 300)
    run = window.state.current
    check("trained 2 epochs", trained and run is not None and len(run.report.history) == 2)
    if trained and run is not None:
        check("loss plot shows 2 epochs", window.loss_plot.point_count() == 2)
        lengths = window.price_plot.curve_lengths()
        check(
            "price plot shows actual, predictions and a 10-day forecast",
            lengths["actual"] > 0 and lengths["test"] > 0 and lengths["forecast"] == 10,
        )
        check("metrics table filled", window.metrics.table.rowCount() >= 9)
        path = home / "self-test.lstmproj"
        saved = window.files.save_to(path)
        check("project saved", saved and path.is_file())
        stored = run.report.metrics
        window.files.open_path(path)
        reopened = wait_for(window.projectOpened, window, 60)
        check("project reopened", reopened)
        if reopened:
            check("reopened project shows the same scores", window.state.current.report.metrics == stored)
            check("reopened loss plot shows 2 epochs", window.loss_plot.point_count() == 2)
    for error in errors:
        _say(f"     message shown: {error}")
    window.shutdown_workers()
    check("no worker thread left running", not window.busy())
    window.close()
    passed = all(ok for _, ok in results)
    _say(
        f"self-test {'passed' if passed else 'FAILED'}: {sum(ok for _, ok in results)} of {len(results)} checks "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0 if passed else 1
