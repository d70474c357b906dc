"""A hyperparameter search from start to end: refuse what cannot fit, open the journal, run batches of trials in
the executor's workers until the budget is spent or the user stops, then score the best trial on the test split.

Never the same settings twice in a study (`distinct.py`): a space whose every setting was tried stops the search,
which says so. Reproducible: the sampler is made again for every batch with a seed derived from the number of
trials the study holds, the batch's trials are asked in order and told in order after all of them ended, and a
trial is pruned on epoch reports only after the worker waited for the parent's decision. So the same settings,
data and seed give the same trials whatever order they finish in and however many workers (local or on a
cluster) run them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lstm_desktop import __version__

from ..codec import to_json
from ..data.prices import PriceFrame
from ..errors import BadInput, failure_text
from ..events import Listener, PricesLoaded, StopCheck, ignore, never
from ..specs import RunConfig
from .batch import Batch, run_name
from .held_out import score_on_test
from .journal import journal_path, new_study, open_storage
from .pruning import SameTargetMedianPruner
from .report import BestTrial, JournalNote, SearchProgress, SearchReport, SearchResult, TrialEnded, TrialRecord
from .space import SearchSpace, apply
from .spec import SearchSpec


def sampler_seed(seed: int, trials_so_far: int) -> int:
    """The sampler's seed for the next batch: a function of the journal alone, so a batch's proposals never depend
    on how the ones before it were timed (Optuna does not store the sampler's random state)."""
    return (seed * 100_003 + trials_so_far) % 2**32


def distributions(space: SearchSpace) -> dict[str, Any]:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    found: dict[str, Any] = {}
    for d in space.dimensions:
        if d.choices:
            found[d.name] = CategoricalDistribution(d.choices)
        elif isinstance(d.low, int) and isinstance(d.high, int):
            found[d.name] = IntDistribution(d.low, d.high, log=d.log, step=d.step or 1)
        else:
            found[d.name] = FloatDistribution(float(d.low), float(d.high), log=d.log)
    return found


def refuse_what_cannot_fit(config: RunConfig, space: SearchSpace, frames: tuple[PriceFrame, ...]) -> None:
    """Refuse before anything trains a space whose largest window leaves a split without enough windows."""
    rows = min(len(f.frame) for f in frames)
    widest = {d.name: (d.high if not d.choices else max(d.choices)) for d in space.dimensions if d.name == "window"}
    problem = apply(config, widest).dataset.size_problem(rows) if widest else config.dataset.size_problem(rows)
    if problem:
        where = f"Search space window up to {widest['window']}: " if widest else ""
        raise BadInput(where + problem)


class Tracker:
    """The search's progress across batches: the budget, what ended, the best so far; tells the listener."""

    def __init__(self, spec: SearchSpec, on_event: Listener) -> None:
        self.spec, self.on_event = spec, on_event
        self.started = time.perf_counter()
        self.asked = 0
        self.records: list[TrialRecord] = []
        self.running: dict[int, tuple[int, int]] = {}
        self.user_stopped = False
        self.failure: BaseException | None = None  # what ended the search early, if anything did
        self.exhausted: int | None = None  # the space's size, when every setting of it was tried before the budget

    def out_of_time(self) -> bool:
        return bool(self.spec.minutes) and time.perf_counter() - self.started >= self.spec.minutes * 60

    def next_batch(self) -> int:
        """How many trials the next batch asks (0: the budget is spent)."""
        if self.user_stopped or self.out_of_time():
            return 0
        left = self.spec.trials - self.asked if self.spec.trials else self.spec.batch
        return max(0, min(self.spec.batch, left))

    def stop_check(self, should_stop: StopCheck, executor: Any) -> Callable[[], bool]:
        """The executor's stop check: the user's stop; past the time budget, trials not started never start."""
        state = {"late": False}

        def check() -> bool:
            if not state["late"] and self.out_of_time():
                state["late"] = True
                executor.stop_pending()
            self.user_stopped = self.user_stopped or should_stop()
            return self.user_stopped

        return check

    def epoch(self, number: int, epoch: int, epochs: int) -> None:
        self.running[number] = (epoch, epochs)
        self._tell()

    def ended(self, record: TrialRecord) -> None:
        self.running.pop(record.number, None)
        self.records.append(record)
        self.on_event(TrialEnded(record))
        self._tell()

    def _tell(self) -> None:
        done = [r for r in self.records if r.state == "complete"]
        best = min(done, key=lambda r: (r.val_rmse, r.number)) if done else None
        self.on_event(
            SearchProgress(
                ended=len(self.records),
                trials=self.spec.trials,
                running=dict(self.running),
                best_number=best.number if best else None,
                best_val_rmse=best.val_rmse if best else None,
                pruned=sum(r.state == "pruned" for r in self.records),
                failed=sum(r.state == "failed" for r in self.records),
                seconds=time.perf_counter() - self.started,
            )
        )


def search(
    config: RunConfig,
    space: SearchSpace,
    spec: SearchSpec | None = None,
    frames: tuple[PriceFrame, ...] | list[PriceFrame] | None = None,
    *,
    executor: Any = None,
    journal: str | Path | None = None,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
    runs: Iterable[str] = (),
    fresh_journal: bool = False,
) -> SearchResult:
    """Search `space` around `config`; every complete or pruned trial comes back as a run named "search S, trial N".
    `runs`: the names of the runs the project holds (the study's number avoids theirs); `fresh_journal`: move the
    journal aside and start a new one."""
    from ..data.sources import load_prices
    from ..executors.choose import executor_for
    from .distinct import ask_batch, space_size, untried

    spec = spec or SearchSpec()
    config.validate()
    spec.validate()
    if frames is None:
        frames = load_prices(config.data)
        on_event(PricesLoaded(config.data, tuple(frames)))
    frames = tuple(frames)
    refuse_what_cannot_fit(config, space, frames)
    threads = config.train.threads or 1  # fixed, so a trial's result does not depend on where it ran
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, threads=threads))
    path = Path(journal) if journal is not None else journal_path(None)
    pruner = SameTargetMedianPruner(spec.prune_after, spec.warmup_epochs, config.dataset.target_mode)
    attrs = {"settings": to_json(config), "space": space.describe(), "search": to_json(spec), "app": __version__}
    storage = open_storage(path, lambda text: on_event(JournalNote(text)), fresh=fresh_journal)
    study = new_study(storage, pruner, attrs, runs)
    executor = executor or executor_for(spec.workers, threads, items=spec.batch)
    tracker = Tracker(spec, on_event)
    kept: list = []
    asked = distributions(space)
    with executor:
        while size := tracker.next_batch():
            left = untried(study, asked)
            if left < 1:  # every setting of the space was tried: say so and stop, never train one twice
                tracker.exhausted = int(space_size(asked))
                break
            size = int(min(size, left))
            seed = sampler_seed(config.train.seed, len(study.trials))
            trials = ask_batch(study, asked, seed, spec.startup_trials, size)
            tracker.asked += size
            batch = Batch(study.study_name, trials, config, frames, executor, tracker)
            try:
                batch.run(tracker.stop_check(should_stop, executor))
                kept += batch.tell(study)
            except Exception as exc:  # the cluster went away, the journal cannot be written...: keep what ended
                tracker.failure = exc
                kept += batch.ended()
                break
    return _result(study, space, spec, config, path, executor, tracker, kept)


