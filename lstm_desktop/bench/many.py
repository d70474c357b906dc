"""Many-run figures: a sweep of 8 small runs (the 4 sample tickers, two periods each) with one local worker per
core (one torch thread each) against one worker that uses every core, and on a 2-worker Dask LocalCluster against
the local executor. Throughput is measured on warm workers (each executor ran one warm-up item per worker first),
rounds interleaved so that a busy neighbour hits every executor alike; the cold start is given beside it."""

from __future__ import annotations

import dataclasses
import os
import statistics
import time
from typing import Any

from lstm_desktop.bench.identity import runs_less_timings
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.sweep.runner import sweep
from lstm_desktop.core.sweep.targets import Target

SMALL = RunConfig(
    data=DataRequest(source="sample"),
    dataset=DatasetSpec(window=20),
    model=ModelSpec(layers=1, hidden=32),
    train=TrainSpec(epochs=8, patience=0, threads=1),
    forecast_days=5,
)
PERIODS = (("2005-01-01", "2009-12-31"), ("2008-06-01", "2013-03-01"))


def sweep_targets() -> list[Target]:
    """8 targets: each sample ticker over two periods."""
    targets = []
    for ticker in ("AAPL", "GOOG", "IBM", "MSFT"):
        for number, (start, end) in enumerate(PERIODS, 1):
            frames = load_prices(DataRequest(source="sample", tickers=(ticker,), start=start, end=end))
            targets.append(Target(f"{ticker}-{number}", tuple(frames)))
    return targets


def _timed(config: RunConfig, targets: list[Target], executor: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = sweep(config, targets, executor=executor)
    return time.perf_counter() - started, result


def many_figures(rounds: int = 2) -> dict:
    """Throughput (runs/s) of the 8-run sweep per executor; the ratios; whether the runs were identical."""
    from lstm_desktop.core.executors.cluster import DaskExecutor
    from lstm_desktop.core.executors.local import LocalExecutor

    cores = os.cpu_count() or 1
    targets = sweep_targets()
    wide = dataclasses.replace(SMALL, train=dataclasses.replace(SMALL.train, threads=cores))
    setups = {
        f"local {cores}x1": (SMALL, LocalExecutor(cores, 1)),
        f"local 1x{cores}": (wide, LocalExecutor(1, cores)),
    }
    if dask_installed():
        setups["dask 2x1"] = (SMALL, DaskExecutor(None, 2, 1))
    seconds: dict[str, list[float]] = {name: [] for name in setups}
    cold: dict[str, float] = {}
    results: dict[str, Any] = {}
    for name, (config, executor) in setups.items():
        started = time.perf_counter()
        executor.__enter__()  # kept open (and warm) for every round
        warm = [dataclasses.replace(t, ticker=f"warm-{i}") for i, t in enumerate(targets[: executor.workers])]
        sweep(config, warm, executor=executor)
        cold[name] = time.perf_counter() - started
    try:
        for _ in range(rounds):
            for name, (config, executor) in setups.items():
                took, results[name] = _timed(config, targets, executor)
                seconds[name].append(took)
    finally:
        for _, executor in setups.values():
            executor.__exit__(None, None, None)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    names = list(setups)
    figures = {
        "runs": len(targets),
        "cores": cores,
        "seconds": seconds,
        "runs_per_second": {name: len(targets) / value for name, value in median.items()},
        "start_and_warm_up_seconds": cold,
        "local_many_vs_one_wide": median[names[1]] / median[names[0]],
    }
    if len(names) > 2:
        figures["dask_vs_local"] = median[names[2]] / median[names[0]]
        figures["dask_identical_to_local"] = runs_less_timings(results[names[2]]) == runs_less_timings(
            results[names[0]]
        )
    return figures


def dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def many_lines(figures: dict) -> list[str]:
    rate = figures["runs_per_second"]
    names = list(rate)
    lines = [f"sweep of {figures['runs']} small runs (1×32 LSTM, window 20, 8 epochs), warm workers:"]
    for name in names:
        runs = ", ".join(f"{s:.1f}" for s in figures["seconds"][name])
        lines.append(
            f"  {name:12} {rate[name]:.2f} runs/s   (rounds {runs} s; start and warm-up "
            f"{figures['start_and_warm_up_seconds'][name]:.1f} s)"
        )
    lines.append(f"  one worker per core vs one wide worker: {figures['local_many_vs_one_wide']:.2f}× the throughput")
    if "dask_vs_local" in figures:
        lines.append(
            f"  Dask LocalCluster vs local workers: {figures['dask_vs_local']:.2f}× the time "
            f"(runs identical: {figures['dask_identical_to_local']})"
        )
    else:
        lines.append('  Dask LocalCluster: not measured (pip install "lstm-desktop[cluster]")')
    return lines


if __name__ == "__main__":
    print("\n".join(many_lines(many_figures())))
