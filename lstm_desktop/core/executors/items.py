"""What a worker process runs: its one-time set-up (allocator, a fixed thread count, the progress queue and the
stop event) and the entry that calls an item's function by name. Shared by the local and the Dask executors.

Item functions take (payload, report, should_stop) and return plain data (JSON-able dicts, bytes): results
travel back between processes, so no live torch object or open file goes with them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import LstmDesktopError

_progress: Any = None
_stop: Any = None


class ItemFailed(LstmDesktopError):
    """An item did not finish for a reason outside its own code (its worker died, it was stopped)."""

    exit_code = 2


@dataclass(frozen=True)
class Outcome:
    """An item's end: its result, or the error that ended it (an exception object)."""

    index: int
    result: Any = None
    error: BaseException | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def worker_setup(threads: int, progress: Any = None, stop: Any = None) -> None:
    """Once per worker process: process-wide settings, then where to report and what to watch for a stop."""
    global _progress, _stop
    from ..runtime import set_threads, tune_allocator

    tune_allocator()
    set_threads(threads)
    _progress, _stop = progress, stop


def _report(index: int) -> Callable[[Any], None]:
    def report(event: Any) -> None:
        if _progress is not None and not getattr(event, "frequent", False):
            _progress.put((index, event))

    return report


def _should_stop() -> bool:
    return _stop is not None and _stop.is_set()


def resolve(fn: str) -> Callable[..., Any]:
    """A function from its "package.module:name"."""
    module, name = fn.split(":")
    return getattr(importlib.import_module(module), name)


def worker_entry(fn: str, index: int, payload: Any) -> Any:
    """Run item `index` in this worker."""
    return resolve(fn)(payload, _report(index), _should_stop)
