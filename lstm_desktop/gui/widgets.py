"""Small helpers for building accessible widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a widget its automation name (objectName), accessible name and tooltip."""
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget
