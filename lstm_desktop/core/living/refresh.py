"""Bring a project's prices up to date: for every ticker it holds, ask its source (Yahoo through the cache, the
bundled sample, its CSV file, or a newer CSV given) for the days after its last one, check the past they share
(overlap.py) and append only the newer days. A ticker that fails is a row with its reason; the others go on.

A source that re-adjusted the past by a constant factor (a dividend or split since the prices were saved) is warned
about, and its new days are put on the project's basis (divided by the factor), so the returns the model sees, and
the tracking scores (computed on returns from each forecast's origin), are what the source says they are.
Nothing here changes the project: `apply_refresh` does, and only when something new arrived.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..data.prices import PriceFrame
from ..errors import BadInput, LstmDesktopError, exit_code_of, failure_text
from .newest import newest_frames
from .overlap import Overlap, compare_past

if TYPE_CHECKING:
    from ..data.cache import PriceCache
    from ..store.project import Project


@dataclass(frozen=True)
class RefreshRow:
    """What a refresh did for one ticker: where the prices came from, the last day before, the days appended, the
    overlap checked and its re-adjustment factors, notes (warnings), or the error that stopped it."""

    ticker: str
    source: str
    origin: str = ""
    before: str = ""  # the project's last day of this ticker before the refresh
    added: int = 0
    first_new: str | None = None
    last: str = ""  # the last day after the refresh
    overlap_days: int = 0
    replaced: str | None = None  # the project's last day, taken from the source (it was saved before its close)
    factors: dict[str, float] = field(default_factory=dict)  # column -> source / project, where not 1
    notes: tuple[str, ...] = ()
    error: str | None = None
    exit_code: int = 0


@dataclass(frozen=True)
class Refreshed:
    """Every ticker's row, and the newest prices of every ticker (refreshed or not)."""

    rows: tuple[RefreshRow, ...]
    frames: tuple[PriceFrame, ...]
    csv_path: str | None = None

    @property
    def changed(self) -> bool:
        return any(row.added or row.replaced for row in self.rows)

    @property
    def failed(self) -> tuple[RefreshRow, ...]:
        return tuple(row for row in self.rows if row.error is not None)


def refresh_prices(
    project: Project,
    csv_path: str | None = None,
    offline: bool = False,
    cache: PriceCache | None = None,
    tickers: set[str] | None = None,
) -> Refreshed:
    """Every ticker's prices (or those of `tickers`: the others are kept as they are) from its source (or
    `csv_path`), checked and extended; failures as rows."""
    frames = newest_frames(project)
    if not frames:
        raise BadInput("This project holds no prices yet: load prices and train a model first, then refresh.")
    if csv_path is not None and not Path(csv_path).is_file():
        raise BadInput(f"{csv_path} is not a file. Give the path of a CSV file of prices.")
    chosen = set(frames) if tickers is None else set(frames) & tickers
    rows, newest = [], []
    for old in frames.values():
        if old.ticker not in chosen:
            newest.append(old)
            continue
        try:
            source, notes = _source_frame(old, csv_path, offline, cache, single=len(chosen) == 1)
            frame, row = extend(old, source, notes)
        except LstmDesktopError as exc:
            frame, row = old, _failed(old, csv_path, exc)
        rows.append(row)
        newest.append(frame)
    return Refreshed(tuple(rows), tuple(newest), csv_path)


def _failed(old: PriceFrame, csv_path: str | None, exc: LstmDesktopError) -> RefreshRow:
    source = "csv" if csv_path else old.source
    origin = f"file {Path(csv_path).name}" if csv_path else old.origin or old.source
    return RefreshRow(old.ticker, source, origin, before=old.end, last=old.end, error=failure_text(exc),
                      exit_code=exit_code_of(exc))  # fmt: skip


