"""Widgets for settings, built from their declarations in core/specs.py: range, step, decimals, choices, help.
A range is only ever stated in the declaration; tests check that every widget agrees with it."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from lstm_desktop.core.specs import fields_of

from .widgets import named


def _meta(cls: type, name: str) -> dict:
    return dict(fields_of(cls)[name].metadata)


def spin_for(cls: type, name: str, object_name: str) -> QSpinBox:
    """A spin box for an integer setting."""
    meta = _meta(cls, name)
    spin = named(QSpinBox(), object_name, meta["help"])
    spin.setRange(int(meta["low"]), int(meta["high"]))
    return spin


def double_for(cls: type, name: str, object_name: str) -> QDoubleSpinBox:
    """A spin box for a real-valued setting."""
    meta = _meta(cls, name)
    spin = named(QDoubleSpinBox(), object_name, meta["help"])
    decimals = meta["decimals"] or 2
    spin.setDecimals(decimals)
    spin.setRange(float(meta["low"]), float(meta["high"]))
    spin.setSingleStep(meta["step"] or 10.0**-decimals)
    return spin


def combo_for(cls: type, name: str, object_name: str, labels: dict[str, str] | None = None) -> QComboBox:
    """A combo box of a setting's choices, each item's data the value."""
    meta = _meta(cls, name)
    combo = named(QComboBox(), object_name, meta["help"])
    for choice in meta["choices"]:
        combo.addItem((labels or {}).get(choice, choice), choice)
    return combo


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]
