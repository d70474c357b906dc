"""Run ▸ Compare models… in the window (offscreen): rows fill in as variants end, the pairwise matrix and the
verdict appear, the chosen rows' predictions are overlaid, every variant lands in the project as a run, and a
comparison that cannot be made is said in the dialog before anything starts."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import Qt

from .conftest import small_settings


def texts(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_compare_two_cells_and_an_input_left_out(qtbot, window, freezes) -> None:
    small_settings(window, epochs=2, start="2010-01-01")
    window.model_panel.features["Volume"].setChecked(True)
    qtbot.mouseClick(window.compare_button, Qt.MouseButton.LeftButton)
    dialog = window.compare.dialog
    assert dialog.isVisible() and dialog.extras.text() == "(Volume)" and dialog.drop_inputs.isEnabled()
    dialog.cells["rnn"].setChecked(False)
    dialog.drop_inputs.setChecked(True)
    ended: list[str] = []
    dialog.table.itemChanged.connect(lambda item: ended.append(item.text()) if item.column() == 1 else None)
    bar: list[tuple[int, int]] = []  # the main window's progress bar, not just the dialog's rows
    window.progress.valueChanged.connect(lambda value: bar.append((value, window.progress.maximum())))
    with qtbot.waitSignal(window.compareFinished, timeout=240_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    assert "done" in ended and "waiting" in ended  # rows appeared, then filled in, while it ran
    assert any(0 < value < top for value, top in bar), bar  # the window's bar moved while it ran
    assert window.progress.value() == window.progress.maximum() and "3 variants" in window.progress.text()
    table = dialog.table
    assert texts(table, 0) == ["LSTM", "GRU", "LSTM without Volume", "persistence", "drift", "ridge"]
    assert texts(table, 1) == ["done"] * 3 + ["baseline"] * 3
    runs = window.state.project.runs
    assert [r.name for r in runs] == ["compare LSTM", "compare GRU", "compare LSTM without Volume"]
    assert [r.report.settings.model.cell for r in runs] == ["lstm", "gru", "lstm"]
    assert [f.run for f in window.state.project.frozen] == [r.id for r in runs]
    assert len(freezes) == 3 and threading.main_thread().name not in freezes  # once each, in the task
    assert table.item(0, 2).text() == f"{runs[0].report.metrics['test'].model.rmse:.4f}"
    pairs = dialog.pairs
    assert pairs.rowCount() == pairs.columnCount() == 3
    assert pairs.value("LSTM", "GRU") and pairs.value("LSTM", "LSTM without Volume")
    assert pairs.value("GRU", "LSTM without Volume") == ""  # not a tested pair
    assert "without Volume the skill changes by" in pairs.item(0, 2).toolTip()
    assert dialog.verdict.text().endswith(".") and "Volume" in dialog.verdict.text()
    assert dialog.curve_names() == ["actual", "LSTM"]
    table.selectRow(0)
    table.setSelectionMode(table.SelectionMode.MultiSelection)
    table.selectRow(1)
    assert dialog.curve_names() == ["actual", "LSTM", "GRU"]
    assert "3 variants, 3 kept as runs, 0 without a run" in dialog.status.text()
    assert dialog.start_button.isEnabled() and not dialog.stop_button.isEnabled()
    if os.environ.get("LSTM_DESKTOP_SCREENSHOTS"):
        dialog.grab().save(os.environ["LSTM_DESKTOP_SCREENSHOTS"] + "/compare.png")


def test_a_comparison_that_cannot_be_made_is_said_in_the_dialog(qtbot, window) -> None:
    dialog = window.compare.open()
    assert dialog.extras.text().startswith("(no extra inputs") and not dialog.drop_inputs.isEnabled()
    for cell in ("gru", "rnn"):
        dialog.cells[cell].setChecked(False)
    dialog.start_button.click()
    assert "needs two or more cells" in dialog.status.text() and not window.busy()
    assert window.state.project.runs == []
    menu_action = window.findChild(object, "compareModelsAction")
    assert menu_action is not None and menu_action.text() == "&Compare models…"
