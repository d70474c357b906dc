"""Comparison figures: a comparison of the LSTM, the GRU and the plain RNN, without and with a small walk-forward
backtest, in 1 local worker and in W (one per core), on warm workers with the rounds interleaved. Parallel
efficiency = T1 / (W × TW); whether the runs were identical; and what bounds it: the efficiency that the items' own
times allow when W workers take them in the order the app hands them out, beside the bound of one item per variant
(how comparisons with a backtest ran before). An item's time is taken in the 1-worker run, from one item's end to
the next (the worker runs one after another): its run, its transfer and the parent's handling of it.

`python -m lstm_desktop.bench.comparisons [--rounds N] [--epochs N] [--folds N]` prints this row alone."""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import os
import statistics
import time
from typing import Any

from lstm_desktop.bench.identity import runs_less_timings
from lstm_desktop.core.backtest.job import BacktestJob, RunJob
from lstm_desktop.core.compare.runner import compare
from lstm_desktop.core.compare.spec import CompareSpec
from lstm_desktop.core.compare.variants import plan
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.executors.jobs import longest_first
from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

SETUP = RunConfig(
    data=DataRequest(source="sample", tickers=("AAPL",)),
    dataset=DatasetSpec(window=20),
    model=ModelSpec(layers=1, hidden=32),
    train=TrainSpec(epochs=8, patience=0, threads=1),
    forecast_days=5,
)
CELLS = CompareSpec(cells=("lstm", "gru", "rnn"))
FOLD_DAYS = 21


def comparison_figures(rounds: int = 2, epochs: int = 8, folds: int = 4, workers: int = 0) -> dict:
    """{case: {seconds, efficiency, identical, items, bound, ...}} for the plain comparison and the one with a
    `folds`-fold backtest, each in 1 worker and in `workers` (0: one per core, at least 2)."""
    from lstm_desktop.core.executors.local import LocalExecutor

    workers = max(2, workers or os.cpu_count() or 1)
    config = dataclasses.replace(SETUP, train=dataclasses.replace(SETUP.train, epochs=epochs))
    frames = tuple(load_prices(config.data))
    cases = {"plain": None, "backtest": BacktestSpec(folds=folds, fold_days=FOLD_DAYS)}
    timed = _Timed(LocalExecutor(1, 1))
    executors = {1: timed, workers: LocalExecutor(workers, 1)}
    durations: dict[str, list[float]] = {}
    load = [os.getloadavg()]
    seconds: dict[str, dict[int, list[float]]] = {case: {n: [] for n in executors} for case in cases}
    results: dict[str, dict[int, Any]] = {case: {} for case in cases}
    for executor in executors.values():
        executor.__enter__()  # kept open (and warm) for every round
        _warm_up(config, frames, executor)
    try:
        for _ in range(rounds):
            for case, backtest in cases.items():
                for n, executor in executors.items():
                    started = time.perf_counter()
                    results[case][n] = compare(config, frames, CELLS, backtest, executor=executor)
                    seconds[case][n].append(time.perf_counter() - started)
                    if executor is timed:
                        durations[case] = timed.durations()
    finally:
        for executor in executors.values():
            executor.__exit__(None, None, None)
    load.append(os.getloadavg())
    figures: dict = {"workers": workers, "epochs": epochs, "folds": folds, "rounds": rounds, "load_average": load}
    for case, backtest in cases.items():
        one, many = (statistics.median(seconds[case][n]) for n in executors)
        items, order = durations[case], longest_first(_jobs(config, frames, backtest))
        per_variant = [
            sum(d for d, (v, _) in zip(items, order, strict=True) if v == variant)
            for variant in range(len(CELLS.cells))
        ]
        figures[case] = {
            "seconds": {str(n): values for n, values in seconds[case].items()},
            "efficiency": one / (workers * many),
            "identical": runs_less_timings(results[case][1]) == runs_less_timings(results[case][workers]),
            "failed": sum(row.error is not None for row in results[case][workers].report.variants),
            "item_seconds": items,  # in the order handed out, in the last 1-worker round
            "bound": _bound(items, workers),
            "one_item_per_variant_bound": _bound(per_variant, workers),
        }
    return figures


def _warm_up(config: RunConfig, frames: tuple, executor: Any) -> None:
    """Every worker started and torch imported: a one-epoch comparison of as many variants as workers."""
    quick = dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=1))
    cells = ("lstm", "gru", "rnn")[: max(2, executor.workers)]
    compare(quick, frames, CompareSpec(cells=cells), executor=executor)


def _jobs(config: RunConfig, frames: tuple, backtest: BacktestSpec | None) -> list:
    variants = plan(config, frames, CELLS)
    if backtest is None:
        return [RunJob(v.config, v.frames) for v in variants]
    return [BacktestJob(v.config, backtest, v.frames) for v in variants]


def _bound(durations: list[float], workers: int) -> float:
    """The parallel efficiency of `workers` taking the items in this order (each the next free worker's), when each
    item takes exactly its own time: their sum / (workers × the last end)."""
    free = [0.0] * workers
    for duration in durations:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return sum(durations) / (workers * max(free))


class _Timed:
    """An executor that notes when each item's outcome arrives."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.workers, self.threads = inner, inner.workers, inner.threads
        self.ends: list[float] = []

    def __enter__(self) -> _Timed:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)

    def run(self, items: Any, on_outcome: Any, on_progress: Any = None, should_stop: Any = lambda: False) -> None:
        self.ends = [time.perf_counter()]

        def noted(outcome: Any) -> None:
            self.ends.append(time.perf_counter())
            on_outcome(outcome)

        self.inner.run(items, noted, on_progress, should_stop)

    def durations(self) -> list[float]:
        """Each item's time from the previous one's end (one worker: in the order handed out)."""
        return [b - a for a, b in zip(self.ends, self.ends[1:], strict=False)]


def comparison_lines(figures: dict) -> list[str]:
    workers = figures["workers"]
    load = ", ".join(f"{a:.1f}" for a, _, _ in figures["load_average"])
    lines = [
        f"comparison of lstm, gru, rnn (1×32, window 20, {figures['epochs']} epochs, AAPL), warm workers, median of "
        f"{figures['rounds']} round(s); load average {load} (start, end):"
    ]
    for case, title in (("plain", "without a backtest"), ("backtest", f"with a {figures['folds']}-fold backtest")):
        row = figures[case]
        times = row["seconds"]
        one, many = (statistics.median(values) for values in times.values())
        lines.append(
            f"  {title:26} 1 worker {one:6.1f} s, {workers} workers {many:6.1f} s: efficiency {row['efficiency']:.0%}"
            f" ({len(row['item_seconds'])} items, {sum(row['item_seconds']):.1f} s of the 1 worker's; in this order"
            f" they allow {row['bound']:.0%}"
            + (f", one item per variant {row['one_item_per_variant_bound']:.0%}" if case == "backtest" else "")
            + f"; runs identical: {row['identical']}"
            + (f"; {row['failed']} failed" if row["failed"] else "")
            + ")"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lstm_desktop.bench.comparisons", description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    parser.add_argument("--epochs", type=int, default=8, help="epochs per training (default 8)")
    parser.add_argument("--folds", type=int, default=4, help="folds of the backtest (default 4)")
    parser.add_argument("--workers", type=int, default=0, help="workers against 1 (default: one per core, ≥ 2)")
    args = parser.parse_args()
    print("\n".join(comparison_lines(comparison_figures(args.rounds, args.epochs, args.folds, args.workers))))


if __name__ == "__main__":
    main()
