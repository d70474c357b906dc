"""The legend under a plot (gui/legend_row.LegendRow): it never covers the data, never widens the plot, flows its names
into as many columns as the width holds, takes at most a third of the plot's height, and gives way in a plot too
short for it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import Qt, QTextDocument

from lstm_desktop.gui.axes import grid_plot
from lstm_desktop.gui.legend_row import add_legend

NAMES = ("actual", "forecast as issued", "inside the band", "outside")


def empty_plot(qtbot):
    """A gridded plot with an empty legend under it, closed with the test."""
    widget = grid_plot()
    qtbot.addWidget(widget)
    return widget, add_legend(widget, labelTextSize="8pt")


@pytest.fixture
def plot(qtbot):
    widget, legend = empty_plot(qtbot)
    x = np.arange(50.0)
    for index, name in enumerate(NAMES):
        widget.plot(x, np.sin(x / 7 + index), name=name)  # pyqtgraph enters a named curve in the plot's legend
    return widget, legend


def shown(qapp, widget, width: int, height: int) -> None:
    widget.resize(width, height)
    widget.show()
    for _ in range(3):
        qapp.processEvents()


def tooltip_shown(item) -> str:
    """The text a person reads in `item`'s tooltip: Qt shows one that looks like HTML as HTML."""
    tip = item.toolTip()
    if not Qt.mightBeRichText(tip):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def columns_used(legend) -> int:
    return len({round(label.sceneBoundingRect().left()) for _, label in legend.items})


@pytest.mark.parametrize("width", [220, 390, 700])
def test_legend_lies_under_the_plot_and_never_widens_it(qapp, plot, width) -> None:
    widget, legend = plot
    shown(qapp, widget, width, 420)  # tall enough for four names a row each
    item = widget.getPlotItem()
    view = item.getViewBox().sceneBoundingRect()
    assert [label.text for _, label in legend.items] == list(NAMES)
    assert legend.isVisible()
    assert not legend.sceneBoundingRect().intersects(view)  # nothing of the data is hidden
    assert legend.sceneBoundingRect().top() >= item.getAxis("bottom").sceneBoundingRect().bottom() - 1
    assert item.sceneBoundingRect().width() <= width + 0.5  # the legend did not push the plot past its window
    for _, label in legend.items:
        assert label.sceneBoundingRect().right() <= width + 0.5, label.text  # every name readable, none cut off


def test_legend_flows_into_more_columns_when_wider(qapp, plot) -> None:
    widget, legend = plot
    shown(qapp, widget, 220, 420)
    narrow = columns_used(legend)
    shown(qapp, widget, 700, 420)
    wide = columns_used(legend)
    assert narrow < wide == len(NAMES)
    shown(qapp, widget, 220, 420)
    assert columns_used(legend) == narrow  # and back


def test_legend_stays_in_a_short_plot_and_still_hides_nothing(qapp, plot) -> None:
    widget, legend = plot
    shown(qapp, widget, 390, 160)  # two rows: under a third of the plot's height
    view = widget.getPlotItem().getViewBox().sceneBoundingRect()
    assert legend.isVisible() and legend.geometry().height() > 0
    assert not legend.sceneBoundingRect().intersects(view)
    assert legend.sceneBoundingRect().bottom() <= 160 + 0.5  # the rows fit in the widget: the plot gave up height


def test_legend_gives_way_in_a_plot_too_short_for_it(qapp, plot) -> None:
    widget, legend = plot
    shown(qapp, widget, 220, 120)  # four rows would take over a third of the plot: the data keeps the height
    assert not legend.isVisible() and legend.geometry().height() == 0
    shown(qapp, widget, 220, 400)
    assert legend.isVisible() and legend.geometry().height() > 0


def test_legend_is_indented_to_the_view_box_where_there_is_room(qapp, plot) -> None:
    widget, legend = plot
    shown(qapp, widget, 900, 420)
    view = widget.getPlotItem().getViewBox().sceneBoundingRect()
    first_symbol = legend.items[0][0].sceneBoundingRect()
    assert first_symbol.left() == pytest.approx(view.left(), abs=2)  # under the data, not under the axis' labels


def test_legend_entries_come_and_go(qapp, plot) -> None:
    widget, legend = plot
    shown(qapp, widget, 700, 420)
    height = legend.geometry().height()
    view = widget.getPlotItem().getViewBox().sceneBoundingRect()
    legend.clear()
    qapp.processEvents()
    assert legend.items == [] and legend.geometry().height() == pytest.approx(height)  # a row's room kept:
    assert widget.getPlotItem().getViewBox().sceneBoundingRect() == view  # the plot does not move as names come
    legend.addItem(widget.getPlotItem().listDataItems()[0], "actual")
    qapp.processEvents()
    assert legend.geometry().height() == pytest.approx(height)


