"""The `strategy --json` document of ARCHITECTURE.md, rendered from a StrategyReport."""

from __future__ import annotations

import numpy as np

from ..codec import to_json
from .metrics import Performance
from .result import StrategyReport


def performance_document(figures: Performance) -> dict:
    return to_json(figures)


def strategy_document(report: StrategyReport) -> dict:
    """{"strategy": {rule, costs, days, model, buy_and_hold, sharpe_difference, verdict, equity}}."""
    spec = report.spec
    dates = np.datetime_as_string(report.dates.astype("datetime64[D]")).tolist()
    equity = [
        {"date": day, "model": float(model), "buy_and_hold": float(hold)}
        for day, model, hold in zip(dates, report.model_equity.tolist(), report.buy_and_hold_equity.tolist())
    ]
    difference = report.sharpe_difference
    return {
        "strategy": {
            "rule": spec.rule,
            "settings": to_json(spec),
            "predictions": report.source,
            "costs": {
                "commission_bps": spec.cost_bps,
                "slippage_bps": spec.slippage_bps,
                "per_trade": spec.cost_per_trade,
            },
            "days": report.days,
            "start": dates[0],
            "end": dates[-1],
            "model": performance_document(report.model),
            "buy_and_hold": performance_document(report.buy_and_hold),
            "cash": {"total_return": 0.0, "annual_return": 0.0, "volatility": 0.0, "sharpe": 0.0},
            "sharpe_difference": {
                "value": to_json(difference.value),
                "p_value": to_json(difference.p_value),
                "test": "stationary bootstrap of paired daily returns",
                "block": difference.block,
                "resamples": difference.resamples,
            },
            "verdict": report.verdict,
            "equity": equity,
        }
    }
