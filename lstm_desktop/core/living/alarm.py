"""How surprising is what one frozen forecast did, given what its run measured before? The days of one forecast
share one origin, so they are strongly dependent: a price that leaves the band on day 3 is likely outside on day 4
too, and a few days outside is weak evidence. Counting them as independent trials (a binomial test) would raise
the alarm far too often.

The null model here keeps that dependence: the forecast's errors are a random walk from the origin (what a price's
log path is, to a first approximation), and on each step the band holds with the probability the run measured for
that step (its reference coverage). Simulating many such paths gives the distribution of "days inside" over the
very steps that are known, from one origin; the p-value is the share of simulated paths with as few days inside.

The skill is judged by direction, against prices with no relation to the forecast: a random walk of the band's
own scale. Its statistic is the projection of what the price did on the drawn path's moves; an alarm only when the
price went against the forecast further than it does on 95 % of such paths (a forecast with no skill would, now
and then, by chance; one that knew something, less often). A flat drawn path (skill 0 by construction) never
raises it. (The ratio of RMSEs itself makes a poor statistic here: a path with large moves loses to the flat line
under the null anyway, so its ratio says little about whether this time went wrong.)

Both use a fixed seed, so the same forecast and prices always give the same figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

DRAWS = 4000  # paths simulated: the p-value's sampling error near 0.05 is about 0.0035
SEED = 20
ALARM_P = 0.05


@dataclass(frozen=True)
class CoverageCheck:
    """Days inside against the null: the p-value of as few days inside, the count at the null's 5 % point, and
    the reference coverage over these steps."""

    p_value: float
    low_count: int  # days inside that 5 % of simulated paths fall to or below
    expected: float  # the reference coverage over the known steps


def _z(level: np.ndarray) -> np.ndarray:
    normal = NormalDist()
    return np.array([normal.inv_cdf((1.0 + min(max(p, 1e-9), 1 - 1e-9)) / 2.0) for p in level])


@functools.lru_cache(maxsize=4)
def _normals(seed: int, steps: int) -> np.ndarray:
    """(DRAWS, steps) standard normal draws, the same every time (kept: every forecast of a length reuses them)."""
    draws = np.random.default_rng(seed).standard_normal((DRAWS, steps))
    draws.flags.writeable = False
    return draws


@functools.lru_cache(maxsize=4)
def _scaled_walks(steps: int) -> np.ndarray:
    """(DRAWS, steps) standard normal random walks, each step divided by its standard deviation sqrt(step)."""
    walks = np.cumsum(_normals(SEED, steps), axis=1) / np.sqrt(np.arange(1, steps + 1))
    walks.flags.writeable = False
    return walks


def coverage_check(inside: int, steps: np.ndarray, coverage: np.ndarray) -> CoverageCheck:
    """`inside` of the known forecast steps `steps` (1-based) held, where the run measured `coverage` per step."""
    steps = np.asarray(steps, dtype=np.int64)
    horizon = int(steps.max())
    walks = _scaled_walks(horizon)[:, steps - 1]  # each step's error in its own standard deviations
    held = (np.abs(walks) <= _z(coverage)).sum(axis=1)
    p_value = float(np.mean(held <= inside))
    return CoverageCheck(p_value, int(np.quantile(held, ALARM_P, method="lower")), float(np.mean(coverage)))


def direction_p_value(actual: np.ndarray, steps: np.ndarray, moves: np.ndarray, sigma: np.ndarray) -> float | None:
    """How often prices with no relation to the forecast (a random walk with per-step standard deviation `sigma`,
    log) move against the drawn path as much as `actual` did (prices relative to the origin, per known step):
    the share of simulated paths whose projection on the path's moves, sum(move × (price − 1)), is as low. None
    when the path is flat (no move: its skill is 0 by construction) or the scale is unknown."""
    steps = np.asarray(steps, dtype=np.int64)
    moves = np.expm1(np.asarray(moves, dtype=np.float64))
    sigma = np.asarray(sigma, dtype=np.float64)
    if not np.any(np.abs(moves) > 1e-12) or not (np.all(np.isfinite(sigma)) and np.all(sigma > 0)):
        return None
    variance = np.diff(np.concatenate([[0.0], np.maximum.accumulate(sigma**2)]))  # each day's own increment
    horizon = int(steps.max())
    full = np.zeros(horizon)
    full[: len(variance)] = variance[:horizon]
    walks = np.cumsum(_normals(SEED + 1, horizon) * np.sqrt(full), axis=1)
    simulated = np.expm1(walks[:, steps - 1]) @ moves
    observed = float((np.asarray(actual, dtype=np.float64) - 1.0) @ moves)
    return float(np.mean(simulated <= observed))


def band_sigma(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> np.ndarray:
    """Per step, the standard deviation of log prices the band implies (its log width over 2 z)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.log(np.asarray(upper, dtype=np.float64) / np.asarray(lower, dtype=np.float64))
    return width / (2.0 * float(_z(np.array([level]))[0]))
