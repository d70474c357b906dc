"""The assessment after training, where the user waits (issue 24): a reference run's (2×50, window 100), a default
run's (now 2×32, window 20, batch 64) and a reference backtest fold's, timed with the code as it is and with the
code as it was before it was made faster (bench/assess_before.py; a fold was then assessed as a whole run), in
interleaved pairs on the same trained model in one process, with a check that both give the same report bit for bit
(a fold: the same fold report); where the time goes (the bands, the recursive paths, the one-step scores); and the
time to a result (training to early stopping, then the assessment) before and after."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Callable, Iterator

import numpy as np

from lstm_desktop.bench.assess_before import before
from lstm_desktop.core.assess import assessment, calibrated, evaluation, forecast
from lstm_desktop.core.backtest.plan import Fold, plan
from lstm_desktop.core.backtest.work import fold_report
from lstm_desktop.core.codec import to_json
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.events import ignore, never
from lstm_desktop.core.learn.dataset import build_dataset
from lstm_desktop.core.learn.training import train
from lstm_desktop.core.presets import reference_settings
from lstm_desktop.core.run import assess
from lstm_desktop.core.runtime import set_threads
from lstm_desktop.core.specs import BacktestSpec, DataRequest, RunConfig, TrainSpec

REFERENCE_DATA = DataRequest(source="sample", tickers=("AAPL",))
PARTS = {  # module, attribute, the part it is counted in
    "bands": ((calibrated, "sequential_band_sets"),),
    "paths": ((calibrated, "recursive_paths"), (forecast, "recursive_paths")),
    "one-step": ((assessment, "evaluate"),),  # the one-step scores of the model and the baselines...
    "linear baseline": ((evaluation, "fit_linear_baseline"),),  # ...of which the ridge's fit
}


def assess_figures(threads: int, rounds: int = 3, epochs: int | None = None) -> dict:
    """Each case trained once (to early stopping unless `epochs` fixes them), then assessed `rounds` times with
    the code before and after, alternately."""
    set_threads(threads)
    frames = tuple(load_prices(REFERENCE_DATA))
    train_spec = TrainSpec(threads=threads)
    if epochs:
        train_spec = dataclasses.replace(train_spec, epochs=epochs, patience=0)
    reference = reference_settings(RunConfig(data=REFERENCE_DATA, train=train_spec))
    default = RunConfig(data=REFERENCE_DATA, train=dataclasses.replace(train_spec, batch_size=TrainSpec().batch_size))
    table = build_dataset(list(frames), reference.dataset)
    folds = plan(len(table.dates), BacktestSpec(), reference.dataset)
    cases = {
        "reference run (2×50, window 100)": (reference, None),
        f"default run (2×{default.model.hidden}, window {default.dataset.window})": (default, None),
        f"backtest fold {folds[-1].number}/{len(folds)} (reference)": (reference, folds[-1]),
    }
    figures = {name: _case(config, frames, fold, rounds) for name, (config, fold) in cases.items()}
    return {"threads": threads, "rounds": rounds, "cases": figures}


def _case(config: RunConfig, frames: tuple, fold: Fold | None, rounds: int) -> dict:
    dataset = build_dataset(list(frames), config.dataset, fold.rows if fold else None)
    started = time.perf_counter()
    trained = train(dataset, config.model, config.train, ignore, never, None)
    train_seconds = time.perf_counter() - started
    seconds: dict[str, list[float]] = {"before": [], "after": []}
    parts: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    reports: dict[str, str] = {}
    for _ in range(rounds):
        for version in ("before", "after"):
            with contextlib.ExitStack() as stack:
                if version == "before":
                    stack.enter_context(before())
                spent = stack.enter_context(_timed_parts())
                tick = time.perf_counter()
                report = assess(config, frames, dataset, trained, 0.0, fold=fold is not None and version == "after")
                seconds[version].append(time.perf_counter() - tick)
            for part, value in spent.items():
                parts[version].setdefault(part, []).append(value)
            kept = fold_report(fold, report, True) if fold else report
            reports[version] = json.dumps(to_json(kept), sort_keys=True)
    r = dataset.rows
    return {
        "origins": r.end - max(r.start, r.val_at - 1 - calibrated.DEFAULT.window),
        "model_origins": r.end - r.val_at + 1,
        "steps": assessment.scored_steps(config.forecast_days, dataset),
        "epochs": len(trained.history),
        "train_seconds": train_seconds,
        "assess_seconds": {version: float(np.median(values)) for version, values in seconds.items()},
        "assess_runs": seconds,
        "parts": {v: {p: float(np.median(x)) for p, x in by_part.items()} for v, by_part in parts.items()},
        "identical": reports["before"] == reports["after"],
    }


@contextlib.contextmanager
def _timed_parts() -> Iterator[dict[str, float]]:
    """Seconds spent in each of PARTS while the block runs (the functions wrapped, then put back)."""
    spent = dict.fromkeys(PARTS, 0.0)
    saved = []
    for part, places in PARTS.items():
        for module, name in places:
            original = getattr(module, name)
            saved.append((module, name, original))
            setattr(module, name, _timer(original, part, spent))
    try:
        yield spent
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _timer(function: Callable, part: str, spent: dict[str, float]) -> Callable:
    def timed(*args: object, **kwargs: object) -> object:
        tick = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - tick

    return timed


def assess_lines(figures: dict) -> list[str]:
    lines = [
        f"assessment after training ({figures['threads']} thread(s); median of {figures['rounds']} interleaved "
        "pairs, before -> after this change):"
    ]
    for name, row in figures["cases"].items():
        sec, parts = row["assess_seconds"], row["parts"]
        split = ", ".join(f"{p} {parts['before'][p]:.2f} -> {parts['after'][p]:.2f}" for p in PARTS)
        split = split.replace(", linear", " (linear") + ")"
        lines += [
            f"  {name}: {row['origins']} origins ({row['model_origins']} with model paths), {row['steps']} steps",
            f"    assessment             {sec['before']:.2f} -> {sec['after']:.2f} s "
            f"({sec['before'] / sec['after']:.1f}× faster; identical report: {row['identical']})",
            f"    of which               {split} s",
            f"    time to a result       {row['train_seconds'] + sec['before']:.1f} -> "
            f"{row['train_seconds'] + sec['after']:.1f} s (training {row['train_seconds']:.1f} s, {row['epochs']} "
            "epochs, then the assessment)",
        ]
    return lines
