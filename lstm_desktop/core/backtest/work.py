"""What a worker runs for a backtest: a chain of folds (trained, warm-started or held, in order), or the ordinary
run on all the data beside them. Plain data in (settings, prices, rows), plain JSON back."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..codec import to_json
from ..events import EpochEnded
from ..report import FoldReport, RunReport
from ..run import FinishedRun, reassess, run
from ..specs import RunConfig
from .plan import Fold


@dataclasses.dataclass(frozen=True)
class FoldEpoch:
    """An epoch of one fold's training, as a worker reports it."""

    fold: int
    epoch: int
    epochs: int
    seconds: float
    eta_seconds: float


WARM_PATIENCE = 3  # a warm-started fold starts near a good model: it stops after this many epochs without gain


def warm_config(config: RunConfig) -> RunConfig:
    """A warm-started fold's settings: fine-tuning stops sooner than training from fresh weights (unless the user
    turned early stopping off: patience 0 stays 0)."""
    patience = min(config.train.patience, WARM_PATIENCE)
    return dataclasses.replace(config, train=dataclasses.replace(config.train, patience=patience))


def fold_report(fold: Fold, report: RunReport, trained: bool) -> FoldReport:
    return FoldReport(
        fold=fold.number,
        train=report.split["train"],
        val=report.split["val"],
        test=report.split["test"],
        windows=dict(report.windows),
        trained=trained,
        epochs=len(report.history),
        seconds=report.seconds,
        stopped=report.stopped,
        metrics=report.metrics["test"],
        predictions=report.predictions["test"],
        coverage=report.band.coverage.get("test"),
        baseline_coverage=report.band.baseline.coverage.get("test") if report.band.baseline else None,
    )


def run_chain(payload: dict, report: Any, should_stop: Any) -> dict:
    """The folds of one chain, oldest first; a stop keeps the folds that finished."""
    config, frames, warm = payload["config"], payload["frames"], payload["warm_start"]
    done: list[dict] = []
    previous: FinishedRun | None = None
    for fold in payload["folds"]:
        if should_stop():
            break
        if fold.refit or previous is None:

            def on_event(event: Any, number: int = fold.number) -> None:
                if isinstance(event, EpochEnded):
                    report(FoldEpoch(number, event.epoch, event.epochs, event.seconds, event.eta_seconds))

            initial = previous.weights if warm and previous is not None else None
            fold_config = warm_config(config) if initial is not None else config
            finished = run(
                fold_config,
                frames,
                on_event=on_event,
                should_stop=should_stop,
                rows=fold.rows,
                initial=initial,
                fold=True,
            )
            if finished.report.stopped == "user":
                break  # not finished: not kept
            trained = True
        else:
            finished, trained = reassess(previous, config, fold.rows, fold=True), False
        done.append(to_json(fold_report(fold, finished.report, trained)))
        previous = finished
    return {"folds": done}


def run_whole(payload: dict, report: Any, should_stop: Any) -> dict:
    """The ordinary run on all the data (its forecast is the one shown), with its weights."""
    from safetensors.torch import save

    finished = run(payload["config"], payload["frames"], on_event=report, should_stop=should_stop)
    return {"report": to_json(finished.report), "weights": save(dict(finished.weights))}
