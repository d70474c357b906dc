"""The training loop: in-memory batches, one event per epoch, early stopping, stop on request.

`train` reports through a listener and checks `should_stop` before every batch, so a stop is honoured within
one batch; it then returns normally with the best weights so far. No DataLoader worker processes (they break
in frozen bundles): batches are slices of tensors already in memory. It changes no process-wide state: the
thread count and allocator are the entry points' business, and its random numbers come from a forked generator.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ..errors import BadInput
from ..events import BatchProgress, EpochEnded, Listener, StopCheck, ignore, never
from ..specs import ModelSpec, TrainSpec
from .dataset import Dataset
from .device import bfloat16_problem, resolve_device
from .model import Forecaster
from .optimiser import Adam
from .predict import EVAL_BATCH, precision_context


@dataclass(frozen=True)
class EpochRow:
    """One line of the training history. Losses are MSE on scaled targets."""

    epoch: int
    train_loss: float
    val_loss: float
    seconds: float


@dataclass
class TrainResult:
    """The trained model (best weights restored), its history and why training ended."""

    model: Forecaster
    history: list[EpochRow] = field(default_factory=list)
    best_epoch: int | None = None
    stopped: str = "completed"  # completed | early_stopping | user
    device: str = "cpu"
    threads: int = 1


def build_model(dataset: Dataset, model_spec: ModelSpec, seed: int) -> Forecaster:
    """A freshly initialised model; the seed fixes its weights (the global generator is left as it was)."""
    model_spec.validate()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Forecaster(dataset.n_features, dataset.spec.horizon, model_spec)


def mean_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, precision: str = "float32") -> float:
    """MSE of the model over all windows, in eval mode."""
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
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
    initial: dict[str, torch.Tensor] | None = None,
) -> TrainResult:
    """Train a model on `dataset` (fresh weights from the seed, or `initial` ones: a warm start); returns with
    the best weights (lowest validation loss) restored."""
    spec.validate()
    model_spec.validate()
    device = resolve_device(spec.device)
    if spec.precision == "bfloat16" and (problem := bfloat16_problem(device)):
        raise BadInput(problem)
    with torch.random.fork_rng(devices=[]):  # weights and dropout draw from the global generator: keep it ours
        torch.manual_seed(spec.seed)
        model = Forecaster(dataset.n_features, dataset.spec.horizon, model_spec)
        if initial is not None:
            model.load_state_dict(initial)
        return _loop(dataset, model.to(device), spec, device, on_event, should_stop)


@dataclass
class _Batches:
    """The training windows on the device, shuffled each epoch by a generator of its own, and the optimiser."""

    x: torch.Tensor
    y: torch.Tensor
    size: int
    shuffler: torch.Generator
    optimiser: Adam

    @property
    def count(self) -> int:
        return math.ceil(len(self.x) / self.size)


def _epoch(
    model: Forecaster, data: _Batches, spec: TrainSpec, epoch: int, emit: Listener, stop: StopCheck
) -> float | None:
    """One pass over the shuffled training windows; the mean training loss, or None when a stop was asked."""
    model.train()
    n = len(data.x)
    order = torch.randperm(n, generator=data.shuffler).to(data.x.device)
    loss_fn = nn.MSELoss()
    total = 0.0
    for batch in range(data.count):
        if stop():
            return None
        index = order[batch * data.size : (batch + 1) * data.size]
        data.optimiser.zero_grad()
        with precision_context(data.x.device, spec.precision):
            output = model(data.x[index])
        loss = loss_fn(output.float(), data.y[index])
        loss.backward()
        data.optimiser.step()
        total += loss.detach() * len(index)  # summed on the tensor side: no sync per batch
        emit(BatchProgress(epoch, batch + 1, data.count))
    return float(total) / n


def _loop(
    dataset: Dataset,
    model: Forecaster,
    spec: TrainSpec,
    device: str,
    emit: Listener,
    stop: StopCheck,
) -> TrainResult:
    data = _Batches(
        torch.as_tensor(dataset.x["train"], device=device),
        torch.as_tensor(dataset.y["train"], device=device),
        spec.batch_size,
        torch.Generator().manual_seed(spec.seed),
        Adam(model.parameters(), lr=spec.lr),
    )
    x_val = torch.as_tensor(dataset.x["val"], device=device)
    y_val = torch.as_tensor(dataset.y["val"], device=device)
    result = TrainResult(model=model, device=device, threads=torch.get_num_threads())
    best_state: dict[str, torch.Tensor] | None = None
    best_loss = math.inf
    started = time.perf_counter()
    for epoch in range(1, spec.epochs + 1):
        tick = time.perf_counter()
        train_loss = _epoch(model, data, spec, epoch, emit, stop)
        if train_loss is None:
            result.stopped = "user"
            break
        if not math.isfinite(train_loss):
            raise BadInput("Training diverged (the loss became infinite or NaN). Lower the learning rate.")
        val_loss = mean_loss(model, x_val, y_val, spec.precision)
        if val_loss < best_loss:
            best_loss, result.best_epoch = val_loss, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        seconds = time.perf_counter() - tick
        best_epoch = result.best_epoch or epoch
        result.history.append(EpochRow(epoch, train_loss, val_loss, round(seconds, 4)))
        eta = (time.perf_counter() - started) / epoch * (spec.epochs - epoch)
        emit(EpochEnded(epoch, spec.epochs, train_loss, val_loss, seconds, best_epoch, best_loss, eta))
        if spec.patience and epoch - best_epoch >= spec.patience:
            result.stopped = "early_stopping"
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return result
