"""Median pruning that compares like with like. The loss reported each epoch is the MSE on the scaled target, and
the target's scale depends on the target mode (a log return or a price path), so a trial is compared only with the
completed trials that predict the same kind of target. Otherwise Optuna's MedianPruner decides, unchanged."""

from __future__ import annotations

from typing import Any

from optuna.pruners import BasePruner, MedianPruner


class _SameTarget:
    """The study as the pruner sees it: only the trials that predict `mode`."""

    def __init__(self, study: Any, mode: str, default: str) -> None:
        self._study, self._mode, self._default = study, mode, default

    def get_trials(self, deepcopy: bool = True, states: Any = None) -> list:
        trials = self._study.get_trials(deepcopy=deepcopy, states=states)
        return [t for t in trials if t.params.get("target_mode", self._default) == self._mode]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)


class SameTargetMedianPruner(BasePruner):
    """Prune a trial whose best loss so far is above the median of the completed same-target trials at its epoch,
    once `startup` of them completed and after `warmup` epochs."""

    def __init__(self, startup: int, warmup: int, default_mode: str) -> None:
        self._median = MedianPruner(n_startup_trials=startup, n_warmup_steps=warmup + 1)
        self._default = default_mode

    def prune(self, study: Any, trial: Any) -> bool:
        mode = trial.params.get("target_mode", self._default)
        return self._median.prune(_SameTarget(study, mode, self._default), trial)
