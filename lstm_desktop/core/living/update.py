"""Update a run's model on the prices that arrived since: a new run whose parent is the old one, the old run and
its frozen forecast untouched.

By default the update continues from the old run's weights (a warm start: it fine-tunes, stopping after 3 epochs
without gain, as a backtest's warm-started fold does) or, with `refit`, trains afresh from the same seed. Splits
follow the data: the old run's training and validation days are kept (a split by dates from the old run's first
validation and test day), so the scalers fitted on them are the same and the new days go to test; `all_days`
splits the extended prices as a new run would (the newer days then move the training and validation periods on).

Several runs (a sweep's tickers) are items for an executor, like a sweep's runs: local worker processes or a Dask
cluster, each with the same fixed thread count, so the results do not depend on how many workers ran them.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import BadInput, failure_text
from ..events import Listener, StopCheck, ignore, never
from ..executors.items import Outcome
from ..executors.runs import decode_run
from ..specs import RunConfig
from .newest import newest_frames
from .spec import UpdateSpec

if TYPE_CHECKING:
    from ..data.prices import PriceFrame
    from ..run import FinishedRun
    from ..store.project import NewRun, Project, StoredRun

ITEM = "lstm_desktop.core.living.work:update_item"


@dataclass(frozen=True)
class UpdatePlan:
    """One run to update: the run, the settings of its update, the prices it trains on, and whether it starts from
    the run's weights."""

    parent: StoredRun
    config: RunConfig
    frames: tuple[PriceFrame, ...]
    warm: bool

    @property
    def name(self) -> str:
        how = "updated" if self.warm else "refit"
        return f"{self.parent.name} ({how} to {aligned_end(self.frames):%Y-%m-%d})"


@dataclass(frozen=True)
class UpdateProgress:
    """An epoch of one update, as a worker reports it."""

    run: str
    epoch: int
    epochs: int


@dataclass(frozen=True)
class UpdateResult:
    """The updates that finished (each with its parent's plan), the ones that failed and why, and whether a failure
    outside any one run ended it early (a lost cluster)."""

    runs: tuple[tuple[UpdatePlan, FinishedRun], ...]
    errors: tuple[tuple[UpdatePlan, BaseException], ...]
    workers: int
    seconds: float
    stopped: bool
    failure: BaseException | None = None


def aligned_end(frames: tuple[PriceFrame, ...]) -> pd.Timestamp:
    """The last day every ticker has a price (what a run trains up to)."""
    index = frames[0].frame.index
    for other in frames[1:]:
        index = index.intersection(other.frame.index)
    return index[-1]


def update_frames(parent: StoredRun, newest: dict[str, PriceFrame]) -> tuple[PriceFrame, ...]:
    """The project's newest prices of the run's tickers, from the run's own first day (so its training rows are
    the same ones). `newest` is the project's newest_frames and the run one of its runs: it names every ticker."""
    frames = []
    for old in parent.data.frames:
        new = newest[old.ticker]
        keep = new.frame.index >= old.frame.index[0]
        frames.append(dataclasses.replace(new, frame=new.frame.loc[keep].copy(), repairs=list(new.repairs)))
    return tuple(frames)


def update_config(parent: StoredRun, frames: tuple[PriceFrame, ...], spec: UpdateSpec) -> RunConfig:
    """The old run's settings for its update: no end date, the split kept by dates (or re-split: all_days), the
    warm start's patience."""
    from ..backtest.work import warm_config

    settings = parent.report.settings
    data = dataclasses.replace(settings.data, end=None)
    target = frames[0]
    if data.source == "csv" and isinstance(target.request.get("path"), str):
        data = dataclasses.replace(data, csv_path=target.request["path"])
    if spec.all_days:
        dataset = dataclasses.replace(settings.dataset, val_start=None, test_start=None)
    else:
        val_start, test_start = _kept_split(parent, frames)
        dataset = dataclasses.replace(settings.dataset, val_start=val_start, test_start=test_start)
    config = dataclasses.replace(settings, data=data, dataset=dataset)
    config = warm_config(config) if not spec.refit else config
    config.validate()
    return config


def _kept_split(parent: StoredRun, frames: tuple[PriceFrame, ...]) -> tuple[str, str]:
    """The old run's first validation and test day (a run that never scored test: the day after validation)."""
    split = parent.report.split
    if "test" in split:
        return split["val"][0], split["test"][0]
    dates = frames[0].frame.index
    after = dates[dates > pd.Timestamp(split["val"][1])]
    if after.empty:
        raise BadInput(f"Run {parent.name} has no day after its validation period to test on.")
    return split["val"][0], f"{after[0]:%Y-%m-%d}"


def plan_updates(project: Project, runs: list[StoredRun], spec: UpdateSpec) -> tuple[list[UpdatePlan], list[str]]:
    """What to update, and a note for each run with nothing to do: nothing new to learn (its prices, or one of its
    input tickers' prices, end where the project's do), or an update with the same settings already made (a cron
    job asking twice must not add the same run twice)."""
    spec.validate()
    newest = newest_frames(project)
    plans, notes = [], []
    for parent in runs:
        frames = update_frames(parent, newest)
        end = aligned_end(frames)
        if end <= pd.Timestamp(parent.report.data.end):
            notes.append(_nothing_new(parent, frames))
            continue
        plan = UpdatePlan(parent, update_config(parent, frames, spec), frames, warm=not spec.refit)
        twin = _same_update(project, plan)
        if twin is not None:
            notes.append(f"{parent.name}: updated to {end:%Y-%m-%d} with these settings already ({twin.name}, "
                         f"{twin.id}); nothing to do.")  # fmt: skip
            continue
        plans.append(plan)
    return plans, notes


