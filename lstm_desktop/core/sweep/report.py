"""The typed result of a sweep: one row per ticker, in the order asked, with its run's scores or its error; and the
event a front-end follows while it runs. `SweepReport.document()` is the `sweep --json` document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..codec import to_json
from ..events import Event
from ..report import BacktestReport, SplitScores
from ..specs import BacktestSpec

if TYPE_CHECKING:
    from ..run import FinishedRun


@dataclass(frozen=True)
class SweepRow:
    """One ticker: the run it made (by name) and its scores, or why there is none."""

    ticker: str
    run: str | None
    skill: float | None  # on the test split, against tomorrow = today
    metrics: dict[str, SplitScores]
    backtest: BacktestReport | None
    error: str | None
    seconds: float = 0.0


@dataclass(frozen=True)
class SweepReport:
    backtest: BacktestSpec | None  # the backtest each ticker had, if any
    workers: int
    threads: int  # torch threads in each worker
    seconds: float
    stopped: bool  # the user stopped it: tickers that had not finished are rows with that message
    rows: tuple[SweepRow, ...]

    def document(self) -> dict[str, Any]:
        """The `sweep --json` document (ARCHITECTURE.md): one entry per ticker."""
        from ..documents import backtest_document

        entries = []
        for row in self.rows:
            metrics = {
                split: {k: v for k, v in to_json(s).items() if v is not None} for split, s in row.metrics.items()
            }
            entries.append(
                {
                    "ticker": row.ticker,
                    "run": row.run,
                    "skill": to_json(row.skill),
                    "metrics": metrics,
                    "backtest": backtest_document(row.backtest) if row.backtest is not None else None,
                    "error": row.error,
                    "seconds": row.seconds,
                }
            )
        return {"sweep": entries}


@dataclass(frozen=True)
class SweepResult:
    """The report, the finished runs by name (in the order asked), and the error of each ticker that has none."""

    report: SweepReport
    runs: tuple[tuple[str, FinishedRun], ...]
    errors: tuple[tuple[str, BaseException], ...]
    failure: BaseException | None = None  # what ended the sweep early; the tickers that ended before are kept


@dataclass(frozen=True)
class TickerProgress(Event):
    """A ticker's epoch (epochs > 0) or its backtest's folds (folds > 0), as its worker reports them."""

    ticker: str
    epoch: int
    epochs: int
    folds_finished: int
    folds: int


@dataclass(frozen=True)
class TickerEnded(Event):
    """A ticker's run finished or failed: its row as the report will hold it (a front-end fills it in)."""

    row: SweepRow


@dataclass(frozen=True)
class SweepProgress(Event):
    """Tickers ended so far, of how many, and what each running one is doing."""

    ended: int
    tickers: int
    running: dict[str, TickerProgress]
    failed: int
    seconds: float
