"""What every executor shares about an item: how a worker calls it, what comes back, and the worker's side of the
conversation with the parent. Light to import: no torch, no dask.

An item is a "package.module:function" and its payload. The function takes (payload, report, should_stop) and
returns plain data (JSON-able dicts, bytes): results travel between processes, so no live torch object or open
file goes with them. `report(event)` sends a progress event to the parent; an event whose class sets
`barrier = True` also waits until the parent has handled it, so a decision the parent takes on it (prune this
trial) is seen by the very next `should_stop()`: the item then stops at the same point whatever the timing.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import LstmDesktopError

NOT_STARTED = "lstm-desktop:not-started"  # what a worker returns for an item the stop reached before it began
DIED_TWICE = "its worker process died twice (out of memory, or killed?)"


class ItemFailed(LstmDesktopError):
    """An item did not finish for a reason outside its own code (its worker died, it was stopped)."""

    exit_code = 2


class ClusterUnavailable(LstmDesktopError):
    """The Dask cluster cannot be reached, is not installed, or its workers cannot run lstm-desktop."""

    exit_code = 3


@dataclass(frozen=True)
class Outcome:
    """An item's end: its result, or the error that ended it (an exception object, and the worker's traceback)."""

    index: int
    result: Any = None
    error: BaseException | None = None
    cancelled: bool = False
    trace: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


class Channel(Protocol):
    """The worker's side of one item: progress out, the parent's acknowledgement and stop requests in."""

    def send(self, index: int, seq: int, event: Any) -> None: ...

    def wait(self, index: int, seq: int) -> None: ...

    def stopped(self) -> bool: ...


def resolve(fn: str) -> Callable[..., Any]:
    """A function from its "package.module:name"."""
    module, name = fn.split(":")
    return getattr(importlib.import_module(module), name)


def call_item(fn: str, index: int, payload: Any, channel: Channel) -> Any:
    """Run item `index` here, its events and stop checks going through `channel`."""
    counter = {"seq": 0}

    def report(event: Any) -> None:
        if getattr(event, "frequent", False):
            return  # per-batch events: too many to send between processes
        if getattr(event, "barrier", False):
            counter["seq"] += 1
            channel.send(index, counter["seq"], event)
            channel.wait(index, counter["seq"])
        else:
            channel.send(index, 0, event)

    return resolve(fn)(payload, report, channel.stopped)


def portable_error(exc: BaseException) -> BaseException:
    """`exc` if it can be rebuilt from its class and arguments (what a trip between processes does; deepcopy uses
    the same protocol) and its class can be found by name, else an ItemFailed saying what it was."""
    try:
        module = sys.modules.get(type(exc).__module__)
        if getattr(module, type(exc).__qualname__, None) is not type(exc):
            raise TypeError("its class cannot be found by name")
        copy.deepcopy(exc)
        return exc
    except Exception:
        return ItemFailed(f"{type(exc).__name__}: {exc}")


def trace_of(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def pin_threads(threads: int) -> None:
    """Fix torch's thread count in this worker, so an item's result does not depend on the worker that ran it.

    torch is not imported for this: OMP_NUM_THREADS, set before torch loads, gives it that count from the start
    (a worker that runs no training never pays for the import); once torch is loaded, it is set directly."""
    from ..runtime import pin_blas_threads

    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    pin_blas_threads()  # numpy's products the same in every worker and in the app (runtime.py)
    if "torch" in sys.modules:
        from ..runtime import set_threads

        set_threads(threads)


def worker_setup(threads: int, background: bool = False) -> None:
    """Once per local worker process: the allocator and, for the window's workers (`background`), a lower priority
    (before any thread exists), then the thread count."""
    from ..runtime import run_in_background, tune_allocator

    tune_allocator()
    if background:
        run_in_background()
    pin_threads(threads)
