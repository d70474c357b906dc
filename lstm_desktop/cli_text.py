"""Short human summaries for the terminal (the `--json` documents carry everything)."""

from __future__ import annotations

import math

import numpy as np

from lstm_desktop.core.report import Forecast, RunReport, Scores

WHO = ("model", "persistence", "drift", "linear")


def number(value: float | None, pattern: str) -> str:
    """A figure, or "—" where it is undefined (NaN, None)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return pattern.format(value)


def _score_line(split: str, who: str, scores: Scores) -> str:
    return (
        f"{split:6} {who:12} {number(scores.rmse, '{:10.4f}'):>10} {number(scores.mae, '{:10.4f}'):>10} "
        f"{number(scores.mape, '{:8.2f}'):>8} {number(scores.directional_accuracy, '{:9.1%}'):>9}"
    )


def run_text(report: RunReport) -> str:
    data = report.data
    lines = [
        f"{data.ticker} ({data.price_column}): {data.rows} rows {data.start}..{data.end} "
        f"from {data.origin or data.source}",
        "split: " + ", ".join(f"{k} {v[0]}..{v[1]}" for k, v in report.split.items()),
        f"training: {len(report.history)} epochs, best {report.best_epoch}, ended: {report.stopped}; "
        f"{report.threads} thread(s) on {report.device}",
        f"{'split':6} {'':12} {'RMSE':>10} {'MAE':>10} {'MAPE %':>8} {'direction':>9}",
    ]
    for split, entry in report.metrics.items():
        for who in WHO:
            scores = getattr(entry, who)
            if scores is not None:
                lines.append(_score_line(split, who, scores))
        verdict = entry.verdict.text if entry.verdict else ""
        lines.append(f"{split:6} skill {number(entry.skill, '{:+.3f}')}: {verdict}")
    coverage = report.band.coverage.get("test")
    if report.band.verdict is not None:
        lines.append(f"band: {report.band.verdict.text}")
        if coverage.calm is not None:
            lines.append(
                f"band: calm half {number(coverage.calm, '{:.1%}')}, turbulent half "
                f"{number(coverage.turbulent, '{:.1%}')}; levels "
                + ", ".join(f"{float(k):.0%} {number(v, '{:.1%}')}" for k, v in (coverage.by_level or {}).items())
            )
    elif coverage is not None:
        lines.append(
            f"band: {report.band.level:.0%} nominal, covered {number(coverage.overall, '{:.1%}')} "
            f"± {number(coverage.sampling_error, '{:.1%}')} of test days ({coverage.origins} origins; "
            "an earlier method, calibrated once on validation)"
        )
    steps = report.metrics["test"].multistep if "test" in report.metrics else None
    if steps is not None and steps.blend_rmse:
        lines.append(
            f"day {steps.steps} RMSE: model's path {number(steps.model_rmse[-1], '{:.3f}')}, drawn path "
            f"{number(steps.blend_rmse[-1], '{:.3f}')}, flat last price {number(steps.flat_rmse[-1], '{:.3f}')}"
        )
    if len(report.forecast):
        lines.append(forecast_line(report.forecast))
    return "\n".join(lines)


def forecast_line(days: Forecast) -> str:
    dates = np.datetime_as_string(days.dates)
    return (
        f"forecast {len(days)} days: {dates[0]} {number(days.value[0], '{:.2f}')} .. {dates[-1]} "
        f"{number(days.value[-1], '{:.2f}')} (band {number(days.lower[-1], '{:.2f}')}.."
        f"{number(days.upper[-1], '{:.2f}')})"
    )


def forecast_table(days: Forecast) -> str:
    rows = []
    for date, value, low, high in zip(np.datetime_as_string(days.dates), days.value, days.lower, days.upper):
        rows.append(f"{date}  {number(value, '{:12.4f}')}  [{number(low, '{:.4f}')} .. {number(high, '{:.4f}')}]")
    return "\n".join(rows)


def backtest_text(backtest: object) -> str:
    """One line per fold and the aggregate verdict."""
    lines = [f"{'fold':>4} {'test period':23} {'epochs':>6} {'skill':>9} {'band held':>9}"]
    for fold in backtest.folds:
        held = fold.coverage.overall if fold.coverage is not None else None
        epochs = str(fold.epochs) if fold.trained else "held"
        lines.append(
            f"{fold.fold:>4} {fold.test[0]}..{fold.test[1]} {epochs:>6} {number(fold.metrics.skill, '{:+9.4f}'):>9} "
            f"{number(held, '{:9.1%}'):>9}"
        )
    for problem in backtest.problems:
        lines.append(f"a fold failed: {problem}")
    if backtest.aggregate is not None:
        a = backtest.aggregate
        lines.append(
            f"skill median {number(a.skill_median, '{:+.4f}')}, mean {number(a.skill_mean, '{:+.4f}')} "
            f"(± {number(a.skill_std, '{:.4f}')}), from {number(a.skill_min, '{:+.4f}')} "
            f"to {number(a.skill_max, '{:+.4f}')}"
        )
        lines.append(a.verdict)
        if a.band is not None:
            lines.append(
                f"band over every fold: held {number(a.band.model.overall, '{:.1%}')} (calm "
                f"{number(a.band.model.calm, '{:.1%}')}, turbulent {number(a.band.model.turbulent, '{:.1%}')}); "
                f"random-walk band {number(a.band.baseline.overall, '{:.1%}')}. {a.band.verdict.text}"
            )
    return "\n".join(lines)
