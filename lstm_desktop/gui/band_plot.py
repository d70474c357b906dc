"""The band's coverage per forecast step beside the nominal level: the model's band and the random-walk band on
the test origins, a key in words underneath, and the calm and turbulent halves in words for the caller to place."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .axes import grid_plot
from .widgets import named

MODEL_COLOUR, BASELINE_COLOUR, NOMINAL_COLOUR = "#d9534f", "#aaaaaa", "#5cb85c"
KEY = (
    f'<span style="color:{MODEL_COLOUR}">━━</span> model &nbsp; '
    f'<span style="color:{BASELINE_COLOUR}">╍╍</span> random walk &nbsp; '
    f'<span style="color:{NOMINAL_COLOUR}">──</span> nominal'
)


def band_figures(band: object) -> str:
    """Calm and turbulent coverage of both bands, and each fan level's, in one line."""
    cover = band.coverage.get("test")
    if cover is None or cover.calm is None:
        return ""
    base = band.baseline.coverage.get("test") if band.baseline is not None else None

    def pct(value: float | None) -> str:
        return "—" if value is None or not math.isfinite(value) else f"{value:.1%}"

    text = f"Calm half {pct(cover.calm)}, turbulent half {pct(cover.turbulent)}"
    if base is not None:
        text += f" (random walk {pct(base.calm)}, {pct(base.turbulent)})"
    if cover.by_level:
        text += "; levels " + ", ".join(f"{float(k):.0%}: {pct(v)}" for k, v in cover.by_level.items())
    return text + "."


class BandPlot(QWidget):
    """Coverage by step of the test origins (the model's band, the random walk's) and the nominal line. `figures`,
    the calm and turbulent coverage in words, is the caller's to place: under a narrow plot its lines took the
    plot's whole height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        plot = grid_plot()
        self.plot = named(plot, "coveragePlot", "How often the band held the actual price, per forecast step")
        self.plot.setTitle("Band coverage by step (test)")
        self.plot.setLabel("bottom", "trading days ahead")
        self.plot.setYRange(0.5, 1.0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setLabel("left", "share inside")
        self.model = self.plot.plot([], [], pen=pg.mkPen(MODEL_COLOUR, width=2.5))
        self.baseline = self.plot.plot([], [], pen=pg.mkPen(BASELINE_COLOUR, width=1.5, style=Qt.PenStyle.DashLine))
        self.baseline.setZValue(2)  # dashed on top: visible even where both bands are the same
        self.nominal = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(NOMINAL_COLOUR, width=1))
        self.plot.addItem(self.nominal)
        self.figures = named(QLabel(""), "bandFiguresLabel", "Coverage in calm and turbulent times, per level")
        self.figures.setWordWrap(True)
        # the key in words under the plot, the nominal level's line among them (no curve a legend could show)
        self.key = named(QLabel(KEY), "bandKeyLabel", "Which line is which in the coverage plot")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.key)
        self.clear()

    def clear(self) -> None:
        self.model.setData([], [])
        self.baseline.setData([], [])
        self.nominal.setValue(0.9)
        self.figures.setText("")
        self.plot.setXRange(1, 30)
        self.plot.setYRange(0.4, 1.0)

    def show_band(self, band: object) -> None:
        """A core Band: its test coverage per step, its baseline's, its level."""
        self.clear()
        self.nominal.setValue(band.level)
        cover = band.coverage.get("test")
        if cover is None:
            self.figures.setText("No test coverage for this run.")
            return
        steps = np.arange(1, len(cover.by_step) + 1, dtype=np.float64)
        self.model.setData(steps, np.asarray(cover.by_step, dtype=np.float64))
        base = band.baseline.coverage.get("test") if band.baseline is not None else None
        if base is not None:
            self.baseline.setData(steps, np.asarray(base.by_step, dtype=np.float64))
        values = np.asarray(cover.by_step, dtype=np.float64)
        finite = values[np.isfinite(values)]
        low = min(0.4, float(finite.min()) - 0.05) if len(finite) else 0.4
        self.plot.setYRange(max(low, 0.0), 1.0)
        symbol = "o" if len(steps) == 1 else None  # one step: a marker, or nothing would be drawn
        self.model.setSymbol(symbol)
        self.baseline.setSymbol(symbol)
        self.plot.setXRange(1, max(2, len(steps)))
        self.figures.setText(band_figures(band) or "This run's band was made by an earlier method: no per-step "
                             "comparison with the random walk.")  # fmt: skip
