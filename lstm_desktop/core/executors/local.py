"""Many independent items (backtest chains, sweep tickers, search trials) in local worker processes.

Spawned processes (not forked: torch and Qt do not survive a fork, and a frozen bundle spawns anyway), each set up
once by `worker_setup` with a fixed torch thread count, so an item's result does not depend on how many workers
ran or which one took it. Workers report progress through a queue and stop on a shared event within one batch.
A worker that dies takes the pool with it: the items that had not finished are run again in a new pool, each at
most once more, and then reported failed; nothing that finished is lost.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import queue
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .items import ItemFailed, Outcome, worker_entry, worker_setup

POLL_SECONDS = 0.1
RETRIES = 1


class LocalExecutor:
    """Runs items (a "module:function" and its payload; the function takes (payload, report, should_stop)) in
    `workers` spawned processes, each with `threads` torch threads."""

    def __init__(self, workers: int, threads: int) -> None:
        self.workers = max(1, workers)
        self.threads = max(1, threads)

    def run(
        self,
        items: Sequence[tuple[str, Any]],
        on_outcome: Callable[[Outcome], None],
        on_progress: Callable[[int, Any], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Call `on_outcome` once per item (in the order they finish).

        When a worker dies, the items that were running are suspects: each runs again once, alone in a pool of
        one, so that a second death is its own; items that had not started run again without counting."""
        context = multiprocessing.get_context("spawn")
        channel = _Channel(context.Queue(), context.Event(), on_progress, should_stop)
        tries = dict.fromkeys(range(len(items)), 0)
        fresh, suspects = list(range(len(items))), []
        while (fresh or suspects) and not channel.stopped():
            batch, size = (suspects, 1) if suspects else (fresh, self.workers)
            if suspects:
                suspects = []
            else:
                fresh = []
            for index in batch:
                tries[index] += 1
            died, not_started = self._pool(context, channel, items, batch, size, on_outcome)
            for index in not_started:
                tries[index] -= 1
            fresh += not_started
            for index in died:
                if tries[index] > RETRIES:
                    on_outcome(Outcome(index, None, ItemFailed("its worker process died twice (out of memory?)")))
                else:
                    suspects.append(index)
        for index in fresh + suspects:
            on_outcome(Outcome(index, None, ItemFailed("stopped before it started"), cancelled=True))

    def _pool(
        self,
        context: Any,
        channel: _Channel,
        items: Sequence[tuple[str, Any]],
        batch: list[int],
        size: int,
        on_outcome: Callable[[Outcome], None],
    ) -> tuple[list[int], list[int]]:
        """Run `batch` in a fresh pool; returns (items whose worker died while they ran, items never started)."""
        died: list[int] = []
        not_started: list[int] = []
        initargs = (self.threads, channel.progress, channel.stop)
        with futures.ProcessPoolExecutor(size, mp_context=context, initializer=worker_setup, initargs=initargs) as pool:
            running = {pool.submit(worker_entry, *items[index][:1], index, items[index][1]): index for index in batch}
            started: set[int] = set()
            while running:
                done, _ = futures.wait(running, timeout=POLL_SECONDS, return_when=futures.FIRST_COMPLETED)
                started.update(index for future, index in running.items() if future.running())
                channel.poll(running)
                for future in done:
                    index = running.pop(future)
                    if future.cancelled():
                        not_started.append(index)
                    elif isinstance(future.exception(), BrokenProcessPool):
                        (died if index in started else not_started).append(index)
                    else:
                        error = future.exception()
                        on_outcome(Outcome(index, None if error else future.result(), error))
            channel.drain()
        return died, not_started


class _Channel:
    """Progress from the workers and the stop request to them."""

    def __init__(self, progress: Any, stop: Any, on_progress: Callable | None, should_stop: Callable) -> None:
        self.progress, self.stop = progress, stop
        self.on_progress, self.should_stop = on_progress, should_stop

    def stopped(self) -> bool:
        return self.stop.is_set()

    def poll(self, running: dict) -> None:
        self.drain()
        if self.should_stop() and not self.stop.is_set():
            self.stop.set()  # workers end their item within one batch; items not started never start
            for future in running:
                future.cancel()

    def drain(self) -> None:
        while True:
            try:
                index, event = self.progress.get_nowait()
            except (queue.Empty, OSError, EOFError):
                return
            if self.on_progress is not None:
                self.on_progress(index, event)
