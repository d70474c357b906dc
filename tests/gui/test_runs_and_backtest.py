"""Every run kept and compared, and a walk-forward backtest, in the real window (offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from .conftest import small_settings


def train(qtbot, window, **changes) -> None:
    panel = window.model_panel
    for name, value in changes.items():
        widget = getattr(panel, name)
        if hasattr(widget, "findData"):
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.setValue(value)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000):
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)


def column_texts(runs_table, header: str) -> list[str]:
    return runs_table.column_texts(header)


def test_three_runs_are_kept_shown_compared_and_reopened(qtbot, window, dialogs, tmp_path: Path) -> None:
    small_settings(window, epochs=2, start="2010-01-01")
    train(qtbot, window)
    train(qtbot, window, hidden=6)
    train(qtbot, window, mode="price")
    table = window.runs_table
    assert table.model.rowCount() == 3 and column_texts(table, "Name") == ["run 1", "run 2", "run 3"]
    assert column_texts(table, "model.hidden") == ["8", "6", "6"]  # only the settings that differ have columns
    assert column_texts(table, "dataset.target_mode") == ["log_return", "log_return", "price"]
    skills = column_texts(table, "Test skill")
    assert skills[2] == f"{window.state.current.report.metrics['test'].skill:+.4f}"

    ids = [run.id for run in window.state.project.runs]
    window.tabs.setCurrentWidget(window.runs_table)
    window.runs_table.select_ids(ids[:2])
    window.runs_table.compare_button.click()
    drawn = {item.name() for item in window.price_plot.extras if hasattr(item, "name") and item.name()}
    assert drawn == {"run 1 (test)", "run 2 (test)"}  # exactly the selected runs
    assert len(window.loss_plot.run_curves) == 2
    diff = window.runs_table.diff
    assert diff.isVisibleTo(window) and diff.rowCount() == 1 and diff.item(0, 0).text() == "model.hidden"

    table.table.doubleClicked.emit(table.model.index(0, 2))  # double-click makes a run current (ends the compare)
    assert window.state.current.id == ids[0] and window.price_plot.extras == []
    assert window.model_panel.hidden.value() == 8

    window.state.rename_run(ids[1], "smaller")
    window.state.star_run(ids[1], True)
    path = tmp_path / "three.lstmproj"
    assert window.files.save_to(path)
    window.files.new()
    with qtbot.waitSignal(window.projectOpened, timeout=30_000):
        window.files.open_path(path)
    assert column_texts(window.runs_table, "Name") == ["run 1", "smaller", "run 3"]
    assert column_texts(window.runs_table, "★") == ["", "★", ""]
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    window.runs.delete([ids[2]])
    assert dialogs.asked[-1] == "Delete runs?" and window.runs_table.model.rowCount() == 2
    assert window.isWindowModified()


def test_a_backtest_in_the_window_is_shown_saved_and_shown_again(qtbot, window, tmp_path: Path) -> None:
    small_settings(window, epochs=2, start="2010-06-01")
    window.backtest_panel.folds.setValue(3)
    window.backtest_panel.fold_days.setValue(10)
    with qtbot.waitSignal(window.backtestFinished, timeout=300_000):
        qtbot.mouseClick(window.backtest_panel.button, Qt.MouseButton.LeftButton)
    backtest = window.state.current.report.backtest
    assert backtest.complete and len(backtest.folds) == 3
    assert window.tabs.currentWidget() is window.backtest_view
    assert window.backtest_view.table.rowCount() == 3
    assert len(window.backtest_view.bars.opts["height"]) == 3
    assert "of 3 periods" in window.backtest_view.verdict.text()
    plot = window.price_plot
    assert plot.folds.spans.count() == 3  # each fold's test block shaded on the price plot
    assert plot.curve_lengths()["forecast"] == 0 and len(plot.folds.line.xData) == sum(
        len(f.predictions) for f in backtest.folds
    )
    assert all(fill.path().isEmpty() for fill in plot.fills)  # no stale forecast band beside the folds
    view = plot.plot.getViewBox()
    (x_low, x_high), (_, y_high) = view.viewRange()
    assert y_high >= np.nanmax(plot.folds.band[1].yData)  # the folds' band inside the frame, not off its top
    plot.whole.setChecked(True)  # every date, then back to the folds
    qtbot.waitUntil(lambda: view.viewRange()[0][0] < x_low - 365 * 86400, timeout=5_000)  # auto range: on a paint
    plot.whole.setChecked(False)
    assert view.viewRange()[0] == pytest.approx([x_low, x_high])
    plot.readout.setText("fold prediction 69.95")  # as under the mouse
    plot.cross_v.show()
    window.tabs.setCurrentWidget(window.metrics)
    assert plot.readout.text().strip() == "" and not plot.cross_v.isVisible()  # no reading of the folds left
    assert plot.folds.spans.count() == 0 and plot.folds.line.xData is None  # leaving the tab shows the run again
    assert plot.curve_lengths()["forecast"] > 0 and not plot.band.path().isEmpty()

    path = tmp_path / "bt.lstmproj"
    assert window.files.save_to(path)
    window.files.new()
    assert window.backtest_view.table.rowCount() == 0
    with qtbot.waitSignal(window.projectOpened, timeout=30_000):
        window.files.open_path(path)
    assert window.backtest_view.table.rowCount() == 3  # shown again with no retraining


def test_a_backtest_that_cannot_fit_is_refused_before_training(qtbot, window, dialogs) -> None:
    small_settings(window, epochs=2, start="2012-06-01")
    window.backtest_panel.folds.setValue(40)
    with qtbot.waitSignal(window.errorShown, timeout=60_000):
        window.backtest_panel.button.click()
    assert "fit these" in dialogs.told[-1][1] and "Choose fewer or shorter folds" in dialogs.told[-1][1]
    qtbot.waitUntil(lambda: not window.busy())
    window.data_panel.start.setDate(QDate(2012, 6, 1))


def test_a_first_training_is_framed_on_its_planned_epochs_while_it_runs(qtbot, window, monkeypatch) -> None:
    """Loading the data at a training's start clears the loss plot; the frame still holds the planned epochs, so a
    run that stops early showed its epochs growing into that frame, not a frame that widened at every epoch."""
    small_settings(window, epochs=40)
    window.model_panel.patience.setValue(1)
    loss = window.loss_plot
    view = loss.plot.getViewBox()
    widths: list[float] = []
    add = loss.add

    def add_and_draw(*args) -> None:  # a training's epoch drawn at once (the window draws a few times a second)
        add(*args)
        if len(args) == 5:  # an epoch of the training (a finished run's history is added without `planned`)
            loss.redraw()
            widths.append(view.viewRange()[0][1])

    monkeypatch.setattr(loss, "add", add_and_draw)
    train(qtbot, window)
    report = window.state.current.report
    assert report.stopped == "early_stopping" and len(report.history) < 40
    assert widths and all(width == 40.5 for width in widths)  # every epoch drawn in the planned frame
    assert view.viewRange()[0] == [0.5, len(report.history) + 0.5]  # the finished run: framed on its epochs
