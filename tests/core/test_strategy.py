"""The strategy check cannot cheat: positions use only what was known at their close, the equity curve is what a
plain day-by-day recomputation from prices, predictions and costs gives, costs are charged once per change, an
always-long rule is buy-and-hold, and the Sharpe test's p-value is uniform when the two are equally good."""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_desktop.core.assess.volatility import horizon_scale, log_returns
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.setting_fields import fields_of
from lstm_desktop.core.strategy.bootstrap import sharpe_difference
from lstm_desktop.core.strategy.positions import Predictions, Prices, trades
from lstm_desktop.core.strategy.result import evaluate
from lstm_desktop.core.strategy.spec import RULES, StrategySpec

# Hypothesis caches what it reads of the source (.hypothesis/) in the working folder even without a database:
# keep the repository clean (the same folder as tests/core/test_data_fuzz_csv.py)
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "lstm-desktop-hypothesis")

FREE = {"cost_bps": 0.0, "slippage_bps": 0.0, "dead_band": 0.0}


def market(days: int = 400, seed: int = 1) -> tuple[Prices, Predictions]:
    """A random walk of prices and one-step predictions from day 101 on: the day's close with noise (skilful)."""
    rng = np.random.default_rng(seed)
    closes = 50.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, days)))
    dates = np.datetime64("2015-01-02") + np.arange(days)  # one row a day: the calendar does not matter here
    predicted = closes[1:] * np.exp(rng.normal(0, 0.01, days - 1))
    return Prices(dates, closes), Predictions(dates[101:], predicted[100:])


def by_hand(prices: Prices, predictions: Predictions, spec: StrategySpec) -> np.ndarray:
    """The equity curve recomputed day by day from raw prices, predictions and costs, independently of the
    module: the volatility for each day from the prices up to that day only."""
    closes = list(prices.closes)
    days = [str(d) for d in prices.dates]
    cost = (spec.cost_bps + spec.slippage_bps) / 10_000
    equity, position, previous, curve = 1.0, 0.0, 0.0, [1.0]
    for day, price_predicted in zip(predictions.dates, predictions.predicted):
        i = days.index(str(day))
        now, then = closes[i - 1], closes[i]  # decided at the close before the day predicted, held to it
        move = math.log(price_predicted / now)
        if abs(move) >= spec.dead_band * cost:
            if spec.rule == "long_flat":
                position = 1.0 if move > 0 else 0.0
            elif spec.rule == "long_short":
                position = 1.0 if move > 0 else (-1.0 if move < 0 else 0.0)
            else:
                sd = horizon_scale(log_returns(np.array(closes[:i])), 1)[-1, 0]  # known at close i-1
                if sd > 0:
                    position = min(max(move / sd / spec.full_at, -spec.cap), spec.cap)
        equity *= 1 - abs(position - previous) * cost
        equity *= 1 + position * (then / now - 1)
        previous = position
        curve.append(equity)
    return np.array(curve)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("costs", [(0.0, 0.0, 0.0), (5.0, 5.0, 1.0), (20.0, 3.0, 2.0)])
def test_the_equity_curve_is_an_independent_recomputation(rule: str, costs: tuple) -> None:
    prices, predictions = market()
    spec = StrategySpec(rule=rule, cost_bps=costs[0], slippage_bps=costs[1], dead_band=costs[2], full_at=0.5)
    report = evaluate(prices, predictions, spec)
    np.testing.assert_allclose(report.model_equity, by_hand(prices, predictions, spec), rtol=1e-12, atol=0)
    assert report.days == len(predictions.dates) and len(report.dates) == report.days + 1
    assert report.dates[0] == prices.dates[100] and report.dates[-1] == prices.dates[-1]


def test_the_api_takes_no_shifted_signal_and_refuses_what_cannot_be_traded() -> None:
    assert list(inspect.signature(trades).parameters) == ["prices", "predictions", "spec"]
    assert [f.name for f in dataclasses.fields(Predictions)] == ["dates", "predicted"]  # the day a price is for
    prices, _ = market(200)
    with pytest.raises(BadInput, match="no close before it"):
        trades(prices, Predictions(prices.dates[:5], prices.closes[:5]), StrategySpec())
    with pytest.raises(BadInput, match="a day the prices do not have"):
        trades(prices, Predictions(prices.dates[-3:] + 1, prices.closes[-3:]), StrategySpec())
    with pytest.raises(BadInput, match="strictly increasing"):
        trades(prices, Predictions(prices.dates[[20, 10]], prices.closes[[20, 10]]), StrategySpec())


