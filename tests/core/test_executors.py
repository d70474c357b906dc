"""Executors: the local worker processes, the inline one and a real Dask LocalCluster keep the same promises — a
killed worker's item runs once more and a second death is its failure while the others finish, a barrier event's
stop is seen at once, a stop keeps what finished — and a small sweep and search give the same results on Dask as
in local workers."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path
from typing import ClassVar

import pytest

from lstm_desktop.bench.identity import less_timings
from lstm_desktop.core import runtime
from lstm_desktop.core.codec import to_json
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.executors.items import DIED_TWICE
from lstm_desktop.core.executors.local import LocalExecutor
from lstm_desktop.core.runtime import BACKGROUND_NICENESS
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

HERE = "tests.core.test_executors"


@dataclasses.dataclass(frozen=True)
class Step:
    """A progress event the parent must handle before the item goes on."""

    barrier: ClassVar[bool] = True
    n: int


def double(payload: dict, report, should_stop) -> int:
    time.sleep(payload.get("sleep", 0.0))
    return payload["x"] * 2


def die_once(payload: dict, report, should_stop) -> str:
    """SIGKILLs its own worker the first time (a marker file remembers), then succeeds."""
    marker = Path(payload["marker"])
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return f"survived in {os.getpid()}"


def always_die(payload: dict, report, should_stop) -> None:
    time.sleep(0.1)
    os.kill(os.getpid(), signal.SIGKILL)


def steps(payload: dict, report, should_stop) -> int:
    """Counts steps, reporting each as a barrier event, until asked to stop (or `most` steps)."""
    done = 0
    while done < payload["most"] and not should_stop():
        time.sleep(payload.get("sleep", 0.0))
        done += 1
        report(Step(done))
    return done


def fails(payload: dict, report, should_stop) -> None:
    raise ValueError("bad item")


def collect(executor, items, on_progress=None, should_stop=lambda: False) -> dict:
    outcomes = {}

    def on_outcome(outcome) -> None:
        assert outcome.index not in outcomes, "one outcome per item"
        outcomes[outcome.index] = outcome

    executor.run(items, on_outcome, on_progress, should_stop)
    assert sorted(outcomes) == list(range(len(items)))
    return outcomes


@pytest.fixture(scope="module")
def local():
    """Two local worker processes (1 thread each), kept warm for the whole module."""
    with LocalExecutor(2, 1) as executor:
        yield executor


@pytest.fixture(scope="module")
def cluster():
    """A real Dask LocalCluster of 2 worker processes (1 thread each), allowing one death per item."""
    pytest.importorskip("distributed")
    from lstm_desktop.core.executors.cluster import DaskExecutor

    with DaskExecutor(None, workers=2, threads=1) as executor:
        yield executor


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_a_killed_worker_item_runs_again_and_a_second_death_is_its_failure(kind, tmp_path, request) -> None:
    executor = request.getfixturevalue(kind if kind == "local" else "cluster")
    items = [
        (f"{HERE}:die_once", {"marker": str(tmp_path / "died")}),
        (f"{HERE}:always_die", {}),
        (f"{HERE}:double", {"x": 1, "sleep": 0.3}),
        (f"{HERE}:double", {"x": 2}),
        (f"{HERE}:fails", {}),
    ]
    outcomes = collect(executor, items)
    assert outcomes[0].ok and outcomes[0].result.startswith("survived in")
    assert (tmp_path / "died").read_text() not in outcomes[0].result  # a fresh process ran it the second time
    assert not outcomes[1].ok and str(outcomes[1].error) == DIED_TWICE
    assert outcomes[2].result == 2 and outcomes[3].result == 4  # the others finish, each once
    assert isinstance(outcomes[4].error, ValueError) and "bad item" in outcomes[4].trace


@pytest.mark.parametrize("kind", ["inline", "local", "dask"])
def test_a_stop_decided_on_a_barrier_event_ends_the_item_right_there(kind, request) -> None:
    executor = InlineExecutor() if kind == "inline" else request.getfixturevalue(kind if kind == "local" else "cluster")
    stop_at = {0: 3, 1: 5}

    def on_progress(index: int, event: Step) -> None:
        if event.n >= stop_at.get(index, 10**9):
            executor.stop_item(index)

    items = [(f"{HERE}:steps", {"most": 40, "sleep": 0.002}) for _ in range(3)]
    outcomes = collect(executor, items, on_progress)
    assert [outcomes[i].result for i in range(3)] == [3, 5, 40]


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_stop_keeps_what_finished_and_never_starts_the_rest(kind, request) -> None:
    executor = request.getfixturevalue(kind if kind == "local" else "cluster")
    items = [(f"{HERE}:double", {"x": 5})] + [(f"{HERE}:steps", {"most": 10**6, "sleep": 0.01})] * 4
    seen: list[int] = []
    outcomes = collect(executor, items, lambda i, e: seen.append(i), should_stop=lambda: len(seen) >= 20)
    assert outcomes[0].result == 10
    stopped_running = [o for o in outcomes.values() if o.ok and o.index > 0]
    assert stopped_running and all(o.result < 10**6 for o in stopped_running)  # came back as they were
    assert all(o.cancelled for o in outcomes.values() if not o.ok)
    assert sum(o.cancelled for o in outcomes.values()) >= 2  # 2 workers: the others never started


def test_workers_are_kept_between_runs_inside_with() -> None:
    executor = LocalExecutor(1, 1)
    with executor:
        first = collect(executor, [(f"{HERE}:pid", {})])
        second = collect(executor, [(f"{HERE}:pid", {})])
    assert first[0].result == second[0].result != os.getpid()


def test_a_worker_killed_between_runs_is_replaced_and_loses_nothing() -> None:
    executor = LocalExecutor(1, 1)
    with executor:
        first = collect(executor, [(f"{HERE}:pid", {})])
        os.kill(first[0].result, signal.SIGKILL)  # idle, between two batches of a search
        executor._pool[0].process.join(10)
        second = collect(executor, [(f"{HERE}:double", {"x": 4})])
    assert second[0].ok and second[0].result == 8


def pid(payload: dict, report, should_stop) -> int:
    return os.getpid()


def niceness(payload: dict, report, should_stop) -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(
    not hasattr(os, "getpriority") or os.getpriority(os.PRIO_PROCESS, 0) > 19 - BACKGROUND_NICENESS,
    reason="nice values are a Unix notion, and this process is too low already to see a worker go lower",
)
def test_the_window_s_worker_processes_run_below_it_and_the_command_line_s_do_not(monkeypatch) -> None:
    """Background work yields the CPU to the window (whose GUI thread waited for a CPU behind two workers); the
    command line's workers keep its priority."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    with LocalExecutor(1, 1) as executor:
        assert collect(executor, [(f"{HERE}:niceness", {})])[0].result == own
    monkeypatch.setattr(runtime, "_workers_in_background", True)  # as create_application does
    with LocalExecutor(1, 1) as executor:
        assert collect(executor, [(f"{HERE}:niceness", {})])[0].result == own + BACKGROUND_NICENESS


