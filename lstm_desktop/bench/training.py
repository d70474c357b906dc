"""Training speed: the app's loop against the common DataLoader loop, the machine's matmul bound, scaling."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.learn.dataset import Dataset, build_dataset
from lstm_desktop.core.learn.inputs import InputColumn
from lstm_desktop.core.learn.predict import EVAL_BATCH
from lstm_desktop.core.learn.training import train
from lstm_desktop.core.presets import REFERENCE_DATASET, REFERENCE_MODEL, REFERENCE_TRAIN, reference_settings
from lstm_desktop.core.runtime import pin_blas_threads, set_threads, tune_allocator
from lstm_desktop.core.specs import DataRequest, ModelSpec, RunConfig, TrainSpec

REFERENCE_DATA = DataRequest(source="sample", tickers=("AAPL",))


def reference_dataset(window: int = REFERENCE_DATASET.window) -> Dataset:
    """The reference setup's windows: one feature (AAPL Adj Close), window 100, horizon 1."""
    return build_dataset(load_prices(REFERENCE_DATA), dataclasses.replace(REFERENCE_DATASET, window=window))


def reference_model(cell: str) -> ModelSpec:
    """The reference setup's network (2 layers of 50, no dropout) with `cell`: the app's defaults moved to a
    cheaper shape (issue 24, point 3), so the benches' fixed rows must name this one, never `ModelSpec()`."""
    return dataclasses.replace(REFERENCE_MODEL, cell=cell)


def lstm_flops_per_window(window: int, features: int, hidden: int, layers: int, cell: str = "lstm") -> float:
    """Forward FLOPs of one window (core/learn/cost.py counts them)."""
    from lstm_desktop.core.learn.cost import forward_flops_per_window

    return forward_flops_per_window(window, features, ModelSpec(cell=cell, hidden=hidden, layers=layers))


def flops_per_epoch(dataset: Dataset, model: ModelSpec) -> float:
    """Training windows × forward FLOPs × 3 (the backward pass costs about twice the forward), plus one forward
    pass over the validation windows. Reference: 6.12 MFLOP × 2,190 × 3 + 6.12 MFLOP × 490 ≈ 43.2 GFLOP."""
    from lstm_desktop.core.learn.cost import epoch_flops

    window, features = dataset.spec.window, dataset.n_features
    return epoch_flops(window, features, model, len(dataset.x["train"]), len(dataset.x["val"]))


def matmul_gflops(threads: int, size: int = 1024, repeats: int = 20) -> float:
    """This machine's float32 matmul throughput with `threads` threads (best of three runs)."""
    import torch

    set_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(3):
        tick = time.perf_counter()
        for _ in range(repeats):
            a @ b
        best = min(best, time.perf_counter() - tick)
    return 2 * size**3 * repeats / best / 1e9


def kernel_epoch_seconds(dataset: Dataset, model: ModelSpec, epochs: int, threads: int) -> list[float]:
    """Seconds per epoch spent in the LSTM layers alone: forward and backward of nn.LSTM over the epoch's
    training batches plus a forward pass over the validation windows, no head, loss, optimiser or shuffling.
    This is the floor for any loop built on torch's LSTM kernel (oneDNN's on x86 CPUs)."""
    import torch

    from lstm_desktop.core.learn.training import build_model

    set_threads(threads)
    lstm = build_model(dataset, model, seed=0).recurrent
    x_train, x_val = torch.as_tensor(dataset.x["train"]), torch.as_tensor(dataset.x["val"])
    batch = REFERENCE_TRAIN.batch_size
    seconds = []
    for _ in range(epochs):
        tick = time.perf_counter()
        for start in range(0, len(x_train), batch):
            output, _ = lstm(x_train[start : start + batch])
            output[:, -1].sum().backward()
        with torch.inference_mode():
            for start in range(0, len(x_val), EVAL_BATCH):
                lstm(x_val[start : start + EVAL_BATCH])
        seconds.append(time.perf_counter() - tick)
    return seconds


