"""Project files: round trip, reopening offline, refusing bad or unsafe files, atomic saves, migration."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lstm_desktop.core.data.sources import DataRequest, load_prices
from lstm_desktop.core.errors import ProjectFileError
from lstm_desktop.core.learn.dataset import DatasetSpec
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec
from lstm_desktop.core.pipeline import RunConfig, run
from lstm_desktop.core.store import atomic, project_file
from lstm_desktop.core.store.project import Project, load_project, save_project
from lstm_desktop.core.store.project_file import SaveFailed
from lstm_desktop.core.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = RunConfig(
    DataRequest("sample", ("MSFT", "IBM"), start="2010-06-01"),
    DatasetSpec(window=15),
    ModelSpec(layers=1, hidden=8),
    TrainSpec(epochs=2, threads=1, device="cpu"),  # stored and recomputed results compared tightly
    forecast_days=7,
)


@pytest.fixture(scope="module")
def trained() -> Project:
    return Project.from_run(run(CONFIG), notes="first try")


@pytest.fixture
def saved(trained: Project, tmp_path: Path) -> Path:
    return save_project(trained, tmp_path / "work.lstmproj")


def parts(path: Path) -> tuple[dict, bytes, bytes]:
    with zipfile.ZipFile(path) as archive:
        return (json.loads(archive.read("project.json")), archive.read("prices.csv"), archive.read("model.safetensors"))


def repack(path: Path, meta: dict, prices: bytes, weights: bytes | None) -> Path:
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    path.write_bytes(project_file.pack(meta, prices, weights))
    return path


def test_round_trip_is_exact(trained: Project, saved: Path) -> None:
    assert zipfile.ZipFile(saved).namelist() == ["project.json", "prices.csv", "model.safetensors"]
    back = load_project(saved)
    assert back.config == trained.config and back.notes == "first try"
    assert back.results == json.loads(json.dumps(trained.results))
    assert back.weights.keys() == trained.weights.keys()
    for key, value in trained.weights.items():
        assert np.array_equal(back.weights[key].numpy(), value.numpy())  # bit-exact
    for mine, theirs in zip(trained.frames, back.frames, strict=True):
        assert mine.ticker == theirs.ticker
        assert mine.frame.equals(theirs.frame)
    meta = parts(saved)[0]
    assert meta["libraries"]["torch"] and meta["app"]["version"] and meta["data"]["tickers"][1]["ticker"] == "IBM"


def test_reopening_recomputes_the_stored_results_offline(saved: Path) -> None:
    back = load_project(saved)
    metrics, predictions, forecast = back.recompute()
    stored = back.results
    for split in ("train", "val", "test"):
        got = [p["predicted"] for p in predictions[split]]
        want = [p["predicted"] for p in stored["predictions"][split]]
        np.testing.assert_allclose(got, want, rtol=1e-5)
        assert metrics[split]["model"]["rmse"] == pytest.approx(stored["metrics"][split]["model"]["rmse"], rel=1e-5)
    np.testing.assert_allclose([d["value"] for d in forecast], [d["value"] for d in stored["forecast"]], rtol=1e-5)
    assert [d["date"] for d in forecast] == [d["date"] for d in stored["forecast"]]


def test_a_project_without_a_model_is_valid(tmp_path: Path) -> None:
    frames = load_prices(CONFIG.data)
    path = save_project(Project(CONFIG, frames), tmp_path / "untrained")
    assert path.name == "untrained.lstmproj"
    back = load_project(path)
    assert not back.trained and back.config == CONFIG
    assert back.document()["data"]["ticker"] == "MSFT"
    with pytest.raises(ProjectFileError, match="no trained model yet"):
        back.forecast(3)


def test_damaged_files_are_refused_with_a_clear_message(saved: Path, tmp_path: Path) -> None:
    data = saved.read_bytes()
    cases = {
        "truncated": (data[: len(data) // 2], "damaged|not an lstm-desktop project"),
        "random": (os.urandom(5000), "not an lstm-desktop project"),
        "empty": (b"", "not an lstm-desktop project"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.lstmproj"
        path.write_bytes(content)
        with pytest.raises(ProjectFileError, match=message):
            load_project(path)
    meta, prices, weights = parts(saved)
    broken = tmp_path / "json.lstmproj"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("project.json", "{not json")
        archive.writestr("prices.csv", prices)
    with pytest.raises(ProjectFileError, match="project.json is not valid JSON"):
        load_project(broken)
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("project.json", json.dumps(meta))
        archive.writestr("model.safetensors", weights)
    with pytest.raises(ProjectFileError, match="prices.csv is missing"):
        load_project(broken)
    with pytest.raises(ProjectFileError, match="has results but no model.safetensors"):
        load_project(repack(tmp_path / "noweights.lstmproj", meta, prices, None))
    with pytest.raises(ProjectFileError, match="Project file not found"):
        load_project(tmp_path / "absent.lstmproj")


def test_checksum_mismatch_is_refused(saved: Path, tmp_path: Path) -> None:
    meta, prices, weights = parts(saved)
    path = tmp_path / "tampered.lstmproj"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.json", json.dumps(meta))
        archive.writestr("prices.csv", prices.replace(b"2010-06-01", b"2010-06-02", 1))
        archive.writestr("model.safetensors", weights)
    with pytest.raises(ProjectFileError, match="prices.csv does not match its checksum"):
        load_project(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["settings"]["model"].update(layers="two"), r"settings.model.layers should be a whole number"),
        (lambda m: m["settings"]["train"].update(lr=True), r"settings.train.lr should be a number"),
        (lambda m: m["settings"]["dataset"].update(bogus=1), "unknown setting 'bogus'"),
        (lambda m: m["settings"].pop("model"), r"settings.model is missing"),
        (lambda m: m["results"].update(history="lots"), r"results.history should be a list"),
        (lambda m: m["results"]["forecast"][0].update(value="x"), r"results.forecast\[0\].value"),
        (lambda m: m["settings"]["dataset"].update(window=-3), "settings that cannot be used: Window"),
        (lambda m: m["settings"]["model"].update(hidden=9), "weights do not fit the model"),
        (lambda m: m["data"]["tickers"][0].update(ticker="ZZZ"), "prices.csv has no rows for ZZZ"),
    ],
)
def test_wrong_types_and_values_name_the_field(saved: Path, tmp_path: Path, edit, message: str) -> None:
    meta, prices, weights = parts(saved)
    edit(meta)
    with pytest.raises(ProjectFileError, match=message):
        load_project(repack(tmp_path / "edited.lstmproj", meta, prices, weights))


def test_oversized_entries_are_refused_without_reading_them_whole(saved: Path, tmp_path: Path) -> None:
    prices = parts(saved)[1]
    bomb = tmp_path / "bomb.lstmproj"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", b" " * (project_file.LIMITS["project.json"] + 10))
        archive.writestr("prices.csv", prices)
    assert bomb.stat().st_size < 1_000_000  # a small file that would inflate past the limit
    with pytest.raises(ProjectFileError, match="project.json is larger than 64 MB"):
        load_project(bomb)


def test_unknown_entries_and_path_names_are_ignored(saved: Path, tmp_path: Path) -> None:
    meta, prices, weights = parts(saved)
    path = tmp_path / "extra.lstmproj"
    repack(path, meta, prices, weights)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../escape.txt", "x")
        archive.writestr("readme.txt", "hello")
    assert load_project(path).trained
    assert not (tmp_path.parent / "escape.txt").exists()


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_in_the_weights_is_refused_and_never_runs(saved: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    meta, prices, _ = parts(saved)
    evil = pickle.dumps({"lstm.weight_ih_l0": _Payload(marker)})
    with pytest.raises(ProjectFileError, match="not a valid safetensors file"):
        load_project(repack(tmp_path / "evil.lstmproj", meta, prices, evil))
    assert not marker.exists()
    # the same with torch's own zip-of-pickles format
    import torch

    buffer = io.BytesIO()
    torch.save({"x": _Payload(marker)}, buffer)
    with pytest.raises(ProjectFileError, match="not a valid safetensors file"):
        load_project(repack(tmp_path / "evil2.lstmproj", meta, prices, buffer.getvalue()))
    assert not marker.exists()


def test_newer_schema_is_refused(saved: Path, tmp_path: Path) -> None:
    meta, prices, weights = parts(saved)
    meta["schema_version"] = 99
    with pytest.raises(ProjectFileError, match="made by a newer version of lstm-desktop"):
        load_project(repack(tmp_path / "future.lstmproj", meta, prices, weights))


def test_migration_from_the_schema_1_fixture() -> None:
    project = load_project(DATA / "project_v1.lstmproj")
    assert project.notes == ""
    assert project.config.data.tickers == ("MSFT",) and project.config.model.hidden == 4
    assert [set(row) >= {"train_loss", "val_loss"} for row in project.results["history"]] == [True, True]
    forecast = project.forecast(5)
    np.testing.assert_allclose(
        [d["value"] for d in forecast], [d["value"] for d in project.results["forecast"]], rtol=1e-5
    )
    assert project.document()["project"]["schema_version"] == SCHEMA_VERSION
    assert project.config.train.precision == "float32"


def test_schema_2_files_open_as_float32_runs(saved: Path, tmp_path: Path) -> None:
    meta, prices, weights = parts(saved)
    del meta["settings"]["train"]["precision"]
    meta["schema_version"] = 2
    project = load_project(repack(tmp_path / "schema2.lstmproj", meta, prices, weights))
    assert project.config.train.precision == "float32"
    assert project.document()["project"]["schema_version"] == SCHEMA_VERSION


def test_failed_saves_leave_the_previous_file_intact(trained: Project, saved: Path, monkeypatch) -> None:
    before = saved.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(SaveFailed, match="the disk is full. The previous file, if any, is unchanged"):
        save_project(trained, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no temporary file left behind
    with pytest.raises(SaveFailed, match="does not exist"):
        save_project(trained, saved.parent / "missing" / "x.lstmproj")
    (saved.parent / "folder.lstmproj").mkdir()
    with pytest.raises(SaveFailed, match="Could not save"):
        save_project(trained, saved.parent / "folder.lstmproj")  # a folder stands where the file should go


def test_a_disk_that_fills_mid_write_leaves_the_old_file(saved: Path) -> None:
    """A real failure from the kernel: the file-size limit stops the write half-way (EFBIG)."""
    before = saved.read_bytes()
    script = f"""
import resource, signal, sys
from lstm_desktop.core.store.project import load_project, save_project
from lstm_desktop.core.store.project_file import SaveFailed
project = load_project({str(saved)!r})
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
try:
    save_project(project, {str(saved)!r})
except SaveFailed as exc:
    print("refused:", exc)
    sys.exit(0)
sys.exit(1)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "refused: Could not save" in done.stdout
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]
