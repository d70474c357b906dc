"""A plot's legend in rows under its x axis (LegendRow), and naming only the curves that draw something."""

from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt


def refresh_legend(plot: pg.PlotWidget, legend: pg.LegendItem, shown: list | None) -> list:
    """Make `legend` name only the curves of `plot` that draw something (an empty curve is no information), rebuilt
    only when that list differs from `shown` (each entry is a text item: rebuilding took most of a redraw; None:
    not known, as when curves named at their making were entered by pyqtgraph); the list it now shows, to pass again
    next time."""
    entries = [
        (item, item.name())
        for item in plot.getPlotItem().listDataItems()
        if item.name() and item.xData is not None and len(item.xData)
    ]
    now = [(id(item), name) for item, name in entries]
    if now != shown:
        legend.clear()
        for item, name in entries:
            legend.addItem(item, name)
    return now


class LegendRow(pg.LegendItem):
    """A plot's legend in rows under its x axis, as many names to a row as the plot's width holds. Inside the
    plot, a legend hid the curves and bands it names: the small plots' data and, in a small window, the prices.
    The plot gives up the height the rows take, up to a third of its own; a plot too short for them shows none
    (twelve names in a 200-pixel plot left the data 22 pixels, or none)."""

    MARGIN = 8  # pixels kept free at the right of the last name
    SHARE = 1 / 3  # the most of the plot's height the rows may take

    def __init__(self, item: pg.PlotItem, **options: object) -> None:
        self._item = None  # set last: updateSize does nothing until then
        self._flowing = False
        self._expected: tuple[str, ...] = ()
        self._label_sizes: dict[str, tuple[float, float]] = {}
        self._names: dict[pg.LabelItem, str] = {}  # each label's whole name, as plain text
        super().__init__(offset=None, frame=False, colCount=1, **options)
        self.layout.setContentsMargins(0, 0, 0, 0)
        item.layout.addItem(self, 4, 0, 1, 3, alignment=Qt.AlignmentFlag.AlignLeft)  # the row under the x axis
        item.legend = self  # pyqtgraph enters each curve named at its making here
        self._item = item
        item.geometryChanged.connect(self.updateSize)
        for view in item.scene().views() if item.scene() is not None else ():
            view.sigDeviceRangeChanged.connect(self.updateSize)  # a widget narrower than its plot's least width

    def addItem(self, item: object, name: str) -> None:  # pyqtgraph's name: also called for curves named at making
        """Enter `name` as plain text: a label is HTML, so a run or ticker named "a<b" showed "a" and lost the rest."""
        self._flowing = True  # flowed below, once its plain name is known
        try:
            super().addItem(item, _markup(name))
        finally:
            self._flowing = False
        self._names[self.items[-1][1]] = name
        self.updateSize()

    def removeItem(self, item: object) -> None:  # pyqtgraph's name: an item, or an entry's plain name
        """Remove the first entry of `item`, or the first entry named `item` (plain text): that very entry, even
        where another entry shows the same curve (pyqtgraph's own would remove the first entry of its curve)."""
        for sample, label in self.items:
            if sample.item is item or self._names.get(label) == item:
                self.items.remove((sample, label))
                self._names.pop(label, None)
                self._removeItemFromLayout(sample, label)
                self.updateSize()
                return

    def setSampleType(self, sample: type) -> None:  # pyqtgraph's name: it re-enters each entry by its label's text
        """Re-enter the entries with the new symbol type by their plain names (pyqtgraph re-entered a label's shown
        text: escaped again, and a cut name stayed cut)."""
        if sample is self.sampleType:
            return
        entries = [(old.item, self._names[label]) for old, label in self.items]
        self.sampleType = sample
        self.clear()
        for item, name in entries:
            self.addItem(item, name)

    def clear(self) -> None:  # pyqtgraph's name
        self._names = {}
        super().clear()

    def updateSize(self, *_: object) -> None:  # pyqtgraph's name: called as entries come and go
        """Flow the entries into as many columns as the plot's shown width holds, indented to the view box's left
        edge where there is room; size the rows to them. The minimum width stays 1, so the legend never widens
        the plot: a narrower plot reflows it instead."""
        if self._item is None or self._flowing:
            return
        self._flowing = True  # setColumnCount calls this again
        try:
            self._flow()
        finally:
            self._flowing = False

    def expect(self, names: tuple[str, ...]) -> None:
        """The names this legend will show, for the room it keeps while empty (see _row_height)."""
        self._expected = names
        self.updateSize()

    def _flow(self) -> None:
        room = self._room()
        gaps = 2 * self.layout.horizontalSpacing() + 2  # between a symbol and its name, and before the next symbol
        self._fit_names(room, gaps)
        widths = [sample.boundingRect().width() + label.item.boundingRect().width() + gaps
                  for sample, label in self.items]  # fmt: skip
        if not widths:  # empty: the room of the names expected, laid out as they will be
            widths = [_SAMPLE_SIZE + self._label_size(name)[0] + gaps for name in self._expected]
        columns = next((k for k in range(len(widths), 1, -1) if _grid_width(widths, k) <= room), 1)
        if columns != self.columnCount:
            self.setColumnCount(columns)
        grid = _grid_width(widths, columns)
        indent = max(0.0, min(self._item.getAxis("left").width(), room - grid))
        self.layout.setContentsMargins(indent, 0, 0, 0)
        width = max(1.0, min(grid + indent, room))
        self.setMinimumWidth(1)
        self.setPreferredWidth(width)
        self.setMaximumWidth(width)
        rows = max(math.ceil(len(widths) / columns), 1)  # an empty legend keeps at least a row's room
        row = max((max(s.boundingRect().height(), label.item.boundingRect().height()) for s, label in self.items),
                  default=self._row_height())  # fmt: skip
        height = rows * row + (rows - 1) * self.layout.verticalSpacing()
        fits = height <= self.SHARE * self._item.geometry().height()
        self.setVisible(fits)
        self.setFixedHeight(height if fits else 0)

    def _fit_names(self, room: float, gaps: float) -> None:
        """Cut a name wider than a whole row at its end, with "…" and the full name as its tooltip (it was cut at the
        plot's edge with no sign); a cut name is whole again when the row has the room."""
        for sample, label in self.items:
            full = self._names[label]  # every entry came through addItem
            available = room - sample.boundingRect().width() - gaps
            shown = full if self._label_size(full)[0] <= available else self._cut(full, available)
            text = _markup(shown)
            if text != label.text:
                label.setText(text)
                label.setToolTip(_plain_tooltip(full) if shown != full else "")

    def _cut(self, full: str, available: float) -> str:
        """The longest start of `full` that fits `available` pixels with "…" after it (at least "…")."""
        low, high = 0, len(full)
        while low < high:
            middle = (low + high + 1) // 2
            if self._label_size(full[:middle] + "…")[0] <= available:
                low = middle
            else:
                high = middle - 1
        return full[:low].rstrip() + "…"

    def _label_size(self, text: str) -> tuple[float, float]:
        """The width and height of the plain `text` as an entry's label, measured once."""
        if text not in self._label_sizes:
            rect = pg.LabelItem(_markup(text), size=self.opts["labelTextSize"]).itemRect()
            self._label_sizes[text] = (rect.width(), rect.height())
        return self._label_sizes[text]

    def _row_height(self) -> float:
        """The height of a row of names, known before any name is entered. An empty legend keeps the rows of the
        names it expects, or one: the first names entered (a training's first epoch) then do not move the plot,
        whose new layout and repaint took 4-12 ms."""
        return max(_SAMPLE_SIZE, self._label_size("Xg")[1])

    def _room(self) -> float:
        """The width the names may take: the plot's, or the widget's that shows it where that is narrower (a plot
        whose title or axes ask for more than its widget has is drawn cut off at the widget's edge)."""
        width = self._item.geometry().width()
        views = self._item.scene().views() if self._item.scene() is not None else []
        if views:
            width = min(width, views[0].viewport().width() - self._item.mapToScene(0, 0).x())
        return width - self.MARGIN

    def mouseDragEvent(self, ev: object) -> None:  # pyqtgraph's name: a row in the layout is not dragged about
        ev.ignore()

    def hoverEvent(self, ev: object) -> None:  # pyqtgraph's name: its legend offers itself for drags on hover
        pass


_SAMPLE_SIZE = 20.0  # pyqtgraph's legend symbol (ItemSample) is 20 pixels square


def _markup(plain: str) -> str:
    """`plain` as a label's text, which pyqtgraph reads as HTML."""
    return html.escape(plain, quote=False)


def _plain_tooltip(name: str) -> str:
    """`name` as a tooltip that shows it as written: Qt reads a tooltip that looks like HTML ("<b>…", "&lt;") as HTML,
    and a run named "<baseline>" had an empty one."""
    return GuiQt.convertFromPlainText(name, GuiQt.WhiteSpaceMode.WhiteSpaceNormal)


def _grid_width(widths: list[float], columns: int) -> float:
    """The width of entries laid out `columns` to a row, each column as wide as its widest entry."""
    return sum(max(widths[start::columns]) for start in range(columns)) if widths else 0.0


def add_legend(plot: pg.PlotWidget | pg.PlotItem, **options: object) -> LegendRow:
    """The plot's legend, in rows under its x axis (see LegendRow)."""
    return LegendRow(plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot, **options)
