"""Durations in words a progress line can show (light to import: the window uses it before torch loads)."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """12s, or 3m05s from a minute on."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
