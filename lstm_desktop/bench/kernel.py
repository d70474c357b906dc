"""The kernel rows: seconds per epoch and FLOP-bound ratio of each cell on the reference setup, torch's recurrent
kernel against the app's own (core/learn/recurrent.py), on this CPU's own instruction set and with AVX2 emulated.

Each instruction set runs in a fresh process, because ATen, oneDNN and MKL read their limits once, at start-up:
`ATEN_CPU_CAPABILITY=avx2` limits ATen's own vectorised kernels (element-wise maths, reductions),
`ONEDNN_MAX_CPU_ISA=AVX2` (and the older `DNNL_MAX_CPU_ISA`) oneDNN's (the LSTM kernel), and
`MKL_ENABLE_INSTRUCTIONS=AVX2` MKL's BLAS (every matrix product outside oneDNN, and the matmul that sets the
bound). A probe process with `ONEDNN_VERBOSE` and `MKL_VERBOSE` reports what each library actually chose. The
emulation limits instructions only: the clock, the caches and the core's execution ports stay this CPU's.

`python -m lstm_desktop.bench.kernel --epochs N --threads T` measures in this process and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lstm_desktop.core.learn.dataset import Dataset
    from lstm_desktop.core.specs import ModelSpec

AVX2_ENV = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "DNNL_MAX_CPU_ISA": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
}
PATHS = ("torch", "own")  # torch's kernel for every cell; the app's own kernel for every cell


def kernel_figures(epochs: int, threads: int, rounds: int = 2) -> dict:
    """{isa: {libraries, matmul_gflops, by_cell: {cell: {path: {seconds_per_epoch, bound_ratio}}}}} for the
    native instruction set and emulated AVX2, each in its own process."""
    figures: dict = {"threads": threads, "epochs": epochs}
    for isa, extra in (("native", {}), ("avx2", AVX2_ENV)):
        env = {**os.environ, **extra}
        command = [sys.executable, "-m", "lstm_desktop.bench.kernel", "--epochs", str(epochs)]
        command += ["--threads", str(threads), "--rounds", str(rounds)]
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        figures[isa] = json.loads(done.stdout.strip().splitlines()[-1])
        figures[isa]["libraries"] = isa_probe(env)
    figures["load_average"] = os.getloadavg()
    return figures


def isa_probe(env: dict) -> dict:
    """What ATen, oneDNN and MKL chose under `env`, from their own verbose output (a tiny LSTM and a matmul)."""
    code = (
        "import torch; torch.set_num_threads(1); print('aten', torch.backends.cpu.get_cpu_capability(), flush=True)\n"
        "torch.nn.LSTM(1, 4, batch_first=True)(torch.zeros(2, 3, 1)); torch.ones(8, 8) @ torch.ones(8, 8)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "ONEDNN_VERBOSE": "1", "MKL_VERBOSE": "1"},
    )
    text = done.stdout + done.stderr
    aten = re.search(r"^aten (\S+)", text, re.M)
    onednn = re.search(r"onednn_verbose,.*?,isa:([^,\n]+)", text)
    mkl = re.search(r"MKL_VERBOSE oneMKL.*?for Intel\(R\) 64 architecture (.*?), Lnx", text)
    onednn_impl = re.search(r"onednn_verbose,[^\n]*?,exec,cpu,rnn,([^,]+),", text)
    return {
        "aten": aten.group(1) if aten else "unknown",
        "onednn": onednn.group(1).strip() if onednn else "unknown",
        "onednn_rnn": onednn_impl.group(1) if onednn_impl else "unknown",
        "mkl": _short_mkl(mkl.group(1)) if mkl else "unknown",
    }


def _short_mkl(text: str) -> str:
    for name in ("AVX-512", "AVX2", "AVX"):
        if name in text:
            return name
    return text


def measure(epochs: int, threads: int, rounds: int) -> dict:
    """In this process: the matmul speed and each cell's epoch on each path, the paths and cells taking turns
    `rounds` times (this machine's speed drifts), each figure the median over rounds of the per-run median."""
    import numpy as np
    import torch

    from lstm_desktop.core.learn import recurrent
    from lstm_desktop.core.runtime import pin_blas_threads, set_threads, tune_allocator
    from lstm_desktop.core.specs import CELLS

    from .training import (
        app_epoch_seconds,
        flops_per_epoch,
        matmul_gflops,
        median_after_warmup,
        reference_dataset,
        reference_model,
    )

    tune_allocator()

    pin_blas_threads()
    set_threads(threads)
    dataset = reference_dataset()
    runs: dict = {cell: {path: [] for path in PATHS} for cell in CELLS}
    split: dict = {}
    chosen = recurrent.OWN_KERNEL_CELLS
    gflops = []
    try:
        for _ in range(rounds):
            gflops.append(matmul_gflops(threads))
            for cell in CELLS:
                model = reference_model(cell)
                for path in PATHS:
                    recurrent.OWN_KERNEL_CELLS = frozenset(CELLS) if path == "own" else frozenset()
                    runs[cell][path].append(median_after_warmup(app_epoch_seconds(dataset, model, epochs, threads)))
        for cell in CELLS:
            for path in PATHS:
                recurrent.OWN_KERNEL_CELLS = frozenset(CELLS) if path == "own" else frozenset()
                split[f"{cell}_{path}"] = epoch_split(dataset, reference_model(cell))
    finally:
        recurrent.OWN_KERNEL_CELLS = chosen
    speed = float(np.median(gflops))
    by_cell: dict = {}
    for cell in CELLS:
        bound = flops_per_epoch(dataset, reference_model(cell)) / (speed * 1e9)
        by_cell[cell] = {"bound_seconds_per_epoch": bound, "app_uses": "own" if cell in chosen else "torch"}
        for path in PATHS:
            seconds = float(np.median(runs[cell][path]))
            by_cell[cell][path] = {
                "seconds_per_epoch": seconds,
                "bound_ratio": seconds / bound,
                "runs": runs[cell][path],
            }
            by_cell[cell][path]["split"] = split[f"{cell}_{path}"]
    return {"aten_capability": torch.backends.cpu.get_cpu_capability(), "matmul_gflops": speed, "by_cell": by_cell}


def epoch_split(dataset: Dataset, model_spec: ModelSpec, batches: int = 20) -> dict:
    """Where a training batch goes, in ms per batch: picking the batch, the forward pass with the loss, the
    backward pass, the optimiser step (after two warm-up batches). The app's loop does exactly these steps."""
    import torch
    from torch import nn

    from lstm_desktop.core.learn.optimiser import Adam
    from lstm_desktop.core.learn.training import build_model

    model = build_model(dataset, model_spec, seed=0)
    model.train()
    x, y = torch.as_tensor(dataset.x["train"]), torch.as_tensor(dataset.y["train"])
    optimiser = Adam(model.parameters())
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    totals = dict.fromkeys(("data", "forward", "backward", "optimiser"), 0.0)
    for step in range(batches + 2):
        start = (step * 64) % (len(x) - 64)
        tick = time.perf_counter()
        index = order[start : start + 64]
        xb, yb = x[index], y[index]
        optimiser.zero_grad()
        marks = [time.perf_counter()]
        loss = nn.functional.mse_loss(model(xb), yb)
        marks.append(time.perf_counter())
        loss.backward()
        marks.append(time.perf_counter())
        optimiser.step()
        marks.append(time.perf_counter())
        if step >= 2:
            for key, (a, b) in zip(totals, zip([tick, *marks[:-1]], marks)):
                totals[key] += (b - a) * 1000 / batches
    return totals


def kernel_lines(figures: dict) -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in figures["load_average"])
    lines = [
        f"kernel rows (reference setup 2×50, window 100, batch 64; {figures['threads']} thread(s), "
        f"{figures['epochs']} epochs; load average {load}); s/epoch (FLOP-bound ratio):"
    ]
    for isa, title in (("native", "native"), ("avx2", "emulated AVX2")):
        row = figures[isa]
        libs = row["libraries"]
        lines.append(
            f"  {title}: ATen {libs['aten']}, oneDNN {libs['onednn']} (rnn {libs['onednn_rnn']}), MKL {libs['mkl']}; "
            f"matmul {row['matmul_gflops']:.0f} GFLOP/s"
        )
        for cell, cells in row["by_cell"].items():
            torch_row, own = cells["torch"], cells["own"]
            split = cells[cells["app_uses"]]["split"]
            lines.append(
                f"    {cell:5} torch {torch_row['seconds_per_epoch']:.3f} ({torch_row['bound_ratio']:.2f})  "
                f"own {own['seconds_per_epoch']:.3f} ({own['bound_ratio']:.2f})  app uses {cells['app_uses']}; "
                "ms/batch " + ", ".join(f"{k} {v:.1f}" for k, v in split.items())
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lstm_desktop.bench.kernel", description=__doc__)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(measure(args.epochs, args.threads, args.rounds)))


if __name__ == "__main__":
    main()
