"""`lstm-desktop --self-test`: a scripted session on a fresh profile, offscreen, with no network.

Loads the bundled sample, trains 2 epochs, forecasts, saves and reopens a project in a temporary folder, runs a
backtest, a 2-ticker sweep, a 2-trial search and a comparison of two cells in worker processes, refreshes a project
trained on prices cut at a date from the whole CSV file and tracks its forecast, and prints each check. Exit code 0
only if every check held. The bundle's smoke test relies on it.
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


class _Checks:
    """Checks run one after another; each prints ok or FAIL."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool]] = []
        self.started = time.monotonic()

    def __call__(self, name: str, ok: bool) -> bool:
        self.results.append((name, ok))
        _say(f"{'ok  ' if ok else 'FAIL'} {name}")
        return ok

    def summary(self) -> int:
        passed = all(ok for _, ok in self.results)
        count = sum(ok for _, ok in self.results)
        _say(
            f"self-test {'passed' if passed else 'FAILED'}: {count} of {len(self.results)} checks "
            f"in {time.monotonic() - self.started:.1f} s"
        )
        return 0 if passed else 1


def _session(home: Path) -> int:
    from PySide6.QtWidgets import QMessageBox

    from .application import create_application
    from .main_window import MainWindow

    check = _Checks()
    app = create_application()
    window = MainWindow()
    errors: list[str] = []
    window.tell = lambda title, text: errors.append(f"{title}: {text}")  # no modal dialogs in a script
    window.ask = lambda *args: QMessageBox.StandardButton.Discard
    window.show()
    app.processEvents()
    check(f"window shown in {time.monotonic() - check.started:.2f} s", window.isVisible())
    from .bindings import none_references_lost

    check("Qt bindings keep Python's reference counts", none_references_lost() == 0)
    check("torch not imported before the window appeared", "torch" not in sys.modules)
    if _train_in_the_window(window, check):
        _save_and_reopen(window, check, home / "self-test.lstmproj")
    _many_runs_in_worker_processes(check)
    _sweep_and_search_in_the_window(window, check)
    _compare_two_cells_in_the_window(window, check)
    _refresh_and_track_in_the_window(window, check, home)
    for error in errors:
        _say(f"     message shown: {error}")
    stopped = window.shutdown_workers()
    check("no worker thread left running", stopped and not window.busy())
    if not stopped:  # destroying a running QThread would abort the process: leave at once instead
        os._exit(check.summary())
    window.close()
    return check.summary()


def _train_in_the_window(window: Any, check: _Checks) -> bool:
    window.data_panel.load.click()
    loaded = wait_for(window.dataLoaded, window, 60) and window.state.loaded is not None
    check("bundled sample loaded (no network)", loaded)
    window.model_panel.epochs.setValue(2)
    window.model_panel.forecast_days.setValue(10)
    check("settings accepted", window.model_panel.problem_text() is None and window.train_button.isEnabled())
    window.train_button.click()
    trained = wait_for(window.trainingFinished, window, 300) and window.state.current is not None
    check("trained 2 epochs", trained and len(window.state.current.report.history) == 2)
    if not trained:
        return False
    check("loss plot shows 2 epochs", window.loss_plot.point_count() == 2)
    lengths = window.price_plot.curve_lengths()
    check(
        "price plot shows actual, predictions and a 10-day forecast",
        lengths["actual"] > 0 and lengths["test"] > 0 and lengths["forecast"] == 10,
    )
    check("metrics table filled", window.metrics.table.rowCount() == 12)
    return True


def _save_and_reopen(window: Any, check: _Checks, path: Path) -> None:
    check("project saved", window.files.save_to(path) and path.is_file())
    stored = window.state.current.report.metrics
    window.files.open_path(path)
    reopened = wait_for(window.projectOpened, window, 60)
    check("project reopened", reopened)
    if reopened:
        check("reopened project shows the same scores", window.state.current.report.metrics == stored)
        check("reopened loss plot shows 2 epochs", window.loss_plot.point_count() == 2)


def _many_runs_in_worker_processes(check: _Checks) -> None:
    """A 2-fold backtest in spawned worker processes (the frozen bundle must be able to start them)."""
    from lstm_desktop.core.backtest.runner import backtest
    from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

    config = RunConfig(
        data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01"),
        dataset=DatasetSpec(window=10),
        model=ModelSpec(layers=1, hidden=4),
        train=TrainSpec(epochs=1, threads=1),
        forecast_days=3,
    )
    try:
        report = backtest(config, BacktestSpec(folds=2, fold_days=10, workers=2)).report.backtest
        check(f"2-fold backtest in {report.workers} worker processes", report.complete and len(report.folds) == 2)
    except Exception as exc:  # a self-test reports, it does not crash
        check(f"2-fold backtest in worker processes ({type(exc).__name__}: {exc})", False)