def tagged(payload: dict, report, should_stop) -> str:
    report(Step(1))
    if payload["tag"] == "bad":
        raise ValueError("bad item")
    return payload["tag"]


class Job:
    """A job of tagged items, recording what reaches it."""

    def __init__(self, tags: list[str], stages: list[int], costs: list[float]) -> None:
        self.items = [(f"{HERE}:tagged", {"tag": tag}) for tag in tags]
        self.stages, self.costs = stages, costs
        self.outcomes: dict[int, object] = {}
        self.progress: list[int] = []

    def on_outcome(self, outcome) -> None:
        self.outcomes[outcome.index] = outcome

    def on_progress(self, index: int, event) -> None:
        self.progress.append(index)


def test_jobs_share_one_run_stage_by_stage_longest_first_each_hearing_its_own_items() -> None:
    from lstm_desktop.core.executors.jobs import run_jobs

    first = Job(["a0", "a1", "bad"], [0, 1, 1], [5.0, 1.0, 3.0])
    second = Job(["b0", "b1"], [0, 1], [9.0, 2.0])
    started: list[str] = []
    ended: list[tuple[int, int]] = []

    class Recording(InlineExecutor):
        def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
            started.extend(payload["tag"] for _, payload in items)
            super().run(items, on_outcome, on_progress, should_stop)

    run_jobs(Recording(), [first, second], lambda: False, lambda j: ended.append((j, len(started))))
    assert started == ["b0", "a0", "bad", "b1", "a1"]  # every run on all the data first, then the longest
    assert {i: o.result for i, o in first.outcomes.items() if o.ok} == {0: "a0", 1: "a1"}
    assert isinstance(first.outcomes[2].error, ValueError)  # the failing item is its own job's, by its own number
    assert {i: o.result for i, o in second.outcomes.items()} == {0: "b0", 1: "b1"}
    assert sorted(first.progress) == [0, 1, 2] and sorted(second.progress) == [0, 1]
    assert [j for j, _ in ended] == [1, 0]  # each job announced once, when its last item ended


SMALL = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=3, patience=0, threads=1),
    forecast_days=3,
)


def without_clocks(runs) -> list[dict]:
    """Runs' reports as JSON, less what a clock measures (and how many workers ran a backtest: the local pool's, the
    cluster's)."""
    return [{"name": name, "report": less_timings(to_json(finished.report))} for name, finished in runs]


