"""What a Dask worker runs for one item: a fixed torch thread count (items.pin_threads), then the item, talking
to the parent through named scheduler objects (a progress queue per run, an acknowledgement queue per item, stop
events).

Events travel as JSON inside the message (wire.py: the class by name, the fields through the typed codec).
The per-item and per-run stop events are looked at a few times a second, not at every batch: each look is a
round trip to the scheduler. Each attempt announces itself first, so the parent counts the attempts that
really began (a task queued on a worker that died did not): a third is told to stop, and the item is reported
failed, as locally. A stop the parent decides on a barrier event comes back with the acknowledgement, so it is
seen at once: a pruned trial stops after the same epoch on a cluster as in local workers.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from .items import NOT_STARTED, call_item, pin_threads
from .wire import event_to_wire

START = -1  # the sequence number of the message an attempt sends when it begins (the parent counts attempts)
CHECK_SECONDS = 0.5  # how often a running item asks the scheduler whether it should stop
ACK_SECONDS = 600  # a parent silent this long is gone: the item ends with an error


def names(run_id: str, index: int | None = None) -> dict[str, str]:
    """The scheduler names of a run's objects (and of one item's)."""
    found = {"progress": f"{run_id}-progress", "stop": f"{run_id}-stop"}
    if index is not None:
        found |= {"ack": f"{run_id}-ack-{index}", "stop_item": f"{run_id}-stop-{index}"}
    return found


class ClusterChannel:
    """The worker's side of one item on a Dask cluster."""

    def __init__(self, run_id: str, index: int) -> None:
        from distributed import Event, Queue

        named = names(run_id, index)
        self.token = uuid.uuid4().hex  # tells this attempt's acknowledgements from a dead attempt's
        self.progress, self.acks = Queue(named["progress"]), Queue(named["ack"])
        self.stops = (Event(named["stop"]), Event(named["stop_item"]))
        self.told_to_stop = False
        self.checked_at = -CHECK_SECONDS
        self.last = False

    def send(self, index: int, seq: int, event: Any) -> None:
        self.progress.put([index, self.token, seq, None if event is None else event_to_wire(event)])

    def wait(self, index: int, seq: int) -> None:
        while True:
            token, acked, stop = self.acks.get(timeout=ACK_SECONDS)
            if token == self.token and acked == seq:
                self.told_to_stop = self.told_to_stop or bool(stop)
                return

    def stopped(self) -> bool:
        if self.told_to_stop:
            return True
        now = time.monotonic()
        if now - self.checked_at >= CHECK_SECONDS:
            self.checked_at = now
            self.last = any(event.is_set() for event in self.stops)
        return self.last


def cluster_entry(fn: str, index: int, payload: Any, run_id: str, threads: int) -> Any:
    """Run item `index` in this Dask worker."""
    pin_threads(threads)
    channel = ClusterChannel(run_id, index)
    channel.send(index, START, None)
    channel.wait(index, START)  # the parent answers stop to an attempt after two deaths, or after a stop
    if channel.stopped():
        return NOT_STARTED
    return call_item(fn, index, payload, channel)
