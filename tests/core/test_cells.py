"""The recurrent cell setting: each cell trains, saves, reopens and forecasts; stored weights are checked against
the cell's shapes before anything is loaded; projects from before the setting open as LSTM runs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_desktop.core.errors import BadInput, ProjectFileError
from lstm_desktop.core.learn.model import Forecaster, expected_shapes, parameter_count
from lstm_desktop.core.run import forecast_again, restore, run
from lstm_desktop.core.specs import CELLS, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.store import project_file
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=2, hidden=6),
    train=TrainSpec(epochs=1, threads=1, device="cpu"),
    forecast_days=5,
)


def with_cell(cell: str) -> RunConfig:
    return dataclasses.replace(CONFIG, model=dataclasses.replace(CONFIG.model, cell=cell))


@pytest.mark.parametrize("cell", CELLS)
def test_each_cell_has_the_shapes_it_declares(cell: str) -> None:
    spec = ModelSpec(cell=cell, layers=2, hidden=5)
    model = Forecaster(3, 2, spec)
    found = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert found == expected_shapes(3, 2, spec)
    assert all(name.startswith((f"{cell}.", "head.")) for name in found)
    assert parameter_count(3, 2, spec) == sum(p.numel() for p in model.parameters())
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    assert found[f"{cell}.weight_ih_l0"] == (gates * 5, 3)


def test_an_unknown_cell_is_refused_in_words() -> None:
    with pytest.raises(BadInput, match="Cell must be lstm, gru or rnn, not 'transformer'"):
        ModelSpec(cell="transformer").validate()


@pytest.mark.parametrize("cell", CELLS)
def test_each_cell_trains_saves_reopens_and_forecasts(cell: str, tmp_path: Path) -> None:
    finished = run(with_cell(cell))
    assert all(k.startswith((f"{cell}.", "head.")) for k in finished.weights)
    project = Project()
    project.add(finished)
    back = load_project(save_project(project, tmp_path / f"{cell}.lstmproj")).current
    assert back.report.settings.model.cell == cell
    _, model = restore(back.report, back.data.frames, back.tensors())
    assert isinstance(model.recurrent, {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell])
    again = forecast_again(back.report, back.data.frames, back.tensors(), 5).forecast
    np.testing.assert_allclose(again.value, finished.report.forecast.value, rtol=1e-5)
    assert np.isfinite(again.lower).all() and np.isfinite(again.upper).all()


def test_the_same_seed_gives_the_same_run_for_every_cell() -> None:
    for cell in ("gru", "rnn"):
        first, second = run(with_cell(cell)), run(with_cell(cell))
        losses = [[(e.train_loss, e.val_loss) for e in r.report.history] for r in (first, second)]
        assert losses[0] == losses[1]
        assert all(torch.equal(first.weights[k], second.weights[k]) for k in first.weights)


def test_weights_of_another_cell_are_refused_before_loading(tmp_path: Path) -> None:
    project = Project()
    project.add(run(with_cell("gru")))
    path = save_project(project, tmp_path / "gru.lstmproj")
    meta, entries = project_file.unpack_entries(path)
    meta["runs"][0]["report"]["settings"]["model"]["cell"] = "lstm"  # says LSTM, holds GRU weights
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    (tmp_path / "liar.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    back = load_project(tmp_path / "liar.lstmproj")
    assert back.current is None or not hasattr(back.current, "report")
    assert "do not fit the model its settings describe" in back.runs[0].problem


def test_a_schema_4_project_opens_as_lstm(tmp_path: Path) -> None:
    project = Project()
    project.add(run(CONFIG))
    meta, entries = project_file.unpack_entries(save_project(project, tmp_path / "now.lstmproj"))
    assert meta["schema_version"] == SCHEMA_VERSION
    del meta["settings"]["model"]["cell"]
    del meta["runs"][0]["report"]["settings"]["model"]["cell"]
    del meta["settings"]["forecast_path"], meta["runs"][0]["report"]["settings"]["forecast_path"]  # schema 5's too
    meta = {k: v for k, v in meta.items() if k != "checksums"} | {"schema_version": 4}
    (tmp_path / "old.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    back = load_project(tmp_path / "old.lstmproj")
    assert back.settings.model.cell == "lstm" and back.current.report.settings.model.cell == "lstm"
    assert back.current.tensors().keys() == project.current.tensors().keys()
    saved_report = json.loads(back.current.report_json)  # the text saved again: the migrated report, not the file's
    assert saved_report["settings"]["model"]["cell"] == "lstm" and saved_report["settings"]["forecast_path"] == "raw"


def test_the_schema_1_fixture_opens_as_an_lstm_and_forecasts() -> None:
    project = load_project(DATA / "project_v1.lstmproj")
    stored = project.current
    assert stored.report.settings.model.cell == "lstm" and project.settings.model.cell == "lstm"
    again = forecast_again(stored.report, stored.data.frames, stored.tensors(), 3).forecast
    np.testing.assert_allclose(again.value, stored.report.forecast.value[:3], rtol=1e-5)


def test_a_cell_error_names_the_file_problem(tmp_path: Path) -> None:
    project = Project()
    project.add(run(CONFIG))
    meta, entries = project_file.unpack_entries(save_project(project, tmp_path / "a.lstmproj"))
    meta["runs"][0]["report"]["settings"]["model"]["cell"] = "lstn"
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    (tmp_path / "b.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    try:
        problem = load_project(tmp_path / "b.lstmproj").runs[0].problem
    except ProjectFileError as exc:
        problem = str(exc)
    assert "Cell must be lstm, gru or rnn, not 'lstn'" in problem
