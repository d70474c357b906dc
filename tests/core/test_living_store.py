"""The forecast log and the refreshed prices in the project file: schema 5 files migrate (every run's stored forecast
becomes a frozen forecast whose origin is its last data date), a run's forecast is frozen when it is made and kept
when the run is deleted or its forecast redrawn, and a damaged entry is kept as it was."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from lstm_desktop.core.codec import to_json
from lstm_desktop.core.living.frozen import DamagedFrozen, FrozenForecast, freeze
from lstm_desktop.core.state import AppState
from lstm_desktop.core.store import project_file
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parents[1] / "data"
V5 = DATA / "project_v5.lstmproj"


def test_a_schema_5_project_migrates_its_forecasts_into_the_log(tmp_path: Path) -> None:
    meta, _ = project_file.unpack_entries(V5)
    assert meta["schema_version"] == 5 and "frozen" not in meta and SCHEMA_VERSION == 6
    project = load_project(V5)
    runs = project.good_runs
    assert [f.run for f in project.frozen] == [r.id for r in runs] and len(runs) == 2
    for frozen, run in zip(project.frozen, runs, strict=True):
        stored = run.report
        assert frozen.origin == stored.data.end == "2012-06-29" and frozen.ticker == "AAPL"
        assert frozen.origin_price == run.data.frames[0].frame.loc["2012-06-29", "Adj Close"]
        assert np.array_equal(frozen.forecast.value, stored.forecast.value) and frozen.made == run.created
        assert frozen.reference is not None and frozen.run_name == run.name
    assert project.frozen[0].reference.source == "test"  # run 1 has no backtest; run 2's has fewer origins than test
    saved = save_project(project, tmp_path / "v6.lstmproj")
    again = load_project(saved)
    assert json.dumps(to_json(again.frozen)) == json.dumps(to_json(project.frozen))
    reports = {r["id"]: r["report"] for r in meta["runs"]}
    migrated, _ = project_file.unpack_entries(saved)
    for entry in migrated["runs"]:
        old = reports[entry["id"]]
        assert entry["report"] == old  # each run exactly as it was


@pytest.mark.parametrize("name", ["project_v1.lstmproj", "project_v5.lstmproj"])
def test_an_old_project_gets_the_same_forecast_log_as_it_always_did(name: str) -> None:
    """migrated_frozen.json holds the log each fixture got from the dict-to-dict migration (prices read from the CSV
    text per run): opening it now must give that log, number for number."""
    expected = json.loads((DATA / "migrated_frozen.json").read_text())[name]
    assert to_json(load_project(DATA / name).frozen) == expected


def test_a_schema_5_project_of_two_tickers_gets_the_log_its_runs_would_have_frozen(tmp_path: Path, one_thread) -> None:
    """A run whose target is not the data set's only ticker, and a run whose target comes second: each migrated
    frozen forecast is the one that freezing the run gives when it is made (origin price of its own target)."""
    from lstm_desktop.bench.migration import write_as_schema_5
    from lstm_desktop.core.run import run
    from lstm_desktop.core.store.project import Project

    from ..tiny_runs import tiny_config

    project = Project()
    for tickers in (("MSFT", "AAPL"), ("AAPL", "MSFT")):
        config = tiny_config(tickers[0], "2011-01-01")
        project.add(run(dataclasses.replace(config, data=dataclasses.replace(config.data, tickers=tickers))))
    assert [f.ticker for f in project.frozen] == ["MSFT", "AAPL"]
    now = save_project(project, tmp_path / "now.lstmproj")
    made = project_file.unpack_entries(now)[0]["frozen"]
    write_as_schema_5(now, tmp_path / "old.lstmproj")
    assert to_json(load_project(tmp_path / "old.lstmproj").frozen) == made


def test_a_schema_5_run_whose_last_day_is_not_a_date_opens_without_a_logged_forecast(tmp_path: Path) -> None:
    """An odd run (its report's last day unreadable) is opened and shown; only its forecast is not logged, as no
    origin price can be found for it."""
    meta, entries = project_file.unpack_entries(V5)
    meta["runs"][0]["report"]["data"]["end"] = "not-a-date"
    (tmp_path / "odd.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    project = load_project(tmp_path / "odd.lstmproj")
    assert len(project.good_runs) == 2
    assert [f.run for f in project.frozen] == [project.good_runs[1].id]


def test_the_schema_1_fixture_gets_a_frozen_forecast_with_the_nominal_reference() -> None:
    project = load_project(DATA / "project_v1.lstmproj")
    (frozen,) = project.frozen
    assert frozen.origin == project.current.report.data.end and frozen.reference.source == "nominal"


def test_a_forecast_is_frozen_when_made_and_kept_after_its_run_goes(tmp_path: Path) -> None:
    project = load_project(V5)
    first = project.good_runs[0]
    before = json.dumps(to_json(project.frozen))
    project.add(_finished(first))  # a run added again (another id): one more frozen forecast, the old ones as they were
    assert len(project.frozen) == 3 and json.dumps(to_json(project.frozen[:2])) == before
    project.delete(first.id)
    assert first.id not in [r.id for r in project.runs] and project.frozen[0].run == first.id
    again = load_project(save_project(project, tmp_path / "kept.lstmproj"))
    assert [f.run for f in again.frozen] == [f.run for f in project.frozen]


def test_the_window_state_freezes_runs_it_is_given() -> None:
    state = AppState()
    source = load_project(V5)
    snapshot = state.snapshot()[0]
    stored = snapshot.add(_finished(source.good_runs[0]))  # as a worker thread does, on a copy
    state.add_run(stored)
    assert [f.run for f in state.project.frozen] == [stored.id]
    state.add_run(stored)  # told twice: frozen once
    assert len(state.project.frozen) == 1


def test_a_run_from_a_worker_joins_the_log_as_it_was_frozen_there_once() -> None:
    state = AppState()
    source = load_project(V5)
    snapshot = state.snapshot()[0]
    made = snapshot.add_new(_finished(source.good_runs[0]))  # as a worker thread does: frozen in its copy
    state.add_run(made)
    state.add_run(made)  # told twice: logged once
    (logged,) = state.project.frozen
    assert logged is made.frozen and json.dumps(to_json(logged)) == json.dumps(to_json(freeze(made.run)))
    trial = snapshot.add_new(_finished(source.good_runs[1]), "trial 2", freeze=False)  # a search's other trial
    best = snapshot.add_new(_finished(source.good_runs[1]), "trial 3")
    state.add_runs([trial, best], best.run.id)
    assert trial.frozen is None and [f.run for f in state.project.frozen] == [made.run.id, best.run.id]
    assert state.current.id == best.run.id and len(state.project.runs) == 3


def test_the_log_knows_its_runs_after_it_is_replaced_or_grows_elsewhere() -> None:
    project = load_project(V5)  # its log was built by the reader, not by keep_frozen
    first, second = project.good_runs
    assert project.keep_frozen(first) is None and len(project.frozen) == 2  # logged already: left as it was
    project.frozen = project.frozen[:1]  # another log (as a file read gives)
    again = project.keep_frozen(second)
    assert again is not None and [f.run for f in project.frozen] == [first.id, second.id]
    copy = project.snapshot()
    copy.frozen.append(freeze(dataclasses.replace(first, id="rother")))  # grown by a plain append
    assert not copy.log_frozen(freeze(dataclasses.replace(first, id="rother"))) and len(copy.frozen) == 3
    assert len(project.frozen) == 2  # the snapshot's log is its own


def test_a_damaged_frozen_entry_is_kept_as_it_was(tmp_path: Path) -> None:
    project = load_project(V5)
    path = save_project(project, tmp_path / "good.lstmproj")
    meta, entries = project_file.unpack_entries(path)
    meta["frozen"][0]["forecast"]["value"] = meta["frozen"][0]["forecast"]["value"][:3]  # shorter than its dates
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    (tmp_path / "odd.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    odd = load_project(tmp_path / "odd.lstmproj")
    assert isinstance(odd.frozen[0], DamagedFrozen) and "different lengths" in odd.frozen[0].problem
    assert isinstance(odd.frozen[1], FrozenForecast) and len(odd.good_runs) == 2
    back, _ = project_file.unpack_entries(save_project(odd, tmp_path / "back.lstmproj"))
    assert back["frozen"][0] == meta["frozen"][0]


EDITS = {  # a hand edit of project.json: each must make the entry damaged, never stop tracking with a traceback
    "origin not a day": (lambda f: f.update(origin="2012-13-45"), "origin day"),
    "a value not a number": (lambda f: f["forecast"]["value"].__setitem__(3, float("nan")), "not a finite number"),
    "an upper edge infinite": (lambda f: f["forecast"]["upper"].__setitem__(3, float("inf")), "not a finite number"),
    "a date twice": (lambda f: f["forecast"]["dates"].__setitem__(3, f["forecast"]["dates"][2]), "each day once"),
    "a day before its origin": (lambda f: f["forecast"]["dates"].__setitem__(0, "2011-01-03"), "after its origin"),
    "no coverage": (lambda f: f["reference"].update(coverage=[]), "reference.coverage"),
    "a coverage of 700 %": (lambda f: f["reference"].update(coverage=[7.0]), "reference.coverage"),
    "a level of 5": (lambda f: f.update(level=5), "level"),
    "volumes scored": (lambda f: f.update(price_column="Volume"), "price_column"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_hand_edited_frozen_entry_is_damaged_and_tracking_goes_on(tmp_path: Path, edit: str) -> None:
    from lstm_desktop.core.living.document import track_document
    from lstm_desktop.core.living.track import track_project

    change, said = EDITS[edit]
    project = load_project(V5)
    path = save_project(project, tmp_path / "good.lstmproj")
    meta, entries = project_file.unpack_entries(path)
    change(meta["frozen"][0])
    meta = {k: v for k, v in meta.items() if k != "checksums"}
    (tmp_path / "odd.lstmproj").write_bytes(project_file.pack_entries(meta, entries))
    odd = load_project(tmp_path / "odd.lstmproj")
    assert isinstance(odd.frozen[0], DamagedFrozen) and said in odd.frozen[0].problem
    rows = track_project(odd)  # the other forecast is still scored
    assert len(rows) == 2 and sum(row.problem is not None for row in rows) == 1
    json.dumps(track_document(rows), allow_nan=False)  # what `track --json` prints


def _finished(stored):
    from lstm_desktop.core.run import FinishedRun

    return FinishedRun(stored.report, stored.tensors(), stored.data.frames)
