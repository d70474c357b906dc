"""Scores in price units for the model and the naive baselines, on every split.

persistence: tomorrow = today (the last known price). drift: the last known price plus the mean daily change
of the training rows. skill = 1 - RMSE(model) / RMSE(persistence): above 0 the model beats "tomorrow = today".
"""

from __future__ import annotations

import math

import numpy as np
from torch import nn

from ..learn.dataset import SPLITS, Dataset
from ..learn.training import predict_scaled

BASELINES = ("persistence", "drift")


def score(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, MAPE (%) and directional accuracy (share of days whose predicted move from the last known
    price has the sign of the actual move) of `predicted` against `actual`."""
    actual, predicted, last = (np.asarray(a, dtype=np.float64) for a in (actual, predicted, last))
    error = predicted - actual
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
        "mape": float(np.mean(np.abs(error) / np.abs(actual)) * 100.0),
        "directional_accuracy": float(np.mean(np.sign(predicted - last) == np.sign(actual - last))),
    }


def skill(model_rmse: float, persistence_rmse: float) -> float:
    return 1.0 - model_rmse / persistence_rmse if persistence_rmse > 0 else math.nan


def training_drift(dataset: Dataset) -> float:
    """Mean daily price change over the training rows."""
    train_prices = dataset.prices[: dataset.bounds[0]]
    return float(np.mean(np.diff(train_prices)))


def predict_paths(dataset: Dataset, model: nn.Module, split: str) -> np.ndarray:
    """Price paths (samples, horizon) the model predicts after each anchor of `split`."""
    scaled = predict_scaled(model, dataset.x[split])
    return dataset.to_prices(scaled, dataset.anchors[split])


def evaluate(dataset: Dataset, model: nn.Module) -> tuple[dict, dict]:
    """(metrics, predictions) per split. Predictions are one step ahead (the first step of each output)."""
    drift = training_drift(dataset)
    metrics: dict[str, dict] = {}
    predictions: dict[str, list[dict]] = {}
    for split in SPLITS:
        anchors = dataset.anchors[split]
        predicted = predict_paths(dataset, model, split)[:, 0]
        last = dataset.prices[anchors]
        actual = dataset.prices[anchors + 1]
        entry = {
            "model": score(actual, predicted, last),
            "persistence": score(actual, last, last),
            "drift": score(actual, last + drift, last),
        }
        entry["skill"] = skill(entry["model"]["rmse"], entry["persistence"]["rmse"])
        metrics[split] = entry
        dates = dataset.dates[anchors + 1].strftime("%Y-%m-%d")
        predictions[split] = [
            {"date": d, "actual": float(a), "predicted": float(p)} for d, a, p in zip(dates, actual, predicted)
        ]
    return metrics, predictions
