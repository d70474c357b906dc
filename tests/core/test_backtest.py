"""Walk-forward backtests: folds in order and leak-free, the same in 1 or 2 workers, stopped cleanly, saved, and
bad settings refused before anything trains."""

from __future__ import annotations

import dataclasses
import json
import threading

import numpy as np
import pandas as pd
import pytest

from lstm_desktop.core.backtest.plan import chains, fold_rows, most_folds, plan
from lstm_desktop.core.backtest.runner import aligned, backtest
from lstm_desktop.core.backtest.work import fold_report
from lstm_desktop.core.codec import to_json
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.events import BacktestProgress
from lstm_desktop.core.learn.dataset import build_dataset
from lstm_desktop.core.run import reassess, run
from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2010-06-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=2, patience=0, threads=1),
    forecast_days=3,
)
SPEC = BacktestSpec(folds=3, fold_days=10, workers=2)


@pytest.fixture(scope="module")
def frames():
    return tuple(load_prices(CONFIG.data))


@pytest.fixture(scope="module")
def finished(frames):
    return backtest(CONFIG, SPEC, frames)


def comparable(folds) -> list[dict]:
    """Folds as JSON, less what a clock measures."""
    rows = [to_json(f) for f in folds]
    for row in rows:
        row.pop("seconds")
    return rows


def test_folds_are_chronological_non_overlapping_and_end_at_the_last_day(finished, frames) -> None:
    report = finished.report.backtest
    assert report.complete and [f.fold for f in report.folds] == [1, 2, 3]
    dates, _ = aligned(frames, CONFIG)
    days = np.datetime_as_string(dates)
    assert report.folds[-1].test[1] == days[-1]
    for fold in report.folds:
        assert fold.train[1] < fold.val[0] <= fold.val[1] < fold.test[0] <= fold.test[1]
        block = days[(days >= fold.test[0]) & (days <= fold.test[1])]
        assert len(block) == SPEC.fold_days and len(fold.predictions) == SPEC.fold_days  # one prediction a day
    for before, after in zip(report.folds, report.folds[1:]):
        following = days[np.searchsorted(days, before.test[1]) + 1]
        assert after.test[0] == following  # the next block starts the next trading day
    document = finished.report.document()["backtest"]
    assert [f["test"] for f in document["folds"]] == [list(f.test) for f in report.folds]
    assert document["settings"]["train_days"] is None and document["aggregate"]["folds"] == 3


def test_each_fold_persistence_is_the_price_of_the_day_before(finished, frames) -> None:
    dates, prices = aligned(frames, CONFIG)
    for fold in finished.report.backtest.folds:
        at = np.searchsorted(dates, fold.predictions.dates)
        moves = prices[at] - prices[at - 1]
        assert fold.metrics.persistence.rmse == pytest.approx(np.sqrt(np.mean(moves**2)), rel=1e-12)
        np.testing.assert_array_equal(fold.predictions.actual, prices[at])


def test_prices_after_a_fold_change_nothing_in_it_or_before(finished, frames) -> None:
    folds = finished.report.backtest.folds
    cut = pd.Timestamp(folds[1].test[1])  # the end of fold 2's test block
    frame = frames[0].frame.copy()
    later = frame.index > cut
    frame.loc[later, ["Open", "High", "Low", "Close", "Adj Close"]] *= 1.7
    tampered = (dataclasses.replace(frames[0], frame=frame),)
    again = backtest(CONFIG, dataclasses.replace(SPEC, workers=1), tampered).report.backtest.folds
    assert comparable(again[:2]) == comparable(folds[:2])  # bit-identical, in 1 worker as in 2
    assert comparable(again[2:]) != comparable(folds[2:])


def test_a_fold_assessed_for_its_report_only_reports_exactly_what_a_whole_assessment_would(frames) -> None:
    """A fold's run skips what its report drops (the training and validation windows' scores, the forecast);
    its fold report, trained or held, is the whole assessment's bit for bit."""
    first, second = plan(len(aligned(frames, CONFIG)[0]), SPEC, CONFIG.dataset)[:2]
    whole = run(CONFIG, frames, rows=first.rows)
    only = run(CONFIG, frames, rows=first.rows, fold=True)
    assert set(whole.report.metrics) == {"train", "val", "test"} and len(whole.report.forecast.dates) == 3
    assert set(only.report.metrics) == {"test"} and len(only.report.forecast.dates) == 0  # the work was skipped
    assert comparable([fold_report(first, only.report, True)]) == comparable([fold_report(first, whole.report, True)])
    held_whole, held_only = reassess(whole, CONFIG, second.rows), reassess(whole, CONFIG, second.rows, fold=True)
    assert set(held_only.report.metrics) == {"test"}
    assert comparable([fold_report(second, held_only.report, False)]) == comparable(
        [fold_report(second, held_whole.report, False)]
    )


