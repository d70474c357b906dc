"""Trials that differ: a search that proposes the same settings twice trains the same model twice (a seeded TPE
sampler drawing from a small range does that often: `window=10:30` gave window 30 twice in a row for seed 42).

`DistinctSampler` wraps the TPE sampler of a batch and gives each new trial settings no trial of the study has had
(of any state, this batch's trials included). It asks TPE again while its proposal was tried, then draws uniformly
among the settings not yet tried; `untried` says how many are left, so a search asks no more than that and stops
when the space is exhausted. Everything is drawn in the parent in trial order from seeded generators: the same seed
gives the same trials whatever the worker count.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler

TPE_ATTEMPTS = 32  # TPE's proposals tried before drawing uniformly among the untried settings
ENUMERATE_AT_MOST = 1_000_000  # a finite space larger than this is drawn at random, never listed


def _values(distribution: BaseDistribution) -> list[Any] | None:
    """Every value a distribution can give, or None when they are not finitely many (a float range)."""
    if isinstance(distribution, CategoricalDistribution):
        return list(distribution.choices)
    if isinstance(distribution, IntDistribution):
        return list(range(distribution.low, distribution.high + 1, distribution.step))
    return None


def space_size(space: dict[str, BaseDistribution]) -> float:
    """How many different settings the space holds (infinite with a float range)."""
    size = 1.0
    for distribution in space.values():
        values = _values(distribution)
        if values is None:
            return math.inf
        size *= len(values)
    return size


def _key(params: dict[str, Any], names: tuple[str, ...]) -> tuple | None:
    if not all(name in params for name in names):
        return None
    return tuple(params[name] for name in names)


def tried(study: Any, space: dict[str, BaseDistribution]) -> set[tuple]:
    """The settings the study's trials have had (every state: a failed setting would fail again)."""
    names = tuple(space)
    keys = (_key(trial.params, names) for trial in study.get_trials(deepcopy=False))
    return {key for key in keys if key is not None}


def untried(study: Any, space: dict[str, BaseDistribution]) -> float:
    """How many settings of the space no trial has had yet (infinite with a float range)."""
    return space_size(space) - len(tried(study, space))


class DistinctSampler(BaseSampler):
    """TPE's proposal when no trial had it, else another; uniform among the untried when TPE keeps repeating."""

    def __init__(self, inner: BaseSampler, space: dict[str, BaseDistribution], seed: int) -> None:
        import numpy as np

        self.inner, self.space = inner, dict(space)
        self.rng = np.random.RandomState(seed)

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, BaseDistribution]:
        return dict(self.space)

    def sample_relative(self, study: Any, trial: Any, search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        if not search_space:
            return {}
        names = tuple(self.space)
        seen = {key for t in study.get_trials(deepcopy=False) if t.number != trial.number
                if (key := _key(t.params, names)) is not None}  # fmt: skip
        for _ in range(TPE_ATTEMPTS):
            proposal = {n: self.inner.sample_independent(study, trial, n, d) for n, d in self.space.items()}
            if _key(proposal, names) not in seen:
                return proposal
        return self._uniform_untried(names, seen)

    def _uniform_untried(self, names: tuple[str, ...], seen: set[tuple]) -> dict[str, Any]:
        if space_size(self.space) <= ENUMERATE_AT_MOST:
            grid = [_values(self.space[name]) for name in names]
            left = [combo for combo in itertools.product(*grid) if combo not in seen]  # type: ignore[arg-type]
            if not left:
                raise RuntimeError("every setting of the space was tried")  # the runner asks no more than untried
            return dict(zip(names, left[self.rng.randint(len(left))]))
        while True:  # a float range, or a finite space too large to list: a random point is new almost surely
            proposal = {name: self._draw(d) for name, d in self.space.items()}
            if _key(proposal, names) not in seen:
                return proposal

    def _draw(self, distribution: BaseDistribution) -> Any:
        values = _values(distribution)
        if values is not None and len(values) <= ENUMERATE_AT_MOST:
            return values[self.rng.randint(len(values))]
        if isinstance(distribution, IntDistribution):
            return int(self.rng.randint(distribution.low, distribution.high + 1))
        assert isinstance(distribution, FloatDistribution)
        low, high = distribution.low, distribution.high
        if distribution.log:
            return float(math.exp(self.rng.uniform(math.log(low), math.log(high))))
        return float(self.rng.uniform(low, high))

    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any) -> Any:
        return self.inner.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Any, trial: Any) -> None:
        self.inner.before_trial(study, trial)

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self.inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self.inner.reseed_rng()


def ask_batch(study: Any, space: dict[str, BaseDistribution], seed: int, startup_trials: int, size: int) -> list:
    """`size` new trials of `study`, asked in order, each with settings no trial of the study has had."""
    from optuna.samplers import TPESampler

    study.sampler = DistinctSampler(TPESampler(seed=seed, n_startup_trials=startup_trials), space, seed)
    return [study.ask(space) for _ in range(size)]