def _nothing_new(parent: StoredRun, frames: tuple[PriceFrame, ...]) -> str:
    """Why a run has nothing new: the project's prices end where its training did, or an input ticker lags."""
    trained_to = pd.Timestamp(parent.report.data.end)
    target_end = frames[0].frame.index[-1]
    lagging = [f.ticker for f in frames[1:] if f.frame.index[-1] <= trained_to]
    if target_end > trained_to and lagging:
        names = ", ".join(lagging)
        return (f"{parent.name}: {frames[0].ticker} has prices up to {target_end:%Y-%m-%d}, but its input {names} "
                f"has none after {parent.report.data.end}. Refresh {names} too, then update.")  # fmt: skip
    return (f"{parent.name}: nothing new; it trained on prices up to {parent.report.data.end} and the project "
            "has none later. Refresh the prices first.")  # fmt: skip


def _same_update(project: Project, plan: UpdatePlan) -> StoredRun | None:
    """An earlier update of the same run to the same day with the same settings (threads aside), if any."""

    def plain(config: RunConfig) -> RunConfig:
        return dataclasses.replace(config, train=dataclasses.replace(config.train, threads=1))

    wanted = plain(plan.config)
    for run in project.good_runs:
        report = run.report
        if report.parent == plan.parent.id and run.name == plan.name and plain(report.settings) == wanted:
            return run
    return None


def runs_to_update(project: Project, run_ids: list[str], every_ticker: bool) -> list[StoredRun]:
    """The runs asked for (ids or names), the newest run of each target ticker, or the current run."""
    from ..store.project import DamagedRun

    if every_ticker and run_ids:
        raise BadInput("Give either runs to update or every ticker, not both (--run or --every-ticker).")
    if every_ticker:
        newest: dict[str, StoredRun] = {}
        for run in project.good_runs:
            newest[run.report.data.ticker] = run
        chosen = list(newest.values())
    elif run_ids:
        chosen = [project.find(run_id) for run_id in run_ids]
    else:
        chosen = [project.current] if project.current is not None else []
    for run in chosen:
        if isinstance(run, DamagedRun):
            raise BadInput(f"Run {run.name!r} ({run.id}) cannot be read, so it cannot be updated: {run.problem}")
    if not chosen:
        raise BadInput("This project has no run to update: train a model first (then refresh its prices).")
    return list({run.id: run for run in chosen}.values())


def update_runs(
    plans: list[UpdatePlan],
    *,
    executor: Any = None,
    on_event: Listener = ignore,
    should_stop: StopCheck = never,
) -> UpdateResult:
    """Run every plan (one in this thread unless an executor is given; several as executor items), with parents."""
    from ..executors.choose import executor_for
    from ..executors.inline import InlineExecutor

    started = time.perf_counter()
    if executor is None:
        if len(plans) == 1:
            executor = InlineExecutor(plans[0].config.train.threads)
        else:
            threads = max(1, *(p.config.train.threads for p in plans))
            executor = executor_for(0, threads, items=len(plans))
    if not isinstance(executor, InlineExecutor):  # workers: one fixed thread count, as a sweep's runs
        plans = [_with_threads(plan, executor.threads) for plan in plans]
    items = [(ITEM, _payload(plan)) for plan in plans]
    done: dict[int, FinishedRun] = {}
    errors: dict[int, BaseException] = {}
    stopped = {"asked": False}

    def stop_check() -> bool:
        stopped["asked"] = stopped["asked"] or should_stop()
        return stopped["asked"]

    def on_outcome(outcome: Outcome) -> None:
        plan = plans[outcome.index]
        if not outcome.ok:
            errors[outcome.index] = outcome.error
            return
        finished = decode_run(outcome.result, plan.frames, plan.parent.name)
        done[outcome.index] = with_parent(finished, plan.parent.id)

    failure = None
    try:
        executor.run(items, on_outcome, lambda index, event: on_event(event), stop_check)
    except Exception as exc:  # the cluster went away: what ended is kept, the others say why
        failure = exc
        for index in range(len(plans)):
            if index not in done and index not in errors:
                errors[index] = BadInput(f"not run: the update ended early ({failure_text(exc)})")
    runs = tuple((plans[i], done[i]) for i in sorted(done))
    failed = tuple((plans[i], errors[i]) for i in sorted(errors))
    return UpdateResult(runs, failed, executor.workers, round(time.perf_counter() - started, 3), stopped["asked"],
                        failure)  # fmt: skip


def _with_threads(plan: UpdatePlan, threads: int) -> UpdatePlan:
    train = dataclasses.replace(plan.config.train, threads=threads)
    return dataclasses.replace(plan, config=dataclasses.replace(plan.config, train=train))


def _payload(plan: UpdatePlan) -> dict:
    """Plain data for a worker: settings, prices, and the weights to start from (safetensors bytes) if warm."""
    return {
        "run": plan.parent.id,
        "config": plan.config,
        "frames": plan.frames,
        "initial": plan.parent.weights_bytes if plan.warm else None,
        "inputs": len(plan.parent.report.inputs),
    }


def with_parent(finished: FinishedRun, parent: str) -> FinishedRun:
    """The run, its report naming the run it was updated from."""
    return dataclasses.replace(finished, report=dataclasses.replace(finished.report, parent=parent))


def keep_updates(project: Project, result: UpdateResult) -> list[StoredRun]:
    """Each finished update into the project (the last becomes current); a stopped one is kept too, as train keeps
    a stopped run."""
    return [made.run for made in add_updates(project, result)]


def add_updates(project: Project, result: UpdateResult) -> list[NewRun]:
    """`keep_updates`, each run with the forecast it logged (a worker's snapshot hands both to the window)."""
    return [project.add_new(finished, plan.name) for plan, finished in result.runs]
