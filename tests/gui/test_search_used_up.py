"""A search from the window over a space smaller than its budget tries each setting once and says the space was
used up, instead of training the same model again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import small_settings


def test_a_search_over_a_small_space_says_it_was_used_up(qtbot, window) -> None:
    small_settings(window, epochs=1, start="2012-01-01")
    dialog = window.many.open_search()
    for name, tick in dialog.ticks.items():
        tick.setChecked(name == "layers")
    dialog.ranges["layers"].setText("1:2")
    dialog.trials_spin.setValue(4)
    dialog.place.workers_spin.setValue(1)
    with qtbot.waitSignal(window.searchFinished, timeout=240_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.trials.table.rowCount() == 2
    layers = sorted(run.report.settings.model.layers for run in window.state.project.runs)
    assert layers == [1, 2]
    assert "holds 2 different setting(s) and every one was tried" in dialog.status.text()
