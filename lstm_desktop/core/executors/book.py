"""The parent's bookkeeping of one `run`, the same for every executor: which items wait, which were asked to stop,
how many times each was tried, and which come back cancelled. Also the interface executors share."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .items import DIED_TWICE, ItemFailed, Outcome

RETRIES = 1  # a died worker's item runs once more, then it is reported failed

Items = Sequence[tuple[str, Any]]
OnOutcome = Callable[[Outcome], None]
OnProgress = Callable[[int, Any], None]


class Executor(Protocol):
    """Runs items somewhere and calls back in the caller's thread. `with executor:` keeps the workers between
    runs (a search runs one batch after another); `run` outside it starts and ends them itself."""

    workers: int
    threads: int

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(
        self,
        items: Items,
        on_outcome: OnOutcome,
        on_progress: OnProgress | None = None,
        should_stop: Callable[[], bool] = ...,
    ) -> None:
        """Call `on_outcome` once per item, in the order they end; return when every item has ended."""

    def stop_item(self, index: int) -> None:
        """From a callback: a running item is asked to stop; one not started never starts (comes back cancelled)."""

    def stop_pending(self) -> None:
        """From a callback: no item that has not started will start; running ones go on."""


class Nesting:
    """What every executor shares: `with` blocks nest (the workers open on the first and close with the last) and
    the stop of pending items goes to the running run's book."""

    _depth = 0
    _book: Book | None = None

    def __enter__(self) -> Any:
        if self._depth == 0:
            self._open()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._close()

    def _open(self) -> None:
        """Start the workers (an executor that starts them lazily does nothing here)."""

    def _close(self) -> None:
        """Stop the workers."""

    def stop_pending(self) -> None:
        if self._book is not None:
            self._book.stop_pending()


class Book:
    """Items waiting (oldest first; a retry goes to the front), tries, stop requests, cancellations to report."""

    def __init__(self, count: int) -> None:
        self.waiting: deque[int] = deque(range(count))
        self.tries = dict.fromkeys(range(count), 0)
        self.stop_asked: set[int] = set()
        self.cancelled: list[int] = []

    def next(self) -> int | None:
        """The next item to start (counting a try), or None."""
        if not self.waiting:
            return None
        index = self.waiting.popleft()
        self.tries[index] += 1
        return index

    def unstarted(self, index: int) -> None:
        """An item handed out but never begun (the stop reached it first): cancelled, no try counted."""
        self.tries[index] -= 1
        self.cancelled.append(index)

    def died(self, index: int) -> Outcome | None:
        """Its worker died while it ran: run it again first (None), or its failure once it has used its retry."""
        if index in self.stop_asked:
            return Outcome(index, None, ItemFailed("its worker process died after it was asked to stop"))
        if self.tries[index] > RETRIES:
            return Outcome(index, None, ItemFailed(DIED_TWICE))
        self.waiting.appendleft(index)
        return None

    def stop_item(self, index: int) -> bool:
        """Ask `index` to stop; True when it was still waiting (it is cancelled and will not start)."""
        self.stop_asked.add(index)
        if index in self.waiting:
            self.waiting.remove(index)
            self.cancelled.append(index)
            return True
        return False

    def stop_pending(self) -> None:
        self.cancelled.extend(self.waiting)
        self.waiting.clear()

    def flush(self, on_outcome: OnOutcome, why: str) -> None:
        """Report the cancelled items (outside the callback that cancelled them, so callbacks never nest)."""
        while self.cancelled:
            index = self.cancelled.pop(0)
            on_outcome(Outcome(index, None, ItemFailed(why), cancelled=True))
