"""Our Adam: the same updates as torch.optim.Adam, and a whole run that never loads torch's compiler stack."""

from __future__ import annotations

import copy
import subprocess
import sys

import torch
from torch import nn

from lstm_desktop.core.learn.optimiser import Adam


def test_adam_updates_are_bit_identical_to_torch_adam() -> None:
    torch.manual_seed(0)
    ours_model = nn.LSTM(3, 8, 2, batch_first=True)
    torch_model = copy.deepcopy(ours_model)
    ours = Adam(ours_model.parameters(), lr=3e-3)
    reference = torch.optim.Adam(torch_model.parameters(), lr=3e-3, foreach=False)
    inputs = torch.randn(16, 12, 3)
    for _ in range(30):
        for model, optimiser in ((ours_model, ours), (torch_model, reference)):
            optimiser.zero_grad()
            output, _ = model(inputs)
            output[:, -1].pow(2).mean().backward()
            optimiser.step()
    for a, b in zip(ours_model.parameters(), torch_model.parameters(), strict=True):
        assert torch.equal(a, b)
    assert ours.steps == 30


def test_step_without_gradients_is_refused() -> None:
    layer = nn.Linear(2, 1)
    optimiser = Adam(layer.parameters())
    try:
        optimiser.step()
    except ValueError as error:
        assert "backward" in str(error)
    else:
        raise AssertionError("a step without gradients was accepted")


RUN_WITHOUT_COMPILER = """
import sys, tempfile, pathlib
from lstm_desktop.core.run import forecast_again, run
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
finished = run(RunConfig(data=DataRequest(source="sample", tickers=("MSFT",), start="2011-01-01"),
                         dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                         train=TrainSpec(epochs=2, threads=1), forecast_days=3))
project = Project()
project.add(finished)
with tempfile.TemporaryDirectory() as folder:
    path = save_project(project, pathlib.Path(folder) / "run.lstmproj")
    stored = load_project(path).current
    assert len(forecast_again(stored.report, stored.data.frames, stored.tensors(), 5).forecast) == 5
loaded = [name for name in ("torch._dynamo", "torch._inductor", "sympy") if name in sys.modules]
print("loaded:", loaded)
"""


def test_a_whole_run_never_imports_torch_compiler_stack() -> None:
    """torch.optim's first use imports torch._dynamo: seconds of holding the interpreter, a frozen window."""
    done = subprocess.run([sys.executable, "-c", RUN_WITHOUT_COMPILER], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded: []"
