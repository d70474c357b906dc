"""Compare models: the same days for every variant, pairwise Diebold–Mariano p-values that an independent
computation from the stored predictions reproduces, Holm's adjustment, the verdict's words, a failed variant as a
row with its reason, and the same table from one worker or two."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from lstm_desktop.core.compare.pairs import holm
from lstm_desktop.core.compare.report import PairRow, VariantEnded, VariantRow
from lstm_desktop.core.compare.runner import compare
from lstm_desktop.core.compare.spec import CompareSpec
from lstm_desktop.core.compare.variants import extra_inputs, plan
from lstm_desktop.core.compare.verdict import verdict
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.store.project_io import load_project, save_project

CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM", "MSFT"), start="2010-06-01"),
    dataset=DatasetSpec(window=10, features=("Adj Close", "Volume")),
    model=ModelSpec(layers=1, hidden=6),
    train=TrainSpec(epochs=2, threads=1, device="cpu"),
    forecast_days=3,
)
CELLS_ONLY = CompareSpec(cells=("lstm", "gru"))


@pytest.fixture(scope="module")
def frames() -> tuple:
    return tuple(load_prices(CONFIG.data))


@pytest.fixture(scope="module")
def everything(frames):
    """Three cells and both inputs left out, in this process."""
    return compare(CONFIG, frames, CompareSpec(drop_inputs=True), executor=InlineExecutor())


def test_the_variants_are_the_cells_then_each_extra_input_left_out(frames) -> None:
    names = [v.name for v in plan(CONFIG, frames, CompareSpec(drop_inputs=True))]
    assert names == ["LSTM", "GRU", "plain RNN", "LSTM without Volume", "LSTM without MSFT"]
    assert [e.label for e in extra_inputs(CONFIG, frames)] == ["Volume", "MSFT"]
    alone = dataclasses.replace(CONFIG, data=dataclasses.replace(CONFIG.data, tickers=("IBM",)),
                                dataset=DatasetSpec(window=10))  # fmt: skip
    with pytest.raises(BadInput, match="Nothing to drop: the model's only input is the target's price"):
        plan(alone, tuple(load_prices(alone.data)), CompareSpec(drop_inputs=True))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (CompareSpec(cells=("lstm", "tcn")), "Unknown cell 'tcn'; choose from lstm, gru, rnn"),
        (CompareSpec(cells=("gru",)), "needs two or more cells"),
        (CompareSpec(cells=("gru", "gru")), "A cell is listed twice"),
        (CompareSpec(cells=()), "Name at least one cell"),
    ],
)
def test_a_comparison_that_cannot_be_made_is_refused_in_words(spec: CompareSpec, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        spec.validate()


def test_every_variant_is_scored_on_the_same_test_days(everything) -> None:
    runs = dict(everything.runs)
    assert list(runs) == [f"compare {n}" for n in ("LSTM", "GRU", "plain RNN", "LSTM without Volume",
                                                   "LSTM without MSFT")]  # fmt: skip
    dates = [r.report.predictions["test"].dates for r in runs.values()]
    assert all(np.array_equal(dates[0], d) for d in dates[1:])
    without_msft = runs["compare LSTM without MSFT"].report
    assert [i.label for i in without_msft.inputs] == ["Adj Close", "Volume"]
    assert without_msft.split == runs["compare LSTM"].report.split  # the same days, so the same split
    rows = {r.name: r for r in everything.report.variants}
    assert rows["GRU"].parameters < rows["LSTM"].parameters and rows["plain RNN"].parameters < rows["GRU"].parameters
    for row in rows.values():
        assert row.error is None and row.skill_low <= row.skill <= row.skill_high and 0 < row.coverage <= 1
        assert row.width > 0 and row.seconds_per_epoch > 0
    assert [b.name for b in everything.report.baselines] == ["persistence", "drift", "ridge"]


def _by_hand(errors_a: np.ndarray, errors_b: np.ndarray) -> float:
    """Diebold–Mariano with a Newey–West variance (floor(n^1/3) lags, Bartlett weights) and the HLN correction."""
    d = errors_a**2 - errors_b**2
    n = len(d)
    lags = int(n ** (1 / 3))
    centred = d - d.mean()
    gamma = [np.sum(centred[k:] * centred[: n - k]) / n for k in range(lags + 1)]
    variance = gamma[0] + 2 * sum((1 - k / (lags + 1)) * gamma[k] for k in range(1, lags + 1))
    statistic = d.mean() / np.sqrt(variance / n) * np.sqrt((n + 1 - 2 + 0) / n)
    return math.erfc(abs(statistic) / math.sqrt(2))


def test_the_p_values_equal_an_independent_computation_from_the_stored_predictions(everything, tmp_path) -> None:
    project = Project()
    for name, finished in everything.runs:
        project.add(finished, name)
    stored = {r.name: r.report.predictions["test"] for r in load_project(save_project(project, tmp_path / "c")).runs}
    pairs = everything.report.pairs
    assert [(p.a, p.b) for p in pairs] == [("LSTM", "GRU"), ("LSTM", "plain RNN"), ("GRU", "plain RNN"),
                                           ("LSTM", "LSTM without Volume"), ("LSTM", "LSTM without MSFT")]  # fmt: skip
    raw = []
    for pair in pairs:
        a, b = stored[f"compare {pair.a}"], stored[f"compare {pair.b}"]
        p = _by_hand(a.actual - a.predicted, b.actual - b.predicted)
        assert pair.p_value == pytest.approx(p, rel=1e-9, abs=1e-300) and pair.days == len(a.dates)
        raw.append(p)
    m = len(raw)
    order = np.argsort(raw)
    expected = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * np.array(raw)[order]))
    np.testing.assert_allclose([pairs[i].p_adjusted for i in order], expected, rtol=1e-9)


def test_holm_on_a_hand_made_example() -> None:
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 -> kept monotone: 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx((0.03, 0.06, 0.06, 0.02))
    assert holm([0.5, 0.9]) == (1.0, 1.0)  # 0.5·2 = 1; 0.9·1 = 0.9 would fall below it: kept at 1
    assert holm([0.04, 0.001, 0.02]) == pytest.approx((0.04, 0.003, 0.04))  # 0.001·3, 0.02·2, max(0.04, 0.04·1)
    assert holm([0.2]) == (0.2,)


def _row(name: str, cell: str, rmse: float, skill: float, dropped: str | None = None) -> VariantRow:
    return VariantRow(name, cell, (), dropped, f"compare {name}", rmse=rmse, skill=skill)


def test_the_verdict_says_what_the_adjusted_p_values_support() -> None:
    from lstm_desktop.core.compare.pairs import input_text

    rows = [
        _row("LSTM", "lstm", 1.00, 0.0100),
        _row("GRU", "gru", 1.001, 0.0090),
        _row("plain RNN", "rnn", 1.2, -0.19),
        _row("LSTM without MSFT", "lstm", 1.0004, 0.0096, "MSFT"),
    ]
    pairs = [
        PairRow("LSTM", "GRU", 100, -0.5, 0.61, 0.61, ""),
        PairRow("LSTM", "plain RNN", 100, -3.1, 0.001, 0.002, ""),
        PairRow("GRU", "plain RNN", 100, -3.0, 0.0015, 0.003, ""),
        PairRow("LSTM", "LSTM without MSFT", 100, -0.4, 0.7, 0.7, input_text(rows[0], rows[3], 0.7, 0.7, 1)),
    ]
    assert verdict(rows, pairs) == (
        "GRU and LSTM: no measurable difference (p = 0.61); both beat the plain RNN (p ≤ 0.003); "
        "without MSFT the skill changes by −0.0004 (p = 0.70): it does not measurably help."
    )


def test_a_variant_that_fails_is_a_row_with_its_reason(frames) -> None:
    variants = list(plan(CONFIG, frames, CELLS_ONLY))
    broken = dataclasses.replace(variants[1].config, dataset=dataclasses.replace(CONFIG.dataset, window=2000))
    variants[1] = dataclasses.replace(variants[1], config=broken)
    ended: list[VariantRow] = []
    result = compare(CONFIG, frames, CELLS_ONLY, variants=variants, executor=InlineExecutor(),
                     on_event=lambda e: ended.append(e.row) if isinstance(e, VariantEnded) else None)  # fmt: skip
    rows = result.report.variants
    assert sorted(r.name for r in ended) == ["GRU", "LSTM"]  # each told once, in the order they ended
    assert rows[0].error is None and rows[0].run == "compare LSTM"
    assert rows[1].run is None and rows[1].rmse is None and "Too little data" in rows[1].error
    assert result.report.pairs == () and [name for name, _ in result.runs] == ["compare LSTM"]
    assert result.report.verdict == "GRU did not finish."


def test_one_and_two_workers_give_the_same_table(frames, everything) -> None:
    from lstm_desktop.core.executors.local import LocalExecutor

    spec = CompareSpec(cells=("lstm", "rnn"))

    def table(workers: int) -> dict:
        report = compare(CONFIG, frames, spec, executor=LocalExecutor(workers, 1)).report
        document = report.document()
        for row in document["variants"]:
            row.pop("seconds_per_epoch")
        return {k: document[k] for k in ("variants", "baselines", "pairs", "verdict")} | {"workers": report.workers}

    one, two = table(1), table(2)
    assert (one.pop("workers"), two.pop("workers")) == (1, 2)
    assert one == two
    inline = {r.name: r for r in everything.report.variants}  # and the same as in this process
    assert [r["test"]["rmse"] for r in one["variants"]] == [inline["LSTM"].rmse, inline["plain RNN"].rmse]


def test_with_a_backtest_every_variant_has_the_same_folds_and_a_pooled_skill(frames) -> None:
    from lstm_desktop.core.specs import BacktestSpec

    quick = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=1))
    folds = BacktestSpec(folds=2, fold_days=10)
    result = compare(quick, frames, CELLS_ONLY, folds, executor=InlineExecutor())
    reports = [finished.report.backtest for _, finished in result.runs]
    assert [name for name, _ in result.runs] == ["compare LSTM (backtest)", "compare GRU (backtest)"]
    lstm_folds, gru_folds = ([f.test for f in r.folds] for r in reports)
    assert lstm_folds == gru_folds and len(lstm_folds) == 2
    rows = result.report.variants
    assert [r.pooled_skill for r in rows] == [r.aggregate.pooled.skill for r in reports]
    assert all(math.isfinite(r.pooled_skill) for r in rows)
    assert result.report.document()["variants"][0]["backtest"] == {"pooled_skill": rows[0].pooled_skill}


def test_a_stop_before_anything_ran_leaves_every_row_saying_so(frames) -> None:
    result = compare(CONFIG, frames, CELLS_ONLY, executor=InlineExecutor(), should_stop=lambda: True)
    report = result.report
    assert report.stopped and result.runs == () and report.pairs == ()
    assert [r.error for r in report.variants] == ["stopped before it finished"] * 2


def _without_clocks(finished) -> dict:
    """A run with its backtest as JSON, less what a clock measures and how many workers ran it."""
    from lstm_desktop.bench.identity import less_timings
    from lstm_desktop.core.codec import to_json

    assert finished.report.backtest is not None
    return less_timings(to_json(finished.report))


def test_each_variant_backtest_from_the_shared_workers_equals_its_backtest_alone(frames, one_thread) -> None:
    import torch

    from lstm_desktop.core.backtest.runner import backtest
    from lstm_desktop.core.compare.report import CompareProgress
    from lstm_desktop.core.executors.local import LocalExecutor
    from lstm_desktop.core.specs import BacktestSpec

    quick = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=1))
    spec, folds = CompareSpec(cells=("lstm", "gru", "rnn")), BacktestSpec(folds=2, fold_days=10)
    events: list = []
    result = compare(quick, frames, spec, folds, executor=LocalExecutor(2, 1), on_event=events.append)
    assert result.report.workers == 2 and len(result.runs) == 3
    for variant, (name, pooled) in zip(plan(quick, frames, spec), result.runs, strict=True):
        alone = backtest(variant.config, folds, variant.frames, executor=InlineExecutor())  # as a worker did it
        assert name == f"compare {variant.name} (backtest)"
        assert pooled.report.backtest.workers == 2 and alone.report.backtest.workers == 1
        assert pooled.report.backtest.complete and len(pooled.report.backtest.folds) == 2
        assert _without_clocks(pooled) == _without_clocks(alone)
        assert pooled.weights.keys() == alone.weights.keys()
        assert all(torch.equal(pooled.weights[k], alone.weights[k]) for k in alone.weights)
    progress = [e for e in events if isinstance(e, CompareProgress)]
    with_folds = {name for e in progress for name, step in e.running.items() if step.folds == 2}
    assert with_folds == {"LSTM", "GRU", "plain RNN"}  # each variant's folds were followed
    ended = sorted(e.row.name for e in events if isinstance(e, VariantEnded))
    assert ended == ["GRU", "LSTM", "plain RNN"] and progress[-1].ended == 3 and progress[-1].running == {}


class FailingFold:
    """An executor that runs every item in this process, but the first fold of the GRU fails in its worker."""

    workers, threads = 1, 1

    def __init__(self) -> None:
        self.inner = InlineExecutor()

    def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
        from lstm_desktop.core.backtest.job import CHAIN

        def broken(fn: str, payload: dict) -> tuple[str, dict]:
            first = fn == CHAIN and payload["folds"][0].number == 1 and payload["config"].model.cell == "gru"
            return ("tests.core.test_compare:fold_fails", payload) if first else (fn, payload)

        self.inner.run([broken(*item) for item in items], on_outcome, on_progress, should_stop)


def fold_fails(payload: dict, report, should_stop) -> None:
    raise RuntimeError("this fold's worker ran out of memory")


def test_a_failing_fold_is_that_fold_problem_and_a_variant_that_cannot_backtest_is_its_row(frames, one_thread) -> None:
    from lstm_desktop.core.specs import BacktestSpec

    quick = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=1))
    spec = CompareSpec(cells=("lstm", "gru", "rnn"))
    variants = list(plan(quick, frames, spec))
    too_long = dataclasses.replace(variants[2].config.dataset, window=600)  # no fold of 10 days fits
    variants[2] = dataclasses.replace(variants[2], config=dataclasses.replace(variants[2].config, dataset=too_long))
    result = compare(quick, frames, spec, BacktestSpec(folds=2, fold_days=10), variants=variants,
                     executor=FailingFold())  # fmt: skip
    lstm, gru, rnn = result.report.variants
    backtests = {name: finished.report.backtest for name, finished in result.runs}
    assert lstm.error is None and backtests["compare LSTM (backtest)"].complete
    assert gru.error is None and gru.pooled_skill is not None  # kept, from the fold that ran
    gru_backtest = backtests["compare GRU (backtest)"]
    assert [f.fold for f in gru_backtest.folds] == [2] and not gru_backtest.complete
    assert gru_backtest.problems == ("this fold's worker ran out of memory",)
    assert rnn.run is None and rnn.error.startswith("Not even one fold of 10 days fit")
    assert [name for name, _ in result.runs] == ["compare LSTM (backtest)", "compare GRU (backtest)"]


def test_a_stop_keeps_each_variant_run_and_the_folds_that_finished(frames, one_thread) -> None:
    from lstm_desktop.core.compare.report import VariantProgress
    from lstm_desktop.core.specs import BacktestSpec

    quick = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=1))
    asked = {"stop": False}

    def on_event(event) -> None:
        running = getattr(event, "running", {})
        asked["stop"] = asked["stop"] or any(
            isinstance(step, VariantProgress) and step.folds_finished >= 1 for step in running.values()
        )

    result = compare(quick, frames, CELLS_ONLY, BacktestSpec(folds=2, fold_days=10), executor=InlineExecutor(),
                     on_event=on_event, should_stop=lambda: asked["stop"])  # fmt: skip
    report = result.report
    assert report.stopped and [r.error for r in report.variants] == [None, None]  # both runs on all the data ended
    lstm, gru = (finished.report.backtest for _, finished in result.runs)
    # in one worker: both runs on all the data, then the longest fold (LSTM's latest); the rest never started
    assert [f.fold for f in lstm.folds] == [2] and gru.folds == () and not lstm.complete and not gru.complete
    assert report.variants[0].pooled_skill is not None and report.variants[1].pooled_skill is None
