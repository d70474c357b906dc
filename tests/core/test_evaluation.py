"""Metrics against a hand computation, the baselines wired to the real data, and the forecast's shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_desktop.core.assess.assessment import assess
from lstm_desktop.core.assess.evaluation import evaluate, score, skill
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec, train


def test_score_matches_a_hand_computation() -> None:
    actual = [10.0, 11.0, 12.0, 11.0]
    predicted = [10.5, 11.5, 11.0, 11.0]
    last = [10.0, 10.0, 11.0, 12.0]
    # errors 0.5, 0.5, -1, 0 -> RMSE sqrt(1.5/4); MAE 0.5; MAPE mean(.5/10, .5/11, 1/12, 0) * 100
    # moves predicted +.5 +1.5 0 -1, actual 0 +1 +1 -1 -> signs agree on days 2 and 4
    result = score(actual, predicted, last)
    assert result.rmse == pytest.approx(np.sqrt(0.375))
    assert result.mae == pytest.approx(0.5)
    assert result.mape == pytest.approx((0.05 + 0.5 / 11 + 1 / 12) / 4 * 100)
    # day 3 predicts no move (11 -> 11): direction is counted over the 3 days with a predicted move
    assert result.directional_accuracy == pytest.approx(2 / 3)
    assert score(actual, last, last).directional_accuracy is None  # persistence never predicts a move
    assert skill(0.5, 1.0) == pytest.approx(0.5)
    assert skill(2.0, 1.0) == pytest.approx(-1.0)


def test_baselines_use_the_real_prices(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    result = train(data, ModelSpec(layers=1, hidden=8), TrainSpec(epochs=1, threads=1))
    metrics, predictions = evaluate(data, result.model)
    anchors = data.anchors["test"]
    moves = data.prices[anchors + 1] - data.prices[anchors]
    assert metrics["test"].persistence.rmse == pytest.approx(np.sqrt(np.mean(moves**2)))
    drift = np.mean(np.diff(data.prices[: data.bounds[0]]))
    assert metrics["test"].drift.mae == pytest.approx(np.mean(np.abs(moves - drift)))
    series = predictions["test"]
    assert len(series) == len(anchors) and str(series.dates[-1]) == f"{data.dates[-1]:%Y-%m-%d}"
    assert series.actual[0] == data.prices[anchors[0] + 1]
    model_rmse = np.sqrt(np.mean((series.predicted - series.actual) ** 2))
    assert metrics["test"].model.rmse == pytest.approx(model_rmse)
    assert metrics["test"].skill == pytest.approx(1 - model_rmse / metrics["test"].persistence.rmse)


@pytest.mark.parametrize(("mode", "horizon"), [("price", 1), ("log_return", 1), ("price", 5)])
def test_forecast_dates_and_band(aapl_frames, mode: str, horizon: int) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20, target_mode=mode, horizon=horizon))
    result = train(data, ModelSpec(layers=1, hidden=8), TrainSpec(epochs=1, threads=1))
    days = assess(data, result.model, 12).forecast
    assert len(days) == 12
    dates = pd.DatetimeIndex(days.dates)
    assert dates[0] > data.dates[-1] and (dates.day_of_week < 5).all() and dates.is_monotonic_increasing
    assert (days.lower <= days.value).all() and (days.value <= days.upper).all() and (days.value > 0).all()
    widths = days.upper / days.value
    assert widths[-1] >= widths[0]


def test_predictions_csv_export(aapl_frames) -> None:
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import RunConfig
    from lstm_desktop.core.store.export import predictions_csv

    config = RunConfig(dataset=DatasetSpec(window=20), model=ModelSpec(layers=1, hidden=4),
                       train=TrainSpec(epochs=1, threads=1), forecast_days=3)  # fmt: skip
    report = run(config, aapl_frames).report
    lines = predictions_csv(report).splitlines()
    assert lines[0] == "date,split,actual,predicted,lower,upper,drawn"
    test = report.predictions["test"]
    last = len(report.predictions["train"]) + len(report.predictions["val"]) + len(test)
    values = [test.actual[-1], test.predicted[-1], test.lower[-1], test.upper[-1], test.drawn[-1]]
    assert lines[last] == f"{test.dates[-1]},test," + ",".join(repr(float(v)) for v in values)
    assert test.lower[-1] <= test.drawn[-1] <= test.upper[-1]  # the band is centred on the drawn value
    assert lines[1].endswith(",,,")  # training predictions carry no band
    days = report.forecast
    expected = [float(days.value[0]), float(days.lower[0]), float(days.upper[0]), float(days.value[0])]
    assert lines[last + 1] == f"{days.dates[0]},forecast,," + ",".join(map(repr, expected))
    assert len(lines) == last + 4
