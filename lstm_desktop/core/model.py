"""The LSTM forecaster: stacked LSTM layers and a linear head with one output per horizon step."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .errors import BadInput


@dataclass(frozen=True)
class ModelSpec:
    """Network shape; defaults are the reference setup (2 stacked LSTM layers of 50 units)."""

    layers: int = 2  # stacked LSTM layers
    hidden: int = 50  # units per layer
    dropout: float = 0.0  # between LSTM layers (needs layers >= 2) and before the head

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> None:
        if not 1 <= self.layers <= 8:
            raise BadInput(f"Layers must be between 1 and 8, not {self.layers}.")
        if not 1 <= self.hidden <= 2048:
            raise BadInput(f"Hidden size must be between 1 and 2048, not {self.hidden}.")
        if not 0 <= self.dropout < 1:
            raise BadInput(f"Dropout must be at least 0 and below 1, not {self.dropout}.")


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
