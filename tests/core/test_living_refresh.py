"""Refresh: only the days after a project's last date are appended, the past they share is checked (a constant
factor is a re-adjustment, warned about and put on the project's basis; anything else is refused with the dates),
and every source is asked the right way (a newer CSV, the project's own file, the sample, Yahoo through its cache
and offline); a project of several tickers refreshes every one, a failure as its row."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_desktop.core.data.csv_import import read_price_csv
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.living.overlap import PastDiffers, compare_past
from lstm_desktop.core.living.refresh import apply_refresh, refresh_prices
from lstm_desktop.core.store.project_io import load_project

from ..living_data import CUT, cut_and_full, cut_sweep, raw_prices, sample_rows, train_small, write_csv


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(project trained on AAPL cut at CUT, the cut file, the whole file)."""
    folder = tmp_path_factory.mktemp("living")
    cut, full = cut_and_full(folder)
    return train_small(cut, folder / "cut.lstmproj"), cut, full


def test_only_the_days_after_the_last_date_are_appended(trained) -> None:
    path, _, full = trained
    project = load_project(path)
    run_frame = project.current.data.frames[0].frame.copy()
    refreshed = refresh_prices(project, str(full))
    (row,) = refreshed.rows
    newer = [d for d in raw_prices(full) if d > CUT]
    assert row.error is None and row.added == len(newer) and row.first_new == newer[0] and row.last == newer[-1]
    assert row.before == CUT and row.factors == {} and row.overlap_days == len(run_frame)
    assert apply_refresh(project, refreshed)
    live = project.live.frames[0].frame
    pd.testing.assert_frame_equal(live.loc[:CUT], run_frame)  # the past as it was, bit for bit
    assert [f"{d:%Y-%m-%d}" for d in live.index[len(run_frame) :]] == newer
    assert live.loc["2013-03-01", "Adj Close"] == raw_prices(full)["2013-03-01"]
    assert project.loaded.frames[0].end == "2013-03-01" and project.settings.data.csv_path == str(full)
    assert project.current.data.frames[0].end == CUT  # the run keeps the prices it trained on


def test_nothing_new_changes_nothing(trained) -> None:
    path, _, _ = trained
    project = load_project(path)
    refreshed = refresh_prices(project)  # its own file: nothing after CUT
    assert not refreshed.changed and refreshed.rows[0].added == 0 and refreshed.rows[0].error is None
    assert not apply_refresh(project, refreshed) and project.live is None


