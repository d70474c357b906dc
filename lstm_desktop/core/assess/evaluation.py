"""Scores in price units for the model and the naive baselines, on every split.

persistence: tomorrow = today (the last known price). drift: the last known price plus the mean daily change
of the training rows. skill = 1 - RMSE(model) / RMSE(persistence): above 0 the model beats "tomorrow = today".
One scoring path serves a single split and every walk-forward fold.
"""

from __future__ import annotations

import math

import numpy as np
from torch import nn

from ..learn.dataset import Dataset
from ..learn.predict import predict_scaled
from ..report import Scores, Series, SplitScores
from .baselines import Ridge, fit_linear_baseline, linear_one_step
from .verdict import verdict


def score(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> Scores:
    """RMSE, MAE, MAPE (%) and directional accuracy of `predicted` against `actual`: the share of days whose
    predicted move from the last known price has the sign of the actual move, over the days a move was predicted
    (None when the predictor never predicts one, like persistence)."""
    actual, predicted, last = (np.asarray(a, dtype=np.float64) for a in (actual, predicted, last))
    error = predicted - actual
    predicted_move = np.sign(predicted - last)
    moved = predicted_move != 0
    direction = float(np.mean(predicted_move[moved] == np.sign(actual - last)[moved])) if moved.any() else None
    return Scores(
        rmse=float(np.sqrt(np.mean(error**2))),
        mae=float(np.mean(np.abs(error))),
        mape=float(np.mean(np.abs(error) / np.abs(actual)) * 100.0),
        directional_accuracy=direction,
    )


def skill(model_rmse: float, persistence_rmse: float) -> float:
    return 1.0 - model_rmse / persistence_rmse if persistence_rmse > 0 else math.nan


def training_drift(prices: np.ndarray) -> float:
    """Mean daily price change over the training rows `prices`."""
    return float(np.mean(np.diff(prices)))


def score_split(
    actual: np.ndarray,
    predicted: np.ndarray,
    last: np.ndarray,
    drift: float,
    linear: np.ndarray | None = None,
    train_range: tuple[float, float] | None = None,
) -> SplitScores:
    """The model and every baseline on one block of one-step-ahead predictions, and the verdict."""
    model = score(actual, predicted, last)
    persistence = score(actual, last, last)
    value = skill(model.rmse, persistence.rmse)
    outside = None
    if train_range is not None:
        outside = float(np.mean((actual < train_range[0]) | (actual > train_range[1])))
    return SplitScores(
        model=model,
        persistence=persistence,
        drift=score(actual, last + drift, last),
        skill=value,
        linear=score(actual, linear, last) if linear is not None else None,
        verdict=verdict(predicted - actual, last - actual, value, outside),
    )


def predict_paths(dataset: Dataset, model: nn.Module, split: str) -> np.ndarray:
    """Price paths (samples, horizon) the model predicts after each anchor of `split`."""
    scaled = predict_scaled(model, dataset.x[split])
    return dataset.to_prices(scaled, dataset.anchors[split])


def one_step(dataset: Dataset, model: nn.Module, split: str) -> Series:
    """The model's one-step-ahead predictions on a split (the first step of each output)."""
    anchors = dataset.anchors[split]
    predicted = predict_paths(dataset, model, split)[:, 0]
    dates = dataset.dates[anchors + 1].to_numpy().astype("datetime64[D]")
    return Series(dates=dates, actual=dataset.prices[anchors + 1].copy(), predicted=predicted.astype(np.float64))


def evaluate(
    dataset: Dataset, model: nn.Module, splits: tuple[str, ...] = ("train", "val", "test"), ridge: Ridge | None = None
) -> tuple[dict[str, SplitScores], dict[str, Series]]:
    """(scores, one-step predictions) for each of `splits`; the linear baseline is fitted here unless given."""
    r = dataset.rows
    train_prices = dataset.prices[r.start : r.val_at]
    drift = training_drift(train_prices)
    ridge = ridge or fit_linear_baseline(dataset)
    # only a model of the price level is bound to the training range: for it, the share outside is a cause
    bounds = (
        (float(train_prices.min()), float(train_prices.max())) if dataset.spec.target_mode == "price_level" else None
    )
    metrics: dict[str, SplitScores] = {}
    predictions: dict[str, Series] = {}
    for split in splits:
        series = one_step(dataset, model, split)
        last = dataset.prices[dataset.anchors[split]]
        linear = linear_one_step(dataset, ridge, split)
        metrics[split] = score_split(series.actual, series.predicted, last, drift, linear, bounds)
        predictions[split] = series
    return metrics, predictions
