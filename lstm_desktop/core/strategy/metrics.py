"""How a series of daily returns did: total and annualised return, volatility, Sharpe, drawdown, turnover, hits.

Annualised over 252 trading days a year. Cash earns nothing here (the sample has no interest rates), so the
Sharpe ratio is mean over standard deviation of the daily returns, times sqrt(252)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DAYS_A_YEAR = 252


@dataclass(frozen=True)
class Performance:
    """One strategy's figures over the days traded. Returns and drawdown are fractions (0.05 = 5 %)."""

    total_return: float
    annual_return: float
    volatility: float  # annualised standard deviation of the daily returns
    sharpe: float  # annualised; 0 for a series that never moves
    max_drawdown: float  # the largest fall from a peak of equity, as a positive fraction
    turnover: float  # equity traded a year (1: the whole equity bought or sold once a year)
    hit_rate: float | None  # share of days in the market whose return had the position's sign
    days_in_market: float  # share of the days with a position
    trades: int  # changes of position


def sharpe_ratio(returns: np.ndarray) -> float:
    """Annualised mean over standard deviation of daily returns (0 when they never move)."""
    if len(returns) < 2:
        return 0.0
    sd = float(np.std(returns, ddof=1))
    return float(np.mean(returns)) / sd * math.sqrt(DAYS_A_YEAR) if sd > 0 else 0.0


def drawdown(equity: np.ndarray) -> np.ndarray:
    """Equity below its running peak, as a fraction (0 at a peak, -0.2 at 20 % below)."""
    peak = np.maximum.accumulate(equity)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(peak > 0, equity / peak - 1.0, 0.0)


def performance(returns: np.ndarray, equity: np.ndarray, position: np.ndarray, realised: np.ndarray) -> Performance:
    """The figures of one strategy: `returns` after costs, its `equity` curve (one longer), the `position` held
    over each day and the price's `realised` return on it."""
    days = len(returns)
    total = float(equity[-1] - 1.0)
    years = days / DAYS_A_YEAR
    annual = (1.0 + total) ** (1.0 / years) - 1.0 if years > 0 and total > -1.0 else -1.0
    held = position != 0
    hits = (position * realised)[held]
    changes = np.abs(np.diff(position, prepend=0.0))
    return Performance(
        total_return=total,
        annual_return=float(annual),
        volatility=float(np.std(returns, ddof=1) * math.sqrt(DAYS_A_YEAR)) if days > 1 else 0.0,
        sharpe=sharpe_ratio(returns),
        max_drawdown=float(-np.min(drawdown(equity))) + 0.0,
        turnover=float(changes.sum() / years) if years > 0 else 0.0,
        hit_rate=float(np.mean(hits > 0)) if len(hits) else None,
        days_in_market=float(np.mean(held)) if days else 0.0,
        trades=int(np.count_nonzero(changes)),
    )


def percent(value: float, decimals: int = 1) -> str:
    """0.041 -> '4.1 %' (the way the verdict writes figures)."""
    return f"{value * 100:.{decimals}f} %"
