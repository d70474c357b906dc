"""A whole run: load prices, build the dataset, train, evaluate, forecast; and its JSON document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .assess.evaluation import evaluate
from .assess.forecast import BAND_LEVEL, forecast
from .data.cache import PriceCache
from .data.prices import PriceFrame
from .data.sources import load_prices
from .learn.dataset import Dataset, build_dataset
from .learn.model import LSTMForecaster
from .learn.training import Callback, TrainResult, train
from .specs import RunConfig


@dataclass
class RunResult:
    """A finished (or stopped) run and everything it produced."""

    config: RunConfig
    frames: list[PriceFrame]
    dataset: Dataset
    model: LSTMForecaster
    history: list[dict]
    best_epoch: int | None
    stopped: str
    metrics: dict
    predictions: dict
    forecast: list[dict]
    device: str = "cpu"


def prepare(config: RunConfig, cache: PriceCache | None = None) -> tuple[list[PriceFrame], Dataset]:
    """Load the prices and build the dataset (the fast part: errors in the input show up here)."""
    config.validate()
    frames = load_prices(config.data, cache)
    return frames, build_dataset(frames, config.dataset)


def finish(config: RunConfig, frames: list[PriceFrame], dataset: Dataset, trained: TrainResult) -> RunResult:
    """Evaluate and forecast with a trained model."""
    metrics, predictions = evaluate(dataset, trained.model)
    days = forecast(dataset, trained.model, config.forecast_days)
    return RunResult(
        config,
        frames,
        dataset,
        trained.model,
        trained.history,
        trained.best_epoch,
        trained.stopped,
        metrics,
        predictions,
        days,
        trained.device,
    )


def run(
    config: RunConfig,
    on_event: Callback | None = None,
    should_stop: Callable[[], bool] | None = None,
    frames: list[PriceFrame] | None = None,
    cache: PriceCache | None = None,
) -> RunResult:
    """The whole run. A stop request ends training early; the result then carries the best model so far."""
    if frames is None:
        frames, dataset = prepare(config, cache)
    else:
        config.validate()
        dataset = build_dataset(frames, config.dataset)
    trained = train(dataset, config.model, config.train, on_event, should_stop)
    return finish(config, frames, dataset, trained)


def document(result: RunResult) -> dict:
    """The JSON document of ARCHITECTURE.md for a run."""
    target = result.frames[0]
    dataset = result.dataset
    return {
        "data": {
            "source": target.source,
            "ticker": target.ticker,
            "tickers": [f.ticker for f in result.frames],
            "rows": len(dataset.dates),
            "start": f"{dataset.dates[0]:%Y-%m-%d}",
            "end": f"{dataset.dates[-1]:%Y-%m-%d}",
            "price_column": dataset.spec.target,
            "origin": target.origin,
            "repairs": {f.ticker: f.repairs for f in result.frames},
            "notes": dataset.notes,
        },
        "settings": result.config.to_dict(),
        "split": dataset.split_dates(),
        "windows": {split: len(anchors) for split, anchors in dataset.anchors.items()},
        "scaler": dataset.scaler_document(),
        "history": result.history,
        "best_epoch": result.best_epoch,
        "stopped": result.stopped,
        "device": result.device,
        "metrics": result.metrics,
        "predictions": result.predictions,
        "forecast": result.forecast,
        "forecast_band": {
            "level": BAND_LEVEL,
            "method": "validation log-error quantiles, widened by sqrt(step)",
        },
    }
