"""The sequential band: built only from errors known at each origin, adaptive when volatility jumps, equal to the
random-walk band when the model is persistence, nested across the fan's levels, scored by the interval score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from lstm_desktop.core.assess.band import calibrate, coverage
from lstm_desktop.core.assess.calibrated import calibrated_band
from lstm_desktop.core.assess.drawn_path import blend_weights
from lstm_desktop.core.assess.sequential import Calibration, interval_scores, sequential_bands
from lstm_desktop.core.assess.volatility import horizon_scale, log_returns
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.model import LSTMForecaster
from lstm_desktop.core.specs import ModelSpec


def walk_errors(prices: np.ndarray, steps: int) -> np.ndarray:
    logs = np.log(prices)
    out = np.full((len(prices), steps), np.nan)
    for h in range(1, steps + 1):
        out[: len(prices) - h, h - 1] = logs[h:] - logs[:-h]
    return out


def garch_prices(n: int, jump_at: int, seed: int = 3) -> np.ndarray:
    """A GARCH(1,1) series whose long-run volatility triples at `jump_at`."""
    rng = np.random.default_rng(seed)
    omega_low, alpha, beta = 1e-4**2 * 0.05, 0.08, 0.9
    variance = omega_low / (1 - alpha - beta)
    returns = np.empty(n)
    for t in range(n):
        omega = omega_low * (9.0 if t >= jump_at else 1.0)
        returns[t] = np.sqrt(variance) * rng.standard_t(6) / np.sqrt(1.5)
        variance = omega + alpha * returns[t] ** 2 + beta * variance
    return 100 * np.exp(np.cumsum(returns))


def test_no_band_reads_an_error_whose_outcome_lies_after_its_origin() -> None:
    rng = np.random.default_rng(1)
    prices = 100 * np.exp(np.cumsum(rng.normal(scale=0.01, size=900)))
    steps, cut = 10, 600
    errors = walk_errors(prices, steps)
    scale = horizon_scale(log_returns(prices), steps)
    later = prices.copy()
    later[cut:] *= np.exp(np.cumsum(rng.normal(scale=0.05, size=len(prices) - cut)))  # a wild future
    errors_later = walk_errors(later, steps)
    scale_later = horizon_scale(log_returns(later), steps)
    assert np.array_equal(scale[:cut], scale_later[:cut], equal_nan=True)  # the volatility forecast uses the past only
    first = sequential_bands(errors, scale)
    second = sequential_bands(errors_later, scale_later)
    # at origin t < cut every error known there (i + h <= t) is of prices before the cut
    assert np.array_equal(first.lower[:, :cut], second.lower[:, :cut], equal_nan=True)
    assert np.array_equal(first.upper[:, :cut], second.upper[:, :cut], equal_nan=True)
    assert not np.array_equal(first.upper[:, cut + 20 :], second.upper[:, cut + 20 :], equal_nan=True)
    # the drawn path's weights likewise
    moves = np.tile(np.linspace(-0.01, 0.01, steps), (len(prices), 1))
    assert np.array_equal(blend_weights(moves, errors)[:cut], blend_weights(moves, errors_later)[:cut])


def test_a_run_band_ignores_test_prices_after_its_origins(aapl_frames) -> None:
    """Through the real pipeline: prices changed from a test day on leave every band issued before it
    bit-identical (same model; the scalers see training rows only)."""
    spec = DatasetSpec(window=20)
    data = build_dataset(aapl_frames, spec)
    torch.manual_seed(0)
    model = LSTMForecaster(data.n_features, 1, ModelSpec(layers=1, hidden=4)).eval()
    cut_day = data.dates[data.rows.test_at + 100]
    frame = aapl_frames[0].frame.copy()
    frame.loc[frame.index >= cut_day, ["Open", "High", "Low", "Close", "Adj Close"]] *= 1.7
    changed = build_dataset([dataclasses.replace(aapl_frames[0], frame=frame)], spec)
    first = calibrated_band(data, model, 5, score_test=True)
    second = calibrated_band(changed, model, 5, score_test=True)
    before = int(np.searchsorted(first.anchors, data.rows.test_at + 100))  # origins before the changed day
    assert np.array_equal(first.lower[:before], second.lower[:before], equal_nan=True)
    assert np.array_equal(first.upper[:before], second.upper[:before], equal_nan=True)
    assert np.array_equal(first.drawn[:before], second.drawn[:before])
    assert not np.array_equal(first.upper[before + 10 :], second.upper[before + 10 :], equal_nan=True)


def coverage_after(errors: np.ndarray, low: np.ndarray, high: np.ndarray, rows: slice) -> float:
    e, lo, hi = errors[rows, 0], low[rows, 0], high[rows, 0]
    ok = np.isfinite(e) & np.isfinite(lo)
    return float(((e >= lo) & (e <= hi))[ok].mean())


def test_after_a_volatility_jump_the_band_recovers_and_the_one_block_band_does_not() -> None:
    jump, recovery = 1500, 40  # the stated number of days: coverage back within 40 trading days
    prices = garch_prices(3000, jump)
    errors = walk_errors(prices, 5)
    scale = horizon_scale(log_returns(prices), 5)
    bands = sequential_bands(errors, scale, Calibration(levels=(0.9,)))
    after = slice(jump + recovery, jump + recovery + 500)
    assert 0.85 <= coverage_after(errors, bands.lower[0], bands.upper[0], after) <= 0.95
    old = calibrate(errors[jump - 500 : jump], np.isfinite(errors[jump - 500 : jump]), 0.9)
    old_cover = coverage(errors[after], np.isfinite(errors[after]), old)
    assert old_cover.by_step[0] < 0.75  # calibrated once on the calm block, it never learns
    before = slice(1000, jump)
    assert 0.85 <= coverage_after(errors, bands.lower[0], bands.upper[0], before) <= 0.95


class Persistence(nn.Module):
    """A model that predicts a zero log return (its scaled value) for every window: tomorrow = today."""

    def __init__(self, zero: float) -> None:
        super().__init__()
        self.zero = zero
        self.unused = nn.Parameter(torch.zeros(1))  # where inputs go: the CPU

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full((x.shape[0], 1), self.zero, dtype=x.dtype)


def test_when_the_model_is_persistence_its_band_is_the_random_walk_band(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    zero = float(data.target_scaler.transform(np.zeros((1, 1)))[0, 0])
    result = calibrated_band(data, Persistence(zero), 10, score_test=True, raw_path=True)
    band = result.band
    assert np.allclose(band.lower, band.baseline.lower, atol=1e-12)
    assert np.allclose(band.upper, band.baseline.upper, atol=1e-12)
    model, walk = band.coverage["test"], band.baseline.coverage["test"]
    assert model.by_step == pytest.approx(walk.by_step)
    assert model.winkler == pytest.approx(walk.winkler)
    assert band.verdict.kind == "same"


def test_the_fan_is_nested_at_every_origin_and_step() -> None:
    rng = np.random.default_rng(5)
    errors = rng.standard_t(3, size=(800, 8)) * 0.01
    bands = sequential_bands(errors, np.full(errors.shape, 0.01))
    assert bands.levels == (0.5, 0.8, 0.9, 0.95)
    low, high = bands.lower, bands.upper
    ok = np.isfinite(low).all(axis=0)
    assert ok.sum() > 700
    assert (np.diff(low[:, ok], axis=0) <= 0).all() and (np.diff(high[:, ok], axis=0) >= 0).all()
    assert (low[:, ok] <= 0).all() and (high[:, ok] >= 0).all()
    for at, level in enumerate(bands.levels):  # each level holds about its promise on exchangeable errors
        inside = (errors >= low[at]) & (errors <= high[at])
        assert abs(inside[ok].mean() - level) < 0.03


def test_the_adaptive_level_holds_coverage_when_errors_drift() -> None:
    rng = np.random.default_rng(11)
    drift = np.linspace(1.0, 4.0, 3000)[:, None]  # errors widen steadily, unseen by the (unit) scale
    errors = rng.normal(size=(3000, 3)) * drift
    scale = np.ones_like(errors)
    adaptive = sequential_bands(errors, scale, Calibration(levels=(0.9,), gamma=0.005))
    fixed = sequential_bands(errors, scale, Calibration(levels=(0.9,), gamma=0.0))
    rows = slice(500, None)

    def cover(b: object) -> float:
        return coverage_after(errors, b.lower[0], b.upper[0], rows)

    assert abs(cover(adaptive) - 0.9) < abs(cover(fixed) - 0.9)
    assert abs(cover(adaptive) - 0.9) < 0.01


def test_the_interval_score_is_width_plus_two_over_alpha_per_unit_outside() -> None:
    errors = np.array([0.0, 0.3, -0.25])
    low, high = np.full(3, -0.1), np.full(3, 0.2)
    # width 0.3 each; 0.1 above (x 20 at 90 %); 0.15 below
    assert interval_scores(errors, low, high, 0.9) == pytest.approx([0.3, 0.3 + 20 * 0.1, 0.3 + 20 * 0.15])


def test_the_blend_gives_zero_weight_to_a_model_that_does_not_help_and_full_weight_to_one_that_does() -> None:
    rng = np.random.default_rng(2)
    actual = rng.normal(scale=0.02, size=(1500, 3))
    noise = rng.normal(scale=0.02, size=(1500, 3))
    assert (blend_weights(noise, actual)[200:] == 0).mean() > 0.9  # unrelated moves: the flat line
    good = blend_weights(actual, actual)  # a model that knows the move
    assert np.allclose(good[200:], 1.0)


def test_a_run_reports_both_bands_the_fan_and_the_drawn_path(aapl_frames) -> None:
    from lstm_desktop.core.assess.assessment import assess
    from lstm_desktop.core.learn.training import TrainSpec, train

    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    result = train(data, ModelSpec(layers=1, hidden=8), TrainSpec(epochs=1, threads=1))
    measured = assess(data, result.model, 10)
    band = measured.band
    assert band.calibrated_on == "sequential" and band.levels == (0.5, 0.8, 0.9, 0.95)
    cover = band.coverage["test"]
    assert len(cover.width) == len(cover.winkler) == 10 and set(cover.by_level) == {"0.5", "0.8", "0.9", "0.95"}
    assert 0 <= cover.calm <= 1 and 0 <= cover.turbulent <= 1
    assert band.baseline.coverage["test"].origins == cover.origins
    assert band.verdict.kind in ("sharper", "same", "wider") and band.verdict.text
    multistep = measured.metrics["test"].multistep
    assert len(multistep.blend_rmse) == multistep.steps == 10
    days = measured.forecast
    assert [f.level for f in days.fan] == [0.5, 0.8, 0.9, 0.95]
    for narrow, wide in zip(days.fan, days.fan[1:]):
        assert (wide.lower <= narrow.lower + 1e-12).all() and (wide.upper >= narrow.upper - 1e-12).all()
    assert np.array_equal(days.fan[2].lower, days.lower)
    # the drawn path is the model's path moved towards the flat line by the stored weights
    assert all(0.0 <= w <= 1.0 for w in band.blend)
    test = measured.predictions["test"]
    assert np.isfinite(test.lower).all() and (test.lower <= test.upper).all()
    assert isinstance(pd.Timestamp(days.dates[0]), pd.Timestamp)


def test_short_data_still_gets_a_band_of_real_width() -> None:
    """A few months of prices: too few known errors for a calibrated band at the forecast origin; the band falls
    back to the widest error known, never to zero width, and its fan stays nested."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, RunConfig, TrainSpec

    config = RunConfig(
        data=DataRequest(source="sample", tickers=("AAPL",), start="2012-11-01"),
        dataset=DatasetSpec(window=10),
        model=ModelSpec(layers=1, hidden=4),
        train=TrainSpec(epochs=1, threads=1),
        forecast_days=5,
    )
    days = run(config).report.forecast
    assert (days.upper - days.lower > 0).all() and np.isfinite(days.lower).all()
    assert (days.lower <= days.value).all() and (days.value <= days.upper).all()
    for narrow, wide in zip(days.fan, days.fan[1:]):
        assert (wide.lower <= narrow.lower).all() and (wide.upper >= narrow.upper).all()


