"""Forecasts worth trusting: a linear baseline that is what it says, a verdict that says only what the numbers
support, a band whose coverage is computed right, and forecast dates on the exchange's trading days."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_desktop.core.assess.band import calibrate, conformal_offsets, coverage
from lstm_desktop.core.assess.baselines import fit_ridge
from lstm_desktop.core.assess.significance import diebold_mariano, skill_interval
from lstm_desktop.core.assess.verdict import verdict
from lstm_desktop.core.report import Band


def test_the_ridge_baseline_matches_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 6, 2))
    y = x.reshape(200, -1) @ rng.normal(size=(12, 3)) + 0.5 + rng.normal(scale=0.1, size=(200, 3))
    penalty = 3.0
    ridge = fit_ridge(x, y, penalty)
    # closed form with an unpenalised intercept: least squares on [X - mean, sqrt(λ) I] against [Y - mean, 0]
    flat = x.reshape(200, -1)
    design = np.vstack([flat - flat.mean(axis=0), math.sqrt(penalty) * np.eye(12)])
    target = np.vstack([y - y.mean(axis=0), np.zeros((12, 3))])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    np.testing.assert_allclose(ridge.coef, coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ridge.intercept, y.mean(axis=0) - flat.mean(axis=0) @ coef, rtol=1e-9)
    np.testing.assert_allclose(ridge.predict(x), flat @ coef + ridge.intercept, rtol=1e-9)


def random_walk(n: int, seed: int) -> np.ndarray:
    return 100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(scale=0.01, size=n)))


def test_a_model_equal_to_persistence_plus_noise_makes_no_measurable_difference() -> None:
    prices = random_walk(400, 2)
    actual, last = prices[1:], prices[:-1]
    noisy = last + np.random.default_rng(3).normal(scale=0.01, size=len(last))  # a whisker from tomorrow = today
    skill = 1 - np.sqrt(np.mean((noisy - actual) ** 2)) / np.sqrt(np.mean((last - actual) ** 2))
    said = verdict(noisy - actual, last - actual, skill)
    assert said.kind == "no_difference" and said.p_value > 0.05
    assert "No measurable difference" in said.text and f"p = {said.p_value:.2f}" in said.text
    assert said.skill_low < 0 < said.skill_high or abs(skill) < 1e-3


def test_a_model_far_worse_than_persistence_loses_and_says_by_how_much() -> None:
    prices = random_walk(300, 4)
    actual, last = prices[1:], prices[:-1]
    bad = last * 1.05  # always 5 % too high
    skill = 1 - np.sqrt(np.mean((bad - actual) ** 2)) / np.sqrt(np.mean((last - actual) ** 2))
    said = verdict(bad - actual, last - actual, skill, outside_share=0.0)
    assert said.kind == "loses" and said.p_value < 0.001
    assert f"{1 - skill:.1f}× the error of 'tomorrow = today'" in said.text
    assert "outside the range" not in said.text  # no cause claimed that was not measured
    said = verdict(bad - actual, last - actual, skill, outside_share=0.6)
    assert "60% of these days' prices lie outside the range the model trained on" in said.text


def test_a_model_that_really_is_better_beats_persistence() -> None:
    prices = random_walk(300, 5)
    actual, last = prices[1:], prices[:-1]
    good = actual + np.random.default_rng(6).normal(scale=0.2, size=len(actual))  # knows tomorrow, roughly
    skill = 1 - np.sqrt(np.mean((good - actual) ** 2)) / np.sqrt(np.mean((last - actual) ** 2))
    said = verdict(good - actual, last - actual, skill)
    assert said.kind == "beats" and "less error than 'tomorrow = today'" in said.text


def test_diebold_mariano_on_equal_and_unequal_errors() -> None:
    errors = np.random.default_rng(7).normal(size=500)
    statistic, p_value = diebold_mariano(errors, errors)
    assert p_value == 1.0 and statistic == 0.0
    statistic, p_value = diebold_mariano(errors * 0.5, errors)
    assert statistic < 0 and p_value < 1e-6
    low, high = skill_interval(errors * 0.5, errors)
    assert low < 0.5 < high or abs(low - 0.5) < 1e-9  # skill of halving every error is exactly 0.5


def test_conformal_offsets_use_the_finite_sample_ranks() -> None:
    errors = np.arange(1.0, 20.0) - 10.0  # 19 errors: -9 .. 9
    # α = 0.1: lower rank floor(20 * 0.05) = 1 -> -9; upper rank ceil(20 * 0.95) = 19 -> 9
    assert conformal_offsets(errors, 0.9) == (-9.0, 9.0)
    # α = 0.5: ranks floor(20 * 0.25) = 5 -> -5 and ceil(20 * 0.75) = 15 -> 5
    assert conformal_offsets(errors, 0.5) == (-5.0, 5.0)
    assert conformal_offsets(np.array([1.0, 2.0, 3.0]), 0.5) == (0.0, 3.0)  # the forecast stays inside


def test_coverage_counts_exactly_what_fell_inside() -> None:
    """Errors we control: step 1 inside 8 of 10 known, step 2 inside 5 of 5 known."""
    band = Band(level=0.9, method="test", calibrated_on="val", lower=(-0.1, -0.2), upper=(0.1, 0.2))
    errors = np.full((10, 2), np.nan)
    errors[:, 0] = [0.0, 0.05, -0.05, 0.09, -0.09, 0.0, 0.0, 0.0, 0.5, -0.5]
    errors[:5, 1] = [0.1, -0.1, 0.19, -0.19, 0.0]
    known = np.isfinite(errors)
    cover = coverage(errors, known, band)
    assert cover.by_step == (0.8, 1.0)
    assert cover.overall == pytest.approx(13 / 15) and cover.origins == 10
    assert 0 < cover.sampling_error < 0.2


def test_the_band_calibrated_on_exchangeable_errors_covers_about_its_level() -> None:
    rng = np.random.default_rng(8)
    val = rng.normal(scale=np.sqrt(np.arange(1, 6)) * 0.01, size=(2000, 5))
    test = rng.normal(scale=np.sqrt(np.arange(1, 6)) * 0.01, size=(2000, 5))
    band = calibrate(val, np.isfinite(val), 0.9)
    cover = coverage(test, np.isfinite(test), band)
    assert all(abs(c - 0.9) < 0.03 for c in cover.by_step)
    assert band.upper[4] > band.upper[0]  # wider for later steps, as the errors are


def test_forecast_dates_skip_exchange_holidays() -> None:
    from lstm_desktop.core.assess.forecast import future_dates

    dates = pd.DatetimeIndex(future_dates(pd.Timestamp("2013-03-27"), 4, "XNYS"))
    assert list(dates.strftime("%Y-%m-%d")) == ["2013-03-28", "2013-04-01", "2013-04-02", "2013-04-03"]  # Good Friday
    dates = pd.DatetimeIndex(future_dates(pd.Timestamp("2012-12-21"), 3, "XNYS"))
    assert list(dates.strftime("%Y-%m-%d")) == ["2012-12-24", "2012-12-26", "2012-12-27"]  # Christmas


@pytest.mark.slow
@pytest.mark.parametrize(
    "data",
    [
        {"source": "sample", "tickers": ("AAPL",)},
        {"source": "csv", "csv_path": str(Path(__file__).resolve().parents[1] / "data" / "sp500_mdy.csv")},
    ],
    ids=["bundled AAPL", "S&P 500 CSV"],
)
def test_the_defaults_are_no_worse_than_tomorrow_equals_today(data: dict) -> None:
    """The default settings, whole series: test skill at least -0.05, the last price inside the first forecast
    day's band, and a verdict that claims nothing it cannot show."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.runtime import set_threads
    from lstm_desktop.core.specs import DataRequest, RunConfig

    set_threads(0)
    report = run(RunConfig(data=DataRequest(**data))).report
    test = report.metrics["test"]
    assert test.skill >= -0.05, test.verdict.text
    last = report.predictions["test"].actual[-1]
    assert report.forecast.lower[0] <= last <= report.forecast.upper[0]
    assert test.verdict.kind in ("no_difference", "beats", "loses") and test.verdict.p_value is not None
    assert report.band.coverage["test"].origins > 100
