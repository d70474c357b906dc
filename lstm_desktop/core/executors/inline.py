"""Items one after another in the calling process: what a worker uses for work nested in its item (a sweep item
that backtests runs its folds here, not in a pool of its own), and what a test or a one-core machine may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .book import Book, Items, Nesting, OnOutcome, OnProgress
from .items import Outcome, call_item, trace_of


class _Direct:
    """The item's channel when parent and worker are the same process: events are handled as they are sent."""

    def __init__(self, on_progress: OnProgress | None, book: Book, should_stop: Callable[[], bool]) -> None:
        self.on_progress, self.book, self.should_stop = on_progress, book, should_stop
        self.index = -1

    def send(self, index: int, seq: int, event: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(index, event)

    def wait(self, index: int, seq: int) -> None:
        """Nothing to wait for: the parent handled the event inside `send`."""

    def stopped(self) -> bool:
        return self.index in self.book.stop_asked or self.should_stop()


class InlineExecutor(Nesting):
    """The executor interface, with no process of its own: `workers` is 1."""

    workers = 1

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._book: Book | None = None

    def stop_item(self, index: int) -> None:
        if self._book is not None:
            self._book.stop_item(index)

    def run(
        self,
        items: Items,
        on_outcome: OnOutcome,
        on_progress: OnProgress | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Each item in turn, in this thread (threads as the caller set them)."""
        self._book = book = Book(len(items))
        channel = _Direct(on_progress, book, should_stop)
        try:
            while True:
                if should_stop():
                    book.stop_pending()
                book.flush(on_outcome, "stopped before it started")
                index = book.next()
                if index is None:
                    return
                channel.index = index
                fn, payload = items[index]
                try:
                    result = call_item(fn, index, payload, channel)
                except Exception as exc:
                    on_outcome(Outcome(index, None, exc, trace=trace_of(exc)))
                else:
                    on_outcome(Outcome(index, result))
        finally:
            self._book = None
