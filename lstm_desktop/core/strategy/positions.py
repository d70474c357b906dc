"""From out-of-sample predictions to positions, costs and daily returns, aligned here and nowhere else.

The caller gives the price series (dates, closes) and the predictions as (day predicted, price predicted for it):
predicted[d] was made at the close of the trading day before d. For each prediction this module finds that day t,
derives the predicted return log(predicted[d] / close[t]) and decides the position at close t, held t -> d. The
realised return over t -> d is used only to grow the equity, never to decide: nothing here takes a signal that
the caller shifted, so a look-ahead cannot be expressed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assess.volatility import horizon_scale, log_returns
from ..errors import BadInput
from .spec import StrategySpec


@dataclass(frozen=True)
class Prices:
    """The traded price (the run's target column) on every trading day, oldest first."""

    dates: np.ndarray  # datetime64[D], (n,) strictly increasing
    closes: np.ndarray  # float64, (n,) > 0


@dataclass(frozen=True)
class Predictions:
    """One-step forecasts: `predicted[i]` is the price predicted for `dates[i]`, made at the previous close."""

    dates: np.ndarray  # datetime64[D], (m,) strictly increasing, each a day of Prices
    predicted: np.ndarray  # float64, (m,)


@dataclass(frozen=True)
class Trades:
    """One row per decision: at close `dates[k]` take `position[k]`, pay `cost[k]` (a fraction of equity), hold it
    until close `held_to[k]`, which returns `realised[k]` (a simple return of the price)."""

    dates: np.ndarray
    held_to: np.ndarray
    predicted_return: np.ndarray  # log return predicted for the holding period, known at close dates[k]
    volatility: np.ndarray  # forecast sd of that day's log return, known at close dates[k] (NaN: too early)
    position: np.ndarray
    realised: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)


def check_prices(prices: Prices) -> None:
    dates, closes = prices.dates, np.asarray(prices.closes, dtype=np.float64)
    if len(dates) != len(closes) or len(dates) < 2:
        raise BadInput("The strategy needs a price on at least two days, one per date.")
    if np.any(np.diff(dates.astype("datetime64[D]").astype(np.int64)) <= 0):
        raise BadInput("The prices' dates must be strictly increasing.")
    if not np.all(np.isfinite(closes)) or np.any(closes <= 0):
        raise BadInput("The traded prices must be positive numbers on every day.")


def decision_rows(prices: Prices, predictions: Predictions) -> np.ndarray:
    """For each prediction, the row of the price series it is for; refused unless that day and the one before it
    are both in the series (the position for day d is decided at the close before it)."""
    days = prices.dates.astype("datetime64[D]")
    wanted = predictions.dates.astype("datetime64[D]")
    if len(wanted) != len(predictions.predicted) or not len(wanted):
        raise BadInput("The strategy needs at least one prediction, one per date.")
    if np.any(np.diff(wanted.astype(np.int64)) <= 0):
        raise BadInput("The predictions' dates must be strictly increasing (one prediction a day).")
    at = np.searchsorted(days, wanted)
    found = (at < len(days)) & (days[np.minimum(at, len(days) - 1)] == wanted)
    if not np.all(found):
        missing = np.datetime_as_string(wanted[~found][0])
        raise BadInput(f"A prediction is for {missing}, a day the prices do not have.")
    if at[0] == 0:
        raise BadInput(f"The prediction for {np.datetime_as_string(wanted[0])} has no close before it to trade at.")
    return at


def target_positions(predicted_return: np.ndarray, volatility: np.ndarray, spec: StrategySpec) -> np.ndarray:
    """The position each rule wants for a predicted log return; NaN where it cannot tell (no prediction, no
    volatility forecast yet for the scaled rule) or where the move is inside the dead band."""
    move = predicted_return
    if spec.rule == "long_flat":
        target = np.where(move > 0, 1.0, 0.0)
    elif spec.rule == "long_short":
        target = np.sign(move)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            target = np.clip(move / volatility / spec.full_at, -spec.cap, spec.cap)
        target = np.where(volatility > 0, target, np.nan)
    band = spec.dead_band * spec.cost_per_trade
    return np.where(np.isfinite(move) & (np.abs(move) >= band), target, np.nan)


def hold_where_unknown(target: np.ndarray) -> np.ndarray:
    """Each NaN takes the position before it (no trade); flat before the first decided one."""
    rows = np.arange(len(target))
    last = np.maximum.accumulate(np.where(np.isfinite(target), rows, -1)) if len(target) else rows
    return np.where(last >= 0, target[np.maximum(last, 0)], 0.0) + 0.0  # + 0.0: no negative zeros


def trades(prices: Prices, predictions: Predictions, spec: StrategySpec) -> Trades:
    """Positions, costs and returns of `spec`'s rule on these predictions (see the module's docstring).

    Days without a prediction are not traded or compared (a backtest fold that failed); a cost is charged at every
    change of position, on the amount traded, starting from cash."""
    check_prices(prices)
    closes = np.asarray(prices.closes, dtype=np.float64)
    at = decision_rows(prices, predictions)
    before = at - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted_return = np.log(np.asarray(predictions.predicted, dtype=np.float64) / closes[before])
    volatility = horizon_scale(log_returns(closes), 1)[before, 0] if spec.rule == "scaled" else np.full(len(at), np.nan)
    position = hold_where_unknown(target_positions(predicted_return, volatility, spec))
    return Trades(
        dates=prices.dates.astype("datetime64[D]")[before],
        held_to=prices.dates.astype("datetime64[D]")[at],
        predicted_return=predicted_return,
        volatility=volatility,
        position=position,
        realised=closes[at] / closes[before] - 1.0,
        cost=change_costs(position, spec.cost_per_trade),
    )


def change_costs(position: np.ndarray, cost_per_trade: float) -> np.ndarray:
    """The cost of each change of position, from cash before the first: |new - old| x cost per unit traded."""
    return np.abs(np.diff(position, prepend=0.0)) * cost_per_trade


def daily_returns(position: np.ndarray, realised: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Each holding period's return after its cost: the trade is paid at the close, then the position is held.
    Equity cannot fall below zero (a ruinous short ends the strategy)."""
    return np.maximum((1.0 - cost) * (1.0 + position * realised), 0.0) - 1.0


def equity_curve(returns: np.ndarray) -> np.ndarray:
    """(n + 1,) equity from 1 at the first decision's close, one value per holding period's end."""
    return np.concatenate([[1.0], np.cumprod(1.0 + returns)])


def buy_and_hold(realised: np.ndarray, cost_per_trade: float) -> tuple[np.ndarray, np.ndarray]:
    """(position, cost) of buying at the first close and holding: one trade, charged like any other."""
    position = np.ones(len(realised))
    return position, change_costs(position, cost_per_trade)