def _sweep_and_search_in_the_window(window: Any, check: _Checks) -> None:
    """A 2-ticker sweep and a 2-trial search (Optuna, journal file) from their dialogs, on local workers."""
    runs = len(window.state.project.runs)
    sweep = window.many.open_sweep()
    sweep.tickers.setPlainText("IBM MSFT")
    sweep.start_button.click()
    swept = wait_for(window.sweepFinished, window, 300)
    statuses = [sweep.table.cell_text(t, 1) for t in ("IBM", "MSFT")]
    check(f"2-ticker sweep in worker processes ({', '.join(statuses)})", swept and statuses == ["done", "done"])
    sweep.hide()
    search = window.many.open_search()
    search.trials_spin.setValue(2)
    search.start_button.click()
    searched = wait_for(window.searchFinished, window, 300)
    check("2-trial search (Optuna) in worker processes", searched and search.trials.table.rowCount() == 2)
    search.hide()
    check("the sweep's and the search's runs are in the project", len(window.state.project.runs) == runs + 4)


def _compare_two_cells_in_the_window(window: Any, check: _Checks) -> None:
    """LSTM against GRU from Run ▸ Compare models… (each a run, their pair tested), on local workers."""
    runs = len(window.state.project.runs)
    window.model_panel.window.setValue(20)
    window.model_panel.hidden.setValue(8)
    dialog = window.compare.open()
    dialog.cells["rnn"].setChecked(False)
    dialog.start_button.click()
    compared = wait_for(window.compareFinished, window, 300)
    statuses = [dialog.table.cell_text(name, 1) for name in ("LSTM", "GRU")]
    pair = dialog.pairs.value("LSTM", "GRU")
    check(f"LSTM and GRU compared in worker processes ({', '.join(statuses)}; adjusted p {pair or '?'})",
          compared and statuses == ["done", "done"] and bool(pair))  # fmt: skip
    cells = [run.report.settings.model.cell for run in window.state.project.runs[runs:]]
    check("both cells are runs of the project", cells == ["lstm", "gru"])
    dialog.hide()


def _cut_project(home: Path) -> tuple[Path, Path]:
    """IBM of the bundled sample as a CSV cut at 2012-06-29 and as the whole file; a 1-epoch project on the cut."""
    import pandas as pd

    from lstm_desktop.core.data.sources import sample_path
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project
    from lstm_desktop.core.store.project_io import save_project

    table = pd.read_csv(sample_path()).query("Ticker == 'IBM'").drop(columns=["Ticker"])
    for folder in ("cut", "full"):
        (home / folder).mkdir()
    table[table["Date"] <= "2012-06-29"].to_csv(home / "cut" / "IBM.csv", index=False)
    table.to_csv(home / "full" / "IBM.csv", index=False)
    config = RunConfig(
        data=DataRequest(source="csv", csv_path=str(home / "cut" / "IBM.csv"), start="2011-01-01"),
        dataset=DatasetSpec(window=10),
        model=ModelSpec(layers=1, hidden=4),
        train=TrainSpec(epochs=1, threads=1),
        forecast_days=10,
    )
    project = Project()
    project.add(run(config))
    return save_project(project, home / "cut.lstmproj"), home / "full" / "IBM.csv"


def _refresh_and_track_in_the_window(window: Any, check: _Checks, home: Path) -> None:
    """A project trained on prices cut at a date, refreshed from the whole CSV file; its forecast tracked."""
    try:
        path, full = _cut_project(home)
    except Exception as exc:  # a self-test reports, it does not crash
        check(f"a project trained on prices cut at a date ({type(exc).__name__}: {exc})", False)
        return
    window.files.open_path(path)
    if not check("project trained on prices cut at 2012-06-29 opened", wait_for(window.projectOpened, window, 60)):
        return
    window.tabs.setCurrentWidget(window.track_view)  # the tab scores only while it is shown
    window.track.refresh(str(full))
    refreshed = wait_for(window.track.refreshFinished, window, 60)
    live = window.state.project.live
    check(
        "prices refreshed from the whole CSV file",
        refreshed and live is not None and live.frames[0].end == "2013-03-01",
    )
    if not (window.track.rows and window.track.rows[0].days_known):  # scored a slice at a time, between events
        wait_for(window.track.trackingShown, window, 10)
    rows = window.track.rows
    known = rows[0].days_known if rows else 0
    check(f"its frozen forecast tracked on the days since ({known} of 10 days known)", known == 10)
    check(
        "the Track tab shows it",
        window.track_view.table.rowCount() == 1 and window.track_view.curve_lengths()["forecast"] == 11,
    )