@pytest.mark.parametrize("rule", RULES)
def test_a_position_never_uses_the_return_it_is_held_over(rule: str) -> None:
    """Change every price after close t, and every prediction for a day after t+1: the positions taken up to
    close t do not move. So a position cannot know the return it is held over (that needs close t+1)."""
    prices, predictions = market()
    spec = StrategySpec(rule=rule, dead_band=1.0)
    base = trades(prices, predictions, spec)
    rng = np.random.default_rng(7)
    for k in (0, 1, 50, len(predictions.dates) - 2):
        t = np.searchsorted(prices.dates, base.dates[k])  # the close position k was decided at
        closes = prices.closes.copy()
        closes[t + 1 :] *= np.exp(rng.normal(0, 0.2, len(closes) - t - 1))
        predicted = predictions.predicted.copy()
        predicted[k + 1 :] *= np.exp(rng.normal(0, 0.2, len(predicted) - k - 1))
        again = trades(Prices(prices.dates, closes), Predictions(predictions.dates, predicted), spec)
        np.testing.assert_array_equal(again.position[: k + 1], base.position[: k + 1])
        np.testing.assert_array_equal(again.cost[: k + 1], base.cost[: k + 1])
        assert not np.array_equal(again.realised[k:], base.realised[k:])  # what it is held over did change


def test_a_perfect_forecast_wins_every_day_and_the_same_forecast_a_day_late_does_not() -> None:
    """Alignment: predicting each day's actual close is right about every move (hit rate 1); the same values a
    day later (the prediction for d is the close of d-1, what persistence says) know nothing."""
    prices, _ = market(600, seed=3)
    days, closes = prices.dates, prices.closes
    spec = StrategySpec(rule="long_short", **FREE)
    perfect = evaluate(prices, Predictions(days[1:], closes[1:]), spec)
    assert perfect.model.hit_rate == 1.0 and perfect.model.total_return > 10
    late = evaluate(prices, Predictions(days[2:], closes[1:-1] * (1 + 1e-9)), spec)
    assert late.model.days_in_market == 1.0 and 0.4 < late.model.hit_rate < 0.6


def test_always_long_is_buy_and_hold_exactly() -> None:
    prices, predictions = market()
    always_up = Predictions(predictions.dates, predictions.predicted * 10)  # every predicted move is up
    for costs in (FREE, {"cost_bps": 7.0, "slippage_bps": 3.0}):
        report = evaluate(prices, always_up, StrategySpec(rule="long_flat", **costs))
        np.testing.assert_array_equal(report.model_equity, report.buy_and_hold_equity)
        assert report.model == report.buy_and_hold and report.sharpe_difference.value == 0.0
    free = evaluate(prices, always_up, StrategySpec(rule="long_flat", **FREE))
    closes = prices.closes[100:]
    np.testing.assert_allclose(free.buy_and_hold_equity, closes / closes[0], rtol=1e-12)


def test_costs_are_charged_once_per_change_of_position() -> None:
    days = np.datetime64("2020-01-01") + np.arange(9)
    closes = np.array([100, 101, 102, 101, 100, 101, 103, 102, 104], dtype=float)
    wanted = np.array([1, 1, -1, -1, 0, 1, 1, 0])  # long, long, short, short, flat (inside the band), long...
    moves = np.where(wanted == 0, 1e-6, wanted * 0.01)
    predictions = Predictions(days[1:], closes[:-1] * np.exp(moves))
    spec = StrategySpec(rule="long_short", cost_bps=10.0, slippage_bps=5.0, dead_band=1.0)
    made = trades(Prices(days, closes), predictions, spec)
    held = np.array([1, 1, -1, -1, -1, 1, 1, 1], dtype=float)  # inside the dead band: the position stays
    np.testing.assert_array_equal(made.position, held)
    changes = np.abs(np.diff(held, prepend=0.0))
    np.testing.assert_allclose(made.cost, changes * 0.0015, rtol=0, atol=1e-18)
    report = evaluate(Prices(days, closes), predictions, spec)
    gross = np.prod(1 + held * (closes[1:] / closes[:-1] - 1))  # the same positions without costs
    ratio = report.model_equity[-1] / gross
    assert ratio == pytest.approx(np.prod(1 - changes * 0.0015), rel=1e-12)
    assert report.model.trades == 3 and report.buy_and_hold.trades == 1


