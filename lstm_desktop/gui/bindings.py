"""A check of the Qt bindings themselves: do they keep Python's reference counts?

PySide6 6.12.0 drops a reference to None on every call of a method that returns nothing (setText, setValue,
update, processEvents...). Python 3.12 and later keep None immortal, but on 3.10 and 3.11 a window that trains
for a few minutes frees None and the interpreter aborts ("Fatal Python error: none_dealloc"). pyproject.toml
excludes that version; this check lets the tests and the self-test catch any other one.
"""

from __future__ import annotations

import ctypes
import sys


def none_references_lost(calls: int = 2000) -> int:
    """References to None lost over `calls` calls of a Qt setter (0 for sound bindings). Needs a QApplication."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    keep = [None] * (2 * calls)  # so that even broken bindings cannot free None during the check
    before = sys.getrefcount(None)
    for _ in range(calls):
        label.setText("x")
    lost = before - sys.getrefcount(None)
    none = ctypes.py_object(None)
    for _ in range(lost):  # give back what the bindings dropped, so the check itself cannot crash the process
        ctypes.pythonapi.Py_IncRef(none)
    del keep
    return max(0, lost)
