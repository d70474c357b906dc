"""The typed result of a comparison: one row per variant (its scores, or why it has none) and per baseline, the
pairwise tests, the verdict; and the events a front-end follows while it runs. `CompareReport.document()` is the
`compare --json` document (ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..codec import to_json
from ..events import Event
from ..specs import BacktestSpec
from .spec import CompareSpec

if TYPE_CHECKING:
    from ..run import FinishedRun


@dataclass(frozen=True)
class VariantRow:
    """One variant: its test scores against tomorrow = today, its band, its size and speed; or its error."""

    name: str
    cell: str
    inputs: tuple[str, ...]  # the model's inputs, by label
    dropped: str | None  # the input it leaves out; None: every input
    run: str | None  # the run's name (None when it failed)
    rmse: float | None = None
    skill: float | None = None
    skill_low: float | None = None  # the skill's 90 % interval over the test days (block bootstrap)
    skill_high: float | None = None
    coverage: float | None = None  # share of test origins inside the band
    width: float | None = None  # the 1-step band's mean width relative to the forecast
    pooled_skill: float | None = None  # every backtest fold's test days together
    parameters: int | None = None
    seconds_per_epoch: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class BaselineRow:
    """A baseline on the same test days (from the first variant that ran): its RMSE and skill."""

    name: str  # persistence, drift or ridge
    rmse: float
    skill: float


@dataclass(frozen=True)
class PairRow:
    """A Diebold–Mariano test of two variants' squared one-step errors on the same test days."""

    a: str
    b: str
    days: int
    statistic: float  # negative: a's error is smaller
    p_value: float
    p_adjusted: float  # Holm's adjustment for the number of pairs
    text: str


@dataclass(frozen=True)
class CompareReport:
    spec: CompareSpec
    backtest: BacktestSpec | None
    workers: int
    threads: int  # torch threads in each worker
    seconds: float
    stopped: bool
    variants: tuple[VariantRow, ...]
    baselines: tuple[BaselineRow, ...]
    pairs: tuple[PairRow, ...]
    verdict: str

    def document(self) -> dict[str, Any]:
        """The `compare --json` document."""
        variants = []
        for row in self.variants:
            test = {"rmse": row.rmse, "skill": row.skill, "skill_interval": [row.skill_low, row.skill_high],
                    "coverage": row.coverage, "width": row.width}  # fmt: skip
            variants.append(
                {
                    "name": row.name,
                    "cell": row.cell,
                    "inputs": list(row.inputs),
                    "dropped": row.dropped,
                    "run": row.run,
                    "test": to_json(test),
                    "backtest": {"pooled_skill": to_json(row.pooled_skill)},  # null without folds
                    "parameters": row.parameters,
                    "seconds_per_epoch": to_json(row.seconds_per_epoch),
                    "error": row.error,
                }
            )
        return {
            "variants": variants,
            "baselines": [to_json(b) for b in self.baselines],
            "pairs": [
                {k: to_json(getattr(p, k)) for k in ("a", "b", "days", "statistic", "p_value", "p_adjusted", "text")}
                for p in self.pairs
            ],
            "verdict": self.verdict,
            "workers": self.workers,
            "threads": self.threads,
            "seconds": self.seconds,
            "stopped": self.stopped,
        }


@dataclass(frozen=True)
class CompareResult:
    """The report, the finished runs by name (in the order planned), and what ended the comparison early, if
    anything did (the variants that ended before are kept)."""

    report: CompareReport
    runs: tuple[tuple[str, FinishedRun], ...]
    failure: BaseException | None = None


@dataclass(frozen=True)
class VariantProgress(Event):
    """A variant's epoch (epochs > 0) or its backtest's folds (folds > 0), as its worker reports them."""

    name: str
    epoch: int
    epochs: int
    folds_finished: int
    folds: int


@dataclass(frozen=True)
class VariantEnded(Event):
    """A variant finished or failed: its row as the report will hold it."""

    row: VariantRow


@dataclass(frozen=True)
class CompareProgress(Event):
    """Variants ended so far, of how many, and what each running one is doing."""

    ended: int
    variants: int
    running: dict[str, VariantProgress]
    failed: int
    seconds: float