def test_the_scale_power_moves_the_band_between_raw_and_fully_scaled_errors() -> None:
    """Power 1 scales errors by the volatility forecast, power 0 uses them raw (as a constant scale would), and the
    default lies between: on a series whose volatility triples, its band after the jump is wider than the raw
    errors' band (it follows volatility) and narrower than the fully scaled one's at first (it trusts the
    forecast less)."""
    prices = garch_prices(3000, 1500)
    errors = walk_errors(prices, 5)
    scale = horizon_scale(log_returns(prices), 5)
    one = dict(levels=(0.9,))
    raw = sequential_bands(errors, np.ones_like(scale), Calibration(**one, scale_power=1.0))
    power0 = sequential_bands(errors, scale, Calibration(**one, scale_power=0.0))
    np.testing.assert_array_equal(power0.upper, raw.upper)
    full = sequential_bands(errors, scale, Calibration(**one, scale_power=1.0))
    default = sequential_bands(errors, scale, Calibration(**one))
    assert 0.0 < Calibration().scale_power < 1.0
    after = slice(1510, 1560)  # volatility has jumped; few errors of the new regime are known yet
    width = {name: np.nanmean((b.upper - b.lower)[0, after, 0]) for name, b in
             (("raw", raw), ("full", full), ("default", default))}  # fmt: skip
    assert width["raw"] < width["default"] < width["full"]
