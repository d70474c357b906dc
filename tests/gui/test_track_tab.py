"""The Track tab in the window: a project trained on prices cut at a date, refreshed with the whole file (File ▸
Refresh prices), its frozen forecast in `trackTable` and on `trackPlot` against what happened; Run ▸ Update model
adds a run whose parent the Runs table shows; an alarm in words; a refused file said, the project unchanged. The
tab scores only while shown; a run made in a worker has its forecast frozen there, once."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QTableWidget

from lstm_desktop.core.codec import to_json
from lstm_desktop.core.living.frozen import freeze
from lstm_desktop.core.run import FinishedRun

from ..living_data import CUT, cut_and_full, sample_rows, train_small, write_csv
from .conftest import small_settings


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tracktab")
    cut, full = cut_and_full(folder)
    return train_small(cut, folder / "cut.lstmproj"), full


def opened(window, qtbot, trained, tmp_path: Path, show: bool = True) -> Path:
    """The trained project opened; `show`: the Track tab opened too (it scores only while shown)."""
    path = tmp_path / "cut.lstmproj"
    shutil.copy(trained[0], path)
    with qtbot.waitSignal(window.projectOpened, timeout=60_000):
        window.files.open_path(path)
    if show:
        window.tabs.setCurrentWidget(window.track_view)
    return path


def refreshed(window, qtbot, csv: Path) -> None:
    with qtbot.waitSignal(window.track.refreshFinished, timeout=60_000):
        assert window.track.refresh(str(csv))
    qtbot.waitUntil(lambda: all(r.days_known for r in window.track.rows[:1]), timeout=10_000)


def cells(table: QTableWidget, row: int) -> dict[str, str]:
    return {table.horizontalHeaderItem(c).text(): table.item(row, c).text() for c in range(table.columnCount())}


def test_the_track_tab_shows_the_frozen_forecast_against_what_happened(window, qtbot, trained, tmp_path) -> None:
    opened(window, qtbot, trained, tmp_path)
    window.tabs.setCurrentWidget(window.track_view)
    table = window.findChild(QTableWidget, "trackTable")
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10_000)
    assert cells(table, 0)["Days"] == "0" and "no day known yet" in window.track_view.text.text()
    assert window.findChild(QAction, "refreshAction").isEnabled() and window.data_panel.refresh.isEnabled()
    refreshed(window, qtbot, trained[1])
    row = cells(table, 0)
    assert row["Origin"] == CUT and row["Days"] == "20" and row["Run"] == "run 1" and row["Inside"].endswith("/20")
    assert window.findChild(type(window.track_view.plot), "trackPlot") is window.track_view.plot
    lengths = window.track_view.curve_lengths()
    assert lengths["forecast"] == 21 and lengths["inside"] + lengths["outside"] == 20 and lengths["actual"] > 20
    words = window.findChild(QLabel, "trackTextLabel").text()
    assert words.startswith("Since 2012-06-29") and "of 20 days" in words
    assert window.state.dirty and window.state.project.live.frames[0].end == "2013-03-01"
    window.track_view.grab().save(str(tmp_path / "track.png"))  # renders without error
    with qtbot.waitSignal(window.track.refreshFinished, timeout=60_000):
        window.data_panel.refresh.click()  # its source is now the whole file: nothing new
    assert "Nothing new" in window.statusBar().currentMessage()


def test_update_model_adds_a_run_whose_parent_the_runs_table_shows(window, qtbot, trained, tmp_path) -> None:
    opened(window, qtbot, trained, tmp_path)
    refreshed(window, qtbot, trained[1])
    old = window.state.current
    assert window.findChild(QAction, "updateModelAction").isEnabled()
    dialog = window.track.open_update()
    assert "trained on prices up to 2012-06-29" in dialog.what.text() and not dialog.every.isVisible()
    with qtbot.waitSignal(window.track.updateFinished, timeout=120_000):
        dialog.start_button.click()
    new = window.state.current
    assert new.id != old.id and new.report.parent == old.id and len(window.state.project.runs) == 2
    parents = window.runs_table.column_texts("Updated from")
    assert sorted(parents) == ["run 1", "—"]
    qtbot.waitUntil(lambda: window.track_view.table.rowCount() == 2, timeout=10_000)
    assert [f.run for f in window.state.project.frozen] == [old.id, new.id]


def test_an_alarm_is_said_in_words(window, qtbot, trained, tmp_path) -> None:
    rows = sample_rows()
    after = [r["Date"] for r in rows if r["Date"] > CUT]
    crash = {d: 0.97 ** min(i + 1, 20) for i, d in enumerate(after)}  # 3 % down every day for 20 days
    opened(window, qtbot, trained, tmp_path)
    refreshed(window, qtbot, write_csv(tmp_path / "crash" / "AAPL.csv", rows, crash))
    row = cells(window.track_view.table, 0)
    assert row["Alarm"] == "ALARM" and row["Inside"].startswith(("0/", "1/", "2/"))
    assert "consider refitting" in window.track_view.text.text() and "1 alarm" in window.track_view.summary.text()


def test_a_refused_file_is_said_and_changes_nothing(window, qtbot, dialogs, trained, tmp_path) -> None:
    opened(window, qtbot, trained, tmp_path)
    edited = write_csv(tmp_path / "edited" / "AAPL.csv", sample_rows(), {"2011-03-01": 1.2})
    with qtbot.waitSignal(window.track.refreshFinished, timeout=60_000):
        window.track.refresh(str(edited))
    (title, text), *_ = dialogs.told
    assert title == "Refresh prices" and "2011-03-01" in text and "not refreshed" in text
    assert not window.state.dirty and window.state.project.live is None


def test_a_hole_in_the_new_days_is_told_and_the_forecast_says_its_days_were_skipped(
    window, qtbot, dialogs, trained, tmp_path
) -> None:
    opened(window, qtbot, trained, tmp_path)
    rows = [r for r in sample_rows() if not "2012-07-01" <= r["Date"] <= "2012-11-30"]
    with qtbot.waitSignal(window.track.refreshFinished, timeout=60_000):
        window.track.refresh(str(write_csv(tmp_path / "hole" / "AAPL.csv", rows)))
    (title, text), *_ = dialogs.told
    assert title == "Refresh prices" and "trading days missing" in text and "cannot fill them" in text
    qtbot.waitUntil(lambda: "hold none of them" in window.track_view.text.text(), timeout=10_000)


def test_the_hidden_tab_scores_nothing_and_fills_once_when_shown(window, qtbot, trained, tmp_path) -> None:
    opened(window, qtbot, trained, tmp_path, show=False)
    track, table = window.track, window.track_view.table
    assert window.tabs.currentWidget() is not window.track_view
    assert track.stale and track.scorings == 0 and table.rowCount() == 0 and track.rows == []
    first = window.state.current
    snapshot = window.state.snapshot()[0]  # two runs land as a worker's: kept in its copy, added to the state
    again = FinishedRun(first.report, first.tensors(), first.data.frames)
    made = [snapshot.add_new(again, f"again {n}") for n in (1, 2)]
    window.state.add_runs(made)
    window.state.choose_run(first.id)
    qtbot.wait(50)  # the turns a pass would have taken
    assert track.stale and track.scorings == 0 and table.rowCount() == 0
    with qtbot.waitSignal(track.trackingShown, timeout=10_000):
        window.tabs.setCurrentWidget(window.track_view)
    assert not track.stale and track.scorings == 3 and table.rowCount() == 3
    assert sorted(cells(table, row)["Run"] for row in range(3)) == ["again 1", "again 2", "run 1"]
    assert track.rows[window.track_view.selected_row()].run == first.id  # the current run is the one chosen
    window.tabs.setCurrentWidget(window.backtest_view)
    window.state.choose_run(made[0].run.id)
    assert track.stale
    with qtbot.waitSignal(track.trackingShown, timeout=10_000):
        window.tabs.setCurrentWidget(window.track_view)
    assert track.scorings == 3 and track.rows[window.track_view.selected_row()].run == made[0].run.id  # cached


def test_a_run_trained_in_the_window_is_frozen_once_in_its_worker(window, qtbot, freezes) -> None:
    threads = freezes
    small_settings(window, epochs=2)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000):
        window.train_button.click()
    run = window.state.current
    (frozen,) = window.state.project.frozen
    assert len(threads) == 1 and threads[0] != threading.main_thread().name  # in the worker, not again here
    assert frozen.run == run.id and json.dumps(to_json(frozen)) == json.dumps(to_json(freeze(run)))
