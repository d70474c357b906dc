"""Project files: round trip, reopening offline, many runs, refusing bad or unsafe files, atomic saves, migration."""

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

from lstm_desktop.core.errors import BadInput, ProjectFileError
from lstm_desktop.core.run import forecast_again, restore, run
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.store import atomic, project_file
from lstm_desktop.core.store.documents import project_document
from lstm_desktop.core.store.project import DamagedRun, DataSet, Project
from lstm_desktop.core.store.project_file import SaveFailed
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("MSFT", "IBM"), start="2010-06-01"),
    dataset=DatasetSpec(window=15),
    model=ModelSpec(layers=1, hidden=8),
    train=TrainSpec(epochs=2, threads=1, device="cpu"),  # stored and recomputed results compared tightly
    forecast_days=7,
)


@pytest.fixture(scope="module")
def trained() -> Project:
    project = Project(notes="first try")
    project.add(run(CONFIG))
    return project


@pytest.fixture
def saved(trained: Project, tmp_path: Path) -> Path:
    return save_project(trained, tmp_path / "work.lstmproj")


def parts(path: Path) -> tuple[dict, dict[str, bytes]]:
    return project_file.unpack_entries(path)


def repack(path: Path, meta: dict, entries: dict[str, bytes]) -> Path:
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    path.write_bytes(project_file.pack_entries(meta, entries))
    return path


def weights_name(meta: dict) -> str:
    return f"weights/{meta['runs'][0]['id']}.safetensors"


def prices_name(meta: dict) -> str:
    return f"prices/{meta['runs'][0]['data']}.csv"


def test_round_trip_is_exact(trained: Project, saved: Path) -> None:
    meta, entries = parts(saved)
    assert sorted(entries) == sorted([prices_name(meta), weights_name(meta)])
    back = load_project(saved)
    mine, theirs = trained.current, back.current
    assert back.settings == trained.settings and back.notes == "first try"
    assert theirs.report.settings == CONFIG and theirs.id == mine.id and theirs.name == "run 1"
    assert json.loads(theirs.entry()) == json.loads(mine.entry())
    assert theirs.weights_bytes == mine.weights_bytes  # bit-exact
    for a, b in zip(mine.data.frames, theirs.data.frames, strict=True):
        assert a.ticker == b.ticker and a.frame.equals(b.frame)
    assert meta["libraries"]["torch"] and meta["app"]["version"] and meta["schema_version"] == SCHEMA_VERSION


def test_reopening_recomputes_the_stored_results_offline(saved: Path) -> None:
    from lstm_desktop.core.assess.evaluation import evaluate

    stored = load_project(saved).current
    dataset, model = restore(stored.report, stored.data.frames, stored.tensors())
    metrics, predictions = evaluate(dataset, model)
    for split in ("train", "val", "test"):
        np.testing.assert_allclose(predictions[split].predicted, stored.report.predictions[split].predicted, rtol=1e-5)
        assert metrics[split].model.rmse == pytest.approx(stored.report.metrics[split].model.rmse, rel=1e-5)
    again = forecast_again(stored.report, stored.data.frames, stored.tensors(), 7).forecast
    np.testing.assert_allclose(again.value, stored.report.forecast.value, rtol=1e-5)
    assert list(again.dates) == list(stored.report.forecast.dates)


def test_a_project_without_a_model_is_valid(tmp_path: Path) -> None:
    from lstm_desktop.core.data.sources import load_prices

    project = Project(settings=CONFIG, loaded=DataSet.of(load_prices(CONFIG.data)))
    path = save_project(project, tmp_path / "untrained")
    assert path.name == "untrained.lstmproj"
    back = load_project(path)
    assert not back.trained and back.settings == CONFIG and back.loaded.frames[0].ticker == "MSFT"
    assert project_document(back)["data"]["ticker"] == "MSFT"