def test_each_fold_scaler_sees_its_own_training_rows_only(frames) -> None:
    dates, _ = aligned(frames, CONFIG)
    for number in (1, 2, 3):
        rows = fold_rows(len(dates), number, SPEC, CONFIG.dataset)
        data = build_dataset(list(frames), CONFIG.dataset, rows)
        own = data.features[rows.start : rows.val_at]
        assert data.feature_scaler.offset == tuple(own.min(axis=0))
        assert data.anchors["train"].max() + 1 < rows.val_at and data.anchors["test"].max() + 1 < rows.end


def test_sliding_window_and_chains() -> None:
    spec = BacktestSpec(folds=4, fold_days=20, train_days=300, refit_every=2)
    folds = plan(1000, spec, DatasetSpec(window=20))
    assert all(f.rows.val_at - f.rows.start == 300 for f in folds)
    assert [f.refit for f in folds] == [True, False, True, False]
    assert [[f.number for f in group] for group in chains(folds, warm_start=False)] == [[1, 2], [3, 4]]
    assert [[f.number for f in group] for group in chains(folds, warm_start=True)] == [[1, 2, 3, 4]]


def test_what_does_not_fit_is_refused_before_training_with_what_fits() -> None:
    data = DatasetSpec(window=100)
    fitting = most_folds(900, BacktestSpec(fold_days=21), data)
    with pytest.raises(BadInput, match=f"At most {fitting} folds of 21 days fit these 900 rows with window 100"):
        plan(900, BacktestSpec(folds=fitting + 1, fold_days=21), data)
    plan(900, BacktestSpec(folds=fitting, fold_days=21), data)
    with pytest.raises(BadInput, match="Fold days .* must be at least 9 with horizon 5"):
        plan(900, BacktestSpec(fold_days=8), DatasetSpec(window=10, horizon=5))
    with pytest.raises(BadInput, match="warm start"):
        BacktestSpec(warm_start=True, train_days=200).validate()


def test_items_start_with_the_runs_on_all_the_data_then_the_longest_folds(frames) -> None:
    from lstm_desktop.core.backtest.job import BacktestJob
    from lstm_desktop.core.executors.jobs import longest_first

    spec = BacktestSpec(folds=3, fold_days=10, refit_every=2)  # folds 1 and 2 in one chain, 3 alone
    lstm = BacktestJob(CONFIG, spec, frames)
    rnn = BacktestJob(dataclasses.replace(CONFIG, model=dataclasses.replace(CONFIG.model, cell="rnn")), spec, frames)
    assert [[f.number for f in payload["folds"]] for _, payload in lstm.items[1:]] == [[1, 2], [3]]
    # the chain of folds 1-2 trains one model (fold 2 is held), on fewer days than fold 3's
    assert lstm.costs[1] < lstm.costs[2] and all(r < c for r, c in zip(rnn.costs, lstm.costs, strict=True))
    order = longest_first([lstm, rnn])
    assert order == [(0, 0), (1, 0), (0, 2), (0, 1), (1, 2), (1, 1)]


def test_stop_keeps_the_finished_folds(frames) -> None:
    asked = threading.Event()
    seen: list[BacktestProgress] = []

    def on_event(event) -> None:
        if isinstance(event, BacktestProgress):
            seen.append(event)
            if event.finished >= 1:
                asked.set()

    spec = BacktestSpec(folds=4, fold_days=10, workers=1)
    slow = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=40))
    report = backtest(slow, spec, frames, on_event=on_event, should_stop=asked.is_set).report
    folds = report.backtest.folds
    assert not report.backtest.complete and 1 <= len(folds) < 4
    # the longest folds (the latest: the most training days) start first, so they are the ones kept
    assert [f.fold for f in folds] == list(range(5 - len(folds), 5)) and all(f.epochs == 40 for f in folds)
    assert f"({4 - len(folds)} not run: stopped)" in report.backtest.aggregate.verdict


def test_a_project_keeps_the_backtest(finished, tmp_path) -> None:
    from lstm_desktop.core.store.project import Project
    from lstm_desktop.core.store.project_io import load_project, save_project

    project = Project()
    project.add(finished)
    back = load_project(save_project(project, tmp_path / "bt.lstmproj")).current.report
    assert comparable(back.backtest.folds) == comparable(finished.report.backtest.folds)
    assert back.backtest.aggregate == finished.report.backtest.aggregate
    assert json.dumps(back.document()["backtest"], allow_nan=False)


def test_the_pooled_coverage_error_is_never_smaller_than_the_folds_disagree() -> None:
    from lstm_desktop.core.backtest.aggregate import pooled_error
    from lstm_desktop.core.report import Coverage

    apart = [Coverage(0.6, (0.6,), 20, 0.001, (20,)), Coverage(1.0, (1.0,), 20, 0.001, (20,))]
    assert abs(pooled_error(apart, 40) - 0.2) < 1e-12  # std 0.283 between the two folds, over sqrt(2)
    alike = [Coverage(0.9, (0.9,), 20, 0.05, (20,)), Coverage(0.9, (0.9,), 20, 0.05, (20,))]
    assert abs(pooled_error(alike, 40) - 0.05 / 2**0.5) < 1e-12  # their own errors, combined
