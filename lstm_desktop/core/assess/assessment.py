"""Everything measured about a trained model: its scores and the baselines' on each split, the band calibrated
on validation and its coverage on test, the multi-day accuracy on test, and the forecast past the last date."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from torch import nn

from ..learn.dataset import Dataset
from ..report import Band, Forecast, MultiStep, Series, SplitScores
from .band import BAND_LEVEL, calibrate, coverage
from .evaluation import evaluate
from .forecast import forecast
from .paths import origin_errors, recursive_paths, split_origins

MAX_STEPS = 30  # days of multi-day forecasts scored and calibrated; beyond, the band widens by sqrt(step)


@dataclass(frozen=True)
class Assessment:
    metrics: dict[str, SplitScores]
    predictions: dict[str, Series]
    band: Band
    forecast: Forecast


def scored_steps(forecast_days: int, dataset: Dataset) -> int:
    """How many days ahead to calibrate and score: the forecast's length, within what the splits can measure."""
    shortest = min(dataset.rows.test_at - dataset.rows.val_at, dataset.rows.end - dataset.rows.test_at)
    return max(1, min(max(forecast_days, 1), MAX_STEPS, shortest - 1))


def multistep(dataset: Dataset, paths: np.ndarray, anchors: np.ndarray, limit: int) -> MultiStep:
    """RMSE per step of the recursive forecast and of the flat last-price forecast, over the split's origins."""
    steps = paths.shape[1]
    targets = anchors[:, None] + np.arange(1, steps + 1)
    known = targets < limit
    actual = dataset.prices[np.minimum(targets, len(dataset.prices) - 1)]
    flat = dataset.prices[anchors][:, None]

    def rmse(predicted: np.ndarray) -> tuple[float, ...]:
        squared = np.where(known, (predicted - actual) ** 2, np.nan)
        return tuple(float(np.sqrt(np.nanmean(squared[:, s]))) for s in range(steps))

    return MultiStep(
        steps=steps, origins=len(anchors), model_rmse=rmse(paths), flat_rmse=rmse(np.broadcast_to(flat, paths.shape))
    )


def with_band(series: Series, band: Band) -> Series:
    """One-step predictions with the band's first step around them."""
    low, high = band.offsets(1)
    return dataclasses.replace(
        series, lower=series.predicted * np.exp(low[0]), upper=series.predicted * np.exp(high[0])
    )


def assess(dataset: Dataset, model: nn.Module, forecast_days: int, score_test: bool = True) -> Assessment:
    """Scores, band, coverage and forecast of a trained model. With score_test False the test split is never
    looked at (a search must not tune on it)."""
    splits = ("train", "val", "test") if score_test else ("train", "val")
    metrics, predictions = evaluate(dataset, model, splits)
    steps = scored_steps(forecast_days, dataset)
    origins, limit = split_origins(dataset, "val")
    errors, known = origin_errors(dataset, recursive_paths(dataset, model, origins, steps), origins, limit)
    band = calibrate(errors, known, BAND_LEVEL)
    if score_test:
        origins, limit = split_origins(dataset, "test")
        paths = recursive_paths(dataset, model, origins, steps)
        errors, known = origin_errors(dataset, paths, origins, limit)
        band = dataclasses.replace(band, coverage={"test": coverage(errors, known, band)})
        metrics["test"] = dataclasses.replace(metrics["test"], multistep=multistep(dataset, paths, origins, limit))
    for split in ("val", "test"):
        if split in predictions:
            predictions[split] = with_band(predictions[split], band)
    return Assessment(metrics, predictions, band, forecast(dataset, model, forecast_days, band))