def test_many_runs_each_with_their_own_weights_and_shared_prices(trained: Project, tmp_path: Path) -> None:
    import dataclasses

    project = trained.snapshot()
    other = dataclasses.replace(CONFIG, model=ModelSpec(layers=1, hidden=6))
    third = dataclasses.replace(CONFIG, data=dataclasses.replace(CONFIG.data, tickers=("IBM",)))
    project.add(run(other), "hidden 6")
    project.add(run(third), "IBM alone")
    path = save_project(project, tmp_path / "three.lstmproj")
    meta, entries = parts(path)
    assert len(meta["runs"]) == 3 and len([e for e in entries if e.startswith("weights/")]) == 3
    assert len([e for e in entries if e.startswith("prices/")]) == 2  # the first two runs share their prices
    back = load_project(path)
    assert [r.name for r in back.runs] == ["run 1", "hidden 6", "IBM alone"] and back.current.name == "IBM alone"
    assert back.runs[1].report.settings.model.hidden == 6
    back.delete(back.runs[1].id)
    again = parts(save_project(back, tmp_path / "two.lstmproj"))[1]
    assert len([e for e in again if e.startswith("weights/")]) == 2  # its weights left the file with it
    assert f"weights/{project.runs[1].id}.safetensors" not in again


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
    meta, entries = parts(saved)
    broken = tmp_path / "json.lstmproj"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("project.json", "{not json")
    with pytest.raises(ProjectFileError, match="project.json is not valid JSON"):
        load_project(broken)
    without_prices = {k: v for k, v in entries.items() if not k.startswith("prices/")}
    with pytest.raises(ProjectFileError, match=r"prices/.*\.csv is missing"):
        load_project(repack(tmp_path / "noprices.lstmproj", meta, without_prices))
    with pytest.raises(ProjectFileError, match="Project file not found"):
        load_project(tmp_path / "absent.lstmproj")


def test_checksum_mismatch_is_refused(saved: Path, tmp_path: Path) -> None:
    meta, entries = parts(saved)
    path = tmp_path / "tampered.lstmproj"
    name = prices_name(meta)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.json", json.dumps(meta))
        for entry, content in entries.items():
            archive.writestr(entry, content.replace(b"2010-06-01", b"2010-06-02", 1) if entry == name else content)
    with pytest.raises(ProjectFileError, match="does not match its checksum"):
        load_project(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["settings"]["model"].update(layers="two"), r"settings.model.layers should be a whole number"),
        (lambda m: m["settings"]["train"].update(lr=True), r"settings.train.lr should be a number"),
        (lambda m: m["settings"]["dataset"].update(bogus=1), "unknown field 'bogus'"),
        (lambda m: m["settings"]["dataset"].update(window=-3), "settings that cannot be used.*Window"),
        (lambda m: m["settings"]["train"].update(seed=2**40), "settings that cannot be used.*Seed"),
        (lambda m: m["data"][m["runs"][0]["data"]]["tickers"][0].update(ticker="ZZZ"), "no rows for ZZZ"),
        (lambda m: m.update(notes="x" * 1_000_001), "notes are 1,000,001 characters long"),
        (lambda m: m["settings"].pop("model"), r"settings.model is missing"),
    ],
)
def test_wrong_project_fields_name_the_field(saved: Path, tmp_path: Path, edit, message: str) -> None:
    meta, entries = parts(saved)
    edit(meta)
    with pytest.raises(ProjectFileError, match=message):
        load_project(repack(tmp_path / "edited.lstmproj", meta, entries))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["history"].__setitem__(0, "lots"), r"report.history\[0\] should be an object"),
        (lambda r: r["metrics"]["test"].update(skill="high"), r"report.metrics.test.skill should be a number"),
        (lambda r: r["metrics"]["test"].pop("model"), r"report.metrics.test.model is missing"),
        (lambda r: r["forecast"]["value"].__setitem__(0, "x"), r"report.forecast.value should be a list of numbers"),
        (lambda r: r["predictions"]["test"]["dates"].__setitem__(0, "2013-02-30"), r"predictions.test.dates"),
        (lambda r: r["settings"]["model"].update(hidden=9), "weights do not fit the model"),
        (lambda r: r["settings"]["model"].update(hidden=2048, layers=8), "weights do not fit the model"),
        (lambda r: r["settings"].pop("train"), r"report.settings.train is missing"),
        (lambda r: r["split"].update(test=["2013-01-02"]), r"split.test should be its first and last day"),
        (lambda r: r.update(stopped="bogus"), r"report.stopped should be one of"),
    ],
)
def test_a_damaged_run_is_named_and_the_others_stay_readable(trained: Project, tmp_path: Path, edit, message) -> None:
    import dataclasses

    project = trained.snapshot()
    project.add(run(dataclasses.replace(CONFIG, model=ModelSpec(layers=1, hidden=6))), "good one")
    meta, entries = parts(save_project(project, tmp_path / "two.lstmproj"))
    edit(meta["runs"][0]["report"])
    back = load_project(repack(tmp_path / "damaged.lstmproj", meta, entries))
    damaged, good = back.runs
    assert isinstance(damaged, DamagedRun) and damaged.name == "run 1"
    assert __import__("re").search(message, damaged.problem), damaged.problem
    assert back.current is good and good.report.settings.model.hidden == 6
    with pytest.raises(BadInput, match="cannot be read"):
        project_document(back, damaged.id)
    resaved = parts(save_project(back, tmp_path / "resaved.lstmproj"))
    assert resaved[0]["runs"][0] == meta["runs"][0]  # kept as found: saving loses nothing
    assert resaved[1][f"weights/{damaged.id}.safetensors"] == entries[f"weights/{damaged.id}.safetensors"]


