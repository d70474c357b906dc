"""The README's screenshot (docs/screenshot.png): the window at 1400×900 after a first run with the defaults on the
bundled sample, the Scores tab open. `python tools/readme_screenshot.py [OUT]` (offscreen; about a minute)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out: str = "docs/screenshot.png") -> None:
    from lstm_desktop.app import preload_heavy_modules
    from lstm_desktop.bench.gui_jobs import JobBench, settle
    from lstm_desktop.gui.self_test import wait_for

    bench = JobBench()
    window = bench.window
    preload_heavy_modules().join()
    window.resize(1400, 900)
    settle(0.5)
    window.data_panel.load.click()
    if not wait_for(window.dataLoaded, window, 120):
        raise SystemExit("the bundled sample did not load")
    window.train_button.click()
    if not wait_for(window.trainingFinished, window, 600):
        raise SystemExit("the first run did not finish in 10 minutes")
    settle(1.0)
    window.tabs.setCurrentWidget(window.metrics)
    settle(0.5)
    window.grab().save(out)
    bench.close()
    print(f"saved {out}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