def test_a_rule_that_loses_to_cash_says_so() -> None:
    prices, predictions = market(500, seed=5)
    noise = Predictions(
        predictions.dates, prices.closes[100:-1] * np.exp(np.random.default_rng(2).normal(0, 0.01, 399))
    )
    report = evaluate(prices, noise, StrategySpec(rule="long_short", cost_bps=50.0, dead_band=0.0))
    assert report.model.total_return < 0 and "holding cash would have done better" in report.verdict
    assert report.verdict.startswith("After costs the strategy earned") and "Sharpe difference" in report.verdict
    report = evaluate(prices, noise, StrategySpec(rule="long_flat", dead_band=20.0, cost_bps=500.0))
    assert report.model.trades == 0 and "stayed in cash" in report.verdict


def test_the_sharpe_test_is_deterministic_and_its_p_value_uniform_under_the_null() -> None:
    rng = np.random.default_rng(11)
    p_values = []
    for _ in range(200):
        shocks = rng.standard_t(5, size=(2, 300)) * 0.01
        returns = shocks.copy()
        for t in range(1, 300):  # autocorrelated, equally good
            returns[:, t] += 0.3 * returns[:, t - 1]
        p_values.append(sharpe_difference(returns[0] + 3e-4, returns[1] + 3e-4, resamples=199).p_value)
    p = np.sort(np.array(p_values))
    ks = np.max(np.abs(p - (np.arange(1, len(p) + 1) / len(p))))
    assert ks < 0.12, ks  # a coarse check: uniform within sampling noise (the 1 % KS bound for 200 is 0.115)
    assert 0.02 <= np.mean(p < 0.1) <= 0.2
    a, b = rng.normal(size=(2, 250))
    assert sharpe_difference(a, b) == sharpe_difference(a.copy(), b.copy())


def test_the_same_inputs_give_bit_identical_reports() -> None:
    prices, predictions = market()
    spec = StrategySpec(rule="scaled")
    one, two = evaluate(prices, predictions, spec), evaluate(prices, predictions, spec)
    assert one.verdict == two.verdict and one.sharpe_difference == two.sharpe_difference
    np.testing.assert_array_equal(one.model_equity, two.model_equity)


NUMBERS = [f for f in fields_of(StrategySpec).values() if f.metadata["low"] is not None]


@settings(max_examples=60, deadline=None, database=None, derandomize=True)  # nothing written, same every run
@given(
    field=st.sampled_from(NUMBERS),
    where=st.sampled_from(["low", "high", "inside", "below", "above", "nan", "inf"]),
    fraction=st.floats(0, 1),
    rule=st.sampled_from(RULES),
)
def test_settings_at_and_past_their_limits(field, where: str, fraction: float, rule: str) -> None:
    low, high = field.metadata["low"], field.metadata["high"]
    value = {
        "low": low,
        "high": high,
        "inside": low + fraction * (high - low),
        "below": low - 1e-9 - fraction * 100,
        "above": high + 1e-9 + fraction * 1e6,
        "nan": math.nan,
        "inf": math.inf,
    }[where]
    spec = StrategySpec(rule=rule, **{field.name: value})
    prices, predictions = market(150)
    if where in ("low", "high", "inside"):
        report = evaluate(prices, predictions, spec)
        assert np.all(np.isfinite(report.model_equity)) and np.all(report.model_equity >= 0)
        assert 0 <= report.model.days_in_market <= 1 and report.sharpe_difference.p_value is not None
    else:
        with pytest.raises(BadInput, match=field.metadata["label"]):
            evaluate(prices, predictions, spec)


def test_an_unknown_rule_is_refused_in_words() -> None:
    prices, predictions = market(150)
    with pytest.raises(BadInput, match="Rule must be long_flat, long_short or scaled"):
        evaluate(prices, predictions, StrategySpec(rule="martingale"))