def app_epoch_seconds(dataset: Dataset, model: ModelSpec, epochs: int, threads: int) -> list[float]:
    """Seconds of each epoch of the app's own loop (patience off, CPU)."""
    spec = TrainSpec(
        epochs=epochs, patience=0, device="cpu", threads=threads, seed=0, batch_size=REFERENCE_TRAIN.batch_size
    )
    return [row.seconds for row in train(dataset, model, spec).history]


def reference_epoch_seconds(dataset: Dataset, epochs: int) -> list[float]:
    """Seconds of each epoch of the common DataLoader loop, in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "windows.npz"
        np.savez(
            path, x_train=dataset.x["train"], y_train=dataset.y["train"], x_val=dataset.x["val"], y_val=dataset.y["val"]
        )
        done = subprocess.run(
            [sys.executable, "-m", "lstm_desktop.bench.reference_loop", str(path), str(epochs)],
            capture_output=True,
            text=True,
            check=True,
            env=_plain_env(),
        )
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def _plain_env() -> dict:
    import os

    env = dict(os.environ)
    env["LSTM_DESKTOP_NO_MALLOPT"] = "1"
    return env


def median_after_warmup(seconds: list[float]) -> float:
    return float(np.median(seconds[1:] if len(seconds) > 1 else seconds))


def history_median(history: list) -> float:
    """Median seconds per epoch of a run's history (report rows or their JSON), after the first (warm-up) epoch."""
    return median_after_warmup([row["seconds"] if isinstance(row, dict) else row.seconds for row in history])


def with_features(dataset: Dataset, count: int) -> Dataset:
    """The same windows with `count` input columns (copies of the one feature): cost depends on shape only."""
    x = {split: np.ascontiguousarray(np.repeat(v[:, :, :1], count, axis=2)) for split, v in dataset.x.items()}
    return dataclasses.replace(dataset, x=x, inputs=tuple(InputColumn("X", f"f{i}", True) for i in range(count)))


def scaling_rows(epochs: int, threads: int) -> list[dict]:
    """Seconds per epoch as window, hidden size and input count grow (one at a time from the reference)."""
    rows = []
    base = reference_dataset()
    for window in (50, 100, 200, 400):
        data = base if window == 100 else reference_dataset(window)
        rows.append(_scaling_row("window", window, data, REFERENCE_MODEL, epochs, threads))
    for hidden in (32, 50, 128, 256):
        model = dataclasses.replace(REFERENCE_MODEL, hidden=hidden)
        rows.append(_scaling_row("hidden", hidden, base, model, epochs, threads))
    for features in (1, 5, 20):
        rows.append(_scaling_row("features", features, with_features(base, features), REFERENCE_MODEL, epochs, threads))
    return rows


def _scaling_row(name: str, value: int, data: Dataset, model: ModelSpec, epochs: int, threads: int) -> dict:
    seconds = median_after_warmup(app_epoch_seconds(data, model, epochs, threads))
    return {
        "vary": name,
        "value": value,
        "train_windows": len(data.x["train"]),
        "seconds_per_epoch": seconds,
        "gflop_per_epoch": flops_per_epoch(data, model) / 1e9,
    }


