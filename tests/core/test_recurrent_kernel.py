"""The app's own recurrent layers (core/learn/recurrent.py) compute what torch's do: the same outputs and gradients
to float32 rounding, for every cell, one or more layers, one or more inputs; the same bits on a second run; and
torch's kernel where they do not apply (autocast, a non-tanh RNN)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_desktop.core.learn import recurrent
from lstm_desktop.core.learn.model import Forecaster
from lstm_desktop.core.specs import ModelSpec

LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def _pair(cell: str, inputs: int, layers: int, seed: int = 0) -> tuple[nn.RNNBase, torch.Tensor]:
    torch.manual_seed(seed)
    module = LAYERS[cell](inputs, 7, layers, batch_first=True)
    return module, torch.randn(5, 11, inputs)


@pytest.mark.parametrize("cell", list(LAYERS))
@pytest.mark.parametrize(("inputs", "layers"), [(1, 1), (3, 2), (2, 3)])
def test_outputs_and_gradients_match_torch(cell: str, inputs: int, layers: int) -> None:
    module, x = _pair(cell, inputs, layers)
    x.requires_grad_(True)
    assert recurrent.fast_path_applies(module, x)
    expected = module(x)[0][:, -1]
    (expected**2).sum().backward()
    want = {name: p.grad.clone() for name, p in module.named_parameters()}
    want_x = x.grad.clone()
    module.zero_grad()
    x.grad = None
    got = recurrent.last_output(module, x)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    (got**2).sum().backward()
    for name, p in module.named_parameters():
        torch.testing.assert_close(p.grad, want[name], rtol=1e-4, atol=1e-6, msg=name)
    torch.testing.assert_close(x.grad, want_x, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("cell", list(LAYERS))
def test_inference_gives_the_training_path_outputs(cell: str) -> None:
    module, x = _pair(cell, 2, 2)
    trained = recurrent.last_output(module, x)
    with torch.inference_mode():
        inferred = recurrent.last_output(module, x)
    assert torch.equal(trained.detach(), inferred)


@pytest.mark.parametrize("cell", list(LAYERS))
def test_the_same_inputs_give_the_same_bits(cell: str) -> None:
    runs = []
    for _ in range(2):
        module, x = _pair(cell, 3, 2, seed=4)
        (recurrent.last_output(module, x) ** 2).sum().backward()
        runs.append([p.grad.clone() for p in module.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*runs))


def test_torch_keeps_what_the_fast_path_does_not_cover() -> None:
    module, x = _pair("rnn", 2, 1)
    relu = nn.RNN(2, 7, batch_first=True, nonlinearity="relu")
    assert not recurrent.fast_path_applies(relu, x)
    assert not recurrent.fast_path_applies(nn.LSTM(2, 7), x)  # time-major
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert not recurrent.fast_path_applies(module, x)


@pytest.mark.parametrize("cell", sorted(recurrent.OWN_KERNEL_CELLS))
def test_the_forecaster_uses_it_with_dropout_between_layers(cell: str) -> None:
    torch.manual_seed(1)
    model = Forecaster(2, 3, ModelSpec(cell=cell, layers=2, hidden=6, dropout=0.3))
    x = torch.randn(4, 9, 2)
    model.eval()
    with torch.inference_mode():
        expected = model.head(model.recurrent(x)[0][:, -1])
        assert torch.allclose(model(x), expected, rtol=1e-5, atol=1e-6)
    model.train()
    torch.manual_seed(2)
    first = model(x)
    torch.manual_seed(2)
    assert torch.equal(first, model(x))
