"""Is the Sharpe difference beyond chance? A stationary bootstrap (Politis & Romano 1994) of the paired daily
returns: blocks of random length (geometric, mean `block`) keep the days' autocorrelation and volatility
clustering, and both series are resampled on the same days, so their correlation is kept too.

The p-value is two-sided, from the bootstrap distribution of the difference centred on the one measured
(Ledoit & Wolf 2008 use the same idea, studentised). The generator is seeded: the same returns give the same
p-value every time."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .metrics import DAYS_A_YEAR

RESAMPLES = 2000
SEED = 20_260_522
CHUNK = 500  # resamples drawn at once


@dataclass(frozen=True)
class SharpeDifference:
    """Annualised Sharpe of the strategy minus buy-and-hold's, and the chance of a difference this large if the
    two were equal (None when there are too few days to tell)."""

    value: float
    p_value: float | None
    block: int  # mean block length, days
    resamples: int


def mean_block(days: int) -> int:
    """The mean block length: n^(1/3) days, at least 2 (the usual rate for a variance-type statistic)."""
    return max(2, round(days ** (1 / 3)))


def stationary_blocks(rng: np.random.Generator, days: int, count: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths), each (count, k): `count` stationary-bootstrap resamples of 0..days-1 as blocks that
    wrap around the end, with geometric lengths of mean `block`, cut so that each resample has exactly `days`."""
    width = 2 * days // block + 20
    lengths = rng.geometric(1.0 / block, size=(count, width))
    while np.any(lengths.sum(axis=1) < days):  # rare: draw more blocks for every row, so the draws stay seeded
        lengths = np.concatenate([lengths, rng.geometric(1.0 / block, size=(count, width))], axis=1)
    starts = rng.integers(0, days, size=lengths.shape)
    before = np.cumsum(lengths, axis=1) - lengths  # days drawn before each block
    lengths = np.clip(days - before, 0, lengths)
    return starts, lengths


def _sums(prefix: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per resample, the sum of the values its blocks cover (prefix: cumulative sums over the values twice)."""
    return (prefix[starts + lengths] - prefix[starts]).sum(axis=1)


def _resampled_sharpes(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Annualised Sharpe ratio of each resample, from block sums of the values and of their squares (a resample's
    mean and variance need nothing else, so no resample is ever built day by day)."""
    days = len(values)
    twice = np.concatenate([values, values])
    total = _sums(np.concatenate([[0.0], np.cumsum(twice)]), starts, lengths)
    squares = _sums(np.concatenate([[0.0], np.cumsum(twice * twice)]), starts, lengths)
    mean = total / days
    variance = np.maximum((squares - days * mean * mean) / (days - 1), 0.0)
    sd = np.sqrt(variance)
    tiny = sd <= 1e-12 * np.maximum(np.abs(mean), 1e-300)  # a resample that never moves (cash, or one value)
    return np.where(tiny, 0.0, mean / np.where(tiny, 1.0, sd)) * math.sqrt(DAYS_A_YEAR)


def _sharpes(returns: np.ndarray) -> np.ndarray:
    """Annualised Sharpe ratio of each row (0 for a row that never moves)."""
    sd = returns.std(axis=1, ddof=1)
    mean = returns.mean(axis=1)
    safe = np.where(sd > 0, sd, 1.0)
    return np.where(sd > 0, mean / safe, 0.0) * math.sqrt(DAYS_A_YEAR)


def sharpe_difference(
    strategy: np.ndarray, benchmark: np.ndarray, *, resamples: int = RESAMPLES, seed: int = SEED
) -> SharpeDifference:
    """The test of equal Sharpe ratios on paired daily returns (see the module's docstring)."""
    a, b = np.asarray(strategy, dtype=np.float64), np.asarray(benchmark, dtype=np.float64)
    days = len(a)
    measured = float(_sharpes(a[None, :])[0] - _sharpes(b[None, :])[0]) if days > 1 else 0.0
    block = mean_block(max(days, 1))
    if days < 10:
        return SharpeDifference(measured, None, block, 0)
    rng = np.random.default_rng(seed)
    beyond = 0
    for start in range(0, resamples, CHUNK):
        starts, lengths = stationary_blocks(rng, days, min(CHUNK, resamples - start), block)
        drawn = _resampled_sharpes(a, starts, lengths) - _resampled_sharpes(b, starts, lengths)
        beyond += int(np.count_nonzero(np.abs(drawn - measured) >= abs(measured)))
    return SharpeDifference(measured, (beyond + 1) / (resamples + 1), block, resamples)
