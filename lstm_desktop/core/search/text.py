"""A search for the terminal: a line per trial as it ends, and the summary table (the `--json` document carries
everything)."""

from __future__ import annotations

import math
from typing import Any

from .report import JournalNote, SearchReport, TrialEnded, TrialRecord


def _number(value: float | None, pattern: str) -> str:
    return "—" if value is None or not math.isfinite(value) else pattern.format(value)


def params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())


def trial_line(record: TrialRecord) -> str:
    what = f"failed: {record.error}" if record.state == "failed" else f"val RMSE {_number(record.val_rmse, '{:.4f}')}"
    epochs = f" after {record.epochs} epochs" if record.state == "pruned" else ""
    return f"trial {record.number} {record.state}{epochs}: {what} ({params_text(record.params)})"


def exhausted_text(size: int) -> str:
    return (
        f"the search space holds {size} different setting(s) and every one was tried: the search stopped there "
        "(widen the space to try more)"
    )


class SearchLines:
    """A line on stderr per trial as it ends; warnings about the journal even when quiet."""

    def __init__(self, quiet: bool, err: Any) -> None:
        self.quiet, self.err = quiet, err

    def __call__(self, event: Any) -> None:
        if isinstance(event, JournalNote):
            self.err(f"warning: {event.text}")
        elif not self.quiet and isinstance(event, TrialEnded):
            self.err(trial_line(event.record))


def search_text(report: SearchReport) -> str:
    lines = [f"{'trial':>5} {'state':9} {'val RMSE':>10} {'val loss':>10} {'epochs':>6}  settings"]
    for t in report.trials:
        lines.append(
            f"{t.number:>5} {t.state:9} {_number(t.val_rmse, '{:10.4f}'):>10} {_number(t.val_loss, '{:10.6f}'):>10} "
            f"{t.epochs:>6}  {params_text(t.params)}" + (f"  ({t.error})" if t.error else "")
        )
    counts = {s: sum(t.state == s for t in report.trials) for s in ("complete", "pruned", "failed")}
    lines.append(
        f"{len(report.trials)} trials ({counts['complete']} complete, {counts['pruned']} pruned, {counts['failed']} "
        f"failed) in {report.seconds:.1f} s with {report.workers} worker(s); study {report.study!r} in {report.journal}"
        + ("; stopped by the user" if report.stopped else "")
    )
    if report.exhausted is not None:
        lines.append(exhausted_text(report.exhausted))
    best = report.best
    if best is None:
        lines.append("no trial completed: nothing to score on the test split")
        return "\n".join(lines)
    test = best.test
    lines.append(
        f"best (lowest validation RMSE): trial {best.number}, val RMSE {best.val_rmse:.4f} ({params_text(best.params)})"
    )
    lines.append(
        f"its test split, scored once after the search: RMSE {_number(test.model.rmse, '{:.4f}')} against "
        f"{_number(test.persistence.rmse, '{:.4f}')} for tomorrow = today, skill {_number(test.skill, '{:+.4f}')}"
    )
    if test.verdict is not None:
        lines.append(test.verdict.text)
    return "\n".join(lines)