def _result(study, space, spec, config, path, executor, tracker, kept) -> SearchResult:
    """The report, the best trial scored on the test split (now, and only now), the runs by name."""
    runs = {record.number: finished for record, finished in kept if finished is not None}
    complete = [record for record, _ in kept if record.state == "complete"]
    best = None
    if complete:
        top = min(complete, key=lambda r: (r.val_rmse, r.number))
        runs[top.number] = score_on_test(runs[top.number])
        with contextlib.suppress(Exception):  # a note in the journal; a journal that failed already is said
            study.set_user_attr("test_scored_for_trial", top.number)
        test = runs[top.number].report.metrics["test"]
        best = BestTrial(top.number, top.params, top.val_loss, top.val_rmse, top.run, test)
    report = SearchReport(
        space=space,
        spec=spec,
        seed=config.train.seed,
        study=study.study_name,
        journal=str(path),
        workers=executor.workers,
        threads=executor.threads,
        seconds=round(time.perf_counter() - tracker.started, 3),
        stopped=tracker.user_stopped,
        error=None if tracker.failure is None else failure_text(tracker.failure),
        exhausted=tracker.exhausted,
        trials=tuple(sorted((record for record, _ in kept), key=lambda r: r.number)),
        best=best,
    )
    named = tuple((run_name(study.study_name, number), runs[number]) for number in sorted(runs))
    return SearchResult(report, named, tracker.failure)
