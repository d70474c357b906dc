"""A local worker process: set up once, then run the items its parent sends over a pipe, one at a time.

Progress, results and errors go back over the same pipe; the parent answers barrier events there. Two shared
bytes carry stop requests without a round trip: one for every worker (the user's stop), one for this worker's
current item (a pruned trial). Ctrl-C in a terminal reaches every process of the group: workers ignore it and
leave the stop to the parent, which keeps what finished.
"""

from __future__ import annotations

import signal
from typing import Any

from .items import NOT_STARTED, call_item, pin_threads, portable_error, trace_of, worker_setup


class PipeChannel:
    """The worker's side of an item, over its pipe to the parent."""

    def __init__(self, conn: Any, stop_all: Any, stop_mine: Any) -> None:
        self.conn, self.stop_all, self.stop_mine = conn, stop_all, stop_mine
        self.told_to_stop = False

    def send(self, index: int, seq: int, event: Any) -> None:
        self.conn.send(("progress", index, seq, event))

    def wait(self, index: int, seq: int) -> None:
        """Until the parent has handled event `seq` (EOFError when the parent is gone ends the worker)."""
        while True:
            kind, acked, stop = self.conn.recv()
            if kind == "ack" and acked == seq:
                self.told_to_stop = self.told_to_stop or stop
                return

    def stopped(self) -> bool:
        return self.told_to_stop or bool(self.stop_all.value) or bool(self.stop_mine.value)


def worker_main(conn: Any, threads: int, stop_all: Any, stop_mine: Any, background: bool = False) -> None:
    """The worker's life: items until the parent sends None or goes away (`background`: below the parent's
    priority, see runtime.run_in_background)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_setup(threads, background)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, fn, payload = task
        channel = PipeChannel(conn, stop_all, stop_mine)
        if channel.stopped():
            conn.send(("done", index, NOT_STARTED))
            continue
        try:
            pin_threads(threads)  # again: a previous item may have loaded torch, or changed its count
            result = call_item(fn, index, payload, channel)
        except (EOFError, BrokenPipeError):
            return
        except BaseException as exc:
            conn.send(("error", index, (portable_error(exc), trace_of(exc))))
            continue
        try:
            conn.send(("done", index, result))
        except Exception as exc:  # a result that cannot travel is the item's failure, not the worker's
            conn.send(("error", index, (portable_error(exc), trace_of(exc))))
