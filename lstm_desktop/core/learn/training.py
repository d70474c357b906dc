"""The training loop: in-memory batches, one event per epoch, early stopping, stop on request.

`train` reports through a callback and checks `should_stop` before every batch, so a stop is honoured within
one batch; it then returns normally with the best weights so far. No DataLoader worker processes (they break
in frozen bundles): batches are slices of tensors already in memory.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..errors import BadInput
from ..runtime import ThreadGovernor, bfloat16_problem, resolve_device, set_threads, tune_allocator
from ..specs import ModelSpec, TrainSpec
from .dataset import Dataset
from .model import LSTMForecaster
from .optimiser import Adam

EVAL_BATCH = 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchProgress:
    """Progress within an epoch (frequent: a listener may drop some)."""

    frequent: ClassVar[bool] = True
    epoch: int
    batch: int
    batches: int


@dataclass(frozen=True)
class EpochEnded:
    """One finished epoch. Losses are MSE on scaled targets."""

    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    seconds: float
    best_epoch: int
    best_val_loss: float
    eta_seconds: float

    def history_row(self) -> dict:
        return {
            "epoch": self.epoch,
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class TrainResult:
    """The trained model (best weights restored), its history and why training ended."""

    model: LSTMForecaster
    history: list[dict] = field(default_factory=list)
    best_epoch: int | None = None
    stopped: str = "completed"  # completed | early_stopping | user
    device: str = "cpu"
    threads: int = 1
    thread_changes: list[dict] = field(default_factory=list)  # automatic threads adapting to other programs


Callback = Callable[[BatchProgress | EpochEnded], None]


def build_model(dataset: Dataset, model_spec: ModelSpec, seed: int) -> LSTMForecaster:
    """A freshly initialised model; the seed fixes its weights."""
    model_spec.validate()
    torch.manual_seed(seed)
    return LSTMForecaster(dataset.n_features, dataset.spec.horizon, model_spec)


def model_device(model: nn.Module) -> torch.device:
    """Where the model's weights live: inputs must go there."""
    return next(model.parameters()).device


def predict_scaled(model: nn.Module, x: np.ndarray | torch.Tensor) -> np.ndarray:
    """Model outputs for every window of `x` (samples, window, n_features), in eval mode, in large batches."""
    model.eval()
    inputs = torch.as_tensor(x, device=model_device(model))
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(inputs), EVAL_BATCH):
            outputs.append(model(inputs[start : start + EVAL_BATCH]).float().cpu())
    return torch.cat(outputs).numpy() if outputs else np.zeros((0, 1), dtype=np.float32)


def precision_context(device: str | torch.device, precision: str) -> contextlib.AbstractContextManager:
    """The arithmetic of a training step: plain float32, or bfloat16 autocast (weights and losses stay float32)."""
    if precision == "float32":
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def _mean_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, precision: str = "float32") -> float:
    model.eval()
    total = 0.0
    with torch.inference_mode():
        for start in range(0, len(x), EVAL_BATCH):
            with precision_context(x.device, precision):
                out = model(x[start : start + EVAL_BATCH])
            total += float(nn.functional.mse_loss(out.float(), y[start : start + EVAL_BATCH], reduction="sum"))
    return total / y.numel()


def train(
    dataset: Dataset,
    model_spec: ModelSpec,
    spec: TrainSpec,
    on_event: Callback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train a fresh model on `dataset`; returns with the best weights (lowest validation loss) restored."""
    spec.validate()
    tune_allocator()
    device = resolve_device(spec.device)
    threads = set_threads(spec.threads)
    if spec.precision == "bfloat16" and (problem := bfloat16_problem(device)):
        raise BadInput(problem)
    model = build_model(dataset, model_spec, spec.seed).to(device)
    shuffler = torch.Generator().manual_seed(spec.seed)
    x_train = torch.as_tensor(dataset.x["train"], device=device)
    y_train = torch.as_tensor(dataset.y["train"], device=device)
    x_val = torch.as_tensor(dataset.x["val"], device=device)
    y_val = torch.as_tensor(dataset.y["val"], device=device)
    optimiser = Adam(model.parameters(), lr=spec.lr)
    loss_fn = nn.MSELoss()
    emit = on_event or (lambda event: None)
    stop = should_stop or (lambda: False)
    n = len(x_train)
    batches = math.ceil(n / spec.batch_size)
    result = TrainResult(model=model, device=device, threads=threads)
    governor = ThreadGovernor(threads) if spec.threads == 0 and device == "cpu" else None
    best_state: dict[str, torch.Tensor] | None = None
    best_loss = math.inf
    started = time.perf_counter()
    for epoch in range(1, spec.epochs + 1):
        tick = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=shuffler).to(device)
        total = 0.0
        for batch in range(batches):
            if stop():
                result.stopped = "user"
                break
            if governor is not None and (wanted := governor.poll(threads)) != threads:
                threads = result.threads = set_threads(wanted)
                result.thread_changes.append({"epoch": epoch, "batch": batch + 1, "threads": threads})
                log.info("other programs' load: training continues with %d thread(s)", threads)
            index = order[batch * spec.batch_size : (batch + 1) * spec.batch_size]
            optimiser.zero_grad()
            with precision_context(device, spec.precision):
                output = model(x_train[index])
            loss = loss_fn(output.float(), y_train[index])
            loss.backward()
            optimiser.step()
            total += loss.detach() * len(index)
            emit(BatchProgress(epoch, batch + 1, batches))
        if result.stopped == "user":
            break
        train_loss = float(total) / n
        val_loss = _mean_loss(model, x_val, y_val, spec.precision)
        if not math.isfinite(train_loss):
            raise BadInput("Training diverged (the loss became infinite or NaN). Lower the learning rate.")
        if val_loss < best_loss:
            best_loss, result.best_epoch = val_loss, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        seconds = time.perf_counter() - tick
        elapsed = time.perf_counter() - started
        event = EpochEnded(
            epoch,
            spec.epochs,
            train_loss,
            val_loss,
            seconds,
            result.best_epoch or epoch,
            best_loss,
            elapsed / epoch * (spec.epochs - epoch),
        )
        result.history.append(event.history_row())
        emit(event)
        if spec.patience and epoch - (result.best_epoch or epoch) >= spec.patience:
            result.stopped = "early_stopping"
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return result
