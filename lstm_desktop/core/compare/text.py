"""A comparison for the terminal: progress lines while it runs, then the table, the pairs and the verdict (the
`--json` document carries everything)."""

from __future__ import annotations

import math
from typing import Any

from .report import CompareProgress, CompareReport


def _number(value: float | None, pattern: str) -> str:
    return "—" if value is None or not math.isfinite(value) else pattern.format(value)


class CompareLines:
    """Progress on stderr, once per change of the line."""

    def __init__(self, quiet: bool, err: Any) -> None:
        self.quiet, self.err, self.last = quiet, err, ""

    def __call__(self, event: Any) -> None:
        if self.quiet or not isinstance(event, CompareProgress):
            return
        doing = []
        for name, step in sorted(event.running.items()):
            doing.append(f"{name} folds {step.folds_finished}/{step.folds}" if step.folds else
                         f"{name} epoch {step.epoch}/{step.epochs}")  # fmt: skip
        failed = f" ({event.failed} failed)" if event.failed else ""
        line = f"variants {event.ended}/{event.variants} ended{failed}" + (
            f"; running {', '.join(doing)}" if doing else ""
        )
        if line != self.last:
            self.last = line
            self.err(line)


def compare_text(report: CompareReport) -> str:
    head = f"{'variant':26} {'RMSE':>9} {'skill':>8} {'90 % interval':>17} {'cover':>6} {'width':>7}"
    head += f" {'pooled':>8} {'params':>7} {'s/epoch':>8}  note"
    lines = [head]
    for row in report.variants:
        interval = f"{_number(row.skill_low, '{:+.4f}')}..{_number(row.skill_high, '{:+.4f}')}"
        lines.append(
            f"{row.name:26} {_number(row.rmse, '{:9.4f}'):>9} {_number(row.skill, '{:+8.4f}'):>8} {interval:>17} "
            f"{_number(row.coverage, '{:6.1%}'):>6} {_number(row.width, '{:7.2%}'):>7} "
            f"{_number(row.pooled_skill, '{:+8.4f}'):>8} {row.parameters if row.parameters is not None else '—':>7} "
            f"{_number(row.seconds_per_epoch, '{:8.3f}'):>8}  {row.error or ''}"
        )
    for base in report.baselines:
        lines.append(f"{base.name:26} {_number(base.rmse, '{:9.4f}'):>9} {_number(base.skill, '{:+8.4f}'):>8}")
    if report.pairs:
        lines.append("")
        lines.append("Diebold–Mariano on the same test days (p adjusted by Holm for the number of pairs):")
        lines.extend(f"  {pair.text}" for pair in report.pairs)
    lines.append("")
    lines.append(report.verdict)
    failed = sum(row.error is not None for row in report.variants)
    lines.append(
        f"{len(report.variants)} variants, {failed} without a run, in {report.seconds:.1f} s with "
        f"{report.workers} worker(s)"
        + ("; stopped by the user" if report.stopped else "")
        + ("; pooled: every backtest fold's test days" if report.backtest is not None else "")
    )
    return "\n".join(lines)
