"""The installed Qt bindings keep Python's reference counts (PySide6 6.12.0 did not, and crashed long runs)."""

from __future__ import annotations

from lstm_desktop.gui.bindings import none_references_lost


def test_qt_setters_do_not_drop_references_to_none(qapp) -> None:
    assert none_references_lost(20_000) == 0