def test_a_run_without_its_weights_is_named(trained: Project, tmp_path: Path) -> None:
    meta, entries = parts(save_project(trained, tmp_path / "w.lstmproj"))
    without = {k: v for k, v in entries.items() if not k.startswith("weights/")}
    meta["checksums"] = {}
    back = load_project(repack(tmp_path / "noweights.lstmproj", meta, without))
    assert isinstance(back.runs[0], DamagedRun) and "has no weights" in back.runs[0].problem


def test_unknown_entries_and_path_names_are_ignored(saved: Path, tmp_path: Path) -> None:
    meta, entries = parts(saved)
    path = repack(tmp_path / "extra.lstmproj", meta, entries)
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
    import torch

    marker = tmp_path / "pwned"
    meta, entries = parts(saved)
    buffer = io.BytesIO()
    torch.save({"x": _Payload(marker)}, buffer)
    for index, evil in enumerate((pickle.dumps({"lstm.weight_ih_l0": _Payload(marker)}), buffer.getvalue())):
        back = load_project(repack(tmp_path / f"evil{index}.lstmproj", meta, {**entries, weights_name(meta): evil}))
        assert isinstance(back.runs[0], DamagedRun) and "safetensors" in back.runs[0].problem
        assert not back.trained
    assert not marker.exists()


def test_newer_schema_is_refused(saved: Path, tmp_path: Path) -> None:
    meta, entries = parts(saved)
    meta["schema_version"] = 99
    with pytest.raises(ProjectFileError, match="made by a newer version of lstm-desktop"):
        load_project(repack(tmp_path / "future.lstmproj", meta, entries))


