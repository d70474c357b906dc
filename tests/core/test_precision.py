"""bfloat16 training: refused with a reason where the hardware cannot, float32 weights and outputs where it can."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_desktop.cli import main
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.learn import training
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.device import bfloat16_problem
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.predict import predict_scaled
from lstm_desktop.core.learn.training import TrainSpec, train

SMALL = ModelSpec(layers=2, hidden=16)


def spec(precision: str, epochs: int = 3) -> TrainSpec:
    return TrainSpec(epochs=epochs, patience=0, threads=1, seed=3, device="cpu", precision=precision)


def test_unknown_precision_is_refused() -> None:
    with pytest.raises(BadInput, match="Precision must be float32 or bfloat16, not 'float16'"):
        TrainSpec(precision="float16").validate()


def test_bfloat16_on_this_cpu_trains_or_is_refused_with_the_reason(aapl_frames, capsys) -> None:
    dataset = build_dataset(aapl_frames, DatasetSpec(window=20))
    problem = bfloat16_problem("cpu")
    if problem:
        assert "This CPU cannot train an LSTM in bfloat16" in problem and "Choose float32" in problem
        with pytest.raises(BadInput, match="cannot train an LSTM in bfloat16"):
            train(dataset, SMALL, spec("bfloat16", epochs=1))
        code = main(["train", "--sample", "AAPL", "--window", "20", "--epochs", "1", "--precision", "bfloat16"])
        assert code == 2 and "cannot train an LSTM in bfloat16" in capsys.readouterr().err
    else:
        result = train(dataset, SMALL, spec("bfloat16"))
        assert all(np.isfinite(row.val_loss) for row in result.history)
        assert all(p.dtype == torch.float32 for p in result.model.parameters())


@pytest.mark.filterwarnings("ignore:TF32 acceleration on top of oneDNN:UserWarning")
def test_bfloat16_plumbing_on_torchs_portable_kernel(aapl_frames, monkeypatch) -> None:
    """Every CPU can run the bfloat16 path on torch's own (slow) LSTM kernel: the autocast plumbing is checked
    there against float32: weights stay float32, outputs are float32, and the model learns about as well."""
    monkeypatch.setattr(training, "bfloat16_problem", lambda device: None)
    dataset = build_dataset(aapl_frames, DatasetSpec(window=20))
    with torch.backends.mkldnn.flags(enabled=False):
        half = train(dataset, SMALL, spec("bfloat16"))
        full = train(dataset, SMALL, spec("float32"))
    assert all(p.dtype == torch.float32 for p in half.model.parameters())
    outputs = predict_scaled(half.model, dataset.x["test"])
    assert outputs.dtype == np.float32 and np.isfinite(outputs).all()
    half_best = min(row.val_loss for row in half.history)
    full_best = min(row.val_loss for row in full.history)
    assert half.history != full.history  # the arithmetic really changed
    assert half_best < 2 * full_best + 1e-4  # ... and the model learned about as well
