"""Plot axes: whole epochs only, readable log-scale labels (1, 2, 5 times a power of ten, once each), a grid
drawn in solid colours under the data, and a title that never makes a plot wider than its widget."""

from __future__ import annotations

import math

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QPainter, QPicture
from PySide6.QtWidgets import QApplication

from lstm_desktop.gui.axes import GRID_ALPHA, DateAxis, grid_plot
from lstm_desktop.gui.plots import EpochAxis, LossAxis, PricePlot


def labels(axis, low: float, high: float, size: float = 250) -> list[str]:
    texts = []
    for spacing, values in axis.tickValues(low, high, size):
        strings = axis.logTickStrings(values, 1, spacing) if axis.logMode else axis.tickStrings(values, 1, spacing)
        texts += [text for text in strings if text]
    return texts


def test_epoch_axis_labels_whole_epochs_only(qapp) -> None:
    axis = EpochAxis("bottom")
    assert labels(axis, 0.8, 3.2) == ["1", "2", "3"]
    assert all(float(text).is_integer() for text in labels(axis, 0, 40, 400))


def test_log_loss_axis_labels_each_value_once(qapp) -> None:
    axis = LossAxis("left")
    axis.setLogMode(False, True)
    for low, high in ((0.0004, 0.4), (0.002, 0.2), (0.03, 0.3)):
        texts = labels(axis, math.log10(low), math.log10(high))
        assert len(texts) == len(set(texts)), texts
        assert {float(t) / 10 ** math.floor(math.log10(float(t)) + 1e-9) for t in texts} <= {1.0, 2.0, 5.0}, texts
        assert len(texts) >= 2, texts


def grid_pens(axis: pg.AxisItem) -> list:
    picture = QPicture()
    painter = QPainter(picture)
    try:
        _, ticks, _ = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [pen for pen, _, _ in ticks]


def test_grid_is_solid_and_under_the_data(qapp) -> None:
    """Translucent grid lines made each repaint of the price plot 10 times slower; solid ones, blended with the
    background beforehand, look the same as long as they lie under the curves, bands and legend."""
    plot = grid_plot(bottom=DateAxis)
    plot.resize(600, 300)
    plot.plot([1.6e9, 1.7e9], [10.0, 20.0])
    plot.show()
    qapp.processEvents()
    item = plot.getPlotItem()
    foreground = pg.mkColor(pg.getConfigOption("foreground"))
    background = pg.mkColor(pg.getConfigOption("background"))
    for name in ("bottom", "left"):
        axis = item.getAxis(name)
        assert axis.grid == round(GRID_ALPHA * 255)
        pens = grid_pens(axis)
        assert pens and all(pen.color().alpha() == 255 for pen in pens)
        # the strongest line is the foreground at the grid's alpha over the background
        brightest = max(pen.color().red() for pen in pens)
        expected = GRID_ALPHA * foreground.red() + (1 - GRID_ALPHA) * background.red()
        assert abs(brightest - expected) <= 2, (brightest, expected)
        assert axis.zValue() < item.getViewBox().zValue()  # drawn before (under) everything in the view


def test_price_plot_uses_the_solid_grid(qapp) -> None:
    plot = PricePlot()
    axes = plot.plot.getPlotItem().axes
    assert isinstance(axes["bottom"]["item"], DateAxis)
    assert all(p.color().alpha() == 255 for p in grid_pens(axes["left"]["item"]))


