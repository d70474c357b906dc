"""The Strategy tab: the check of the current run from its stored predictions, recomputed on every change of a
setting (no retraining), the settings kept in the project, and widgets that agree with the declaration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget, QWidget

from lstm_desktop.core.setting_fields import fields_of
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.strategy.result import strategy_of_run
from lstm_desktop.core.strategy.spec import StrategySpec
from lstm_desktop.core.strategy.text import ROWS, figure

from ..tiny_runs import on_one_thread, tiny_config

CONFIG = tiny_config("MSFT", "2010-01-01")


@pytest.fixture(scope="module")
def finished():
    from lstm_desktop.core.run import run

    return on_one_thread(lambda: run(CONFIG))


def opened(window, finished, strategy: StrategySpec | None = None) -> Project:
    project = Project()
    project.add(finished)
    if strategy is not None:
        project.strategy = strategy
    window.state.adopt(project, Path("strategy.lstmproj"))
    window.tabs.setCurrentWidget(window.strategy_view)
    return project


def column(table: QTableWidget, index: int) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]


def settle(qapp, window=None, size: tuple[int, int] | None = None) -> None:
    """Resize `window` to `size` if given, then let Qt lay out and flow what changed (three turns)."""
    if size is not None:
        window.resize(*size)
    for _ in range(3):
        qapp.processEvents()


def test_the_tab_shows_the_check_of_the_current_run(window, finished) -> None:
    opened(window, finished)
    table = window.findChild(QTableWidget, "strategyTable")
    assert window.findChild(object, "strategyPlot") is window.strategy_view.plot
    expected = strategy_of_run(finished.report, finished.frames, StrategySpec())
    assert column(table, 0) == [figure(expected.model, key, pattern) for _, key, pattern in ROWS]
    assert column(table, 1) == [figure(expected.buy_and_hold, key, pattern) for _, key, pattern in ROWS]
    assert window.strategy_view.verdict.text().startswith(expected.verdict)
    x, y = window.strategy_view.hold_curve.getData()
    assert len(x) == expected.days + 1 and y[0] == 1.0


def test_a_changed_setting_recomputes_at_once_and_is_kept_in_the_project(window, finished) -> None:
    opened(window, finished)
    runs = len(window.state.project.runs)
    panel = window.strategy_view.panel
    assert not window.state.dirty
    panel.widgets["rule"].setCurrentIndex(panel.widgets["rule"].findData("long_short"))
    panel.widgets["cost_bps"].setValue(0.0)
    panel.widgets["dead_band"].setValue(0.0)
    wanted = StrategySpec(rule="long_short", cost_bps=0.0, dead_band=0.0)
    assert window.state.project.strategy == wanted and window.state.dirty
    assert window.strategy.shown.spec == wanted and len(window.state.project.runs) == runs  # nothing retrained
    expected = strategy_of_run(finished.report, finished.frames, wanted)
    assert column(window.strategy_view.table, 0)[0] == figure(expected.model, "total_return", "{:+.1%}")
    assert panel.widgets["full_at"].isEnabled() is False
    panel.widgets["rule"].setCurrentIndex(panel.widgets["rule"].findData("scaled"))
    assert panel.widgets["full_at"].isEnabled() and window.strategy.shown.spec.rule == "scaled"


def test_an_opened_project_shows_its_saved_settings(window, finished) -> None:
    saved = StrategySpec(rule="scaled", cost_bps=1.5, slippage_bps=0.5, cap=2.0, signals="test")
    opened(window, finished, saved)
    assert window.strategy_view.panel.spec() == saved and window.strategy.shown.spec == saved
    assert not window.state.dirty  # showing the saved settings is no edit


def test_a_run_without_predictions_to_trade_says_why(window, finished) -> None:
    report = finished.report
    untested = dataclasses.replace(report, predictions={"val": report.predictions["val"]})
    opened(window, dataclasses.replace(finished, report=untested))
    assert window.strategy.shown is None
    assert "no out-of-sample predictions" in window.strategy_view.verdict.text()
    window.state.new()
    assert "No run yet" in window.strategy_view.verdict.text()


def test_the_widgets_agree_with_the_declaration(window) -> None:
    for name, widget in window.strategy_view.panel.widgets.items():
        meta = fields_of(StrategySpec)[name].metadata
        assert widget.toolTip() == meta["help"]
        if meta["choices"]:
            assert [widget.itemData(i) for i in range(widget.count())] == list(meta["choices"])
        else:
            assert (widget.minimum(), widget.maximum()) == (meta["low"], meta["high"])


def test_file_export_report_writes_the_current_run(window, finished, dialogs, tmp_path: Path) -> None:
    assert not window.export_report_action.isEnabled()
    opened(window, finished, StrategySpec(rule="long_short"))
    window.refresh_buttons()
    assert window.export_report_action.isEnabled()
    target = tmp_path / "run.html"
    assert window.report_export.export_to(target)
    html = target.read_text(encoding="utf-8")
    assert "Rule long_short" in html and html.count("<svg") == 3 and dialogs.told == []
    assert not window.report_export.export_to(tmp_path / "missing" / "run.html")
    assert dialogs.told[-1][0] == "Export failed" and "missing" in dialogs.told[-1][1]


def test_the_equity_legend_is_readable_in_the_window(window, finished, qapp) -> None:
    window.resize(1400, 900)
    opened(window, finished)
    settle(qapp)
    legend = window.strategy_view.equity.legend
    view = window.strategy_view.plot.viewport()
    assert legend.isVisible() and [label.text for _, label in legend.items] == ["strategy", "buy and hold"]
    for _, label in legend.items:
        assert label.sceneBoundingRect().right() <= view.width(), label.text  # not cut off at the plot's edge
        assert label.sceneBoundingRect().bottom() <= view.height(), label.text


def test_in_a_short_window_the_settings_scroll_instead_of_being_squashed(window, finished, qapp) -> None:
    """At 981x600 the Rule and costs controls were squashed over each other, unreadable."""
    window.resize(window.minimumSizeHint().width(), 600)
    opened(window, finished)
    settle(qapp)
    for control in window.strategy_view.panel.findChildren(QWidget):
        if control.isVisible() and control.minimumSizeHint().isValid() and not control.objectName().startswith("qt_"):
            assert control.height() >= control.minimumSizeHint().height(), control.objectName()


def test_a_narrow_tab_puts_the_settings_one_to_a_row_and_keeps_the_plot_wide(window, finished, qapp) -> None:
    """In a 1024-pixel window, two settings a row left the equity plot a 70-pixel sliver beside them."""
    opened(window, finished)
    view = window.strategy_view
    wide_settings = None
    for size, columns in (((1900, 900), 2), ((1024, 700), 1), ((1900, 900), 2)):
        settle(qapp, window, size)
        assert view.panel.columns == columns, size
        grid = view.panel.layout()
        places = {name: grid.getItemPosition(grid.indexOf(widget))[:2] for name, widget in view.panel.widgets.items()}
        assert len(set(places.values())) == len(places)  # no two settings in one cell
        assert {column for _, column in places.values()} == ({1} if columns == 1 else {1, 3})
        settings = view.plot.geometry().left()
        if columns == 2:
            wide_settings = settings
        else:  # one to a row: the settings take at least 100 pixels less, and the plot all the rest
            assert settings <= wide_settings - 100, (settings, wide_settings)
            assert view.plot.width() >= view.width() - settings - 1
    assert view.panel.spec() == StrategySpec()  # moving the widgets changed no setting


def test_a_fresh_narrow_window_gives_the_loss_plot_its_room_before_the_strategy_tab_is_opened(window, qapp) -> None:
    """Hidden, the tab kept its settings two to a row (it decides when shown), and their width held the tabs wide
    enough to squeeze the loss plot beside them to 104 pixels at 1024x700 until the Strategy tab was opened once."""
    settle(qapp, window, (1024, 700))
    assert window.tabs.currentWidget() is not window.strategy_view
    before = window.loss_plot.width()
    window.tabs.setCurrentWidget(window.strategy_view)
    settle(qapp)
    assert window.strategy_view.panel.columns == 1
    assert before >= 150 and before == window.loss_plot.width(), (before, window.loss_plot.width())


def test_a_dragged_divider_keeps_its_place_when_the_settings_change_columns(window, finished, qapp) -> None:
    """Crossing the width where the settings go one or two to a row reset the divider the person had dragged."""
    from lstm_desktop.gui.strategy.view import PLOT_ROOM

    opened(window, finished)
    view = window.strategy_view
    split = view._split

    settle(qapp, window, (1024, 700))
    assert view.panel.columns == 1
    least = view._scroll.minimumWidth()
    split.setSizes([least + 30, split.sizes()[1] - 30])  # the person drags the divider 30 pixels right
    qapp.processEvents()
    assert split.sizes()[0] == least + 30
    settle(qapp, window, (1900, 900))
    assert view.panel.columns == 2
    assert split.sizes()[0] == view._scroll.minimumWidth() + 30  # two to a row, the person's 30 pixels kept
    settle(qapp, window, (1024, 700))
    assert view.panel.columns == 1
    room = max(view.width() - least - PLOT_ROOM, 0)  # never at the plot's least room
    assert split.sizes()[0] == least + min(30, room)


def test_the_rule_box_shows_each_choice_whole_when_closed(window, qapp) -> None:
    """At its least width the closed box cut "scaled by return / volatility" off; each choice now fits, and its
    tooltip in the list says it in full."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from lstm_desktop.core.strategy.spec import RULE_LABELS

    combo = window.strategy_view.panel.widgets["rule"]
    combo.resize(combo.minimumSizeHint())
    for index in range(combo.count()):
        combo.setCurrentIndex(index)
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo)  # fmt: skip
        assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width(), combo.currentText()
        assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == RULE_LABELS[combo.itemData(index)]
    combo.setCurrentIndex(0)


def test_a_dragged_divider_gives_way_to_the_plot_as_the_window_shrinks(window, finished, qapp) -> None:
    """Shrinking the window step by step (dragging its edge) after a wide drag left the equity plot 68 pixels: the
    person's extra width is given back whenever the plot would have less than its room."""
    from lstm_desktop.gui.strategy.view import PLOT_ROOM

    opened(window, finished)
    view = window.strategy_view
    split = view._split
    settle(qapp, window, (1900, 900))
    drag = split.sizes()[1] - PLOT_ROOM - 10  # as far as the plot keeps its room
    split.setSizes([split.sizes()[0] + drag, split.sizes()[1] - drag])
    qapp.processEvents()
    assert drag > 100 and split.sizes()[1] >= PLOT_ROOM
    for width in range(1880, 1019, -20):
        window.resize(width, 900)
        qapp.processEvents()
        least = view._scroll.minimumWidth()
        assert view.plot.width() >= min(PLOT_ROOM, view.width() - least) - 8, (width, split.sizes())
