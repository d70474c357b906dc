"""The price cache read strictly: a damaged entry is never used, is downloaded again online, and is refused
offline with the reason; the exchange Yahoo gives is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from lstm_desktop.core.data.cache import PriceCache
from lstm_desktop.core.errors import Offline

D = dt.date
START, END = D(2005, 1, 1), D(2005, 12, 31)


def cached(yahoo_replay) -> tuple[Path, pd.DataFrame]:
    """IBM 2005 downloaded once through the replayed Yahoo: the folder of its cache entry, and the prices."""
    cache = PriceCache(probe=lambda: True)
    frame = cache.get("IBM", START, END).frame
    return cache.root / "IBM", frame


def rewrite_prices(folder: Path, edit: Callable[[list[str]], list[str]], sign: bool = True) -> None:
    """Change prices.csv; with `sign`, update the checksum and row count too, as a buggy writer might."""
    lines = (folder / "prices.csv").read_text().split("\n")
    text = "\n".join(edit(lines))
    (folder / "prices.csv").write_text(text)
    if sign:
        meta = json.loads((folder / "meta.json").read_text())
        meta["sha256"] = hashlib.sha256(text.encode()).hexdigest()
        meta["rows"] = text.count("\n") - 1
        (folder / "meta.json").write_text(json.dumps(meta))


def rewrite_meta(folder: Path, edit: Callable[[dict], object]) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps(edit(meta)))


def swap_rows(lines: list[str]) -> list[str]:
    return [lines[0], lines[2], lines[1], *lines[3:]]


def zero_first_close(lines: list[str]) -> list[str]:
    cells = lines[1].split(",")
    cells[4] = "0"
    return [lines[0], ",".join(cells), *lines[2:]]


def cut_last_row(lines: list[str]) -> list[str]:  # "...,23.2,5000" cut to "...,2": Adj Close 2.0, no Volume
    last = lines[-2]
    return [*lines[:-2], last[: last.rfind(",") - 3], ""]


DAMAGES = {
    "wrong columns": (
        lambda f: rewrite_prices(f, lambda ls: [ls[0].replace("Adj Close", "Adj"), *ls[1:]]),
        "other columns",
    ),
    "duplicate dates": (lambda f: rewrite_prices(f, lambda ls: [ls[0], ls[1], *ls[1:]]), "duplicate or unsorted dates"),
    "unsorted dates": (lambda f: rewrite_prices(f, swap_rows), "duplicate or unsorted dates"),
    "tz-aware dates": (
        lambda f: rewrite_prices(
            f, lambda ls: [ls[0], *[line.replace(",", " 00:00:00-05:00,", 1) for line in ls[1:-1]], ""]
        ),
        "not plain days",
    ),
    "truncated row, checksum updated": (lambda f: rewrite_prices(f, cut_last_row), "incomplete row"),
    "truncated write": (lambda f: rewrite_prices(f, cut_last_row, sign=False), "does not match its checksum"),
    "zero price": (lambda f: rewrite_prices(f, zero_first_close), "zero or negative"),
    "meta a list": (lambda f: rewrite_meta(f, lambda m: [m]), "holds a list"),
    "naive fetched_at": (
        lambda f: rewrite_meta(f, lambda m: {**m, "fetched_at": "2026-01-01T10:00:00"}),
        "without a timezone",
    ),
    "integer fetched_at": (lambda f: rewrite_meta(f, lambda m: {**m, "fetched_at": 1767225600}), "'fetched_at'"),
    "no covered": (lambda f: rewrite_meta(f, lambda m: {k: v for k, v in m.items() if k != "covered"}), "'covered'"),
    "old format": (
        lambda f: rewrite_meta(f, lambda m: {k: v for k, v in m.items() if k != "format"}),
        "another version",
    ),
    "meta missing": (lambda f: (f / "meta.json").unlink(), "missing"),
}


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_a_damaged_entry_is_downloaded_again_and_the_user_is_told(yahoo_replay, kind: str) -> None:
    folder, original = cached(yahoo_replay)
    damage, reason = DAMAGES[kind]
    damage(folder)
    before = len(yahoo_replay.chart_requests("IBM"))
    frame = PriceCache(probe=lambda: True).get("IBM", START, END)
    assert len(yahoo_replay.chart_requests("IBM")) == before + 1
    assert frame.repairs[0].startswith("the cached prices of IBM were damaged (") and reason in frame.repairs[0]
    assert "downloaded again" in frame.repairs[0]
    assert frame.frame.equals(original)
    assert PriceCache(probe=lambda: False).get("IBM", START, END).repairs == []  # the new entry is sound


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_a_damaged_entry_is_refused_offline_with_the_reason(yahoo_replay, kind: str) -> None:
    folder, _ = cached(yahoo_replay)
    damage, reason = DAMAGES[kind]
    damage(folder)
    with pytest.raises(Offline, match=r"the cached prices of IBM are damaged \(") as refused:
        PriceCache(probe=lambda: False).get("IBM", START, END)
    assert reason in str(refused.value)
    assert "Widen the date range" not in str(refused.value)


def test_a_cut_off_adj_close_is_never_used(yahoo_replay) -> None:
    folder, _ = cached(yahoo_replay)
    last = (folder / "prices.csv").read_text().split("\n")[-2]
    rewrite_prices(folder, cut_last_row, sign=False)
    assert PriceCache().load("IBM") is None
    frame = PriceCache(probe=lambda: True).get("IBM", START, END)
    assert frame.frame["Adj Close"].iloc[-1] == pytest.approx(float(last.split(",")[5]))


def test_the_exchange_is_kept_in_the_frame_and_the_cache(yahoo_replay) -> None:
    folder, _ = cached(yahoo_replay)
    assert json.loads((folder / "meta.json").read_text())["exchange"] == "NYQ"
    frame = PriceCache(probe=lambda: False).get("IBM", START, END)
    assert (frame.exchange, frame.trading_calendar, frame.request["exchange"]) == ("NYQ", "XNYS", "NYQ")


def test_the_cache_round_trips_prices_bit_for_bit(yahoo_replay) -> None:
    downloaded = PriceCache(probe=lambda: True).get("IBM", START, END)
    again = PriceCache(probe=lambda: False).get("IBM", START, END)
    assert downloaded.frame.equals(again.frame)


def test_no_hidden_lower_bound_when_only_the_end_is_given(yahoo_replay) -> None:
    frame = PriceCache(probe=lambda: True).get("IBM", None, D(2001, 1, 31))
    assert frame.start == "2000-03-01"  # the first day the recorded body holds
    assert PriceCache(probe=lambda: False).get("IBM", None, D(2001, 1, 31)).start == "2000-03-01"
