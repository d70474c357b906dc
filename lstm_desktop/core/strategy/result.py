"""The strategy check from start to end: trades on the predictions, the same days held by buy-and-hold, the
figures of both, the Sharpe-difference test and the verdict in one sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..codec import Dates, Floats
from ..data.prices import PriceFrame
from ..report import RunReport
from .bootstrap import SharpeDifference, sharpe_difference
from .metrics import Performance, percent, performance
from .positions import Predictions, Prices, Trades, buy_and_hold, daily_returns, equity_curve, trades
from .signals import signals_of
from .spec import StrategySpec, checked

WITHIN_CHANCE = 0.05


@dataclass(frozen=True)
class StrategyReport:
    """What a rule would have earned on out-of-sample predictions, after costs, beside buy-and-hold and cash."""

    spec: StrategySpec
    source: str  # which predictions traded: backtest or test
    days: int  # holding periods (one per prediction)
    model: Performance
    buy_and_hold: Performance
    sharpe_difference: SharpeDifference
    verdict: str
    dates: Dates  # (days + 1,) the first decision's close, then the end of each holding period
    model_equity: Floats  # (days + 1,) from 1
    buy_and_hold_equity: Floats
    position: Floats  # (days,) held over each period


def evaluate(prices: Prices, predictions: Predictions, spec: StrategySpec, source: str = "test") -> StrategyReport:
    """Trade `spec`'s rule on the predictions and compare it with buying and holding over the same days."""
    spec = checked(spec)
    made = trades(prices, predictions, spec)
    model_returns = daily_returns(made.position, made.realised, made.cost)
    hold_position, hold_cost = buy_and_hold(made.realised, spec.cost_per_trade)
    hold_returns = daily_returns(hold_position, made.realised, hold_cost)
    model_equity, hold_equity = equity_curve(model_returns), equity_curve(hold_returns)
    model = performance(model_returns, model_equity, made.position, made.realised)
    hold = performance(hold_returns, hold_equity, hold_position, made.realised)
    difference = sharpe_difference(model_returns, hold_returns)
    return StrategyReport(
        spec=spec,
        source=source,
        days=len(made),
        model=model,
        buy_and_hold=hold,
        sharpe_difference=difference,
        verdict=verdict(model, hold, difference, made),
        dates=np.concatenate([made.dates[:1], made.held_to]),
        model_equity=model_equity,
        buy_and_hold_equity=hold_equity,
        position=made.position,
    )


def verdict(model: Performance, hold: Performance, difference: SharpeDifference, made: Trades) -> str:
    """One sentence a person can act on (and a second when the rule lost to cash or never traded)."""
    text = (
        f"After costs the strategy earned {percent(model.annual_return)} a year against "
        f"{percent(hold.annual_return)} for buy-and-hold"
    )
    p = difference.p_value
    if p is None:
        text += f"; the Sharpe difference {difference.value:+.2f} cannot be tested on {len(made)} days."
        return text + _plainly(model)
    shown = "p < 0.01" if p < 0.01 else f"p = {p:.2f}"
    if p < WITHIN_CHANCE:
        better = "better" if difference.value > 0 else "worse"
        text += (
            f"; the Sharpe difference {difference.value:+.2f} is beyond chance ({shown}): "
            f"risk for risk, the strategy did {better}."
        )
    else:
        text += f"; the Sharpe difference {difference.value:+.2f} is within chance ({shown})."
    return text + _plainly(model)


def _plainly(model: Performance) -> str:
    """What a rule that never traded, or lost money, must say in so many words."""
    if model.trades == 0:
        return " It never took a position (no predicted move cleared the dead band its way): it stayed in cash."
    if model.total_return < 0:
        return f" It lost money ({percent(model.total_return)} in all): holding cash would have done better."
    return ""


def strategy_of_run(report: RunReport, frames: tuple[PriceFrame, ...], spec: StrategySpec) -> StrategyReport:
    """The check on a stored run: its out-of-sample predictions (spec.signals) at its own target prices."""
    spec = checked(spec)
    chosen = signals_of(report, frames, spec.signals)
    return evaluate(chosen.prices, chosen.predictions, spec, chosen.source)
