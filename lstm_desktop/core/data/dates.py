"""Dates as people write them in price files: one format per file, found from every row, never guessed.

Year-first dates (2024-01-31, 2024/01/31, 20240131), day-first dotted dates (31.01.2024), month names
(31 Jan 2024, Jan 31, 2024) mean one thing each. Slashed or dashed dates with the year last could be month-first
(1/31/2024) or day-first (31/1/2024): a file is read one way only when its rows allow one way only. A file whose
rows fit both ways, or whose rows are written in different formats, is refused with the rows named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import BadInput
from .rowref import examples, row_ref

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_TIME = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_ZONE = r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})"
_SPLIT = re.compile(rf"^(?P<date>.+?)(?:(?P<time>{_TIME})(?P<zone>{_ZONE})?)?$")

# (label, shape of the date, strptime format; None: month names, read by _month_names)
_FORMATS: tuple[tuple[str, str, str | None], ...] = (
    ("YYYY-MM-DD", r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
    ("YYYY/MM/DD", r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d"),
    ("YYYY.MM.DD", r"\d{4}\.\d{1,2}\.\d{1,2}", "%Y.%m.%d"),
    ("YYYYMMDD", r"\d{8}", "%Y%m%d"),
    ("M/D/YYYY", r"\d{1,2}/\d{1,2}/\d{4}", "%m/%d/%Y"),
    ("D/M/YYYY", r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y"),
    ("M-D-YYYY", r"\d{1,2}-\d{1,2}-\d{4}", "%m-%d-%Y"),
    ("D-M-YYYY", r"\d{1,2}-\d{1,2}-\d{4}", "%d-%m-%Y"),
    ("D.M.YYYY", r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y"),
    ("D Mon YYYY", r"(?P<d>\d{1,2})[ \-/]?(?P<m>[A-Za-z]{3,9})\.?[ \-/]?(?P<y>\d{4})", None),
    ("Mon D, YYYY", r"(?P<m>[A-Za-z]{3,9})\.? (?P<d>\d{1,2}),? (?P<y>\d{4})", None),
)
_ISO = "Write the dates as YYYY-MM-DD (e.g. 2024-01-31)."


def _month_number(word: object) -> float:
    """1..12 for an English month name or its abbreviation (Jan, Sept, January); NaN for anything else."""
    if not isinstance(word, str) or len(word) < 3:
        return np.nan
    word = word.lower()
    return next((float(i) for i, name in enumerate(_MONTH_NAMES, start=1) if name.startswith(word)), np.nan)


def _month_names(text: pd.Series, shape: str) -> pd.Series:
    """Dates with English month names as timestamps; NaT where the shape or the name does not fit."""
    parts = text.str.extract(f"^{shape}$")
    month = parts["m"].map(_month_number)
    iso = parts["y"] + "-" + month.fillna(0).astype(int).astype(str) + "-" + parts["d"]
    return pd.to_datetime(iso.where(month.notna()), format="%Y-%m-%d", errors="coerce")


def _parse(text: pd.Series, fits: np.ndarray, fmt: str | None, shape: str) -> pd.Series:
    """Timestamps where a row has the format's shape (`fits`) and reads as a real date in `fmt`; NaT elsewhere."""
    if fmt is None:
        return _month_names(text.where(fits), shape)
    return pd.to_datetime(text.where(fits), format=fmt, errors="coerce")


def _strip_times(values: pd.Series) -> tuple[pd.Series, bool]:
    """The date part of each cell (times and zone offsets removed), and whether any zone was removed."""
    text = values.astype(str).str.strip()
    timed = text.str.contains(":", regex=False).to_numpy(dtype=bool)
    if not timed.any():
        return text, False
    parts = text[timed].str.extract(_SPLIT)
    text = text.copy()
    text[timed] = parts["date"].fillna(text[timed]).str.strip()
    return text, bool((parts["zone"].fillna("") != "").any())


def _candidates(text: pd.Series) -> dict[str, pd.Series]:
    """Each format's reading of every row (NaT where it does not fit). Shapes exclude each other, so the
    formats of shapes met after every row is placed cannot fit any row and are not tried."""
    parsed: dict[str, pd.Series] = {}
    placed = np.zeros(len(text), dtype=bool)
    shapes: dict[str, np.ndarray] = {}
    for label, shape, fmt in _FORMATS:
        if placed.all():
            break
        if shape not in shapes:
            shapes[shape] = text.str.fullmatch(shape).fillna(False).to_numpy(dtype=bool)
        fits = shapes[shape]
        if fits.any():
            parsed[label] = _parse(text, fits, fmt, shape)
        if label not in ("M/D/YYYY", "M-D-YYYY"):  # their day-first twins share the shape
            placed |= fits
    return parsed


