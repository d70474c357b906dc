"""The real window, driven as a user would: load, train, watch, stop, save, reopen, and break it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from lstm_desktop.core.data.sources import sample_tickers
from lstm_desktop.gui.data_panel import SAMPLE_TICKERS

from .conftest import small_settings

NAMES = [
    "tickerInput",
    "addTickerButton",
    "tickerList",
    "startDate",
    "endDate",
    "loadDataButton",
    "windowSpin",
    "horizonSpin",
    "layersSpin",
    "hiddenSpin",
    "dropoutSpin",
    "epochsSpin",
    "batchSpin",
    "learningRateSpin",
    "patienceSpin",
    "seedSpin",
    "trainButton",
    "stopButton",
    "progressBar",
    "lossPlot",
    "pricePlot",
    "metricsTable",
    "forecastDaysSpin",
    "precisionCombo",
    "cellCombo",
    "compareModelsButton",
]


def test_widgets_carry_automation_names(window) -> None:
    for name in NAMES:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName() == name


def test_the_window_fits_a_1024_pixel_screen(window) -> None:
    """Laptops and projectors still have 1024-pixel-wide screens; a long hint once held the window at 1154."""
    assert window.minimumSizeHint().width() <= 1024
    assert window.minimumSizeHint().height() <= 700


def test_first_run_defaults_to_the_bundled_sample(window) -> None:
    assert window.data_panel.source.currentData() == "sample"
    assert window.data_panel.tickers_list() == ["AAPL"]
    assert window.train_button.isEnabled() and not window.stop_button.isEnabled()
    assert tuple(sample_tickers()) == SAMPLE_TICKERS


def test_window_appears_before_torch_is_imported() -> None:
    script = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from lstm_desktop.gui.application import create_application\n"
        "from lstm_desktop.gui.main_window import MainWindow\n"
        "app = create_application(); w = MainWindow(); w.show(); app.processEvents()\n"
        "print(w.isVisible(), 'torch' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False", "False"], done.stderr


def test_load_train_watch_stop(qtbot, window) -> None:
    small_settings(window, epochs=500)
    window.model_panel.patience.setValue(0)
    with qtbot.waitSignal(window.dataLoaded, timeout=30_000):
        qtbot.mouseClick(window.data_panel.load, Qt.MouseButton.LeftButton)
    assert "AAPL: 1047 rows, 2009-01-02 to 2013-03-01" in window.data_panel.info.text()
    assert window.price_plot.curve_lengths()["actual"] == 1047

    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    assert window.stop_button.isEnabled() and not window.train_button.isEnabled()
    # the loss plot grows while training is still running, not only at the end
    qtbot.waitUntil(lambda: window.loss_plot.point_count() >= 3, timeout=60_000)
    assert window.busy()
    assert "epoch" in window.progress.format()
    with qtbot.waitSignal(window.trainingFinished, timeout=60_000):
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    report = window.state.current.report
    assert report.stopped == "user" and 3 <= len(report.history) < 500
    assert window.loss_plot.point_count() == len(report.history)
    lengths = window.price_plot.curve_lengths()
    assert lengths["test"] == len(report.predictions["test"]) and lengths["forecast"] == 12
    legend = [label.text for _, label in window.price_plot.legend.items]  # drawn on a turn after the curves
    assert legend[0] == "actual" and "predicted (test)" in legend and legend[-1].startswith("forecast (shaded")
    assert window.metrics.table.rowCount() == 12
    assert "tomorrow = today" in window.metrics.summary.text()
    assert "stopped by you" in window.progress.format()
    table = window.forecast_table.table  # the forecast as a table: date, value, band
    assert table.rowCount() == 12 and table.item(0, 0).text() == str(report.forecast.dates[0])
    assert float(table.item(0, 2).text()) <= float(table.item(0, 1).text()) <= float(table.item(0, 3).text())
    assert "random-walk band" in window.metrics.band.text() and "test origins inside" in window.metrics.band.text()
    header = window.forecast_table.text().splitlines()[0]
    assert header == "Date\tForecast\t50% low\t50% high\t80% low\t80% high\t90% low\t90% high\t95% low\t95% high"
    assert window.isWindowModified()


def test_train_save_reopen_shows_the_same(qtbot, window, dialogs, tmp_path: Path) -> None:
    small_settings(window, epochs=3)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000):  # Train loads the data itself
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    assert window.state.loaded is not None and len(window.state.current.report.history) == 3
    window.notes.setPlainText("a note to keep")
    path = tmp_path / "run.lstmproj"
    assert window.files.save_to(path) and not window.isWindowModified()
    assert "run.lstmproj" in window.windowTitle()
    metrics = window.state.current.report.metrics
    forecast = window.state.current.report.forecast
    export = tmp_path / "predictions.csv"
    assert window.files.export_predictions(export)
    lines = export.read_text().splitlines()
    assert lines[0] == "date,split,actual,predicted,lower,upper,drawn" and lines[-1].split(",")[1] == "forecast"

    window.files.new()
    assert window.state.current is None and window.model_panel.window.value() == 20
    assert window.price_plot.curve_lengths()["actual"] == 0
    with qtbot.waitSignal(window.projectOpened, timeout=30_000):
        window.files.open_path(path)
    reopened = window.state.current.report
    assert reopened.metrics == metrics and np.array_equal(reopened.forecast.value, forecast.value)
    assert window.model_panel.window.value() == 20 and window.model_panel.hidden.value() == 8
    assert window.loss_plot.point_count() == 3 and window.metrics.table.rowCount() == 12
    assert window.price_plot.curve_lengths()["forecast"] == 12
    assert window.notes.toPlainText() == "a note to keep" and not window.isWindowModified()
    assert window.recent.paths()[0] == path.resolve()

    window.model_panel.forecast_days.setValue(5)
    with qtbot.waitSignal(window.forecastUpdated, timeout=30_000):
        qtbot.mouseClick(window.forecast_button, Qt.MouseButton.LeftButton)
    assert window.price_plot.curve_lengths()["forecast"] == 5
    assert dialogs.told == []


def test_errors_are_messages_and_the_window_stays_usable(qtbot, window, dialogs, tmp_path: Path, monkeypatch) -> None:
    window.data_panel.source.setCurrentIndex(window.data_panel.source.findData("csv"))
    window.data_panel.csv_path.setText(str(tmp_path / "missing.csv"))
    with qtbot.waitSignal(window.errorShown, timeout=10_000):
        window.data_panel.load.click()
    assert "File not found" in dialogs.told[-1][1]
    qtbot.waitUntil(lambda: window.data_panel.load.isEnabled())

    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Close\n2024-01-02,10\n2024-01-03,ten\n")
    window.data_panel.csv_path.setText(str(bad))
    with qtbot.waitSignal(window.errorShown, timeout=10_000):
        window.data_panel.load.click()
    assert "not a number: 'ten'" in dialogs.told[-1][1]
    qtbot.waitUntil(lambda: not window.busy())

    from lstm_desktop.core.data import yahoo

    monkeypatch.setattr(yahoo, "network_available", lambda *a, **k: False)
    window.data_panel.source.setCurrentIndex(window.data_panel.source.findData("yahoo"))
    window.data_panel._set_tickers(["ZZZZ"])
    with qtbot.waitSignal(window.errorShown, timeout=10_000):
        window.data_panel.load.click()
    assert "No internet connection and no cached prices for ZZZZ" in dialogs.told[-1][1]
    qtbot.waitUntil(lambda: not window.busy())

    junk = tmp_path / "junk.lstmproj"
    junk.write_bytes(b"\x00" * 100)
    with qtbot.waitSignal(window.errorShown, timeout=10_000):
        window.files.open_path(junk)
    assert "not an lstm-desktop project" in dialogs.told[-1][1]

    qtbot.waitUntil(lambda: not window.busy())
    window.data_panel.source.setCurrentIndex(window.data_panel.source.findData("sample"))
    window.data_panel._set_tickers(["MSFT"])
    window.data_panel.start.setDate(QDate(2012, 1, 1))  # 292 rows
    with qtbot.waitSignal(window.dataLoaded, timeout=30_000):
        window.data_panel.load.click()
    window.model_panel.window.setValue(250)  # more than 292 rows allow
    assert not window.train_button.isEnabled()
    assert "Too little data for the train split" in window.model_panel.problem.text()
    assert window.model_panel.problem.isVisibleTo(window)
    window.model_panel.window.setValue(50)
    assert window.train_button.isEnabled() and not window.model_panel.problem.isVisibleTo(window)


def test_bfloat16_is_trained_or_refused_with_the_reason(qtbot, window, dialogs, tmp_path: Path) -> None:
    from lstm_desktop.core.learn.device import bfloat16_problem

    small_settings(window, epochs=2)
    combo = window.model_panel.precision
    combo.setCurrentIndex(combo.findData("bfloat16"))
    assert window.model_panel.config(window.data_panel.request()).train.precision == "bfloat16"
    if bfloat16_problem("cpu"):
        with qtbot.waitSignal(window.errorShown, timeout=60_000):
            qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
        assert "cannot train an LSTM in bfloat16" in dialogs.told[-1][1]
        qtbot.waitUntil(lambda: not window.busy())
        assert window.train_button.isEnabled()
    else:
        with qtbot.waitSignal(window.trainingFinished, timeout=120_000):
            qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
        assert window.files.save_to(tmp_path / "bf16.lstmproj")
        window.files.new()
        assert combo.currentData() == "float32"
        with qtbot.waitSignal(window.projectOpened, timeout=30_000):
            window.files.open_path(tmp_path / "bf16.lstmproj")
        assert combo.currentData() == "bfloat16"
    window.model_panel.reference.click()
    assert combo.currentData() == "float32"  # the reference setup trains in float32


def test_close_during_training_asks_then_stops_cleanly(qtbot, window, dialogs) -> None:
    small_settings(window, epochs=1000)
    window.model_panel.patience.setValue(0)
    window.train_button.click()
    qtbot.waitUntil(lambda: window.loss_plot.point_count() >= 1, timeout=60_000)
    dialogs.answers = [QMessageBox.StandardButton.No]
    window.close()
    assert window.isVisible() and window.busy()  # "No" keeps it running
    dialogs.answers = [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Discard]
    window.close()
    assert not window.isVisible() and not window.busy()
    assert dialogs.asked == ["Training is running", "Training is running", "Unsaved changes"]
    assert window.state.current is not None and window.state.current.report.stopped == "user"  # not lost


def test_crash_recovery_is_offered_and_reopens_the_work(qtbot, window, dialogs) -> None:
    from tests.core.test_workspace import CRASH

    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=120)
    crashed = Path(done.stdout.strip())
    assert done.returncode == 9 and crashed.exists(), done.stderr
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    with qtbot.waitSignal(window.projectOpened, timeout=30_000):
        window.files.offer_recovery()
    assert window.notes.toPlainText() == "unsaved work"
    assert window.data_panel.tickers_list() == ["IBM"] and window.isWindowModified()
    assert "recovered" in window.windowTitle()
    assert not crashed.exists()


def test_yahoo_in_the_window_replayed(qtbot, window, dialogs, yahoo_replay, monkeypatch) -> None:
    from lstm_desktop.core.data import yahoo

    monkeypatch.setattr(yahoo, "network_available", lambda *a, **k: True)
    panel = window.data_panel
    panel.source.setCurrentIndex(panel.source.findData("yahoo"))
    panel._set_tickers(["NOPE"])
    with qtbot.waitSignal(window.errorShown, timeout=30_000):
        panel.load.click()
    assert "does not know the ticker 'NOPE'" in dialogs.told[-1][1]
    qtbot.waitUntil(lambda: not window.busy())
    panel._set_tickers(["IBM"])
    panel.start.setDate(QDate(2005, 1, 1))
    panel.end.setDate(QDate(2010, 12, 31))
    with qtbot.waitSignal(window.dataLoaded, timeout=30_000):
        panel.load.click()
    assert "IBM: 1511 rows, 2005-01-03 to 2010-12-31 (downloaded)" in panel.info.text()


def test_a_target_mode_other_than_the_default_says_what_the_measurements_found(window) -> None:
    panel = window.model_panel
    assert not panel.mode_note.isVisibleTo(window)  # log return, the default: nothing to say
    panel.mode.setCurrentIndex(panel.mode.findData("price"))
    assert panel.mode_note.isVisibleTo(window) and "log return" in panel.mode_note.text()
    panel.mode.setCurrentIndex(panel.mode.findData("price_level"))
    assert "cannot reach prices above it" in panel.mode_note.text()
    panel.mode.setCurrentIndex(panel.mode.findData("log_return"))
    assert not panel.mode_note.isVisibleTo(window)
