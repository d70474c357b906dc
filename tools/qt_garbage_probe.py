"""Which Qt objects the window's own jobs leave as cyclic garbage: `python tools/qt_garbage_probe.py` (offscreen).

Python's automatic collection runs in whichever thread allocates. Garbage holding Qt objects, deleted that way
from a worker thread while PySide deletes their parents in the GUI thread, deadlocks both threads (seen in the
test suite; see docs/design.md, "Garbage and Qt objects"). The app keeps Python's own collection because its jobs
leave no such garbage: this probe checks that. It loads the bundled sample, trains, backtests, trains again and
opens every tab, with `gc.DEBUG_SAVEALL` keeping what each collection finds, and prints the Qt types among it (an
empty dict each line is what it should print). It waits with the self-test's `wait_for`, not the bench's
JobBench, whose own closures and stack samples keep Qt objects in cycles.
"""

from __future__ import annotations

import collections
import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
    from lstm_desktop.bench.gui_jobs import settle
    from lstm_desktop.gui.application import create_application
    from lstm_desktop.gui.main_window import MainWindow
    from lstm_desktop.gui.self_test import wait_for

    create_application()
    window = MainWindow()
    window.tell = lambda title, text: print(f"{title}: {text}")
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.resize(1400, 900)
    window.show()
    preload_heavy_modules().join()
    window.data_panel.load.click()
    if not wait_for(window.dataLoaded, window, 120):
        raise SystemExit("the sample did not load")
    window.model_panel.epochs.setValue(4)
    window.model_panel.patience.setValue(0)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        jobs = (
            ("training", window.train_button, window.trainingFinished),
            ("backtest", window.backtest_panel.button, window.backtestFinished),
            ("training", window.train_button, window.trainingFinished),
        )
        for name, button, finished in jobs:
            button.click()
            if not wait_for(finished, window, 300):
                raise SystemExit(f"the {name} did not finish")
            settle(1.0)
            print(f"after a {name}: Qt objects in cyclic garbage {qt_garbage()}", flush=True)
        for tab in range(window.tabs.count()):
            window.tabs.setCurrentIndex(tab)
            settle(0.3)
        print(f"after every tab was shown: Qt objects in cyclic garbage {qt_garbage()}", flush=True)
    finally:
        gc.set_debug(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
