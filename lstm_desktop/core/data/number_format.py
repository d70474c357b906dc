"""Numbers as people write them in price files, with the decimal mark decided once per file from every cell.

A cell such as `10.5`, `1,234.50` or `0.123` can only mean a decimal point; `10,5`, `2.090,40` or `1 234,5` only a
decimal comma; `1.234` and `1,234` could mean either (a thousands separator or three decimals). The file's mark is
the one its unambiguous cells show; a file that shows both, or only ambiguous cells, is refused rather than guessed.
Thousands may be grouped with `,` (decimal point), `.` (decimal comma), spaces, non-breaking spaces or `'`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import BadInput
from .rowref import row_ref

POINT, COMMA = ".", ","
MISSING_TOKENS = frozenset({"", "null", "nan", "na", "n/a", "none", "-", "--", "#n/a"})
_INFINITE = {
    f"{sign}{word}": -math.inf if sign == "-" else math.inf for sign in ("", "+", "-") for word in ("inf", "infinity")
}
_SPACES = " \u00a0\u202f'"
_EXPONENT = r"(?:[eE][+-]?\d+)?"
_PATTERNS = {
    POINT: re.compile(
        rf"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+){_EXPONENT}|[1-9]\d{{0,2}}(?P<g>[,{_SPACES}])\d{{3}}(?:(?P=g)\d{{3}})*(?:\.\d*)?)",
        re.ASCII,  # digits 0-9 only
    ),
    COMMA: re.compile(
        rf"[+-]?(?:(?:\d+(?:,\d*)?|,\d+){_EXPONENT}|[1-9]\d{{0,2}}(?P<g>[.{_SPACES}])\d{{3}}(?:(?P=g)\d{{3}})*(?:,\d*)?)",
        re.ASCII,
    ),
}
_GROUPS = {POINT: re.compile(f"[,{_SPACES}]"), COMMA: re.compile(f"[.{_SPACES}]")}


def _value(cell: str, decimal: str) -> float | None:
    """`cell` read with `decimal` as the decimal mark, or None when it is not a number written that way."""
    if not _PATTERNS[decimal].fullmatch(cell):
        return None
    plain = _GROUPS[decimal].sub("", cell)
    return float(plain.replace(",", ".") if decimal == COMMA else plain)


def _special(cell: str) -> float | None:
    """NaN for a missing-value marker, ±inf for a written infinity, None for anything else."""
    lowered = cell.lower()
    if lowered in MISSING_TOKENS:
        return math.nan
    return _INFINITE.get(lowered)


_FAST = re.compile(
    r"(?P<ambiguous>[+-]?[1-9]\d{0,2}\.\d{3})"  # 1.234: a decimal point, or a dot between thousands?
    r"|(?P<plain>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",  # digits with at most a decimal point
    re.ASCII,
)


class _Cells:
    """Every distinct cell of some text columns: its kind and its value under either decimal mark.

    Kinds: 'point' (only a decimal point reads it), 'comma', 'ambiguous' (both read it, as different numbers),
    'neutral' (both read it the same), 'special' (missing marker or infinity), 'bad' (not a number).
    """

    def __init__(self, columns: dict[str, pd.Series]) -> None:
        arrays = [column.to_numpy(dtype=object) for column in columns.values()]
        codes, distinct = pd.factorize(np.concatenate(arrays) if arrays else np.array([], dtype=object))
        codes = np.where(codes < 0, len(distinct), codes)  # the last entry: cells that are no text (None, NaN)
        self.codes = dict(zip(columns, np.split(codes, np.cumsum([len(a) for a in arrays])[:-1])))
        kinds: list[str] = []
        plain: list[str | None] = []
        slow: list[tuple[int, str]] = []
        for i, raw in enumerate(distinct):  # the hot loop of a file's numbers: one match per distinct cell
            cell = str(raw).strip()
            fast = _FAST.fullmatch(cell)
            if fast is not None and fast.lastgroup == "plain":
                kinds.append("point" if "." in cell else "neutral")
                plain.append(cell)
            else:
                kinds.append("special")
                plain.append(None)
                slow.append((i, cell))
        self.kind = np.array([*kinds, "special"], dtype=object)
        self.point = np.array(pd.to_numeric(pd.Series([*plain, None], dtype=object), errors="coerce"), dtype="float64")
        self.comma = np.where(self.kind == "neutral", self.point, np.nan)
        for i, cell in slow:
            self._classify(i, cell)

    def _classify(self, i: int, cell: str) -> None:
        """The slow path, for cells with commas, spaces, three decimals or words."""
        special = _special(cell)
        if special is not None:
            self.point[i] = self.comma[i] = special
            return
        point, comma = _value(cell, POINT), _value(cell, COMMA)
        self.point[i] = np.nan if point is None else point
        self.comma[i] = np.nan if comma is None else comma
        if point is None and comma is None:
            self.kind[i] = "bad"
        elif comma is None or point is None:
            self.kind[i] = "point" if comma is None else "comma"
        else:
            self.kind[i] = "neutral" if point == comma else "ambiguous"


def _text_columns(columns: dict[str, pd.Series]) -> dict[str, pd.Series]:
    return {name: col.reset_index(drop=True) for name, col in columns.items() if not _numeric(col)}


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column)


def decide_decimal_mark(columns: dict[str, pd.Series], lines: Sequence[int] | None = None) -> str:
    """The decimal mark ('.' or ',') of a file's numeric text columns; BadInput when they mix or leave it open."""
    text = _text_columns(columns)
    return _decide(text, _Cells(text), lines)


