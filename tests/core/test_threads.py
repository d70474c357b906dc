"""Same settings and seed, same result: the thread count is fixed for a run, recorded, and nothing else the machine
is doing changes a single bit of the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from lstm_desktop.bench.identity import less_timings
from lstm_desktop.core import runtime
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec, train

COMMAND = [
    sys.executable, "-m", "lstm_desktop.cli", "train", "--sample", "IBM", "--start", "2010-01-01", "--window", "20",
    "--layers", "2", "--hidden", "16", "--epochs", "3", "--patience", "0", "--forecast-days", "5", "--json", "--quiet",
]  # fmt: skip


def without_timings(document: dict) -> dict:
    """The run document less what a clock measures (seconds per epoch and in all)."""
    return less_timings(json.loads(json.dumps(document)))


def test_automatic_threads_are_half_the_cores_and_recorded(aapl_frames) -> None:
    cores = __import__("os").cpu_count() or 1
    assert runtime.set_threads(0) == runtime.default_threads() == max(1, min(4, cores // 2))
    dataset = build_dataset(aapl_frames, DatasetSpec(window=20))
    runtime.set_threads(1)
    result = train(dataset, ModelSpec(layers=1, hidden=8), TrainSpec(epochs=1, threads=1, device="cpu"))
    assert result.threads == 1


@pytest.mark.slow
def test_the_same_command_twice_gives_identical_json_even_beside_a_busy_program() -> None:
    """Automatic threads (the default): once on a quiet machine, once while another program keeps a core busy."""
    quiet = subprocess.run(COMMAND, capture_output=True, text=True, timeout=600, check=True)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        loaded = subprocess.run(COMMAND, capture_output=True, text=True, timeout=600, check=True)
    finally:
        busy.kill()
        busy.wait()
    first, second = json.loads(quiet.stdout), json.loads(loaded.stdout)
    assert first["threads"] == second["threads"] == runtime.default_threads()
    assert without_timings(first) == without_timings(second)


def test_training_leaves_the_global_random_generator_alone(aapl_frames) -> None:
    import torch

    dataset = build_dataset(aapl_frames, DatasetSpec(window=20))
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train(dataset, ModelSpec(layers=1, hidden=8, dropout=0.0), TrainSpec(epochs=1, threads=1, device="cpu"))
    assert np.array_equal(torch.rand(3).numpy(), expected.numpy())


PROBE = """
import hashlib, numpy, threadpoolctl
from lstm_desktop.core.assess.baselines import fit_linear_baseline, linear_one_step
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.runtime import pin_blas_threads
from lstm_desktop.core.specs import DataRequest

pin_blas_threads()
blas = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
digest = hashlib.sha256()
for ticker in ("IBM", "AAPL", "MSFT"):
    dataset = build_dataset(load_prices(DataRequest(source="sample", tickers=(ticker,))), DatasetSpec(window=100))
    fitted = fit_linear_baseline(dataset)
    digest.update(fitted.coef.tobytes() + linear_one_step(dataset, fitted, "val").tobytes())
print(blas, digest.hexdigest())
"""


def test_numpy_blas_runs_one_thread_so_the_linear_baseline_is_the_same_in_every_process() -> None:
    """A process that starts with two BLAS threads (an app started from a shell that set them, or a worker that
    imported numpy early) computes the same ridge coefficients as one that starts with one, once its entry point
    has pinned numpy's BLAS (threaded products split their sums by thread)."""
    outputs = []
    for threads in ("2", "1"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads}
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip())
    assert outputs[0].startswith("[1]") and outputs[0] == outputs[1]