def test_a_name_wider_than_the_plot_is_cut_with_an_ellipsis_and_whole_again_when_wide(qapp, qtbot) -> None:
    """A name wider than the whole row was cut at the plot's edge with no sign of it."""
    widget, legend = empty_plot(qtbot)
    long_name = "forecast of AAPL, MSFT, NVDA, GOOGL and AMZN as issued on 2026-12-07 (90 % band)"
    widget.plot(np.arange(20.0), np.arange(20.0), name=long_name)
    widget.plot(np.arange(20.0), -np.arange(20.0), name="actual")
    shown(qapp, widget, 240, 400)
    (_, cut), (_, short) = legend.items
    assert cut.text.endswith("…") and long_name.startswith(cut.text[:-1]) and len(cut.text) > 5
    assert tooltip_shown(cut) == long_name
    assert short.text == "actual" and short.toolTip() == ""
    assert cut.sceneBoundingRect().right() <= 240 + 0.5  # readable to its end, the ellipsis included
    shown(qapp, widget, 1400, 400)
    assert [label.text for _, label in legend.items] == [long_name, "actual"]
    assert cut.toolTip() == ""


def test_a_name_with_markup_characters_is_shown_as_written(qapp, qtbot) -> None:
    """A label is HTML: a run named "a<b" showed "a" and lost the rest. Names are entered as plain text, cut as
    plain text (never inside an escape), and found again by their plain name."""
    widget, legend = empty_plot(qtbot)
    name = "run <best> & SPY"
    curve = widget.plot(np.arange(20.0), np.arange(20.0), name=name)
    long_name = "<b>" * 40
    widget.plot(np.arange(20.0), -np.arange(20.0), name=long_name)
    shown(qapp, widget, 1400, 400)
    first, second = (label for _, label in legend.items)
    assert first.item.toPlainText() == name and first.toolTip() == ""
    assert second.item.toPlainText() == long_name
    shown(qapp, widget, 240, 400)
    plain = second.item.toPlainText()
    assert plain.endswith("…") and long_name.startswith(plain[:-1]) and tooltip_shown(second) == long_name
    legend.removeItem(name)
    assert [label.item.toPlainText() for _, label in legend.items] == [plain]
    legend.removeItem(curve)  # already gone: nothing else is removed
    assert len(legend.items) == 1


def test_a_cut_name_that_looks_like_html_reads_as_written_in_its_tooltip(qapp, qtbot) -> None:
    """Qt shows a tooltip that looks like HTML as HTML: a cut name "<u>base</u> &amp; ..." read "base & ..."."""
    widget, legend = empty_plot(qtbot)
    name = "<u>base</u> &amp; AAPL, MSFT, NVDA, GOOGL and AMZN as issued on 2026-12-07"
    widget.plot(np.arange(20.0), np.arange(20.0), name=name)
    shown(qapp, widget, 240, 400)
    ((_, label),) = legend.items
    assert label.item.toPlainText().endswith("…")
    assert tooltip_shown(label) == name


def test_an_entry_removed_by_name_is_that_entry(qapp, qtbot) -> None:
    """Two entries of one curve: removing one by its name removed the other (pyqtgraph removes the first entry of
    the curve), and the one left showed its name escaped twice ("x&amp;y")."""
    widget, legend = empty_plot(qtbot)
    curve = widget.plot(np.arange(20.0), np.arange(20.0), name="a<b")
    legend.addItem(curve, "x&y")
    shown(qapp, widget, 800, 400)
    legend.removeItem("x&y")
    shown(qapp, widget, 800, 400)
    assert [label.item.toPlainText() for _, label in legend.items] == ["a<b"]


def test_a_new_symbol_type_keeps_the_names_as_written(qapp, qtbot) -> None:
    """pyqtgraph's setSampleType re-enters each entry by its label's text: an escaped name was escaped again
    ("a &amp; b" shown) and a cut name stayed cut in a wide plot."""
    import pyqtgraph as pg

    widget, legend = empty_plot(qtbot)
    long_name = "forecast of AAPL, MSFT, NVDA, GOOGL and AMZN as issued on 2026-12-07 (90 % band)"
    widget.plot(np.arange(20.0), np.arange(20.0), name="a & b")
    widget.plot(np.arange(20.0), -np.arange(20.0), name=long_name)
    shown(qapp, widget, 240, 400)

    class Sample(pg.ItemSample):
        pass

    legend.setSampleType(Sample)
    shown(qapp, widget, 1400, 400)
    assert all(isinstance(sample, Sample) for sample, _ in legend.items)
    assert [label.item.toPlainText() for _, label in legend.items] == ["a & b", long_name]