def test_loss_plot_frame_is_steady_while_training(qapp) -> None:
    """The frame holds the planned epochs and whole decades, so it changes only when a loss crosses a decade (the
    axes are then redrawn rarely, and the curves grow into a frame that does not jump); a zoom is kept."""
    from lstm_desktop.gui.plots import LossPlot

    plot = LossPlot()
    plot.resize(500, 300)
    plot.show()
    plot.clear()
    view = plot.plot.getViewBox()
    ranges = []
    for epoch, loss in enumerate([0.5, 0.3, 0.2, 0.15, 0.12, 0.09, 0.08], start=1):
        plot.add(epoch, loss, loss * 1.2, epoch, 20)
        plot.redraw()
        qapp.processEvents()
        ranges.append(tuple(tuple(round(v, 6) for v in r) for r in view.viewRange()))
    (x_low, x_high), (y_low, y_high) = ranges[0]
    assert x_low < 1 and 20 <= x_high < 21  # all the planned epochs across
    assert (y_low, y_high) == (-1.0, 0.0)  # 0.1 to 1 on the log scale
    assert len(set(ranges)) == 2  # one change: when the training loss fell below 0.1
    assert ranges[-1][1] == (-2.0, 0.0)

    plot.set_history((), None)  # a finished run (here empty) is framed afresh
    view.sigRangeChangedManually.emit([True, True])  # as a mouse wheel does
    view.setRange(xRange=(3, 5), padding=0)
    for epoch in (1, 2):
        plot.add(epoch, 0.5, 0.6, epoch)
    plot.redraw()
    assert view.viewRange()[0] == [3, 5]  # the person's zoom is kept

    plot.log_scale.setChecked(False)
    plot.clear()
    plot.add(1, 0.3, 0.42, 1, 5)
    plot.redraw()
    assert view.viewRange()[1] == [0.0, 0.5]  # linear: from 0 to the next 1-2-5 step


@pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")  # pyqtgraph's, on the infinite points
def test_loss_plot_frames_a_diverged_loss_without_failing(qapp) -> None:
    """An infinite validation loss (a diverged or overflowing run) is drawn from the finite losses' frame."""
    from lstm_desktop.gui.plots import LossPlot

    plot = LossPlot()
    plot.clear()
    plot.add(1, 0.5, float("inf"), 1, 4)
    plot.redraw()
    plot.add(2, 0.3, float("inf"), 1, 4)
    plot.redraw()
    assert plot.plot.getViewBox().viewRange()[1] == [-1.0, 0.0]
    plot.set_history((), None)
    plot.add(1, float("inf"), float("inf"), None)
    plot.redraw()  # nothing finite: pyqtgraph's own range
    assert plot.point_count() == 1


def test_a_shade_goes_when_its_curves_are_emptied(qapp) -> None:
    """pyqtgraph's fill kept an emptied curve's old path: the last forecast's band stayed drawn (Track tab's
    'cannot draw', a backtest beside a run)."""
    from lstm_desktop.gui.axes import Shade

    plot = grid_plot()
    low, high = plot.plot([1, 2, 3], [1.0, 1.0, 1.0]), plot.plot([1, 2, 3], [2.0, 3.0, 2.0])
    shade = Shade(low, high, brush=pg.mkBrush(255, 0, 0, 60))
    plot.addItem(shade)
    assert not shade.path().isEmpty()
    low.setData([], [])
    high.setData([], [])
    assert shade.path().isEmpty()
    low.setData([1, 2], [0.0, 0.0])
    high.setData([1, 2], [1.0, 1.0])
    assert not shade.path().isEmpty()


def test_loss_plot_returns_to_its_steady_frame_after_a_log_toggle_or_the_auto_button(qapp) -> None:
    """A zoom is dropped when the scale changes (pyqtgraph auto-ranges then) or the auto-range button is pressed:
    the plot goes back to the steady frame instead of an auto range that moves at every epoch."""
    from lstm_desktop.gui.plots import LossPlot

    plot = LossPlot()
    plot.resize(500, 300)
    plot.show()
    plot.clear()
    view = plot.plot.getViewBox()
    plot.add(1, 0.3, 0.4, 1, 20)
    plot.redraw()
    view.sigRangeChangedManually.emit([True, True])  # as a mouse wheel does
    view.setRange(xRange=(3, 5), padding=0)
    plot.log_scale.setChecked(False)
    qapp.processEvents()
    assert view.viewRange() == [[0.5, 20.5], [0.0, 0.5]]  # the planned epochs, 0 to the next 1-2-5 step
    plot.add(2, 0.25, 0.35, 2, 20)
    plot.redraw()
    qapp.processEvents()
    assert view.viewRange() == [[0.5, 20.5], [0.0, 0.5]]  # steady as epochs come in

    view.sigRangeChangedManually.emit([True, True])
    view.setRange(xRange=(3, 5), padding=0)
    plot.plot.getPlotItem().autoBtn.clicked.emit(plot.plot.getPlotItem().autoBtn)
    plot.add(3, 0.2, 0.3, 3, 20)
    plot.redraw()
    qapp.processEvents()
    assert view.viewRange() == [[0.5, 20.5], [0.0, 0.5]]


