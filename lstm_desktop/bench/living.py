"""Updating many runs: the sample's 4 tickers each trained on prices cut at 2012-06-29 (a sweep's project), refreshed
to 2013-03-01 from the sample, then every ticker's run updated (a warm start, the old split kept) as items of local
workers: 1 worker against 2, each with one torch thread. The parallel efficiency is (time with 1 / time with 2) / 2;
the runs must be identical whatever the number of workers. Warm workers (one warm-up item each first); rounds
interleaved, so that a busy neighbour hits both alike. Each update trains all its epochs (patience 0), a few seconds
an item, so that starting and gathering items is not all that is measured. Figures only, never an assertion."""

from __future__ import annotations

import statistics
import time
from typing import Any

from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

CUT = "2012-06-29"
TICKERS = ("AAPL", "GOOG", "IBM", "MSFT")


def sweep_project(epochs: int) -> Any:
    """A project with one small run per sample ticker on prices up to CUT, refreshed to the sample's end."""
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.living.refresh import apply_refresh, refresh_prices
    from lstm_desktop.core.run import run
    from lstm_desktop.core.store.project import Project

    project = Project()
    for ticker in TICKERS:
        request = DataRequest(source="sample", tickers=(ticker,), start="2008-01-01", end=CUT)
        config = RunConfig(data=request, dataset=DatasetSpec(window=20), model=ModelSpec(layers=1, hidden=32),
                           train=TrainSpec(epochs=epochs, patience=0, threads=1), forecast_days=5)  # fmt: skip
        project.add(run(config, load_prices(request)), f"sweep {ticker}")
    apply_refresh(project, refresh_prices(project))
    return project


def _weights(result: Any) -> list[bytes]:
    from safetensors.torch import save

    return [save(dict(finished.weights)) for _, finished in result.runs]


def update_figures(rounds: int = 3, epochs: int = 40) -> dict:
    """Seconds per round of updating every ticker's run with 1 and 2 workers; the efficiency; identical runs."""
    from lstm_desktop.core.executors.local import LocalExecutor
    from lstm_desktop.core.living.update import UpdateSpec, plan_updates, runs_to_update, update_runs

    project = sweep_project(epochs)
    plans, _ = plan_updates(project, runs_to_update(project, [], every_ticker=True), UpdateSpec())
    executors = {"1 worker": LocalExecutor(1, 1), "2 workers": LocalExecutor(2, 1)}
    seconds: dict[str, list[float]] = {name: [] for name in executors}
    weights: dict[str, list[bytes]] = {}
    try:
        for executor in executors.values():
            executor.__enter__()
            update_runs(plans[: executor.workers], executor=executor)  # warm: each worker has imported torch
        for _ in range(rounds):
            for name, executor in executors.items():
                started = time.perf_counter()
                result = update_runs(plans, executor=executor)
                seconds[name].append(time.perf_counter() - started)
                weights[name] = _weights(result)
    finally:
        for executor in executors.values():
            executor.__exit__(None, None, None)
    one, two = (statistics.median(seconds[name]) for name in executors)
    return {
        "runs": len(plans),
        "epochs": epochs,
        "seconds": seconds,
        "speedup": one / two,
        "efficiency": one / two / 2,
        "identical": weights["1 worker"] == weights["2 workers"],
    }


def update_lines(figures: dict) -> list[str]:
    lines = [f"update of {figures['runs']} runs (a sweep's tickers; 1×32 LSTM, window 20, {figures['epochs']} epochs, "
             "warm start), warm local workers:"]  # fmt: skip
    for name, values in figures["seconds"].items():
        lines.append(f"  {name:10} " + ", ".join(f"{v:.1f}" for v in values) + " s")
    lines.append(
        f"  2 workers vs 1: {figures['speedup']:.2f}× faster, parallel efficiency {figures['efficiency']:.0%}; runs "
        f"identical: {figures['identical']}"
    )
    return lines


if __name__ == "__main__":
    print("\n".join(update_lines(update_figures())))
