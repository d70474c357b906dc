"""Check the CUDA training path on a machine with a GPU (run by hand; CI has none).

Trains the reference setup on the bundled sample on cuda (float32 and bfloat16) and on cpu, checks that both give
sane, similar scores, that a project trained on the GPU saves and reopens on the CPU with the same forecast, and prints
seconds per epoch for both devices.  Usage: python tools/cuda_check.py [epochs]
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from lstm_desktop.bench.training import reference_run_config
from lstm_desktop.core.run import forecast_again, run
from lstm_desktop.core.runtime import set_threads
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project


def main() -> int:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 2
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
    failures = []
    results = {}
    for device, precision in (("cuda", "float32"), ("cuda", "bfloat16"), ("cpu", "float32")):
        config = reference_run_config(epochs, patience=0, device=device, threads=0, precision=precision)
        config = dataclasses.replace(config, forecast_days=10)
        set_threads(0)
        started = time.perf_counter()
        finished = run(config)
        report = finished.report
        seconds = [row.seconds for row in report.history]
        results[device if precision == "float32" else precision] = finished
        print(
            f"{device} {precision}: {len(seconds)} epochs, median {np.median(seconds[1:]):.3f} s/epoch, "
            f"total {time.perf_counter() - started:.1f} s, device used {report.device}, "
            f"test skill {report.metrics['test'].skill:+.4f}, val loss {report.history[-1].val_loss:.6f}"
        )
        if report.device != device:
            failures.append(f"asked for {device}, trained on {report.device}")
    gpu, cpu, bf16 = (results[k].report.metrics["test"].model.rmse for k in ("cuda", "cpu", "bfloat16"))
    if abs(gpu / cpu - 1) > 0.25:
        failures.append("cuda and cpu test RMSE differ by more than 25 %")
    if abs(bf16 / gpu - 1) > 0.25:
        failures.append("bfloat16 and float32 test RMSE on cuda differ by more than 25 %")
    with tempfile.TemporaryDirectory() as folder:
        project = Project()
        project.add(results["cuda"])
        reopened = load_project(save_project(project, Path(folder) / "gpu.lstmproj")).current
        again = forecast_again(reopened.report, reopened.data.frames, reopened.tensors(), 10).forecast
        stored = results["cuda"].report.forecast
        gap = float(np.max(np.abs(again.value - stored.value) / stored.value))
        print(f"GPU-trained project reopened on the CPU: largest relative forecast difference {gap:.2e}")
        if gap > 1e-3:
            failures.append("forecast from the reopened GPU project differs")
    for failure in failures:
        print("FAIL", failure)
    print("cuda check", "passed" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