def _decide(text: dict[str, pd.Series], cells: _Cells, lines: Sequence[int] | None) -> str:
    first: dict[str, tuple[str, int]] = {}  # kind -> (cell, row) of its first example
    for name, column in text.items():
        kinds = cells.kind[cells.codes[name]]
        for kind in ("point", "comma", "ambiguous"):
            hits = np.flatnonzero(kinds == kind)
            if hits.size and (kind not in first or hits[0] < first[kind][1]):
                first[kind] = (str(column.iloc[hits[0]]).strip(), int(hits[0]))
    if "point" in first and "comma" in first:
        (a, ra), (b, rb) = first["point"], first["comma"]
        raise BadInput(
            f"The numbers mix decimal points and decimal commas: {a!r} on {row_ref(ra, lines)} has a decimal "
            f"point, {b!r} on {row_ref(rb, lines)} a decimal comma. Write every number the same way "
            "(e.g. 1234.5) and load the file again."
        )
    if "point" in first or "comma" in first:
        return POINT if "point" in first else COMMA
    if "ambiguous" in first:
        cell, row = first["ambiguous"]
        raise BadInput(
            f"Cannot tell the decimal mark of the numbers: {cell!r} on {row_ref(row, lines)} could be "
            f"{_show(cell, POINT)} or {_show(cell, COMMA)}, and no number in the file settles it. Write the numbers "
            "without thousands separators and with a decimal point (e.g. 1234.5)."
        )
    return POINT


def _show(cell: str, decimal: str) -> str:
    return f"{_value(cell, decimal):.15g}"


def read_numbers(
    columns: dict[str, pd.Series], lines: Sequence[int] | None = None, decimal: str | None = None
) -> dict[str, pd.Series]:
    """Every column as floats, text read with `decimal`, or (None) the one mark of all of them (decide_decimal_mark)."""
    text = _text_columns(columns)
    cells = _Cells(text)
    decimal = decimal or _decide(text, cells, lines)
    return {
        name: _column_values(text[name], name, cells, decimal, lines)
        if name in text
        else column.astype("float64").reset_index(drop=True)
        for name, column in columns.items()
    }


def _column_values(column: pd.Series, name: str, cells: _Cells, decimal: str, lines: Sequence[int] | None) -> pd.Series:
    at = cells.codes[name]
    values = (cells.point if decimal == POINT else cells.comma)[at]
    kinds = cells.kind[at]
    bad = (kinds == "bad") | (np.isnan(values) & (kinds != "special"))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise BadInput(
            f"Column {name} holds text that is not a number: {column.iloc[row]!r} on {row_ref(row, lines)}. "
            "Fix or remove that row."
        )
    return pd.Series(values, dtype="float64")
