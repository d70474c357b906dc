"""What a training costs in floating-point operations, from its settings alone (nothing is built): the bench's FLOP
bound and the order in which many runs' items are handed to workers (the longest first) both count it this way."""

from __future__ import annotations

from ..specs import ModelSpec


def forward_flops_per_window(window: int, features: int, model: ModelSpec) -> float:
    """Forward FLOPs of one window: per time step and layer, each gate block (LSTM 4, GRU 3, plain RNN 1) does an
    input matmul (2·in·H), a hidden matmul (2·H·H) and two bias adds (2·H); the head adds 2·H. Element-wise gate
    maths is left out (small)."""
    from .model import GATES

    hidden, total = model.hidden, 0.0
    for layer in range(model.layers):
        inputs = features if layer == 0 else hidden
        total += GATES[model.cell] * (2 * inputs * hidden + 2 * hidden * hidden + 2 * hidden) * window
    return total + 2 * hidden


def epoch_flops(window: int, features: int, model: ModelSpec, train_windows: int, val_windows: int) -> float:
    """One epoch: training windows × forward FLOPs × 3 (the backward pass costs about twice the forward), plus one
    forward pass over the validation windows."""
    return forward_flops_per_window(window, features, model) * (3 * train_windows + val_windows)
