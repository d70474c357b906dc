"""A search and a sweep started from the window (offscreen): their dialogs fill in live, every finished run lands
in the Runs tab, bad input is refused in the dialog before anything starts."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import small_settings


def texts(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_a_search_from_its_dialog_keeps_every_trial_and_scores_only_the_best_on_test(qtbot, window) -> None:
    small_settings(window, epochs=2, start="2010-01-01")
    qtbot.mouseClick(window.search_button, Qt.MouseButton.LeftButton)
    dialog = window.many.search_dialog
    assert dialog.isVisible() and dialog.space_text() == "window=20:120,hidden=16:128,lr=1e-4:1e-2:log"
    dialog.ranges["window"].setText("20:40")
    dialog.trials_spin.setValue(3)
    ended: list[int] = []
    dialog.trials.table.model().rowsInserted.connect(lambda *a: ended.append(dialog.trials.table.rowCount()))
    with qtbot.waitSignal(window.searchFinished, timeout=240_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
        assert window.stop_button.isEnabled()
    assert ended, "rows appeared while the search ran"
    table = dialog.trials.table
    assert texts(table, 0) == ["0", "1", "2"] and set(texts(table, 1)) <= {"complete", "pruned"}
    runs = window.state.project.runs
    study = runs[0].name.split(",")[0]  # "search N": the journal's next study
    assert [run.name for run in runs] == [f"{study}, trial {n}" for n in range(3)]
    scored = [run.name for run in runs if "test" in run.report.metrics]
    current = window.state.current
    assert scored == [current.name]  # only the best saw the test split, and it is the run shown
    assert [f.run for f in window.state.project.frozen] == [current.id]  # and only its forecast is tracked
    assert f"Best: trial {current.name.split()[-1]}" in dialog.status.text()
    assert window.runs_table.model.rowCount() == 3 and window.tabs.currentWidget() is window.runs_table
    ended = set(window.runs_table.column_texts("Training ended"))
    assert ended <= {"completed", "early stopping", "pruned"}  # a pruned trial says so in the Runs tab
    assert dialog.start_button.isEnabled() and not dialog.stop_button.isEnabled()


def test_a_bad_search_space_is_said_in_the_dialog_and_nothing_starts(qtbot, window) -> None:
    dialog = window.many.open_search()
    dialog.ranges["window"].setText("200:20")
    dialog.start_button.click()
    assert "low end must be below the high end" in dialog.status.text()
    assert not window.busy() and window.state.project.runs == []
    for tick in dialog.ticks.values():
        tick.setChecked(False)
    dialog.start_button.click()
    assert "Tick at least one setting" in dialog.status.text() and not window.busy()


def test_a_sweep_shows_a_row_per_ticker_failures_included_and_keeps_the_runs(qtbot, window) -> None:
    small_settings(window, epochs=2, start="2010-01-01")
    qtbot.mouseClick(window.sweep_button, Qt.MouseButton.LeftButton)
    dialog = window.many.sweep_dialog
    assert dialog.tickers.toPlainText() == "AAPL"  # the data panel's tickers are offered
    dialog.tickers.setPlainText("msft, NOPE\nibm")
    with qtbot.waitSignal(window.sweepFinished, timeout=240_000):
        dialog.start_button.click()
    table = dialog.table
    assert texts(table, 0) == ["MSFT", "NOPE", "IBM"]
    assert texts(table, 1) == ["done", "failed", "done"]
    assert "has no NOPE" in table.item(1, 6).text()
    skill = window.state.project.runs[0].report.metrics["test"].skill
    assert table.item(0, 2).text() == f"{skill:+.4f}"
    assert [run.name for run in window.state.project.runs] == ["sweep MSFT", "sweep IBM"]
    assert [f.ticker for f in window.state.project.frozen] == ["MSFT", "IBM"]  # every ticker's forecast is tracked
    assert "3 tickers, 2 runs kept, 1 without a run" in dialog.status.text()
    assert window.statusBar().currentMessage().startswith("Sweep ended: 3 tickers")  # not "running" any more


def test_a_sweep_of_yahoo_tickers_needs_tickers_and_says_so(qtbot, window) -> None:
    window.data_panel.source.setCurrentIndex(window.data_panel.source.findData("yahoo"))
    window.data_panel._set_tickers([])
    dialog = window.many.open_sweep()
    dialog.tickers.setPlainText("  ")
    dialog.start_button.click()
    assert "Type the tickers" in dialog.status.text() and not window.busy()
    dialog.tickers.setPlainText("AAPL aapl")
    dialog.start_button.click()
    assert "given twice" in dialog.status.text() and not window.busy()


def test_stop_ends_a_sweep_and_keeps_what_finished(qtbot, window) -> None:
    small_settings(window, epochs=40, start="2005-01-01")
    window.model_panel.patience.setValue(0)
    dialog = window.many.open_sweep()
    dialog.tickers.setPlainText("AAPL GOOG IBM MSFT")
    dialog.place.workers_spin.setValue(1)
    with qtbot.waitSignal(window.sweepFinished, timeout=240_000):
        dialog.start_button.click()
        qtbot.waitUntil(lambda: "epoch" in dialog.table.cell_text("AAPL", 1), timeout=120_000)
        dialog.stop_button.click()
    assert dialog.status.text().startswith("Stopped by you")
    statuses = texts(dialog.table, 1)
    assert "done" not in statuses[1:]  # stopped on the first ticker: the rest never ran
    assert len(window.state.project.runs) == statuses.count("done")
