"""Small helpers for building accessible widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a widget its automation name (objectName), accessible name and tooltip."""
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget


def show_progress(bar: QProgressBar, value: int, maximum: int, text: str) -> None:
    """`value` of `maximum` with `text` on the bar; a maximum of 0 makes it a busy indicator (nothing counted yet)."""
    bar.setRange(0, maximum)
    bar.setValue(min(value, maximum))
    bar.setFormat(text)
