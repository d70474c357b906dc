"""A sweep for the terminal: progress lines while it runs, and one line per ticker (the `--json` document carries
everything)."""

from __future__ import annotations

import math
from typing import Any

from .report import SweepProgress, SweepReport


def _number(value: float | None, pattern: str) -> str:
    return "—" if value is None or not math.isfinite(value) else pattern.format(value)


class SweepLines:
    """Progress on stderr, once per change of the line."""

    def __init__(self, quiet: bool, err: Any) -> None:
        self.quiet, self.err, self.last = quiet, err, ""

    def __call__(self, event: Any) -> None:
        if self.quiet or not isinstance(event, SweepProgress):
            return
        doing = []
        for ticker, step in sorted(event.running.items()):
            if step.folds:
                doing.append(f"{ticker} folds {step.folds_finished}/{step.folds}")
            else:
                doing.append(f"{ticker} epoch {step.epoch}/{step.epochs}")
        failed = f" ({event.failed} failed)" if event.failed else ""
        line = f"tickers {event.ended}/{event.tickers} ended{failed}" + (
            f"; running {', '.join(doing)}" if doing else ""
        )
        if line != self.last:
            self.last = line
            self.err(line)


def sweep_text(report: SweepReport) -> str:
    lines = [f"{'ticker':10} {'skill':>9} {'RMSE':>10} {'persist.':>10} {'backtest':>9}  note"]
    for row in report.rows:
        test = row.metrics.get("test")
        aggregate = row.backtest.aggregate if row.backtest is not None else None
        lines.append(
            f"{row.ticker:10} {_number(row.skill, '{:+9.4f}'):>9} "
            f"{_number(test.model.rmse if test else None, '{:10.4f}'):>10} "
            f"{_number(test.persistence.rmse if test else None, '{:10.4f}'):>10} "
            f"{_number(aggregate.skill_median if aggregate else None, '{:+9.4f}'):>9}  "
            + (row.error or (test.verdict.kind if test and test.verdict else ""))
        )
    failed = sum(row.error is not None for row in report.rows)
    lines.append(
        f"{len(report.rows)} tickers, {failed} without a run, in {report.seconds:.1f} s with {report.workers} worker(s)"
        + ("; stopped by the user" if report.stopped else "")
        + ("; backtest column: median fold skill" if report.backtest is not None else "")
    )
    return "\n".join(lines)
