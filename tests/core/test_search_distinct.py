"""A search never trains the same settings twice: within a batch, across batches and across trial states, for many
kinds of space; a space whose every setting was tried stops the search, which says so; the same seed still gives
the same trials. (The reproduction: `--space window=10:30` with seed 42 proposed window 30 for trials 0 and 1.)"""

from __future__ import annotations

import dataclasses
import zlib

import pytest

from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.search.distinct import ask_batch, space_size, untried
from lstm_desktop.core.search.runner import distributions, sampler_seed, search
from lstm_desktop.core.search.space import parse_space
from lstm_desktop.core.search.spec import SearchSpec
from lstm_desktop.core.search.text import search_text
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=2),
    train=TrainSpec(epochs=1, patience=0, threads=1),
    forecast_days=3,
)
SPACES = [
    "window=10:30",
    "window=10:30:5",
    "layers=1:2,hidden=2:4",
    "target_mode=price|log_return,layers=1:3",
    "inputs=Close|Close+Volume|target",
    "hidden=2:64:log",
    "lr=1e-4:1e-1:log,hidden=2:8",
    "dropout=0:0.5,batch_size=16:64",
]


def study_of(tmp_path, name: str):
    import optuna

    from lstm_desktop.core.search.journal import new_study, open_storage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return new_study(open_storage(tmp_path / f"{name}.jsonl"), None, {})


def propose(tmp_path, text: str, seed: int, budget: int, batch: int) -> list[dict]:
    """The settings the runner's own steps propose, batch after batch, each told a score made from its settings."""
    from optuna.trial import TrialState

    asked = distributions(parse_space(text))
    study = study_of(tmp_path, f"{zlib.crc32(text.encode())}-{seed}-{budget}-{batch}")
    while len(study.trials) < budget and untried(study, asked) >= 1:
        size = int(min(batch, budget - len(study.trials), untried(study, asked)))
        trials = ask_batch(study, asked, sampler_seed(seed, len(study.trials)), 4, size)
        for k, trial in enumerate(trials):
            score = float(zlib.crc32(repr(sorted(trial.params.items())).encode()) % 97)
            if k == 1:
                study.tell(trial, state=TrialState.FAIL)  # failed settings are not tried again either
            else:
                study.tell(trial, score)
    return [dict(t.params) for t in study.trials]


@pytest.mark.parametrize("text", SPACES)
def test_every_trial_of_a_study_has_settings_no_other_trial_had(tmp_path, text: str) -> None:
    size = space_size(distributions(parse_space(text)))
    budget = 24
    proposed = propose(tmp_path, text, seed=42, budget=budget, batch=4)
    keys = [tuple(sorted(p.items())) for p in proposed]
    assert len(set(keys)) == len(keys)  # within a batch and across batches
    assert len(proposed) == min(budget, size)  # a small space is used up exactly, never repeated
    assert proposed == propose(tmp_path, text, seed=42, budget=budget, batch=4)  # the same seed, the same trials


def test_the_reported_case_window_10_to_30_gives_two_settings_in_two_trials(tmp_path, one_thread) -> None:
    frames = tuple(load_prices(CONFIG.data))
    spec = SearchSpec(trials=2, batch=4, startup_trials=10)
    config = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, seed=42))
    first = search(config, parse_space("window=10:30"), spec, frames, executor=InlineExecutor(), journal=tmp_path / "j")
    again = search(config, parse_space("window=10:30"), spec, frames, executor=InlineExecutor(), journal=tmp_path / "j")
    for result in (first, again):  # a fresh study, then a second one in the same journal
        windows = [t.params["window"] for t in result.report.trials]
        assert len(set(windows)) == 2
        assert len({t.val_loss for t in result.report.trials}) == 2
    assert first.report.exhausted is None
    assert [t.params for t in first.report.trials] == [t.params for t in again.report.trials]


def test_a_space_used_up_stops_the_search_and_says_so(tmp_path, one_thread) -> None:
    frames = tuple(load_prices(CONFIG.data))
    spec = SearchSpec(trials=5, batch=4, startup_trials=10)
    result = search(CONFIG, parse_space("layers=1:2"), spec, frames, executor=InlineExecutor(), journal=tmp_path / "j")
    assert sorted(t.params["layers"] for t in result.report.trials) == [1, 2]
    assert result.report.exhausted == 2 and result.report.document()["exhausted"] == 2
    assert "holds 2 different setting(s) and every one was tried" in search_text(result.report)
