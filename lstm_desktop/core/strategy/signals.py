"""Which out-of-sample predictions of a run trade, and the prices they trade at.

Only predictions no model saw the outcome of: the walk-forward backtest's one-step predictions (each fold's model
trained on earlier days only) or the test split's. Training and validation predictions are never offered."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.prices import PriceFrame
from ..errors import BadInput
from ..report import RunReport
from .positions import Predictions, Prices


@dataclass(frozen=True)
class Signals:
    prices: Prices
    predictions: Predictions
    source: str  # "backtest" or "test"
    text: str  # in words, for the verdict


def traded_prices(report: RunReport, frames: tuple[PriceFrame, ...]) -> Prices:
    """The run's target prices on the days its model saw (the tickers aligned, as the dataset built them)."""
    from ..learn.dataset import feature_matrix

    table, prices, _, _ = feature_matrix(list(frames), report.settings.dataset)
    return Prices(table.index.to_numpy().astype("datetime64[D]"), np.asarray(prices, dtype=np.float64))


def _backtest(report: RunReport) -> Predictions | None:
    backtest = report.backtest
    if backtest is None or not backtest.folds:
        return None
    folds = sorted(backtest.folds, key=lambda fold: fold.fold)
    dates = np.concatenate([fold.predictions.dates.astype("datetime64[D]") for fold in folds])
    predicted = np.concatenate([np.asarray(fold.predictions.predicted, dtype=np.float64) for fold in folds])
    return Predictions(dates, predicted)


def _test(report: RunReport) -> Predictions | None:
    series = report.predictions.get("test")
    if series is None or not len(series):
        return None
    return Predictions(series.dates.astype("datetime64[D]"), np.asarray(series.predicted, dtype=np.float64))


def signals_of(report: RunReport, frames: tuple[PriceFrame, ...], choice: str = "auto") -> Signals:
    """The predictions `choice` names (auto: the backtest's when there is one, else the test split's)."""
    backtest, test = _backtest(report), _test(report)
    if choice == "backtest" and backtest is None:
        raise BadInput("This run has no walk-forward backtest to trade on: run a backtest, or use the test split.")
    if choice == "test" and test is None:
        raise BadInput(
            "This run has no test predictions (a search scores only its best trial on test): choose another run."
        )
    if backtest is None and test is None:
        raise BadInput(
            "This run has no out-of-sample predictions to trade on (no test split scored, no backtest): "
            "choose another run, or backtest this one."
        )
    use_backtest = choice == "backtest" or (choice == "auto" and backtest is not None)
    predictions = backtest if use_backtest else test
    assert predictions is not None
    folds = len(report.backtest.folds) if use_backtest and report.backtest else 0
    text = f"the walk-forward backtest's {folds} periods" if use_backtest else "the test split"
    return Signals(traded_prices(report, frames), predictions, "backtest" if use_backtest else "test", text)
