"""Update: a new run whose parent is the old one, the old run and its frozen forecast bit-identical; splits follow
the data (the old training and validation days kept, the new days in test; or all days re-split); a warm start by
default, a refit from the same seed on request; several runs as executor items; and every refusal says why."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from lstm_desktop.core.codec import to_json
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.living.refresh import apply_refresh, refresh_prices
from lstm_desktop.core.living.update import (
    UpdateSpec,
    keep_updates,
    plan_updates,
    runs_to_update,
    update_runs,
)
from lstm_desktop.core.store import project_file
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project

from ..living_data import CUT, cut_and_full, cut_sweep, train_small


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project trained on AAPL cut at CUT, refreshed with the whole file and saved."""
    folder = tmp_path_factory.mktemp("update")
    cut, full = cut_and_full(folder)
    path = train_small(cut, folder / "cut.lstmproj")
    project = load_project(path)
    apply_refresh(project, refresh_prices(project, str(full)))
    return save_project(project, folder / "refreshed.lstmproj")


@pytest.fixture(scope="module")
def warm(refreshed: Path) -> tuple[Project, list]:
    """The refreshed project updated by default (a warm start, the old split kept)."""
    return updated(refreshed)


def updated(path: Path, spec: UpdateSpec | None = None) -> tuple[Project, list]:
    project = load_project(path)
    plans, notes = plan_updates(project, runs_to_update(project, [], False), spec or UpdateSpec())
    assert not notes and len(plans) == 1
    return project, keep_updates(project, update_runs(plans))


def run_entries(path: Path) -> dict:
    meta, entries = project_file.unpack_entries(path)
    return {r["id"]: (json.dumps(r, sort_keys=True), entries[f"weights/{r['id']}.safetensors"]) for r in meta["runs"]}


def test_update_adds_a_run_with_a_parent_and_leaves_the_old_one_bit_identical(refreshed, warm, tmp_path) -> None:
    before = load_project(refreshed)
    old = before.current
    old_frozen = json.dumps(to_json(before.frozen))
    project, (new,) = warm
    assert new.report.parent == old.id and project.current_id == new.id and new.name == "run 1 (updated to 2013-03-01)"
    kept = project.find(old.id)
    assert kept.report_json == old.report_json and kept.weights_bytes == old.weights_bytes
    assert json.dumps(to_json(project.frozen[:1])) == old_frozen  # its frozen forecast as it was
    assert [f.run for f in project.frozen] == [old.id, new.id] and project.frozen[1].origin == "2013-03-01"
    saved = save_project(project, tmp_path / "updated.lstmproj")
    assert run_entries(saved)[old.id] == run_entries(refreshed)[old.id]  # byte for byte in the file
    assert load_project(saved).find(new.id).report.parent == old.id
    assert new.report.document()["parent"] == old.id


def test_splits_follow_the_data(refreshed: Path, warm) -> None:
    old = load_project(refreshed).current.report
    _, (new,) = warm
    assert new.report.split["train"] == old.split["train"] and new.report.split["val"] == old.split["val"]
    assert new.report.split["test"] == (old.split["test"][0], "2013-03-01")  # the new days go to test
    assert new.report.feature_scaler == old.feature_scaler  # fitted on the same training days
    assert new.report.settings.dataset.val_start == old.split["val"][0]
    _, (everything,) = updated(refreshed, UpdateSpec(all_days=True))
    assert everything.report.split["train"][1] > old.split["train"][1]  # the new days moved training on
    assert everything.report.settings.dataset.val_start is None


def test_a_warm_start_continues_and_a_refit_is_a_fresh_run_from_the_same_seed(refreshed: Path, warm) -> None:
    from lstm_desktop.core.run import run

    parent = load_project(refreshed).current
    _, (first,) = warm
    _, (again,) = updated(refreshed)
    assert first.report.settings.train.patience == 3 and first.weights_bytes == again.weights_bytes  # every time
    project = load_project(refreshed)
    (plan,), _ = plan_updates(project, [project.current], UpdateSpec(refit=True))
    _, (refit,) = updated(refreshed, UpdateSpec(refit=True))
    assert refit.report.settings.train.patience == parent.report.settings.train.patience
    fresh = run(plan.config, plan.frames)
    assert all(torch.equal(fresh.weights[k], refit.tensors()[k]) for k in fresh.weights)
    assert first.weights_bytes != refit.weights_bytes


def test_nothing_new_and_no_run_are_said(warm) -> None:
    project, (new,) = warm
    plans, notes = plan_updates(project, [new], UpdateSpec())
    assert plans == [] and "nothing new; it trained on prices up to 2013-03-01" in notes[0]
    with pytest.raises(BadInput, match="no run to update: train a model first"):
        runs_to_update(Project(), [], False)
    with pytest.raises(BadInput, match="has no run 'nope'"):
        runs_to_update(project, ["nope"], False)


def test_asking_again_adds_nothing_and_an_input_that_lags_is_named(refreshed: Path, warm, tmp_path: Path) -> None:
    """A cron job that updates the same run after a refresh with nothing new must not add the same run again; a
    refit is other settings (and says so in its name); a run whose input ticker was not refreshed names it."""
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

    project, (new,) = warm
    parent = project.find(new.report.parent)
    plans, notes = plan_updates(project, [parent], UpdateSpec())
    assert plans == [] and f"updated to 2013-03-01 with these settings already ({new.name}, {new.id})" in notes[0]
    (refit,), _ = plan_updates(project, [parent], UpdateSpec(refit=True))
    assert refit.name == "run 1 (refit to 2013-03-01)"

    request = DataRequest(source="sample", tickers=("IBM", "MSFT"), start="2011-01-01", end=CUT)
    config = RunConfig(data=request, dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                       train=TrainSpec(epochs=1, threads=1), forecast_days=5)  # fmt: skip
    two = Project()
    two.add(run(config, load_prices(request)))
    ibm_only = tmp_path / "newer.csv"
    pd.read_csv("resources/sample/stocks.csv").query("Ticker == 'IBM'").to_csv(ibm_only, index=False)
    apply_refresh(two, refresh_prices(two, str(ibm_only)))
    plans, (note,) = plan_updates(two, [two.current], UpdateSpec())
    assert plans == [] and "its input MSFT has none" in note and "Refresh MSFT too" in note


def test_several_runs_update_as_items_of_local_workers() -> None:
    from lstm_desktop.core.executors.local import LocalExecutor

    project = cut_sweep(epochs=2)
    apply_refresh(project, refresh_prices(project))  # the sample runs on to 2013-03-01
    runs = runs_to_update(project, [], every_ticker=True)
    assert [r.report.data.ticker for r in runs] == ["IBM", "MSFT"]
    plans, _ = plan_updates(project, runs, UpdateSpec())
    with LocalExecutor(2, 1) as executor:
        result = update_runs(plans, executor=executor)
    assert result.workers == 2 and not result.errors
    stored = keep_updates(project, result)
    assert [(s.report.data.ticker, s.report.parent, s.report.data.end) for s in stored] == [
        ("IBM", runs[0].id, "2013-03-01"), ("MSFT", runs[1].id, "2013-03-01")
    ]  # fmt: skip
    (one,) = keep_updates(Project(), update_runs([dataclasses.replace(plans[0])], executor=LocalExecutor(1, 1)))
    assert one.weights_bytes == stored[0].weights_bytes  # one worker or two: the same run
