"""Several jobs' items in one executor run, the most expensive first: with one worker per core the last items to
finish are then the short ones, so no core waits long for the others at the end (longest-processing-time-first).

A job is anything with `items` (what the executor runs), per item a `stage` and a `cost` (an estimate in any unit
shared by the jobs of a run), and the two callbacks, which see the job's own item numbers. Every job's stage-0
items start before any stage-1 item (a backtest's run on all the data before the folds: without it nothing of
that backtest is kept, so a stop or a failure wastes the least), each stage longest first. Light to import: no
torch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .book import Executor
from .items import Outcome


class Job(Protocol):
    items: Sequence[tuple[str, Any]]
    stages: Sequence[int]
    costs: Sequence[float]

    def on_outcome(self, outcome: Outcome) -> None: ...

    def on_progress(self, index: int, event: Any) -> None: ...


def longest_first(jobs: Sequence[Job]) -> list[tuple[int, int]]:
    """(job, item) pairs by stage, then by expected cost, the largest first; ties keep the jobs' order."""
    pairs = [(j, i) for j, job in enumerate(jobs) for i in range(len(job.items))]
    return sorted(pairs, key=lambda pair: (jobs[pair[0]].stages[pair[1]], -jobs[pair[0]].costs[pair[1]]))


def run_jobs(
    executor: Executor,
    jobs: Sequence[Job],
    should_stop: Callable[[], bool],
    on_ended: Callable[[int], None] = lambda job: None,
) -> None:
    """Every item of every job on `executor`, in `longest_first` order; `on_ended(j)` as soon as job j's last item
    has ended (finished, failed or cancelled by a stop). Returns when all have ended; raises what the executor
    raises (a lost cluster), leaving the jobs not ended unannounced."""
    order = longest_first(jobs)
    left = [len(job.items) for job in jobs]

    def on_outcome(outcome: Outcome) -> None:
        j, i = order[outcome.index]
        jobs[j].on_outcome(dataclasses.replace(outcome, index=i))
        left[j] -= 1
        if left[j] == 0:
            on_ended(j)

    def on_progress(index: int, event: Any) -> None:
        j, i = order[index]
        jobs[j].on_progress(i, event)

    items = [jobs[j].items[i] for j, i in order]
    if items:
        executor.run(items, on_outcome, on_progress, should_stop)
