"""Review of stop 31 (helper-31r): two ways the ShrinkingTitle differed from what it replaces or promises, each
failing when written."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from lstm_desktop.gui.axes import grid_plot, show_grid, solid_axes


def settle(qapp) -> None:
    for _ in range(5):
        qapp.processEvents()


def test_a_plot_without_a_title_keeps_no_title_row(qapp, qtbot) -> None:
    """pyqtgraph hides an unset title and gives its row no height; a grid_plot whose title is not set yet (the price
    plot, the Track plot until a run lands) showed an empty strip of 22 pixels above its data."""
    plain = pg.PlotWidget(axisItems=solid_axes())
    show_grid(plain.getPlotItem())
    gridded = grid_plot()
    for widget in (plain, gridded):
        qtbot.addWidget(widget)
        widget.resize(400, 300)
        widget.show()
    settle(qapp)
    assert not gridded.getPlotItem().titleLabel.isVisible()
    top = gridded.getPlotItem().getViewBox().sceneBoundingRect().top()
    assert top == pytest.approx(plain.getPlotItem().getViewBox().sceneBoundingRect().top())


def test_a_long_title_keeps_its_beginning_when_the_label_moves_without_resizing(qapp, qtbot) -> None:
    """The title's label sits right of the left axis: an axis 40 pixels narrower in a plot 40 pixels narrower moves
    the label and keeps its width, so no resizeEvent comes and the text stays where it was, its first 40 pixels left
    of the widget."""
    widget = grid_plot()
    qtbot.addWidget(widget)
    widget.setTitle("Test period: choose rows above to overlay their predictions")
    axis = widget.getPlotItem().getAxis("left")
    axis.setWidth(80)
    widget.resize(200, 200)
    widget.show()
    settle(qapp)
    axis.setWidth(40)
    widget.resize(160, 200)
    settle(qapp)
    assert widget.getPlotItem().titleLabel.item.sceneBoundingRect().left() >= -0.5