def _source_frame(
    old: PriceFrame, csv_path: str | None, offline: bool, cache: PriceCache | None, single: bool
) -> tuple[PriceFrame, list[str]]:
    """The source's prices of `old`'s ticker, and notes about where they came from."""
    from ..data.csv_import import read_series

    if csv_path is not None:
        return read_series(csv_path, old.ticker, any_name=single), []
    if old.source == "csv":
        path = old.request.get("path")
        if not isinstance(path, str) or not Path(path).is_file():
            raise BadInput(
                f"The prices of {old.ticker} came from {path or 'a CSV file'}, which is no longer there. Give the "
                "newer file (on the command line: --csv FILE)."
            )
        return read_series(path, old.ticker, any_name=True), []
    if old.source == "sample":
        from ..data.sources import load_prices
        from ..specs import DataRequest

        return load_prices(DataRequest(source="sample", tickers=(old.ticker,)))[0], []
    if old.source == "yahoo":
        from ..data.cache import PriceCache

        start = old.frame.index[0].date()
        frame = (cache or PriceCache()).get(old.ticker, start, None, offline=offline)
        notes = [f"{old.ticker}: no download; the {frame.origin}."] if frame.origin.startswith("cache from") else []
        return frame, notes
    raise BadInput(f"The prices of {old.ticker} came from {old.source!r}, which cannot be refreshed: give a CSV file.")


def _where(source: PriceFrame) -> str:
    return source.origin or source.source


def extend(old: PriceFrame, source: PriceFrame, notes: list[str] | None = None) -> tuple[PriceFrame, RefreshRow]:
    """`old` with the source's days after its last one (on `old`'s basis), and the row saying so. Raises
    PastDiffers when the past they share differs otherwise than by a constant factor."""
    where = _where(source)
    missing = [c for c in old.frame.columns if c not in source.frame.columns]
    if missing:
        raise BadInput(
            f"{where} has no {missing[0]} column, which the project's prices of {old.ticker} have: the new days "
            "could not be used. Give a file with the same columns."
        )
    overlap = compare_past(old.frame, source.frame, old.ticker, where)
    notes = list(notes or []) + _factor_notes(old.ticker, where, overlap)
    last = old.frame.index[-1]
    taken = source.frame.loc[source.frame.index >= last if overlap.provisional else source.frame.index > last,
                             list(old.frame.columns)].copy()  # fmt: skip
    for column, factor in overlap.readjusted.items():
        taken[column] = taken[column] / factor
    volume = _volume_factor(old.frame.iloc[:-1] if overlap.provisional else old.frame, source.frame)
    if volume != 1.0:
        taken["Volume"] = taken["Volume"] / volume  # a split rescales volumes inversely to prices
    if overlap.provisional:
        notes.append(_provisional_note(old, taken, where, overlap.provisional))
    newer = taken.loc[taken.index > last]
    row = RefreshRow(
        ticker=old.ticker, source=source.source, origin=where, before=old.end, added=len(newer),
        first_new=f"{newer.index[0]:%Y-%m-%d}" if len(newer) else None, last=old.end, overlap_days=overlap.days,
        replaced=overlap.provisional, factors=overlap.readjusted,
        notes=tuple(notes + _nothing_new(old, source, newer)),
    )  # fmt: skip
    if taken.empty:
        return old, row
    kept = old.frame.loc[old.frame.index < taken.index[0]]
    frame = pd.concat([kept, taken]).astype("float64")
    extended = PriceFrame(old.ticker, frame, source.source, source.origin, list(old.repairs), dict(source.request),
                          old.exchange or source.exchange)  # fmt: skip
    found = _new_days_notes(extended, kept.index[-1] if len(kept) else taken.index[0])
    return extended, dataclasses.replace(row, last=extended.end, notes=row.notes + found)