def test_a_sweep_on_dask_equals_the_local_one(local, cluster) -> None:
    from lstm_desktop.core.sweep.runner import sweep
    from lstm_desktop.core.sweep.targets import load_targets

    config = dataclasses.replace(SMALL, data=dataclasses.replace(SMALL.data, tickers=()))
    targets = load_targets(dataclasses.replace(config.data, tickers=("IBM", "AAPL", "NOPE")))
    here = sweep(config, targets, executor=local)
    remote = sweep(config, targets, executor=cluster)
    assert remote.report.rows[2].error == here.report.rows[2].error and here.report.rows[2].error
    assert len(here.runs) == 2 and without_clocks(remote.runs) == without_clocks(here.runs)


def test_a_sweep_with_backtests_on_dask_equals_the_local_one(local, cluster) -> None:
    from lstm_desktop.core.specs import BacktestSpec
    from lstm_desktop.core.sweep.report import SweepProgress
    from lstm_desktop.core.sweep.runner import sweep
    from lstm_desktop.core.sweep.targets import load_targets

    config = dataclasses.replace(SMALL, data=dataclasses.replace(SMALL.data, tickers=()))
    targets = load_targets(dataclasses.replace(config.data, tickers=("IBM", "AAPL")))
    spec = BacktestSpec(folds=2, fold_days=10)
    seen: list[SweepProgress] = []
    here = sweep(config, targets, spec, executor=local)
    remote = sweep(config, targets, spec, executor=cluster, on_event=seen.append)
    assert [len(r.backtest.folds) for r in remote.report.rows] == [2, 2]
    assert without_clocks(remote.runs) == without_clocks(here.runs)
    followed = {t for e in seen if isinstance(e, SweepProgress) for t, s in e.running.items() if s.folds == 2}
    assert followed == {"IBM", "AAPL"}  # each ticker's folds followed from the cluster's workers


def test_a_search_on_dask_equals_the_local_one(local, cluster, tmp_path) -> None:
    from lstm_desktop.core.search.runner import search
    from lstm_desktop.core.search.space import parse_space
    from lstm_desktop.core.search.spec import SearchSpec

    frames = tuple(load_prices(SMALL.data))
    space = parse_space("lr=1e-4:1e-1:log,hidden=2:8")
    spec = SearchSpec(trials=6, batch=3, startup_trials=3, prune_after=2, warmup_epochs=0)
    here = search(SMALL, space, spec, frames, executor=local, journal=tmp_path / "here.jsonl")
    remote = search(SMALL, space, spec, frames, executor=cluster, journal=tmp_path / "remote.jsonl")
    rows = [[(t.number, t.state, t.params, t.val_rmse, t.epochs) for t in r.report.trials] for r in (here, remote)]
    assert rows[0] == rows[1] and any(t.state == "pruned" for t in here.report.trials)
    assert without_clocks(remote.runs) == without_clocks(here.runs)
    assert remote.report.best == here.report.best and remote.report.workers == 2


def test_cluster_addresses_are_checked_before_connecting() -> None:
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.executors.cluster import DaskExecutor, TlsFiles, check_address

    assert check_address("10.0.0.5:8786", None) == "tcp://10.0.0.5:8786"
    with pytest.raises(BadInput, match="starts with tcp:// or tls://"):
        DaskExecutor("http://10.0.0.5:8786")
    with pytest.raises(BadInput, match="needs --tls-ca, --tls-cert and --tls-key"):
        check_address("tls://10.0.0.5:8786", None)
    with pytest.raises(BadInput, match="use the tls:// address"):
        check_address("tcp://10.0.0.5:8786", TlsFiles("ca.pem", "c.pem", "c.key"))


def test_an_unreachable_scheduler_is_data_unavailable_in_words() -> None:
    pytest.importorskip("distributed")
    from lstm_desktop.core.executors.cluster import DaskExecutor
    from lstm_desktop.core.executors.items import ClusterUnavailable

    unreachable = DaskExecutor("tcp://127.0.0.1:9", threads=1, connect_seconds=1)
    with pytest.raises(ClusterUnavailable, match="Cannot reach the Dask scheduler at tcp://127.0.0.1:9"), unreachable:
        pass


def test_events_cross_to_the_parent_as_json_and_only_dataclasses_come_back() -> None:
    import json

    from lstm_desktop.core.executors.items import ItemFailed
    from lstm_desktop.core.executors.wire import event_from_wire, event_to_wire
    from lstm_desktop.core.search.report import TrialEpoch

    event = TrialEpoch(3, 2, 10, 0.25, 0.5, 1.5)
    text = event_to_wire(event)
    assert json.loads(text)["type"] == "lstm_desktop.core.search.report:TrialEpoch"
    assert event_from_wire(text) == event
    with pytest.raises(ItemFailed, match="unknown kind"):
        event_from_wire(json.dumps({"type": "os:system", "fields": {}}))
