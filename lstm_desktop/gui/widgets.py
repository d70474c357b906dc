"""Small helpers for building accessible widgets."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QProgressBar, QScrollArea, QSplitter, QWidget


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a widget its automation name (objectName), accessible name and tooltip."""
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget


def splitter(
    orientation: Qt.Orientation, *widgets: QWidget, sizes: Sequence[int] = (), stretch: Sequence[int] = ()
) -> QSplitter:
    """A splitter of `widgets` in order: its `stretch` factors (how a resize is shared), then its first `sizes`."""
    split = QSplitter(orientation)
    for widget in widgets:
        split.addWidget(widget)
    for index, factor in enumerate(stretch):
        split.setStretchFactor(index, factor)
    if sizes:
        split.setSizes(list(sizes))
    return split


def scrolled(widget: QWidget, frame: bool = False) -> QScrollArea:
    """`widget` in a scroll area that resizes it to its view: a small window scrolls it instead of squashing it."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    if not frame:
        scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


def show_progress(bar: QProgressBar, value: int, maximum: int, text: str) -> None:
    """`value` of `maximum` with `text` on the bar; a maximum of 0 makes it a busy indicator (nothing counted yet)."""
    bar.setRange(0, maximum)
    bar.setValue(min(value, maximum))
    bar.setFormat(text)