def test_loss_plot_offers_the_auto_range_button_only_while_zoomed(qapp) -> None:
    """The steady frame keeps pyqtgraph's auto range off, so its "A" button showed on every hover over a plot it
    would not change; it is offered only while there is a zoom to leave."""
    from lstm_desktop.gui.plots import LossPlot

    plot = LossPlot()
    plot.resize(500, 300)
    plot.show()
    item, view = plot.plot.getPlotItem(), plot.plot.getViewBox()
    plot.add(1, 0.3, 0.4, 1, 20)
    plot.redraw()
    item.mouseHovering = True  # as when the pointer is over the plot
    item.updateButtons()
    assert not item.autoBtn.isVisible()
    view.sigRangeChangedManually.emit([True, True])  # as a mouse wheel does
    item.updateButtons()
    assert item.autoBtn.isVisible()
    item.autoBtn.clicked.emit(item.autoBtn)
    assert not item.autoBtn.isVisible()
    view.sigRangeChangedManually.emit([True, True])
    plot.clear()  # a new training: its steady frame again
    assert not item.autoBtn.isVisible()


def test_loss_plot_best_label_is_not_under_the_legend(qapp) -> None:
    """The best epoch's label is in the plot and clear of the legend in a small plot too (the legend hid it when
    it lay inside the plot; now it lies under the x axis)."""
    from lstm_desktop.gui.plots import LossPlot

    for height in (220, 300, 600):
        plot = LossPlot()
        plot.resize(320, height)
        plot.show()
        for epoch, loss in enumerate([0.5, 0.3, 0.2, 0.15, 0.12, 0.09, 0.08, 0.085, 0.09, 0.1], start=1):
            plot.add(epoch, loss, loss * 1.2, 7)
        plot.redraw()
        qapp.processEvents()
        label = plot.best.label.sceneBoundingRect()
        assert plot.best.label.isVisible() and plot.plot.getViewBox().sceneBoundingRect().contains(label)
        assert not label.intersects(plot.legend.sceneBoundingRect()), height


def test_loss_legend_names_only_curves_that_draw(qtbot) -> None:
    """Compared runs' losses are named alone (the empty training and validation entries were listed too)."""
    from lstm_desktop.core.report import Epoch
    from lstm_desktop.gui.plots import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)  # closed and deleted at the end: its legend's rebuilt labels must not outlive the test
    names = lambda: [label.text for _, label in plot.legend.items]  # noqa: E731
    assert names() == []
    plot.add(1, 0.5, 0.6, 1)
    plot.redraw()
    assert names() == ["training", "validation"]
    plot.clear()
    plot.add_run_curve((Epoch(epoch=1, train_loss=0.5, val_loss=0.6, seconds=1.0),), "#00d5ff", "run 2")
    plot.refresh_legend()
    assert names() == ["run 2 (validation)"]


