"""Backtest figures: 8 folds of the reference setup in 1 worker and in one per core (wall time, parallel
efficiency), and a fresh fold against a warm-started one (time per fold, pooled skill of each)."""

from __future__ import annotations

import dataclasses
import os
import time

import numpy as np

from lstm_desktop.core.backtest.runner import backtest
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.presets import reference_settings
from lstm_desktop.core.specs import BacktestSpec, DataRequest, RunConfig, TrainSpec

REFERENCE = reference_settings(
    RunConfig(data=DataRequest(source="sample", tickers=("AAPL",)), train=TrainSpec(threads=1))
)


def _timed(config: RunConfig, spec: BacktestSpec, frames: tuple) -> tuple[float, object]:
    started = time.perf_counter()
    report = backtest(config, spec, frames).report.backtest
    return time.perf_counter() - started, report


def _fold_seconds(report: object) -> float:
    """Median seconds of the folds that trained."""
    return float(np.median([f.seconds for f in report.folds if f.trained]))


def backtest_figures(epochs: int | None = None, folds: int = 8) -> dict:
    """The reference setup (early stopping unless `epochs` fixes the epochs), each fold on 1 thread."""
    config = REFERENCE
    if epochs:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=epochs, patience=0))
    frames = tuple(load_prices(config.data))
    cores = os.cpu_count() or 1
    one_seconds, one = _timed(config, BacktestSpec(folds=folds, workers=1), frames)
    many_seconds, many = _timed(config, BacktestSpec(folds=folds, workers=cores), frames)
    warm_seconds, warm = _timed(config, BacktestSpec(folds=folds, warm_start=True), frames)
    return {
        "folds": folds,
        "workers": {"1": one_seconds, str(cores): many_seconds},
        "parallel_efficiency": one_seconds / (cores * many_seconds),
        "identical_folds": [f.metrics for f in one.folds] == [f.metrics for f in many.folds],
        "fresh_fold_seconds": _fold_seconds(one),
        "warm_fold_seconds": _fold_seconds(warm),
        "warm_later_fold_seconds": float(np.median([f.seconds for f in warm.folds[1:]])),
        "fresh_epochs": [f.epochs for f in one.folds],
        "warm_epochs": [f.epochs for f in warm.folds],
        "fresh_pooled_skill": one.aggregate.pooled.skill,
        "warm_pooled_skill": warm.aggregate.pooled.skill,
        "warm_seconds": warm_seconds,
    }


def backtest_lines(figures: dict) -> list[str]:
    workers = figures["workers"]
    names = list(workers)
    return [
        f"backtest, {figures['folds']} folds of the reference setup (1 thread a worker):",
        f"  1 worker                 {workers[names[0]]:.1f} s",
        f"  {names[1]} workers                {workers[names[1]]:.1f} s   (parallel efficiency "
        f"{figures['parallel_efficiency']:.0%}; folds identical: {figures['identical_folds']})",
        f"  fresh fold               {figures['fresh_fold_seconds']:.1f} s   epochs {figures['fresh_epochs']}; "
        f"pooled skill {figures['fresh_pooled_skill']:+.4f}",
        f"  warm-started fold        {figures['warm_later_fold_seconds']:.1f} s   epochs {figures['warm_epochs']}; "
        f"pooled skill {figures['warm_pooled_skill']:+.4f} "
        f"({figures['fresh_fold_seconds'] / figures['warm_later_fold_seconds']:.1f}× cheaper after the first)",
    ]
