"""One batch of a search: trials asked together, trained side by side in the executor's workers, each epoch's
validation loss reported to Optuna by the parent (which prunes a trial by stopping its item), and all of them told
in trial-number order once every one has ended, so the study is the same whatever order they finished in."""

from __future__ import annotations

import math
from typing import Any

from ..executors.items import Outcome
from ..executors.runs import decode_run
from ..run import FinishedRun
from ..specs import RunConfig
from .report import TrialEpoch, TrialRecord
from .space import apply

TRIAL = "lstm_desktop.core.search.work:run_trial"
NOT_RUN = "not run: the search ended before it started"


def run_name(study: str, number: int) -> str:
    """A trial's run in the project: "search 2, trial 7" (names stay apart when a project holds many searches)."""
    return f"{study}, trial {number}"


class Batch:
    """The trials of one batch, from their items to their records and runs."""

    def __init__(
        self, study: str, trials: list[Any], config: RunConfig, frames: tuple, executor: Any, tracker: Any
    ) -> None:
        self.study, self.trials, self.frames, self.executor, self.tracker = study, trials, frames, executor, tracker
        self.pruned: set[int] = set()
        self.ends: dict[int, tuple[TrialRecord | None, FinishedRun | None, str]] = {}
        self.items: list[tuple[str, dict]] = []
        self.item_trial: list[int] = []  # item index -> position in `trials`
        for position, trial in enumerate(trials):
            try:
                settings = apply(config, dict(trial.params))
            except Exception as exc:  # a combination no run accepts: the trial fails without running
                self._end(position, self._record(position, "failed", None, str(exc)), None, "failed")
                continue
            self.item_trial.append(position)
            self.items.append((TRIAL, {"trial": trial.number, "config": settings, "frames": frames}))

    def run(self, should_stop: Any) -> None:
        if self.items:
            self.executor.run(self.items, self._on_outcome, self._on_progress, should_stop)

    def _on_progress(self, index: int, event: Any) -> None:
        position = self.item_trial[index]
        if not isinstance(event, TrialEpoch) or position in self.pruned:
            return
        trial = self.trials[position]
        trial.report(event.val_loss, event.epoch)
        self.tracker.epoch(trial.number, event.epoch, event.epochs)
        if event.epoch < event.epochs and trial.should_prune():  # one that trained every epoch is complete
            self.pruned.add(position)
            self.executor.stop_item(index)

    def _on_outcome(self, outcome: Outcome) -> None:
        position = self.item_trial[outcome.index]
        if outcome.cancelled:
            self.ends[position] = (None, None, "not run")
            return
        if not outcome.ok:
            self._end(position, self._record(position, "failed", None, str(outcome.error)), None, "failed")
            return
        number = self.trials[position].number
        finished = decode_run(outcome.result, self.frames, run_name(self.study, number))
        report = finished.report
        loss = _val_rmse(report)
        if position in self.pruned:
            finished = FinishedRun(_pruned(report), finished.weights, finished.frames)
            self._end(position, self._record(position, "pruned", finished), finished, "pruned")
        elif report.stopped == "user":
            self._end(position, self._record(position, "failed", None, "stopped before it finished"), None, "failed")
        elif loss is None or not math.isfinite(loss):
            self._end(position, self._record(position, "failed", None, "no finite validation error"), None, "failed")
        else:
            self._end(position, self._record(position, "complete", finished), finished, "complete")

    def _record(self, position: int, state: str, finished: FinishedRun | None, error: str | None = None):
        trial = self.trials[position]
        report = finished.report if finished is not None else None
        return TrialRecord(
            number=trial.number,
            state=state,  # type: ignore[arg-type]
            params=dict(trial.params),
            val_loss=report.best_val_loss if report is not None else None,
            val_rmse=_val_rmse(report) if report is not None else None,
            run=run_name(self.study, trial.number) if finished is not None else None,
            epochs=len(report.history) if report is not None else 0,
            seconds=report.seconds if report is not None else 0.0,
            error=error,
        )

    def _end(self, position: int, record: TrialRecord, finished: FinishedRun | None, state: str) -> None:
        self.ends[position] = (record, finished, state)
        self.tracker.ended(record)

    def tell(self, study: Any) -> list[tuple[TrialRecord, FinishedRun | None]]:
        """Tell Optuna every trial's end, in trial-number order; the records of the trials that ran."""
        from optuna.trial import TrialState

        kept = []
        for position, trial in sorted(enumerate(self.trials), key=lambda pair: pair[1].number):
            record, finished, state = self.ends.get(position, (None, None, "not run"))
            error = record.error if record is not None else NOT_RUN
            if error:
                trial.set_user_attr("error", error)
            if record is not None and record.run:
                trial.set_user_attr("run", record.run)
            if state == "complete":
                study.tell(trial, record.val_rmse)
            elif state == "pruned":
                study.tell(trial, state=TrialState.PRUNED)
            else:
                study.tell(trial, state=TrialState.FAIL)
            if record is not None:
                kept.append((record, finished))
        return kept

    def ended(self) -> list[tuple[TrialRecord, FinishedRun | None]]:
        """The trials of this batch that ended, in trial-number order, when the batch could not be told to Optuna
        (the search stops there: the study keeps them as running, the project keeps their runs)."""
        ends = sorted(((self.trials[p].number, end) for p, end in self.ends.items()), key=lambda pair: pair[0])
        return [(record, finished) for _, (record, finished, _) in ends if record is not None]


def _val_rmse(report: Any) -> float | None:
    """What the search minimises: the validation RMSE in price units (comparable whatever the target mode)."""
    scores = report.metrics.get("val")
    return scores.model.rmse if scores is not None else None


def _pruned(report: Any) -> Any:
    import dataclasses

    return dataclasses.replace(report, stopped="pruned")
