"""Running a trained model: where its weights live and its outputs for many windows at once."""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn

EVAL_BATCH = 1024


def model_device(model: nn.Module) -> torch.device:
    """Where the model's weights live: inputs must go there."""
    return next(model.parameters()).device


def predict_scaled(model: nn.Module, x: np.ndarray | torch.Tensor) -> np.ndarray:
    """Model outputs (samples, horizon) for every window of `x` (samples, window, n_inputs), in eval mode, in
    large batches."""
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
