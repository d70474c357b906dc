"""The report's sections as HTML text: what the run is, its scores against the baselines with the verdict, the
prices and forecast band, the backtest and the strategy check. Every value a user gave (names, tickers, notes)
and every message passes through html.escape."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from ..report import RunReport, Scores
from ..strategy.metrics import drawdown
from ..strategy.result import StrategyReport
from ..strategy.text import ROWS, figure
from .svg import Line, Shade, bar_chart, line_chart

ACTUAL, MODEL, FORECAST, HOLD = "#333333", "#2a7ae2", "#d9534f", "#999999"
GOOD, BAD = "#3c9a3c", "#d9534f"


def number(value: float | None, pattern: str = "{:.4f}") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return pattern.format(value)


def table(head: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """An HTML table of already-escaped cells (numbers right-aligned from column `numeric_from`)."""
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"n" if i >= numeric_from else ""}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def summary_section(name: str, run_id: str, created: str, report: RunReport, notes: str) -> str:
    data, settings = report.data, report.settings
    facts = [
        ["Run", f"{escape(name)} ({escape(run_id)})"],
        ["Made", escape(created)],
        ["Data", f"{escape(data.ticker)} {escape(data.price_column)}, {data.rows} days {data.start} to {data.end}"],
        ["From", escape(data.origin or data.source)],
        ["Inputs", escape(", ".join(data.tickers))],
        [
            "Model",
            f"{settings.model.layers} × {settings.model.hidden} LSTM, window {settings.dataset.window}, "
            f"target {escape(settings.dataset.target_mode)}",
        ],
        ["Training", f"{len(report.history)} epochs (best {report.best_epoch}), ended: {escape(report.stopped)}"],
        ["Split", escape("; ".join(f"{k} {v[0]} to {v[1]}" for k, v in report.split.items()))],
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    note = f'<p class="notes">{escape(notes)}</p>' if notes.strip() else ""
    return f'<section><h2>The run</h2><table class="facts">{rows}</table>{note}</section>'


def _score_row(who: str, scores: Scores | None) -> list[str]:
    if scores is None:
        return [who, "—", "—", "—", "—"]
    return [
        who,
        number(scores.rmse),
        number(scores.mae),
        number(scores.mape, "{:.2f} %"),
        number(scores.directional_accuracy, "{:.1%}"),
    ]


def scores_section(report: RunReport) -> str:
    parts = ["<section><h2>Scores against the baselines</h2>"]
    for split in ("test", "val"):
        entry = report.metrics.get(split)
        if entry is None:
            continue
        rows = [
            _score_row("model", entry.model),
            _score_row("tomorrow = today", entry.persistence),
            _score_row("drift", entry.drift),
            _score_row("ridge autoregression", entry.linear),
        ]
        title = {"test": "Test split", "val": "Validation split"}[split]
        parts.append(f"<h3>{title} (skill {number(entry.skill, '{:+.4f}')})</h3>")
        parts.append(table(["", "RMSE", "MAE", "MAPE", "direction right"], rows))
        if entry.verdict is not None:
            parts.append(f'<p class="verdict {escape(entry.verdict.kind)}">{escape(entry.verdict.text)}</p>')
    parts.append("</section>")
    return "".join(parts)


def prices_section(report: RunReport, dates: np.ndarray, prices: np.ndarray) -> str:
    """The test split's actual and predicted prices, then the forecast with its band."""
    test = report.predictions.get("test")
    lines, start = [], dates[max(0, len(dates) - 250)]
    if test is not None:
        start = min(start, test.dates[0])
        lines.append(Line("predicted (test, one day ahead)", test.dates, test.predicted, MODEL, 1.4))
    recent = dates >= start
    lines.insert(0, Line("actual", dates[recent], prices[recent], ACTUAL, 1.2))
    shades: tuple[Shade, ...] = ()
    days = report.forecast
    if len(days):
        lines.append(Line("forecast", days.dates, days.value, FORECAST, 1.8))
        shades = (Shade(f"{report.band.level:.0%} band", days.dates, days.lower, days.upper, FORECAST),)
    chart = line_chart(f"{report.data.ticker}: actual, predicted and forecast prices", lines, shades)
    coverage = report.band.coverage.get("test")
    held = (
        f"On the test split the actual price fell inside the band {coverage.overall:.0%} of the time "
        f"over {coverage.origins} origins (aim: {report.band.level:.0%})."
        if coverage is not None
        else "The band's coverage was not measured on a test split."
    )
    return (
        f"<section><h2>Prices, forecast and band</h2>{chart}"
        f"<p>The band: {escape(report.band.method)}. {escape(held)}</p></section>"
    )


def backtest_section(report: RunReport) -> str:
    backtest = report.backtest
    if backtest is None or not backtest.folds:
        return "<section><h2>Walk-forward backtest</h2><p>This run has no backtest.</p></section>"
    folds = backtest.folds
    chart = bar_chart(
        "Skill of each fold against tomorrow = today", [str(f.fold) for f in folds],
        [float(f.metrics.skill) for f in folds], GOOD, BAD,
    )  # fmt: skip
    rows = [
        [
            str(f.fold),
            f"{f.test[0]} to {f.test[1]}",
            str(f.epochs) if f.trained else "held",
            number(f.metrics.skill, "{:+.4f}"),
            number(f.metrics.model.rmse),
            number(f.metrics.persistence.rmse),
        ]
        for f in folds
    ]
    verdict = backtest.aggregate.verdict if backtest.aggregate is not None else "No fold finished."
    return (
        f'<section><h2>Walk-forward backtest</h2><p class="verdict">{escape(verdict)}</p>{chart}'
        + table(["fold", "test period", "epochs", "skill", "RMSE model", "RMSE tomorrow = today"], rows, 2)
        + "</section>"
    )


def strategy_section(strategy: StrategyReport | None, problem: str = "") -> str:
    if strategy is None:
        return f"<section><h2>Would it have made money?</h2><p>{escape(problem)}</p></section>"
    equity = line_chart(
        "Equity of the strategy and of buy-and-hold, from 1",
        [  # buy-and-hold first: the strategy is drawn over it where the two are the same
            Line("buy and hold", strategy.dates, strategy.buy_and_hold_equity, HOLD, 1.4),
            Line("strategy", strategy.dates, strategy.model_equity, MODEL, 1.8),
        ],
    )
    falls = line_chart(
        "Drawdown of the strategy and of buy-and-hold, in percent",
        [
            Line("buy and hold", strategy.dates, 100 * drawdown(strategy.buy_and_hold_equity), HOLD, 1.2),
            Line("strategy", strategy.dates, 100 * drawdown(strategy.model_equity), MODEL, 1.4),
        ],
        percent=True,
    )
    rows = [
        [escape(label), *(escape(figure(who, key, pattern)) for who in (strategy.model, strategy.buy_and_hold, None))]
        for label, key, pattern in ROWS
    ]
    spec = strategy.spec
    source = "walk-forward backtest" if strategy.source == "backtest" else "test split"
    settings = (
        f"Rule {escape(spec.rule)}; {escape(spec.costs_text())}; dead band {spec.dead_band:g}× costs; "
        f"{strategy.days} days of the {source}, each position decided at a close and held to the next."
    )
    return (
        f'<section><h2>Would it have made money?</h2><p class="verdict">{escape(strategy.verdict)}</p>'
        f"<p>{settings}</p>{equity}{falls}" + table(["", "strategy", "buy and hold", "cash"], rows) + "</section>"
    )
