"""The one door to a run: load, build the dataset, train, score, calibrate the band, forecast, report.

The command line, the window, the bench, the self-test, backtests, searches and sweeps all call `run`; each adds
only what is its own around it (a signal scope, an autosave, a progress display). It changes no process-wide
state: the entry points set threads and the allocator once (core.runtime).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .data.prices import PriceFrame
from .errors import BadInput
from .events import Assessing, Listener, PricesLoaded, StopCheck, ignore, never
from .report import FUTURE_INPUTS, DataSummary, Epoch, RunReport
from .specs import RunConfig
from .versions import library_versions

if TYPE_CHECKING:
    import torch

    from .data.cache import PriceCache
    from .learn.dataset import Dataset, SplitRows
    from .learn.model import Forecaster
    from .learn.training import TrainResult


@dataclass(frozen=True)
class FinishedRun:
    """A run's report, its weights (CPU tensors) and the exact prices it trained on."""

    report: RunReport
    weights: dict[str, torch.Tensor]
    frames: tuple[PriceFrame, ...]


def run(
    config: RunConfig,
    frames: list[PriceFrame] | tuple[PriceFrame, ...] | None = None,
    *,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
    cache: PriceCache | None = None,
    rows: SplitRows | None = None,
    initial: dict[str, torch.Tensor] | None = None,
    score_test: bool = True,
    fold: bool = False,
) -> FinishedRun:
    """The whole run. A stop request ends training early; the result then holds the best model so far.

    `frames`: prices already loaded (else they are loaded, and a PricesLoaded event tells the listener).
    `rows`: a split fixed by rows (walk-forward folds). `initial`: weights to start from (warm start).
    `score_test=False` leaves the test split unscored (a search must not look at it). `fold`: a walk-forward
    fold's run, assessed only for what its fold report keeps (assess/assessment.py)."""
    from .data.sources import load_prices
    from .learn.dataset import build_dataset
    from .learn.training import train

    config.validate()
    started = time.perf_counter()
    if frames is None:
        frames = load_prices(config.data, cache)
        on_event(PricesLoaded(config.data, tuple(frames)))
    dataset = build_dataset(list(frames), config.dataset, rows)
    trained = train(dataset, config.model, config.train, on_event, should_stop, initial)
    on_event(Assessing("scoring the model and forecasting"))
    report = assess(config, tuple(frames), dataset, trained, time.perf_counter() - started, score_test, fold)
    weights = {k: v.detach().cpu().contiguous() for k, v in trained.model.state_dict().items()}
    return FinishedRun(report, weights, tuple(frames))


def assess(
    config: RunConfig,
    frames: tuple[PriceFrame, ...],
    dataset: Dataset,
    trained: TrainResult,
    seconds: float,
    score_test: bool = True,
    fold: bool = False,
) -> RunReport:
    """Score the trained model on each split against the baselines, calibrate the band, forecast (a fold: see
    assess/assessment.py)."""
    from .assess.assessment import assess as assess_model
    from .assess.assessment import run_splits

    measured = assess_model(
        dataset, trained.model, config.forecast_days, score_test, raw_path=config.forecast_path == "raw", fold=fold
    )
    splits = run_splits(score_test)  # a fold's report keeps every split's dates, though only test was scored
    return RunReport(
        settings=config,
        data=data_summary(frames, dataset),
        split={k: v for k, v in dataset.split_dates().items() if k in splits},
        windows={split: len(dataset.anchors[split]) for split in splits},
        inputs=dataset.inputs,
        feature_scaler=dataset.feature_scaler,
        target_scaler=dataset.target_scaler,
        history=tuple(Epoch(r.epoch, r.train_loss, r.val_loss, r.seconds) for r in trained.history),
        best_epoch=trained.best_epoch,
        stopped=trained.stopped,
        device=trained.device,
        threads=trained.threads,
        seconds=round(seconds, 3),
        metrics=measured.metrics,
        predictions=measured.predictions,
        forecast=measured.forecast,
        band=measured.band,
        future_inputs=FUTURE_INPUTS,
        versions=library_versions(),
    )


def data_summary(frames: tuple[PriceFrame, ...], dataset: Dataset) -> DataSummary:
    """What the run trained on, in the words of the report."""
    target = frames[0]
    dates = target.frame.index
    for other in frames[1:]:
        dates = dates.intersection(other.frame.index)
    return DataSummary(
        source=target.source,
        ticker=target.ticker,
        tickers=tuple(f.ticker for f in frames),
        rows=len(dates),  # the prices trained on (log returns start a day later)
        start=f"{dates[0]:%Y-%m-%d}",
        end=f"{dates[-1]:%Y-%m-%d}",
        price_column=dataset.spec.target,
        origin=target.origin,
        repairs={f.ticker: tuple(f.repairs) for f in frames},
        notes=tuple(dataset.notes),
        exchange=target.exchange,
        calendar=dataset.calendar,
    )


def reassess(previous: FinishedRun, config: RunConfig, rows: SplitRows, fold: bool = False) -> FinishedRun:
    """A trained run's model, held, scored on other rows (its scalers as they were: nothing is refitted); `fold`
    as in `run`."""
    from .learn.dataset import build_dataset
    from .learn.model import Forecaster
    from .learn.training import TrainResult

    started = time.perf_counter()
    report = previous.report
    scalers = (report.feature_scaler, report.target_scaler)
    dataset = build_dataset(list(previous.frames), config.dataset, rows, scalers=scalers)
    model = Forecaster(dataset.n_features, dataset.spec.horizon, config.model)
    model.load_state_dict(previous.weights, strict=True)
    held = TrainResult(model=model.eval(), best_epoch=None, stopped="held", device="cpu", threads=report.threads)
    fresh = assess(config, previous.frames, dataset, held, time.perf_counter() - started, fold=fold)
    return FinishedRun(fresh, previous.weights, previous.frames)


def restore(report: RunReport, frames: tuple[PriceFrame, ...], weights: dict) -> tuple[Dataset, Forecaster]:
    """The dataset and model of a stored run, rebuilt from its prices and weights (no training, no network)."""
    from .learn.dataset import build_dataset
    from .learn.model import Forecaster

    scalers = (report.feature_scaler, report.target_scaler)
    dataset = build_dataset(list(frames), report.settings.dataset, scalers=scalers)
    model = Forecaster(dataset.n_features, dataset.spec.horizon, report.settings.model)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as exc:
        raise BadInput(f"The stored weights do not fit this run's inputs and settings ({exc}).") from exc
    return dataset, model.eval()


def forecast_again(report: RunReport, frames: tuple[PriceFrame, ...], weights: dict, days: int) -> RunReport:
    """The report with a forecast of `days` days from the stored model and band (no retraining)."""
    import dataclasses

    from .assess.forecast import forecast

    dataset, model = restore(report, frames, weights)
    days_ahead = forecast(dataset, model, days, report.band)
    settings = dataclasses.replace(report.settings, forecast_days=days)
    return dataclasses.replace(report, forecast=days_ahead, settings=settings)
