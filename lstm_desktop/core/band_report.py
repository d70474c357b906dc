"""The band's part of the run report: coverage on a split (with the sequential band's width, interval score,
calm/turbulent halves and per-origin detail), the fan, the band itself with its random-walk baseline and verdict,
and a backtest's pooled bands. Re-exported by report.py, whose RunReport holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .codec import Floats


@dataclass(frozen=True)
class Coverage:
    """How often the actual price fell inside the band, over `origins` forecast origins."""

    overall: float
    by_step: tuple[float, ...]
    origins: int
    sampling_error: float
    known: tuple[int, ...] = ()  # forecasts scored per step (to pool coverage over several periods)
    # sequential bands (0.3 on); None in earlier runs
    width: tuple[float, ...] | None = None  # mean width per step, log prices
    winkler: tuple[float, ...] | None = None  # mean interval score per step, log prices
    calm: float | None = None  # coverage on the origins of lower forecast volatility (half of them)
    turbulent: float | None = None  # ... and of higher
    by_level: dict[str, float] | None = None  # coverage of each level of the fan ("0.5": 0.51, ...)
    detail: OriginDetail | None = None  # per origin, to pool several periods (backtest folds)


@dataclass(frozen=True)
class OriginDetail:
    """Per origin of a split: the one-day volatility forecast, the steps known and inside, the mean interval
    score over the known steps (to pool calm/turbulent halves and compare bands over several periods)."""

    volatility: Floats
    known: Floats
    inside: Floats
    winkler: Floats


@dataclass(frozen=True)
class FanLevel:
    """One level of the fan: log offsets per step at the forecast origin."""

    level: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class BandVerdict:
    """The band against the random-walk band: sharper, same or wider by a Diebold–Mariano test of the interval
    scores (p < 0.05), and whether it held its level."""

    kind: Literal["sharper", "same", "wider", "unknown"]
    p_value: float | None
    text: str
    held: bool | None = None


@dataclass(frozen=True)
class Band:
    """The forecast band: log offsets from the forecast per step (lower <= 0 <= upper) at the forecast origin,
    and its measured coverage. Steps beyond the calibrated ones widen the last step's offsets by
    sqrt(step / calibrated steps). Sequential bands (calibrated_on "sequential") add the fan of levels, the
    drawn path's weights, the random-walk band through the same machinery, and the verdict between them."""

    level: float
    method: str
    calibrated_on: str
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    coverage: dict[str, Coverage] = field(default_factory=dict)
    levels: tuple[float, ...] = ()
    fan: tuple[FanLevel, ...] = ()
    blend: tuple[float, ...] = ()  # per step, the drawn path's weight on the model (0: the flat last price)
    baseline: Band | None = None  # the random-walk band ("tomorrow = today") through the same calibration
    verdict: BandVerdict | None = None

    def offsets(self, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) log offsets for steps 1..steps."""
        return widened(self.lower, self.upper, steps)

    def fan_offsets(self, steps: int) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """(level, lower, upper) log offsets for steps 1..steps of every level of the fan (the main level alone
        for runs made before the fan)."""
        if not self.fan:
            return [(self.level, *self.offsets(steps))]
        return [(f.level, *widened(f.lower, f.upper, steps)) for f in self.fan]

    def weights(self, steps: int) -> np.ndarray:
        """The drawn path's weight on the model for steps 1..steps (1: the raw path, as runs before 0.3 drew)."""
        if not self.blend:
            return np.ones(steps)
        w = np.asarray(self.blend, dtype=np.float64)
        return np.concatenate([w, np.full(max(steps - len(w), 0), w[-1])])[:steps]


def widened(lower: tuple[float, ...], upper: tuple[float, ...], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets for steps 1..steps: the calibrated ones, then the last widened by sqrt(step / calibrated)."""
    low, high = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    known = len(low)
    if steps <= known:
        return low[:steps], high[:steps]
    widen = np.sqrt(np.arange(known + 1, steps + 1) / known)
    return np.concatenate([low, low[-1] * widen]), np.concatenate([high, high[-1] * widen])


@dataclass(frozen=True)
class BandSummary:
    """A band over every fold's test origins pooled."""

    overall: float
    by_step: tuple[float, ...]
    width: tuple[float, ...]
    winkler: tuple[float, ...]
    calm: float
    turbulent: float


@dataclass(frozen=True)
class PooledBand:
    """The model's band and the random-walk band over every fold, and the verdict between them."""

    model: BandSummary
    baseline: BandSummary
    verdict: BandVerdict