@pytest.mark.parametrize("width", [120, 400])
def test_a_long_title_never_makes_the_plot_wider_than_its_widget(qtbot, width) -> None:
    """A plot wider than its widget was drawn cut off at the widget's edge, axes and curves with it (the loss plot
    beside the tabs on a 1024-pixel screen): the title's text is what is cut now."""
    plot = grid_plot()
    qtbot.addWidget(plot)
    plot.setTitle("Test period: choose rows above to overlay their predictions")
    plot.plot([0.0, 1.0], [0.0, 1.0])
    plot.resize(width, 200)
    plot.show()
    qtbot.waitExposed(plot)
    item = plot.getPlotItem()
    assert item.geometry().width() <= width + 0.5
    assert item.getViewBox().sceneBoundingRect().right() <= width + 0.5  # the data's right edge is on screen
    plot.setTitle("A new, even longer title: set again after the plot was laid out, as the price plot does")
    for _ in range(4):
        QApplication.processEvents()
    assert item.geometry().width() <= width + 0.5


def test_a_date_axis_labels_days_not_fractions_of_a_second(qtbot) -> None:
    """An empty date plot's range is 0 to 1 second; it was labelled "00.100 ... 00.900"."""
    plot = grid_plot(bottom=DateAxis)
    qtbot.addWidget(plot)
    plot.show()
    qtbot.waitExposed(plot)
    plot.grab()  # pyqtgraph's date axis measures its labels with the font of its first paint
    axis = plot.getAxis("bottom")
    assert axis.tickValues(0.0, 1.0, 400) == []
    year = [value for _, values in axis.tickValues(1.30e9, 1.30e9 + 365 * 86_400, 400) for value in values]
    assert len(year) >= 4


def test_a_date_axis_leaves_out_a_day_next_to_a_month(qapp, monkeypatch) -> None:
    """Dec 30 drawn a day before the "Jan" tick read "3Jan"; a day closer to a month than half the days' step is
    left out, the days farther away stay. pyqtgraph's levels are fixed here: it picks them from the font."""
    day = 86_400.0
    jan1, feb1 = 1_356_998_400.0, 1_359_676_800.0  # 2013-01-01, 2013-02-01 (UTC)
    days = [jan1 - 6 * day + 5 * day * k for k in range(8)]  # Dec 26, Dec 31, Jan 5, ... Jan 30
    monkeypatch.setattr(
        pg.DateAxisItem, "tickValues", lambda self, lo, hi, size: [(30 * day, [jan1, feb1]), (day, days)]
    )
    levels = DateAxis("bottom").tickValues(jan1 - 10 * day, feb1 + 10 * day, 900)
    assert levels[0] == (30 * day, [jan1, feb1])
    assert levels[1][1] == [d for d in days if d not in (jan1 - day, feb1 - 2 * day)]  # Dec 31 and Jan 30 left out


def test_a_narrow_date_axis_leaves_out_a_day_whose_label_would_touch_a_month(qapp, monkeypatch) -> None:
    """One day tick in view (every fifth day) was measured against a one-day step, and every day has a one-day
    step: in a narrow plot "30" a day before "Dec" touched its label ("30Dec"). Left out where a day is narrower
    than the two labels, kept where it is wide. pyqtgraph's levels are fixed here."""
    day = 86_400.0
    dec1 = 880_934_400.0  # 1997-12-01 (UTC)
    every_day = [dec1 + k * day for k in range(-5, 4) if k]
    levels = {"lone": [(30 * day, [dec1]), (day, [dec1 - day])], "every": [(30 * day, [dec1]), (day, every_day)]}
    for name, drawn in levels.items():
        monkeypatch.setattr(pg.DateAxisItem, "tickValues", lambda self, lo, hi, size, drawn=drawn: drawn)
        axis = DateAxis("bottom")
        narrow = axis.tickValues(dec1 - 5 * day, dec1 + 3 * day, 100)[1][1]  # 12.5 pixels a day
        wide = axis.tickValues(dec1 - 5 * day, dec1 + 3 * day, 800)[1][1]  # 100 pixels a day
        assert dec1 - day not in narrow and dec1 + day not in narrow, name
        assert wide == drawn[1][1], name
        if name == "every":
            assert narrow == [d for d in every_day if abs(d - dec1) > day]
