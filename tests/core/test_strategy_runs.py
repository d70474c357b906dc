"""The strategy check on stored runs: the test split's and the backtest's one-step predictions at the run's own
target prices, nothing else; settings saved in the project, and older files (without them) open with defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from lstm_desktop.core.backtest.runner import aligned, backtest
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.specs import BacktestSpec
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.strategy.positions import Predictions, Prices
from lstm_desktop.core.strategy.result import evaluate, strategy_of_run
from lstm_desktop.core.strategy.signals import signals_of
from lstm_desktop.core.strategy.spec import StrategySpec

from ..tiny_runs import on_one_thread, tiny_config

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = tiny_config("IBM", "2010-06-01")


@pytest.fixture(scope="module")
def finished():
    """One small run with a 3-fold backtest, trained in this process (once for the module)."""
    frames = tuple(load_prices(CONFIG.data))
    return on_one_thread(lambda: backtest(CONFIG, BacktestSpec(folds=3, fold_days=10), frames,
                                          executor=InlineExecutor()))  # fmt: skip


def test_a_run_trades_its_test_split_at_its_own_target_prices(finished) -> None:
    report, frames = finished.report, finished.frames
    chosen = signals_of(report, frames, "test")
    dates, prices = aligned(frames, CONFIG)
    np.testing.assert_array_equal(chosen.prices.dates, dates)
    np.testing.assert_array_equal(chosen.prices.closes, prices)
    test = report.predictions["test"]
    np.testing.assert_array_equal(chosen.predictions.predicted, test.predicted)
    at = np.searchsorted(dates, test.dates)
    np.testing.assert_array_equal(prices[at], test.actual)  # the price a prediction is for is that day's
    result = strategy_of_run(report, frames, StrategySpec(signals="test"))
    again = evaluate(Prices(dates, prices), Predictions(test.dates, test.predicted), StrategySpec(signals="test"))
    np.testing.assert_array_equal(result.model_equity, again.model_equity)
    assert result.source == "test" and result.days == len(test)
    assert str(result.dates[-1]) == report.split["test"][1]


def test_auto_trades_the_backtest_folds_when_there_are_some(finished) -> None:
    report, frames = finished.report, finished.frames
    result = strategy_of_run(report, frames, StrategySpec())
    folds = report.backtest.folds
    assert result.source == "backtest" and result.days == sum(len(f.predictions) for f in folds) == 30
    assert str(result.dates[1]) == folds[0].test[0] and str(result.dates[-1]) == folds[-1].test[1]
    chosen = signals_of(report, frames, "backtest")
    np.testing.assert_array_equal(
        chosen.predictions.predicted, np.concatenate([f.predictions.predicted for f in folds])
    )


def test_a_run_without_out_of_sample_predictions_is_refused_in_words(finished) -> None:
    report, frames = finished.report, finished.frames
    untested = dataclasses.replace(
        report,
        predictions={k: v for k, v in report.predictions.items() if k != "test"},
        backtest=None,
    )
    with pytest.raises(BadInput, match="no out-of-sample predictions"):
        strategy_of_run(untested, frames, StrategySpec())
    with pytest.raises(BadInput, match="no test predictions"):
        strategy_of_run(untested, frames, StrategySpec(signals="test"))
    with pytest.raises(BadInput, match="no walk-forward backtest"):
        strategy_of_run(dataclasses.replace(report, backtest=None), frames, StrategySpec(signals="backtest"))


def test_the_project_keeps_the_strategy_settings(finished, tmp_path: Path) -> None:
    project = Project()
    project.add(finished)
    project.strategy = StrategySpec(rule="scaled", cost_bps=2.5, slippage_bps=1.0, cap=2.0, signals="test")
    path = save_project(project, tmp_path / "s.lstmproj")
    assert load_project(path).strategy == project.strategy


def test_an_older_file_without_strategy_settings_opens_with_the_defaults() -> None:
    project = load_project(DATA / "project_v1.lstmproj")
    assert project.strategy == StrategySpec()


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"rule": "long_flat", "cost_bps": -5.0}, "strategy settings that cannot be used: Commission must be"),
        ({"rule": "yolo"}, "strategy settings that cannot be used: Rule must be"),
        ({"leverage": 10}, "strategy has an unknown field 'leverage'"),
        ("cheap", "strategy"),
    ],
)
def test_unusable_strategy_settings_in_a_file_are_refused_by_name(finished, tmp_path: Path, stored, message) -> None:
    from lstm_desktop.core.errors import ProjectFileError
    from lstm_desktop.core.store.container_read import unpack_entries
    from lstm_desktop.core.store.project_io import project_from_contents

    project = Project()
    project.add(finished)
    meta, entries = unpack_entries(save_project(project, tmp_path / "p.lstmproj"))
    assert meta["strategy"] == {**vars(StrategySpec())}
    meta["strategy"] = stored
    with pytest.raises((ProjectFileError, BadInput), match=message):
        project_from_contents(meta, entries)
    del meta["strategy"]
    assert project_from_contents(meta, entries).strategy == StrategySpec()
