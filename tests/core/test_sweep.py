"""Sweeps: one run per ticker in worker processes, rows in the order asked, every failure a row with its message
(never the end of the sweep), backtests with their folds run as items of the sweep's pool, a stop keeping what
finished; tickers of a long-format file found and loaded once, the failing one named."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lstm_desktop.core.errors import BadInput, EmptyRange
from lstm_desktop.core.executors.local import LocalExecutor
from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.sweep.report import SweepProgress
from lstm_desktop.core.sweep.runner import sweep
from lstm_desktop.core.sweep.targets import Target, file_tickers, load_targets, sweep_tickers

CONFIG = RunConfig(
    data=DataRequest(source="sample", start="2011-01-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=2, patience=0, threads=1),
    forecast_days=3,
)
SAMPLE_CSV = "resources/sample/stocks.csv"


@pytest.fixture(scope="module")
def local():
    """Two local worker processes (1 thread each), kept warm for the whole module."""
    with LocalExecutor(2, 1) as executor:
        yield executor


def test_every_ticker_is_a_row_in_the_order_asked_and_failures_are_rows(local) -> None:
    targets = load_targets(dataclasses.replace(CONFIG.data, tickers=("IBM", "NOPE", "AAPL")))
    short = load_targets(dataclasses.replace(CONFIG.data, tickers=("MSFT",), start="2013-01-02"))[0]
    targets.append(Target("MSFT-SHORT", short.frames))  # loads, but too little data to train on
    seen: list[SweepProgress] = []
    result = sweep(CONFIG, targets, executor=local, on_event=seen.append)
    rows = result.report.rows
    assert [r.ticker for r in rows] == ["IBM", "NOPE", "AAPL", "MSFT-SHORT"]
    assert rows[1].error.startswith("The bundled sample has no NOPE") and rows[1].run is None
    assert rows[3].error.startswith("Too little data") and rows[3].run is None
    for row in (rows[0], rows[2]):
        assert row.error is None and row.run == f"sweep {row.ticker}"
        assert row.skill == row.metrics["test"].skill and set(row.metrics) == {"train", "val", "test"}
    assert [name for name, _ in result.runs] == ["sweep IBM", "sweep AAPL"]
    assert [f.report.data.ticker for _, f in result.runs] == ["IBM", "AAPL"]
    assert [t for t, _ in result.errors] == ["NOPE", "MSFT-SHORT"]
    assert seen[-1].ended == 4 and seen[-1].failed == 2
    document = json.loads(json.dumps(result.report.document(), allow_nan=False))
    entry = document["sweep"][0]
    assert {"ticker", "run", "skill", "metrics", "backtest", "error"} <= set(entry) and entry["backtest"] is None
    assert set(entry["metrics"]["test"]) >= {"model", "persistence", "skill"}


def test_a_ticker_backtest_runs_its_folds_in_the_sweep_workers(local) -> None:
    targets = load_targets(dataclasses.replace(CONFIG.data, tickers=("GOOG",)))
    spec = BacktestSpec(folds=2, fold_days=10, workers=4)
    result = sweep(CONFIG, targets, spec, executor=local)
    row = result.report.rows[0]
    assert row.error is None and row.run == "sweep GOOG (backtest)"
    assert row.backtest.complete and len(row.backtest.folds) == 2
    assert row.backtest.workers == 2  # the sweep's two workers ran its items, whatever its own settings asked
    assert result.runs[0][1].report.backtest == row.backtest
    assert json.dumps(result.report.document()["sweep"][0]["backtest"]["aggregate"], allow_nan=False)


def test_stop_keeps_the_finished_tickers(local) -> None:
    targets = load_targets(CONFIG.data)  # the four sample tickers
    slow = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=150))
    ended = {"n": 0}

    def on_event(event) -> None:
        if isinstance(event, SweepProgress):
            ended["n"] = event.ended

    result = sweep(slow, targets, executor=local, on_event=on_event, should_stop=lambda: ended["n"] >= 1)
    rows = result.report.rows
    assert result.report.stopped and 1 <= len(result.runs) < 4
    assert all(len(finished.report.history) == 150 for _, finished in result.runs)
    assert all(r.error in (None, "stopped before it finished", "stopped before it started") for r in rows)


def test_tickers_of_a_long_file_are_found_and_the_failing_one_named() -> None:
    assert file_tickers(SAMPLE_CSV) == ("AAPL", "FB", "GOOG", "IBM", "MSFT")
    request = DataRequest(source="csv", csv_path=SAMPLE_CSV, start="2012-01-01")
    assert sweep_tickers(request) == file_tickers(SAMPLE_CSV)
    targets = load_targets(dataclasses.replace(request, tickers=("IBM", "NOPE")))
    assert targets[0].frames[0].ticker == "IBM" and targets[0].error is None
    assert targets[1].frames is None and "no rows for NOPE" in str(targets[1].error)
    late = load_targets(dataclasses.replace(request, tickers=("FB", "IBM"), start="2005-01-01", end="2005-12-31"))
    assert isinstance(late[0].error, EmptyRange) and late[1].error is None
    with pytest.raises(BadInput, match="A sweep needs tickers"):
        sweep_tickers(DataRequest(source="yahoo"))


class LostAfterOne:
    """An executor whose cluster goes away once the first item has ended."""

    workers, threads = 1, 1

    def __init__(self, inner) -> None:
        self.inner = inner

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
        from lstm_desktop.core.executors.items import ClusterUnavailable

        self.inner.run(items[:1], on_outcome, on_progress, should_stop)
        raise ClusterUnavailable("Cannot reach the Dask scheduler at tcp://10.0.0.9:8786")


def test_a_cluster_lost_midway_keeps_the_finished_tickers_and_says_why_the_rest_did_not_run(local) -> None:
    targets = load_targets(dataclasses.replace(CONFIG.data, tickers=("IBM", "AAPL")))
    result = sweep(CONFIG, targets, executor=LostAfterOne(local))
    assert [name for name, _ in result.runs] == ["sweep IBM"]
    assert "Cannot reach the Dask scheduler" in str(result.failure)
    ibm, aapl = result.report.rows
    assert ibm.error is None and aapl.run is None
    assert aapl.error == "not run: the sweep ended early (Cannot reach the Dask scheduler at tcp://10.0.0.9:8786)"
