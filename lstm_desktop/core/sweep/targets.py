"""The tickers of a sweep and their prices, loaded in the parent (so workers need no network): from Yahoo one by
one, or from one file (the named tickers, or every ticker of a long-format file) or the bundled sample. A ticker
that cannot be loaded becomes a target with its error, never the end of the sweep."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..data.prices import PriceFrame
from ..errors import BadInput, LstmDesktopError
from ..specs import DataRequest


@dataclass(frozen=True)
class Target:
    """One ticker of a sweep: its prices, or why they could not be had."""

    ticker: str
    frames: tuple[PriceFrame, ...] | None
    error: LstmDesktopError | None = None


def sweep_request(base: DataRequest, tickers: Iterable[str]) -> DataRequest:
    """`base` (source, file, dates) with the sweep's tickers: normalised for Yahoo and the sample, as written
    (upper-case) for a file's Ticker column; none given means every ticker of the file or sample."""
    from ..data.tickers import normalise_tickers, refuse_repeats

    if base.source == "csv":
        given = [t.strip() for t in tickers if t and t.strip()]
        refuse_repeats(given)
        return dataclasses.replace(base, tickers=tuple(t.upper() for t in given))
    return dataclasses.replace(base, tickers=normalise_tickers(tickers))


def split_tickers(text: str) -> list[str]:
    """Tickers typed or pasted: separated by spaces, commas, semicolons or new lines."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def file_tickers(path: str | Path) -> tuple[str, ...]:
    """The tickers of a long-format CSV file in file order (its Ticker column); () for a file of one series."""
    from ..data.csv_file import read_text_table
    from ..data.normalise import canonical_headers

    text = read_text_table(Path(path))
    column = next((c for c, name in canonical_headers(list(text.table.columns)).items() if name == "Ticker"), None)
    if column is None:
        return ()
    names = text.table[column].astype(str).str.strip().str.upper()
    return tuple(name for name in dict.fromkeys(names) if name)


def sweep_tickers(request: DataRequest) -> tuple[str, ...]:
    """The tickers a sweep covers: those asked, else every ticker of the file or of the sample."""
    from ..data.sources import sample_tickers

    if request.tickers:
        return tuple(request.tickers)
    if request.source == "csv" and request.csv_path:
        return file_tickers(request.csv_path) or (Path(request.csv_path).stem.upper(),)
    if request.source == "sample":
        return sample_tickers()
    raise BadInput("A sweep needs tickers: --ticker T (repeat it), or --csv FILE (every ticker of the file).")


def load_targets(
    request: DataRequest, tickers: tuple[str, ...] | None = None, should_stop: Callable[[], bool] = lambda: False
) -> list[Target]:
    """Each ticker's prices as a target of its own. One file is read once when every ticker loads; otherwise each
    ticker alone, so the error belongs to the ticker that caused it."""
    from ..data.sources import load_prices

    tickers = tickers or sweep_tickers(request)
    if len(set(tickers)) != len(tickers):
        raise BadInput("A ticker is given twice; give each ticker once.")
    single = request.source == "csv" and request.csv_path and not file_tickers(request.csv_path)
    if request.source in ("csv", "sample") and not single:
        try:
            frames = load_prices(dataclasses.replace(request, tickers=tuple(tickers)))
            return [Target(t, (f,)) for t, f in zip(tickers, frames, strict=True)]
        except LstmDesktopError:
            pass  # find out which ticker it was
    targets = []
    for ticker in tickers:
        if should_stop():  # a download per ticker can take long: a stop ends the loading too
            targets.append(Target(ticker, None, LstmDesktopError("not run: stopped before its prices were loaded")))
            continue
        alone = dataclasses.replace(request, tickers=() if single else (ticker,))
        try:
            targets.append(Target(ticker, tuple(load_prices(alone))))
        except LstmDesktopError as exc:
            targets.append(Target(ticker, None, exc))
    return targets
