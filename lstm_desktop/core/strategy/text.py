"""The strategy check for a terminal: a small table of the figures and the verdict."""

from __future__ import annotations

from .metrics import Performance
from .result import StrategyReport
from .spec import RULE_LABELS

ROWS = (
    ("total return", "total_return", "{:+.1%}"),
    ("a year", "annual_return", "{:+.1%}"),
    ("volatility", "volatility", "{:.1%}"),
    ("Sharpe", "sharpe", "{:+.2f}"),
    ("max drawdown", "max_drawdown", "{:.1%}"),
    ("turnover / year", "turnover", "{:.1f}×"),
    ("hit rate", "hit_rate", "{:.1%}"),
    ("days in market", "days_in_market", "{:.0%}"),
    ("trades", "trades", "{:d}"),
)


def figure(figures: Performance | None, key: str, pattern: str) -> str:
    """One figure of a Performance as text; cash's are zero ("—" where undefined)."""
    if figures is None:
        return "—" if key in ("hit_rate", "days_in_market", "trades", "turnover") else pattern.format(0.0)
    value = getattr(figures, key)
    return "—" if value is None else pattern.format(value)


def strategy_text(report: StrategyReport) -> str:
    spec = report.spec
    first, last = (str(report.dates[0]), str(report.dates[-1]))
    lines = [
        f"rule: {RULE_LABELS[spec.rule]}; costs: {spec.costs_text()}; dead band {spec.dead_band:g}× costs",
        f"predictions: {report.source}, {report.days} days {first}..{last}",
        f"{'':16} {'strategy':>10} {'buy & hold':>10} {'cash':>10}",
    ]
    for label, key, pattern in ROWS:
        cells = [
            figure(report.model, key, pattern),
            figure(report.buy_and_hold, key, pattern),
            figure(None, key, pattern),
        ]
        lines.append(f"{label:16} " + " ".join(f"{cell:>10}" for cell in cells))
    lines.append(report.verdict)
    return "\n".join(lines)
