"""How a search runs, declared once like every other setting (core/setting_fields.py): its budget, how many
trials are proposed together, when the sampler starts modelling and when pruning may begin."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..setting_fields import check_fields, setting


@dataclass(frozen=True, kw_only=True)
class SearchSpec:
    """A hyperparameter search's own settings (the trained runs take theirs from the RunConfig)."""

    trials: int = setting(
        20, label="Trials", help="trials to run (0: as many as --minutes allows)", low=0, high=100_000
    )
    minutes: float = setting(
        0.0,
        label="Minutes",
        help="no new trial starts after this many minutes (0: no time limit); running trials finish",
        low=0.0,
        high=100_000.0,
        unit="minutes",
    )
    batch: int = setting(
        4,
        label="Trials at once",
        help="trials proposed together and run side by side; the proposals depend on it, not on the workers, so "
        "any number of workers (local or on a cluster) gives the same trials",
        low=1,
        high=256,
    )
    startup_trials: int = setting(
        10, label="Random trials", help="trials drawn at random before the sampler (TPE) models the results", low=1,
        high=10_000,
    )  # fmt: skip
    prune_after: int = setting(
        3,
        label="Prune after",
        help="completed trials needed before a trial may be pruned (stopped early: its validation loss is worse "
        "than the median of completed trials at the same epoch)",
        low=0,
        high=10_000,
        unit="trials",
    )
    warmup_epochs: int = setting(
        2, label="Warm-up epochs", help="epochs every trial trains before it may be pruned", low=0, high=100_000,
        unit="epochs",
    )  # fmt: skip
    workers: int = setting(
        0,
        label="Workers",
        help="local worker processes (0: one per core, workers × threads ≤ cores); results do not depend on it",
        low=0,
        high=256,
    )

    def validate(self) -> None:
        check_fields(self)
        if not self.trials and not self.minutes:
            raise BadInput("Give the search a budget: a number of trials, a number of minutes, or both.")
