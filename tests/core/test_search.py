"""Hyperparameter search: the test split is looked at once, for the best trial, after every trial ended; a search
built to prune prunes (and the pruned runs stop where the parent decided); the same settings give the same trials
whatever order they finish in and however many workers run them; a stop keeps what finished; bad spaces are
refused naming the part and the settings a search knows."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lstm_desktop.bench.identity import less_timings
from lstm_desktop.core.codec import to_json
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.executors.local import LocalExecutor
from lstm_desktop.core.search.journal import drop_torn_tail, journal_path, open_storage
from lstm_desktop.core.search.report import TrialEnded
from lstm_desktop.core.search.runner import search
from lstm_desktop.core.search.space import parse_space
from lstm_desktop.core.search.spec import SearchSpec
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2011-01-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=3, patience=0, threads=1),
    forecast_days=3,
)
SPACE = parse_space("lr=1e-4:1e-1:log,hidden=2:8")
PRUNING = SearchSpec(trials=8, batch=4, startup_trials=4, prune_after=2, warmup_epochs=0)


@pytest.fixture(scope="module")
def frames():
    return tuple(load_prices(CONFIG.data))


@pytest.fixture(scope="module")
def local():
    """Two local worker processes (1 thread each), kept warm for the whole module."""
    with LocalExecutor(2, 1) as executor:
        yield executor


def table(result) -> list[tuple]:
    return [(t.number, t.state, t.params, t.val_loss, t.val_rmse, t.epochs, t.error) for t in result.report.trials]


def comparable(result) -> list[dict]:
    """Every kept run's report as JSON, less what a clock measures."""
    rows = []
    for name, finished in result.runs:
        report = less_timings(to_json(finished.report))
        rows.append({"name": name.split(", ")[-1], "report": report})  # "search N, trial K": N is the journal's
    return rows


class Reversed(InlineExecutor):
    """Runs a batch's trials last first: they finish in the opposite order."""

    def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
        order = list(reversed(range(len(items))))
        super().run(
            [items[i] for i in order],
            lambda o: on_outcome(dataclasses.replace(o, index=order[o.index])),
            None if on_progress is None else lambda i, e: on_progress(order[i], e),
            should_stop,
        )

    def stop_item(self, index: int) -> None:
        super().stop_item(len(self._book.tries) - 1 - index)


def test_the_test_split_is_scored_once_for_the_best_after_every_trial_ended(frames, tmp_path, monkeypatch) -> None:
    import lstm_desktop.core.assess.assessment as assessment

    timeline: list[str] = []
    real = assessment.assess

    def spy(dataset, model, forecast_days, score_test=True, **options):
        timeline.append("test scored" if score_test else "validation scored")
        return real(dataset, model, forecast_days, score_test, **options)

    monkeypatch.setattr(assessment, "assess", spy)

    def on_event(event) -> None:
        if isinstance(event, TrialEnded):
            timeline.append("trial ended")

    spec = SearchSpec(trials=4, batch=2, startup_trials=2, prune_after=10)
    result = search(
        CONFIG, SPACE, spec, frames, executor=InlineExecutor(), journal=tmp_path / "s.jsonl", on_event=on_event
    )
    assert timeline.count("test scored") == 1 and timeline[-1] == "test scored"
    assert timeline.count("trial ended") == 4 and "test scored" not in timeline[:-1]
    best = result.report.best
    runs = dict(result.runs)
    for name, finished in runs.items():
        has_test = name == best.run
        assert ("test" in finished.report.metrics) is has_test and ("test" in finished.report.split) is has_test
        assert ("test" in finished.report.band.coverage) is has_test
    assert best.test == runs[best.run].report.metrics["test"]
    assert best.val_rmse == min(t.val_rmse for t in result.report.trials if t.state == "complete")
    document = json.loads(json.dumps(result.report.document(), allow_nan=False))
    assert {"model", "persistence", "skill"} <= set(document["best"]["test"])


def test_the_late_test_score_is_what_an_ordinary_run_would_have_scored(frames, tmp_path, one_thread) -> None:
    from lstm_desktop.core.run import run
    from lstm_desktop.core.search.space import apply

    spec = SearchSpec(trials=2, batch=2, startup_trials=2)
    result = search(CONFIG, SPACE, spec, frames, executor=InlineExecutor(), journal=tmp_path / "s.jsonl")
    best = result.report.best
    ordinary = run(apply(CONFIG, best.params), frames).report
    scored = dict(result.runs)[best.run].report
    assert scored.metrics == ordinary.metrics and to_json(scored.band) == to_json(ordinary.band)
    assert scored.split == ordinary.split and to_json(scored.predictions) == to_json(ordinary.predictions)


def test_a_search_built_to_prune_prunes_where_the_parent_decided(frames, tmp_path, local) -> None:
    import optuna

    path = tmp_path / "prune.jsonl"
    result = search(CONFIG, SPACE, PRUNING, frames, executor=local, journal=path)
    pruned = [t for t in result.report.trials if t.state == "pruned"]
    assert pruned and all(t.epochs < CONFIG.train.epochs for t in pruned)
    runs = dict(result.runs)
    study = optuna.load_study(study_name=result.report.study, storage=open_storage(path))
    for record in pruned:
        report = runs[record.run].report
        assert report.stopped == "pruned" and len(report.history) == record.epochs
        frozen = study.trials[record.number]
        assert frozen.state.name == "PRUNED" and sorted(frozen.intermediate_values) == list(range(1, record.epochs + 1))
    assert {t.state.name for t in study.trials} <= {"COMPLETE", "PRUNED"}


