"""Tracking: a frozen forecast scored on the days that arrived equals an independent recomputation from the raw
prices; a re-adjusted past gives the same scores; the alarm allows for the days of one forecast moving together
(a few days outside is no alarm, a band that clearly failed is) and says how many days it rests on."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from lstm_desktop.core.living.alarm import coverage_check
from lstm_desktop.core.living.document import track_document
from lstm_desktop.core.living.frozen import FrozenForecast, Reference
from lstm_desktop.core.living.refresh import apply_refresh, refresh_prices
from lstm_desktop.core.living.track import track, track_project
from lstm_desktop.core.report import Forecast
from lstm_desktop.core.store.project_io import load_project

from ..living_data import CUT, cut_and_full, raw_prices, sample_rows, train_small, write_csv


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("track")
    cut, full = cut_and_full(folder)
    return train_small(cut, folder / "cut.lstmproj"), cut, full


def tracked_after(path: Path, csv: Path) -> dict:
    project = load_project(path)
    assert apply_refresh(project, refresh_prices(project, str(csv)))
    return track_document(track_project(project))


def test_scores_equal_an_independent_recomputation_from_the_raw_prices(trained) -> None:
    path, cut, full = trained
    (row,) = tracked_after(path, full)["tracked"]
    stored = load_project(path).current.report
    before, after = raw_prices(cut), raw_prices(full)
    origin = stored.data.end
    assert origin == CUT and row["origin"] == CUT and row["origin_price"] == before[CUT]
    dates = [str(d) for d in stored.forecast.dates.astype("datetime64[D]")]
    known = [d for d in dates if d in after]
    assert len(known) == row["days_known"] == 20  # every forecast day traded
    errors, flat, inside = [], [], []
    for day, entry in zip(dates, row["days"], strict=True):
        assert entry["date"] == day
        actual = before[CUT] * after[day] / after[CUT]  # the origin price times the return since the origin
        value = float(stored.forecast.value[dates.index(day)])
        lower, upper = float(stored.forecast.lower[dates.index(day)]), float(stored.forecast.upper[dates.index(day)])
        assert entry["actual"] == pytest.approx(actual, rel=1e-12) and entry["value"] == value
        assert entry["error"] == pytest.approx(value - actual, rel=1e-9, abs=1e-9)
        assert entry["inside"] == (lower <= actual <= upper)
        errors.append(value - actual)
        flat.append(before[CUT] - actual)
        inside.append(lower <= actual <= upper)
    assert row["rmse"] == pytest.approx(math.sqrt(np.mean(np.square(errors))), rel=1e-12)
    assert row["flat_rmse"] == pytest.approx(math.sqrt(np.mean(np.square(flat))), rel=1e-12)
    assert row["coverage"] == sum(inside) / len(inside)
    assert "Since 2012-06-29" in row["text"] and f"of {len(known)} days" in row["text"]


def test_a_readjusted_past_gives_the_same_scores_and_a_shifted_one_what_its_returns_say(tmp_path, trained) -> None:
    path, cut, full = trained
    plain = tracked_after(path, full)["tracked"][0]
    rows = sample_rows()
    whole = write_csv(tmp_path / "whole" / "AAPL.csv", rows, {r["Date"]: 0.97 for r in rows})
    scaled = tracked_after(path, whole)["tracked"][0]
    for key in ("rmse", "flat_rmse", "coverage", "days_known", "alarm"):
        assert scaled[key] == pytest.approx(plain[key], rel=1e-12), key
    for mine, theirs in zip(scaled["days"], plain["days"], strict=True):
        assert mine["actual"] == pytest.approx(theirs["actual"], rel=1e-12) and mine["inside"] == theirs["inside"]
    # a dividend between the cut and the new days: only the past scaled; the returns from the origin include it
    past = write_csv(tmp_path / "past" / "AAPL.csv", rows, {r["Date"]: 0.97 for r in rows if r["Date"] <= CUT})
    shifted = tracked_after(path, past)["tracked"][0]
    new = raw_prices(past)
    for day in shifted["days"]:
        assert day["actual"] == pytest.approx(raw_prices(cut)[CUT] * new[day["date"]] / new[CUT], rel=1e-12)


def synthetic(steps: int, band: float, moves: np.ndarray | None = None, widen: bool = False) -> FrozenForecast:
    """A frozen forecast from 100 with a band of ± `band` (log; times sqrt(step) when `widen`) and a drawn path of
    `moves` (log; flat if None)."""
    dates = np.arange(np.datetime64("2020-01-02"), np.datetime64("2020-01-02") + steps).astype("datetime64[D]")
    value = 100 * np.exp(moves if moves is not None else np.zeros(steps))
    half = band * (np.sqrt(np.arange(1, steps + 1)) if widen else np.ones(steps))
    forecast = Forecast(dates, value, value * np.exp(-half), value * np.exp(half))
    reference = Reference("test", (0.9,) * steps, 0.85, 0.94)
    return FrozenForecast("r1", "run 1", "X", "Adj Close", "2020-01-01", 100.0, "2020-01-01T00:00:00+00:00", 0.9,
                          forecast, reference)  # fmt: skip


def prices_of(frozen: FrozenForecast, path: np.ndarray):
    import pandas as pd

    from lstm_desktop.core.data.prices import PriceFrame

    index = pd.DatetimeIndex(["2020-01-01", *frozen.forecast.dates.astype("datetime64[ns]")])
    table = pd.DataFrame({"Adj Close": np.concatenate([[50.0], 50.0 * path])}, index=index)
    return PriceFrame("X", table, "csv")


def test_a_few_days_outside_is_no_alarm_but_a_band_that_failed_is() -> None:
    inside_most = np.concatenate([np.ones(12), np.full(8, 1.08)])  # the last 8 of 20 days outside a ± 5 % band
    frozen = synthetic(20, 0.05)
    tracked = track(frozen, prices_of(frozen, inside_most))
    assert tracked.days_known == 20 and tracked.coverage == 12 / 20
    assert not tracked.alarm and 0.05 < tracked.coverage_p < 0.2
    assert "held 12 of 20 days" in tracked.text and "move together" in tracked.text and "no evidence" in tracked.text
    failed = np.full(20, 1.12)  # every day outside
    tracked = track(frozen, prices_of(frozen, failed))
    assert tracked.alarm and tracked.coverage_p < 0.01 and tracked.coverage == 0
    assert "held 0 of 20 days" in tracked.text and "consider refitting" in tracked.text and "20 days" in tracked.text
    assert "85%–94%" in tracked.text  # the range the run measured


def test_the_alarm_allows_for_one_origin_where_a_binomial_test_would_not() -> None:
    steps = np.arange(1, 21)
    binomial = sum(math.comb(20, j) * 0.9**j * 0.1 ** (20 - j) for j in range(13))
    assert binomial < 0.001  # 12 of 20 as independent days: a certain alarm
    check = coverage_check(12, steps, np.full(20, 0.9))
    assert 0.05 < check.p_value < 0.2 and check.low_count < 12  # one path: weak evidence
    assert coverage_check(12, steps, np.full(20, 0.9)) == check  # seeded: the same every time


def test_skill_alarm_only_for_a_path_worse_than_no_skill_allows() -> None:
    up = np.linspace(0.01, 0.2, 20)  # the drawn path rises 20 % in 20 days, with a band of 2 % a day
    frozen = synthetic(20, 0.02 * 1.645, up, widen=True)
    down = np.exp(-up)  # and the price falls as much
    tracked = track(frozen, prices_of(frozen, down))
    assert tracked.skill < -1 and tracked.skill_p < 0.05 and tracked.alarm
    assert "went against the drawn path further than it does for a forecast with no skill" in tracked.text
    wiggle = np.exp(0.02 * np.sin(np.arange(20)))  # the price wanders near the origin: worse than flat, by chance
    tracked = track(frozen, prices_of(frozen, wiggle))
    assert tracked.skill < 0 and tracked.skill_p > 0.05
    flat = synthetic(20, 0.02 * 1.645, widen=True)  # a flat drawn path: skill 0 by construction, never an alarm
    tracked = track(flat, prices_of(flat, down))
    assert tracked.skill == pytest.approx(0.0) and tracked.skill_p is None and not tracked.alarm
    assert "0 by construction" in tracked.text


def test_days_not_known_yet_and_prices_that_lack_the_origin() -> None:
    frozen = synthetic(5, 0.05)
    prices = prices_of(frozen, np.ones(5))
    prices.frame = prices.frame.iloc[:1]  # the origin day only: nothing has arrived yet
    tracked = track(frozen, prices)
    assert tracked.days_known == 0 and "no day known yet; its first day is 2020-01-02" in tracked.text
    shifted = dataclasses.replace(frozen, origin="2019-12-31")
    tracked = track(shifted, prices_of(frozen, np.ones(5)))
    assert tracked.problem and "no longer hold its origin day 2019-12-31" in tracked.text
