"""The loss plot and the price plot (pyqtgraph). Curves are created once and updated with setData."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from .axes import DAY_SECONDS, DateAxis, EpochAxis, LossAxis, Shade, grid_plot, seconds  # noqa: F401
from .fold_overlay import FoldOverlay
from .legend_row import add_legend, refresh_legend
from .loss_plot import SPLIT_COLOURS, LossPlot  # noqa: F401  (re-exported: the window and overlays import it from here)
from .widgets import named

SPLIT_NAMES = {"train": "training", "val": "validation", "test": "test"}
FORECAST_COLOUR = "#d9534f"
FAN_EXTRA = (0.5, 0.8, 0.95)  # fan levels shaded besides the main 90 % band
RECENT_DAYS = 183  # after training the price plot shows about six months before the forecast


class PricePlot(QWidget):
    """Actual prices, predictions per split over shaded regions, the forecast with its band; crosshair readout."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = named(
            grid_plot(bottom=DateAxis),
            "pricePlot",
            "Actual and predicted prices, and the forecast",
        )
        self.plot.setLabel("left", "price")
        self.legend = add_legend(self.plot)
        item = self.plot.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.regions = {}
        for split, colour in SPLIT_COLOURS.items():
            region = pg.LinearRegionItem(movable=False, brush=QColor(colour).lighter(100), pen=pg.mkPen(None))
            brush = QColor(colour)
            brush.setAlpha(28)
            region.setBrush(brush)
            region.setZValue(-10)
            region.hide()
            self.plot.addItem(region, ignoreBounds=True)
            self.regions[split] = region
        self.actual = self.plot.plot([], [], pen=pg.mkPen("#e8e8e8", width=1), name="actual")
        self.actual.setZValue(5)  # on top of the wider prediction lines, so both stay visible
        self.predicted = {
            split: self.plot.plot([], [], pen=pg.mkPen(colour, width=2.5), name=f"predicted ({SPLIT_NAMES[split]})")
            for split, colour in SPLIT_COLOURS.items()
        }
        self.band_low = pg.PlotDataItem([], [], pen=pg.mkPen(None))
        self.band_high = pg.PlotDataItem([], [], pen=pg.mkPen(None))
        band_colour = QColor(FORECAST_COLOUR)
        band_colour.setAlpha(60)
        self.band = Shade(self.band_low, self.band_high, brush=band_colour)
        self.plot.addItem(self.band, ignoreBounds=True)
        self.fills = [self.band]
        self.fan = {level: self._fan_fill() for level in FAN_EXTRA}  # the other levels, shaded over the 90 % band
        self.forecast = self.plot.plot(
            [], [], pen=pg.mkPen(FORECAST_COLOUR, width=2), name="forecast (shaded: 50, 80, 90, 95 % bands)"
        )
        self.folds = FoldOverlay(self.plot)
        self.cross_v = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", width=1))
        self.cross_v.hide()
        self.plot.addItem(self.cross_v, ignoreBounds=True)
        self.hint = QLabel("Load data to begin.\nThe bundled sample works offline: press Load, then Train.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #888888; font-size: 15px; background: black;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.plot)
        self.readout = named(QLabel(" "), "priceReadoutLabel", "Date and values under the mouse")
        self.whole = named(
            QCheckBox("Whole history"), "wholeHistoryCheck", "Show every date, not just the recent months and forecast"
        )
        self.whole.toggled.connect(self._frame)
        bottom = QHBoxLayout()
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(self.whole)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)
        self._series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._folds_span: tuple[float, float] | None = None  # a backtest's folds drawn: their first and last day
        self._legend_entries: list[tuple[int, str]] | None = None  # pyqtgraph entered each named curve as made
        self.extras: list = []
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def _fan_fill(self) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        low, high = pg.PlotDataItem([], [], pen=pg.mkPen(None)), pg.PlotDataItem([], [], pen=pg.mkPen(None))
        colour = QColor(FORECAST_COLOUR)
        colour.setAlpha(40)
        fill = Shade(low, high, brush=colour)
        self.plot.addItem(fill, ignoreBounds=True)
        self.fills.append(fill)
        return low, high

    def _fan_curves(self) -> list[pg.PlotDataItem]:
        return [curve for pair in self.fan.values() for curve in pair]

    def clear(self) -> None:
        self._clear_data(keep=())
        self.refresh_legend()
        self.plot.setTitle("")
        self.stack.setCurrentWidget(self.hint)

    def _clear_data(self, keep: tuple = ()) -> None:
        """Empty every curve but those in `keep` (about to get new data: emptying them first is work twice), hide
        the regions, remove the extras."""
        curves = (self.actual, *self.predicted.values(), self.forecast, self.band_low, self.band_high)
        for curve in (*curves, *self._fan_curves()):
            if curve not in keep and curve.xData is not None and len(curve.xData):
                curve.setData([], [])
        if self.folds.line not in keep:
            self.folds.clear()
        for region in self.regions.values():
            region.hide()
        self.clear_extras()
        self._series = {}
        self._folds_span = None
        self.cross_v.hide()  # the readout named the curves drawn before: the next mouse move reads the new ones
        self.readout.setText(" ")

    def show_prices(self, dates: np.ndarray, prices: np.ndarray, ticker: str = "") -> None:
        """Actual prices only (data loaded, not trained yet)."""
        self._show_actual(dates, prices, ticker, keep=())
        self.refresh_legend()
        self.plot.enableAutoRange()

    def _show_actual(self, dates: np.ndarray, prices: np.ndarray, title: str, keep: tuple) -> None:
        self._clear_data(keep=(self.actual, *keep))
        self.stack.setCurrentWidget(self.plot)
        x = seconds(dates)
        y = np.asarray(prices, dtype=np.float64)
        self.actual.setData(x, y)
        self._series["actual"] = (x, y)
        self.plot.setTitle(title)

    def show_run(self, dates: np.ndarray, prices: np.ndarray, report: object, legend: bool = True) -> None:
        """Actual, predicted per split with shaded regions, and the forecast with its band (a core RunReport).
        Only the curves that change are touched, and the legend is rebuilt only when its names change: a run
        landing at the end of a job is drawn in a few milliseconds (see gui/steps.py). `legend=False` leaves the
        legend to a later `refresh_legend()` (a new entry is a text item: the costliest part of a first draw)."""
        days = report.forecast
        drawn = [self.predicted[split] for split in report.predictions]
        if len(days):
            drawn += [self.forecast, self.band_low, self.band_high, *self._fan_curves()]
        self._show_actual(dates, prices, f"{report.data.ticker} ({report.data.price_column})", keep=tuple(drawn))
        for split, (first, last) in report.split.items():
            self.regions[split].setRegion(seconds([first, last]))
            self.regions[split].show()
        for split, series in report.predictions.items():
            x = seconds(series.dates)
            self.predicted[split].setData(x, series.predicted)
            self._series[f"predicted ({SPLIT_NAMES[split]})"] = (x, series.predicted)
        if len(days):
            x = seconds(days.dates)
            self.forecast.setData(x, days.value)
            self.band_low.setData(x, days.lower)
            self.band_high.setData(x, days.upper)
            levels = [f.level for f in days.fan] or [report.band.level]
            named_levels = ", ".join(f"{round(v * 100)}" for v in levels)
            self.forecast.opts["name"] = f"forecast (shaded: {named_levels} % band{'s' if len(levels) > 1 else ''})"
            if len(days) == 1:  # one day: a marker, or nothing would be drawn
                self.forecast.setSymbol("o")
            else:
                self.forecast.setSymbol(None)
            filled = set()
            for fan in days.fan:
                level = next((level for level in self.fan if abs(level - fan.level) < 1e-9), None)
                if level is not None:
                    self.fan[level][0].setData(x, fan.lower)
                    self.fan[level][1].setData(x, fan.upper)
                    filled.add(level)
            for level, (low, high) in self.fan.items():
                if level not in filled and low.xData is not None and len(low.xData):
                    low.setData([], [])
                    high.setData([], [])
            self._series["forecast"] = (x, days.value)
        if legend:
            self.refresh_legend()
        self._frame()

    def show_folds(self, dates: np.ndarray, prices: np.ndarray, title: str, folds: Sequence[object]) -> None:
        """Actual prices with a walk-forward backtest's folds over them (core FoldReports), framed on the folds and
        a quarter of their span before."""
        self._show_actual(dates, prices, title, keep=self.folds.curves())
        drawn = self.folds.show(folds)
        if drawn is not None:
            self._series["fold prediction"] = drawn
            self._folds_span = tuple(seconds([folds[0].test[0], folds[-1].test[1]]))  # type: ignore[attr-defined]
        self._frame()
        self.refresh_legend()

    def _frame(self) -> None:
        """The recent months and the forecast (a forecast is a sliver at the end of years of history), a backtest's
        folds and a quarter of their span before, or all (Whole history); bands included in the height."""
        actual = self._series.get("actual")
        forecast = self._series.get("forecast")
        if self.whole.isChecked() or actual is None:
            self.plot.enableAutoRange()
        elif self._folds_span is not None:
            start, end = self._folds_span
            self.show_range(start - (end - start) * 0.25, end, _drawn(self.folds.band))
        elif forecast is not None:
            start = max(actual[0][0], actual[0][-1] - RECENT_DAYS * DAY_SECONDS)
            self.show_range(start, forecast[0][-1], _drawn((self.band_low, self.band_high, *self._fan_curves())))
        else:
            self.plot.enableAutoRange()

    def add_extra(self, item: object, name: str = "", series: tuple | None = None) -> None:
        """An item of an overlay (backtest folds, compared runs): removed again by clear()."""
        self.plot.addItem(item)
        self.extras.append(item)
        if name and series is not None:
            self._series[name] = series

    def refresh_legend(self) -> None:
        """The legend names only the curves that draw something (an empty split's curve is no information); it is
        rebuilt only when that list changes (each entry is a text item: rebuilding took most of a redraw)."""
        self._legend_entries = refresh_legend(self.plot, self.legend, self._legend_entries)

    def clear_extras(self) -> None:
        for item in self.extras:
            self.plot.removeItem(item)
        self.extras = []

    def show_range(self, start: float, end: float, more: list | None = None) -> None:
        """Zoom to [start, end] (POSIX seconds), the y range fitted to what is drawn there (and to `more`)."""
        low, high = np.inf, -np.inf
        for xs, ys in [*self._series.values(), *(more or [])]:
            inside = (xs >= start) & (xs <= end)
            if inside.any():
                low, high = min(low, float(np.nanmin(ys[inside]))), max(high, float(np.nanmax(ys[inside])))
        self.plot.setXRange(start, end, padding=0.02)
        if np.isfinite(low) and np.isfinite(high):
            self.plot.setYRange(low, high, padding=0.08)

    def curve_lengths(self) -> dict[str, int]:
        """Points each curve holds, whatever part of them is in view (for tests and the self-test)."""
        lengths = {"actual": self.actual, "forecast": self.forecast, **self.predicted}
        return {name: 0 if curve.xData is None else len(curve.xData) for name, curve in lengths.items()}

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(position) or "actual" not in self._series:
            return
        x = view.mapSceneToView(position).x()
        parts = []
        for name, (xs, ys) in self._series.items():
            if len(xs) == 0 or x < xs[0] - 3 * DAY_SECONDS or x > xs[-1] + 3 * DAY_SECONDS:
                continue
            index = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
            parts.append(f"{name} {ys[index]:.2f}")
            snapped = xs[index]
        if not parts:
            return
        self.cross_v.setValue(snapped)
        self.cross_v.show()
        day = dt.datetime.fromtimestamp(snapped, dt.timezone.utc).strftime("%Y-%m-%d")
        self.readout.setText(f"{day}   " + "   ".join(parts))


def _drawn(curves: Sequence[pg.PlotDataItem]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, y) of each curve that holds data."""
    return [(c.xData, c.yData) for c in curves if c.xData is not None and len(c.xData)]