def test_the_same_settings_give_the_same_trials_whatever_the_finish_order(frames, tmp_path, one_thread) -> None:
    forward = search(CONFIG, SPACE, PRUNING, frames, executor=InlineExecutor(), journal=tmp_path / "a.jsonl")
    backward = search(CONFIG, SPACE, PRUNING, frames, executor=Reversed(), journal=tmp_path / "b.jsonl")
    assert table(forward) == table(backward) and comparable(forward) == comparable(backward)
    assert any(t.state == "pruned" for t in forward.report.trials)


def test_one_or_two_workers_give_the_same_trials(frames, tmp_path, local) -> None:
    one = search(CONFIG, SPACE, PRUNING, frames, executor=LocalExecutor(1, 1), journal=tmp_path / "s.jsonl")
    two = search(CONFIG, SPACE, PRUNING, frames, executor=local, journal=tmp_path / "s.jsonl")
    assert (one.report.study, two.report.study) == ("search 1", "search 2")  # one journal, two studies
    assert table(one) == table(two) and comparable(one) == comparable(two)


def test_stop_keeps_the_finished_trials(frames, tmp_path, local) -> None:
    ended: list = []

    def on_event(event) -> None:
        if isinstance(event, TrialEnded):
            ended.append(event.record)

    slow = dataclasses.replace(CONFIG, train=dataclasses.replace(CONFIG.train, epochs=150))
    spec = SearchSpec(trials=8, batch=4, startup_trials=8)
    result = search(
        slow, SPACE, spec, frames, executor=local, journal=tmp_path / "s.jsonl",
        on_event=on_event, should_stop=lambda: any(r.state != "failed" for r in ended),
    )  # fmt: skip
    report = result.report
    assert report.stopped and report.best is not None
    kept = [t for t in report.trials if t.state == "complete"]
    assert kept and all(t.epochs == 150 for t in kept) and len(result.runs) == len(kept)
    assert all(t.error == "stopped before it finished" for t in report.trials if t.state == "failed")
    assert len(report.trials) < 8


def test_a_failed_trial_is_reported_with_its_message_and_the_others_go_on(frames, tmp_path, one_thread) -> None:
    class SecondFails(InlineExecutor):
        def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
            items = [(("tests.core.test_search:refuse" if i == 1 else fn), p) for i, (fn, p) in enumerate(items)]
            super().run(items, on_outcome, on_progress, should_stop)

    spec = SearchSpec(trials=4, batch=2, startup_trials=4)
    result = search(CONFIG, SPACE, spec, frames, executor=SecondFails(), journal=tmp_path / "s.jsonl")
    states = [(t.number, t.state, t.error) for t in result.report.trials]
    assert states[1] == (1, "failed", "no good") and states[3] == (3, "failed", "no good")
    assert [s for _, s, _ in states[::2]] == ["complete", "complete"] and len(result.runs) == 2


def refuse(payload, report, should_stop):
    raise BadInput("no good")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hiden=4:8", "unknown setting 'hiden'; settings a search knows: window, hidden, layers"),
        ("hidden=16-128", "'hidden=16-128': give a range low:high or choices a\\|b"),
        ("layers=1|1", "give two or more different choices"),
        ("hidden=0:128", "Hidden size must be between 1 and 2048, not 0"),
        ("dropout=0:0.5:log", "a log range must start above 0"),
        ("lr=1e-2:1e-4", "the low end must be below the high end"),
        ("target_mode=price|spot", "'spot' is not one of log_return, price, price_level"),
        ("inputs=Close|Clos", "unknown input column 'Clos'"),
        ("window=10:20,window=30:40", "window is given twice"),
        ("hidden=2.5:8", "'2.5' is not a whole number"),
        ("", "The search space is empty"),
    ],
)
def test_a_bad_space_is_refused_naming_the_part(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_space(text)


def test_a_window_range_that_cannot_fit_is_refused_before_training(frames, tmp_path) -> None:
    with pytest.raises(BadInput, match="Search space window up to 500: Too little data for the train split"):
        search(CONFIG, parse_space("window=10:500"), SearchSpec(trials=2), frames, journal=tmp_path / "s.jsonl")
    assert not (tmp_path / "s.jsonl").exists()


def test_the_journal_sits_beside_the_project_and_survives_a_torn_line(tmp_path) -> None:
    assert journal_path(tmp_path / "work.lstmproj") == tmp_path / "work.search.jsonl"
    assert journal_path(None).name == "searches.jsonl"
    path = tmp_path / "j.jsonl"
    first = b'{"op_code": 0, "worker_id": "w", "study_name": "search 1", "directions": [1]}\n'
    path.write_bytes(first + b'{"op_code": 5, "tri')
    assert drop_torn_tail(path) and path.read_bytes() == first
    assert not drop_torn_tail(path)


class LostOnSecondBatch(InlineExecutor):
    """The cluster goes away when the second batch is sent."""

    calls = 0

    def run(self, items, on_outcome, on_progress=None, should_stop=lambda: False) -> None:
        from lstm_desktop.core.executors.items import ClusterUnavailable

        self.calls += 1
        if self.calls == 2:
            raise ClusterUnavailable("Cannot reach the Dask scheduler at tcp://10.0.0.9:8786")
        super().run(items, on_outcome, on_progress, should_stop)


def test_a_cluster_lost_midway_keeps_the_trials_that_ended_and_scores_their_best(frames, tmp_path, one_thread):
    spec = SearchSpec(trials=4, batch=2, startup_trials=2)
    result = search(CONFIG, SPACE, spec, frames, executor=LostOnSecondBatch(), journal=tmp_path / "j.jsonl")
    assert [t.number for t in result.report.trials] == [0, 1] and len(result.runs) == 2
    assert "Cannot reach the Dask scheduler" in result.report.error and result.failure is not None
    best = result.report.best
    assert best is not None and "test" in dict(result.runs)[best.run].report.metrics
