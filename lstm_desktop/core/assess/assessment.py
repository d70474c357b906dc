"""Everything measured about a trained model: its scores and the baselines' on each split, the band calibrated
sequentially over the validation and test origins and its coverage on test (beside the random-walk band's), the
multi-day accuracy of the model's path, the drawn path and the flat line on test, and the forecast past the last
date."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from torch import nn

from ..learn.dataset import Dataset
from ..report import Band, Forecast, MultiStep, Series, SplitScores
from .calibrated import Calibrated, calibrated_band
from .evaluation import evaluate
from .forecast import forecast

MAX_STEPS = 30  # days of multi-day forecasts scored and calibrated; beyond, the band widens by sqrt(step)


@dataclass(frozen=True)
class Assessment:
    metrics: dict[str, SplitScores]
    predictions: dict[str, Series]
    band: Band
    forecast: Forecast


def run_splits(score_test: bool) -> tuple[str, ...]:
    """The splits a run knows (its report's dates and windows, and what a whole assessment scores): test only when
    it may be looked at (a search's trial must not)."""
    return ("train", "val", "test") if score_test else ("train", "val")


def scored_steps(forecast_days: int, dataset: Dataset) -> int:
    """How many days ahead to calibrate and score: the forecast's length, within what the splits can measure."""
    shortest = min(dataset.rows.test_at - dataset.rows.val_at, dataset.rows.end - dataset.rows.test_at)
    return max(1, min(max(forecast_days, 1), MAX_STEPS, shortest - 1))


def multistep(dataset: Dataset, paths: np.ndarray, drawn: np.ndarray, anchors: np.ndarray, limit: int) -> MultiStep:
    """RMSE per step of the model's recursive forecast, of the drawn (blended) path and of the flat last-price
    forecast, over the split's origins."""
    steps = paths.shape[1]
    targets = anchors[:, None] + np.arange(1, steps + 1)
    known = targets < limit
    actual = dataset.prices[np.minimum(targets, len(dataset.prices) - 1)]
    flat = dataset.prices[anchors][:, None]

    def rmse(predicted: np.ndarray) -> tuple[float, ...]:
        squared = np.where(known, (predicted - actual) ** 2, np.nan)
        return tuple(float(np.sqrt(np.nanmean(squared[:, s]))) for s in range(steps))

    return MultiStep(
        steps=steps,
        origins=len(anchors),
        model_rmse=rmse(paths),
        flat_rmse=rmse(np.broadcast_to(flat, paths.shape)),
        blend_rmse=rmse(drawn),
    )


def with_band(series: Series, dataset: Dataset, split: str, band: Calibrated) -> Series:
    """One-step predictions with the band issued at each origin for the next day, around the drawn path's
    first step (the band a user would have seen that day)."""
    index = dataset.anchors[split] - band.anchors[0]
    ok = (index >= 0) & (index < len(band.anchors))
    at = np.clip(index, 0, len(band.anchors) - 1)
    drawn = band.drawn[at, 0]
    lower = np.where(ok, drawn * np.exp(band.lower[at, 0]), np.nan)
    upper = np.where(ok, drawn * np.exp(band.upper[at, 0]), np.nan)
    return dataclasses.replace(series, lower=lower, upper=upper, drawn=np.where(ok, drawn, np.nan))


def assess(
    dataset: Dataset,
    model: nn.Module,
    forecast_days: int,
    score_test: bool = True,
    raw_path: bool = False,
    fold: bool = False,
) -> Assessment:
    """Scores, band, coverage and forecast of a trained model. With score_test False the test split is never
    looked at (a search must not tune on it): no test error reaches the band either. raw_path draws the model's
    own path instead of its blend with the flat line. `fold`: a walk-forward fold, of which only the test split's
    scores and predictions and the band are kept (backtest/work.py), so the training and validation windows are not
    scored and nothing is forecast past the data; what is measured is what a whole assessment measures."""
    splits = ("test",) if fold else run_splits(score_test)
    metrics, predictions = evaluate(dataset, model, splits)
    steps = scored_steps(forecast_days, dataset)
    band = calibrated_band(dataset, model, steps, score_test, raw_path)
    if score_test:
        rows = dataset.rows
        first = int(band.anchors[0])
        test = slice(rows.test_at - 1 - first, rows.end - 1 - first)
        scored = multistep(dataset, band.paths[test], band.drawn[test], band.anchors[test], rows.end)
        metrics["test"] = dataclasses.replace(metrics["test"], multistep=scored)
    for split in ("val", "test"):
        if split in predictions:
            predictions[split] = with_band(predictions[split], dataset, split, band)
    ahead = forecast(dataset, model, 0 if fold else forecast_days, band.band)
    return Assessment(metrics, predictions, band.band, ahead)
