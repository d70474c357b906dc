"""No leakage from the future, determinism, stop and early stopping, and the split/scaler contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.events import BatchProgress, EpochEnded
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec, mean_loss, train

SMALL = ModelSpec(layers=1, hidden=16)
QUICK = TrainSpec(epochs=2, batch_size=64, threads=1, seed=7, device="cpu")  # determinism is a CPU promise


def losses(result) -> list[tuple[float, float]]:
    return [(row.train_loss, row.val_loss) for row in result.history]


@pytest.mark.parametrize("mode", ["price", "log_return"])
def test_changing_test_prices_changes_nothing_learned(aapl_frames, mode: str) -> None:
    spec = DatasetSpec(window=20, target_mode=mode, features=("Close", "Volume"))
    original = build_dataset(aapl_frames, spec)
    test_start = original.dates[original.bounds[1]]
    tampered = [f for f in aapl_frames]
    frame = tampered[0].frame.copy()
    rng = np.random.default_rng(0)
    rows = frame.index >= test_start
    frame.loc[rows, ["Open", "High", "Low", "Close", "Adj Close"]] *= 3 + rng.random((rows.sum(), 1))
    frame.loc[rows, "Volume"] *= 50
    tampered[0] = type(aapl_frames[0])(**{**aapl_frames[0].__dict__, "frame": frame})
    changed = build_dataset(tampered, spec)
    assert not np.array_equal(original.prices, changed.prices)  # the test period really changed
    assert changed.feature_scaler == original.feature_scaler and changed.target_scaler == original.target_scaler
    assert changed.split_dates() == original.split_dates()
    a = train(original, SMALL, QUICK)
    b = train(changed, SMALL, QUICK)
    assert losses(a) == losses(b)
    np.testing.assert_array_equal(changed.x["train"], original.x["train"])
    np.testing.assert_array_equal(changed.y["val"], original.y["val"])


def test_split_is_chronological_and_targets_stay_inside_their_split(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=30, horizon=5))
    val_at, test_at = data.bounds
    assert data.anchors["train"].max() + 5 < val_at
    assert data.anchors["val"].min() + 1 >= val_at and data.anchors["val"].max() + 5 < test_at
    assert data.anchors["test"].min() + 1 >= test_at
    returns = data.features[:val_at, 0]  # log-return mode (the default): the training rows' returns
    scaler = data.feature_scaler
    assert scaler.names == ("Adj Close",)
    assert scaler.offset == (returns.min(),) and scaler.scale == (returns.max() - returns.min(),)
    priced = build_dataset(aapl_frames, DatasetSpec(window=30, horizon=5, target_mode="price"))
    relative = np.log(
        priced.raw_windows(priced.anchors["train"])[:, :, 0] / priced.prices[priced.anchors["train"]][:, None]
    )
    assert priced.feature_scaler.offset == (relative.min(),)  # the training windows, each relative to its last day
    assert priced.anchors["train"].max() < priced.bounds[0]
    assert data.x["train"].shape[1:] == (30, 1) and data.y["test"].shape[1] == 5


def test_split_by_dates(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20, val_start="2011-01-03", test_start="2012-01-03"))
    split = data.split_dates()
    assert split["val"][0] == "2011-01-03" and split["test"][0] == "2012-01-03"
    with pytest.raises(BadInput, match="before the test start"):
        build_dataset(aapl_frames, DatasetSpec(window=20, val_start="2012-01-03", test_start="2011-01-03"))


def test_too_little_data_is_refused_with_numbers(aapl_frames) -> None:
    short = type(aapl_frames[0])(**{**aapl_frames[0].__dict__, "frame": aapl_frames[0].frame.iloc[:120]})
    message = r"Too little data: 120 rows \(119 daily returns\), but window 100 and horizon 1 need"
    with pytest.raises(BadInput, match=message):
        build_dataset([short], DatasetSpec(window=100))
    short.frame = aapl_frames[0].frame.iloc[:150]
    with pytest.raises(BadInput, match="Too little data for the train split: 6 windows"):
        build_dataset([short], DatasetSpec(window=100, target_mode="price"))
    with pytest.raises(BadInput, match="Too little data for the train split: 5 windows"):
        build_dataset([short], DatasetSpec(window=100))  # log returns: the first day has none
    with pytest.raises(BadInput, match="Too little data for the val split"):
        build_dataset([short], DatasetSpec(window=20, val_frac=0.01))


def test_same_seed_same_result_and_another_seed_differs(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    first, second = train(data, SMALL, QUICK), train(data, SMALL, QUICK)
    assert losses(first) == losses(second)
    for key, value in first.model.state_dict().items():
        assert np.array_equal(value.numpy(), second.model.state_dict()[key].numpy())
    other = train(data, SMALL, TrainSpec(epochs=2, threads=1, seed=8, device="cpu"))
    assert losses(other) != losses(first)


def test_stop_is_honoured_within_one_batch_and_keeps_the_best_weights(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    seen: list = []
    state = {"stop": False}

    def on_event(event) -> None:
        seen.append(event)
        if isinstance(event, BatchProgress) and event.epoch == 3 and event.batch == 2:
            state["stop"] = True

    result = train(data, SMALL, TrainSpec(epochs=50, threads=1, device="cpu"), on_event, lambda: state["stop"])
    assert result.stopped == "user"
    assert len(result.history) == 2
    assert isinstance(seen[-1], BatchProgress) and (seen[-1].epoch, seen[-1].batch) == (3, 2)
    import torch

    best = result.history[result.best_epoch - 1].val_loss
    val = mean_loss(result.model, torch.as_tensor(data.x["val"]), torch.as_tensor(data.y["val"]))
    assert val == pytest.approx(best, rel=1e-6)


def test_early_stopping_after_patience_epochs_without_improvement(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    events: list[EpochEnded] = []
    result = train(
        data,
        SMALL,
        TrainSpec(epochs=60, lr=0.05, patience=2, threads=1),
        lambda e: events.append(e) if isinstance(e, EpochEnded) else None,
    )
    assert result.stopped == "early_stopping"
    assert len(result.history) == result.best_epoch + 2
    assert [e.epoch for e in events] == list(range(1, len(result.history) + 1))
    assert min(r.val_loss for r in result.history) == result.history[result.best_epoch - 1].val_loss


def test_bad_settings_are_refused() -> None:
    with pytest.raises(BadInput, match="Window must be between"):
        DatasetSpec(window=1).validate()
    with pytest.raises(BadInput, match="Learning rate"):
        TrainSpec(lr=0).validate()
    with pytest.raises(BadInput, match="Dropout"):
        ModelSpec(dropout=1.5).validate()
    with pytest.raises(BadInput, match="Unknown input column 'Foo'"):
        DatasetSpec(features=("Foo",)).validate()


def test_dates_are_tz_naive_sorted_unique(aapl_frames) -> None:
    data = build_dataset(aapl_frames, DatasetSpec(window=20))
    assert isinstance(data.dates, pd.DatetimeIndex) and data.dates.tz is None
    assert data.dates.is_monotonic_increasing and data.dates.is_unique


@pytest.mark.parametrize("rows", [60, 100, 140, 160, 200, 400])
@pytest.mark.parametrize(("window", "horizon"), [(20, 1), (50, 5), (100, 1)])
@pytest.mark.parametrize("mode", ["price", "log_return"])
def test_the_inline_size_check_agrees_with_building_the_dataset(aapl_frames, rows, window, horizon, mode) -> None:
    spec = DatasetSpec(window=window, horizon=horizon, target_mode=mode)
    frame = type(aapl_frames[0])(**{**aapl_frames[0].__dict__, "frame": aapl_frames[0].frame.iloc[:rows]})
    problem = spec.size_problem(rows)
    try:
        build_dataset([frame], spec)
        built = True
    except BadInput:
        built = False
    assert built == (problem is None), problem
