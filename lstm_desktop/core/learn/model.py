"""The LSTM forecaster: stacked LSTM layers and a linear head with one output per horizon step."""

from __future__ import annotations

import torch
from torch import nn

from ..specs import ModelSpec


class LSTMForecaster(nn.Module):
    """x: (batch, window, n_features) -> (batch, horizon), scaled target values."""

    def __init__(self, n_features: int, horizon: int, spec: ModelSpec) -> None:
        super().__init__()
        self.lstm = nn.LSTM(
            input_size=n_features,
            hidden_size=spec.hidden,
            num_layers=spec.layers,
            dropout=spec.dropout if spec.layers > 1 else 0.0,
            batch_first=True,
        )
        self.dropout = nn.Dropout(spec.dropout)
        self.head = nn.Linear(spec.hidden, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output, _ = self.lstm(x)  # (batch, window, hidden)
        return self.head(self.dropout(output[:, -1, :]))


def expected_shapes(n_inputs: int, horizon: int, spec: ModelSpec) -> dict[str, tuple[int, ...]]:
    """The weight shapes a model of these settings has, without building it (to check stored weights first)."""
    gates = 4 * spec.hidden
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(spec.layers):
        width = n_inputs if layer == 0 else spec.hidden
        shapes[f"lstm.weight_ih_l{layer}"] = (gates, width)
        shapes[f"lstm.weight_hh_l{layer}"] = (gates, spec.hidden)
        shapes[f"lstm.bias_ih_l{layer}"] = (gates,)
        shapes[f"lstm.bias_hh_l{layer}"] = (gates,)
    shapes["head.weight"] = (horizon, spec.hidden)
    shapes["head.bias"] = (horizon,)
    return shapes
