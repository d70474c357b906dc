"""How messages name a row of a table: its place among the data rows and, for a file, its line."""

from __future__ import annotations

from collections.abc import Sequence


def row_ref(position: int, lines: Sequence[int] | None = None) -> str:
    """'data row 3 (line 5)' for the row at 0-based `position`; the line only when the file's lines are known."""
    text = f"data row {position + 1}"
    if lines is not None and 0 <= position < len(lines):
        text += f" (line {lines[position]})"
    return text


def examples(positions: Sequence[int], values: Sequence[str], lines: Sequence[int] | None, limit: int = 3) -> str:
    """Up to `limit` rows as "'x' on data row 3 (line 5)", joined for a message."""
    shown = [f"{values[i]!r} on {row_ref(i, lines)}" for i in list(positions)[:limit]]
    more = len(positions) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
