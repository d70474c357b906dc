"""What a worker runs for a trial: one run on the trial's settings with the test split left unscored, each epoch's
validation loss sent to the parent (which decides on pruning before the next epoch starts). Knows no Optuna."""

from __future__ import annotations

from typing import Any

from ..events import EpochEnded
from ..executors.runs import encode_run
from ..run import run
from .report import TrialEpoch


def run_trial(payload: dict, report: Any, should_stop: Any) -> dict:
    """Train the trial's settings on the prices given; a prune (or the user's stop) ends it after an epoch."""
    number = payload["trial"]

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEnded):
            report(TrialEpoch(number, event.epoch, event.epochs, event.train_loss, event.val_loss, event.seconds))

    finished = run(payload["config"], payload["frames"], on_event=on_event, should_stop=should_stop, score_test=False)
    return encode_run(finished)