def parse_dates(
    values: pd.Series, lines: Sequence[int] | None = None, fmt: str | None = None
) -> tuple[pd.DatetimeIndex, str | None]:
    """Parse a column of dates to tz-naive days, all rows in one format; a zone offset keeps the local date.

    `fmt` is a format label found by date_format (e.g. on the whole file); None: found from `values`. Returns
    the dates and a note when a timezone was removed. BadInput names the rows of an unreadable, ambiguous or
    mixed column.
    """
    values = values.reset_index(drop=True)
    text, zoned = _strip_times(values)
    chosen = _settle(values, text, lines)[1] if fmt is None else _read_as(values, text, fmt, lines)
    note = "timezone removed from dates (kept the exchange's local date)" if zoned else None
    return pd.DatetimeIndex(chosen).normalize(), note


def date_format(values: pd.Series, lines: Sequence[int] | None = None) -> str:
    """The one format (a label such as 'YYYY-MM-DD' or 'M/D/YYYY') that reads every date; BadInput if none does."""
    values = values.reset_index(drop=True)
    return _settle(values, _strip_times(values)[0], lines)[0]


def _read_as(values: pd.Series, text: pd.Series, fmt: str, lines: Sequence[int] | None) -> pd.Series:
    _, shape, strptime = next(entry for entry in _FORMATS if entry[0] == fmt)
    parsed = _parse(text, text.str.fullmatch(shape).fillna(False).to_numpy(dtype=bool), strptime, shape)
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise BadInput(f"Cannot read the date {values.iloc[row]!r} on {row_ref(row, lines)} as {fmt}. {_ISO}")
    return parsed


def _settle(values: pd.Series, text: pd.Series, lines: Sequence[int] | None) -> tuple[str, pd.Series]:
    """The label of the one format that reads every row, and its reading; BadInput naming rows otherwise."""
    parsed = _candidates(text)
    fits = {label: series.notna().to_numpy() for label, series in parsed.items()}
    readable = np.logical_or.reduce([np.zeros(len(text), dtype=bool), *fits.values()])
    if not readable.all():
        row = int(np.flatnonzero(~readable)[0])
        raise BadInput(f"Cannot read the date {values.iloc[row]!r} on {row_ref(row, lines)}. {_ISO}")
    complete = [label for label, ok in fits.items() if ok.all()]
    if not complete:
        raise BadInput(_mixed_message(values, fits, lines))
    chosen = parsed[complete[0]]
    for other in complete[1:]:
        differs = np.flatnonzero((parsed[other] != chosen).to_numpy())
        if differs.size:
            raise BadInput(_ambiguous_message(values, complete[0], other, chosen, parsed[other], differs, lines))
    return complete[0], chosen


def _ambiguous_message(
    values: pd.Series,
    first: str,
    second: str,
    a: pd.Series,
    b: pd.Series,
    rows: np.ndarray,
    lines: Sequence[int] | None,
) -> str:
    shown = [
        f"{values.iloc[i]!r} on {row_ref(int(i), lines)} ({a.iloc[i]:%Y-%m-%d} or {b.iloc[i]:%Y-%m-%d})"
        for i in rows[:3]
    ]
    return (
        f"The dates fit both {first} and {second}, which read them differently: {', '.join(shown)}. "
        f"No date in the file settles which is meant. {_ISO}"
    )


def _mixed_message(values: pd.Series, fits: dict[str, np.ndarray], lines: Sequence[int] | None) -> str:
    """Which rows are written in which format, starting with the most common one."""
    remaining = np.ones(len(values), dtype=bool)
    parts = []
    while remaining.any() and len(parts) < 4:
        counts = {label: int((ok & remaining).sum()) for label, ok in fits.items()}
        best = max(counts, key=lambda label: counts[label])
        rows = np.flatnonzero(fits[best] & remaining)
        also = [label for label, ok in fits.items() if label != best and ok[rows].all()]
        label = " or ".join([best, *also])
        parts.append(f"{examples(rows, list(values.astype(str)), lines, limit=2)} ({label})")
        remaining &= ~fits[best]
    return f"The dates are written in different formats: {'; '.join(parts)}. {_ISO}"
