"""The forecaster: stacked recurrent layers of a chosen cell (LSTM, GRU or a plain tanh RNN) and a linear head with
one output per horizon step. The recurrent layer is registered under the cell's name, so an LSTM's weights keep
the names every earlier project stored (`lstm.weight_ih_l0`, ...) and a file says which cell it holds."""

from __future__ import annotations

import torch
from torch import nn

from ..specs import ModelSpec
from . import recurrent

LAYERS: dict[str, type[nn.RNNBase]] = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}  # weight blocks per layer: input, forget, cell, output / reset, update, new


class Forecaster(nn.Module):
    """x: (batch, window, n_features) -> (batch, horizon), scaled target values."""

    def __init__(self, n_features: int, horizon: int, spec: ModelSpec) -> None:
        super().__init__()
        self.cell = spec.cell
        layer = LAYERS[spec.cell](
            input_size=n_features,
            hidden_size=spec.hidden,
            num_layers=spec.layers,
            dropout=spec.dropout if spec.layers > 1 else 0.0,
            batch_first=True,
        )
        self.add_module(spec.cell, layer)
        self.dropout = nn.Dropout(spec.dropout)
        self.head = nn.Linear(spec.hidden, horizon)

    @property
    def recurrent(self) -> nn.RNNBase:
        return self.get_submodule(self.cell)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer = self.recurrent
        if self.cell in recurrent.OWN_KERNEL_CELLS and recurrent.fast_path_applies(layer, x):
            last = recurrent.last_output(layer, x)  # (batch, hidden)
        else:
            output, _ = layer(x)  # (batch, window, hidden)
            last = output[:, -1, :]
        return self.head(self.dropout(last))


LSTMForecaster = Forecaster  # the name it had when the cell was always an LSTM


def expected_shapes(n_inputs: int, horizon: int, spec: ModelSpec) -> dict[str, tuple[int, ...]]:
    """The weight shapes a model of these settings has, without building it (to check stored weights first)."""
    gates = GATES[spec.cell] * spec.hidden
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(spec.layers):
        width = n_inputs if layer == 0 else spec.hidden
        shapes[f"{spec.cell}.weight_ih_l{layer}"] = (gates, width)
        shapes[f"{spec.cell}.weight_hh_l{layer}"] = (gates, spec.hidden)
        shapes[f"{spec.cell}.bias_ih_l{layer}"] = (gates,)
        shapes[f"{spec.cell}.bias_hh_l{layer}"] = (gates,)
    shapes["head.weight"] = (horizon, spec.hidden)
    shapes["head.bias"] = (horizon,)
    return shapes


def parameter_count(n_inputs: int, horizon: int, spec: ModelSpec) -> int:
    """Trainable parameters of a model of these settings."""
    total = 0
    for shape in expected_shapes(n_inputs, horizon, spec).values():
        size = 1
        for dim in shape:
            size *= dim
        total += size
    return total
