"""The folds of a walk-forward backtest, as plain data, checked before anything is trained.

Fold k of K tests the trading days [test_k, test_k + N) at the end of the data, N = fold days, one block after
another up to the last day. Its model trains on the rows before the block: all of them (an expanding window) or
the last `train_days` (sliding), less a validation block at their end (the validation share of those rows) for
early stopping. Its scalers are fitted on its own training rows only (build_dataset does that for any rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..learn.dataset import SplitRows
from ..specs import MIN_WINDOWS, BacktestSpec, DatasetSpec


@dataclass(frozen=True)
class Fold:
    number: int  # 1..K, oldest first
    rows: SplitRows
    refit: bool  # train a model for this fold (else the previous one is held)


def fold_rows(n: int, number: int, spec: BacktestSpec, data: DatasetSpec) -> SplitRows:
    """The rows of fold `number` (1..folds) of a table of `n` rows."""
    test_at = n - (spec.folds - number + 1) * spec.fold_days
    val_at = test_at - round(data.val_frac * test_at)
    start = max(0, val_at - spec.train_days) if spec.train_days else 0
    return SplitRows(start, val_at, test_at, test_at + spec.fold_days)


def _fits(rows: SplitRows, data: DatasetSpec) -> bool:
    """Enough windows in each split of a fold (as build_dataset will check)."""
    train = rows.val_at - rows.start - data.window - data.horizon + 1
    val = rows.test_at - rows.val_at - data.horizon + 1
    test = rows.end - rows.test_at - data.horizon + 1
    return (
        rows.start >= 0 and train >= MIN_WINDOWS["train"] and val >= MIN_WINDOWS["val"] and test >= MIN_WINDOWS["test"]
    )


def most_folds(n: int, spec: BacktestSpec, data: DatasetSpec) -> int:
    """How many folds of these fold days fit `n` rows (0 when not even one)."""
    count = 0
    while count < n and _fits(fold_rows(n, 1, _with_folds(spec, count + 1), data), data):
        count += 1
    return count


def _with_folds(spec: BacktestSpec, folds: int) -> BacktestSpec:
    import dataclasses

    return dataclasses.replace(spec, folds=folds)


def plan(n: int, spec: BacktestSpec, data: DatasetSpec) -> list[Fold]:
    """The folds, or BadInput saying what fits."""
    spec.validate()
    if spec.fold_days < data.horizon + MIN_WINDOWS["test"] - 1:
        raise BadInput(
            f"Fold days ({spec.fold_days}) must be at least {data.horizon + MIN_WINDOWS['test'] - 1} with horizon "
            f"{data.horizon}: each fold needs {MIN_WINDOWS['test']} test windows."
        )
    if not _fits(fold_rows(n, 1, spec, data), data):
        fitting = most_folds(n, spec, data)
        what = f"at most {fitting} folds" if fitting else "not even one fold"
        raise BadInput(
            f"{what.capitalize()} of {spec.fold_days} days fit these {n} rows with window {data.window}"
            + (f" and {spec.train_days} training days" if spec.train_days else "")
            + ". Choose fewer or shorter folds, a shorter window, or load more data."
        )
    return [
        Fold(k, fold_rows(n, k, spec, data), refit=(k - 1) % spec.refit_every == 0) for k in range(1, spec.folds + 1)
    ]


def chains(folds: list[Fold], warm_start: bool) -> list[list[Fold]]:
    """Folds that must run in order, in one worker: a warm start chains them all; a held model chains its folds
    to the fold that trained it. Chains are independent of each other."""
    if warm_start:
        return [folds]
    groups: list[list[Fold]] = []
    for fold in folds:
        if fold.refit or not groups:
            groups.append([fold])
        else:
            groups[-1].append(fold)
    return groups