def test_a_constant_factor_is_a_readjustment_warned_with_dates(tmp_path: Path, trained) -> None:
    path, _, full = trained
    rows = sample_rows()
    scaled = write_csv(tmp_path / "AAPL.csv", rows, {r["Date"]: 0.97 for r in rows})  # the whole past re-adjusted
    project = load_project(path)
    (row,) = refresh_prices(project, str(scaled)).rows
    assert row.error is None and set(row.factors) == {"Adj Close", "Close", "Open", "High", "Low"}
    assert all(abs(f - 0.97) < 1e-9 for f in row.factors.values())
    (note,) = row.notes
    assert "constant factor (Adj Close × 0.97, Close × 0.97" in note and "2009-06-01 to 2012-06-29" in note
    plain = refresh_prices(load_project(path), str(full))
    again = refresh_prices(project, str(scaled))
    np.testing.assert_allclose(again.frames[0].frame.to_numpy(), plain.frames[0].frame.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("factor", [0.99, 1 / 7])
def test_a_readjusted_file_rounded_to_cents_is_a_readjustment(tmp_path: Path, trained, factor: float) -> None:
    """A dividend (0.99) or a 7:1 split re-adjusts the past, and the file rounds the new prices to cents: a cent is
    then a larger share of a split price than of the project's. Warned as a factor, not refused as another series."""
    path, _, full = trained
    rows = sample_rows()
    rounded = write_csv(tmp_path / "AAPL.csv", rows, {r["Date"]: factor for r in rows}, decimals=2)
    (row,) = refresh_prices(load_project(path), str(rounded)).rows
    assert row.error is None and row.added == len([d for d in raw_prices(full) if d > CUT])
    assert all(abs(f / factor - 1) < 1e-3 for f in row.factors.values()) and "constant factor" in row.notes[0]
    edited = write_csv(
        tmp_path / "edited" / "AAPL.csv",
        rows,
        {r["Date"]: factor for r in rows} | {"2011-03-01": factor * 1.01},
        decimals=2,
    )
    (row,) = refresh_prices(load_project(path), str(edited)).rows
    assert "2011-03-01" in row.error and "not by one constant factor" in row.error  # a 1 % edit is still one


def test_prices_changed_unevenly_are_refused_with_the_dates(tmp_path: Path, trained) -> None:
    path, _, _ = trained
    rows = sample_rows()
    edited = write_csv(tmp_path / "AAPL.csv", rows, {"2011-03-01": 1.05, "2011-03-02": 1.05})
    project = load_project(path)
    with pytest.raises(PastDiffers) as refused:
        compare_past(project.current.data.frames[0].frame, read_price_csv(edited).frame, "AAPL", "file AAPL.csv")
    text = str(refused.value)
    assert "2011-03-01" in text and "2011-03-02" in text and "2 of 779 common days" in text
    assert "not by one constant factor" in text and "unchanged" in text
    refreshed = refresh_prices(project, str(edited))
    assert refreshed.rows[0].error == text and refreshed.rows[0].exit_code == 2 and not refreshed.changed
    assert not apply_refresh(project, refreshed) and project.live is None


def test_a_last_day_saved_before_its_close_is_taken_from_the_source(tmp_path: Path, trained) -> None:
    """Prices saved while the market was open hold a last day that was not its close: when every earlier common day
    agrees, that day is replaced by the source's (said in a note) and the new days are appended; the tracking
    scores use the close. Two differing days are still refused."""
    path, _, full = trained
    project = load_project(path)
    run_frame = project.current.data.frames[0].frame
    intraday = run_frame.copy()
    intraday.iloc[-1] = intraday.iloc[-1] * 1.013  # the session's price at save time
    project.current.data.frames[0].frame.loc[:, :] = intraday.to_numpy()  # as if it had been saved so
    refreshed = refresh_prices(project, str(full))
    (row,) = refreshed.rows
    assert row.error is None and row.replaced == CUT and row.added == len([d for d in raw_prices(full) if d > CUT])
    assert any(f"last day, {CUT}, differed" in note and "before that day's close" in note for note in row.notes)
    assert refreshed.changed and apply_refresh(project, refreshed)
    live = project.live.frames[0].frame
    assert live.loc[CUT, "Adj Close"] == raw_prices(full)[CUT]  # the close, not the session's price
    assert len(live.loc[:CUT]) == len(run_frame) and not live.index.duplicated().any()

    edited = write_csv(tmp_path / "AAPL.csv", sample_rows(), {"2012-06-28": 1.013, CUT: 1.013})
    with pytest.raises(PastDiffers):
        compare_past(run_frame, read_price_csv(edited).frame, "AAPL", "file AAPL.csv")


def test_a_hole_or_an_unadjusted_split_in_the_new_days_is_said(tmp_path: Path, trained) -> None:
    """A file that skips months after the project's last day, or whose new days hold a split it is not adjusted
    for, is appended with a note that says so (the file's own findings were dropped before); the forecast whose days
    fell in the hole says they were skipped, not that they have not come yet."""
    from lstm_desktop.core.living.track import track_project

    path, _, _ = trained
    rows = sample_rows()
    holed = write_csv(
        tmp_path / "hole" / "AAPL.csv", [r for r in rows if not "2012-07-01" <= r["Date"] <= "2012-11-30"]
    )
    project = load_project(path)
    refreshed = refresh_prices(project, str(holed))
    (row,) = refreshed.rows
    assert row.error is None and row.first_new == "2012-12-03"
    (note,) = row.notes
    assert "trading days missing" in note and "2012-07-02" in note and "a later refresh cannot fill them" in note
    apply_refresh(project, refreshed)
    (tracked,) = track_project(project)
    assert tracked.days_known == 0 and "hold none of them" in tracked.text and "once it has passed" not in tracked.text
    split = write_csv(
        tmp_path / "split" / "AAPL.csv", rows, {r["Date"]: 0.25 for r in rows if r["Date"] >= "2012-12-03"}
    )
    (row,) = refresh_prices(load_project(path), str(split)).rows
    assert row.added == 166 and any("jump on 2012-12-03" in n and "4:1 split" in n for n in row.notes)
    (row,) = refresh_prices(load_project(path), str(write_csv(tmp_path / "AAPL.csv", rows))).rows
    assert row.added == 166 and row.notes == ()  # a clean file: nothing said


def test_a_csv_of_another_ticker_is_refused(tmp_path: Path, trained) -> None:
    path, _, _ = trained
    other = write_csv(tmp_path / "AAPL.csv", sample_rows("MSFT"))  # named like ours, holds MSFT
    (row,) = refresh_prices(load_project(path), str(other)).rows
    assert "differ from the project's" in row.error and "check that it holds the prices of AAPL" in row.error
    (row,) = refresh_prices(load_project(path), "resources/sample/stocks.csv").rows  # a file with a Ticker column
    assert row.added == 166 and row.error is None  # a file with every ticker holds AAPL too: checked, appended
    (row,) = refresh_prices(load_project(path), str(write_csv(tmp_path / "IBM.csv", sample_rows("IBM")))).rows
    assert "differ from the project's" in row.error  # a file named after another ticker: its prices tell


def test_a_corrupt_or_missing_csv_names_the_problem(tmp_path: Path, trained) -> None:
    path, _, _ = trained
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x00\x01garbage\xff" * 50)
    (row,) = refresh_prices(load_project(path), str(broken)).rows
    assert "broken.csv" in row.error and row.exit_code == 2
    with pytest.raises(BadInput, match="is not a file"):
        refresh_prices(load_project(path), str(tmp_path / "nowhere.csv"))
    moved = tmp_path / "moved.lstmproj"
    shutil.copy(path, moved)
    project = load_project(moved)
    source = Path(project.current.data.frames[0].request["path"])
    hidden = source.with_suffix(".gone")
    source.rename(hidden)
    try:
        (row,) = refresh_prices(project).rows
    finally:
        hidden.rename(source)
    assert "no longer there" in row.error and "--csv FILE" in row.error


def test_the_sample_source_says_it_has_nothing_newer() -> None:
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project

    config = RunConfig(data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01", end=CUT),
                       dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                       train=TrainSpec(epochs=1, threads=1), forecast_days=5)  # fmt: skip
    project = Project()
    project.add(run(config))
    refreshed = refresh_prices(project)
    assert refreshed.rows[0].added == 166 and refreshed.rows[0].source == "sample"
    apply_refresh(project, refreshed)
    assert project.settings.data.end is None
    (row,) = refresh_prices(project).rows
    assert row.added == 0 and "the bundled sample ends on 2013-03-01 and is never updated" in row.notes[0]


def test_yahoo_goes_through_the_cache_and_offline_says_its_age(yahoo_replay) -> None:
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project

    config = RunConfig(data=DataRequest(source="yahoo", tickers=("IBM",), start="2011-01-01", end=CUT),
                       dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                       train=TrainSpec(epochs=1, threads=1), forecast_days=5)  # fmt: skip
    from lstm_desktop.core.data.cache import PriceCache
    from lstm_desktop.core.data.sources import load_prices

    cache = PriceCache(probe=lambda: True)
    project = Project()
    project.add(run(config, load_prices(config.data, cache)))
    (row,) = refresh_prices(project, offline=True, cache=cache).rows  # the cache holds up to CUT only
    assert row.added == 0 and row.error is None
    assert row.notes[0].startswith("IBM: no download; the cache from") and "old; offline)" in row.notes[0]
    (row,) = refresh_prices(project, cache=PriceCache(probe=lambda: False)).rows  # no network: the cache, said so
    assert row.added == 0 and row.error is None and "old; offline)" in row.notes[0]
    refreshed = refresh_prices(project, cache=cache)
    assert refreshed.rows[0].added > 100 and refreshed.rows[0].last == "2013-03-01"
    assert refreshed.rows[0].factors == {} and refreshed.rows[0].notes == ()


def test_every_ticker_of_a_sweep_is_refreshed_and_a_failure_is_a_row(tmp_path: Path) -> None:
    project = cut_sweep(epochs=1)
    ibm_only = tmp_path / "newer.csv"
    pd.read_csv("resources/sample/stocks.csv").query("Ticker == 'IBM'").to_csv(ibm_only, index=False)
    refreshed = refresh_prices(project, str(ibm_only))
    ibm, msft = refreshed.rows
    assert (ibm.ticker, ibm.added, ibm.error) == ("IBM", 166, None)
    assert msft.ticker == "MSFT" and "no rows for MSFT" in msft.error and msft.added == 0
    assert apply_refresh(project, refreshed)
    ends = {f.ticker: f.end for f in project.live.frames}
    assert ends == {"IBM": "2013-03-01", "MSFT": CUT}
