"""The sequential band's fast loop gives exactly the bands of a plain reference: every origin's window sorted
afresh, every step and level in its own Python loop, the adaptive level moved outcome by outcome. Same float
operations in the same order, so the bands must agree in every bit (NaN where no band is issued), whatever the
window, levels, step size, minimum count and scale power."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_desktop.core.assess.sequential import Calibration, sequential_band_sets, sequential_bands


def reference_bands(errors: np.ndarray, scale: np.ndarray, calibration: Calibration) -> tuple[np.ndarray, ...]:
    """(lower, upper), each (levels, origins, steps): the method of assess/sequential.py written out plainly."""
    with np.errstate(invalid="ignore"):
        scale = np.asarray(scale, dtype=np.float64) ** calibration.scale_power
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(scale > 0, errors / scale, np.nan)
    levels = sorted(calibration.levels)
    n, steps = errors.shape
    window = max(1, calibration.window)
    lower = np.full((len(levels), n, steps), np.nan)
    upper = np.full((len(levels), n, steps), np.nan)
    for h in range(1, steps + 1):
        column, error_column, scale_column = scores[:, h - 1], errors[:, h - 1], scale[:, h - 1]
        alpha = [1.0 - level for level in levels]
        issued = [False] * n
        for t in range(n):
            arrived = t - h
            if arrived >= 0 and issued[arrived] and not math.isnan(error_column[arrived]):
                error = float(error_column[arrived])
                for k, level in enumerate(levels):
                    outside = error < lower[k, arrived, h - 1] or error > upper[k, arrived, h - 1]
                    alpha[k] += calibration.gamma / h * ((1.0 - level) - (1.0 if outside else 0.0))
            known = sorted(float(v) for v in column[max(0, arrived - window + 1) : max(0, arrived + 1)] if v == v)
            sigma = float(scale_column[t])
            if len(known) < calibration.min_known or not sigma > 0:
                continue
            issued[t] = True
            count = len(known)
            for k in range(len(levels)):
                a = min(max(alpha[k], 0.0), 1.0)
                low_rank = min(max(math.floor((count + 1) * a / 2), 1), count)
                high_rank = min(max(math.ceil((count + 1) * (1 - a / 2)), 1), count)
                lower[k, t, h - 1] = min(known[low_rank - 1], 0.0) * sigma
                upper[k, t, h - 1] = max(known[high_rank - 1], 0.0) * sigma
    return np.fmin.accumulate(lower, axis=0), np.fmax.accumulate(upper, axis=0)


def assert_same_bits(fast: np.ndarray, reference: np.ndarray) -> None:
    assert fast.shape == reference.shape
    assert np.array_equal(fast, reference, equal_nan=True)
    assert np.array_equal(np.signbit(fast), np.signbit(reference))  # a zero's sign too


def random_inputs(seed: int, n: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Heavy-tailed errors with unknown ones (NaN), exact zeros and repeated values; scales with NaN and zeros."""
    rng = np.random.default_rng(seed)
    errors = rng.standard_t(3, size=(n, steps)) * 0.02
    errors[rng.random((n, steps)) < 0.08] = np.nan
    errors[rng.random((n, steps)) < 0.05] = 0.0
    repeated = rng.random((n, steps)) < 0.05
    errors[repeated] = 0.013  # ties in the sorted windows
    errors[-steps:] = np.nan  # outcomes past the data
    scale = np.abs(rng.normal(0.02, 0.01, size=(n, steps)))
    scale[rng.random((n, steps)) < 0.04] = np.nan
    scale[rng.random((n, steps)) < 0.02] = 0.0
    scale[:5] = np.nan  # no volatility forecast yet
    return errors, scale


CASES = [
    Calibration(),
    Calibration(window=1, min_known=1),
    Calibration(window=7, min_known=3, levels=(0.9,)),
    Calibration(window=40, levels=(0.95, 0.5, 0.8), gamma=0.05, scale_power=1.0),
    Calibration(window=60, gamma=0.0, scale_power=0.0),
    Calibration(window=25, min_known=5, gamma=2.0),  # levels pushed past 0 and 1: the clipping
    Calibration(window=500, min_known=10, levels=(0.5, 0.99), gamma=0.3, scale_power=0.5),
]


@pytest.mark.parametrize("calibration", CASES, ids=[f"case{i}" for i in range(len(CASES))])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_fast_bands_equal_the_plain_reference_bit_for_bit(calibration: Calibration, seed: int) -> None:
    errors, scale = random_inputs(seed, n=260, steps=7)
    fast = sequential_bands(errors, scale, calibration)
    lower, upper = reference_bands(errors, scale, calibration)
    assert fast.levels == tuple(sorted(calibration.levels))
    assert np.isfinite(fast.lower).sum() > 100  # bands were issued: the comparison is not of empty arrays
    assert_same_bits(fast.lower, lower)
    assert_same_bits(fast.upper, upper)


def test_error_sets_computed_together_equal_each_alone() -> None:
    """The model's and the random walk's bands share one loop: each must be what it is alone."""
    errors, scale = random_inputs(5, n=300, steps=6)
    other = errors + np.random.default_rng(6).normal(scale=0.01, size=errors.shape)
    calibration = Calibration(window=80, min_known=10, gamma=0.02)
    together = sequential_band_sets((errors, other), scale, calibration)
    for joint, alone in zip(together, (errors, other)):
        single = sequential_bands(alone, scale, calibration)
        assert_same_bits(joint.lower, single.lower)
        assert_same_bits(joint.upper, single.upper)


def test_short_and_empty_inputs() -> None:
    """No origins, or too few known errors for any band: all NaN, of the right shape."""
    empty = sequential_bands(np.zeros((0, 3)), np.zeros((0, 3)))
    assert empty.lower.shape == (4, 0, 3)
    errors, scale = random_inputs(7, n=20, steps=2)
    short = sequential_bands(errors, scale, Calibration(min_known=30))
    assert short.lower.shape == (4, 20, 2)
    assert np.isnan(short.lower).all() and np.isnan(short.upper).all()
