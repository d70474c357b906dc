"""The `--json` documents of ARCHITECTURE.md, rendered from typed reports (their keys keep their names and meaning;
more may be added)."""

from __future__ import annotations

import numpy as np

from .codec import to_json
from .learn.scaling import Scaler
from .report import BacktestReport, Coverage, FoldReport, Forecast, RunReport, Series, SplitScores


def _scaler_params(info: Scaler) -> dict:
    keys = ("min", "range") if info.kind == "minmax" else ("mean", "std")
    return {name: {keys[0]: o, keys[1]: s} for name, o, s in zip(info.names, info.offset, info.scale)}


def _numbers(values: np.ndarray) -> list:
    """Plain floats, None where a value is not finite (strict JSON), built by numpy: a report may hold many rows."""
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array), array, None).tolist()


def _rows(series: Series) -> list[dict]:
    dates = np.datetime_as_string(series.dates.astype("datetime64[D]")).tolist()
    columns = {"date": dates, "actual": _numbers(series.actual), "predicted": _numbers(series.predicted)}
    if series.lower is not None and series.upper is not None:
        columns |= {"lower": _numbers(series.lower), "upper": _numbers(series.upper)}
    if series.drawn is not None:
        columns["drawn"] = _numbers(series.drawn)  # the value the band is centred on (the model's, blended)
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]


def fan_key(level: float, side: str) -> str:
    """The column of one side of one fan level: lower_50, upper_95, ..."""
    return f"{side}_{round(level * 100):d}"


def forecast_rows(days: Forecast) -> list[dict]:
    """One row per forecast day: date, value, the main band (lower, upper), and every fan level's bounds."""
    dates = np.datetime_as_string(days.dates.astype("datetime64[D]")).tolist()
    rows = [
        {"date": d, "value": v, "lower": lo, "upper": hi}
        for d, v, lo, hi in zip(dates, days.value, days.lower, days.upper)
    ]
    for fan in days.fan:
        for row, low, high in zip(rows, fan.lower, fan.upper):
            row[fan_key(fan.level, "lower")] = low
            row[fan_key(fan.level, "upper")] = high
    return to_json(rows)


def run_document(report: RunReport) -> dict:
    """The `--json` document: the keys of ARCHITECTURE.md, plus the settings and what else the run knows."""
    metrics = {split: _split_scores(entry) for split, entry in report.metrics.items()}
    return {
        "data": to_json(report.data),
        "settings": to_json(report.settings),
        "split": to_json(report.split),
        "windows": dict(report.windows),
        "scaler": {
            "kind": report.feature_scaler.kind,
            "fitted_on": "train",
            "params": _scaler_params(report.feature_scaler),
            "target": {"mode": report.settings.dataset.target_mode, "params": _scaler_params(report.target_scaler)},
        },
        "inputs": to_json(report.inputs),
        "future_inputs": report.future_inputs,
        "history": to_json(report.history),
        "best_epoch": report.best_epoch,
        "stopped": report.stopped,
        "device": report.device,
        "threads": report.threads,
        "seconds": to_json(report.seconds),
        "metrics": metrics,
        "predictions": {split: _rows(series) for split, series in report.predictions.items()},
        "forecast": forecast_rows(report.forecast),
        "band": to_json(report.band),
        "versions": dict(report.versions),
        "parent": report.parent,
        **({"backtest": backtest_document(report.backtest)} if report.backtest is not None else {}),
    }


def _split_scores(entry: SplitScores) -> dict:
    item = to_json(entry)
    for key in ("linear", "verdict", "multistep"):
        if item.get(key) is None:
            item.pop(key, None)
    return item


def _fold(fold: FoldReport) -> dict:
    scores = {k: v for k, v in _split_scores(fold.metrics).items() if k != "multistep"}
    return {
        "fold": fold.fold,
        "train": list(fold.train),
        "val": list(fold.val),
        "test": list(fold.test),
        "windows": dict(fold.windows),
        "trained": fold.trained,
        "epochs": fold.epochs,
        "seconds": fold.seconds,
        "stopped": fold.stopped,
        "metrics": scores,
        "coverage": to_json(fold.coverage.overall) if fold.coverage else None,
        "coverage_by_step": to_json(fold.coverage.by_step) if fold.coverage else None,
        "band": _fold_band(fold),
        "predictions": _rows(fold.predictions),
    }


def _fold_band(fold: FoldReport) -> dict | None:
    """A fold's model band and random-walk band: coverage, width and interval score per step, calm/turbulent."""
    if fold.coverage is None or fold.coverage.width is None:
        return None

    def part(cover: Coverage | None) -> dict | None:
        if cover is None:
            return None
        keys = ("overall", "by_step", "width", "winkler", "calm", "turbulent")
        return {key: to_json(getattr(cover, key)) for key in keys}

    return {"model": part(fold.coverage), "baseline": part(fold.baseline_coverage)}


def backtest_document(report: BacktestReport) -> dict:
    """The `backtest` key: settings, every fold, the aggregate."""
    settings = to_json(report.settings)
    settings["train_days"] = settings["train_days"] or None  # null: an expanding window
    settings["workers"] = report.workers
    aggregate = None
    if report.aggregate is not None:
        a = report.aggregate
        aggregate = {
            "folds": a.folds,
            "beats_persistence": a.beats_persistence,
            "skill_median": to_json(a.skill_median),
            "skill_mean": to_json(a.skill_mean),
            "skill_std": to_json(a.skill_std),
            "skill_min": to_json(a.skill_min),
            "skill_max": to_json(a.skill_max),
            "pooled": to_json(a.pooled),
            "coverage": to_json(a.coverage) if a.coverage else None,
            "band": to_json(a.band) if a.band else None,
            "verdict": a.verdict,
        }
    return {
        "settings": settings,
        "threads": report.threads,
        "seconds": report.seconds,
        "complete": report.complete,
        "problems": list(report.problems),
        "folds": [_fold(f) for f in report.folds],
        "aggregate": aggregate,
    }
