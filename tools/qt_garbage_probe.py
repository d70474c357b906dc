"""Which Qt objects the window's own jobs leave as cyclic garbage: `python tools/qt_garbage_probe.py` (offscreen).

Python's automatic collection runs in whichever thread allocates. Garbage holding Qt objects, deleted that way
from a worker thread while PySide deletes their parents in the GUI thread, deadlocks both threads (seen in the
test suite; see docs/design.md, "Garbage and Qt objects"). The app keeps Python's own collection because its jobs
leave no such garbage: this probe checks that. It loads the bundled sample, trains, backtests, trains again and
opens every tab, with `gc.DEBUG_SAVEALL` keeping what each collection finds, and prints the Qt types among it (an
empty dict each line is what it should print). No bench harness runs in between: its own closures hold Qt objects.
"""

from __future__ import annotations

import collections
import gc
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pump(app: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def until(app: object, seen: list, limit_s: float = 300) -> None:
    end = time.monotonic() + limit_s
    while not seen and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    if not seen:
        raise SystemExit(f"no answer within {limit_s:.0f} s")


def qt_garbage() -> dict[str, int]:
    """The Qt wrappers among the garbage kept since the last call, by type; the kept garbage is then let go."""
    import shiboken6

    gc.collect()
    kinds = collections.Counter(type(o).__name__ for o in gc.garbage if isinstance(o, shiboken6.Shiboken.Object))
    del gc.garbage[:]
    return dict(kinds)


def main() -> int:
    from PySide6.QtWidgets import QMessageBox

    from lstm_desktop.app import preload_heavy_modules
    from lstm_desktop.gui.application import create_application
    from lstm_desktop.gui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    window.tell = lambda title, text: print(f"{title}: {text}")
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.resize(1400, 900)
    window.show()
    preload_heavy_modules().join()
    seen: dict[str, list] = {"loaded": [], "trained": [], "backtested": []}
    window.dataLoaded.connect(lambda *args: seen["loaded"].append(1))
    window.trainingFinished.connect(lambda *args: seen["trained"].append(1))
    window.backtestFinished.connect(lambda *args: seen["backtested"].append(1))
    window.data_panel.load.click()
    until(app, seen["loaded"])
    window.model_panel.epochs.setValue(4)
    window.model_panel.patience.setValue(0)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        jobs = (
            ("trained", window.train_button),
            ("backtested", window.backtest_panel.button),
            ("trained", window.train_button),
        )
        for name, button in jobs:
            button.click()
            until(app, seen[name])
            seen[name].clear()
            pump(app, 1.0)
            print(f"after it {name}: Qt objects in cyclic garbage {qt_garbage()}", flush=True)
        for tab in range(window.tabs.count()):
            window.tabs.setCurrentIndex(tab)
            pump(app, 0.3)
        print(f"after every tab was shown: Qt objects in cyclic garbage {qt_garbage()}", flush=True)
    finally:
        gc.set_debug(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