def _new_days_notes(extended: PriceFrame, since: pd.Timestamp) -> tuple[str, ...]:
    """What the data checks find in the appended days and the day before them: trading days the source skipped
    (a hole that a later refresh cannot fill: only days after the last are appended), splits, spikes."""
    from ..data import calendar
    from ..data.quality import missing_trading_days, quality_notes

    stretch = extended.frame.loc[extended.frame.index >= since]
    if "Close" not in stretch.columns or "Adj Close" not in stretch.columns:
        return ()
    found = quality_notes(stretch, extended.ticker, extended.exchange)
    name = calendar.exchange_for(extended.ticker, extended.exchange)
    assumed = name == calendar.DEFAULT_EXCHANGE and not calendar.is_known_exchange(extended.exchange)
    missing = missing_trading_days(stretch.index, name, assumed) if len(stretch) > 1 else None
    hint = (
        " Forecasts are not scored on those days, and a later refresh cannot fill them: it appends only the days "
        "after the last."
    )
    return tuple(f"{extended.ticker}: in the new days, {note}." + (hint if note == missing else "") for note in found)


def _volume_factor(old: pd.DataFrame, source: pd.DataFrame) -> float:
    """The source's volumes over the project's on the common days (their median ratio; 1 within 1 %: volumes are
    often revised a little, so they are not checked day by day)."""
    if "Volume" not in old.columns or "Volume" not in source.columns:
        return 1.0
    common = old.index.intersection(source.index)
    a, b = old.loc[common, "Volume"], source.loc[common, "Volume"]
    ratio = (b / a)[(a > 0) & (b > 0)]
    factor = float(ratio.median()) if len(ratio) else 1.0
    return 1.0 if abs(factor - 1.0) < 0.01 or not factor > 0 else factor


def _factor_notes(ticker: str, where: str, overlap: Overlap) -> list[str]:
    if not overlap.readjusted:
        return []
    factors = ", ".join(f"{column} × {factor:.6g}" for column, factor in overlap.readjusted.items())
    return [
        f"{ticker}: the past prices in {where} are the project's times a constant factor ({factors}) on all "
        f"{overlap.days} common days, {overlap.first} to {overlap.last}: a re-adjustment (a dividend or a split) "
        "since they were saved. The new days were put on the project's basis (divided by the factor), so returns, "
        "and the tracking scores made of them, are as the source says."
    ]


def _provisional_note(old: PriceFrame, taken: pd.DataFrame, where: str, day: str) -> str:
    column = next((c for c in ("Adj Close", "Close") if c in old.frame.columns), old.frame.columns[0])
    was, now = float(old.frame[column].iloc[-1]), float(taken[column].iloc[0])
    return (
        f"{old.ticker}: the project's last day, {day}, differed from {where} ({column} {was:.6g} against {now:.6g}) "
        "while every earlier day agreed: it was saved before that day's close. Its prices were replaced by the "
        "source's; forecasts made from it are scored on returns from its close."
    )


def _nothing_new(old: PriceFrame, source: PriceFrame, newer: pd.DataFrame) -> list[str]:
    if len(newer):
        return []
    if source.source == "sample":
        return [f"{old.ticker}: the bundled sample ends on {source.end} and is never updated: nothing new. Refresh "
                "from a newer CSV file of its prices."]  # fmt: skip
    return []


def apply_refresh(project: Project, refreshed: Refreshed) -> bool:
    """Keep the refreshed prices in the project (True), or change nothing when nothing new arrived (False).

    The newest prices of every ticker become the project's live prices; the loaded prices (what the next run trains
    on) are extended too when every one of their tickers is there; the settings' data request loses its end date
    (and names the newer CSV file when one was given), so the next load asks for the new days too."""
    if not refreshed.changed:
        return False
    by_ticker = {f.ticker: f for f in refreshed.frames}
    project.live = project.data_like(refreshed.frames)
    loaded = project.loaded
    if loaded is not None and all(f.ticker in by_ticker for f in loaded.frames):
        project.loaded = project.data_like(tuple(by_ticker[f.ticker] for f in loaded.frames))
    data = dataclasses.replace(project.settings.data, end=None)
    if refreshed.csv_path is not None and data.source == "csv":
        data = dataclasses.replace(data, csv_path=str(refreshed.csv_path))
    project.settings = dataclasses.replace(project.settings, data=data)
    return True