def training_figures(epochs: int, threads: int, rounds: int = 3) -> dict:
    """The headline training figures for the reference setup.

    The app's loop, the LSTM kernel alone and the DataLoader reference run in turns, `rounds` times, and each
    figure is the median over rounds of the per-run median: this machine's speed drifts by ±20 % within minutes,
    so figures taken minutes apart would compare the drift, not the code.
    """
    tune_allocator()
    pin_blas_threads()
    dataset = reference_dataset()
    model = REFERENCE_MODEL
    runs: dict[str, list[float]] = {"app": [], "kernel": [], "reference": []}
    app_by_threads: dict[int, list[float]] = {t: [] for t in sorted({1, threads})}
    for _ in range(rounds):
        for t in app_by_threads:
            app_by_threads[t].append(median_after_warmup(app_epoch_seconds(dataset, model, epochs, t)))
        runs["kernel"].append(median_after_warmup(kernel_epoch_seconds(dataset, model, epochs, threads)))
        runs["reference"].append(median_after_warmup(reference_epoch_seconds(dataset, epochs)))
    runs["app"] = app_by_threads[threads]
    app, kernel, reference = (float(np.median(runs[key])) for key in ("app", "kernel", "reference"))
    flops = flops_per_epoch(dataset, model)
    gflops = matmul_gflops(threads)
    return {
        "train_windows": len(dataset.x["train"]),
        "train_seconds_per_epoch": {"app": app, "dataloader_reference": reference},
        "train_seconds_per_epoch_runs": runs,
        "app_seconds_per_epoch_by_threads": {str(t): float(np.median(s)) for t, s in app_by_threads.items()},
        "speedup_vs_dataloader": reference / app,
        "flops_per_epoch": flops,
        "matmul_gflops": gflops,
        "bound_seconds_per_epoch": flops / (gflops * 1e9),
        "bound_ratio": app / (flops / (gflops * 1e9)),
        "lstm_kernel_seconds_per_epoch": kernel,
        "lstm_kernel_gflops": flops / kernel / 1e9,
        "kernel_share_of_app": kernel / app,
        "threads": threads,
    }


def bfloat16_figures(epochs: int, threads: int) -> dict:
    """The reference setup trained in float32 and in bfloat16 on this CPU, with the validation loss of each,
    so the faster option is checked against float32; where the CPU cannot, the reason instead."""
    from lstm_desktop.core.learn.device import bfloat16_problem

    problem = bfloat16_problem("cpu")
    if problem:
        return {"available": False, "reason": problem}
    dataset, model = reference_dataset(), REFERENCE_MODEL
    figures: dict = {"available": True}
    for precision in ("float32", "bfloat16"):
        spec = TrainSpec(epochs=epochs, patience=0, device="cpu", threads=threads, seed=0, precision=precision,
                         batch_size=REFERENCE_TRAIN.batch_size)  # fmt: skip
        history = train(dataset, model, spec).history
        figures[precision] = {
            "seconds_per_epoch": history_median(history),
            "best_val_loss": min(row.val_loss for row in history),
        }
    figures["speedup"] = figures["float32"]["seconds_per_epoch"] / figures["bfloat16"]["seconds_per_epoch"]
    return figures


def reference_cli_flags() -> list[str]:
    """The command line's flags for the reference setup (core.presets), what the window's Reference button sets:
    each setting where it differs from the default, named as the command line names it."""
    from lstm_desktop.cli_args import flag_of

    flags = []
    for spec in (REFERENCE_DATASET, REFERENCE_MODEL, REFERENCE_TRAIN):
        for field in dataclasses.fields(spec):
            value = getattr(spec, field.name)
            if value != field.default:
                flags += [flag_of(field), str(value)]
    return flags


def reference_run_config(epochs: int, **train_changes: object) -> RunConfig:
    """The reference setup on the bundled AAPL sample, trained `epochs` epochs (and `train_changes` to TrainSpec)."""
    config = reference_settings(RunConfig(data=REFERENCE_DATA))
    return dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=epochs, **train_changes))


def train_from_command_line(epochs: int, threads: int) -> dict:
    """The reference run from the command line (its own process, training in its main thread, no Qt)."""
    command = [sys.executable, "-m", "lstm_desktop.cli", "train", "--sample", "AAPL", *reference_cli_flags()]
    command += ["--epochs", str(epochs), "--patience", "0", "--threads", str(threads), "--quiet", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def busy_neighbour_figures(epochs: int, threads: int) -> dict:
    """Seconds per epoch while another program keeps one core busy (a spinning process): automatic threads (one
    per core: the same count whatever the load, so that results never depend on it) against one thread, the
    faster choice on a busy machine. Each figure is the median after the first epoch."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        return {
            name: history_median(train_from_command_line(epochs, count)["history"])
            for name, count in ((f"automatic_{threads}", 0), ("fixed_1", 1))
        }
    finally:
        busy.kill()
        busy.wait()
