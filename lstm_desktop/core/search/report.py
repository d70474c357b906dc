"""The typed result of a search: every trial that ran, the best one with its test score (taken once, after the
search), and the events a front-end follows while it runs. `SearchReport.document()` is the `search --json` key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..codec import to_json
from ..events import Event
from ..report import SplitScores
from .space import SearchSpace
from .spec import SearchSpec

if TYPE_CHECKING:
    from ..run import FinishedRun


@dataclass(frozen=True)
class TrialRecord:
    """One trial that ran: its values, how it ended, its scores on the validation split and the run it made.

    `val_rmse` (price units, one day ahead) is what the search minimises: it compares across target modes and
    inputs. `val_loss` is the run's best validation loss (MSE on the scaled target, as in its history)."""

    number: int
    state: Literal["complete", "pruned", "failed"]
    params: dict[str, Any]
    val_loss: float | None
    val_rmse: float | None
    run: str | None  # the run's name ("search 2, trial 7"); None when the trial failed
    epochs: int
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class BestTrial:
    """The completed trial with the lowest validation RMSE, and its model's scores on the test split: the only
    time the search looks at the test split, after every trial has ended."""

    number: int
    params: dict[str, Any]
    val_loss: float
    val_rmse: float
    run: str
    test: SplitScores


@dataclass(frozen=True)
class SearchReport:
    space: SearchSpace
    spec: SearchSpec
    seed: int  # the sampler's seed (the runs' seed, from their settings)
    study: str  # its name in the journal
    journal: str  # the journal file's path
    workers: int
    threads: int  # torch threads in each worker
    seconds: float
    stopped: bool  # the user stopped it: trials that had not finished are not kept
    trials: tuple[TrialRecord, ...]
    best: BestTrial | None
    error: str | None = None  # what ended the search early (the trials that ended before it are kept)
    exhausted: int | None = None  # the space held only this many settings, all tried: the search stopped there

    def document(self) -> dict[str, Any]:
        """The `search` key of the `search --json` document (ARCHITECTURE.md)."""
        best = None
        if self.best is not None:
            best = to_json(self.best) | {"scored": "on the test split once, after the search"}
            best["test"] = {k: v for k, v in best["test"].items() if v is not None}
        spec = to_json(self.spec)
        return {
            "space": self.space.describe(),
            "budget": {"trials": self.spec.trials or None, "minutes": self.spec.minutes or None},
            "settings": {k: spec[k] for k in ("batch", "startup_trials", "prune_after", "warmup_epochs")},
            "seed": self.seed,
            "study": self.study,
            "journal": self.journal,
            "workers": self.workers,
            "threads": self.threads,
            "seconds": self.seconds,
            "stopped": self.stopped,
            "error": self.error,
            "exhausted": self.exhausted,
            "trials": [to_json(t) for t in self.trials],
            "best": best,
        }


@dataclass(frozen=True)
class SearchResult:
    """The report, and every kept run (complete or pruned trials) by name, in trial order; the best one's report
    holds its test scores, the others' none."""

    report: SearchReport
    runs: tuple[tuple[str, FinishedRun], ...]
    failure: BaseException | None = None  # what ended it early; the runs that ended before are kept


@dataclass(frozen=True)
class TrialEpoch(Event):
    """An epoch of a trial, sent by its worker; the worker waits until the parent has decided whether to prune."""

    barrier: ClassVar[bool] = True
    trial: int
    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    seconds: float


@dataclass(frozen=True)
class TrialEnded(Event):
    """A trial ended (a front-end adds its row)."""

    record: TrialRecord


@dataclass(frozen=True)
class SearchProgress(Event):
    """Trials ended so far, the epoch each running trial has reached, the best so far, the time spent."""

    ended: int
    trials: int  # the budget in trials (0: time only)
    running: dict[int, tuple[int, int]]  # trial -> (epoch, epochs)
    best_number: int | None
    best_val_rmse: float | None
    pruned: int
    failed: int
    seconds: float


@dataclass(frozen=True)
class JournalNote(Event):
    """Something done to the search journal that the user should know of (a partial last line cut, the file moved
    aside): a front-end shows it as a warning."""

    text: str