def test_migration_from_the_schema_1_fixture() -> None:
    project = load_project(DATA / "project_v1.lstmproj")
    run1 = project.current
    assert project.notes == "" and len(project.runs) == 1 and run1.name == "run 1"
    assert run1.report.settings.data.tickers == ("MSFT",) and run1.report.settings.model.hidden == 4
    assert [row.train_loss > 0 for row in run1.report.history] == [True, True]
    assert run1.report.settings.train.precision == "float32" and run1.report.threads == 0  # not recorded then
    assert run1.report.metrics["test"].persistence.directional_accuracy is None
    again = forecast_again(run1.report, run1.data.frames, run1.tensors(), 5).forecast
    np.testing.assert_allclose(again.value, run1.report.forecast.value[:5], rtol=1e-5)
    np.testing.assert_allclose(again.lower, run1.report.forecast.lower[:5], rtol=1e-5)  # the old band, derived
    assert project_document(project)["project"]["schema_version"] == SCHEMA_VERSION
    band = run1.report.band  # kept as it was, labelled as the earlier method: no fan, no blend, no baseline
    assert band.calibrated_on == "val" and band.fan == () and band.blend == () and band.baseline is None
    assert again.fan == () and np.array_equal(band.weights(5), np.ones(5))  # the raw path, as it was drawn
    assert run1.report.settings.forecast_path == "raw"  # and the window's setting says so
    assert json.loads(run1.report_json)["settings"]["forecast_path"] == "raw"  # saved as migrated, not as read


def test_a_runs_report_is_saved_again_as_the_file_had_it(trained: Project, saved: Path, tmp_path: Path) -> None:
    """Opening keeps each report's text as it stood in the file (encoding it again doubled the time to open), so a
    hand-formatted report is saved back unchanged, and opens to the same report."""
    meta, entries = parts(saved)
    run_entry = meta["runs"][0]
    pretty = json.dumps(run_entry["report"], indent=1)
    head = json.dumps({k: v for k, v in run_entry.items() if k != "report"})
    runs_text = "[" + head[:-1] + ', "report": ' + pretty + "}]"
    rest = {k: v for k, v in meta.items() if k not in ("checksums", "runs")}
    path = tmp_path / "pretty.lstmproj"
    path.write_bytes(project_file.pack_encoded(rest, "runs", runs_text, entries))
    opened = load_project(path)
    assert opened.current.report_json == pretty  # kept as the file had it, not encoded again
    assert json.loads(opened.current.entry()) == json.loads(trained.current.entry())  # the same run
    again = load_project(save_project(opened, tmp_path / "again.lstmproj"))
    assert again.current.report_json == pretty and json.loads(again.current.entry())["report"] == run_entry["report"]


def test_an_old_run_reopens_with_its_stored_band_unchanged(trained: Project, tmp_path: Path) -> None:
    """A run saved before sequential bands (its band and coverage without the new fields) reopens with exactly
    that band, and its document still says which method made it."""
    import dataclasses

    from lstm_desktop.core.codec import to_json
    from lstm_desktop.core.documents import run_document
    from lstm_desktop.core.report import Band, RunReport

    report = trained.current.report
    old = Band(level=0.9, method="split conformal (the earlier method)", calibrated_on="val",
               lower=(-0.02, -0.03), upper=(0.021, 0.031))  # fmt: skip
    stored = to_json(dataclasses.replace(report, band=old))
    for key in ("levels", "fan", "blend", "baseline", "verdict"):
        del stored["band"][key]  # what a file written before them holds
    again = RunReport.from_json(stored)
    assert again.band == old
    assert run_document(again)["band"]["calibrated_on"] == "val"


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
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.store.project_file import SaveFailed
project = load_project({str(saved)!r})
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
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


def test_a_setting_given_a_list_instead_of_a_tuple_is_refused_in_words() -> None:
    """Settings are hashed (the runs table, a search's distinct trials): a list from a script is refused when the
    run starts, saying what to write, instead of failing later in the runs table."""
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.specs import DataRequest, RunConfig

    with pytest.raises(BadInput, match=r"Tickers must be a tuple, not a list: write \('AAPL',\)"):
        RunConfig(data=DataRequest(tickers=["AAPL"])).validate()
    RunConfig(data=DataRequest(tickers=("AAPL",))).validate()
