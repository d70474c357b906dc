"""Many independent items (backtest chains, sweep tickers, search trials) in local worker processes.

Spawned processes (not forked: torch and Qt do not survive a fork, and a frozen bundle spawns anyway), each set up
once with a fixed torch thread count, so an item's result does not depend on how many workers ran or which one
took it. Each worker has its own pipe, so the parent knows exactly which item a dead worker was running: that
item runs once more, in a fresh process, and a second death is reported as its failure; every other item goes on.
Workers are started when first needed and, inside `with executor:`, kept for the next run (a search's batches).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection as connection
from collections.abc import Callable
from typing import Any

from ..runtime import workers_in_background
from .book import Book, Items, Nesting, OnOutcome, OnProgress
from .items import NOT_STARTED, Outcome
from .local_worker import worker_main

POLL_SECONDS = 0.05  # how often a stop request is looked at while nothing else happens


class _Worker:
    """One worker process, its pipe, its stop byte, and the item it runs (None when idle)."""

    def __init__(self, context: Any, threads: int, stop_all: Any) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.stop_mine = context.RawValue("b", 0)
        self.process = context.Process(
            target=worker_main,
            args=(child, threads, stop_all, self.stop_mine, workers_in_background()),
            daemon=True,
            name="lstm-worker",
        )
        self.process.start()
        child.close()
        self.index: int | None = None

    def give(self, index: int, item: tuple[str, Any]) -> None:
        self.stop_mine.value = 0
        self.index = index
        with contextlib.suppress(OSError):  # it died just now: the parent sees its end and retries the item
            self.conn.send((index, item[0], item[1]))

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a dead worker's pipe is closed
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class LocalExecutor(Nesting):
    """Runs items (a "module:function" and its payload; the function takes (payload, report, should_stop)) in
    `workers` spawned processes, each with `threads` torch threads."""

    def __init__(self, workers: int, threads: int) -> None:
        self.workers = max(1, workers)
        self.threads = max(1, threads)
        self._context = multiprocessing.get_context("spawn")
        self._stop_all = self._context.RawValue("b", 0)
        self._pool: list[_Worker] = []
        self._book: Book | None = None

    def _close(self) -> None:
        for worker in self._pool:
            worker.close()
        self._pool = []

    def stop_item(self, index: int) -> None:
        if self._book is not None and not self._book.stop_item(index):
            for worker in self._pool:
                if worker.index == index:
                    worker.stop_mine.value = 1

    def run(
        self,
        items: Items,
        on_outcome: OnOutcome,
        on_progress: OnProgress | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Call `on_outcome` once per item (in the order they end). A stop asks running items to stop (they end
        within one training batch and come back as they are) and cancels the items not started."""
        with self:
            self._book = book = Book(len(items))
            self._stop_all.value = 0
            try:
                self._loop(items, book, on_outcome, on_progress, should_stop)
            finally:
                self._book = None

    def _loop(
        self, items: Items, book: Book, on_outcome: OnOutcome, on_progress: OnProgress | None, should_stop: Callable
    ) -> None:
        while True:
            if should_stop() and not self._stop_all.value:
                self._stop_all.value = 1
                book.stop_pending()
            book.flush(on_outcome, "stopped before it started")
            self._start_waiting(items, book)
            busy = [w for w in self._pool if w.index is not None]
            if not busy:
                if not book.waiting:
                    return
                continue
            waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(connection.wait(waitables, timeout=POLL_SECONDS))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._serve(worker, book, on_outcome, on_progress)

    def _start_waiting(self, items: Items, book: Book) -> None:
        """Hand waiting items to idle workers, starting workers (up to `workers`) when needed. An idle worker that
        died (killed between items) is replaced first: handing it an item would fail."""
        for dead in [w for w in self._pool if w.index is None and not w.process.is_alive()]:
            self._pool.remove(dead)
            dead.close()
        while book.waiting:
            idle = next((w for w in self._pool if w.index is None), None)
            if idle is None and len(self._pool) < self.workers:
                idle = _Worker(self._context, self.threads, self._stop_all)
                self._pool.append(idle)
            if idle is None:
                return
            index = book.next()
            assert index is not None
            idle.give(index, items[index])

    def _serve(self, worker: _Worker, book: Book, on_outcome: OnOutcome, on_progress: OnProgress | None) -> None:
        """Read what the worker sent; when its process has died, its item is retried or failed."""
        try:
            while worker.index is not None and worker.conn.poll():
                self._message(worker, worker.conn.recv(), book, on_outcome, on_progress)
        except (EOFError, OSError):
            pass
        if worker.index is not None and not worker.process.is_alive():
            index = worker.index
            self._pool.remove(worker)
            worker.close()
            failed = book.died(index)
            if failed is not None:
                on_outcome(failed)

    def _message(
        self, worker: _Worker, message: tuple, book: Book, on_outcome: OnOutcome, on_progress: OnProgress | None
    ) -> None:
        kind, index = message[0], message[1]
        if kind == "progress":
            _, _, seq, event = message
            if on_progress is not None:
                on_progress(index, event)
            if seq:
                worker.conn.send(("ack", seq, index in book.stop_asked or bool(self._stop_all.value)))
            return
        worker.index = None
        if kind == "done" and message[2] == NOT_STARTED:
            book.unstarted(index)
        elif kind == "done":
            on_outcome(Outcome(index, message[2]))
        else:
            error, trace = message[2]
            on_outcome(Outcome(index, None, error, trace=trace))
